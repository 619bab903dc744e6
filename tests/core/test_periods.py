"""The fiscal calendar: calendar months by default, 4-4-5 (and 4-5-4, 5-4-4) years of 52 or 53
weeks, fiscal years that start in any month; periods are contiguous and cover the year."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.core.periods import FiscalCalendar

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
calendars = st.builds(
    FiscalCalendar,
    pattern=st.sampled_from(["calendar", "445", "454", "544"]),
    start_month=st.integers(min_value=1, max_value=12),
    week_end=st.integers(min_value=0, max_value=6),
)
retail = st.builds(
    FiscalCalendar,
    pattern=st.sampled_from(["445", "454", "544"]),
    start_month=st.integers(min_value=1, max_value=12),
    week_end=st.integers(min_value=0, max_value=6),
)


def _contiguous(periods, start, end) -> bool:
    return (
        periods[0].start == start
        and periods[-1].end == end
        and all(a.end + timedelta(days=1) == b.start for a, b in pairwise(periods))
    )


def test_calendar_months_are_the_months_of_the_year():
    cal = FiscalCalendar()
    year = cal.year_of(date(2026, 7, 14))
    assert (year.start, year.end, year.label) == (date(2026, 1, 1), date(2026, 12, 31), "FY2026")
    months = cal.months(year)
    assert [m.start.month for m in months] == list(range(1, 13))
    assert months[1].end == date(2026, 2, 28)
    assert cal.period_of(date(2024, 2, 29), "month").end == date(2024, 2, 29)


def test_a_fiscal_year_starting_in_april_is_named_after_the_year_it_ends_in():
    cal = FiscalCalendar(start_month=4)
    year = cal.year_of(date(2026, 5, 1))
    assert (year.start, year.end, year.label) == (date(2026, 4, 1), date(2027, 3, 31), "FY2027")
    assert cal.year_of(date(2026, 3, 31)).label == "FY2026"
    q1 = cal.period_of(date(2026, 6, 30), "quarter")
    assert (q1.start, q1.end, q1.label) == (date(2026, 4, 1), date(2026, 6, 30), "FY2027-Q1")


@given(day=days, cal=calendars)
def test_every_day_falls_in_exactly_one_fiscal_year_of_twelve_contiguous_months(day, cal):
    year = cal.year_of(day)
    assert day in year
    months = cal.months(year)
    assert len(months) == 12
    assert _contiguous(months, year.start, year.end)
    assert sum(1 for m in months if day in m) == 1


@given(day=days, cal=calendars)
def test_quarters_are_three_months_each_and_cover_the_year(day, cal):
    year = cal.year_of(day)
    months, quarters = cal.months(year), cal.quarters(year)
    assert len(quarters) == 4
    assert _contiguous(quarters, year.start, year.end)
    assert [(q.start, q.end) for q in quarters] == [
        (months[3 * i].start, months[3 * i + 2].end) for i in range(4)
    ]


@given(day=days, cal=retail)
def test_retail_years_have_52_or_53_weeks_and_quarters_of_13_weeks(day, cal):
    year = cal.year_of(day)
    assert year.days in (364, 371)
    assert year.end.weekday() == cal.week_end
    quarter_weeks = [q.days // 7 for q in cal.quarters(year)]
    assert all(q.days % 7 == 0 for q in cal.quarters(year))
    if year.days == 364:
        assert quarter_weeks == [13, 13, 13, 13]
    else:
        assert quarter_weeks == [13, 13, 13, 14]
    month_weeks = [m.days // 7 for m in cal.months(year)]
    pattern = [int(c) for c in cal.pattern] * 4
    if year.days == 371:
        pattern[11] += 1
    assert month_weeks == pattern


@given(day=days, cal=retail)
def test_retail_years_end_on_the_week_end_nearest_the_end_of_the_month(day, cal):
    year = cal.year_of(day)
    end_month = (cal.start_month - 2) % 12 + 1
    # the month end nearest to the fiscal year end is within 3 days of it
    candidates = []
    for y in (year.end.year - 1, year.end.year, year.end.year + 1):
        nxt = date(y, end_month % 12 + 1, 1) if end_month < 12 else date(y + 1, 1, 1)
        candidates.append(nxt - timedelta(days=1))
    assert min(abs((year.end - c).days) for c in candidates) <= 3


@given(day=days, cal=retail)
def test_retail_weeks_are_seven_days_and_cover_the_year(day, cal):
    year = cal.year_of(day)
    weeks = cal.weeks(year)
    assert len(weeks) == year.days // 7
    assert all(w.days == 7 for w in weeks)
    assert _contiguous(weeks, year.start, year.end)


@pytest.mark.parametrize("kind", ["week", "month", "quarter", "year"])
@settings(max_examples=40)
@given(day=days, cal=calendars, span=st.integers(min_value=0, max_value=400))
def test_period_of_agrees_with_periods_between(kind, day, cal, span):
    end = day + timedelta(days=span)
    periods = cal.periods_between(day, end, kind)
    assert periods[0] == cal.period_of(day, kind)
    assert periods[-1] == cal.period_of(end, kind)
    assert all(a.end + timedelta(days=1) == b.start for a, b in pairwise(periods))
    probe = day + timedelta(days=span // 2)
    assert cal.period_of(probe, kind) in periods


@given(day=days)
def test_calendar_weeks_are_iso_weeks_monday_to_sunday(day):
    week = FiscalCalendar().period_of(day, "week")
    iso = day.isocalendar()
    assert week.start.weekday() == 0 and week.days == 7
    assert week.label == f"{iso.year}-W{iso.week:02d}"


@pytest.mark.parametrize(("pattern", "start_month"), [("weekly", 1), ("calendar", 13)])
def test_unknown_patterns_and_months_are_refused(pattern, start_month):
    with pytest.raises(ValueError):
        FiscalCalendar(pattern=pattern, start_month=start_month)
