"""A KPI over time on the board: its trend over the last worked shifts, how long it has been red, and its month
as a calendar of days (the letter board's cells).

Every value is a reading of the one KPI service, read in one grouped query per call. Nothing here knows about Dash
or Flask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import Period, bucket_key
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.reading_context import shared_session
from huddle.dashboard.services.readings import Reading, Readings, readings_of
from huddle.dashboard.services.readings_over import Point

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

#: The longest red streak counted, in worked shifts (a month of three shifts a day). A KPI red longer than that is
#: "red 90+ shifts" on its tile: the huddle learns as much as from "red 1,095 shifts", and the walk back costs the
#: same with a month of history or five years of it (counting a year of red was two thirds of the plant board).
MAX_SHIFTS = 90


def shift_instance(config: PlantConfig, period: Period) -> ShiftInstance:
    """The shift instance of a shift period; raises ``ValueError`` for a period of another grain."""
    if period.grain != "shift" or not period.shift:
        raise ValueError(f"a shift period is needed (like 2026-11-20/E), got {period.label}")
    return config.calendar.instance(period.first, period.shift)


# ---- trends and streaks over shifts ----------------------------------------------------------------------


def _worked_shifts_until(config: PlantConfig, period: Period, n: int) -> list[ShiftInstance]:
    """The last n worked shift instances up to and including a shift (which counts even if not a worked one)."""
    target = shift_instance(config, period)
    span = n // max(1, len(config.calendar.shifts)) + 3
    while True:
        insts = [i for i in config.calendar.instances_for_dates(period.first - timedelta(days=span), period.first)
                 if i.start_utc <= target.start_utc
                 and (i.production_date, i.shift_key) != (target.production_date, target.shift_key)]
        insts.append(target)
        if len(insts) >= n or span > 4000:
            return insts[-n:]
        span *= 2


def trend(source: Readings | Services, kpi: str, scope: str, period: Period, n: int = 14) -> list[Reading]:
    """A KPI over the n worked shift instances up to and including a shift, oldest first (grey without data;
    shifts the plant planned not to run are left out)."""
    return trends(source, [kpi], scope, period, n)[kpi]


def trends(source: Readings | Services, kpis: list[str], scope: str, period: Period,
           n: int = 14) -> dict[str, list[Reading]]:
    """Several KPIs' trends over the same n worked shifts, from one grouped query; shifts planned off for the
    scope (holidays, shutdowns) are left out, so a trend and a red streak run across them."""
    readings = readings_of(source)
    insts = _worked_shifts_until(readings.config, period, max(1, n) * (2 if _has_planned(readings) else 1))
    series = readings.series_many(kpis, scope, "shift", insts[0].production_date, insts[-1].production_date)
    out: dict[str, list[Reading]] = {}
    for kpi in kpis:
        by_period = {r.period: r for r in series[kpi]}
        out[kpi] = []
        for inst in insts:
            label = bucket_key("shift", inst.production_date, inst.shift_key)
            reading = by_period.get(label)
            out[kpi].append(reading if reading is not None else
                            readings.reading(kpi, scope, Period("shift", inst.production_date, inst.production_date,
                                                              inst.shift_key)))
        out[kpi] = [r for r in out[kpi] if r.status != Status.PLANNED][-max(1, n):]
    return out


def trend_points(source: Readings | Services, kpis: list[str], scope: str, period: Period,
                 n: int = 14) -> dict[str, list[Point]]:
    """``trends``' values and statuses alone (the board's trends show no more), without making their readings: the
    shifts are judged newest first, each KPI's only until it has n worked ones."""
    readings = readings_of(source)
    n = max(1, n)
    insts = _worked_shifts_until(readings.config, period, n * (2 if _has_planned(readings) else 1))
    shifts = [Period("shift", i.production_date, i.production_date, i.shift_key) for i in insts]
    out: dict[str, list[Point]] = {k: [] for k in kpis}
    wanted = list(kpis)
    walk = readings.points_back(kpis, scope, shifts)
    for _shift, point in walk:
        for kpi in wanted:
            judged = point(kpi)
            if judged.status != Status.PLANNED:
                out[kpi].append(judged)
        wanted = [k for k in wanted if len(out[k]) < n]
        if not wanted:
            break
    walk.close()
    return {k: points[::-1] for k, points in out.items()}


def _has_planned(readings: Readings) -> bool:
    """Whether the plant planned any days off (then twice the shifts are looked at, to find n worked ones)."""
    with shared_session(readings.sessions) as session:
        return bool(readings.plant_calendar(session).planned)


def red_streak(source: Readings | Services, kpi: str, scope: str, period: Period) -> int:
    """How many worked shift instances in a row, up to and including this one, the KPI was red (0 if not now;
    ``MAX_SHIFTS`` at most)."""
    return red_streaks(source, [kpi], scope, period)[kpi]


def red_streaks(source: Readings | Services, kpis: list[str], scope: str, period: Period,
                recent: Mapping[str, Sequence[Reading | Point]] | None = None, n: int = 14) -> dict[str, int]:
    """How many worked shift instances in a row, up to and including this one, each KPI was red (0 if not now),
    counting at most ``MAX_SHIFTS`` (a streak of ``MAX_SHIFTS`` may be longer); shifts planned off are skipped.
    From each KPI's last n shifts (``recent``, as ``trends`` reads them, read here when not given); the KPIs red all
    along them are followed further back together, one grouped query per block of shifts, each block four times the
    one before, each KPI's shifts judged only back to where its streak ends (their statuses alone: no reading is
    made)."""
    readings = readings_of(source)
    recent = recent if recent is not None else trends(readings, kpis, scope, period, n)
    out: dict[str, int] = {}
    known: dict[str, dict[str, Reading | Point]] = {}
    for kpi in kpis:
        shown = recent[kpi]
        streak = next((i for i, r in enumerate(reversed(shown)) if r.status != Status.RED), len(shown))
        if streak < len(shown) or len(shown) < n:
            out[kpi] = streak
        else:
            known[kpi] = {r.period: r for r in shown}
    if not known:
        return out
    insts = _worked_shifts_until(readings.config, period, MAX_SHIFTS * (2 if _has_planned(readings) else 1))
    streak_of, counted = dict.fromkeys(known, 0), dict.fromkeys(known, 0)
    end, size = len(insts), 4 * n
    while known and end > 0:
        block = insts[max(0, end - size):end]
        shifts = [Period("shift", i.production_date, i.production_date, i.shift_key) for i in block]
        walking = set(known)
        walk = readings.points_back(known, scope, shifts)
        for shift, judge in walk:
            for kpi in [k for k in known if k in walking]:
                shown = known[kpi].get(shift.label)
                status = shown.status if shown is not None else judge(kpi).status
                if status == Status.PLANNED:
                    continue
                if status != Status.RED or counted[kpi] >= MAX_SHIFTS:
                    out[kpi] = streak_of.pop(kpi)
                    walking.discard(kpi)
                    continue
                counted[kpi] += 1
                streak_of[kpi] += 1
            if not walking:
                break
        walk.close()
        known = {k: v for k, v in known.items() if k in walking}
        end, size = end - len(block), size * 4
    return out | streak_of


# ---- month calendar --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCell:
    """One day of a month calendar: the KPI's reading for the day, or a future day not yet read."""

    day: date
    value: float | None
    status: Status
    unit: str
    future: bool
    words: str = ""  # "planned: Thanksgiving", "before go-live (…)" for a day that is not judged

    @property
    def text(self) -> str:
        """The value formatted with its unit, "—" without one (worked when shown: the board shows the status)."""
        return format_value(self.value, self.unit)


def month_calendar(source: Readings | Services, kpi: str, scope: str, month: Period) -> list[DayCell]:
    """One cell per day of a month (or any period of days) with the day's KPI status; days after today grey."""
    return month_calendars(source, [kpi], scope, month)[kpi]


def month_calendars(source: Readings | Services, kpis: list[str], scope: str,
                    month: Period) -> dict[str, list[DayCell]]:
    """Several KPIs' month calendars from one grouped query."""
    readings = readings_of(source)
    if month.grain == "shift":
        raise ValueError(f"a period of days is needed (like 2026-11), got {month.label}")
    today = readings.clock().astimezone(readings.config.tz).date()
    last_read = min(month.last, today)
    series = (readings.points_many(kpis, scope, "day", month.first, last_read) if month.first <= last_read
              else {k: [] for k in kpis})
    days = [month.first + timedelta(days=i) for i in range((month.last - month.first).days + 1)]
    labels = [(day, day.isoformat(), day > today) for day in days]  # worked once for every KPI's calendar
    out: dict[str, list[DayCell]] = {}
    for kpi in kpis:
        unit = readings.config.kpis[kpi].unit
        by_day = {r.period: r for r in series[kpi]}
        cells = []
        for day, label, future in labels:
            point = None if future else by_day.get(label)
            if point is None:
                cells.append(DayCell(day, None, Status.GREY, unit, future))
            else:
                cells.append(DayCell(day, point.value, point.status, unit, False, point.words))
        out[kpi] = cells
    return out
