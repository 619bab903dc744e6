"""Account statement, payment sheet and order board, as HTML, PDF and XLSX in English and
Simplified Chinese.

    document_data(kind=, account=, start=, end=, user=None) -> Statement | PaymentSheet | OrderBoard
    document_render(kind=, account=, start=, end=, fmt=, lang=, user=None) -> RenderedDocument

`user=None` is the system (schedules, the command line); otherwise the account must be in the
user's scope, else NotFound (ACCOUNT_NOT_FOUND), exactly as if it did not exist. For the order
board `end` is the as-of date and `start` is not used. data.py builds the numbers, layout.py
the labels and columns, html.py / pdf.py / xlsx.py the files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone, translation

from salesops.masterdata.models import Account

from .. import errors
from . import data as _data
from .data import OrderBoard, PaymentSheet, Statement
from .layout import layout

DOCUMENT_KINDS = ("statement", "payment_sheet", "order_board")
FORMATS = ("html", "pdf", "xlsx")
LANGUAGES = ("en", "zh-hans")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

__all__ = [
    "CONTENT_TYPES",
    "DOCUMENT_KINDS",
    "FORMATS",
    "LANGUAGES",
    "OrderBoard",
    "PaymentSheet",
    "RenderedDocument",
    "Statement",
    "document_data",
    "document_render",
]


@dataclass(frozen=True)
class RenderedDocument:
    filename: str
    content_type: str
    content: bytes


def _check_account(account: Account, user) -> None:
    if user is None:
        return
    from salesops.masterdata.selectors import account_get

    account_get(user=user, account_id=account.pk)  # NotFound outside the user's scope


def _check(kind: str, start: dt.date | None, end: dt.date) -> None:
    if kind not in DOCUMENT_KINDS:
        raise errors.DocumentInvalid(
            f"Unknown document {kind!r}.", detail={"field": "kind", "valid": list(DOCUMENT_KINDS)}
        )
    if end is None:
        raise errors.DocumentInvalid("Say the end date.", detail={"field": "end"})
    if kind != "order_board" and (start is None or start > end):
        raise errors.DocumentInvalid(
            "The period must start on or before its end.",
            detail={"field": "start", "start": str(start), "end": str(end)},
        )


def document_data(
    *, kind: str, account: Account, start: dt.date | None, end: dt.date, user=None
) -> Statement | PaymentSheet | OrderBoard:
    _check(kind, start, end)
    _check_account(account, user)
    return _data.BUILDERS[kind](account, start, end)


def document_filename(kind: str, account: Account, end: dt.date, lang: str, fmt: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in account.number)
    return f"{kind.replace('_', '-')}-{safe}-{end.isoformat()}-{lang}.{fmt}"


def document_render(
    *,
    kind: str,
    account: Account,
    start: dt.date | None,
    end: dt.date,
    fmt: str,
    lang: str,
    user=None,
) -> RenderedDocument:
    if fmt not in FORMATS:
        raise errors.DocumentInvalid(
            f"Unknown format {fmt!r}.", detail={"field": "fmt", "valid": list(FORMATS)}
        )
    lang = (lang or "en").lower()
    if lang not in LANGUAGES:
        raise errors.DocumentInvalid(
            f"Unknown language {lang!r}.", detail={"field": "lang", "valid": list(LANGUAGES)}
        )
    doc = document_data(kind=kind, account=account, start=start, end=end, user=user)
    with translation.override(lang):
        lay = layout(doc)
        generated = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
        if fmt == "pdf":
            from .pdf import render_pdf

            content = render_pdf(lay, generated=generated)
        elif fmt == "xlsx":
            from .xlsx import render_xlsx

            content = render_xlsx(lay, generated=generated)
        else:
            from .html import render_html

            content = render_html(lay, generated=generated, lang=lang)
    return RenderedDocument(
        document_filename(kind, account, end, lang, fmt), CONTENT_TYPES[fmt], content
    )
