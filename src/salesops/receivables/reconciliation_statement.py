"""The reconciliation statement: header (account, as-of, both balances, difference), the four
sections with totals, and the line that explains the difference -- as PDF and XLSX.

The statement is a `documents.layout.Layout`, so the PDF and XLSX come from the same renderers
(and font) as the account statement and payment sheet: numbers and dates in the XLSX are real
numbers and dates with a number format, so the partner's accountant can add them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from salesops.core.money import currency_exponent

from .documents.layout import DATE, INT, MONEY, TEXT, Column, Layout, Part, Table, fmt
from .documents.pdf import render_pdf
from .documents.xlsx import render_xlsx
from .models import ReconciliationLine
from .reconciliation import reconciliation_get, reconciliation_lines

ZERO = Decimal(0)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RenderedStatement:
    filename: str
    content_type: str
    content: bytes


def _sum(lines, attr) -> Decimal:
    return sum((getattr(ln, attr) or ZERO for ln in lines), ZERO)


def statement_layout(rec, lines: list[ReconciliationLine]) -> Layout:
    """Call inside translation.override(lang)."""
    R = ReconciliationLine.Result
    by = {r: [ln for ln in lines if ln.result == r] for r in R.values}
    by_amount_date = set(rec.summary.get("amount_date_rows") or [])
    options = (rec.summary.get("mapping") or {}).get("options") or {}
    matched_rows = by[R.MATCHED]

    def how(ln) -> str:
        if ln.their_row in by_amount_date and ln.result == R.MATCHED:
            return _("amount and date")
        return _("document")

    matched = Table(
        _("Matched"),
        [
            Column(_("Date"), DATE, 1.0),
            Column(_("Document"), TEXT, 1.3),
            Column(_("Their reference"), TEXT, 1.5),
            Column(_("Matched by"), TEXT, 1.1),
            Column(_("Row"), INT, 0.5),
            Column(_("Our amount"), MONEY, 1.2),
            Column(_("Their amount"), MONEY, 1.2),
        ],
    )
    for ln in matched_rows:
        matched.add(
            (
                ln.posted_on,
                ln.document_number,
                ln.their_reference,
                how(ln),
                ln.their_row,
                ln.our_amount,
                ln.their_amount,
            )
        )
    matched.add(
        (
            None,
            _("Total"),
            "",
            "",
            None,
            _sum(matched_rows, "our_amount"),
            _sum(matched_rows, "their_amount"),
        ),
        "total",
    )

    differs_rows = by[R.AMOUNT_DIFFERS]
    differs = Table(
        _("Amount differs"),
        [
            Column(_("Date"), DATE, 1.0),
            Column(_("Document"), TEXT, 1.3),
            Column(_("Their reference"), TEXT, 1.5),
            Column(_("Row"), INT, 0.5),
            Column(_("Our amount"), MONEY, 1.2),
            Column(_("Their amount"), MONEY, 1.2),
            Column(_("Difference"), MONEY, 1.2),
        ],
    )
    for ln in differs_rows:
        differs.add(
            (
                ln.posted_on,
                ln.document_number,
                ln.their_reference,
                ln.their_row,
                ln.our_amount,
                ln.their_amount,
                ln.difference,
            )
        )
    differs.add(
        (
            None,
            _("Total"),
            "",
            None,
            _sum(differs_rows, "our_amount"),
            _sum(differs_rows, "their_amount"),
            _sum(differs_rows, "difference"),
        ),
        "total",
    )

    theirs_rows = by[R.ONLY_THEIRS]
    only_theirs = Table(
        _("Only in their ledger"),
        [
            Column(_("Date"), DATE, 1.0),
            Column(_("Their reference"), TEXT, 1.6),
            Column(_("Document they quote"), TEXT, 1.4),
            Column(_("Row"), INT, 0.5),
            Column(_("Their amount"), MONEY, 1.2),
        ],
    )
    for ln in theirs_rows:
        only_theirs.add(
            (ln.posted_on, ln.their_reference, ln.document_number, ln.their_row, ln.their_amount)
        )
    only_theirs.add((None, _("Total"), "", None, _sum(theirs_rows, "their_amount")), "total")

    ours_rows = by[R.ONLY_OURS]
    only_ours = Table(
        _("Only in our ledger"),
        [
            Column(_("Date"), DATE, 1.0),
            Column(_("Document"), TEXT, 1.6),
            Column(_("Our amount"), MONEY, 1.2),
        ],
    )
    for ln in ours_rows:
        only_ours.add((ln.posted_on, ln.document_number, ln.our_amount))
    only_ours.add((None, _("Total"), _sum(ours_rows, "our_amount")), "total")

    s_ours = _sum(ours_rows, "our_amount")
    s_theirs = _sum(theirs_rows, "their_amount")
    s_diff = _sum(differs_rows, "difference")
    explained = s_ours - s_theirs + s_diff
    difference = rec.our_balance - rec.their_balance
    explain = Table(
        _("Explained difference"),
        [Column(_("Item"), TEXT, 3.0), Column(_("Amount"), MONEY, 1.2)],
    )
    explain.add((_("Only in our ledger"), s_ours))
    explain.add((_("Only in their ledger, subtracted"), -s_theirs))
    explain.add((_("Amount differences (ours less theirs)"), s_diff))
    explain.add((_("Explained difference"), explained), "total")
    explain.add((_("Balance difference (ours less theirs)"), difference))
    explain.add((_("Unexplained"), difference - explained), "total")

    exponent = currency_exponent(rec.currency)
    part = Part(
        heading=rec.currency,
        currency=rec.currency,
        exponent=exponent,
        summary=[
            (_("Our balance"), rec.our_balance, MONEY),
            (_("Their balance"), rec.their_balance, MONEY),
            (_("Difference"), difference, MONEY),
            (_("Explained"), explained, MONEY),
        ],
        tables=[explain, differs, only_theirs, only_ours, matched],
    )
    sign = (
        _(
            "Amounts in our sign: positive means the partner owes us. Their file is read as "
            "their payable ledger, so its signs were turned round."
        )
        if options.get("flip_sign", True)
        else _("Amounts in our sign: positive means the partner owes us.")
    )
    return Layout(
        kind="reconciliation",
        title=_("Reconciliation statement"),
        meta=[
            (_("Account"), f"{rec.account.number}  {rec.account.name}"),
            (_("As of"), fmt(rec.as_of, DATE)),
            (_("Their file"), rec.file_name),
        ],
        parts=[part],
        landscape=False,
        note=sign,
    )


# ---------------------------------------------------------------- entry point


def statement_render(*, user, reconciliation_id: int, fmt: str, lang: str) -> RenderedStatement:
    """The statement of one reconciliation the user may see, as 'pdf' or 'xlsx'."""
    rec = reconciliation_get(user=user, reconciliation_id=reconciliation_id)
    lines = list(reconciliation_lines(user=user, reconciliation_id=rec.pk))
    base = f"reconciliation-{rec.account.number}-{rec.as_of.isoformat()}-{rec.pk}"
    with translation.override(lang):
        lay = statement_layout(rec, lines)
        generated = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
        if fmt == "xlsx":
            content = render_xlsx(lay, generated=generated)
            return RenderedStatement(f"{base}.xlsx", XLSX_TYPE, content)
        if fmt == "pdf":
            content = render_pdf(lay, generated=generated)
            return RenderedStatement(f"{base}.pdf", "application/pdf", content)
    raise ValueError(f"unknown format {fmt!r}")
