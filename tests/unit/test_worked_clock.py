"""The worked clock behind every stop's lost minutes (huddle.dashboard.services.losses.worked_clock): the worked time
between two instants, read off the clock, equals a minute-by-minute count of the minutes inside a shift window and
outside its breaks, on ordinary days and on both DST nights (Europe/Berlin: 2026-03-29 and 2026-10-25)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from huddle.dashboard.core.calendar import Break, ShiftCalendar, ShiftDef, ShiftInstance
from huddle.dashboard.services.losses import worked_clock

EARLY = ShiftDef("E", "Early", time(6), time(14), (Break(time(9), 15), Break(time(11), 30, "meal")))
LATE = ShiftDef("L", "Late", time(14), time(22))
NIGHT = ShiftDef("N", "Night", time(22), time(6), (Break(time(1, 30), 30, "meal"), Break(time(2, 15), 30)))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def minutes_by_count(insts: list[ShiftInstance], start: datetime, end: datetime) -> int:
    """Whole minutes of [start, end) inside a window and outside its breaks, counted one at a time."""
    worked = 0
    at = start
    while at < end:
        inst = next((i for i in insts if i.start_utc <= at < i.end_utc), None)
        if inst is not None and not any(lo <= at < hi for lo, hi in inst.breaks):
            worked += 1
        at += timedelta(minutes=1)
    return worked


def minutes_by_clock(insts: list[ShiftInstance], start: datetime, end: datetime) -> float:
    at, worked = worked_clock(insts)
    micros = [float((t - EPOCH) // timedelta(microseconds=1)) for t in (start, end)]
    lo, hi = np.interp(micros, at, worked)
    return float(hi - lo) / 60e6


@pytest.mark.parametrize("first", [date(2026, 3, 27), date(2026, 10, 23), date(2026, 7, 14)])
def test_the_clock_counts_what_a_stopwatch_would(first: date) -> None:
    calendar = ShiftCalendar("Europe/Berlin", [EARLY, LATE, NIGHT])
    insts = calendar.instances_for_dates(first, first + timedelta(days=3))
    span_start, span_end = insts[0].start_utc - timedelta(hours=2), insts[-1].end_utc + timedelta(hours=2)
    span = int((span_end - span_start).total_seconds() // 60)
    rng = random.Random(first.toordinal())
    stops = [(span_start + timedelta(minutes=a), span_start + timedelta(minutes=a + rng.randint(1, 600)))
             for a in (rng.randrange(span) for _ in range(60))]
    # the edges: a stop on a break's edges, across a whole shift, across a DST night's missing or doubled hour
    night = calendar.instance(first + timedelta(days=1), "N")
    stops += [(night.breaks[0][0], night.breaks[0][1]), (night.start_utc, night.end_utc),
              (night.start_utc - timedelta(hours=1), night.end_utc + timedelta(hours=1)),
              (span_start, span_end)]
    for start, end in stops:
        assert minutes_by_clock(insts, start, end) == minutes_by_count(insts, start, end), (start, end)


def test_dst_nights_are_as_long_as_the_clock_on_the_wall_says() -> None:
    calendar = ShiftCalendar("Europe/Berlin", [EARLY, LATE, NIGHT])
    spring = calendar.instance(date(2026, 3, 28), "N")  # 7 real hours, an hour of breaks
    autumn = calendar.instance(date(2026, 10, 24), "N")  # 9 real hours
    assert minutes_by_clock([spring], spring.start_utc, spring.end_utc) == 6 * 60
    assert minutes_by_clock([autumn], autumn.start_utc, autumn.end_utc) == 8 * 60


def test_no_shifts_no_worked_time() -> None:
    at, worked = worked_clock([])
    assert len(at) == len(worked) == 0
