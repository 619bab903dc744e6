"""PDF with ReportLab (pure Python). One embedded TrueType font with Chinese glyphs
(settings.PDF_FONT, default WenQuanYi Micro Hei from Debian's fonts-wqy-microhei, installed by
`make fonts`) is used for all text: ReportLab subsets it and writes a ToUnicode map, so the
PDF's text can be searched and extracted in both languages. Tables repeat their header row on
every page; every page has "page N of M" at the foot."""

from __future__ import annotations

import io
import os
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus.flowables import KeepTogether

from .layout import DATE, MONEY, QTY, TEXT, Layout, fmt

FONT = "SalesOpsSans"


class PdfFontMissing(RuntimeError):
    """The configured PDF font is not installed."""


@cache
def _register(path: str) -> str:
    if not os.path.isfile(path):
        raise PdfFontMissing(
            f"The PDF font {path} is missing. Install it with `make fonts` (Debian: apt-get "
            "install fonts-wqy-microhei) or point SALESOPS_PDF_FONT at a TrueType font "
            "(.ttf/.ttc with glyf outlines) that has Chinese glyphs."
        )
    kwargs = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
    name = f"{FONT}-{abs(hash(path)) % 10**8}"
    pdfmetrics.registerFont(TTFont(name, path, **kwargs))
    return name


def font_name() -> str:
    return _register(settings.PDF_FONT)


def _numbered_canvas(font: str, footer_left: str, page_label: str):
    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                w, _h = self._pagesize
                self.setFont(font, 7.5)
                self.setFillColor(colors.grey)
                self.drawString(15 * mm, 9 * mm, footer_left)
                self.drawRightString(
                    w - 15 * mm,
                    9 * mm,
                    page_label % {"page": self._pageNumber, "pages": total},
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def render_pdf(lay: Layout, *, generated: str) -> bytes:
    font = font_name()
    size = landscape(A4) if lay.landscape else A4
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=lay.title,
        author="SalesOps",
        subject=" ".join(v for _k, v in lay.meta),
    )
    width = size[0] - 30 * mm
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=19, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=3)
    h3 = ParagraphStyle("h3", fontName=font, fontSize=9.5, leading=12, spaceBefore=6, spaceAfter=2)
    body = ParagraphStyle("b", fontName=font, fontSize=8, leading=10)
    cell = ParagraphStyle("c", fontName=font, fontSize=7.5, leading=9)
    cell_r = ParagraphStyle("cr", parent=cell, alignment=TA_RIGHT)
    note = ParagraphStyle("n", fontName=font, fontSize=7, leading=9, textColor=colors.grey)

    story: list = [Paragraph(_esc(lay.title), title)]
    meta = [[Paragraph(_esc(k), body), Paragraph(_esc(v), body)] for k, v in lay.meta]
    meta.append([Paragraph(_esc(_("Generated")), body), Paragraph(_esc(generated), body)])
    mt = LongTable(meta, colWidths=[30 * mm, width - 30 * mm], hAlign="LEFT")
    mt.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    story.append(mt)
    for part in lay.parts:
        story.append(Paragraph(_esc(_("Currency: %(code)s") % {"code": part.heading}), h2))
        summary = [
            [Paragraph(_esc(label), body) for label, _v, _k in part.summary],
            [Paragraph(_esc(fmt(v, k, part.exponent)), body) for _l, v, k in part.summary],
        ]
        st = LongTable(
            summary,
            hAlign="LEFT",
            colWidths=[width / max(len(part.summary), 1)] * len(part.summary),
        )
        st.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa5b1")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        story.append(st)
        for table in part.tables:
            story.append(Paragraph(_esc(table.title), h3))
            total_w = sum(c.width for c in table.columns)
            widths = [width * c.width / total_w for c in table.columns]
            header = [
                Paragraph(_esc(c.label), cell if c.kind in (TEXT, DATE) else cell_r)
                for c in table.columns
            ]
            rows = [header]
            # text may wrap (names, references): a Paragraph only when it does not fit on one
            # line (Paragraphs are most of the cost of a table); numbers and dates never wrap
            room = [w - 6.5 for w in widths]  # less the cell padding
            for row in table.rows:
                out = []
                for i, (c, v) in enumerate(zip(table.columns, row, strict=True)):
                    text = fmt(v, c.kind, part.exponent)
                    if c.kind == TEXT and text and _width(text, font) > room[i]:
                        out.append(Paragraph(_esc(text), cell))
                    else:
                        out.append(text)
                rows.append(out)
            if len(rows) == 1:
                rows.append([_("Nothing in this period.")] + [""] * (len(table.columns) - 1))
            t = LongTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
            style = [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("LEADING", (0, 0), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe6ee")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#52606d")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d3d9df")),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
            for i, c in enumerate(table.columns):
                if c.kind in (MONEY, QTY, "int"):
                    style.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
            for r, kind in enumerate(table.styles, start=1):
                if kind == "total":
                    style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f1f4f7")))
                    style.append(("LINEABOVE", (0, r), (-1, r), 0.6, colors.HexColor("#52606d")))
                elif kind == "group":
                    style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f7f9fb")))
                elif kind == "late":
                    style.append(("TEXTCOLOR", (0, r), (-1, r), colors.HexColor("#9b1c1c")))
            t.setStyle(TableStyle(style))
            story.append(t if len(rows) > 12 else KeepTogether([t]))
        story.append(Spacer(1, 4 * mm))
    if lay.note:
        story.append(Paragraph(_esc(lay.note), note))
    footer = f"{lay.title} · " + " · ".join(v for _k, v in lay.meta)
    doc.build(
        story, canvasmaker=_numbered_canvas(font, footer[:140], _("Page %(page)s of %(pages)s"))
    )
    return buf.getvalue()


def _width(text: str, font: str) -> float:
    if "\n" in text:
        return float("inf")
    return pdfmetrics.stringWidth(text, font, 7.5)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
