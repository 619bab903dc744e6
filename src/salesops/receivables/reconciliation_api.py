"""Partner reconciliation API (staff only; anyone else gets 404 RECONCILIATION_NOT_FOUND for a
reconciliation and 403 for a run). Not mounted by itself: the receivables API adds `router`.

- GET  /reconciliations?account_id=        past runs, newest first
- POST /reconciliations (multipart)         account_id, as_of, file, mapping (JSON, optional:
                                            the partner's saved mapping otherwise)
- GET  /reconciliations/{id}                header, section totals and the lines
- GET  /reconciliations/{id}/statement      ?format=pdf|xlsx&lang=en|zh-hans
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from salesops.core.api import ERRORS, MAX_ID, ErrorOut
from salesops.masterdata.api import MoneyOut

from . import errors
from . import reconciliation as rc

PREFIX = ""
router = Router(tags=["receivables: reconciliation"])


class SectionOut(Schema):
    count: int
    ours: str
    theirs: str
    difference: str


class ReconciliationOut(Schema):
    id: int
    account_id: int
    account_number: str
    as_of: dt.date
    file_name: str
    our_balance: MoneyOut
    their_balance: MoneyOut
    difference: MoneyOut
    explained: MoneyOut
    sections: dict[str, SectionOut]
    created_at: dt.datetime
    created_by: str | None


class LineOut(Schema):
    result: str
    document_number: str
    their_reference: str
    posted_on: dt.date | None
    our_amount: str | None
    their_amount: str | None
    difference: str
    their_row: int | None


class ReconciliationDetailOut(ReconciliationOut):
    lines: list[LineOut]


class ListQuery(Schema):
    account_id: int | None = Field(None, ge=1, le=MAX_ID)


class StatementQuery(Schema):
    format: Literal["pdf", "xlsx"] = "pdf"
    lang: Literal["en", "zh-hans"] = "en"


def _m(amount, currency: str) -> dict:
    return {"amount": str(amount), "currency": currency}


def _out(rec) -> dict:
    s = rec.summary or {}
    return {
        "id": rec.pk,
        "account_id": rec.account_id,
        "account_number": rec.account.number,
        "as_of": rec.as_of,
        "file_name": rec.file_name,
        "our_balance": _m(rec.our_balance, rec.currency),
        "their_balance": _m(rec.their_balance, rec.currency),
        "difference": _m(rec.our_balance - rec.their_balance, rec.currency),
        "explained": _m(s.get("explained", "0"), rec.currency),
        "sections": s.get("sections", {}),
        "created_at": rec.created_at,
        "created_by": rec.created_by.username if rec.created_by_id else None,
    }


def _s(v) -> str | None:
    return None if v is None else str(v)


@router.get("/reconciliations", response={200: list[ReconciliationOut], **ERRORS})
def reconciliation_list(request, filters: Query[ListQuery]):
    qs = rc.reconciliation_list(user=request.user, account_id=filters.account_id)
    return [_out(r) for r in qs[:200]]


@router.post(
    "/reconciliations",
    response={201: ReconciliationOut, **ERRORS, 409: ErrorOut},
    summary="Reconcile a partner's ledger file with ours",
)
def reconciliation_create(
    request,
    account_id: int = Form(..., ge=1, le=MAX_ID),
    as_of: dt.date = Form(...),  # noqa: B008
    mapping: str = Form("", max_length=20_000),
    file: UploadedFile = File(...),  # noqa: B008
):
    account = rc.reconcilable_accounts(user=request.user).filter(pk=account_id).first()
    if account is None:
        rc._staff(request.user)  # 403 for a role that may not run one at all
        raise errors.ReconciliationNotFound(
            _("Partner not found."), detail={"account_id": account_id}
        )
    parsed = None
    if mapping.strip():
        try:
            parsed = json.loads(mapping)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise errors.ReconciliationMappingInvalid(
                _('The mapping is JSON: {"columns": {...}, "options": {...}}.'),
                detail={"field": "mapping"},
            )
    rec = rc.reconciliation_run(
        account=account,
        file=file,
        file_name=file.name,
        as_of=as_of,
        mapping=parsed,
        by=request.user,
    )
    return Status(201, _out(rec))


@router.get(
    "/reconciliations/{reconciliation_id}", response={200: ReconciliationDetailOut, **ERRORS}
)
def reconciliation_detail(request, reconciliation_id: int = Path(..., ge=1, le=MAX_ID)):
    rec = rc.reconciliation_get(user=request.user, reconciliation_id=reconciliation_id)
    out = _out(rec)
    out["lines"] = [
        {
            "result": ln.result,
            "document_number": ln.document_number,
            "their_reference": ln.their_reference,
            "posted_on": ln.posted_on,
            "our_amount": _s(ln.our_amount),
            "their_amount": _s(ln.their_amount),
            "difference": str(ln.difference),
            "their_row": ln.their_row,
        }
        for ln in rc.reconciliation_lines(user=request.user, reconciliation_id=rec.pk)
    ]
    return out


@router.get(
    "/reconciliations/{reconciliation_id}/statement",
    response={200: None, **ERRORS},
    summary="The reconciliation statement as PDF or XLSX",
)
def reconciliation_statement(
    request, q: Query[StatementQuery], reconciliation_id: int = Path(..., ge=1, le=MAX_ID)
):
    from .reconciliation_statement import statement_render

    doc = statement_render(
        user=request.user, reconciliation_id=reconciliation_id, fmt=q.format, lang=q.lang
    )
    resp = HttpResponse(doc.content, content_type=doc.content_type)
    resp["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return resp
