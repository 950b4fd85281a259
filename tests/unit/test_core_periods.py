"""Periods (huddle.dashboard.core.periods): text forms of every grain parse and format back, previous(), bad text.

Forms: shift ``2026-11-20/N``, day ``2026-11-20``, week ``2026-W47``, month ``2026-11``, quarter ``2026-Q4``,
year ``2026``. A text that cannot be understood raises PeriodError naming the expected form.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from huddle.dashboard.core.periods import (
    GRAINS,
    Period,
    PeriodError,
    bucket_key,
    format_period,
    label_grain,
    parse_period,
    period_containing,
)

EXAMPLES = {
    "shift": ("2026-11-20/N", date(2026, 11, 20), date(2026, 11, 20)),
    "day": ("2026-11-20", date(2026, 11, 20), date(2026, 11, 20)),
    "week": ("2026-W47", date(2026, 11, 16), date(2026, 11, 22)),
    "month": ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    "quarter": ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    "year": ("2026", date(2026, 1, 1), date(2026, 12, 31)),
}


def test_every_grain_has_an_example() -> None:
    assert set(EXAMPLES) == set(GRAINS)


@pytest.mark.parametrize("grain", GRAINS)
def test_parse_and_format_round_trip(grain: str) -> None:
    text, first, last = EXAMPLES[grain]
    p = parse_period(grain, text)
    assert (p.grain, p.first, p.last) == (grain, first, last)
    assert p.label == text
    assert format_period(grain, p.first, p.shift) == text
    assert parse_period(grain, p.label) == p
    assert parse_period(grain, f"  {text} ") == p  # surrounding blanks are ignored


@pytest.mark.parametrize(
    ("grain", "text", "label", "first", "last"),
    [
        ("week", "2026-W1", "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),  # week 1 starts in December
        ("week", "2026-W53", "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),  # 2026 has 53 ISO weeks
        ("month", "2026-1", "2026-01", date(2026, 1, 1), date(2026, 1, 31)),
        ("month", "2028-02", "2028-02", date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("month", "2026-02", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("month", "2026-12", "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("quarter", "2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("quarter", "2026-Q2", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("shift", "2026-03-28/N", "2026-03-28/N", date(2026, 3, 28), date(2026, 3, 28)),
    ],
)
def test_parse_edge_forms(grain: str, text: str, label: str, first: date, last: date) -> None:
    p = parse_period(grain, text)
    assert (p.first, p.last, p.label) == (first, last, label)


def test_every_day_of_a_year_round_trips_through_every_grain() -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        for grain in GRAINS:
            shift = "E" if grain == "shift" else None
            p = period_containing(grain, day, shift)
            assert p.first <= day <= p.last
            assert parse_period(grain, p.label) == p
            assert bucket_key(grain, day, shift) == p.label
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("grain", "text", "previous"),
    [
        ("shift", "2026-11-20/N", "2026-11-19/N"),  # the same shift the day before
        ("day", "2026-03-01", "2026-02-28"),
        ("week", "2026-W01", "2025-W52"),
        ("week", "2027-W01", "2026-W53"),
        ("month", "2026-01", "2025-12"),
        ("month", "2026-03", "2026-02"),
        ("quarter", "2026-Q1", "2025-Q4"),
        ("quarter", "2026-Q3", "2026-Q2"),
        ("year", "2026", "2025"),
    ],
)
def test_previous(grain: str, text: str, previous: str) -> None:
    prev = parse_period(grain, text).previous()
    assert prev.grain == grain
    assert prev.label == previous
    assert prev == parse_period(grain, previous)


def test_previous_month_has_its_own_length() -> None:
    prev = parse_period("month", "2026-03").previous()
    assert (prev.first, prev.last) == (date(2026, 2, 1), date(2026, 2, 28))


@pytest.mark.parametrize(
    ("grain", "text", "expected_form"),
    [
        pytest.param("shift", "2026-11-20", "2026-11-20/N", id="shift-without-key"),
        pytest.param("week", "2026-47", "2026-W47", id="week-without-W"),
        pytest.param("quarter", "2026-Q5", "2026-Q4", id="quarter-5"),
        pytest.param("quarter", "Q4 2026", "2026-Q4", id="quarter-reversed"),
        pytest.param("month", "Nov 2026", "2026-11", id="month-name"),
        pytest.param("day", "20.11.2026", "2026-11-20", id="day-german"),
        pytest.param("day", "", "2026-11-20", id="day-empty"),
        pytest.param("year", "twenty", "2026", id="year-word"),
        pytest.param("month", "2026-13", "2026-11", id="month-13"),
        pytest.param("week", "2026-W00", "2026-W47", id="week-0"),
    ],
)
def test_bad_text_names_the_expected_form(grain: str, text: str, expected_form: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(grain, text)
    assert expected_form in str(info.value)


@pytest.mark.parametrize(
    ("grain", "text"),
    [
        ("day", "20.11.2026"), ("day", ""), ("day", "2026-02-30"), ("year", "twenty"), ("year", "0"),
        ("month", "2026-13"), ("month", "2026-00"), ("week", "2026-W00"), ("week", "2025-W53"),
        ("shift", "2026-02-30/N"), ("quarter", "2026-Q0"),
    ],
)
def test_bad_text_raises_period_error_naming_grain_and_text(grain: str, text: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(grain, text)
    assert grain in str(info.value)
    assert repr(text) in str(info.value)


def test_period_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown grain 'fortnight'"):
        parse_period("fortnight", "2026-11")


def test_unknown_grain_and_shift_without_key() -> None:
    with pytest.raises(PeriodError, match="use one of shift, day, week, month, quarter, year"):
        period_containing("decade", date(2026, 1, 1))
    with pytest.raises(PeriodError, match="shift key"):
        period_containing("shift", date(2026, 1, 1))


def test_period_is_hashable_and_comparable() -> None:
    a = Period("day", date(2026, 1, 1), date(2026, 1, 1))
    assert a == parse_period("day", "2026-01-01")
    assert len({a, parse_period("day", "2026-01-01")}) == 1


@pytest.mark.parametrize("grain, text", [("day", "9999-12-31"), ("day", "0001-01-01"), ("day", "1899-12-31"),
                                         ("month", "9999-12"), ("month", "0001-02"), ("quarter", "0001-Q1"),
                                         ("year", "9999"), ("week", "0001-W01"), ("shift", "9999-12-31/N")])
def test_asked_periods_outside_the_calendar_are_refused_with_the_range(grain: str, text: str) -> None:
    from huddle.dashboard.core.periods import PeriodRangeError, parse_asked_period

    with pytest.raises(PeriodRangeError, match=rf"^{text} is outside the dates Huddle can show "
                                              r"\(1900-01-01 to 9998-12-31\)$"):
        parse_asked_period(grain, text)


@pytest.mark.parametrize("grain, text", [("day", "1900-01-01"), ("day", "9998-12-31"), ("week", "9998-W52"),
                                         ("month", "1900-01"), ("quarter", "9998-Q4"), ("year", "9998")])
def test_the_first_and_last_asked_periods_and_their_neighbours_can_be_computed(grain: str, text: str) -> None:
    from huddle.dashboard.core.periods import parse_asked_period

    period = parse_asked_period(grain, text)
    assert period.previous().last < period.first
    assert period_containing(grain, period.last + timedelta(days=1)).first > period.last


def test_an_asked_period_that_is_not_a_period_still_says_the_expected_form() -> None:
    from huddle.dashboard.core.periods import PeriodRangeError, parse_asked_period

    with pytest.raises(PeriodError, match="expected like 2026-11") as refused:
        parse_asked_period("month", "2026-13")
    assert not isinstance(refused.value, PeriodRangeError)


@pytest.mark.parametrize("grain", GRAINS)
def test_a_label_says_its_grain(grain: str) -> None:
    text, first, _last = EXAMPLES[grain]
    assert label_grain(text) == grain
    assert label_grain(format_period(grain, first, "E" if grain == "shift" else None)) == grain
    assert label_grain("20 Nov") is None and label_grain("") is None
