"""Reads of schedules and deliveries. Staff only (admin, coordinator, finance): for every
other role schedules do not exist (404, never 403, so nothing is disclosed)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from salesops.core.scoping import STAFF_ROLES

from .errors import ScheduleNotFound
from .models import Delivery, Schedule


def _staff(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in STAFF_ROLES)
    )


def can_view(user) -> bool:
    return _staff(user)


def can_manage(user) -> bool:
    from .services import MANAGE_ROLES

    return _staff(user) and (user.is_superuser or user.role in MANAGE_ROLES)


def schedule_list(*, user) -> QuerySet[Schedule]:
    if not _staff(user):
        return Schedule.objects.none()
    return Schedule.objects.select_related("account", "territory").annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        retrying_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.RETRYING)),
    )


def schedule_get(*, user, schedule_id: int) -> Schedule:
    if not _staff(user):
        raise ScheduleNotFound("No such schedule.")
    try:
        return Schedule.objects.select_related("account", "territory", "created_by").get(
            pk=schedule_id
        )
    except Schedule.DoesNotExist:
        raise ScheduleNotFound("No such schedule.") from None


def delivery_list(
    *, user, schedule_id: int | None = None, status: str = "", account_id: int | None = None
) -> QuerySet[Delivery]:
    if not _staff(user):
        return Delivery.objects.none()
    qs = Delivery.objects.select_related("schedule", "account")
    if schedule_id is not None:
        qs = qs.filter(schedule_id=schedule_id)
    if status in Delivery.Status.values:
        qs = qs.filter(status=status)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("-slot_at", "-id")
