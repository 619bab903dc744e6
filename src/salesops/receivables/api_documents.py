"""Documents and aging over the API (a router for receivables/api.py to mount):

GET /receivables/documents/{kind}/{account_id}?start=&end=&fmt=pdf|xlsx|html&lang=
    the file (Content-Disposition: attachment); 404 ACCOUNT_NOT_FOUND outside the caller's scope
GET /receivables/aging?as_of=&currency=account|reporting
    per account and currency: buckets, on account, total (decimal strings), DSO
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Router, Schema

from salesops.core.api import ERRORS, MAX_ID
from salesops.masterdata import selectors as md_selectors

from . import aging
from .documents import document_render

router = Router(tags=["receivables documents"])
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


@router.get(
    "/receivables/documents/{kind}/{account_id}",
    response={200: bytes, **ERRORS},
    summary="An account statement, payment sheet or order board as PDF, XLSX or HTML",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document as a file",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                    "text/html": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def document_get(
    request,
    kind: Literal["statement", "payment_sheet", "order_board"],
    account_id: int,
    end: dt.date,
    start: dt.date | None = None,
    fmt: Literal["pdf", "xlsx", "html"] = "pdf",
    lang: Literal["en", "zh-hans"] = "en",
):
    if not 1 <= account_id <= MAX_ID:
        from salesops.core.errors import NotFound

        raise NotFound("No such account.", code="ACCOUNT_NOT_FOUND")
    account = md_selectors.account_get(user=request.user, account_id=account_id)
    start = start or end.replace(day=1)
    out = document_render(
        kind=kind, account=account, start=start, end=end, fmt=fmt, lang=lang, user=request.user
    )
    response = HttpResponse(out.content, content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response


class AgingRowOut(Schema):
    account_id: int
    account: str
    currency: str
    buckets: list[str]
    on_account: str
    total: str
    dso: str | None


class AgingOut(Schema):
    as_of: dt.date
    currency: str
    buckets: list[str]
    rows: list[AgingRowOut]
    total_reporting: str


@router.get("/receivables/aging", response={200: AgingOut, **ERRORS}, summary="Aging on a date")
def aging_get(
    request,
    as_of: dt.date | None = None,
    currency: Literal["account", "reporting"] = "account",
):
    as_of = min(max(as_of or dt.date.today(), EARLIEST), LATEST)
    report = aging.aging_report(user=request.user, as_of=as_of)
    from .documents.layout import bucket_label

    rows = []
    for a in report.accounts:
        rep = currency == "reporting"
        rows.append(
            AgingRowOut(
                account_id=a.account_id,
                account=a.label,
                currency=report.reporting_currency if rep else a.currency,
                buckets=[str(b) for b in (a.reporting_buckets if rep else a.buckets)],
                on_account=str(a.reporting_credit if rep else a.credit),
                total=str(a.reporting_total if rep else a.total),
                dso=None if a.dso is None else str(a.dso),
            )
        )
    return AgingOut(
        as_of=as_of,
        currency=currency,
        buckets=[bucket_label(b) for b in report.buckets],
        rows=rows,
        total_reporting=str(report.total.reporting_total),
    )
