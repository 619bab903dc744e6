"""Receivables API, all under /api/v1/receivables/: orders, invoices, receipts (payments),
allocations, credit notes, refunds, write-offs, an account's ledger, balance and open items,
and the 24-hour booking report.

Reads go through receivables.selectors (scoped to the caller: a record outside the scope is
404 with the domain's NOT_FOUND code, exactly like one that does not exist); every act goes
through receivables.services (role-checked there: 403 PERMISSION_DENIED for roles that may
see a record but not act on it). Money is {"amount": "<decimal string>", "currency": "CNY"};
amounts sent in are decimal strings, never JSON numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from salesops.core.api import ERRORS, MAX_ID, ErrorOut
from salesops.masterdata import selectors as md_selectors
from salesops.masterdata.api import MoneyOut, _money

from . import booking, errors, selectors, services
from .models import (
    Allocation,
    CreditApplication,
    CreditNote,
    Invoice,
    LedgerEntry,
    Payment,
    Refund,
    SalesOrder,
    SalesOrderLine,
    WriteOff,
)

PREFIX = ""
router = Router(tags=["receivables"])

WRITE_ERRORS = {**ERRORS, 409: ErrorOut}
MAX_OFFSET = 100_000
AMOUNT_PATTERN = r"^\d{1,16}(\.\d{1,4})?$"
QTY_PATTERN = r"^\d{1,10}(\.\d{1,4})?$"
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
R = "/receivables"

Amount = Field(..., pattern=AMOUNT_PATTERN, description="decimal string", examples=["1130.00"])
Currency = Field(..., min_length=3, max_length=3, examples=["CNY"])
Id = Field(..., ge=1, le=MAX_ID)
OptId = Field(None, ge=1, le=MAX_ID)
ReasonText = Field(..., min_length=1, max_length=500, description="why, for the audit log")


def _text(value: str | None) -> str:
    """PostgreSQL refuses NUL characters; lone surrogates cannot be stored either."""
    value = (value or "").replace("\x00", "")
    return "".join(ch for ch in value if not 0xD800 <= ord(ch) <= 0xDFFF).strip()


def _date(value: dt.date | None, name: str) -> dt.date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise errors.DateInvalid(
            f"{name} must lie between {EARLIEST} and {LATEST}.",
            detail={"field": name, "value": value.isoformat()},
        )
    return value


def _moment(value: dt.datetime | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    _date(value.astimezone(dt.UTC).date(), name)
    if value > timezone.now() + dt.timedelta(hours=1):
        raise errors.DateInvalid(
            f"{name} is in the future.", detail={"field": name, "value": value.isoformat()}
        )
    return value


def _dec(value: str) -> Decimal:
    return Decimal(value)


def _page(qs, limit: int, offset: int, out) -> dict:
    rows = list(qs[offset : offset + limit + 1])
    return {
        "items": [out(r) for r in rows[:limit]],
        "limit": limit,
        "offset": offset,
        "has_more": len(rows) > limit,
    }


def _user_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.username


# ---------------------------------------------------------------- schemas out


class AccountRef(Schema):
    id: int
    number: str
    name: str


def _acct(a) -> dict | None:
    return {"id": a.pk, "number": a.number, "name": a.name} if a is not None else None


class OrderLineOut(Schema):
    id: int
    line_no: int
    product_id: int | None
    description: str
    quantity: str
    shipped_quantity: str
    backlog_quantity: str
    unit_price: MoneyOut
    backlog_value: MoneyOut
    requested_date: dt.date
    promised_date: dt.date | None
    cancelled: bool


class OrderItem(Schema):
    id: int
    number: str
    account: AccountRef
    currency: str
    order_date: dt.date
    customer_reference: str
    status: str


class OrderOut(OrderItem):
    lines: list[OrderLineOut]
    backlog_value: MoneyOut
    created_at: dt.datetime


class OrderPage(Schema):
    items: list[OrderItem]
    limit: int
    offset: int
    has_more: bool


def _qty(q: Decimal) -> str:
    return str(q.normalize()) if q == q.to_integral() else str(q)


def _line_out(ln: SalesOrderLine, currency: str) -> dict:
    return {
        "id": ln.pk,
        "line_no": ln.line_no,
        "product_id": ln.product_id,
        "description": ln.description,
        "quantity": _qty(ln.quantity),
        "shipped_quantity": _qty(ln.shipped_quantity),
        "backlog_quantity": _qty(ln.backlog_quantity),
        "unit_price": _money(ln.unit_price, currency),
        "backlog_value": _money(ln.backlog_value, currency),
        "requested_date": ln.requested_date,
        "promised_date": ln.promised_date,
        "cancelled": ln.cancelled,
    }


def _order_item(o: SalesOrder) -> dict:
    return {
        "id": o.pk,
        "number": o.number,
        "account": _acct(o.account),
        "currency": o.currency,
        "order_date": o.order_date,
        "customer_reference": o.customer_reference,
        "status": o.status,
    }


def _order_out(o: SalesOrder) -> dict:
    lines = list(o.lines.all())
    return {
        **_order_item(o),
        "lines": [_line_out(ln, o.currency) for ln in lines],
        "backlog_value": _money(sum((ln.backlog_value for ln in lines), Decimal(0)), o.currency),
        "created_at": o.created_at,
    }


class InvoiceItem(Schema):
    id: int
    number: str
    account: AccountRef
    order_id: int | None
    issue_date: dt.date
    due_date: dt.date
    amount: MoneyOut
    open_amount: MoneyOut
    status: str
    overdue: bool = Field(..., description="open and past its due date today")


class AllocationOut(Schema):
    id: int
    payment_id: int
    payment_number: str
    invoice_id: int
    invoice_number: str
    amount: MoneyOut
    fx_difference: MoneyOut = Field(..., description="realised, in the reporting currency")
    applied_on: dt.date
    reverses_id: int | None
    reversed: bool


class CreditApplicationOut(Schema):
    id: int
    credit_note_id: int
    credit_note_number: str
    invoice_id: int
    amount: MoneyOut
    applied_on: dt.date
    reverses_id: int | None


class WriteOffOut(Schema):
    id: int
    number: str
    invoice_id: int
    invoice_number: str
    account: AccountRef
    amount: MoneyOut
    reason: str
    status: str
    requested_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    applied_on: dt.date | None
    created_at: dt.datetime


class CreditNoteOut(Schema):
    id: int
    number: str
    account: AccountRef
    invoice_id: int | None
    invoice_number: str | None
    amount: MoneyOut
    open_amount: MoneyOut = Field(..., description="approved and not yet applied")
    reason: str
    memo: str
    issue_date: dt.date
    status: str
    requested_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class InvoiceOut(InvoiceItem):
    allocations: list[AllocationOut]
    credit_applications: list[CreditApplicationOut]
    credit_notes: list[CreditNoteOut]
    write_offs: list[WriteOffOut]
    created_at: dt.datetime


class InvoicePage(Schema):
    items: list[InvoiceItem]
    limit: int
    offset: int
    has_more: bool


def _invoice_item(i: Invoice, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "id": i.pk,
        "number": i.number,
        "account": _acct(i.account),
        "order_id": i.order_id,
        "issue_date": i.issue_date,
        "due_date": i.due_date,
        "amount": _money(i.amount, i.currency),
        "open_amount": _money(i.open_amount, i.currency),
        "status": i.status,
        "overdue": i.status == Invoice.Status.OPEN and i.due_date < today,
    }


def _allocation_out(a: Allocation) -> dict:
    return {
        "id": a.pk,
        "payment_id": a.payment_id,
        "payment_number": a.payment.number,
        "invoice_id": a.invoice_id,
        "invoice_number": a.invoice.number,
        "amount": _money(a.amount, a.payment.currency),
        "fx_difference": _money(a.fx_difference, settings.REPORTING_CURRENCY),
        "applied_on": a.applied_on,
        "reverses_id": a.reverses_id,
        "reversed": a.reverses_id is None and hasattr(a, "reversed_by"),
    }


def _application_out(c: CreditApplication) -> dict:
    return {
        "id": c.pk,
        "credit_note_id": c.credit_note_id,
        "credit_note_number": c.credit_note.number,
        "invoice_id": c.invoice_id,
        "amount": _money(c.amount, c.credit_note.currency),
        "applied_on": c.applied_on,
        "reverses_id": c.reverses_id,
    }


def _credit_note_out(n: CreditNote) -> dict:
    return {
        "id": n.pk,
        "number": n.number,
        "account": _acct(n.account),
        "invoice_id": n.invoice_id,
        "invoice_number": n.invoice.number if n.invoice_id else None,
        "amount": _money(n.amount, n.currency),
        "open_amount": _money(n.open_amount, n.currency),
        "reason": n.reason,
        "memo": n.memo,
        "issue_date": n.issue_date,
        "status": n.status,
        "requested_by": _user_name(n.requested_by),
        "decided_by": _user_name(n.decided_by),
        "decided_at": n.decided_at,
        "decision_note": n.decision_note,
    }


def _write_off_out(w: WriteOff) -> dict:
    inv = w.invoice
    return {
        "id": w.pk,
        "number": w.number,
        "invoice_id": inv.pk,
        "invoice_number": inv.number,
        "account": _acct(inv.account),
        "amount": _money(w.amount, inv.currency),
        "reason": w.reason,
        "status": w.status,
        "requested_by": _user_name(w.requested_by),
        "decided_by": _user_name(w.decided_by),
        "decided_at": w.decided_at,
        "applied_on": w.applied_on,
        "created_at": w.created_at,
    }


def _invoice_out(i: Invoice) -> dict:
    allocations = i.allocations.select_related("payment", "invoice", "reversed_by")
    applications = i.credit_applications.select_related("credit_note")
    notes = i.credit_notes.select_related("account", "invoice", "requested_by", "decided_by")
    write_offs = i.write_offs.select_related("invoice__account", "requested_by", "decided_by")
    return {
        **_invoice_item(i),
        "allocations": [_allocation_out(a) for a in allocations],
        "credit_applications": [_application_out(c) for c in applications],
        "credit_notes": [_credit_note_out(n) for n in notes],
        "write_offs": [_write_off_out(w) for w in write_offs],
        "created_at": i.created_at,
    }


class PaymentItem(Schema):
    id: int
    number: str
    account: AccountRef | None
    amount: MoneyOut
    unallocated_amount: MoneyOut = Field(..., description="booked and not allocated: on account")
    received_at: dt.datetime
    value_date: dt.date
    booked_at: dt.datetime | None
    booked_by: str | None
    booking_deadline: dt.datetime
    status: str
    method: str
    reference: str
    payer_name: str
    external_ref: str | None


class PaymentOut(PaymentItem):
    allocations: list[AllocationOut]


class PaymentPage(Schema):
    items: list[PaymentItem]
    limit: int
    offset: int
    has_more: bool


def _payment_item(p: Payment) -> dict:
    return {
        "id": p.pk,
        "number": p.number,
        "account": _acct(p.account),
        "amount": _money(p.amount, p.currency),
        "unallocated_amount": _money(p.unallocated_amount, p.currency),
        "received_at": p.received_at,
        "value_date": p.value_date,
        "booked_at": p.booked_at,
        "booked_by": _user_name(p.booked_by),
        "booking_deadline": booking.deadline(p),
        "status": p.status,
        "method": p.method,
        "reference": p.reference,
        "payer_name": p.payer_name,
        "external_ref": p.external_ref,
    }


def _payment_out(p: Payment) -> dict:
    allocations = p.allocations.select_related("payment", "invoice", "reversed_by")
    return {**_payment_item(p), "allocations": [_allocation_out(a) for a in allocations]}


class CreditNotePage(Schema):
    items: list[CreditNoteOut]
    limit: int
    offset: int
    has_more: bool


class RefundOut(Schema):
    id: int
    number: str
    account: AccountRef
    payment_id: int | None
    credit_note_id: int | None
    amount: MoneyOut
    reason: str
    status: str
    requested_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    paid_on: dt.date | None
    created_at: dt.datetime


class RefundPage(Schema):
    items: list[RefundOut]
    limit: int
    offset: int
    has_more: bool


def _refund_out(r: Refund) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "account": _acct(r.account),
        "payment_id": r.payment_id,
        "credit_note_id": r.credit_note_id,
        "amount": _money(r.amount, r.currency),
        "reason": r.reason,
        "status": r.status,
        "requested_by": _user_name(r.requested_by),
        "decided_by": _user_name(r.decided_by),
        "decided_at": r.decided_at,
        "decision_note": r.decision_note,
        "paid_on": r.paid_on,
        "created_at": r.created_at,
    }


class WriteOffPage(Schema):
    items: list[WriteOffOut]
    limit: int
    offset: int
    has_more: bool


# ---------------------------------------------------------------- orders

PageLimit = Query(100, ge=1, le=500)
SINCE = Query(None, description="value date on or after")
AS_OF = Query(None, description="as of this date (default: everything)")
REPORT_START = Query(None, description="default: 12 weeks before `end`")
REPORT_END = Query(None, description="default: today")
PageOffset = Query(0, ge=0, le=MAX_OFFSET)
OrderStatus = Literal["open", "partial", "shipped", "cancelled"]


@router.get(f"{R}/orders", response={200: OrderPage, **ERRORS}, summary="List sales orders")
def order_list(
    request,
    account: int | None = Query(None, ge=1, le=MAX_ID),
    status: OrderStatus | None = None,
    open_only: bool = Query(False, description="open or partly shipped"),
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    """Orders in scope, newest first."""
    qs = selectors.order_list(user=request.user, account_id=account, open_only=open_only)
    if status:
        qs = qs.filter(status=status)
    return _page(qs, limit, offset, _order_item)


@router.get(f"{R}/orders/{{order_id}}", response={200: OrderOut, **ERRORS})
def order_detail(request, order_id: int = Path(..., ge=1, le=MAX_ID)):
    return _order_out(selectors.order_get(user=request.user, order_id=order_id))


class OrderLineIn(Schema):
    product_id: int | None = OptId
    description: str = Field("", max_length=255)
    quantity: str = Field(..., pattern=QTY_PATTERN, examples=["10"])
    unit_price: str = Field(..., pattern=AMOUNT_PATTERN, examples=["99.00"])
    requested_date: dt.date
    promised_date: dt.date | None = None


class OrderCreateIn(Schema):
    account_id: int = Id
    currency: str = Currency
    order_date: dt.date
    customer_reference: str = Field("", max_length=60)
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=500)


def _account(request, account_id: int):
    return md_selectors.account_get(user=request.user, account_id=account_id)


@router.post(f"{R}/orders", response={201: OrderOut, **WRITE_ERRORS}, summary="Create an order")
def order_create(request, payload: OrderCreateIn):
    """Coordinators, finance, admins. The number comes from the order series."""
    from salesops.masterdata.models import Product

    account = _account(request, payload.account_id)
    lines = []
    for ln in payload.lines:
        product = None
        if ln.product_id is not None:
            product = Product.objects.filter(pk=ln.product_id).first()
            if product is None:
                raise errors.AmountInvalid(
                    "No such product.", detail={"field": "product_id", "value": ln.product_id}
                )
        lines.append(
            services.OrderLineIn(
                quantity=_dec(ln.quantity),
                unit_price=_dec(ln.unit_price),
                requested_date=_date(ln.requested_date, "requested_date"),
                promised_date=_date(ln.promised_date, "promised_date"),
                product=product,
                description=_text(ln.description),
            )
        )
    order = services.sales_order_create(
        account=account,
        currency=payload.currency.upper(),
        order_date=_date(payload.order_date, "order_date"),
        lines=lines,
        customer_reference=_text(payload.customer_reference),
        by=request.user,
    )
    return Status(201, _order_out(selectors.order_get(user=request.user, order_id=order.pk)))


class ShipLineIn(Schema):
    line_id: int = Id
    quantity: str = Field(..., pattern=QTY_PATTERN, examples=["2"])


class ShipIn(Schema):
    lines: list[ShipLineIn] = Field(..., min_length=1, max_length=500)


@router.post(f"{R}/orders/{{order_id}}/ship", response={200: OrderOut, **WRITE_ERRORS})
def order_ship(request, payload: ShipIn, order_id: int = Path(..., ge=1, le=MAX_ID)):
    """Record shipments on one or more lines, all or nothing."""
    order = selectors.order_get(user=request.user, order_id=order_id)
    with transaction.atomic():
        for item in payload.lines:
            line = selectors.order_line_get(
                user=request.user, order_id=order.pk, line_id=item.line_id
            )
            services.sales_order_line_ship(line=line, quantity=_dec(item.quantity), by=request.user)
    return _order_out(selectors.order_get(user=request.user, order_id=order.pk))


class ReasonIn(Schema):
    reason: str = ReasonText


@router.post(f"{R}/orders/{{order_id}}/cancel", response={200: OrderOut, **WRITE_ERRORS})
def order_cancel(request, payload: ReasonIn, order_id: int = Path(..., ge=1, le=MAX_ID)):
    """Cancel what has not shipped; shipped lines stay."""
    order = selectors.order_get(user=request.user, order_id=order_id)
    services.sales_order_cancel(order=order, reason=_text(payload.reason), by=request.user)
    return _order_out(selectors.order_get(user=request.user, order_id=order.pk))


# ---------------------------------------------------------------- invoices

InvoiceStatus = Literal["open", "paid", "reversed"]


@router.get(f"{R}/invoices", response={200: InvoicePage, **ERRORS}, summary="List invoices")
def invoice_list(
    request,
    account: int | None = Query(None, ge=1, le=MAX_ID),
    status: InvoiceStatus | None = None,
    overdue: bool = Query(False, description="open and past due today"),
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    """Invoices in scope, newest first."""
    qs = selectors.invoice_list(
        user=request.user,
        account_id=account,
        status=status or "",
        overdue_on=timezone.localdate() if overdue else None,
    )
    return _page(qs, limit, offset, _invoice_item)


@router.get(f"{R}/invoices/{{invoice_id}}", response={200: InvoiceOut, **ERRORS})
def invoice_detail(request, invoice_id: int = Path(..., ge=1, le=MAX_ID)):
    """One invoice with its allocations, credit notes and applications, and write-offs."""
    return _invoice_out(selectors.invoice_get(user=request.user, invoice_id=invoice_id))


class InvoicePostIn(Schema):
    account_id: int = Id
    amount: str = Amount
    currency: str = Currency
    issue_date: dt.date
    due_date: dt.date | None = Field(None, description="default: from the payment terms")
    order_id: int | None = OptId


@router.post(f"{R}/invoices", response={201: InvoiceOut, **WRITE_ERRORS}, summary="Post invoice")
def invoice_post(request, payload: InvoicePostIn):
    account = _account(request, payload.account_id)
    order = None
    if payload.order_id is not None:
        order = selectors.order_get(user=request.user, order_id=payload.order_id)
    invoice = services.invoice_post(
        account=account,
        amount=payload.amount,
        currency=payload.currency,
        issue_date=_date(payload.issue_date, "issue_date"),
        due_date=_date(payload.due_date, "due_date"),
        order=order,
        by=request.user,
    )
    return Status(
        201, _invoice_out(selectors.invoice_get(user=request.user, invoice_id=invoice.pk))
    )


@router.post(f"{R}/invoices/{{invoice_id}}/reverse", response={200: InvoiceOut, **WRITE_ERRORS})
def invoice_reverse(request, payload: ReasonIn, invoice_id: int = Path(..., ge=1, le=MAX_ID)):
    """Cancel an invoice posted in error (its settlements must be reversed first)."""
    invoice = selectors.invoice_get(user=request.user, invoice_id=invoice_id)
    services.invoice_reverse(invoice=invoice, reason=_text(payload.reason), by=request.user)
    return _invoice_out(selectors.invoice_get(user=request.user, invoice_id=invoice_id))


# ---------------------------------------------------------------- receipts (payments)

PaymentStatus = Literal["received", "booked", "reversed"]
PaymentMethod = Literal["transfer", "cheque", "card", "cash", "other"]


@router.get(f"{R}/payments", response={200: PaymentPage, **ERRORS}, summary="List receipts")
def payment_list(
    request,
    account: int | None = Query(None, ge=1, le=MAX_ID),
    status: PaymentStatus | None = None,
    since: dt.date | None = SINCE,
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    """Receipts in scope, newest first. Unbooked receipts are internal: only staff see them."""
    qs = selectors.payment_list(
        user=request.user, account_id=account, status=status or "", since=since
    )
    return _page(qs, limit, offset, _payment_item)


@router.get(f"{R}/payments/unbooked", response={200: PaymentPage, **ERRORS})
def payment_unbooked(request, limit: int = PageLimit, offset: int = PageOffset):
    """Receipts still to book, least time left first (staff; others get an empty list)."""
    qs = selectors.receipts_unbooked(user=request.user).select_related("account", "booked_by")
    return _page(qs, limit, offset, _payment_item)


@router.get(f"{R}/payments/{{payment_id}}", response={200: PaymentOut, **ERRORS})
def payment_detail(request, payment_id: int = Path(..., ge=1, le=MAX_ID)):
    return _payment_out(selectors.payment_get(user=request.user, payment_id=payment_id))


class PaymentReceiveIn(Schema):
    amount: str = Amount
    currency: str = Currency
    received_at: dt.datetime | None = Field(None, description="default: now")
    value_date: dt.date | None = Field(None, description="default: the day received")
    account_id: int | None = OptId
    reference: str = Field("", max_length=140)
    payer_name: str = Field("", max_length=140)
    method: PaymentMethod = "transfer"
    external_ref: str | None = Field(
        None, max_length=100, description="bank transaction id; the same one twice is one receipt"
    )


@router.post(f"{R}/payments", response={201: PaymentOut, **WRITE_ERRORS}, summary="Record receipt")
def payment_receive(request, payload: PaymentReceiveIn):
    """Money received; book it within the booking limit (24 h by default)."""
    account = _account(request, payload.account_id) if payload.account_id else None
    payment = services.payment_receive(
        amount=payload.amount,
        currency=payload.currency,
        received_at=_moment(payload.received_at, "received_at"),
        value_date=_date(payload.value_date, "value_date"),
        account=account,
        reference=_text(payload.reference),
        payer_name=_text(payload.payer_name),
        method=payload.method,
        external_ref=_text(payload.external_ref) or None,
        by=request.user,
    )
    return Status(201, _payment_out(payment))


class AllocationIn(Schema):
    invoice_id: int = Id
    amount: str = Amount


class BookIn(Schema):
    account_id: int | None = Field(None, ge=1, le=MAX_ID, description="default: the receipt's")
    allocations: list[AllocationIn] = Field(
        [], max_length=500, description="allocate in the same step (all or nothing)"
    )


def _allocations(request, items: list[AllocationIn]) -> list[tuple[Invoice, Decimal]]:
    return [
        (selectors.invoice_get(user=request.user, invoice_id=a.invoice_id), a.amount) for a in items
    ]


@router.post(f"{R}/payments/{{payment_id}}/book", response={200: PaymentOut, **WRITE_ERRORS})
def payment_book(request, payload: BookIn, payment_id: int = Path(..., ge=1, le=MAX_ID)):
    """Put the receipt on the account's ledger, optionally allocating it to invoices in the
    same transaction. What is not allocated stays on account."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    account = _account(request, payload.account_id) if payload.account_id else None
    if payment.status != Payment.Status.RECEIVED:
        services.payment_book(payment=payment, account=account, by=request.user)  # refuses
    booking.payment_book_allocate(
        payment=payment,
        account=account,
        allocations=_allocations(request, payload.allocations),
        by=request.user,
    )
    return _payment_out(selectors.payment_get(user=request.user, payment_id=payment_id))


class AllocateIn(Schema):
    allocations: list[AllocationIn] = Field(..., min_length=1, max_length=500)


@router.post(f"{R}/payments/{{payment_id}}/allocate", response={200: PaymentOut, **WRITE_ERRORS})
def payment_allocate(request, payload: AllocateIn, payment_id: int = Path(..., ge=1, le=MAX_ID)):
    """Allocate a booked receipt to one or more invoices of its account, all or nothing."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    if payment.status != Payment.Status.BOOKED:
        raise errors.PaymentNotBooked(
            f"Receipt {payment.number} is not booked.", detail={"status": payment.status}
        )
    booking.payment_book_allocate(
        payment=payment, allocations=_allocations(request, payload.allocations), by=request.user
    )
    return _payment_out(selectors.payment_get(user=request.user, payment_id=payment_id))


@router.post(f"{R}/payments/{{payment_id}}/reverse", response={200: PaymentOut, **WRITE_ERRORS})
def payment_reverse(request, payload: ReasonIn, payment_id: int = Path(..., ge=1, le=MAX_ID)):
    """A returned or mistaken receipt: allocations reversed, the ledger entry undone."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    services.payment_reverse(payment=payment, reason=_text(payload.reason), by=request.user)
    return _payment_out(selectors.payment_get(user=request.user, payment_id=payment_id))


@router.post(
    f"{R}/allocations/{{allocation_id}}/reverse", response={200: AllocationOut, **WRITE_ERRORS}
)
def allocation_reverse(request, payload: ReasonIn, allocation_id: int = Path(..., ge=1, le=MAX_ID)):
    """Undo an allocation: the invoice opens again, the receipt has the amount back. Returns
    the reversal row."""
    allocation = selectors.allocation_get(user=request.user, allocation_id=allocation_id)
    reversal = services.allocation_reverse(
        allocation=allocation, reason=_text(payload.reason), by=request.user
    )
    reversal = Allocation.objects.select_related("payment", "invoice").get(pk=reversal.pk)
    return _allocation_out(reversal)


# ---------------------------------------------------------------- credit notes

CreditStatus = Literal["pending", "approved", "rejected"]
CreditReason = Literal["price", "return", "damage", "rebate", "billing", "goodwill", "other"]


def _credit_note(request, pk: int) -> CreditNote:
    return selectors.credit_note_get(user=request.user, credit_note_id=pk)


def _credit_note_fresh(request, pk: int) -> dict:
    note = (
        selectors.credit_note_list(user=request.user)
        .select_related("requested_by", "decided_by")
        .get(pk=pk)
    )
    return _credit_note_out(note)


@router.get(f"{R}/credit-notes", response={200: CreditNotePage, **ERRORS})
def credit_note_list(
    request,
    account: int | None = Query(None, ge=1, le=MAX_ID),
    status: CreditStatus | None = None,
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    qs = selectors.credit_note_list(
        user=request.user, account_id=account, status=status or ""
    ).select_related("requested_by", "decided_by")
    return _page(qs, limit, offset, _credit_note_out)


@router.get(f"{R}/credit-notes/{{credit_note_id}}", response={200: CreditNoteOut, **ERRORS})
def credit_note_detail(request, credit_note_id: int = Path(..., ge=1, le=MAX_ID)):
    return _credit_note_fresh(request, _credit_note(request, credit_note_id).pk)


class CreditNoteIn(Schema):
    account_id: int | None = Field(None, ge=1, le=MAX_ID, description="default: the invoice's")
    invoice_id: int | None = Field(None, ge=1, le=MAX_ID, description="empty: on account")
    amount: str = Amount
    currency: str | None = Field(
        None, min_length=3, max_length=3, description="default: the invoice's or account's"
    )
    reason: CreditReason
    memo: str = Field("", max_length=500)
    issue_date: dt.date | None = None


@router.post(f"{R}/credit-notes", response={201: CreditNoteOut, **WRITE_ERRORS})
def credit_note_request(request, payload: CreditNoteIn):
    """Raise a credit note against an invoice or on account. Up to the approval threshold it
    is approved at once; above it waits for finance."""
    invoice = None
    if payload.invoice_id is not None:
        invoice = selectors.invoice_get(user=request.user, invoice_id=payload.invoice_id)
    if payload.account_id is not None:
        account = _account(request, payload.account_id)
    elif invoice is not None:
        account = invoice.account
    else:
        raise errors.AccountMismatch(
            "Say which account (or invoice) the credit is for.", detail={"field": "account_id"}
        )
    currency = payload.currency or (invoice.currency if invoice else account.currency)
    note = services.credit_note_request(
        account=account,
        amount=payload.amount,
        currency=currency,
        reason=payload.reason,
        invoice=invoice,
        memo=_text(payload.memo),
        issue_date=_date(payload.issue_date, "issue_date"),
        by=request.user,
    )
    return Status(201, _credit_note_fresh(request, note.pk))


class NoteIn(Schema):
    note: str = Field("", max_length=500)


@router.post(
    f"{R}/credit-notes/{{credit_note_id}}/approve", response={200: CreditNoteOut, **WRITE_ERRORS}
)
def credit_note_approve(request, payload: NoteIn, credit_note_id: int = Path(..., ge=1, le=MAX_ID)):
    """Finance or admin, not the requester (four eyes: 409 SELF_APPROVAL)."""
    note = _credit_note(request, credit_note_id)
    services.credit_note_approve(credit_note=note, note=_text(payload.note), by=request.user)
    return _credit_note_fresh(request, credit_note_id)


@router.post(
    f"{R}/credit-notes/{{credit_note_id}}/reject", response={200: CreditNoteOut, **WRITE_ERRORS}
)
def credit_note_reject(
    request, payload: ReasonIn, credit_note_id: int = Path(..., ge=1, le=MAX_ID)
):
    note = _credit_note(request, credit_note_id)
    services.credit_note_reject(credit_note=note, reason=_text(payload.reason), by=request.user)
    return _credit_note_fresh(request, credit_note_id)


class ApplyIn(Schema):
    invoice_id: int = Id
    amount: str = Amount


@router.post(
    f"{R}/credit-notes/{{credit_note_id}}/apply",
    response={200: CreditApplicationOut, **WRITE_ERRORS},
)
def credit_note_apply(request, payload: ApplyIn, credit_note_id: int = Path(..., ge=1, le=MAX_ID)):
    """Use an approved credit note's unapplied amount on an invoice of the same account."""
    note = _credit_note(request, credit_note_id)
    invoice = selectors.invoice_get(user=request.user, invoice_id=payload.invoice_id)
    application = services.credit_note_apply(
        credit_note=note, invoice=invoice, amount=payload.amount, by=request.user
    )
    application = CreditApplication.objects.select_related("credit_note").get(pk=application.pk)
    return _application_out(application)


# ---------------------------------------------------------------- refunds


@router.get(f"{R}/refunds", response={200: RefundPage, **ERRORS})
def refund_list(
    request,
    status: CreditStatus | None = None,
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    qs = selectors.refund_list(user=request.user, status=status or "").select_related(
        "requested_by", "decided_by"
    )
    return _page(qs, limit, offset, _refund_out)


def _refund_fresh(request, pk: int) -> dict:
    return _refund_out(
        selectors.refund_list(user=request.user)
        .select_related("requested_by", "decided_by")
        .get(pk=pk)
    )


@router.get(f"{R}/refunds/{{refund_id}}", response={200: RefundOut, **ERRORS})
def refund_detail(request, refund_id: int = Path(..., ge=1, le=MAX_ID)):
    return _refund_fresh(request, selectors.refund_get(user=request.user, refund_id=refund_id).pk)


class RefundIn(Schema):
    payment_id: int | None = Field(None, ge=1, le=MAX_ID, description="refund from a receipt")
    credit_note_id: int | None = Field(None, ge=1, le=MAX_ID, description="or a credit note")
    amount: str = Amount
    reason: str = ReasonText


@router.post(f"{R}/refunds", response={201: RefundOut, **WRITE_ERRORS})
def refund_request(request, payload: RefundIn):
    """Ask finance to pay back an unallocated receipt or unapplied credit (exactly one)."""
    payment = credit_note = None
    if payload.payment_id is not None:
        payment = selectors.payment_get(user=request.user, payment_id=payload.payment_id)
    if payload.credit_note_id is not None:
        credit_note = _credit_note(request, payload.credit_note_id)
    refund = services.refund_request(
        amount=payload.amount,
        reason=_text(payload.reason),
        payment=payment,
        credit_note=credit_note,
        by=request.user,
    )
    return Status(201, _refund_fresh(request, refund.pk))


class RefundApproveIn(NoteIn):
    paid_on: dt.date | None = Field(None, description="default: today")


@router.post(f"{R}/refunds/{{refund_id}}/approve", response={200: RefundOut, **WRITE_ERRORS})
def refund_approve(request, payload: RefundApproveIn, refund_id: int = Path(..., ge=1, le=MAX_ID)):
    refund = selectors.refund_get(user=request.user, refund_id=refund_id)
    services.refund_approve(
        refund=refund,
        paid_on=_date(payload.paid_on, "paid_on"),
        note=_text(payload.note),
        by=request.user,
    )
    return _refund_fresh(request, refund_id)


@router.post(f"{R}/refunds/{{refund_id}}/reject", response={200: RefundOut, **WRITE_ERRORS})
def refund_reject(request, payload: ReasonIn, refund_id: int = Path(..., ge=1, le=MAX_ID)):
    refund = selectors.refund_get(user=request.user, refund_id=refund_id)
    services.refund_reject(refund=refund, reason=_text(payload.reason), by=request.user)
    return _refund_fresh(request, refund_id)


# ---------------------------------------------------------------- write-offs


@router.get(f"{R}/write-offs", response={200: WriteOffPage, **ERRORS})
def write_off_list(
    request,
    status: CreditStatus | None = None,
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    qs = selectors.write_off_list(user=request.user, status=status or "").select_related(
        "requested_by", "decided_by"
    )
    return _page(qs, limit, offset, _write_off_out)


def _write_off_fresh(request, pk: int) -> dict:
    return _write_off_out(
        selectors.write_off_list(user=request.user)
        .select_related("requested_by", "decided_by")
        .get(pk=pk)
    )


@router.get(f"{R}/write-offs/{{write_off_id}}", response={200: WriteOffOut, **ERRORS})
def write_off_detail(request, write_off_id: int = Path(..., ge=1, le=MAX_ID)):
    found = selectors.write_off_get(user=request.user, write_off_id=write_off_id)
    return _write_off_fresh(request, found.pk)


class WriteOffIn(Schema):
    invoice_id: int = Id
    amount: str = Amount
    reason: str = ReasonText


@router.post(f"{R}/write-offs", response={201: WriteOffOut, **WRITE_ERRORS})
def write_off_request(request, payload: WriteOffIn):
    """A small remaining difference, within the write-off tolerance; finance approves."""
    invoice = selectors.invoice_get(user=request.user, invoice_id=payload.invoice_id)
    write_off = services.write_off_request(
        invoice=invoice, amount=payload.amount, reason=_text(payload.reason), by=request.user
    )
    return Status(201, _write_off_fresh(request, write_off.pk))


@router.post(
    f"{R}/write-offs/{{write_off_id}}/approve", response={200: WriteOffOut, **WRITE_ERRORS}
)
def write_off_approve(request, payload: NoteIn, write_off_id: int = Path(..., ge=1, le=MAX_ID)):
    found = selectors.write_off_get(user=request.user, write_off_id=write_off_id)
    services.write_off_approve(write_off=found, note=_text(payload.note), by=request.user)
    return _write_off_fresh(request, write_off_id)


@router.post(f"{R}/write-offs/{{write_off_id}}/reject", response={200: WriteOffOut, **WRITE_ERRORS})
def write_off_reject(request, payload: ReasonIn, write_off_id: int = Path(..., ge=1, le=MAX_ID)):
    found = selectors.write_off_get(user=request.user, write_off_id=write_off_id)
    services.write_off_reject(write_off=found, reason=_text(payload.reason), by=request.user)
    return _write_off_fresh(request, write_off_id)


# ---------------------------------------------------------------- an account's receivables


class LedgerEntryOut(Schema):
    id: int
    posted_on: dt.date
    kind: str
    document_number: str
    amount: MoneyOut = Field(..., description="positive: the customer owes more")


class LedgerPage(Schema):
    items: list[LedgerEntryOut]
    limit: int
    offset: int
    has_more: bool


def _entry_out(e: LedgerEntry) -> dict:
    return {
        "id": e.pk,
        "posted_on": e.posted_on,
        "kind": e.kind,
        "document_number": e.document_number,
        "amount": _money(e.amount, e.currency),
    }


@router.get(f"{R}/accounts/{{account_id}}/ledger", response={200: LedgerPage, **ERRORS})
def account_ledger(
    request,
    account_id: int = Path(..., ge=1, le=MAX_ID),
    currency: str | None = Query(None, min_length=3, max_length=3),
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    """The account's ledger entries in posting order (append-only; reversals are entries)."""
    account = _account(request, account_id)
    qs = selectors.ledger_entries(
        user=request.user,
        account_id=account.pk,
        currency=currency.upper() if currency else None,
        start=start,
        end=end,
    )
    return _page(qs, limit, offset, _entry_out)


class BalanceOut(Schema):
    account_id: int
    on: dt.date | None
    balances: list[MoneyOut] = Field(..., description="per currency; negative: in credit")


@router.get(f"{R}/accounts/{{account_id}}/balance", response={200: BalanceOut, **ERRORS})
def account_balance(
    request,
    account_id: int = Path(..., ge=1, le=MAX_ID),
    on: dt.date | None = AS_OF,
):
    account = _account(request, account_id)
    balances = selectors.account_balance(user=request.user, account_id=account.pk, on=on)
    return {
        "account_id": account.pk,
        "on": on,
        "balances": [_money(v, c) for c, v in balances.items()],
    }


@router.get(f"{R}/accounts/{{account_id}}/open-items", response={200: InvoicePage, **ERRORS})
def account_open_items(
    request,
    account_id: int = Path(..., ge=1, le=MAX_ID),
    limit: int = PageLimit,
    offset: int = PageOffset,
):
    """What the account still owes, oldest due first."""
    account = _account(request, account_id)
    qs = selectors.open_items(user=request.user, account_id=account.pk).select_related("account")
    return _page(qs, limit, offset, _invoice_item)


# ---------------------------------------------------------------- booking report


class ReportRowOut(Schema):
    key: str = Field(..., description="ISO week (2026-W42) or the coordinator's name")
    received: int
    in_time: int
    late: int
    pending: int = Field(..., description="unbooked and still within the limit")
    share_in_time: str | None = Field(None, description="percent of decided receipts")
    median_hours: str | None = Field(None, description="median hours from receipt to booking")


class LateOut(Schema):
    id: int
    number: str
    amount: MoneyOut
    received_at: dt.datetime
    booked_at: dt.datetime | None
    booked_by: str
    hours: str | None


class BookingReportOut(Schema):
    start: dt.date
    end: dt.date
    limit_hours: int
    total: ReportRowOut
    weeks: list[ReportRowOut]
    coordinators: list[ReportRowOut]
    late: list[LateOut]


def _row_out(r: booking.ReportRow) -> dict:
    return {
        "key": r.key,
        "received": r.received,
        "in_time": r.in_time,
        "late": r.late,
        "pending": r.pending,
        "share_in_time": None if r.share is None else str(r.share),
        "median_hours": None if r.median_hours is None else str(r.median_hours),
    }


@router.get(f"{R}/booking-report", response={200: BookingReportOut, **ERRORS})
def booking_report(
    request,
    start: dt.date | None = REPORT_START,
    end: dt.date | None = REPORT_END,
):
    """Share of receipts booked within the limit by ISO week of receipt and by who booked
    them, median hours to book, and the late receipts. Staff roles (403 for others)."""
    end = _date(end, "end") or timezone.localdate()
    start = _date(start, "start") or end - dt.timedelta(weeks=12)
    report = booking.booking_report(user=request.user, start=start, end=end)
    return {
        "start": report.start,
        "end": report.end,
        "limit_hours": report.limit_hours,
        "total": _row_out(report.total),
        "weeks": [_row_out(r) for r in report.weeks],
        "coordinators": [_row_out(r) for r in report.coordinators],
        "late": [
            {
                "id": r.id,
                "number": r.number,
                "amount": _money(r.amount, r.currency),
                "received_at": r.received_at,
                "booked_at": r.booked_at,
                "booked_by": r.booked_by,
                "hours": None if r.hours is None else str(r.hours),
            }
            for r in report.late
        ],
    }


def _mount_sub_routers() -> None:
    """Routers kept beside their feature (documents and aging, reconciliation)."""
    from .api_documents import router as documents_router
    from .reconciliation_api import router as reconciliation_router

    router.add_router("", documents_router)
    router.add_router("/receivables", reconciliation_router)


_mount_sub_routers()
