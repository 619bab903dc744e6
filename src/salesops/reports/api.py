"""Scheduled distribution API: /api/v1/schedules. Staff only; for every other role the
schedules do not exist (404 SCHEDULE_NOT_FOUND). Coordinators and admins manage them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from salesops.core.api import ERRORS, MAX_ID, ErrorOut
from salesops.core.models import OrgUnit
from salesops.masterdata.models import Account

from . import selectors, services
from .errors import ScheduleInvalid, ScheduleNotFound

PREFIX = "/schedules"
router = Router(tags=["scheduled distribution"])

WRITE_ERRORS = {**ERRORS, 409: ErrorOut}
Kind = Literal["statement", "payment_sheet", "order_board"]
Period = Literal["previous_month", "month_to_date", "previous_week", "last_7_days", "as_of_today"]
StatusName = Literal["queued", "sending", "sent", "failed", "retrying"]


class ScheduleOut(Schema):
    id: int
    name: str
    kind: str
    params: dict[str, Any]
    audience: str
    account_id: int | None
    territory_id: int | None
    to_contacts: bool
    user_ids: list[int]
    extra_addresses: list[str]
    fmt: str
    language: str
    cron: str
    timezone: str
    catch_up: str
    active: bool
    last_slot_at: dt.datetime | None
    next_slot_at: dt.datetime | None
    next_send_times: list[dt.datetime] = Field(
        ..., description="The next five send times, in the schedule's time zone."
    )


class ScheduleIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Kind
    period: Period | None = Field(None, description="Default: by document kind.")
    audience: Literal["account", "partners", "territory"] = "partners"
    account_id: int | None = Field(None, ge=1, le=MAX_ID)
    territory_id: int | None = Field(None, ge=1, le=MAX_ID)
    to_contacts: bool = True
    user_ids: list[int] = Field(default_factory=list, max_length=200)
    extra_addresses: list[str] = Field(default_factory=list, max_length=50)
    fmt: Literal["pdf", "xlsx", "both"] = "pdf"
    language: Literal["en", "zh-hans", "recipient"] = "en"
    cron: str = Field(..., min_length=9, max_length=100, examples=["0 8 * * MON"])
    timezone: str = Field("Asia/Shanghai", min_length=1, max_length=64)
    catch_up: Literal["send_missed_once", "skip_missed"] = "send_missed_once"
    active: bool = True


class SendNowOut(Schema):
    slot_key: str
    deliveries: int


class DeliveryOut(Schema):
    id: int
    schedule_id: int
    slot_key: str
    slot_at: dt.datetime
    account_id: int
    account_name: str
    recipient: str
    language: str
    period_start: dt.date
    period_end: dt.date
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    sent_at: dt.datetime | None
    message_id: str


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    limit: int
    offset: int


def _out(s) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "kind": s.kind,
        "params": s.params or {},
        "audience": s.audience,
        "account_id": s.account_id,
        "territory_id": s.territory_id,
        "to_contacts": s.to_contacts,
        "user_ids": sorted(s.users.values_list("pk", flat=True)),
        "extra_addresses": [a for a in s.extra_addresses.splitlines() if a],
        "fmt": s.fmt,
        "language": s.language,
        "cron": s.cron,
        "timezone": s.timezone,
        "catch_up": s.catch_up,
        "active": s.active,
        "last_slot_at": s.last_slot_at,
        "next_slot_at": s.next_slot_at,
        "next_send_times": services.next_send_times(cron=s.cron, tz=s.timezone),
    }


def _delivery(d) -> dict:
    return {
        "id": d.pk,
        "schedule_id": d.schedule_id,
        "slot_key": d.slot_key,
        "slot_at": d.slot_at,
        "account_id": d.account_id,
        "account_name": d.account.name,
        "recipient": d.recipient,
        "language": d.language,
        "period_start": d.period_start,
        "period_end": d.period_end,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_error": d.last_error,
        "sent_at": d.sent_at,
        "message_id": d.message_id,
    }


def _fields(payload: ScheduleIn) -> tuple[dict, list]:
    """Schema -> service fields; references that do not exist are input errors."""
    errors = {}
    account = territory = None
    if payload.account_id is not None:
        account = Account.objects.filter(pk=payload.account_id).first()
        if account is None:
            errors["account_id"] = _("No such account.")
    if payload.territory_id is not None:
        territory = OrgUnit.objects.filter(pk=payload.territory_id).first()
        if territory is None:
            errors["territory_id"] = _("No such territory.")
    users = list(get_user_model().objects.filter(pk__in=payload.user_ids))
    if len(users) != len(set(payload.user_ids)):
        errors["user_ids"] = _("No such user.")
    if errors:
        raise ScheduleInvalid(_("The schedule is not valid."), detail=errors)
    params = {"period": payload.period} if payload.period else {}
    fields = {
        "name": payload.name,
        "kind": payload.kind,
        "params": params,
        "audience": payload.audience,
        "account": account,
        "territory": territory,
        "to_contacts": payload.to_contacts,
        "extra_addresses": "\n".join(payload.extra_addresses),
        "fmt": payload.fmt,
        "language": payload.language,
        "cron": payload.cron.strip(),
        "timezone": payload.timezone.strip(),
        "catch_up": payload.catch_up,
        "active": payload.active,
    }
    return fields, users


@router.get("", response={200: list[ScheduleOut], **ERRORS}, summary="List schedules")
def schedule_list(request):
    if not selectors.can_view(request.user):
        raise ScheduleNotFound(_("No such schedule."))
    return [_out(s) for s in selectors.schedule_list(user=request.user)[:500]]


@router.post("", response={201: ScheduleOut, **WRITE_ERRORS}, summary="Create a schedule")
def schedule_create(request, payload: ScheduleIn):
    if not selectors.can_view(request.user):
        raise ScheduleNotFound(_("No such schedule."))
    fields, users = _fields(payload)
    s = services.schedule_create(by=request.user, users=users, **fields)
    return Status(201, _out(s))


@router.get("/{schedule_id}", response={200: ScheduleOut, **ERRORS}, summary="A schedule")
def schedule_detail(request, schedule_id: int = Path(..., ge=1, le=MAX_ID)):
    return _out(selectors.schedule_get(user=request.user, schedule_id=schedule_id))


@router.put("/{schedule_id}", response={200: ScheduleOut, **WRITE_ERRORS}, summary="Change")
def schedule_update(request, payload: ScheduleIn, schedule_id: int = Path(..., ge=1, le=MAX_ID)):
    s = selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    fields, users = _fields(payload)
    return _out(services.schedule_update(schedule=s, by=request.user, users=users, **fields))


@router.post(
    "/{schedule_id}/send-now",
    response={202: SendNowOut, **WRITE_ERRORS},
    summary="Send now (a manual slot; the worker sends it)",
)
def schedule_send_now(request, schedule_id: int = Path(..., ge=1, le=MAX_ID)):
    s = selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    key = services.schedule_send_now(schedule=s, by=request.user)
    return Status(202, {"slot_key": key, "deliveries": s.deliveries.filter(slot_key=key).count()})


@router.get(
    "/{schedule_id}/deliveries",
    response={200: DeliveryPage, **ERRORS},
    summary="The delivery log of a schedule",
)
def schedule_deliveries(
    request,
    schedule_id: int = Path(..., ge=1, le=MAX_ID),
    status: StatusName | None = Query(None),  # noqa: B008 - ninja query parameter
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=100_000),
):
    s = selectors.schedule_get(user=request.user, schedule_id=schedule_id)
    qs = selectors.delivery_list(user=request.user, schedule_id=s.pk, status=status or "")
    return {
        "items": [_delivery(d) for d in qs[offset : offset + limit]],
        "limit": limit,
        "offset": offset,
    }
