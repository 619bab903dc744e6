"""Scheduled distribution: every write of schedules and deliveries.

Exactly once per slot
---------------------
1. `schedules_run_due(now=...)` finds, per active schedule, the latest cron slot at or before
   `now` (in the schedule's time zone) that is newer than `last_slot_at`. The catch-up policy
   decides what happens to a slot found late (more than SLOT_GRACE after it was due, i.e.
   the workers were down): "send_missed_once" sends the latest missed slot once, however many
   were missed; "skip_missed" sends none of them.
2. The slot's deliveries (one per account x recipient) are inserted with
   `bulk_create(ignore_conflicts=True)` against the unique slot key (schedule, slot_key,
   account, recipient): when two workers compute the same slot, the database keeps exactly
   one row per key. The insert and the advance of `last_slot_at` commit together.
3. Each delivery is claimed with one conditional UPDATE (status queued/retrying and due, or
   "sending" with an expired lease -> "sending", attempts + 1, a fresh claim token and
   lease). Only the worker whose UPDATE changed the row renders and sends it, and only the
   holder of the claim token may record the outcome.
4. SMTP failure -> "retrying" with exponential backoff (1, 5, 25, 125 minutes, capped),
   "failed" after MAX_ATTEMPTS or on a permanent (5xx) refusal. A "sent" delivery is never
   claimed again.

The at-least-once window: a worker that dies after the SMTP server accepted the message but
before it recorded "sent" leaves the row "sending"; once its lease (15 minutes) expires the
delivery is sent again. That is one possible duplicate per crash, never more. Each delivery
has a deterministic Message-ID (the same on every attempt), so receiving systems can drop the
second copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesops.core.audit import audit_record, audit_snapshot
from salesops.core.models import Role
from salesops.core.periods import FiscalCalendar
from salesops.core.scoping import role_required
from salesops.core.selectors import subtree_units
from salesops.masterdata.models import Account, Contact

from . import slots
from .errors import RendererUnavailable, ScheduleInvalid
from .models import Delivery, DocumentKind, PeriodRule, Schedule

log = logging.getLogger(__name__)

MANAGE_ROLES = (Role.ADMIN, Role.COORDINATOR)
LANGS = ("en", "zh-hans")
DEFAULT_PERIOD = {
    "statement": "previous_month",
    "payment_sheet": "previous_week",
    "order_board": "as_of_today",
}
EDITABLE = (
    "name",
    "kind",
    "params",
    "audience",
    "account",
    "territory",
    "to_contacts",
    "extra_addresses",
    "fmt",
    "language",
    "cron",
    "timezone",
    "catch_up",
    "active",
)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def slot_grace() -> dt.timedelta:
    return dt.timedelta(minutes=_setting("REPORTS_SLOT_GRACE_MINUTES", 15))


def lease() -> dt.timedelta:
    return dt.timedelta(minutes=_setting("REPORTS_SEND_LEASE_MINUTES", 15))


def max_attempts() -> int:
    return _setting("REPORTS_MAX_ATTEMPTS", 6)


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the `attempts`-th failed try: 1, 5, 25, 125 minutes..., capped."""
    cap = _setting("REPORTS_BACKOFF_CAP_MINUTES", 240)
    return dt.timedelta(minutes=min(5 ** max(attempts - 1, 0), cap))


def _may_manage(by) -> None:
    """Coordinators and admins manage schedules; `by=None` is the system itself (the
    operator's command line on the server)."""
    if by is not None:
        role_required(by, *MANAGE_ROLES)


def _calendar() -> FiscalCalendar:
    return FiscalCalendar(settings.FISCAL_CALENDAR, settings.FISCAL_YEAR_START_MONTH)


# ---------------------------------------------------------------- schedules


def _addresses(text: str) -> list[str]:
    out = []
    for raw in text.replace(",", "\n").replace(";", "\n").splitlines():
        addr = raw.strip().lower()
        if addr and addr not in out:
            out.append(addr)
    return out


def _validate(s: Schedule, users: list | None) -> None:
    from django.core.validators import validate_email

    errors: dict[str, str] = {}
    if not s.name.strip():
        errors["name"] = _("Give the schedule a name.")
    if s.kind not in DocumentKind.values:
        errors["kind"] = _("Choose a document.")
    params = s.params if isinstance(s.params, dict) else None
    if params is None:
        errors["params"] = _("Parameters must be an object.")
    else:
        params.setdefault("period", DEFAULT_PERIOD.get(s.kind, "previous_month"))
        if params["period"] not in PeriodRule.values:
            errors["params"] = _("Unknown period rule.")
    if not slots.cron_valid(s.cron or ""):
        errors["cron"] = _("Not a valid cron expression (minute hour day month weekday).")
    if not slots.tz_valid(s.timezone or ""):
        errors["timezone"] = _("Not a known time zone (for example Asia/Shanghai).")
    if s.audience == Schedule.Audience.ACCOUNT and s.account_id is None:
        errors["account"] = _("Choose the account.")
    if s.audience == Schedule.Audience.TERRITORY and s.territory_id is None:
        errors["territory"] = _("Choose the territory.")
    if s.audience != Schedule.Audience.ACCOUNT:
        s.account = None
    if s.audience != Schedule.Audience.TERRITORY:
        s.territory = None
    extra = _addresses(s.extra_addresses or "")
    for addr in extra:
        try:
            validate_email(addr)
        except Exception:
            errors["extra_addresses"] = _("Not an e-mail address: %(value)s") % {"value": addr}
            break
    if extra and s.audience != Schedule.Audience.ACCOUNT:
        # An outside address would otherwise receive every account's data.
        errors["extra_addresses"] = _("Other addresses are allowed only for one account.")
    s.extra_addresses = "\n".join(extra)
    if not (s.to_contacts or extra or users):
        errors["to_contacts"] = _("Choose at least one kind of recipient.")
    if s.fmt not in Schedule.Format.values:
        errors["fmt"] = _("Choose a format.")
    if s.language not in Schedule.Language.values:
        errors["language"] = _("Choose a language.")
    if s.catch_up not in Schedule.CatchUp.values:
        errors["catch_up"] = _("Choose what happens after downtime.")
    if errors:
        raise ScheduleInvalid(_("The schedule is not valid."), detail=errors)


def _staff_users(users) -> list:
    from salesops.core.scoping import STAFF_ROLES

    users = list(users or [])
    for u in users:
        if not (u.is_superuser or u.role in (*STAFF_ROLES, Role.MANAGER, Role.REP)):
            raise ScheduleInvalid(
                _("Only internal users can be recipients."), detail={"users": u.pk}
            )
    return users


def schedule_create(*, by, users=None, now: dt.datetime | None = None, **fields) -> Schedule:
    """Create a schedule. Slots are counted from its creation: it never fires for the past."""
    _may_manage(by)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown schedule fields: {sorted(unknown)}")
    now = now or timezone.now()
    users = _staff_users(users)
    s = Schedule(created_by=by if getattr(by, "pk", None) else None, **fields)
    s.params = dict(s.params or {}) if isinstance(s.params, dict) else s.params
    _validate(s, users)
    s.last_slot_at = now
    s.next_slot_at = _next_slot(s, now)
    with transaction.atomic():
        s.save()
        s.users.set(users)
        after = audit_snapshot(s)
        after["users"] = [u.pk for u in users]
        audit_record(actor=by, action="schedule.create", obj=s, after=after)
    return s


def schedule_update(
    *, schedule: Schedule, by, users=None, now: dt.datetime | None = None, **fields
) -> Schedule:
    """Change a schedule. A changed cron or time zone counts slots from now on (no catch-up
    of slots the old timing had)."""
    _may_manage(by)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown schedule fields: {sorted(unknown)}")
    now = now or timezone.now()
    with transaction.atomic():
        s = Schedule.objects.select_for_update().get(pk=schedule.pk)
        before = audit_snapshot(s)
        before["users"] = sorted(s.users.values_list("pk", flat=True))
        for k, v in fields.items():
            setattr(s, k, v)
        s.params = dict(s.params or {}) if isinstance(s.params, dict) else s.params
        new_users = _staff_users(users) if users is not None else list(s.users.all())
        _validate(s, new_users)
        timing_changed = (s.cron, s.timezone) != (before["cron"], before["timezone"])
        reactivated = s.active and not before["active"]
        if timing_changed or reactivated or s.last_slot_at is None:
            s.last_slot_at = now
        s.next_slot_at = _next_slot(s, max(s.last_slot_at, now)) if s.active else None
        s.save()
        if users is not None:
            s.users.set(new_users)
        after = audit_snapshot(s)
        after["users"] = sorted(u.pk for u in new_users)
        audit_record(actor=by, action="schedule.update", obj=s, before=before, after=after)
    return s


def _next_slot(s: Schedule, after: dt.datetime) -> dt.datetime | None:
    found = slots.slots_after(s.cron, s.timezone, after, limit=1)
    return found[0] if found else None


def next_send_times(*, cron: str, tz: str, count: int = 5, now=None) -> list[dt.datetime]:
    """The next `count` send times (aware, in the schedule's zone), for the form's preview."""
    import zoneinfo

    if not (slots.cron_valid(cron) and slots.tz_valid(tz)):
        return []
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(tz)
    return [t.astimezone(zone) for t in slots.slots_after(cron, tz, now, limit=count)]


# ---------------------------------------------------------------- audience and recipients


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str  # "" = unknown


def audience_accounts(schedule: Schedule):
    qs = Account.objects.exclude(status=Account.Status.CLOSED)
    if schedule.audience == Schedule.Audience.ACCOUNT:
        return qs.filter(pk=schedule.account_id)
    if schedule.audience == Schedule.Audience.PARTNERS:
        return qs.filter(type=Account.Type.PARTNER)
    if schedule.audience == Schedule.Audience.TERRITORY:
        territory = schedule.territory
        if territory is None:
            return qs.none()
        return qs.filter(territory_id__in=subtree_units(territory.path).values("pk"))
    return qs.none()


def recipients_by_account(schedule: Schedule, account_ids: list[int]) -> dict[int, list]:
    """Who receives each account's document: that account's own contacts (never another
    account's), the internal users, and, for a one-account schedule, other addresses."""
    out: dict[int, dict[str, Recipient]] = {aid: {} for aid in account_ids}
    if schedule.to_contacts and account_ids:
        contacts = (
            Contact.objects.filter(account_id__in=account_ids)
            .exclude(email="")
            .values_list("account_id", "email", "user__language")
            .order_by("account_id", "id")
        )
        for aid, email, lang in contacts.iterator(chunk_size=2000):
            addr = email.strip().lower()
            if "@" in addr:
                out[aid].setdefault(addr, Recipient(addr, lang or ""))
    common = [
        Recipient(u.email.strip().lower(), u.language or "")
        for u in schedule.users.filter(is_active=True).exclude(email="")
    ]
    if schedule.audience == Schedule.Audience.ACCOUNT:
        common += [Recipient(a, "") for a in _addresses(schedule.extra_addresses)]
    for aid in account_ids:
        for r in common:
            out[aid].setdefault(r.address, r)
    return {aid: list(rs.values()) for aid, rs in out.items()}


def _language(schedule: Schedule, recipient: Recipient) -> str:
    if schedule.language in LANGS:
        return schedule.language
    lang = (recipient.language or "").lower().replace("_", "-")
    if lang.startswith("zh"):
        return "zh-hans"
    return lang if lang in LANGS else ("zh-hans" if settings.LANGUAGE_CODE == "zh-hans" else "en")


# ---------------------------------------------------------------- slots -> deliveries


def _slot_deliveries(
    schedule: Schedule, *, slot_key: str, slot_at: dt.datetime, now: dt.datetime
) -> int:
    """Insert the deliveries of one slot; rows that exist already (another worker, a rerun)
    are left alone by the unique slot key. Returns how many rows the slot has."""
    start, end = slots.period_for(
        schedule.period or DEFAULT_PERIOD[schedule.kind],
        slots.local_date(slot_at, schedule.timezone),
        _calendar(),
    )
    account_ids = list(audience_accounts(schedule).values_list("pk", flat=True))
    rows = []
    for aid, recipients in recipients_by_account(schedule, account_ids).items():
        for r in recipients:
            rows.append(
                Delivery(
                    schedule=schedule,
                    slot_key=slot_key,
                    slot_at=slot_at,
                    account_id=aid,
                    recipient=r.address,
                    language=_language(schedule, r),
                    period_start=start,
                    period_end=end,
                    next_attempt_at=now,
                )
            )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def cron_slot_key(slot_at: dt.datetime) -> str:
    return "cron:" + slot_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass
class RunResult:
    slots: int = 0
    skipped: int = 0
    created: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def schedule_plan_due(schedule: Schedule, *, now: dt.datetime, result: RunResult) -> None:
    """Queue the deliveries of this schedule's due slot, if it has one, by its catch-up
    policy; advance `last_slot_at` in the same transaction."""
    last = schedule.last_slot_at or schedule.created_at or now
    latest = slots.slot_before(schedule.cron, schedule.timezone, now)
    if latest is None or latest <= last:
        Schedule.objects.filter(pk=schedule.pk, next_slot_at__isnull=True).update(
            next_slot_at=_next_slot(schedule, last)
        )
        return
    late = now - latest > slot_grace()
    send = not (late and schedule.catch_up == Schedule.CatchUp.SKIP_MISSED)
    with transaction.atomic():
        if send:
            result.created += _slot_deliveries(
                schedule, slot_key=cron_slot_key(latest), slot_at=latest, now=now
            )
            result.slots += 1
        else:
            result.skipped += 1
            log.info("schedule %s: slot %s missed, skipped by policy", schedule.pk, latest)
        Schedule.objects.filter(pk=schedule.pk).filter(
            Q(last_slot_at__isnull=True) | Q(last_slot_at__lt=latest)
        ).update(last_slot_at=latest, next_slot_at=_next_slot(schedule, latest))


def schedules_run_due(*, now: dt.datetime | None = None, send: bool = True) -> RunResult:
    """Queue every active schedule's due slot, then send the deliveries that are due.
    Safe to run from several workers at once (see the module docstring)."""
    now = now or timezone.now()
    result = RunResult()
    due = Schedule.objects.filter(active=True).filter(
        Q(next_slot_at__isnull=True) | Q(next_slot_at__lte=now)
    )
    for schedule in due.iterator(chunk_size=200):
        try:
            schedule_plan_due(schedule, now=now, result=result)
        except Exception:
            log.exception("schedule %s: could not plan its due slot", schedule.pk)
    if send:
        deliveries_send_due(now=now, result=result)
    return result


def schedule_send_now(*, schedule: Schedule, by, now: dt.datetime | None = None) -> str:
    """Queue a run of the schedule now, outside its cron timing. The slot key is
    "manual:<instant>", so it never collides with a cron slot. Returns the slot key."""
    _may_manage(by)
    now = now or timezone.now()
    slot_key = "manual:" + now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with transaction.atomic():
        count = _slot_deliveries(schedule, slot_key=slot_key, slot_at=now, now=now)
        audit_record(
            actor=by,
            action="schedule.send_now",
            obj=schedule,
            after={"slot_key": slot_key, "deliveries": count},
        )
        transaction.on_commit(_enqueue_send)
    return slot_key


def _enqueue_send() -> None:
    try:
        from .tasks import deliveries_send_task

        deliveries_send_task()
    except Exception:  # the every-minute run picks them up anyway
        log.exception("could not enqueue the sending of deliveries")


def delivery_retry(*, delivery: Delivery, by, now: dt.datetime | None = None) -> Delivery:
    """Give a failed delivery another round of attempts."""
    _may_manage(by)
    now = now or timezone.now()
    with transaction.atomic():
        n = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
            status=Delivery.Status.RETRYING, attempts=0, next_attempt_at=now
        )
        if n:
            audit_record(actor=by, action="delivery.retry", obj=delivery)
    delivery.refresh_from_db()
    return delivery


# ---------------------------------------------------------------- sending


def _due_q(now: dt.datetime) -> Q:
    waiting = Q(
        status__in=(Delivery.Status.QUEUED, Delivery.Status.RETRYING), next_attempt_at__lte=now
    )
    abandoned = Q(status=Delivery.Status.SENDING, lease_until__lte=now)
    return waiting | abandoned


def delivery_claim(delivery_id: int, *, now: dt.datetime) -> str | None:
    """Take a delivery for sending. One conditional UPDATE: only one worker can win it.
    Returns the claim token, or None when someone else has it or it is not due."""
    token = uuid.uuid4().hex
    changed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(_due_q(now), attempts__lt=max_attempts())
        .update(
            status=Delivery.Status.SENDING,
            attempts=F("attempts") + 1,
            claim=token,
            lease_until=now + lease(),
        )
    )
    return token if changed == 1 else None


def _fail_exhausted(now: dt.datetime) -> int:
    """Deliveries abandoned mid-send with no attempts left: failed, with the reason."""
    return Delivery.objects.filter(
        status=Delivery.Status.SENDING, lease_until__lte=now, attempts__gte=max_attempts()
    ).update(
        status=Delivery.Status.FAILED,
        claim="",
        last_error="The worker stopped while sending; no attempts left.",
    )


def deliveries_send_due(*, now: dt.datetime | None = None, result: RunResult | None = None):
    """Send every delivery that is due (queued, retrying and due, or abandoned by a worker
    whose lease expired), at most REPORTS_SEND_BATCH per call."""
    now = now or timezone.now()
    result = result or RunResult()
    _fail_exhausted(now)
    batch = _setting("REPORTS_SEND_BATCH", 500)
    ids = list(
        Delivery.objects.filter(_due_q(now), attempts__lt=max_attempts())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:batch]
    )
    cache: dict = {}
    for pk in ids:
        token = delivery_claim(pk, now=now)
        if token is None:
            continue
        outcome = delivery_send(pk, token=token, now=now, cache=cache)
        if outcome == Delivery.Status.SENT:
            result.sent += 1
        elif outcome == Delivery.Status.RETRYING:
            result.retrying += 1
        elif outcome == Delivery.Status.FAILED:
            result.failed += 1
    return result


def message_id(delivery: Delivery) -> str:
    """The same on every attempt of a delivery, so a receiver can drop a duplicate."""
    domain = getattr(settings, "REPORTS_MESSAGE_ID_DOMAIN", "") or (
        settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "salesops.invalid"
    )
    digest = hashlib.sha256(
        f"{delivery.schedule_id}|{delivery.slot_key}|{delivery.account_id}|"
        f"{delivery.recipient}".encode()
    ).hexdigest()[:16]
    return f"<salesops.delivery.{delivery.pk}.{digest}@{domain}>"


def _renderer():
    try:
        from salesops.receivables.documents import document_render
    except ImportError as exc:  # the documents package is not installed in this build
        raise RendererUnavailable(_("The document renderer is not available.")) from exc
    return document_render


def render_documents(
    *, schedule: Schedule, account: Account, start, end, lang: str, user=None
) -> list:
    """The schedule's document(s) for one account: one per format (pdf, xlsx or both)."""
    render = _renderer()
    fmts = ("pdf", "xlsx") if schedule.fmt == Schedule.Format.BOTH else (schedule.fmt,)
    return [
        render(
            kind=schedule.kind, account=account, start=start, end=end, fmt=f, lang=lang, user=user
        )
        for f in fmts
    ]


def _compose(d: Delivery, docs: list) -> EmailMessage:
    kind_label = DocumentKind(d.schedule.kind).label
    with translation.override(d.language):
        if d.period_start == d.period_end:
            when = _("as of %(date)s") % {"date": d.period_end.isoformat()}
        else:
            when = _("%(start)s to %(end)s") % {
                "start": d.period_start.isoformat(),
                "end": d.period_end.isoformat(),
            }
        subject = _("%(document)s · %(account)s · %(when)s") % {
            "document": str(kind_label),
            "account": d.account.name,
            "when": when,
        }
        body = _(
            "Dear partner,\n\nplease find attached the %(document)s of %(account)s "
            "(%(number)s), %(when)s.\n\nThis e-mail was sent automatically by schedule "
            '"%(schedule)s". For questions about the figures, reply to this e-mail.\n'
        ) % {
            "document": str(kind_label),
            "account": d.account.name,
            "number": d.account.number,
            "when": when,
            "schedule": d.schedule.name,
        }
    msg = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[d.recipient],
        headers={"Message-ID": d.message_id, "X-SalesOps-Delivery": str(d.pk)},
    )
    for doc in docs:
        msg.attach(doc.filename, doc.content, doc.content_type)
    return msg


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(c >= 500 for c in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def delivery_send(
    pk: int, *, token: str, now: dt.datetime | None = None, cache: dict | None = None
) -> str | None:
    """Render and send one claimed delivery, then record the outcome (only while the claim
    is still ours). Returns the new status."""
    cache = {} if cache is None else cache
    d = Delivery.objects.select_related("schedule", "account").get(pk=pk)
    if d.claim != token:
        return None
    if not d.message_id:
        d.message_id = message_id(d)
        Delivery.objects.filter(pk=pk, claim=token).update(message_id=d.message_id)
    error, permanent = "", False
    try:
        key = (d.schedule_id, d.slot_key, d.account_id, d.language)
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = render_documents(
                schedule=d.schedule,
                account=d.account,
                start=d.period_start,
                end=d.period_end,
                lang=d.language,
            )
        _compose(d, cache[key]).send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        error, permanent = f"{type(exc).__name__}: {exc}", _permanent(exc)
    except Exception as exc:  # a rendering error: kept on the delivery, retried
        log.exception("delivery %s: could not render or send", pk)
        error = f"{type(exc).__name__}: {exc}"
    # `now` is the run's clock (backoff counts from it); sent_at is the real moment.
    now = now or timezone.now()
    mine = Delivery.objects.filter(pk=pk, claim=token, status=Delivery.Status.SENDING)
    if not error:
        mine.update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", lease_until=None
        )
        return Delivery.Status.SENT
    if permanent or d.attempts >= max_attempts():
        mine.update(status=Delivery.Status.FAILED, last_error=error[:2000], lease_until=None)
        return Delivery.Status.FAILED
    mine.update(
        status=Delivery.Status.RETRYING,
        last_error=error[:2000],
        next_attempt_at=now + backoff(d.attempts),
        lease_until=None,
    )
    return Delivery.Status.RETRYING
