"""Which recorded hours count for which days of a period, and how much of each: worked examples of
``core.hours.share_of`` and its words."""

from __future__ import annotations

from datetime import date

import pytest
from huddle.dashboard.core.hours import RecordedHours, day_runs, recorded_period, share_of, share_words


def _row(grain: str, first: date, hours: float) -> RecordedHours:
    return RecordedHours(grain, *recorded_period(grain, first), hours)


NOVEMBER = _row("month", date(2026, 11, 1), 300_000)  # 10,000 h a day
DECEMBER = _row("month", date(2026, 12, 1), 310_000)  # 10,000 h a day
# Monday to Wednesday of week 47 day by day, 12,000 h each
DAYS = [_row("day", date(2026, 11, d), 12_000) for d in (16, 17, 18)]


def test_a_month_asked_reads_its_month_total_even_when_days_are_recorded_too() -> None:
    share = share_of([NOVEMBER, *DAYS], date(2026, 11, 1), date(2026, 11, 30))
    assert share.hours == 300_000 and share.used == ((NOVEMBER, 30),) and not share.prorated
    assert share.uncovered == () and share_words(share) == "November 2026"


def test_a_week_takes_the_days_recorded_and_the_month_prorated_for_the_rest() -> None:
    share = share_of([NOVEMBER, *DAYS], date(2026, 11, 16), date(2026, 11, 22))
    # Monday to Wednesday 3 × 12,000 h; Thursday to Sunday 4 of November's 30 days of 300,000 h
    assert share.hours == pytest.approx(36_000 + 40_000)
    assert share_words(share) == "3 days in full, November 2026 prorated 4 of 30 days"
    assert share.prorated


def test_a_week_across_two_months_prorates_each() -> None:
    share = share_of([NOVEMBER, DECEMBER], date(2026, 11, 30), date(2026, 12, 6))
    assert share.hours == pytest.approx(10_000 + 60_000)
    assert share_words(share) == ("November 2026 prorated 1 of 30 days, December 2026 prorated 6 of 31 days")


def test_days_no_recorded_period_covers_are_left_uncovered() -> None:
    share = share_of([NOVEMBER], date(2026, 11, 29), date(2026, 12, 2))
    assert share.hours == pytest.approx(20_000)
    assert share.uncovered == (date(2026, 12, 1), date(2026, 12, 2))


def test_weights_count_a_share_of_each_day() -> None:
    # a shift running a quarter of Monday's shift time and not on Tuesday (no weight): 12,000 h / 4
    share = share_of(DAYS[:2], date(2026, 11, 16), date(2026, 11, 17), {date(2026, 11, 16): 0.25})
    assert share.hours == 3_000 and share.prorated
    assert share_words(share) == "2 days in full"


def test_whole_periods_are_counted_by_grain_and_runs_of_days_read_as_ranges() -> None:
    year = [_row("month", date(2026, m, 1), 1.0) for m in range(1, 13)]
    assert share_words(share_of(year, date(2026, 1, 1), date(2026, 12, 31))) == "12 months in full"
    weeks = [_row("week", date(2026, 11, 2), 1.0), _row("week", date(2026, 11, 9), 1.0)]
    assert share_words(share_of([*weeks, NOVEMBER], date(2026, 11, 1), date(2026, 11, 30))) == "November 2026"
    assert share_words(share_of(weeks, date(2026, 11, 2), date(2026, 11, 15))) == "2 weeks in full"
    assert day_runs([date(2026, 12, 2), date(2026, 12, 1), date(2026, 12, 7)], date(2026, 12, 31)) == (
        "Tue 1 Dec–Wed 2 Dec, Mon 7 Dec")
    assert day_runs([date(2025, 12, 31)], date(2026, 1, 1)) == "Wed 31 Dec 2025"


def test_only_days_weeks_and_months_are_recorded() -> None:
    assert recorded_period("week", date(2026, 11, 18)) == (date(2026, 11, 16), date(2026, 11, 23))
    with pytest.raises(ValueError, match="per day, week or month"):
        recorded_period("quarter", date(2026, 10, 1))
