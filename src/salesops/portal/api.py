"""Query inbox API, under /api/v1/queries: list, read, raise, reply, note, assign, close,
reopen. The same services and scoped selectors as the pages (receivables.queries): a partner
only reaches its own account's queries and never sees internal notes; a query outside the
caller's scope is 404 QUERY_NOT_FOUND, like one that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Path, Query, Router, Schema, Status

from salesops.core.api import ERRORS, MAX_ID, ErrorOut
from salesops.core.models import User
from salesops.receivables import queries
from salesops.receivables.models import Query as QueryModel

PREFIX = ""
router = Router(tags=["queries"])
R = "/queries"
WRITE_ERRORS = {**ERRORS, 409: ErrorOut}

Category = Literal["credit_note", "statement", "payment", "other"]
StatusFilter = Literal["open", "waiting", "answered", "closed", "active"]


def _text(value: str | None) -> str:
    """PostgreSQL refuses NUL characters; lone surrogates cannot be stored either."""
    value = (value or "").replace("\x00", "")
    return "".join(ch for ch in value if not 0xD800 <= ord(ch) <= 0xDFFF)


class DocRef(Schema):
    id: int
    number: str


class MessageOut(Schema):
    id: int
    kind: str
    author: str | None
    body: str
    created_at: dt.datetime
    emailed_to: str | None = None
    emailed_at: dt.datetime | None = None
    email_error: str | None = None


class QueryItem(Schema):
    id: int
    number: str
    category: str
    subject: str
    status: str
    account_id: int | None
    account_name: str | None
    owner: str | None
    raised_by: str | None
    invoice: DocRef | None
    payment: DocRef | None
    credit_note: DocRef | None
    created_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    first_answered_at: dt.datetime | None
    closed_at: dt.datetime | None


class QueryOut(QueryItem):
    messages: list[MessageOut]


class QueryPage(Schema):
    items: list[QueryItem]
    limit: int
    offset: int
    has_more: bool


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _ref(doc) -> dict | None:
    return {"id": doc.pk, "number": doc.number} if doc is not None else None


def _item(q: QueryModel) -> dict:
    return {
        "id": q.pk,
        "number": q.number,
        "category": q.category,
        "subject": q.subject,
        "status": q.status,
        "account_id": q.account_id,
        "account_name": q.account.name if q.account else None,
        "owner": _name(q.owner),
        "raised_by": _name(q.raised_by),
        "invoice": _ref(q.invoice),
        "payment": _ref(q.payment),
        "credit_note": _ref(q.credit_note),
        "created_at": q.created_at,
        "due_at": q.due_at,
        "overdue": queries.query_overdue(q),
        "first_answered_at": q.first_answered_at,
        "closed_at": q.closed_at,
    }


def _out(request, q: QueryModel) -> dict:
    staff = queries.is_staff_user(request.user)
    msgs = []
    for m in queries.query_messages(user=request.user, query=q):
        row = {
            "id": m.pk,
            "kind": m.kind,
            "author": _name(m.author),
            "body": m.body,
            "created_at": m.created_at,
        }
        if staff:  # delivery details are for staff
            row |= {
                "emailed_to": m.emailed_to,
                "emailed_at": m.emailed_at,
                "email_error": m.email_error,
            }
        msgs.append(row)
    return {**_item(q), "messages": msgs}


def _get(request, query_id: int) -> QueryModel:
    return queries.query_get(user=request.user, query_id=query_id)


@router.get(R, response={200: QueryPage, **ERRORS}, summary="List queries")
def query_list(
    request,
    status: StatusFilter | None = None,
    category: Category | None = None,
    mine: bool = Query(False, description="owned by me (staff) or raised by me (others)"),
    overdue: bool = Query(False, description="still waiting for an answer after the SLA"),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=100_000),
):
    """Queries in the caller's scope, due soonest first."""
    qs = queries.query_list(
        user=request.user,
        status=status or "",
        category=category or "",
        mine=mine,
        overdue=overdue,
    )
    rows = list(qs[offset : offset + limit + 1])
    return {
        "items": [_item(q) for q in rows[:limit]],
        "limit": limit,
        "offset": offset,
        "has_more": len(rows) > limit,
    }


@router.get(f"{R}/{{query_id}}", response={200: QueryOut, **ERRORS}, summary="Read a query")
def query_detail(request, query_id: int = Path(..., ge=1, le=MAX_ID)):
    """The query and its thread (partners never see internal notes)."""
    return _out(request, _get(request, query_id))


class RaiseIn(Schema):
    category: Category
    subject: str = Field(..., min_length=1, max_length=queries.SUBJECT_MAX)
    body: str = Field(..., min_length=1, max_length=queries.BODY_MAX)
    account_id: int | None = Field(None, ge=1, le=MAX_ID)
    invoice_id: int | None = Field(None, ge=1, le=MAX_ID)
    payment_id: int | None = Field(None, ge=1, le=MAX_ID)
    credit_note_id: int | None = Field(None, ge=1, le=MAX_ID)


@router.post(R, response={201: QueryOut, **WRITE_ERRORS}, summary="Raise a query")
def query_raise(request, data: RaiseIn):
    """A partner's query is for its own account; documents must be the account's."""
    q = queries.query_raise(
        by=request.user,
        category=data.category,
        subject=_text(data.subject),
        body=_text(data.body),
        account=data.account_id,
        invoice=data.invoice_id,
        payment=data.payment_id,
        credit_note=data.credit_note_id,
    )
    return Status(201, _out(request, _get(request, q.pk)))


class BodyIn(Schema):
    body: str = Field(..., min_length=1, max_length=queries.BODY_MAX)


@router.post(f"{R}/{{query_id}}/reply", response={200: QueryOut, **WRITE_ERRORS})
def query_reply(request, data: BodyIn, query_id: int = Path(..., ge=1, le=MAX_ID)):
    """Staff: a reply, e-mailed to the requester. Requester: a follow-up (reopens)."""
    queries.query_reply(query=_get(request, query_id), body=_text(data.body), by=request.user)
    return _out(request, _get(request, query_id))


@router.post(f"{R}/{{query_id}}/notes", response={200: QueryOut, **WRITE_ERRORS})
def query_note(request, data: BodyIn, query_id: int = Path(..., ge=1, le=MAX_ID)):
    """An internal note: never e-mailed, never shown to a partner."""
    queries.query_note(query=_get(request, query_id), body=_text(data.body), by=request.user)
    return _out(request, _get(request, query_id))


class AssignIn(Schema):
    owner_id: int = Field(..., ge=1, le=MAX_ID)


@router.post(f"{R}/{{query_id}}/assign", response={200: QueryOut, **WRITE_ERRORS})
def query_assign(request, data: AssignIn, query_id: int = Path(..., ge=1, le=MAX_ID)):
    query = _get(request, query_id)
    owner = User.objects.filter(pk=data.owner_id).first()
    queries.query_assign(query=query, owner=owner, by=request.user)
    return _out(request, _get(request, query_id))


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


@router.post(f"{R}/{{query_id}}/close", response={200: QueryOut, **WRITE_ERRORS})
def query_close(request, data: ReasonIn, query_id: int = Path(..., ge=1, le=MAX_ID)):
    queries.query_close(query=_get(request, query_id), by=request.user, reason=_text(data.reason))
    return _out(request, _get(request, query_id))


@router.post(f"{R}/{{query_id}}/reopen", response={200: QueryOut, **WRITE_ERRORS})
def query_reopen(request, data: ReasonIn, query_id: int = Path(..., ge=1, le=MAX_ID)):
    queries.query_reopen(query=_get(request, query_id), by=request.user, reason=_text(data.reason))
    return _out(request, _get(request, query_id))
