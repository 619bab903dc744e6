"""When a schedule fires, and which period a run covers.

Cron expressions are read in the schedule's own time zone, on its wall clock: "0 8 * * MON"
in Asia/Shanghai fires at 08:00 Shanghai time, 00:00 UTC. croniter iterates naive local
times, and each is then placed in the zone, so daylight saving is handled the way people
expect of a wall-clock schedule:
- when clocks go back, a local time that happens twice (02:30 in Europe/Berlin in October)
  fires once, at its first occurrence;
- when clocks go forward, a local time that does not exist (02:30 in March) fires at the
  same moment of the old offset, i.e. 03:30 local; two slots that land on the same instant
  are one slot.
Slot instants are returned in UTC.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from datetime import date, timedelta

from croniter import croniter

from salesops.core.periods import FiscalCalendar

UTC = dt.UTC
MAX_SLOTS = 10_000  # a bound on the slots listed between two instants (every-minute schedules)


def cron_valid(expr: str) -> bool:
    parts = expr.split()
    return len(parts) == 5 and croniter.is_valid(expr)


def tz_valid(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _place(local_naive: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time (first occurrence; gap times at the old offset)."""
    return local_naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def slots_after(
    expr: str, tz_name: str, after: dt.datetime, *, limit: int = MAX_SLOTS
) -> list[dt.datetime]:
    """The next `limit` slot instants (UTC) strictly after `after`."""
    return slots_between(expr, tz_name, after, None, limit=limit)


def slots_between(
    expr: str,
    tz_name: str,
    after: dt.datetime,
    until: dt.datetime | None,
    *,
    limit: int = MAX_SLOTS,
) -> list[dt.datetime]:
    """Slot instants (UTC) in (after, until], oldest first, at most `limit` (the newest are
    kept when there are more, so a catch-up after long downtime still sees the latest)."""
    tz = zoneinfo.ZoneInfo(tz_name)
    # Start one day early on the wall clock: with an offset change in between, the first
    # local time after `after` can be earlier than `after`'s own wall-clock reading.
    start_local = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    it = croniter(expr, start_local)
    out: list[dt.datetime] = []
    last = after
    while True:
        local = it.get_next(dt.datetime)
        instant = _place(local, tz)
        if instant <= last:
            continue
        if until is not None and instant > until:
            break
        out.append(instant)
        last = instant
        if until is None and len(out) >= limit:
            break
        if until is not None and len(out) > limit:
            out.pop(0)
    return out


def slot_before(expr: str, tz_name: str, at: dt.datetime) -> dt.datetime | None:
    """The latest slot at or before `at` (UTC), looking back up to 400 days."""
    tz = zoneinfo.ZoneInfo(tz_name)
    it = croniter(expr, at.astimezone(tz).replace(tzinfo=None) + timedelta(days=1))
    horizon = at - timedelta(days=400)
    while True:
        instant = _place(it.get_prev(dt.datetime), tz)
        if instant <= at:
            return instant
        if instant < horizon:  # pragma: no cover - cron always fires within a year
            return None


def local_date(instant: dt.datetime, tz_name: str) -> date:
    return instant.astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def period_for(rule: str, day: date, calendar: FiscalCalendar) -> tuple[date, date]:
    """The (start, end) dates a run on `day` (the slot's date in the schedule's zone) covers.
    For an order board `end` is the as-of date."""
    if rule == "previous_month":
        this = calendar.period_of(day, "month")
        prev = calendar.period_of(this.start - timedelta(days=1), "month")
        return prev.start, prev.end
    if rule == "month_to_date":
        return calendar.period_of(day, "month").start, day
    if rule == "previous_week":
        this = calendar.period_of(day, "week")
        prev = calendar.period_of(this.start - timedelta(days=1), "week")
        return prev.start, prev.end
    if rule == "last_7_days":
        return day - timedelta(days=7), day - timedelta(days=1)
    if rule == "as_of_today":
        return day, day
    raise ValueError(f"unknown period rule {rule!r}")
