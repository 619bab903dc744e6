"""Fiscal calendar and periods. No Django here: settings are passed in.

Calendar months are the default. A 4-4-5 calendar ("445", or "454"/"544") divides a fiscal
year of 52 weeks (53 when the year's end drifts) into quarters of 13 weeks; the year ends on
the last `week_end` weekday nearest to the end of the month before `start_month` (the usual
"nearest to" retail rule). Weeks are ISO weeks (Monday to Sunday) in a calendar year and
fiscal weeks in a 4-4-5 year.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["week", "month", "quarter", "year"]
KINDS: tuple[PeriodKind, ...] = ("week", "month", "quarter", "year")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    kind: PeriodKind
    label: str

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class FiscalCalendar:
    pattern: str = "calendar"  # "calendar", "445", "454", "544"
    start_month: int = 1
    week_end: int = 6  # Sunday (Monday=0), for 4-4-5 years

    def __post_init__(self):
        if self.pattern not in ("calendar", "445", "454", "544"):
            raise ValueError(f"unknown fiscal calendar pattern '{self.pattern}'")
        if not 1 <= self.start_month <= 12:
            raise ValueError("fiscal year start month must be 1..12")

    # -- years -------------------------------------------------------------------------
    def _year_end(self, fy: int) -> date:
        """Last day of fiscal year `fy` (named after the calendar year it ends in)."""
        end_month = (self.start_month - 2) % 12 + 1
        month_end = date(fy, end_month, calendar.monthrange(fy, end_month)[1])
        if self.pattern == "calendar":
            return month_end
        offset = (month_end.weekday() - self.week_end) % 7
        last = month_end - timedelta(days=offset)
        nxt = last + timedelta(days=7)
        return nxt if (nxt - month_end) < (month_end - last) else last

    def year_of(self, day: date) -> Period:
        fy = day.year if self.start_month == 1 else day.year + (day.month >= self.start_month)
        while day > self._year_end(fy):
            fy += 1
        while day <= self._year_end(fy - 1):
            fy -= 1
        start = self._year_end(fy - 1) + timedelta(days=1)
        return Period(start, self._year_end(fy), "year", f"FY{fy}")

    # -- the rest -------------------------------------------------------------------------
    def months(self, year: Period) -> list[Period]:
        fy = year.label
        if self.pattern == "calendar":
            out, cur = [], year.start
            for i in range(12):
                last = date(cur.year, cur.month, calendar.monthrange(cur.year, cur.month)[1])
                out.append(Period(cur, last, "month", f"{fy}-P{i + 1:02d}"))
                cur = last + timedelta(days=1)
            return out
        weeks = [int(c) for c in self.pattern] * 4
        extra_week = year.days // 7 == 53
        out, cur = [], year.start
        for i, w in enumerate(weeks):
            if extra_week and i == 11:
                w += 1
            last = cur + timedelta(weeks=w) - timedelta(days=1)
            out.append(Period(cur, last, "month", f"{fy}-P{i + 1:02d}"))
            cur = last + timedelta(days=1)
        return out

    def quarters(self, year: Period) -> list[Period]:
        m = self.months(year)
        return [
            Period(m[3 * q].start, m[3 * q + 2].end, "quarter", f"{year.label}-Q{q + 1}")
            for q in range(4)
        ]

    def weeks(self, year: Period) -> list[Period]:
        if self.pattern == "calendar":
            first = year.start - timedelta(days=year.start.weekday())
            out, cur = [], first
            while cur <= year.end:
                iso = cur.isocalendar()
                out.append(
                    Period(cur, cur + timedelta(days=6), "week", f"{iso.year}-W{iso.week:02d}")
                )
                cur += timedelta(days=7)
            return out
        n = year.days // 7
        return [
            Period(
                year.start + timedelta(weeks=i),
                year.start + timedelta(weeks=i + 1, days=-1),
                "week",
                f"{year.label}-W{i + 1:02d}",
            )
            for i in range(n)
        ]

    def period_of(self, day: date, kind: PeriodKind) -> Period:
        if kind == "year":
            return self.year_of(day)
        if kind == "week" and self.pattern == "calendar":
            start = day - timedelta(days=day.weekday())
            iso = day.isocalendar()
            return Period(start, start + timedelta(days=6), "week", f"{iso.year}-W{iso.week:02d}")
        year = self.year_of(day)
        pool = {"month": self.months, "quarter": self.quarters, "week": self.weeks}[kind](year)
        for p in pool:
            if day in p:
                return p
        raise AssertionError(f"{day} falls in no {kind} of {year.label}")  # pragma: no cover

    def periods_between(self, start: date, end: date, kind: PeriodKind) -> list[Period]:
        out: list[Period] = []
        cur = start
        while cur <= end:
            p = self.period_of(cur, kind)
            out.append(p)
            cur = p.end + timedelta(days=1)
        return out
