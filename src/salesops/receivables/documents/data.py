"""The numbers of each document, as plain dataclasses: the web page, the PDF, the XLSX and the
partner portal render these and nothing else, so they always show the same figures.

Amounts are exact Decimals in the document's currency; one section per currency the account
has used. No language here: labels are chosen by the renderers (documents/layout.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from salesops.core.aggregates import MoneySum
from salesops.masterdata.models import Account

from .. import aging
from ..models import Allocation, LedgerEntry, Payment, SalesOrder, SalesOrderLine

ZERO = Decimal(0)


@dataclass(frozen=True)
class AccountInfo:
    id: int
    number: str
    name: str
    currency: str
    salesforce_id: str = ""


# ---------------------------------------------------------------- statement


@dataclass(frozen=True)
class StatementLine:
    posted_on: dt.date
    kind: str  # LedgerEntry.Kind value
    document_number: str
    due_date: dt.date | None
    amount: Decimal  # signed: + the customer owes more
    balance: Decimal  # running balance after this line

    @property
    def debit(self) -> Decimal | None:
        return self.amount if self.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.amount if self.amount < 0 else None


@dataclass(frozen=True)
class OpenItemLine:
    kind: str  # invoice | payment | credit_note
    number: str
    doc_date: dt.date
    due_date: dt.date
    days_past_due: int
    open_amount: Decimal


@dataclass(frozen=True)
class StatementSection:
    currency: str
    opening: Decimal
    lines: tuple[StatementLine, ...]
    closing: Decimal
    total_debit: Decimal
    total_credit: Decimal
    open_items: tuple[OpenItemLine, ...]
    aging: tuple[Decimal, ...]  # one per bucket (not due, 1-30, ...)
    aging_credit: Decimal  # unallocated payments and unapplied credit (negative)
    aging_total: Decimal  # = closing


@dataclass(frozen=True)
class Statement:
    kind = "statement"
    account: AccountInfo
    start: dt.date
    end: dt.date
    buckets: tuple[aging.Bucket, ...]
    sections: tuple[StatementSection, ...]


# ---------------------------------------------------------------- payment sheet


@dataclass(frozen=True)
class PaymentApplication:
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class PaymentLine:
    number: str
    value_date: dt.date
    method: str
    reference: str
    status: str
    amount: Decimal
    applications: tuple[PaymentApplication, ...]
    refunded: Decimal
    unallocated: Decimal  # on account at the end of the period


@dataclass(frozen=True)
class PaymentSection:
    currency: str
    payments: tuple[PaymentLine, ...]
    total_received: Decimal
    total_allocated: Decimal
    total_refunded: Decimal
    total_unallocated: Decimal


@dataclass(frozen=True)
class PaymentSheet:
    kind = "payment_sheet"
    account: AccountInfo
    start: dt.date
    end: dt.date
    sections: tuple[PaymentSection, ...]


# ---------------------------------------------------------------- order board


@dataclass(frozen=True)
class OrderBoardLine:
    order_number: str
    order_date: dt.date
    customer_reference: str
    line_no: int
    product_sku: str
    product_name: str
    quantity: Decimal
    shipped_quantity: Decimal
    backlog_quantity: Decimal
    unit_price: Decimal
    backlog_value: Decimal
    requested_date: dt.date
    promised_date: dt.date | None
    late: bool  # promised (or requested) date before the as-of date


@dataclass(frozen=True)
class OrderBoardSection:
    currency: str
    lines: tuple[OrderBoardLine, ...]
    total_backlog_quantity: Decimal
    total_backlog_value: Decimal
    late_backlog_value: Decimal


@dataclass(frozen=True)
class OrderBoard:
    kind = "order_board"
    account: AccountInfo
    start: dt.date
    end: dt.date  # the as-of date
    sections: tuple[OrderBoardSection, ...]


Document = Statement | PaymentSheet | OrderBoard


def account_info(account: Account) -> AccountInfo:
    return AccountInfo(
        account.pk, account.number, account.name, account.currency, account.salesforce_id or ""
    )


# ---------------------------------------------------------------- builders


def statement_build(account: Account, start: dt.date, end: dt.date) -> Statement:
    """Opening balance (everything posted before `start`), every ledger entry posted from
    `start` to `end` with the running balance, the closing balance, and the open items on `end`
    with their aging. closing = opening + the period's entries = account_balance(on=end) =
    the open items' total, per currency."""
    openings = {
        c: t
        for c, t in LedgerEntry.objects.filter(account_id=account.pk, posted_on__lt=start)
        .values_list("currency")
        .annotate(MoneySum("amount"))
    }
    entries = list(
        LedgerEntry.objects.filter(account_id=account.pk, posted_on__gte=start, posted_on__lte=end)
        .select_related("invoice")
        .order_by("posted_on", "id")
    )
    items = aging.open_items_as_of(as_of=end, account_q=Q(pk=account.pk))
    aged = aging.age_open_items(items, as_of=end)
    currencies = sorted(set(openings) | {e.currency for e in entries} | {i.currency for i in items})
    if not currencies:
        currencies = [account.currency]
    bucket_list = tuple(aging.buckets())
    sections = []
    for cur in currencies:
        balance = opening = openings.get(cur, ZERO)
        lines = []
        debit = credit = ZERO
        for e in entries:
            if e.currency != cur:
                continue
            balance += e.amount
            if e.amount > 0:
                debit += e.amount
            else:
                credit -= e.amount
            due = e.invoice.due_date if e.invoice_id and e.kind == "invoice" else None
            lines.append(
                StatementLine(e.posted_on, e.kind, e.document_number, due, e.amount, balance)
            )
        cur_items = [i for i in items if i.currency == cur]
        a = aged.get((account.pk, cur))
        n = len(bucket_list)
        sections.append(
            StatementSection(
                currency=cur,
                opening=opening,
                lines=tuple(lines),
                closing=balance,
                total_debit=debit,
                total_credit=credit,
                open_items=tuple(
                    OpenItemLine(
                        i.kind,
                        i.number,
                        i.doc_date,
                        i.due_date,
                        i.days_past_due(end),
                        i.open_amount,
                    )
                    for i in cur_items
                ),
                aging=tuple(a.buckets) if a else (ZERO,) * n,
                aging_credit=a.credit if a else ZERO,
                aging_total=a.total if a else ZERO,
            )
        )
    return Statement(account_info(account), start, end, bucket_list, tuple(sections))


def payment_sheet_build(account: Account, start: dt.date, end: dt.date) -> PaymentSheet:
    """Payments booked for the account with a value date from `start` to `end`, each with the
    invoices it paid (net allocations applied on or before `end`; an allocation and its
    reversal cancel out) and what was left on account at `end`."""
    payments = list(
        Payment.objects.filter(
            account_id=account.pk,
            booked_at__isnull=False,
            value_date__gte=start,
            value_date__lte=end,
        ).order_by("value_date", "id")
    )
    ids = [p.pk for p in payments]
    applied: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    invoices = {}
    for a in Allocation.objects.filter(payment_id__in=ids, applied_on__lte=end).select_related(
        "invoice"
    ):
        applied[a.payment_id][a.invoice_id] += a.amount
        invoices[a.invoice_id] = a.invoice
    refunded: dict[int, Decimal] = defaultdict(Decimal)
    for pid, total in (
        LedgerEntry.objects.filter(kind="refund", refund__payment_id__in=ids, posted_on__lte=end)
        .values_list("refund__payment_id")
        .annotate(MoneySum("amount"))
    ):
        refunded[pid] = total
    reversed_by_end = set(
        LedgerEntry.objects.filter(
            kind="payment_reversal", payment_id__in=ids, posted_on__lte=end
        ).values_list("payment_id", flat=True)
    )
    by_cur: dict[str, list[PaymentLine]] = defaultdict(list)
    for p in payments:
        apps = tuple(
            PaymentApplication(
                invoices[iid].number, invoices[iid].issue_date, invoices[iid].due_date, amt
            )
            for iid, amt in sorted(applied[p.pk].items(), key=lambda kv: invoices[kv[0]].number)
            if amt != 0
        )
        allocated = sum((x.amount for x in apps), ZERO)
        is_reversed = p.pk in reversed_by_end
        unallocated = ZERO if is_reversed else p.amount - allocated - refunded[p.pk]
        by_cur[p.currency].append(
            PaymentLine(
                number=p.number,
                value_date=p.value_date,
                method=p.method,
                reference=p.reference,
                status="reversed" if is_reversed else "booked",
                amount=p.amount,
                applications=apps,
                refunded=refunded[p.pk],
                unallocated=unallocated,
            )
        )
    sections = []
    for cur in sorted(by_cur) or [account.currency]:
        lines = by_cur.get(cur, [])
        live = [x for x in lines if x.status == "booked"]
        sections.append(
            PaymentSection(
                currency=cur,
                payments=tuple(lines),
                total_received=sum((x.amount for x in live), ZERO),
                total_allocated=sum((a.amount for x in live for a in x.applications), ZERO),
                total_refunded=sum((x.refunded for x in live), ZERO),
                total_unallocated=sum((x.unallocated for x in live), ZERO),
            )
        )
    return PaymentSheet(account_info(account), start, end, tuple(sections))


def order_board_build(account: Account, start: dt.date | None, end: dt.date) -> OrderBoard:
    """Order lines with something still to ship, of orders placed on or before `end` (the
    as-of date) and not cancelled. Shipments carry no date in the order model, so shipped
    quantities are today's: for a past date this is today's backlog of the orders that
    existed then."""
    qs = (
        SalesOrderLine.objects.select_related("order", "product")
        .filter(
            order__account_id=account.pk,
            order__status__in=[SalesOrder.Status.OPEN, SalesOrder.Status.PARTIAL],
            order__order_date__lte=end,
            cancelled=False,
        )
        .order_by("order__currency", "requested_date", "order__number", "line_no")
    )
    by_cur: dict[str, list[OrderBoardLine]] = defaultdict(list)
    for line in qs:
        backlog = line.backlog_quantity
        if backlog <= 0:
            continue
        due = line.promised_date or line.requested_date
        by_cur[line.order.currency].append(
            OrderBoardLine(
                order_number=line.order.number,
                order_date=line.order.order_date,
                customer_reference=line.order.customer_reference,
                line_no=line.line_no,
                product_sku=line.product.sku if line.product else "",
                product_name=(line.product.name if line.product else "") or line.description,
                quantity=line.quantity,
                shipped_quantity=line.shipped_quantity,
                backlog_quantity=backlog,
                unit_price=line.unit_price,
                backlog_value=line.backlog_value,
                requested_date=line.requested_date,
                promised_date=line.promised_date,
                late=due < end,
            )
        )
    sections = []
    for cur in sorted(by_cur) or [account.currency]:
        lines = by_cur.get(cur, [])
        sections.append(
            OrderBoardSection(
                currency=cur,
                lines=tuple(lines),
                total_backlog_quantity=sum((x.backlog_quantity for x in lines), ZERO),
                total_backlog_value=sum((x.backlog_value for x in lines), ZERO),
                late_backlog_value=sum((x.backlog_value for x in lines if x.late), ZERO),
            )
        )
    return OrderBoard(account_info(account), start or end, end, tuple(sections))


BUILDERS = {
    "statement": statement_build,
    "payment_sheet": payment_sheet_build,
    "order_board": order_board_build,
}
