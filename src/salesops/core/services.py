"""Every write in core: users, tokens, login throttling, number series, jobs."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .errors import DomainError
from .models import ApiToken, Job, LoginFailure, NumberSeries, OrgUnit, Person, Role, User


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    person: Person | None = None,
    by: User | None = None,
    superuser: bool = False,
) -> User:
    if role not in Role.values:
        raise DomainError(
            f"Unknown role '{role}'.", code="UNKNOWN_ROLE", detail={"valid": Role.values}
        )
    if User.objects.filter(username=username).exists():
        raise DomainError(f"User '{username}' already exists.", code="USER_EXISTS")
    with transaction.atomic():
        user = User(username=username, email=email, role=role)
        user.is_staff = superuser or role == Role.ADMIN
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
        audit_record(
            actor=by,
            action="user.create",
            obj=user,
            after={"username": username, "role": role, "person": person and person.pk},
        )
    return user


def user_password_set(*, user: User, password: str, by: User | None) -> None:
    """Set a new password; the audit event says who and when, never the password."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=by, action="user.set_password", obj=user, reason="password set")


def api_token_issue(*, user: User) -> str:
    """A new bearer token; the plain key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash(key))
    return key


def api_token_user(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, key: str, by: User | None) -> bool:
    """Revoke a bearer token (its owner or an admin); True when a live token was revoked."""
    token = ApiToken.objects.filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True).first()
    if token is None:
        return False
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        audit_record(actor=by, action="api_token.revoke", obj=token, reason="revoked")
    return True


def login_throttled(*, username: str, address: str) -> bool:
    """True when this username or address has failed too often within the window."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    return (
        recent.filter(username=username.lower()[:150]).count() >= limit
        or recent.filter(address=address).count() >= limit * 4
    )


def login_failure_record(*, username: str, address: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], address=address[:64])


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()[:150]).delete()


def number_series_reserve(*, name: str, count: int = 1, prefix: str = "", width: int = 7):
    """Reserve `count` consecutive numbers; returns the formatted numbers. Never max()+1."""
    with transaction.atomic():
        series, _ = NumberSeries.objects.get_or_create(
            name=name, defaults={"prefix": prefix, "width": width}
        )
        series = NumberSeries.objects.select_for_update().get(pk=series.pk)
        first = series.next_value
        series.next_value = first + count
        series.save(update_fields=["next_value"])
    return [f"{series.prefix}{n:0{series.width}d}" for n in range(first, first + count)]


def org_unit_create(*, name: str, code: str, parent: OrgUnit | None = None, by=None) -> OrgUnit:
    with transaction.atomic():
        unit = OrgUnit.objects.create(name=name, code=code, parent=parent)
        audit_record(actor=by, action="org_unit.create", obj=unit, after={"name": name})
    return unit


def job_create(*, kind: str, params: dict, by: User | None, total: int | None = None) -> Job:
    return Job.objects.create(kind=kind, params=params, created_by=by, total=total)


def job_progress(*, job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress outside any open transaction so pollers see it while the job runs."""
    fields = {"done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job.pk).update(**fields)
    for k, v in fields.items():
        setattr(job, k, v)


def job_start(*, job: Job) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, done=0
    )
    job.status, job.started_at = Job.Status.RUNNING, now


def job_finish(*, job: Job, ok: bool, result: dict | None = None, message: str = "") -> None:
    job.status = Job.Status.SUCCEEDED if ok else Job.Status.FAILED
    job.finished_at = timezone.now()
    job.result = result or {}
    job.message = message
    job.save(update_fields=["status", "finished_at", "result", "message"])
