"""Clock changes: shift and break times that fall in an hour the clocks skip or repeat.

On the spring night a local time such as 02:30 does not exist in Europe/Berlin; on the autumn night it happens
twice. The shift calendar still has to turn it into an instant, and does so as Python's time zones do for a time
written without a fold (``ShiftCalendar`` combines the day and the clock time in the plant's zone): a skipped time
is read with the offset from before the change, so 02:30 becomes 03:30 summer time, and a repeated time is the
first of the two, still summer time. ``dst_findings`` finds the changes of the next twelve months and, for each
shift worked that night, warns of every start, end and break start or end in the skipped or repeated clock times,
saying what Huddle makes of it (the instant, the break's real span, the shift's real length).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from huddle.dashboard.core.calendar import Break, ShiftCalendar, ShiftDef, to_utc
from huddle.dashboard.core.plant import Finding

HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class ClockChange:
    """One change of the plant's clocks: the local clock times skipped (spring) or repeated (autumn)."""

    at_utc: datetime
    skipped: bool
    first: datetime  # naive local clock times [first, last) are skipped or repeated
    last: datetime

    def holds(self, wall: datetime) -> bool:
        """True when the local clock time ``wall`` (naive) is one of the skipped or repeated ones."""
        return self.first <= wall < self.last

    def words(self) -> str:
        """"the hour the clocks skip (02:00–03:00)", or repeat."""
        span = self.last - self.first
        amount = "hour" if span == timedelta(hours=1) else f"{_duration(span)}"
        verb = "skip" if self.skipped else "repeat"
        return f"the {amount} the clocks {verb} ({self.first:%H:%M}–{self.last:%H:%M})"


def clock_changes(tz: ZoneInfo, since: datetime, until: datetime) -> list[ClockChange]:
    """The plant zone's clock changes between two instants, found day by day and pinned to the minute."""
    out = []
    day = since.astimezone(UTC)
    while day < until:
        nxt = day + timedelta(days=1)
        if day.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = day, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            at = hi.replace(second=0, microsecond=0)
            before = (at - timedelta(minutes=1)).astimezone(tz).utcoffset() or timedelta(0)
            after = at.astimezone(tz).utcoffset() or timedelta(0)
            wall = at.replace(tzinfo=None)
            if after > before:
                out.append(ClockChange(at, True, wall + before, wall + after))
            elif after < before:
                out.append(ClockChange(at, False, wall + after, wall + before))
        day = nxt
    return out


def dst_findings(calendar: ShiftCalendar, since: datetime) -> list[Finding]:
    """Warnings for the shift starts, ends and breaks that fall in skipped or repeated clock times in the year
    from ``since``, on the nights the shifts are worked."""
    out: list[Finding] = []
    for change in clock_changes(calendar.tz, since, since + HORIZON):
        night = change.first.date()
        for s in calendar.shifts:
            for start_day in (night - timedelta(days=1), night):
                if start_day.weekday() in s.weekdays:
                    out.extend(_shift_findings(calendar, s, start_day, change))
    return out


def _shift_findings(calendar: ShiftCalendar, s: ShiftDef, start_day: date, change: ClockChange) -> list[Finding]:
    """One shift instance's boundaries and breaks in the change's clock times, in words."""
    end_day = start_day + timedelta(days=1) if s.crosses_midnight else start_day
    name = s.name if s.name.lower().endswith("shift") else f"{s.name} shift"
    out = []
    for what, day, clock in (("start", start_day, s.start), ("end", end_day, s.end)):
        wall = datetime.combine(day, clock)
        if change.holds(wall):
            taken = _taken(calendar, day, clock, change)
            out.append(_finding(s, wall, f"the {name}'s {what} at {clock:%H:%M} falls in {change.words()}; "
                                         f"Huddle {taken}, so {_length(calendar, s, start_day, name)}"))
    for b in s.breaks:
        day = start_day if b.start >= s.start else end_day
        wall = datetime.combine(day, b.start)
        wall_end = wall + timedelta(minutes=b.minutes)
        if wall < change.last and wall_end > change.first:  # starts, ends or runs in the clock times of the change
            out.append(_finding(s, wall, _break_words(calendar, name, b, day, wall, wall_end, change)))
    return out


def _break_words(calendar: ShiftCalendar, name: str, b: Break, day: date, wall: datetime, wall_end: datetime,
                 change: ClockChange) -> str:
    """What becomes of a break whose start or end is in the skipped or repeated clock times."""
    start = to_utc(datetime.combine(day, b.start, tzinfo=calendar.tz))  # as ShiftCalendar reads it
    end = start + timedelta(minutes=b.minutes)
    runs = f"it runs {_span(start, end, calendar.tz)} ({b.minutes:g} min)"
    if change.holds(wall):
        return (f"the {name}'s {b.label} at {b.start:%H:%M} falls in {change.words()}; "
                f"Huddle {_taken(calendar, day, b.start, change)}: {runs}")
    return (f"the {name}'s {b.label} {b.start:%H:%M}–{wall_end:%H:%M} runs into {change.words()}; Huddle keeps its "
            f"{b.minutes:g} minutes from {b.start:%H:%M}: {runs}")


def _taken(calendar: ShiftCalendar, day: date, clock: time, change: ClockChange) -> str:
    """How the calendar reads a clock time of the change: "takes it as 03:30 CEST" or "takes the first 02:30"."""
    instant = to_utc(datetime.combine(day, clock, tzinfo=calendar.tz))
    if change.skipped:
        return f"takes it as {_local(instant, calendar.tz)}"
    return f"takes the first {clock:%H:%M} ({instant.astimezone(calendar.tz).tzname()}, before the clocks go back)"


def _length(calendar: ShiftCalendar, s: ShiftDef, start_day: date, name: str) -> str:
    """The shift instance's real length against its length on the clock."""
    end_day = start_day + timedelta(days=1) if s.crosses_midnight else start_day
    production_date = end_day if calendar.production_date_rule == "end" else start_day
    inst = calendar.instance(production_date, s.key)
    usual = datetime.combine(end_day, s.end) - datetime.combine(start_day, s.start)
    real = inst.end_utc - inst.start_utc
    span = _span(inst.start_utc, inst.end_utc, calendar.tz)
    if real == usual:
        return f"the {name} of {_day(start_day)} runs {span}, its usual {_duration(usual)}"
    return f"the {name} of {_day(start_day)} runs {span}: {_duration(real)} instead of {_duration(usual)}"


def _finding(s: ShiftDef, wall: datetime, message: str) -> Finding:
    return Finding("warning", f"calendar shift {s.key}", f"{_day(wall)} {wall:%Y}: {message}")


def _day(day: date) -> str:
    """"Sun 28 Mar"."""
    return f"{day:%a} {day.day} {day:%b}"


def _local(instant: datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    return f"{local:%H:%M} {local.tzname()}"


def _span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """"03:30–04:00 CEST", or "02:30 CEST–02:00 CET" across the change."""
    lo, hi = start.astimezone(tz), end.astimezone(tz)
    if lo.tzname() == hi.tzname():
        return f"{lo:%H:%M}–{hi:%H:%M} {hi.tzname()}"
    return f"{lo:%H:%M} {lo.tzname()}–{hi:%H:%M} {hi.tzname()}"


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    return f"{hours} h" + (f" {rest:02d} min" if rest else "")
