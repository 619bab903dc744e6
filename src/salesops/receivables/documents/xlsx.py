"""XLSX with openpyxl in write-only mode (rows are streamed, not kept as cell objects). One
sheet per currency. Amounts are numeric cells holding the exact Decimal, with a number format
showing the currency's decimals; dates are date cells; labels are in the document's language."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .layout import DATE, INT, MONEY, QTY, Layout

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="DFE6EE")
TOTAL_FILL = PatternFill("solid", fgColor="F1F4F7")
LATE = Font(color="9B1C1C")
WRAP = Alignment(wrap_text=True, vertical="top")


def money_format(exponent: int) -> str:
    if exponent <= 0:
        return "#,##0;-#,##0"
    dec = "0" * exponent
    return f"#,##0.{dec};-#,##0.{dec}"


def _qty_format(value: Decimal) -> str:
    return "#,##0" if value == value.to_integral_value() else "#,##0.0###"


def _sheet_title(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", text)[:28] or "Sheet"
    title, n = base, 2
    while title in used:
        title, n = f"{base} {n}", n + 1
    used.add(title)
    return title


def render_xlsx(lay: Layout, *, generated: str, write_only: bool = True) -> bytes:
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    used: set[str] = set()
    for part in lay.parts:
        ws = wb.create_sheet(_sheet_title(part.heading, used))
        ncols = max((len(t.columns) for t in part.tables), default=2)
        widths = [14.0] * max(ncols, 4)
        for t in part.tables:
            for i, c in enumerate(t.columns):
                widths[i] = max(widths[i], min(40.0, len(c.label) * 1.6 + 4), c.width * 11)
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        mfmt = money_format(part.exponent)

        def cell(value, *, font=None, fill=None, number_format=None, align=None, ws=ws):
            c = WriteOnlyCell(ws, value=value)
            if font is not None:
                c.font = font
            if fill is not None:
                c.fill = fill
            if number_format:
                c.number_format = number_format
            if align is not None:
                c.alignment = align
            return c

        ws.append([cell(lay.title, font=TITLE)])
        for label, text in lay.meta:
            ws.append([cell(label, font=BOLD), text])
        ws.append([cell(_("Currency"), font=BOLD), part.currency])
        ws.append([cell(_("Generated"), font=BOLD), generated])
        ws.append([])
        ws.append([cell(label, font=BOLD, fill=HEAD_FILL) for label, _v, _k in part.summary])
        ws.append(
            [
                cell(v, number_format=mfmt if k == MONEY else ("#,##0" if k == INT else None))
                for _l, v, k in part.summary
            ]
        )
        for table in part.tables:
            ws.append([])
            ws.append([cell(table.title, font=BOLD)])
            ws.append([cell(c.label, font=BOLD, fill=HEAD_FILL, align=WRAP) for c in table.columns])
            for row, style in zip(table.rows, table.styles, strict=True):
                font = BOLD if style == "total" else (LATE if style == "late" else None)
                fill = TOTAL_FILL if style == "total" else None
                out = []
                for c, v in zip(table.columns, row, strict=True):
                    nf = None
                    if v is None:
                        v = None
                    elif c.kind == MONEY:
                        nf = mfmt
                    elif c.kind == QTY:
                        nf = _qty_format(Decimal(v))
                    elif c.kind == INT:
                        nf = "#,##0"
                    elif c.kind == DATE and isinstance(v, dt.date):
                        nf = "yyyy-mm-dd"
                    out.append(cell(v, font=font, fill=fill, number_format=nf))
                ws.append(out)
        if lay.note:
            ws.append([])
            ws.append([lay.note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
