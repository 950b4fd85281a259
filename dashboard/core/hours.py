"""Hours worked above line and shift: how hours recorded per day, ISO week or month for a location (payroll, HR)
give the hours of any period asked, prorated by calendar days when a recorded period is coarser than the period.

Each day of the period asked takes its hours from one recorded period: first those lying wholly inside the period
(coarsest first, so a month asked is read from its month total rather than from its days), then those crossing
its edges (finest first, so as little as possible is prorated). A day no recorded period covers is left to the
caller (the line-and-shift labour hours, or a gap). Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import _, month_name, ngettext
from huddle.dashboard.core.periods import Period, period_containing

#: The grains hours are recorded in, finest first.
HOUR_GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class RecordedHours:
    """Hours recorded for one location over one day, ISO week or month: ``first`` its first day, ``end`` the day
    after its last."""

    grain: str
    first: date
    end: date
    hours: float

    @property
    def days(self) -> int:
        """Calendar days of the recorded period."""
        return (self.end - self.first).days


@dataclass(frozen=True)
class HoursShare:
    """What recorded hours give a period: the hours of the days they cover, each recorded period used with how many
    of its days, and the days of the period none covers."""

    hours: float
    used: tuple[tuple[RecordedHours, int], ...]
    uncovered: tuple[date, ...]
    weighted: bool = False  # each day counted only in part (a shift's share of its day)

    @property
    def prorated(self) -> bool:
        """Whether any recorded period counted only in part."""
        return self.weighted or any(n < row.days for row, n in self.used)


def recorded_period(grain: str, first: date) -> tuple[date, date]:
    """First day and the day after the last of the day, ISO week or month of a grain starting on ``first``."""
    if grain not in HOUR_GRAINS:
        raise ValueError(f"hours are recorded per day, week or month, not per {grain}")
    period = period_containing(grain, first)
    return period.first, period.last + timedelta(days=1)


def share_of(rows: Iterable[RecordedHours], first: date, last: date,
             weights: Mapping[date, float] | None = None) -> HoursShare:
    """The recorded hours of the days ``first``..``last``, prorated by calendar days where a recorded period reaches
    past the range; with ``weights``, each day counts at its weight (a shift's share of the day's shift time, 0 on a
    day the shift does not run)."""
    after = last + timedelta(days=1)
    overlapping = [r for r in rows if r.first < after and r.end > first]
    inside = sorted((r for r in overlapping if r.first >= first and r.end <= after),
                    key=lambda r: (-HOUR_GRAINS.index(r.grain), r.first))
    edges = sorted((r for r in overlapping if r.first < first or r.end > after),
                   key=lambda r: (HOUR_GRAINS.index(r.grain), r.first))
    chosen: dict[date, RecordedHours] = {}
    for row in (*inside, *edges):
        day = max(row.first, first)
        while day < min(row.end, after):
            chosen.setdefault(day, row)
            day += timedelta(days=1)
    counts: dict[RecordedHours, int] = {}
    counted: dict[RecordedHours, float] = {}  # the days counted of each, weighted
    for day, row in chosen.items():
        counts[row] = counts.get(row, 0) + 1
        counted[row] = counted.get(row, 0.0) + (1.0 if weights is None else weights.get(day, 0.0))
    used = tuple(sorted(counts.items(), key=lambda item: item[0].first))
    # a recorded period counted in full adds its hours exactly (no sum of thirtieths)
    hours = sum(row.hours if counted[row] == row.days else row.hours * counted[row] / row.days for row, _ in used)
    uncovered = []
    day = first
    while day <= last:
        if day not in chosen:
            uncovered.append(day)
        day += timedelta(days=1)
    return HoursShare(hours, used, tuple(uncovered), weights is not None)


def recorded_words(row: RecordedHours) -> str:
    """A recorded period as people say it: 'November 2026', 'week 2026-W47', 'Fri 20 Nov 2026'."""
    if row.grain == "month":
        return f"{month_name(row.first.month)} {row.first.year}"
    if row.grain == "week":
        return _("week {label}").format(label=Period("week", row.first, row.end - timedelta(days=1)).label)
    return f"{format_day(row.first)} {row.first.year}"


def _counted(grain: str, n: int) -> str:
    """'2 weeks', '1 month' (the counting of ``share_words``)."""
    if grain == "month":
        return ngettext("{n} month", "{n} months", n).format(n=n)
    if grain == "week":
        return ngettext("{n} week", "{n} weeks", n).format(n=n)
    return ngettext("{n} day", "{n} days", n).format(n=n)


def share_words(share: HoursShare) -> str:
    """Which recorded periods a share counts, whole or prorated: 'November 2026 prorated 7 of 30 days',
    '11 months in full, December 2025 prorated 27 of 31 days'."""
    whole = [row for row, n in share.used if n == row.days]
    parts = []
    if len(whole) == 1:
        parts.append(recorded_words(whole[0]))
    elif whole:
        counted = {g: sum(1 for r in whole if r.grain == g) for g in reversed(HOUR_GRAINS)}
        parts.append(_("{periods} in full").format(periods=_(" and ").join(
            _counted(g, n) for g, n in counted.items() if n)))
    parts.extend(_("{period} prorated {n} of {days} days").format(period=recorded_words(row), n=n, days=row.days)
                 for row, n in share.used if n < row.days)
    return ", ".join(parts)


def day_runs(days: Iterable[date], reference: date | None = None) -> str:
    """Dates as runs of consecutive days: 'Tue 1 Dec–Fri 4 Dec, Mon 7 Dec' (the year when it is not the reference
    date's)."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return ", ".join(format_day(a, reference) if a == b else f"{format_day(a, reference)}–{format_day(b, reference)}"
                     for a, b in runs)
