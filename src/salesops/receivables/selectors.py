"""Reads of receivables, each taking the user first and scoped like accounts: a rep sees the
records of accounts they own, a manager their subtree's, a partner their own account's.
Something outside the scope is reported as not found, exactly like something that does not
exist."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from salesops.core.aggregates import MoneySum
from salesops.core.scoping import scope_for
from salesops.masterdata.models import Account
from salesops.masterdata.selectors import account_scope_q

from . import errors
from .models import (
    Allocation,
    CreditNote,
    Invoice,
    LedgerEntry,
    Payment,
    Refund,
    SalesOrder,
    SalesOrderLine,
    WriteOff,
)


def account_ids_q(*, user, field: str = "account_id") -> Q:
    """A filter on `field` (an account id) that keeps only the user's accounts."""
    scope = scope_for(user)
    if scope.kind == "all":
        return Q()
    if scope.kind == "account":
        return Q(**{field: scope.account_id})
    if scope.kind == "none":
        return Q(pk__in=[])
    return Q(**{f"{field}__in": Account.objects.filter(account_scope_q(scope)).values("pk")})


def _scoped(qs: QuerySet, *, user, field: str = "account_id") -> QuerySet:
    return qs.filter(account_ids_q(user=user, field=field))


def _get(qs: QuerySet, pk: int, exc):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise exc("Not found, or not yours to see.", detail={"id": pk})
    return obj


# ---------------------------------------------------------------- order board


def order_list(*, user, account_id: int | None = None, open_only: bool = False):
    qs = _scoped(SalesOrder.objects.select_related("account"), user=user)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if open_only:
        qs = qs.filter(status__in=[SalesOrder.Status.OPEN, SalesOrder.Status.PARTIAL])
    return qs.order_by("-order_date", "-id")


def order_get(*, user, order_id: int) -> SalesOrder:
    return _get(order_list(user=user), order_id, errors.OrderNotFound)


def order_board_lines(*, user, account_id: int | None = None) -> QuerySet[SalesOrderLine]:
    """Open order lines (something still to ship), by promised or requested date."""
    qs = SalesOrderLine.objects.select_related("order", "order__account", "product").filter(
        account_ids_q(user=user, field="order__account_id"),
        order__status__in=[SalesOrder.Status.OPEN, SalesOrder.Status.PARTIAL],
        cancelled=False,
        shipped_quantity__lt=F("quantity"),
    )
    if account_id:
        qs = qs.filter(order__account_id=account_id)
    return qs.order_by("order__account_id", "requested_date", "order__number", "line_no")


# ---------------------------------------------------------------- open items


def invoice_list(
    *,
    user,
    account_id: int | None = None,
    status: str = "",
    overdue_on: dt.date | None = None,
) -> QuerySet[Invoice]:
    qs = _scoped(Invoice.objects.select_related("account"), user=user)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if status:
        qs = qs.filter(status=status)
    if overdue_on:
        qs = qs.filter(status=Invoice.Status.OPEN, due_date__lt=overdue_on)
    return qs.order_by("-issue_date", "-id")


def invoice_get(*, user, invoice_id: int) -> Invoice:
    return _get(invoice_list(user=user), invoice_id, errors.InvoiceNotFound)


def open_items(*, user, account_id: int) -> QuerySet[Invoice]:
    """What the account still owes, oldest due first."""
    return (
        _scoped(Invoice.objects.all(), user=user)
        .filter(account_id=account_id, status=Invoice.Status.OPEN)
        .order_by("due_date", "id")
    )


def payment_list(
    *, user, account_id: int | None = None, status: str = "", since: dt.date | None = None
) -> QuerySet[Payment]:
    qs = _scoped(Payment.objects.select_related("account", "booked_by"), user=user)
    scope = scope_for(user)
    if scope.kind != "all":
        qs = qs.exclude(status=Payment.Status.RECEIVED)  # unbooked receipts are internal
    if account_id:
        qs = qs.filter(account_id=account_id)
    if status:
        qs = qs.filter(status=status)
    if since:
        qs = qs.filter(value_date__gte=since)
    return qs.order_by("-received_at", "-id")


def payment_get(*, user, payment_id: int) -> Payment:
    return _get(payment_list(user=user), payment_id, errors.PaymentNotFound)


def receipts_unbooked(*, user) -> QuerySet[Payment]:
    """Receipts not yet booked, the oldest (least time left) first. Staff only."""
    if scope_for(user).kind != "all":
        return Payment.objects.none()
    return Payment.objects.filter(status=Payment.Status.RECEIVED).order_by("received_at", "id")


def booking_deadline(payment: Payment) -> dt.datetime:
    from django.conf import settings

    return payment.received_at + dt.timedelta(hours=settings.BOOKING_LIMIT_HOURS)


def booking_time_left(payment: Payment, *, now: dt.datetime | None = None) -> dt.timedelta:
    return booking_deadline(payment) - (now or timezone.now())


def credit_note_list(*, user, account_id: int | None = None, status: str = ""):
    qs = _scoped(CreditNote.objects.select_related("account", "invoice"), user=user)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-issue_date", "-id")


def credit_note_get(*, user, credit_note_id: int) -> CreditNote:
    return _get(credit_note_list(user=user), credit_note_id, errors.CreditNoteNotFound)


def refund_list(*, user, status: str = "") -> QuerySet[Refund]:
    qs = _scoped(Refund.objects.select_related("account", "payment", "credit_note"), user=user)
    return (qs.filter(status=status) if status else qs).order_by("-created_at", "-id")


def write_off_list(*, user, status: str = "") -> QuerySet[WriteOff]:
    qs = _scoped(
        WriteOff.objects.select_related("invoice", "invoice__account"),
        user=user,
        field="invoice__account_id",
    )
    return (qs.filter(status=status) if status else qs).order_by("-created_at", "-id")


# ---------------------------------------------------------------- balances and ledger


def ledger_entries(
    *,
    user,
    account_id: int,
    currency: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[LedgerEntry]:
    qs = _scoped(LedgerEntry.objects.all(), user=user).filter(account_id=account_id)
    if currency:
        qs = qs.filter(currency=currency)
    if start:
        qs = qs.filter(posted_on__gte=start)
    if end:
        qs = qs.filter(posted_on__lte=end)
    return qs.order_by("posted_on", "id")


def account_balance(*, user, account_id: int, on: dt.date | None = None) -> dict[str, Decimal]:
    """The account's balance per currency from its ledger (what it owes; negative: credit)."""
    qs = ledger_entries(user=user, account_id=account_id, end=on)
    rows = qs.values("currency").annotate(total=MoneySum("amount")).order_by("currency")
    return {r["currency"]: r["total"] for r in rows}


def account_open_items_total(*, account_id: int) -> dict[str, Decimal]:
    """Open invoices less unallocated payments and unapplied credit: what the open items say
    the account owes, per currency. Equals account_balance; the invariant tests prove it."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for currency, total in (
        Invoice.objects.filter(account_id=account_id, status=Invoice.Status.OPEN)
        .values_list("currency")
        .annotate(MoneySum("open_amount"))
    ):
        out[currency] += total
    for currency, total in (
        Payment.objects.filter(account_id=account_id, status=Payment.Status.BOOKED)
        .values_list("currency")
        .annotate(MoneySum("unallocated_amount"))
    ):
        out[currency] -= total
    for currency, total in (
        CreditNote.objects.filter(account_id=account_id, status=CreditNote.Status.APPROVED)
        .values_list("currency")
        .annotate(MoneySum("open_amount"))
    ):
        out[currency] -= total
    return {c: v for c, v in sorted(out.items())}


# ---------------------------------------------------------------- single records (the desk)


def refund_get(*, user, refund_id: int) -> Refund:
    return _get(refund_list(user=user), refund_id, errors.RefundNotFound)


def write_off_get(*, user, write_off_id: int) -> WriteOff:
    return _get(write_off_list(user=user), write_off_id, errors.WriteOffNotFound)


def allocation_get(*, user, allocation_id: int) -> Allocation:
    """An allocation whose payment the user may see."""
    qs = Allocation.objects.select_related("payment", "invoice").filter(
        payment__in=payment_list(user=user).values("pk")
    )
    return _get(qs, allocation_id, errors.AllocationNotFound)


def order_line_get(*, user, order_id: int, line_id: int) -> SalesOrderLine:
    order = order_get(user=user, order_id=order_id)
    line = order.lines.filter(pk=line_id).first()
    if line is None:
        raise errors.OrderNotFound("No such line on this order.", detail={"line_id": line_id})
    return line


def approvals_pending(*, user) -> dict[str, QuerySet]:
    """Credit notes, refunds and write-offs awaiting a decision, oldest first. Finance and
    admins only (others get empty lists): these are what the approvals page offers."""
    if scope_for(user).kind != "all" or not (
        user.is_superuser or user.role in ("admin", "finance")
    ):
        return {
            "credit_notes": CreditNote.objects.none(),
            "refunds": Refund.objects.none(),
            "write_offs": WriteOff.objects.none(),
        }
    return {
        "credit_notes": CreditNote.objects.select_related("account", "invoice", "requested_by")
        .filter(status=CreditNote.Status.PENDING)
        .order_by("created_at", "id"),
        "refunds": Refund.objects.select_related(
            "account", "payment", "credit_note", "requested_by"
        )
        .filter(status=Refund.Status.PENDING)
        .order_by("created_at", "id"),
        "write_offs": WriteOff.objects.select_related("invoice", "invoice__account", "requested_by")
        .filter(status=WriteOff.Status.PENDING)
        .order_by("created_at", "id"),
    }
