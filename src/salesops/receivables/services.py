"""Every write in receivables: one function per business act, keyword-only, atomic, audited.

Who may do what:
| act                                                     | roles                          |
| orders, invoices, receipts, booking, allocation, credit | admin, coordinator, finance    |
| notes and refunds requested, write-offs requested       |                                |
| approve / reject credit notes, refunds, write-offs      | admin, finance (not requester) |

Rows that hold an open amount are locked (`select_for_update`, in primary-key order) before
they are read and changed, so two coordinators allocating the same payment at the same moment
cannot over-allocate it: the second waits, re-reads and is refused.

Amounts are exact in the document's currency and must already be in its smallest unit (no
rounding happens here). The one rounding step is the realised FX difference, rounded half-up
to the reporting currency's exponent when an allocation is made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from salesops.core.audit import audit_record, audit_snapshot
from salesops.core.money import Money, UnknownCurrency, currency_check
from salesops.core.scoping import STAFF_ROLES, role_required
from salesops.core.services import number_series_reserve
from salesops.masterdata.models import Account, Product
from salesops.masterdata.selectors import fx_rate_on

from . import errors
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

APPROVER_ROLES = ("admin", "finance")
SERIES = {
    "order": "SO-",
    "invoice": "INV-",
    "payment": "RCP-",
    "credit_note": "CN-",
    "refund": "RF-",
    "write_off": "WO-",
}


def _number(kind: str) -> str:
    return number_series_reserve(name=f"receivables.{kind}", prefix=SERIES[kind])[0]


def _amount(value, currency: str, *, field: str = "amount") -> Decimal:
    """A positive amount already in the currency's smallest unit, or AMOUNT_INVALID."""
    try:
        currency = currency_check(currency)
    except UnknownCurrency as exc:
        raise errors.AmountInvalid(
            str(exc), detail={"field": "currency", "value": currency}
        ) from exc
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        raise errors.AmountInvalid(
            f"{field} must be a positive amount.",
            detail={"field": field, "value": str(value), "valid": "a number above 0"},
        )
    money = Money(amount, currency)
    if money.rounded().amount != amount:
        raise errors.AmountInvalid(
            f"{field} has more decimals than {currency} allows ({money.exponent}).",
            detail={"field": field, "value": str(value), "decimals": money.exponent},
        )
    return amount


def _rate(currency: str, on: dt.date) -> Decimal:
    try:
        return fx_rate_on(base=currency, quote=settings.REPORTING_CURRENCY, on=on)
    except LookupError as exc:
        raise errors.FxRateMissing(
            f"No {currency}/{settings.REPORTING_CURRENCY} rate on or before {on}.",
            detail={"currency": currency, "date": on.isoformat()},
        ) from exc


def _reporting(amount: Decimal, rate: Decimal) -> Decimal:
    return Money(amount * rate, settings.REPORTING_CURRENCY).rounded().amount


def _lock(model, pk: int):
    return model.objects.select_for_update().get(pk=pk)


def _ledger(*, account_id: int, currency: str, posted_on, kind, number, amount, **refs):
    return LedgerEntry.objects.create(
        account_id=account_id,
        currency=currency,
        posted_on=posted_on,
        kind=kind,
        document_number=number,
        amount=amount,
        **refs,
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonRequired("Say why.", detail={"field": "reason"})
    return reason


def _decide(obj, *, by, approve: bool, note: str) -> None:
    role_required(by, *APPROVER_ROLES)
    if obj.status != obj.Status.PENDING:
        raise errors.NotPending(
            f"{obj.number} is {obj.get_status_display()}, not awaiting approval.",
            detail={"status": obj.status},
        )
    if obj.requested_by_id is not None and obj.requested_by_id == by.pk:
        raise errors.SelfApproval("Someone else must approve what you requested.")
    obj.status = obj.Status.APPROVED if approve else obj.Status.REJECTED
    obj.decided_by = by
    obj.decided_at = timezone.now()


def _invoice_settle(invoice: Invoice, delta: Decimal) -> None:
    """Change an invoice's open amount by `delta` (negative clears it) and its status."""
    invoice.open_amount += delta
    invoice.status = Invoice.Status.PAID if invoice.open_amount == 0 else Invoice.Status.OPEN
    invoice.save(update_fields=["open_amount", "status"])


def _open_check(invoice: Invoice, amount: Decimal, exc) -> None:
    if invoice.status == Invoice.Status.REVERSED:
        raise errors.AlreadyReversed(f"Invoice {invoice.number} is reversed.")
    if amount > invoice.open_amount:
        raise exc(
            f"{amount} is more than the {Money(invoice.open_amount, invoice.currency)} still "
            f"open on {invoice.number}.",
            detail={"invoice": invoice.number, "open_amount": str(invoice.open_amount)},
        )


# ---------------------------------------------------------------- orders


@dataclass(frozen=True)
class OrderLineIn:
    quantity: Decimal
    unit_price: Decimal
    requested_date: dt.date
    product: Product | None = None
    description: str = ""
    promised_date: dt.date | None = None


def sales_order_create(
    *,
    account: Account,
    currency: str,
    order_date: dt.date,
    lines: list[OrderLineIn],
    customer_reference: str = "",
    number: str | None = None,
    by,
) -> SalesOrder:
    role_required(by, *STAFF_ROLES)
    currency = currency_check(currency)
    if not lines:
        raise errors.AmountInvalid("An order needs at least one line.", detail={"field": "lines"})
    for i, line in enumerate(lines, 1):
        if Decimal(line.quantity) <= 0 or Decimal(line.unit_price) < 0:
            raise errors.AmountInvalid(
                f"Line {i}: quantity must be above 0 and price not negative.",
                detail={
                    "line": i,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                },
            )
    with transaction.atomic():
        order = SalesOrder.objects.create(
            number=number or _number("order"),
            account=account,
            currency=currency,
            order_date=order_date,
            customer_reference=customer_reference,
            created_by=by,
        )
        SalesOrderLine.objects.bulk_create(
            SalesOrderLine(
                order=order,
                line_no=i,
                product=line.product,
                description=line.description or (line.product.name if line.product else ""),
                quantity=line.quantity,
                unit_price=line.unit_price,
                requested_date=line.requested_date,
                promised_date=line.promised_date,
            )
            for i, line in enumerate(lines, 1)
        )
        audit_record(actor=by, action="sales_order.create", obj=order, after=audit_snapshot(order))
    return order


def sales_order_line_ship(*, line: SalesOrderLine, quantity: Decimal, by) -> SalesOrderLine:
    """Record a shipment against a line; the order's status follows its lines."""
    role_required(by, *STAFF_ROLES)
    quantity = Decimal(quantity)
    with transaction.atomic():
        line = _lock(SalesOrderLine, line.pk)
        if quantity <= 0 or line.shipped_quantity + quantity > line.quantity or line.cancelled:
            raise errors.ShipmentExceedsOrder(
                f"Line {line.line_no}: {quantity} is more than the {line.backlog_quantity} "
                "still to ship.",
                detail={"backlog": str(line.backlog_quantity)},
            )
        before = line.shipped_quantity
        line.shipped_quantity += quantity
        line.save(update_fields=["shipped_quantity"])
        _order_status_refresh(line.order)
        audit_record(
            actor=by,
            action="sales_order.ship",
            obj=line.order,
            before={"line": line.line_no, "shipped": str(before)},
            after={"line": line.line_no, "shipped": str(line.shipped_quantity)},
        )
    return line


def sales_order_cancel(*, order: SalesOrder, reason: str, by) -> SalesOrder:
    """Cancel what has not shipped; shipped lines stay as they are."""
    role_required(by, *STAFF_ROLES)
    reason = _reason(reason)
    with transaction.atomic():
        order = _lock(SalesOrder, order.pk)
        order.lines.filter(shipped_quantity=0).update(cancelled=True)
        before = order.status
        _order_status_refresh(order)
        audit_record(
            actor=by,
            action="sales_order.cancel",
            obj=order,
            before={"status": before},
            after={"status": order.status},
            reason=reason,
        )
    return order


def _order_status_refresh(order: SalesOrder) -> None:
    """An order is open, partly shipped, shipped, or cancelled, as its live lines say."""
    live = [ln for ln in order.lines.all() if not ln.cancelled]
    if not live:
        status = SalesOrder.Status.CANCELLED
    elif all(ln.shipped_quantity >= ln.quantity for ln in live):
        status = SalesOrder.Status.SHIPPED
    elif any(ln.shipped_quantity > 0 for ln in live):
        status = SalesOrder.Status.PARTIAL
    else:
        status = SalesOrder.Status.OPEN
    SalesOrder.objects.filter(pk=order.pk).update(status=status)
    order.status = status


# ---------------------------------------------------------------- invoices


def invoice_due_date(*, account: Account, issue_date: dt.date) -> dt.date:
    """Due date from the account's payment terms (30 days net when it has none)."""
    days = account.payment_term.net_days if account.payment_term_id else 30
    return issue_date + dt.timedelta(days=days)


def invoice_post(
    *,
    account: Account,
    amount,
    currency: str,
    issue_date: dt.date,
    due_date: dt.date | None = None,
    order: SalesOrder | None = None,
    number: str | None = None,
    by,
) -> Invoice:
    role_required(by, *STAFF_ROLES)
    amount = _amount(amount, currency)
    currency = currency.upper()
    if order is not None and order.account_id != account.pk:
        raise errors.AccountMismatch("The order belongs to another account.")
    rate = _rate(currency, issue_date)
    with transaction.atomic():
        invoice = Invoice.objects.create(
            number=number or _number("invoice"),
            account=account,
            order=order,
            currency=currency,
            issue_date=issue_date,
            due_date=due_date or invoice_due_date(account=account, issue_date=issue_date),
            amount=amount,
            open_amount=amount,
            fx_rate=rate,
            created_by=by,
        )
        _ledger(
            account_id=account.pk,
            currency=currency,
            posted_on=issue_date,
            kind=LedgerEntry.Kind.INVOICE,
            number=invoice.number,
            amount=amount,
            invoice=invoice,
        )
        audit_record(actor=by, action="invoice.post", obj=invoice, after=audit_snapshot(invoice))
    return invoice


def invoice_reverse(*, invoice: Invoice, reason: str, on: dt.date | None = None, by) -> Invoice:
    """Cancel an invoice posted in error. Its settlements must be reversed first."""
    role_required(by, *STAFF_ROLES)
    reason = _reason(reason)
    with transaction.atomic():
        invoice = _lock(Invoice, invoice.pk)
        if invoice.status == Invoice.Status.REVERSED:
            raise errors.AlreadyReversed(f"Invoice {invoice.number} is already reversed.")
        if invoice.open_amount != invoice.amount:
            raise errors.InvoiceHasSettlements(
                f"Invoice {invoice.number} has payments, credits or write-offs applied; "
                "reverse those first.",
                detail={"open_amount": str(invoice.open_amount), "amount": str(invoice.amount)},
            )
        invoice.status = Invoice.Status.REVERSED
        invoice.open_amount = Decimal(0)
        invoice.save(update_fields=["status", "open_amount"])
        _ledger(
            account_id=invoice.account_id,
            currency=invoice.currency,
            posted_on=on or timezone.localdate(),
            kind=LedgerEntry.Kind.INVOICE_REVERSAL,
            number=invoice.number,
            amount=-invoice.amount,
            invoice=invoice,
        )
        audit_record(
            actor=by,
            action="invoice.reverse",
            obj=invoice,
            before={"status": "open"},
            after={"status": "reversed"},
            reason=reason,
        )
    return invoice


# ---------------------------------------------------------------- payments


def payment_receive(
    *,
    amount,
    currency: str,
    received_at: dt.datetime | None = None,
    value_date: dt.date | None = None,
    account: Account | None = None,
    reference: str = "",
    payer_name: str = "",
    method: str = Payment.Method.TRANSFER,
    external_ref: str | None = None,
    by,
) -> Payment:
    """Record money received. It is not on the ledger until booked (`payment_book`), which
    must happen within settings.BOOKING_LIMIT_HOURS. Receiving the same `external_ref` again
    returns the first receipt unchanged."""
    role_required(by, *STAFF_ROLES)
    amount = _amount(amount, currency)
    currency = currency.upper()
    if external_ref:
        existing = Payment.objects.filter(external_ref=external_ref).first()
        if existing is not None:
            return existing
    received_at = received_at or timezone.now()
    value_date = value_date or timezone.localdate(received_at)
    rate = _rate(currency, value_date)
    with transaction.atomic():
        payment = Payment.objects.create(
            number=_number("payment"),
            account=account,
            currency=currency,
            amount=amount,
            unallocated_amount=amount,
            received_at=received_at,
            value_date=value_date,
            method=method,
            reference=reference[:140],
            payer_name=payer_name[:140],
            external_ref=external_ref or None,
            fx_rate=rate,
            created_by=by,
        )
        audit_record(actor=by, action="payment.receive", obj=payment, after=audit_snapshot(payment))
    return payment


def payment_book(*, payment: Payment, account: Account | None = None, by) -> Payment:
    """Put a receipt on the customer's ledger: from now on it counts in their balance."""
    role_required(by, *STAFF_ROLES)
    with transaction.atomic():
        payment = _lock(Payment, payment.pk)
        if payment.status != Payment.Status.RECEIVED:
            raise errors.PaymentAlreadyBooked(
                f"Receipt {payment.number} is {payment.get_status_display()}.",
                detail={"status": payment.status},
            )
        account = account or payment.account
        if account is None:
            raise errors.AccountMismatch(
                "Say which account this payment is from.", detail={"field": "account"}
            )
        payment.account = account
        payment.status = Payment.Status.BOOKED
        payment.booked_at = timezone.now()
        payment.booked_by = by
        payment.save(update_fields=["account", "status", "booked_at", "booked_by"])
        _ledger(
            account_id=account.pk,
            currency=payment.currency,
            posted_on=payment.value_date,
            kind=LedgerEntry.Kind.PAYMENT,
            number=payment.number,
            amount=-payment.amount,
            payment=payment,
        )
        audit_record(
            actor=by,
            action="payment.book",
            obj=payment,
            before={"status": "received"},
            after={"status": "booked", "account_id": account.pk},
        )
    return payment


def payment_allocate(*, payment: Payment, invoice: Invoice, amount, by, on: dt.date | None = None):
    """Apply part of a booked payment to an open invoice of the same account and currency.
    What is left of the payment stays on account; what is left of the invoice stays open."""
    role_required(by, *STAFF_ROLES)
    amount = _amount(amount, payment.currency)
    with transaction.atomic():
        payment = _lock(Payment, payment.pk)  # lock order everywhere: payment or credit
        invoice = _lock(Invoice, invoice.pk)  # note first, then the invoice
        if payment.status != Payment.Status.BOOKED:
            raise errors.PaymentNotBooked(
                f"Receipt {payment.number} is {payment.get_status_display()}; book it first.",
                detail={"status": payment.status},
            )
        if payment.account_id != invoice.account_id:
            raise errors.AccountMismatch(
                f"{payment.number} and {invoice.number} belong to different accounts."
            )
        if payment.currency != invoice.currency:
            raise errors.CurrencyMismatch(
                f"{payment.number} is in {payment.currency}, {invoice.number} in "
                f"{invoice.currency}.",
            )
        if amount > payment.unallocated_amount:
            raise errors.AllocationExceedsPayment(
                f"{amount} is more than the {Money(payment.unallocated_amount, payment.currency)} "
                f"left on {payment.number}.",
                detail={"unallocated_amount": str(payment.unallocated_amount)},
            )
        _open_check(invoice, amount, errors.AllocationExceedsOpenAmount)
        payment.unallocated_amount -= amount
        payment.save(update_fields=["unallocated_amount"])
        _invoice_settle(invoice, -amount)
        allocation = Allocation.objects.create(
            payment=payment,
            invoice=invoice,
            amount=amount,
            fx_difference=_reporting(amount, payment.fx_rate) - _reporting(amount, invoice.fx_rate),
            applied_on=on or timezone.localdate(),
            created_by=by,
        )
        audit_record(
            actor=by,
            action="payment.allocate",
            obj=payment,
            after={"invoice": invoice.number, "amount": str(amount), "allocation": allocation.pk},
        )
    return allocation


def allocation_reverse(*, allocation: Allocation, reason: str, by) -> Allocation:
    """Undo an allocation: the invoice opens again by the amount and the payment has it back."""
    role_required(by, *STAFF_ROLES)
    reason = _reason(reason)
    with transaction.atomic():
        payment = _lock(Payment, allocation.payment_id)
        invoice = _lock(Invoice, allocation.invoice_id)
        allocation = Allocation.objects.get(pk=allocation.pk)
        if allocation.reverses_id is not None or hasattr(allocation, "reversed_by"):
            raise errors.AlreadyReversed("This allocation is already reversed or is a reversal.")
        payment.unallocated_amount += allocation.amount
        payment.save(update_fields=["unallocated_amount"])
        _invoice_settle(invoice, allocation.amount)
        reversal = Allocation.objects.create(
            payment=payment,
            invoice=invoice,
            amount=-allocation.amount,
            fx_difference=-allocation.fx_difference,
            applied_on=timezone.localdate(),
            reverses=allocation,
            created_by=by,
        )
        audit_record(
            actor=by,
            action="allocation.reverse",
            obj=payment,
            after={"invoice": invoice.number, "amount": str(-allocation.amount)},
            reason=reason,
        )
    return reversal


def payment_reverse(*, payment: Payment, reason: str, on: dt.date | None = None, by) -> Payment:
    """A returned or mistaken receipt: its allocations are reversed and, if it was booked,
    the ledger gets the opposite entry."""
    role_required(by, *STAFF_ROLES)
    reason = _reason(reason)
    with transaction.atomic():
        payment = _lock(Payment, payment.pk)
        if payment.status == Payment.Status.REVERSED:
            raise errors.AlreadyReversed(f"Receipt {payment.number} is already reversed.")
        if payment.refunds.exclude(status=Refund.Status.REJECTED).exists():
            raise errors.InvoiceHasSettlements(
                f"Receipt {payment.number} has a refund paid or pending; settle that first."
            )
        live = payment.allocations.filter(reverses__isnull=True, reversed_by__isnull=True)
        for allocation in list(live):
            allocation_reverse(allocation=allocation, reason=reason, by=by)
        payment.refresh_from_db()
        was_booked = payment.status == Payment.Status.BOOKED
        payment.status = Payment.Status.REVERSED
        payment.unallocated_amount = Decimal(0)
        payment.save(update_fields=["status", "unallocated_amount"])
        if was_booked:
            _ledger(
                account_id=payment.account_id,
                currency=payment.currency,
                posted_on=on or timezone.localdate(),
                kind=LedgerEntry.Kind.PAYMENT_REVERSAL,
                number=payment.number,
                amount=payment.amount,
                payment=payment,
            )
        audit_record(
            actor=by,
            action="payment.reverse",
            obj=payment,
            after={"status": "reversed"},
            reason=reason,
        )
    return payment


# ---------------------------------------------------------------- credit notes


def credit_note_request(
    *,
    account: Account,
    amount,
    currency: str,
    reason: str,
    invoice: Invoice | None = None,
    memo: str = "",
    issue_date: dt.date | None = None,
    by,
) -> CreditNote:
    """Raise a credit note. Up to settings.CREDIT_NOTE_APPROVAL_ABOVE (reporting currency) it
    is approved at once; above, it waits for finance. Against an invoice, approval applies it
    to that invoice (what exceeds the open amount stays on account)."""
    role_required(by, *STAFF_ROLES)
    amount = _amount(amount, currency)
    currency = currency.upper()
    if reason not in CreditNote.Reason.values:
        raise errors.AmountInvalid(
            f"Unknown reason '{reason}'.",
            detail={"field": "reason", "value": reason, "valid": CreditNote.Reason.values},
        )
    if invoice is not None:
        if invoice.account_id != account.pk:
            raise errors.AccountMismatch(f"Invoice {invoice.number} belongs to another account.")
        if invoice.currency != currency:
            raise errors.CurrencyMismatch(f"Invoice {invoice.number} is in {invoice.currency}.")
        if invoice.status == Invoice.Status.REVERSED:
            raise errors.AlreadyReversed(f"Invoice {invoice.number} is reversed.")
    issue_date = issue_date or timezone.localdate()
    rate = _rate(currency, issue_date)
    with transaction.atomic():
        note = CreditNote.objects.create(
            number=_number("credit_note"),
            account=account,
            invoice=invoice,
            currency=currency,
            amount=amount,
            open_amount=amount,
            reason=reason,
            memo=memo[:500],
            issue_date=issue_date,
            fx_rate=rate,
            requested_by=by,
        )
        audit_record(actor=by, action="credit_note.request", obj=note, after=audit_snapshot(note))
        threshold = Decimal(settings.CREDIT_NOTE_APPROVAL_ABOVE)
        if _reporting(amount, rate) <= threshold:
            note.status = CreditNote.Status.APPROVED
            note.decided_at = timezone.now()
            note.decision_note = "within the approval threshold"
            note.save(update_fields=["status", "decided_at", "decision_note"])
            _credit_note_post(note, by=by)
    return note


def credit_note_approve(*, credit_note: CreditNote, note: str = "", by) -> CreditNote:
    with transaction.atomic():
        credit_note = _lock(CreditNote, credit_note.pk)
        _decide(credit_note, by=by, approve=True, note=note)
        credit_note.decision_note = note[:500]
        credit_note.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=by,
            action="credit_note.approve",
            obj=credit_note,
            before={"status": "pending"},
            after={"status": "approved"},
            reason=note,
        )
        _credit_note_post(credit_note, by=by)
    return credit_note


def credit_note_reject(*, credit_note: CreditNote, reason: str, by) -> CreditNote:
    reason = _reason(reason)
    with transaction.atomic():
        credit_note = _lock(CreditNote, credit_note.pk)
        _decide(credit_note, by=by, approve=False, note=reason)
        credit_note.decision_note = reason[:500]
        credit_note.open_amount = Decimal(0)
        credit_note.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "open_amount"]
        )
        audit_record(
            actor=by,
            action="credit_note.reject",
            obj=credit_note,
            before={"status": "pending"},
            after={"status": "rejected"},
            reason=reason,
        )
    return credit_note


def _credit_note_post(note: CreditNote, *, by) -> None:
    _ledger(
        account_id=note.account_id,
        currency=note.currency,
        posted_on=note.issue_date,
        kind=LedgerEntry.Kind.CREDIT_NOTE,
        number=note.number,
        amount=-note.amount,
        credit_note=note,
    )
    if note.invoice_id is not None:
        invoice = Invoice.objects.select_for_update().get(pk=note.invoice_id)
        applied = min(note.amount, invoice.open_amount)
        if applied > 0 and invoice.status != Invoice.Status.REVERSED:
            credit_note_apply(credit_note=note, invoice=invoice, amount=applied, by=by)


def credit_note_apply(
    *, credit_note: CreditNote, invoice: Invoice, amount, by, on: dt.date | None = None
) -> CreditApplication:
    """Use an approved credit note's unapplied amount to clear (part of) an invoice."""
    role_required(by, *STAFF_ROLES)
    amount = _amount(amount, credit_note.currency)
    with transaction.atomic():
        note = _lock(CreditNote, credit_note.pk)
        invoice = _lock(Invoice, invoice.pk)
        if note.status != CreditNote.Status.APPROVED:
            raise errors.NotPending(
                f"Credit note {note.number} is {note.get_status_display()}; only approved "
                "credit notes can be applied.",
                detail={"status": note.status},
            )
        if note.account_id != invoice.account_id:
            raise errors.AccountMismatch(f"{note.number} and {invoice.number} differ in account.")
        if note.currency != invoice.currency:
            raise errors.CurrencyMismatch(f"{note.number} is in {note.currency}.")
        if amount > note.open_amount:
            raise errors.CreditExceedsOpenAmount(
                f"{amount} is more than the {Money(note.open_amount, note.currency)} left on "
                f"{note.number}.",
                detail={"open_amount": str(note.open_amount)},
            )
        _open_check(invoice, amount, errors.CreditExceedsOpenAmount)
        note.open_amount -= amount
        note.save(update_fields=["open_amount"])
        _invoice_settle(invoice, -amount)
        application = CreditApplication.objects.create(
            credit_note=note,
            invoice=invoice,
            amount=amount,
            applied_on=on or timezone.localdate(),
            created_by=by,
        )
        audit_record(
            actor=by,
            action="credit_note.apply",
            obj=note,
            after={"invoice": invoice.number, "amount": str(amount)},
        )
        credit_note.open_amount = note.open_amount
    return application


def credit_application_reverse(*, application: CreditApplication, reason: str, by):
    role_required(by, *STAFF_ROLES)
    reason = _reason(reason)
    with transaction.atomic():
        note = _lock(CreditNote, application.credit_note_id)
        invoice = _lock(Invoice, application.invoice_id)
        application = CreditApplication.objects.get(pk=application.pk)
        if application.reverses_id is not None or hasattr(application, "reversed_by"):
            raise errors.AlreadyReversed("This credit application is already reversed.")
        note.open_amount += application.amount
        note.save(update_fields=["open_amount"])
        _invoice_settle(invoice, application.amount)
        reversal = CreditApplication.objects.create(
            credit_note=note,
            invoice=invoice,
            amount=-application.amount,
            applied_on=timezone.localdate(),
            reverses=application,
            created_by=by,
        )
        audit_record(
            actor=by,
            action="credit_application.reverse",
            obj=note,
            after={"invoice": invoice.number, "amount": str(-application.amount)},
            reason=reason,
        )
    return reversal


# ---------------------------------------------------------------- refunds and write-offs
# A request checks what is available now; approval checks again under lock and only then
# moves money, so a pending request never changes a balance.


def _refund_source_lock(*, payment_id: int | None, credit_note_id: int | None):
    """Lock the payment or credit note a refund comes from; returns it and its open field."""
    if payment_id:
        source = _lock(Payment, payment_id)
        if source.status != Payment.Status.BOOKED:
            raise errors.PaymentNotBooked(f"Receipt {source.number} is not booked.")
        return source, "unallocated_amount"
    source = _lock(CreditNote, credit_note_id)
    if source.status != CreditNote.Status.APPROVED:
        raise errors.NotPending(f"Credit note {source.number} is not approved.")
    return source, "open_amount"


def _refund_available_check(source, field: str, amount: Decimal) -> None:
    available = getattr(source, field)
    if amount > available:
        raise errors.RefundExceedsAvailable(
            f"{amount} is more than the {Money(available, source.currency)} available on "
            f"{source.number}.",
            detail={"available": str(available)},
        )


def refund_request(
    *,
    amount,
    reason: str,
    payment: Payment | None = None,
    credit_note: CreditNote | None = None,
    by,
) -> Refund:
    """Ask finance to pay back (part of) an unallocated payment or an unapplied credit note."""
    role_required(by, *STAFF_ROLES)
    reason = _reason(reason)
    if (payment is None) == (credit_note is None):
        raise errors.AmountInvalid("Refund from exactly one payment or credit note.")
    amount = _amount(amount, (payment or credit_note).currency)
    with transaction.atomic():
        source, field = _refund_source_lock(
            payment_id=payment and payment.pk, credit_note_id=credit_note and credit_note.pk
        )
        _refund_available_check(source, field, amount)
        refund = Refund.objects.create(
            number=_number("refund"),
            account_id=source.account_id,
            payment=payment,
            credit_note=credit_note,
            currency=source.currency,
            amount=amount,
            reason=reason[:500],
            requested_by=by,
        )
        audit_record(actor=by, action="refund.request", obj=refund, after=audit_snapshot(refund))
    return refund


def refund_approve(*, refund: Refund, paid_on: dt.date | None = None, note: str = "", by):
    """Approve and pay out: the amount leaves the payment or credit note and the ledger shows
    the money going back to the customer."""
    with transaction.atomic():
        source, field = _refund_source_lock(
            payment_id=refund.payment_id, credit_note_id=refund.credit_note_id
        )
        refund = _lock(Refund, refund.pk)
        _decide(refund, by=by, approve=True, note=note)
        _refund_available_check(source, field, refund.amount)
        setattr(source, field, getattr(source, field) - refund.amount)
        source.save(update_fields=[field])
        refund.decision_note = note[:500]
        refund.paid_on = paid_on or timezone.localdate()
        refund.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "paid_on"]
        )
        _ledger(
            account_id=refund.account_id,
            currency=refund.currency,
            posted_on=refund.paid_on,
            kind=LedgerEntry.Kind.REFUND,
            number=refund.number,
            amount=refund.amount,
            refund=refund,
        )
        audit_record(
            actor=by,
            action="refund.approve",
            obj=refund,
            before={"status": "pending"},
            after={"status": "approved"},
            reason=note,
        )
    return refund


def refund_reject(*, refund: Refund, reason: str, by) -> Refund:
    reason = _reason(reason)
    with transaction.atomic():
        refund = _lock(Refund, refund.pk)
        _decide(refund, by=by, approve=False, note=reason)
        refund.decision_note = reason[:500]
        refund.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=by,
            action="refund.reject",
            obj=refund,
            before={"status": "pending"},
            after={"status": "rejected"},
            reason=reason,
        )
    return refund


def _write_off_check(invoice: Invoice, amount: Decimal) -> None:
    tolerance = Decimal(settings.WRITE_OFF_TOLERANCE)
    if _reporting(amount, invoice.fx_rate) > tolerance:
        raise errors.WriteOffAboveTolerance(
            f"Write-offs are allowed up to {tolerance} {settings.REPORTING_CURRENCY}; use a "
            "credit note for more.",
            detail={"tolerance": str(tolerance), "currency": settings.REPORTING_CURRENCY},
        )
    _open_check(invoice, amount, errors.AllocationExceedsOpenAmount)


def write_off_request(*, invoice: Invoice, amount, reason: str, by) -> WriteOff:
    """Ask to clear a small remaining difference on an invoice, within
    settings.WRITE_OFF_TOLERANCE (reporting currency); larger ones need a credit note."""
    role_required(by, *STAFF_ROLES)
    reason = _reason(reason)
    amount = _amount(amount, invoice.currency)
    with transaction.atomic():
        invoice = _lock(Invoice, invoice.pk)
        _write_off_check(invoice, amount)
        write_off = WriteOff.objects.create(
            number=_number("write_off"),
            invoice=invoice,
            amount=amount,
            reason=reason[:500],
            requested_by=by,
        )
        audit_record(
            actor=by, action="write_off.request", obj=write_off, after=audit_snapshot(write_off)
        )
    return write_off


def write_off_approve(*, write_off: WriteOff, note: str = "", by) -> WriteOff:
    with transaction.atomic():
        invoice = _lock(Invoice, write_off.invoice_id)
        write_off = _lock(WriteOff, write_off.pk)
        _decide(write_off, by=by, approve=True, note=note)
        _write_off_check(invoice, write_off.amount)
        _invoice_settle(invoice, -write_off.amount)
        write_off.applied_on = timezone.localdate()
        write_off.save(update_fields=["status", "decided_by", "decided_at", "applied_on"])
        _ledger(
            account_id=invoice.account_id,
            currency=invoice.currency,
            posted_on=write_off.applied_on,
            kind=LedgerEntry.Kind.WRITE_OFF,
            number=write_off.number,
            amount=-write_off.amount,
            write_off=write_off,
        )
        audit_record(
            actor=by,
            action="write_off.approve",
            obj=write_off,
            before={"status": "pending"},
            after={"status": "approved"},
            reason=note,
        )
    return write_off


def write_off_reject(*, write_off: WriteOff, reason: str, by) -> WriteOff:
    reason = _reason(reason)
    with transaction.atomic():
        write_off = _lock(WriteOff, write_off.pk)
        _decide(write_off, by=by, approve=False, note=reason)
        write_off.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=by,
            action="write_off.reject",
            obj=write_off,
            before={"status": "pending"},
            after={"status": "rejected"},
            reason=reason,
        )
    return write_off
