"""Core API: tokens, who am I, the org tree, people, job progress."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from . import selectors, services
from .errors import DomainError
from .scoping import scope_for

PREFIX = ""
router = Router(tags=["core"])

MAX_ID = 2**62


class ErrorOut(Schema):
    """Every error: a stable code, a message for people, and details (field, value, valid)."""

    code: str
    message: str
    detail: Any = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)


class TokenOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer <token>`.")


class LoginThrottled(DomainError):
    code = "LOGIN_THROTTLED"
    http_status = 429


class InvalidCredentials(DomainError):
    code = "INVALID_CREDENTIALS"
    http_status = 401


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Issue a bearer token",
)
def token_issue(request, payload: TokenIn):
    """Username and password in, a bearer token out (shown once). Repeated failures are
    throttled exactly like the login page."""
    username = payload.username.replace("\x00", "").strip()
    address = _address(request)
    if services.login_throttled(username=username, address=address):
        raise LoginThrottled(_("Too many failed attempts. Wait 15 minutes and try again."))
    user = authenticate(request, username=username, password=payload.password)
    if user is None:
        services.login_failure_record(username=username, address=address)
        raise InvalidCredentials(_("That user name and password do not match."))
    services.login_failures_clear(username=username)
    return {"token": services.api_token_issue(user=user)}


class RevokedOut(Schema):
    revoked: bool


@router.delete("/auth/token", response={200: RevokedOut, **ERRORS}, summary="Revoke this token")
def token_revoke(request):
    """Revoke the bearer token this request was sent with."""
    header = request.headers.get("Authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return {"revoked": bool(key) and services.api_token_revoke(key=key, by=request.user)}


class PersonRef(Schema):
    id: int
    name: str
    org_unit_id: int


class MeOut(Schema):
    id: int
    username: str
    email: str
    role: str
    language: str
    scope: str = Field(..., description="all, subtree, own, account or none")
    person: PersonRef | None = None
    account_id: int | None = Field(None, description="A partner's own account.")


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request):
    user = request.user
    scope = scope_for(user)
    person = getattr(user, "person", None)
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "language": user.language,
        "scope": scope.kind,
        "person": (
            {"id": person.pk, "name": person.name, "org_unit_id": person.org_unit_id}
            if person
            else None
        ),
        "account_id": scope.account_id,
    }


class OrgUnitOut(Schema):
    id: int
    name: str
    code: str
    parent_id: int | None
    level: int
    level_name: str
    path: str
    headcount: int


@router.get("/org-units", response={200: list[OrgUnitOut], **ERRORS})
def org_units(request):
    """Org units the user may see, in tree order (partners: none)."""
    return [
        {
            "id": u.pk,
            "name": u.name,
            "code": u.code,
            "parent_id": u.parent_id,
            "level": u.level,
            "level_name": str(u.level_name),
            "path": u.path,
            "headcount": u.headcount,
        }
        for u in selectors.org_tree(user=request.user)
    ]


class PersonOut(Schema):
    id: int
    name: str
    email: str
    kind: str
    org_unit_id: int
    org_unit: str
    active: bool


@router.get("/people", response={200: list[PersonOut], **ERRORS})
def people(
    request,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=100_000),
):
    rows = selectors.people_list(user=request.user)[offset : offset + limit]
    return [
        {
            "id": p.pk,
            "name": p.name,
            "email": p.email,
            "kind": p.kind,
            "org_unit_id": p.org_unit_id,
            "org_unit": p.org_unit.name,
            "active": p.active,
        }
        for p in rows
    ]


class JobOut(Schema):
    id: int
    kind: str
    status: str
    done: int
    total: int | None
    message: str
    result: dict


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS})
def job(request, job_id: int = Path(..., ge=1, le=MAX_ID)):
    """Progress of one of your own jobs; other people's jobs are 404."""
    found = selectors.job_get(user=request.user, job_id=job_id)
    return selectors.job_progress_read(job=found)
