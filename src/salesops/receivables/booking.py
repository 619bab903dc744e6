"""The 24-hour booking rule: every receipt is booked within settings.BOOKING_LIMIT_HOURS of
being received.

- `time_left` is the clock the desk shows (hours:minutes; "warn" inside the last
  BOOKING_WARN_HOURS, "overdue" past the limit).
- `payment_book_allocate` books a receipt to an account and allocates it to invoices in one
  transaction (the desk's "book and allocate" step); what is not allocated stays on account.
- `booking_warnings_send` (run every 5 minutes by receivables.tasks) e-mails the coordinators
  once per receipt that is about to miss the limit or has missed it.
- `booking_report` is the share booked within the limit by ISO week and by coordinator.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesops.core.errors import PermissionDenied
from salesops.core.formatting import money_text
from salesops.core.models import Role, User
from salesops.core.scoping import scope_for

from . import services
from .models import Invoice, Payment

log = logging.getLogger(__name__)

WARN_BATCH = 500  # receipts warned per run at most; the next run takes the rest


# ---------------------------------------------------------------- the clock


@dataclass(frozen=True)
class TimeLeft:
    seconds: int  # negative when overdue
    state: str  # "ok", "warn" (inside BOOKING_WARN_HOURS) or "overdue"

    @property
    def text(self) -> str:
        """hours:minutes left, or how long overdue (also hours:minutes)."""
        minutes = abs(self.seconds) // 60
        return f"{minutes // 60}:{minutes % 60:02d}"


def deadline(payment: Payment) -> dt.datetime:
    return payment.received_at + dt.timedelta(hours=settings.BOOKING_LIMIT_HOURS)


def time_left(payment: Payment, *, now: dt.datetime | None = None) -> TimeLeft:
    seconds = int((deadline(payment) - (now or timezone.now())).total_seconds())
    if seconds < 0:
        state = "overdue"
    elif seconds < settings.BOOKING_WARN_HOURS * 3600:
        state = "warn"
    else:
        state = "ok"
    return TimeLeft(seconds, state)


# ---------------------------------------------------------------- book and allocate


def suggest_oldest_first(amount: Decimal, items) -> dict[int, Decimal]:
    """Spread `amount` over open items in the order given (oldest due first): each gets
    what it still owes until the money runs out. Returns {invoice id: amount}."""
    left = Decimal(amount)
    out: dict[int, Decimal] = {}
    for inv in items:
        if left <= 0:
            break
        part = min(left, inv.open_amount)
        if part > 0:
            out[inv.pk] = part
            left -= part
    return out


def payment_book_allocate(
    *, payment: Payment, account=None, allocations: list[tuple[Invoice, Decimal]], by
) -> Payment:
    """Book the receipt (when not booked yet) and allocate it, all or nothing: if one
    allocation is refused, the booking is undone too. What is not allocated stays on account."""
    with transaction.atomic():
        if payment.status == Payment.Status.RECEIVED:
            payment = services.payment_book(payment=payment, account=account, by=by)
        for invoice, amount in allocations:
            services.payment_allocate(payment=payment, invoice=invoice, amount=amount, by=by)
        payment.refresh_from_db()
    return payment


# ---------------------------------------------------------------- warnings


def receipts_to_warn(*, now: dt.datetime | None = None):
    """Unbooked receipts inside the warning window (or past the limit) not warned yet."""
    now = now or timezone.now()
    edge = now - dt.timedelta(hours=settings.BOOKING_LIMIT_HOURS - settings.BOOKING_WARN_HOURS)
    return Payment.objects.filter(
        status=Payment.Status.RECEIVED, booking_warned_at__isnull=True, received_at__lte=edge
    ).order_by("received_at", "id")


def coordinator_recipients() -> dict[str, list[str]]:
    """Coordinators' e-mail addresses grouped by their language ('' = the site default)."""
    out: dict[str, list[str]] = {}
    rows = (
        User.objects.filter(role=Role.COORDINATOR, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", "language")
    )
    for email, language in rows:
        out.setdefault(language or settings.LANGUAGE_CODE, []).append(email)
    return out


def _warning_message(payment: Payment, now: dt.datetime) -> tuple[str, str]:
    left = time_left(payment, now=now)
    due = timezone.localtime(deadline(payment)).strftime("%Y-%m-%d %H:%M %Z")
    amount = money_text(payment.amount, payment.currency)
    if left.state == "overdue":
        subject = _("Receipt %(number)s is overdue for booking") % {"number": payment.number}
        first = _("Receipt %(number)s (%(amount)s) should have been booked by %(due)s.") % {
            "number": payment.number,
            "amount": amount,
            "due": due,
        }
    else:
        subject = _("Receipt %(number)s must be booked within %(left)s") % {
            "number": payment.number,
            "left": left.text,
        }
        first = _("Receipt %(number)s (%(amount)s) must be booked by %(due)s.") % {
            "number": payment.number,
            "amount": amount,
            "due": due,
        }
    lines = [
        first,
        _("Received: %(at)s")
        % {"at": timezone.localtime(payment.received_at).strftime("%Y-%m-%d %H:%M")},
        _("Payer: %(payer)s") % {"payer": payment.payer_name or "—"},
        _("Reference: %(ref)s") % {"ref": payment.reference or "—"},
        "",
        _("Book it on the receipts page: %(url)s")
        % {"url": _site_url() + reverse("receivables:receipts")},
    ]
    return subject, "\n".join(lines)


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"


def _send_warning(payment_id: int, stamp: dt.datetime, recipients: dict[str, list[str]]) -> None:
    """After commit: send the warning; if the mail server refuses, clear the mark so the next
    run tries again (only if nobody changed it meanwhile)."""
    payment = Payment.objects.get(pk=payment_id)
    try:
        for language, addresses in recipients.items():
            with translation.override(language):
                subject, body = _warning_message(payment, stamp)
            EmailMessage(subject=subject, body=body, to=addresses).send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable, timed out
        log.warning(
            "booking warning for %s not sent (mail server %s:%s: %s); will retry",
            payment.number,
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            exc,
        )
        _warning_unmark(payment_id, stamp)
    except Exception:
        log.exception("booking warning for %s not sent; will retry", payment.number)
        _warning_unmark(payment_id, stamp)


def _warning_unmark(payment_id: int, stamp: dt.datetime) -> None:
    Payment.objects.filter(pk=payment_id, booking_warned_at=stamp).update(booking_warned_at=None)


def booking_warnings_send(*, now: dt.datetime | None = None) -> int:
    """Warn the coordinators once per receipt close to (or past) the booking limit.

    Each receipt is marked (`booking_warned_at`) in the same transaction that queues its
    e-mail with on_commit, so two workers never both send it; a failed send clears the mark
    again, so the next run retries. Returns the number of receipts marked."""
    now = now or timezone.now()
    recipients = coordinator_recipients()
    if not recipients:
        log.warning("receipts are due for booking but no coordinator has an e-mail address")
        return 0
    marked = 0
    for pk in list(receipts_to_warn(now=now).values_list("pk", flat=True)[:WARN_BATCH]):
        with transaction.atomic():
            payment = (
                Payment.objects.select_for_update()
                .filter(pk=pk, status=Payment.Status.RECEIVED, booking_warned_at__isnull=True)
                .first()
            )
            if payment is None:  # booked or warned by someone else meanwhile
                continue
            payment.booking_warned_at = now
            payment.save(update_fields=["booking_warned_at"])
            transaction.on_commit(lambda pk=pk: _send_warning(pk, now, recipients), robust=False)
            marked += 1
    return marked


# ---------------------------------------------------------------- the report


@dataclass
class ReportRow:
    key: str  # ISO week "2026-W42" or the coordinator's name
    received: int = 0
    in_time: int = 0
    late: int = 0
    pending: int = 0  # not booked, still within the limit: not counted in the share
    hours: list = field(default_factory=list, repr=False)

    @property
    def decided(self) -> int:
        return self.in_time + self.late

    @property
    def share(self) -> Decimal | None:
        """Share booked within the limit, as a percentage with one decimal."""
        if not self.decided:
            return None
        return (Decimal(self.in_time) * 100 / self.decided).quantize(Decimal("0.1"))

    @property
    def median_hours(self) -> Decimal | None:
        if not self.hours:
            return None
        return Decimal(str(statistics.median(self.hours))).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class LateReceipt:
    id: int
    number: str
    amount: Decimal
    currency: str
    received_at: dt.datetime
    booked_at: dt.datetime | None
    booked_by: str
    hours: Decimal | None  # hours to book; None while still unbooked


@dataclass
class BookingReport:
    start: dt.date
    end: dt.date
    limit_hours: int
    total: ReportRow
    weeks: list[ReportRow]
    coordinators: list[ReportRow]
    late: list[LateReceipt]


MAX_REPORT_DAYS = 400
LATE_LIST_MAX = 500


def booking_report(
    *, user, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> BookingReport:
    """Receipts received from `start` to `end` (inclusive, in the site's time zone): how
    many were booked within the limit, by ISO week of receipt and by who booked them, the
    median hours to book, and the late ones (booked late, or unbooked past the limit).
    Reversed receipts count by when they were booked. Staff roles only."""
    if scope_for(user).kind != "all":
        raise PermissionDenied(_("The booking report is for sales operations and finance."))
    if end < start:
        start, end = end, start
    start = max(start, end - dt.timedelta(days=MAX_REPORT_DAYS))
    now = now or timezone.now()
    limit = dt.timedelta(hours=settings.BOOKING_LIMIT_HOURS)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Payment.objects.filter(received_at__gte=lo, received_at__lt=hi)
        .exclude(status=Payment.Status.REVERSED, booked_at__isnull=True)
        .order_by("received_at", "id")
        .values_list(
            "pk", "number", "amount", "currency", "received_at", "booked_at", "booked_by_id"
        )
    )
    total = ReportRow(key="total")
    weeks: dict[str, ReportRow] = {}
    people: dict[int, ReportRow] = {}
    late_rows: list[tuple] = []
    for pk, number, amount, currency, received_at, booked_at, booked_by_id in rows.iterator(
        chunk_size=2000
    ):
        year, week, _day = timezone.localtime(received_at, tz).isocalendar()
        key = f"{year}-W{week:02d}"
        targets = [total, weeks.setdefault(key, ReportRow(key=key))]
        if booked_at is not None and booked_by_id is not None:
            targets.append(people.setdefault(booked_by_id, ReportRow(key=str(booked_by_id))))
        hours = None
        if booked_at is not None:
            took = booked_at - received_at
            hours = Decimal(took.total_seconds() / 3600).quantize(Decimal("0.1"))
            outcome = "in_time" if took <= limit else "late"
        else:
            outcome = "late" if now - received_at > limit else "pending"
        for row in targets:
            row.received += 1
            setattr(row, outcome, getattr(row, outcome) + 1)
            if hours is not None:
                row.hours.append(float(hours))
        if outcome == "late" and len(late_rows) < LATE_LIST_MAX:
            late_rows.append(
                (pk, number, amount, currency, received_at, booked_at, booked_by_id, hours)
            )
    ids = set(people) | {r[6] for r in late_rows if r[6]}
    names = {
        u.pk: u.get_full_name() or getattr(getattr(u, "person", None), "name", "") or u.username
        for u in User.objects.filter(pk__in=ids).select_related("person")
    }
    for pk, row in people.items():
        row.key = names.get(pk) or str(pk)
    late = [
        LateReceipt(r[0], r[1], r[2], r[3], r[4], r[5], names.get(r[6], ""), r[7])
        for r in late_rows
    ]
    return BookingReport(
        start=start,
        end=end,
        limit_hours=settings.BOOKING_LIMIT_HOURS,
        total=total,
        weeks=[weeks[k] for k in sorted(weeks)],
        coordinators=sorted(people.values(), key=lambda r: r.key),
        late=late,
    )
