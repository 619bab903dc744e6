"""One layout per document, shared by the HTML, PDF and XLSX renderers: titles, labels (in the
active language), columns and the raw values (Decimal, date, str). Each renderer formats the
raw values its own way: HTML and PDF as text for the language, XLSX as numbers and dates with
a number format, so a spreadsheet can add them up.

Call `layout(document)` inside `translation.override(lang)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salesops.core.money import currency_exponent

from ..models import LedgerEntry, Payment
from . import data as d

TEXT, DATE, MONEY, QTY, INT = "text", "date", "money", "qty", "int"


@dataclass
class Column:
    label: str
    kind: str = TEXT
    width: float = 1.0  # relative


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[tuple] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)  # per row: "", "sub", "group", "total", "late"

    def add(self, row: tuple, style: str = "") -> None:
        self.rows.append(row)
        self.styles.append(style)


@dataclass
class Part:
    """One currency of a document."""

    heading: str
    currency: str
    exponent: int
    summary: list[tuple[str, object, str]]  # (label, value, kind)
    tables: list[Table]


@dataclass
class Layout:
    kind: str
    title: str
    meta: list[tuple[str, str]]  # (label, text)
    parts: list[Part]
    landscape: bool = False
    note: str = ""


def fmt(value, kind: str, exponent: int = 2) -> str:
    """A raw value as text for the active language."""
    if value is None or value == "":
        return ""
    if kind == DATE and isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if kind == MONEY:
        return formats.number_format(value, exponent, use_l10n=True, force_grouping=True)
    if kind == QTY:
        places = max(0, -Decimal(value).normalize().as_tuple().exponent)
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)
    if kind == INT:
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    return str(value)


def bucket_label(b) -> str:
    if b.low is None:
        return _("Not due")
    if b.high is None:
        return _("Over %(days)s days") % {"days": b.low - 1}
    return _("%(low)s–%(high)s days") % {"low": b.low, "high": b.high}


def _kind_label(kind: str) -> str:
    try:
        return str(LedgerEntry.Kind(kind).label)
    except ValueError:
        return kind


_ITEM_KINDS = {"invoice": "invoice", "payment": "payment", "credit_note": "credit_note"}


def _account_meta(doc) -> list[tuple[str, str]]:
    return [
        (_("Account"), f"{doc.account.number}  {doc.account.name}"),
    ]


def _period(doc) -> tuple[str, str]:
    return (_("Period"), f"{fmt(doc.start, DATE)} – {fmt(doc.end, DATE)}")


def statement_layout(doc: d.Statement) -> Layout:
    parts = []
    for s in doc.sections:
        exp = currency_exponent(s.currency)
        entries = Table(
            _("Entries"),
            [
                Column(_("Date"), DATE, 1.1),
                Column(_("Type"), TEXT, 1.4),
                Column(_("Document"), TEXT, 1.4),
                Column(_("Due date"), DATE, 1.1),
                Column(_("Debit"), MONEY, 1.3),
                Column(_("Credit"), MONEY, 1.3),
                Column(_("Balance"), MONEY, 1.4),
            ],
        )
        entries.add((doc.start, _("Opening balance"), "", None, None, None, s.opening), "total")
        for line in s.lines:
            entries.add(
                (
                    line.posted_on,
                    _kind_label(line.kind),
                    line.document_number,
                    line.due_date,
                    line.debit,
                    line.credit,
                    line.balance,
                )
            )
        entries.add(
            (doc.end, _("Closing balance"), "", None, s.total_debit, s.total_credit, s.closing),
            "total",
        )
        aging_cols = [Column(bucket_label(b), MONEY) for b in doc.buckets]
        aging_cols += [Column(_("On account"), MONEY), Column(_("Total"), MONEY)]
        aging_t = Table(_("Aging on %(date)s") % {"date": fmt(doc.end, DATE)}, aging_cols)
        aging_t.add((*s.aging, s.aging_credit, s.aging_total), "total")
        items = Table(
            _("Open items on %(date)s") % {"date": fmt(doc.end, DATE)},
            [
                Column(_("Type"), TEXT, 1.3),
                Column(_("Document"), TEXT, 1.4),
                Column(_("Date"), DATE, 1.1),
                Column(_("Due date"), DATE, 1.1),
                Column(_("Days past due"), INT, 1.0),
                Column(_("Open amount"), MONEY, 1.4),
            ],
        )
        for i in s.open_items:
            items.add(
                (
                    _kind_label(i.kind),
                    i.number,
                    i.doc_date,
                    i.due_date,
                    i.days_past_due if i.kind == "invoice" and i.days_past_due > 0 else None,
                    i.open_amount,
                ),
                "late" if i.kind == "invoice" and i.days_past_due > 0 else "",
            )
        items.add((_("Total"), "", None, None, None, s.aging_total), "total")
        parts.append(
            Part(
                s.currency,
                s.currency,
                exp,
                [
                    (_("Opening balance"), s.opening, MONEY),
                    (_("Debits"), s.total_debit, MONEY),
                    (_("Credits"), s.total_credit, MONEY),
                    (_("Closing balance"), s.closing, MONEY),
                ],
                [entries, aging_t, items],
            )
        )
    return Layout(
        "statement",
        _("Account statement"),
        [*_account_meta(doc), _period(doc)],
        parts,
        note=_(
            "Positive amounts are owed to us; negative amounts are credit in your favour. "
            "On account: payments not yet matched to an invoice and unapplied credit."
        ),
    )


def _method_label(method: str) -> str:
    try:
        return str(Payment.Method(method).label)
    except ValueError:
        return method


def payment_sheet_layout(doc: d.PaymentSheet) -> Layout:
    parts = []
    for s in doc.sections:
        exp = currency_exponent(s.currency)
        t = Table(
            _("Payments and what they paid"),
            [
                Column(_("Payment"), TEXT, 1.3),
                Column(_("Value date"), DATE, 1.1),
                Column(_("Reference"), TEXT, 2.0),
                Column(_("Invoice"), TEXT, 1.3),
                Column(_("Invoice date"), DATE, 1.1),
                Column(_("Due date"), DATE, 1.1),
                Column(_("Amount"), MONEY, 1.4),
            ],
        )
        for p in s.payments:
            ref = " · ".join(x for x in (_method_label(p.method), p.reference) if x)
            if p.status == "reversed":
                ref = f"{ref} ({_('Reversed')})"
            t.add((p.number, p.value_date, ref, "", None, None, p.amount), "group")
            for a in p.applications:
                t.add(("", None, _("Paid"), a.invoice_number, a.invoice_date, a.due_date, a.amount))
            if p.refunded:
                t.add(("", None, _("Refunded"), "", None, None, p.refunded), "sub")
            if p.unallocated:
                t.add(("", None, _("On account"), "", None, None, p.unallocated), "sub")
        t.add((_("Total"), None, "", "", None, None, s.total_received), "total")
        parts.append(
            Part(
                s.currency,
                s.currency,
                exp,
                [
                    (_("Received"), s.total_received, MONEY),
                    (_("Paid invoices"), s.total_allocated, MONEY),
                    (_("Refunded"), s.total_refunded, MONEY),
                    (_("On account"), s.total_unallocated, MONEY),
                ],
                [t],
            )
        )
    return Layout("payment_sheet", _("Payment sheet"), [*_account_meta(doc), _period(doc)], parts)


def order_board_layout(doc: d.OrderBoard) -> Layout:
    parts = []
    for s in doc.sections:
        exp = currency_exponent(s.currency)
        t = Table(
            _("Open order lines"),
            [
                Column(pgettext("sales order", "Order"), TEXT, 1.3),
                Column(_("Order date"), DATE, 1.0),
                Column(_("Line"), INT, 0.5),
                Column(_("Product"), TEXT, 2.6),
                Column(_("Quantity"), QTY, 0.9),
                Column(_("Shipped"), QTY, 0.9),
                Column(_("Backlog"), QTY, 0.9),
                Column(_("Unit price"), MONEY, 1.1),
                Column(_("Backlog value"), MONEY, 1.3),
                Column(pgettext("order line date", "Requested"), DATE, 1.0),
                Column(pgettext("order line date", "Promised"), DATE, 1.0),
            ],
        )
        for x in s.lines:
            order = x.order_number + (f" ({x.customer_reference})" if x.customer_reference else "")
            product = " ".join(p for p in (x.product_sku, x.product_name) if p)
            t.add(
                (
                    order,
                    x.order_date,
                    x.line_no,
                    product,
                    x.quantity,
                    x.shipped_quantity,
                    x.backlog_quantity,
                    x.unit_price,
                    x.backlog_value,
                    x.requested_date,
                    x.promised_date,
                ),
                "late" if x.late else "",
            )
        t.add(
            (
                _("Total"),
                None,
                None,
                "",
                None,
                None,
                s.total_backlog_quantity,
                None,
                s.total_backlog_value,
                None,
                None,
            ),
            "total",
        )
        parts.append(
            Part(
                s.currency,
                s.currency,
                exp,
                [
                    (_("Backlog value"), s.total_backlog_value, MONEY),
                    (_("of which late"), s.late_backlog_value, MONEY),
                    (_("Open lines"), len(s.lines), INT),
                ],
                [t],
            )
        )
    return Layout(
        "order_board",
        _("Order board"),
        [*_account_meta(doc), (_("As of"), fmt(doc.end, DATE))],
        parts,
        landscape=True,
        note=_("Late: the promised date (or the requested date, if none) has passed."),
    )


LAYOUTS = {
    "statement": statement_layout,
    "payment_sheet": payment_sheet_layout,
    "order_board": order_board_layout,
}


def layout(doc) -> Layout:
    return LAYOUTS[doc.kind](doc)
