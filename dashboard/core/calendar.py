"""The shift calendar: shift instances in the plant's time zone, their production dates and real durations.

Shifts are defined by local clock times and may cross midnight. A shift instance's start and end are real instants
(stored in UTC), so the night shift on the spring DST change is an hour shorter and on the autumn change an hour
longer. The production date is the local date on which the shift starts, or ends when the plant says so.
"""

from __future__ import annotations

import bisect
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Break:
    """A planned break inside a shift, by local clock start and minutes."""

    start: time
    minutes: float
    label: str = "break"


@dataclass(frozen=True)
class ShiftDef:
    """A shift as the plant defines it: local start and end clock times, breaks, crew, weekdays worked."""

    key: str
    name: str
    start: time
    end: time
    breaks: tuple[Break, ...] = ()
    crew: str = ""
    weekdays: frozenset[int] = frozenset(range(7))  # Monday = 0, counted on the start date

    @property
    def crosses_midnight(self) -> bool:
        """True when the shift ends on the day after it starts."""
        return self.end <= self.start


@dataclass(frozen=True, order=True)
class ShiftInstance:
    """One occurrence of a shift: real start and end instants (UTC) and its production date."""

    start_utc: datetime
    end_utc: datetime
    production_date: date = field(compare=False)
    shift_key: str = field(compare=False)
    breaks: tuple[tuple[datetime, datetime], ...] = field(compare=False, default=())

    @property
    def planned_breaks_s(self) -> float:
        """Seconds of planned breaks in the shift."""
        return sum((hi - lo).total_seconds() for lo, hi in self.breaks)

    def breaks_before(self, until_utc: datetime) -> float:
        """Seconds of planned breaks between the shift start and ``until``."""
        return sum(max(0.0, (min(hi, until_utc) - lo).total_seconds()) for lo, hi in self.breaks)

    @property
    def duration_s(self) -> float:
        """Real elapsed seconds, DST changes included."""
        return (self.end_utc - self.start_utc).total_seconds()

    def overlap_s(self, start_utc: datetime, end_utc: datetime) -> float:
        """Seconds of [start, end) that fall inside this shift."""
        lo = max(start_utc, self.start_utc)
        hi = min(end_utc, self.end_utc)
        return max(0.0, (hi - lo).total_seconds())


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def to_utc(local: datetime) -> datetime:
    """Convert an aware datetime to UTC."""
    return local.astimezone(UTC)


class ShiftCalendar:
    """The plant's shifts, able to enumerate instances and find the one containing an instant."""

    def __init__(self, tz_name: str, shifts: list[ShiftDef], production_date_rule: str = "start") -> None:
        if production_date_rule not in ("start", "end"):
            raise ValueError("production_date must be 'start' or 'end'")
        self.tz = ZoneInfo(tz_name)
        self.tz_name = tz_name
        self.shifts = list(shifts)
        self.production_date_rule = production_date_rule
        self._cache: tuple[date, date, list[ShiftInstance], list[datetime]] | None = None
        self._made: dict[tuple[str, date], ShiftInstance] = {}  # instances are immutable: build each once

    def shift(self, key: str) -> ShiftDef:
        """The shift definition with this key."""
        for s in self.shifts:
            if s.key == key:
                return s
        raise KeyError(f"unknown shift {key!r}")

    def instance(self, production_date: date, shift_key: str) -> ShiftInstance:
        """The shift instance of a production date (it need not be a worked day)."""
        s = self.shift(shift_key)
        start_day = production_date
        if self.production_date_rule == "end" and s.crosses_midnight:
            start_day = production_date - timedelta(days=1)
        return self._make(s, start_day)

    def _make(self, s: ShiftDef, start_day: date) -> ShiftInstance:
        made = self._made.get((s.key, start_day))
        if made is None:
            made = self._made[(s.key, start_day)] = self._build(s, start_day)
        return made

    def _build(self, s: ShiftDef, start_day: date) -> ShiftInstance:
        end_day = start_day + timedelta(days=1) if s.crosses_midnight else start_day
        start = to_utc(_local(start_day, s.start, self.tz))
        end = to_utc(_local(end_day, s.end, self.tz))
        prod_date = end_day if self.production_date_rule == "end" else start_day
        breaks: list[tuple[datetime, datetime]] = []
        for b in s.breaks:
            b_day = start_day if b.start >= s.start else end_day
            b_start = to_utc(_local(b_day, b.start, self.tz))
            b_end = b_start + timedelta(minutes=b.minutes)
            lo, hi = max(b_start, start), min(b_end, end)
            if hi > lo:
                breaks.append((lo, hi))
        return ShiftInstance(start, end, prod_date, s.key, tuple(breaks))

    def instances(self, start_utc: datetime, end_utc: datetime) -> list[ShiftInstance]:
        """All shift instances overlapping [start, end), ordered by start."""
        first = start_utc.astimezone(self.tz).date() - timedelta(days=2)
        last = end_utc.astimezone(self.tz).date() + timedelta(days=1)
        out: list[ShiftInstance] = []
        day = first
        while day <= last:
            for s in self.shifts:
                if day.weekday() not in s.weekdays:
                    continue
                inst = self._make(s, day)
                if inst.end_utc > start_utc and inst.start_utc < end_utc:
                    out.append(inst)
            day += timedelta(days=1)
        out.sort()
        return out

    def instances_for_dates(self, first: date, last: date) -> list[ShiftInstance]:
        """All worked shift instances whose production date is within [first, last]."""
        out = []
        day = first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            for s in self.shifts:
                if day.weekday() in s.weekdays:
                    inst = self._make(s, day)
                    if first <= inst.production_date <= last:
                        out.append(inst)
            day += timedelta(days=1)
        out.sort()
        return out

    def locate(self, instant_utc: datetime) -> ShiftInstance | None:
        """The shift instance containing an instant, or None when it falls outside every shift."""
        local_day = instant_utc.astimezone(self.tz).date()
        cache = self._cache
        if cache is None or not (cache[0] <= local_day <= cache[1]):
            lo, hi = local_day - timedelta(days=45), local_day + timedelta(days=45)
            insts = self.instances(_local(lo, time(0), self.tz), _local(hi, time(0), self.tz))
            cache = (lo + timedelta(days=3), hi - timedelta(days=3), insts, [i.start_utc for i in insts])
            self._cache = cache
        insts, starts = cache[2], cache[3]
        i = bisect.bisect_right(starts, instant_utc) - 1
        while i >= 0 and insts[i].start_utc <= instant_utc:
            if instant_utc < insts[i].end_utc:
                return insts[i]
            i -= 1
            if i >= 0 and (instant_utc - insts[i].start_utc) > timedelta(days=2):
                break
        return None

    def last_completed(self, now_utc: datetime) -> ShiftInstance | None:
        """The most recent shift instance that has ended by ``now``."""
        past = [i for i in self.instances(now_utc - timedelta(days=3), now_utc) if i.end_utc <= now_utc]
        return past[-1] if past else None

    def current(self, now_utc: datetime) -> ShiftInstance | None:
        """The shift instance in progress at ``now``, if any."""
        return self.locate(now_utc)

    def check(self) -> list[str]:
        """Problems in the shift definitions: overlaps (errors) and uncovered hours (reported as gaps)."""
        problems: list[str] = []
        minutes: dict[int, list[str]] = {}
        for s in self.shifts:
            if s.start == s.end:
                problems.append(f"shift {s.key}: start and end are both {s.start:%H:%M}")
                continue
            start = s.start.hour * 60 + s.start.minute
            end = s.end.hour * 60 + s.end.minute + (1440 if s.crosses_midnight else 0)
            for m in range(start, end):
                minutes.setdefault(m % 1440, []).append(s.key)
            length = end - start
            for b in s.breaks:
                b_start = b.start.hour * 60 + b.start.minute
                if b_start < start:
                    b_start += 1440
                if not (start <= b_start and b_start + b.minutes <= end):
                    problems.append(f"shift {s.key}: break at {b.start:%H:%M} ({b.minutes:g} min) is outside the shift")
            if sum(b.minutes for b in s.breaks) >= length:
                problems.append(f"shift {s.key}: breaks take the whole shift")
        overlaps = sorted({tuple(sorted(set(v))) for v in minutes.values() if len(set(v)) > 1})
        for pair in overlaps:
            problems.append(f"shifts {' and '.join(pair)} overlap")
        return problems

    def gaps(self) -> list[str]:
        """Clock ranges covered by no shift (events then belong to no shift)."""
        covered = [False] * 1440
        for s in self.shifts:
            start = s.start.hour * 60 + s.start.minute
            end = s.end.hour * 60 + s.end.minute + (1440 if s.crosses_midnight else 0)
            for m in range(start, end):
                covered[m % 1440] = True
        if not any(covered):
            return ["00:00–24:00"]
        # walk the clock from a covered minute so a gap across midnight stays one range
        origin = covered.index(True)
        out, k = [], 0
        while k < 1440:
            if not covered[(origin + k) % 1440]:
                g = (origin + k) % 1440
                while k < 1440 and not covered[(origin + k) % 1440]:
                    k += 1
                end = (origin + k) % 1440
                out.append((g, f"{g // 60:02d}:{g % 60:02d}–{end // 60:02d}:{end % 60:02d}"))
            k += 1
        return [text for _, text in sorted(out)]


def now_utc() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def parse_instant(text: str, tz: ZoneInfo | str) -> datetime:
    """An instant written as ISO 8601 (``2027-01-01T06:30``; plant time unless it carries an offset), in UTC."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time like 2027-01-01T06:30") from None
    if at.tzinfo is None:
        zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        at = at.replace(tzinfo=zone)
    return at.astimezone(UTC)


def simulated_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that reads ``start`` now and runs on from it at the real pace: the plant "as at" an instant,
    for training and for showing a plant at a given moment (``huddle demo --now``)."""
    began = time_module.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time_module.monotonic() - began)

    return clock
