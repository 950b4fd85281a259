"""The shift calendar (huddle.dashboard.core.calendar): DST-aware shift instances, production dates, breaks, locating.

Europe/Berlin: clocks go forward in the night to 2026-03-29 and back in the night to 2026-10-25, so the night
shift starting on 2026-03-28 lasts 7 real hours and the one starting on 2026-10-24 lasts 9.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from huddle.dashboard.core.calendar import Break, ShiftCalendar, ShiftDef

HOUR = 3600.0

EARLY = ShiftDef("E", "Early", time(6), time(14),
                 (Break(time(9), 15), Break(time(11), 30, "meal"), Break(time(12, 45), 15)))
LATE = ShiftDef("L", "Late", time(14), time(22))
NIGHT = ShiftDef("N", "Night", time(22), time(6),
                 (Break(time(23), 15), Break(time(1, 30), 30, "meal"), Break(time(4), 15)))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def three_shifts(rule: str = "start") -> ShiftCalendar:
    return ShiftCalendar("Europe/Berlin", [EARLY, LATE, NIGHT], rule)


@pytest.mark.parametrize(
    ("production_date", "hours", "start", "end"),
    [
        (date(2026, 3, 28), 7, utc(2026, 3, 28, 21), utc(2026, 3, 29, 4)),  # spring forward: CET → CEST
        (date(2026, 10, 24), 9, utc(2026, 10, 24, 20), utc(2026, 10, 25, 5)),  # fall back: CEST → CET
        (date(2026, 3, 27), 8, utc(2026, 3, 27, 21), utc(2026, 3, 28, 5)),  # winter
        (date(2026, 3, 29), 8, utc(2026, 3, 29, 20), utc(2026, 3, 30, 4)),  # summer, the night after
        (date(2026, 7, 15), 8, utc(2026, 7, 15, 20), utc(2026, 7, 16, 4)),
        (date(2026, 10, 25), 8, utc(2026, 10, 25, 21), utc(2026, 10, 26, 5)),
    ],
)
def test_night_shift_real_duration(production_date: date, hours: int, start: datetime, end: datetime) -> None:
    inst = three_shifts().instance(production_date, "N")
    assert inst.duration_s == hours * HOUR
    assert (inst.start_utc, inst.end_utc) == (start, end)
    assert inst.production_date == production_date
    assert inst.shift_key == "N"


def test_day_shifts_keep_eight_hours_on_dst_days() -> None:
    cal = three_shifts()
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        assert cal.instance(day, "E").duration_s == 8 * HOUR
        assert cal.instance(day, "L").duration_s == 8 * HOUR


def test_production_date_rule_start_and_end_for_a_night_shift() -> None:
    start_rule = three_shifts("start").instance(date(2026, 6, 10), "N")
    assert start_rule.start_utc == utc(2026, 6, 10, 20)  # 22:00 CEST on the 10th
    assert start_rule.production_date == date(2026, 6, 10)

    end_rule = three_shifts("end").instance(date(2026, 6, 11), "N")
    assert end_rule.start_utc == utc(2026, 6, 10, 20)  # the same real shift...
    assert end_rule.end_utc == utc(2026, 6, 11, 4)
    assert end_rule.production_date == date(2026, 6, 11)  # ...dated by its end

    # a shift that does not cross midnight has the same date under both rules
    assert three_shifts("end").instance(date(2026, 6, 11), "E").start_utc == utc(2026, 6, 11, 4)
    assert three_shifts("end").instance(date(2026, 6, 11), "E").production_date == date(2026, 6, 11)


def test_end_rule_spring_night_is_dated_the_29th() -> None:
    inst = three_shifts("end").instance(date(2026, 3, 29), "N")
    assert inst.duration_s == 7 * HOUR
    assert inst.start_utc == utc(2026, 3, 28, 21)


def test_bad_production_date_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="production_date"):
        ShiftCalendar("Europe/Berlin", [EARLY], "middle")


def test_breaks_sum_and_instants() -> None:
    cal = three_shifts()
    early = cal.instance(date(2026, 6, 10), "E")
    assert early.planned_breaks_s == 60 * 60.0
    assert early.breaks[0] == (utc(2026, 6, 10, 7), utc(2026, 6, 10, 7, 15))  # 09:00 CEST
    assert early.breaks[1] == (utc(2026, 6, 10, 9), utc(2026, 6, 10, 9, 30))
    # breaks before an instant count only what already happened
    assert early.breaks_before(utc(2026, 6, 10, 9, 10)) == (15 + 10) * 60.0
    assert early.breaks_before(early.start_utc) == 0.0
    assert early.breaks_before(early.end_utc) == 3600.0

    night = cal.instance(date(2026, 6, 10), "N")
    assert night.planned_breaks_s == 60 * 60.0
    # 23:00 is on the start day, 01:30 and 04:00 on the next day
    assert night.breaks[0][0] == utc(2026, 6, 10, 21)
    assert night.breaks[1][0] == utc(2026, 6, 10, 23, 30)
    assert night.breaks[2][0] == utc(2026, 6, 11, 2)


def test_overlap_seconds() -> None:
    early = three_shifts().instance(date(2026, 6, 10), "E")
    assert early.overlap_s(utc(2026, 6, 10, 11, 30), utc(2026, 6, 10, 12, 30)) == 1800.0
    assert early.overlap_s(utc(2026, 6, 10, 12), utc(2026, 6, 10, 13)) == 0.0


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 6, 10, 4), ("E", date(2026, 6, 10))),  # 06:00 local: the early shift's first second
        (utc(2026, 6, 10, 3, 59, 59), ("N", date(2026, 6, 9))),  # 05:59:59: still the night before
        (utc(2026, 6, 10, 11, 59, 59), ("E", date(2026, 6, 10))),
        (utc(2026, 6, 10, 12), ("L", date(2026, 6, 10))),
        (utc(2026, 6, 10, 19, 59, 59), ("L", date(2026, 6, 10))),
        (utc(2026, 6, 10, 20), ("N", date(2026, 6, 10))),
        (utc(2026, 6, 10, 22, 30), ("N", date(2026, 6, 10))),  # after midnight local
        (utc(2026, 10, 25, 0, 30), ("N", date(2026, 10, 24))),  # 02:30 CEST in the long night
        (utc(2026, 10, 25, 1, 30), ("N", date(2026, 10, 24))),  # 02:30 CET, the repeated hour
        (utc(2026, 10, 25, 4, 59, 59), ("N", date(2026, 10, 24))),
        (utc(2026, 10, 25, 5), ("E", date(2026, 10, 25))),  # 06:00 CET
        (utc(2026, 3, 29, 3, 59, 59), ("N", date(2026, 3, 28))),
        (utc(2026, 3, 29, 4), ("E", date(2026, 3, 29))),  # 06:00 CEST
    ],
)
def test_locate_around_boundaries(instant: datetime, expected: tuple[str, date]) -> None:
    inst = three_shifts().locate(instant)
    assert inst is not None
    assert (inst.shift_key, inst.production_date) == expected
    assert inst.start_utc <= instant < inst.end_utc


def test_locate_in_a_gap_is_none() -> None:
    cal = ShiftCalendar("Europe/Berlin", [EARLY, NIGHT])  # 14:00–22:00 is not covered
    assert cal.locate(utc(2026, 6, 10, 12)) is None  # 14:00 CEST
    assert cal.locate(utc(2026, 6, 10, 19, 59, 59)) is None
    assert cal.locate(utc(2026, 6, 10, 11, 59, 59)).shift_key == "E"
    assert cal.locate(utc(2026, 6, 10, 20)).shift_key == "N"


def test_locate_far_apart_instants_uses_the_right_window() -> None:
    cal = three_shifts()
    assert cal.locate(utc(2026, 1, 5, 10)).production_date == date(2026, 1, 5)
    assert cal.locate(utc(2026, 11, 20, 10)).production_date == date(2026, 11, 20)
    assert cal.locate(utc(2026, 1, 6, 10)).production_date == date(2026, 1, 6)


def test_weekdays_are_counted_on_the_start_date() -> None:
    weekday_night = ShiftDef("N", "Night", time(22), time(6), weekdays=frozenset(range(5)))
    cal = ShiftCalendar("Europe/Berlin", [weekday_night])
    # Friday 2026-06-12 22:00 is worked, it ends on Saturday; Saturday night is not
    assert cal.locate(utc(2026, 6, 13, 1)).production_date == date(2026, 6, 12)
    assert cal.locate(utc(2026, 6, 13, 21)) is None
    dates = [i.production_date for i in cal.instances_for_dates(date(2026, 6, 8), date(2026, 6, 14))]
    assert dates == [date(2026, 6, d) for d in (8, 9, 10, 11, 12)]


def test_last_completed() -> None:
    cal = three_shifts()
    last = cal.last_completed(utc(2026, 6, 10, 13))  # 15:00 CEST, the late shift runs
    assert (last.shift_key, last.production_date) == ("E", date(2026, 6, 10))
    at_end = cal.last_completed(utc(2026, 6, 10, 12))  # the early shift's end instant
    assert (at_end.shift_key, at_end.production_date) == ("E", date(2026, 6, 10))
    before = cal.last_completed(utc(2026, 6, 10, 11, 59))
    assert (before.shift_key, before.production_date) == ("N", date(2026, 6, 9))
    assert cal.current(utc(2026, 6, 10, 13)).shift_key == "L"


def test_last_completed_after_a_weekend_without_shifts() -> None:
    weekday = ShiftDef("E", "Early", time(6), time(14), weekdays=frozenset(range(5)))
    cal = ShiftCalendar("Europe/Berlin", [weekday])
    monday_morning = utc(2026, 6, 15, 3)  # 05:00 CEST Monday, before the first shift
    last = cal.last_completed(monday_morning)
    assert last is not None
    assert last.production_date == date(2026, 6, 12)  # Friday


def test_instances_between_instants() -> None:
    cal = three_shifts()
    got = cal.instances(utc(2026, 6, 10, 0), utc(2026, 6, 11, 0))
    assert [(i.shift_key, i.production_date) for i in got] == [
        ("N", date(2026, 6, 9)), ("E", date(2026, 6, 10)), ("L", date(2026, 6, 10)), ("N", date(2026, 6, 10)),
    ]
    assert all(a.end_utc == b.start_utc for a, b in pairwise(got))
    # a full DST week sums to real elapsed time: 7 days × 24 h − 1 h
    week = cal.instances_for_dates(date(2026, 3, 23), date(2026, 3, 29))
    assert sum(i.duration_s for i in week) == (7 * 24 - 1) * HOUR


def test_check_reports_overlaps() -> None:
    clash = ShiftDef("X", "Overlap", time(13), time(15))
    problems = ShiftCalendar("Europe/Berlin", [EARLY, LATE, clash]).check()
    assert any("overlap" in p and "E" in p and "X" in p for p in problems)
    assert any("overlap" in p and "L" in p and "X" in p for p in problems)
    assert three_shifts().check() == []


def test_check_reports_an_overlapping_night_shift() -> None:
    long_night = ShiftDef("N", "Night", time(21), time(7))
    problems = ShiftCalendar("Europe/Berlin", [EARLY, LATE, long_night]).check()
    assert "shifts E and N overlap" in problems
    assert "shifts L and N overlap" in problems


def test_check_reports_break_outside_shift_and_empty_shift() -> None:
    bad_break = ShiftDef("E", "Early", time(6), time(14), (Break(time(15), 15),))
    empty = ShiftDef("Z", "Zero", time(16), time(16))
    problems = ShiftCalendar("Europe/Berlin", [bad_break, empty]).check()
    assert any(p.startswith("shift E: break at 15:00") for p in problems)
    assert any(p.startswith("shift Z: start and end") for p in problems)


def test_gaps_report_uncovered_hours() -> None:
    assert three_shifts().gaps() == []
    assert ShiftCalendar("Europe/Berlin", [EARLY, NIGHT]).gaps() == ["14:00–22:00"]
    assert ShiftCalendar("Europe/Berlin", [EARLY]).gaps() == ["14:00–06:00"]  # one range across midnight


def test_unknown_shift_key() -> None:
    with pytest.raises(KeyError, match="X"):
        three_shifts().instance(date(2026, 6, 10), "X")


def test_instances_are_in_utc() -> None:
    inst = three_shifts().instance(date(2026, 1, 10), "E")
    assert inst.start_utc.utcoffset() == timedelta(0)
    assert inst.start_utc == utc(2026, 1, 10, 5)  # 06:00 CET
