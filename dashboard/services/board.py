"""The SQDCM shift board's read model (issue 4): what the wall-TV page renders, as plain dataclasses.

Hour by hour output against plan, the top losses, a summary sentence, KPI trends over shifts, red streaks, a
month calendar of a KPI and the safety cross. KPI values come from the KPI engine, so the board shows the same
numbers as the tiles, the tree and the API; raw records come from ``data.queries.records`` (one indexed range query
each, however many lines a scope has). Every function takes the objects it needs; nothing is kept between calls
and nothing here knows about Dash or Flask.

Attribution follows ``data.facts``: a count belongs to the hour (and shift) containing its interval's midpoint; a
stop is clipped to the shift windows it overlaps, and time inside a planned break is not counted as lost (it is
already planned), so the minutes here add up to the ``unplanned_downtime`` and ``changeover_time`` KPIs.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.format import format_day, format_value
from huddle.dashboard.core.kpi import FORMULAS, Band, Kind, Status, evaluate, status_of, worst_status
from huddle.dashboard.core.periods import Period, bucket_key, period_containing
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.readings import KpiEngine, Reading
from huddle.data.queries import readings as reading_queries
from huddle.data.queries import records as record_queries
from huddle.data.queries.records import StopRow
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

#: Safety event kinds from least to most severe; "none" is a day without events.
SEVERITY = ("none", "near_miss", "first_aid", "recordable", "lost_time")
#: The longest trend or streak looked at, in shift instances (about a year of three shifts a day).
MAX_SHIFTS = 1100
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _engine(source: KpiEngine | Services) -> KpiEngine:
    return source if isinstance(source, KpiEngine) else source.kpis


def _sessions(source: sessionmaker[Session] | Services) -> sessionmaker[Session]:
    return source if isinstance(source, sessionmaker) else source.sessions


def _shift_instance(config: PlantConfig, period: Period) -> ShiftInstance:
    if period.grain != "shift" or not period.shift:
        raise ValueError(f"a shift period is needed (like 2026-11-20/E), got {period.label}")
    return config.calendar.instance(period.first, period.shift)


def period_words(config: PlantConfig, period: Period) -> str:
    """A period in words for sentences: 'the Early shift of 2026-11-20', 'week 2026-W47', 'November 2026'."""
    if period.grain == "shift" and period.shift:
        name = config.calendar.shift(period.shift).name
        shift = name if name.lower().endswith("shift") else f"{name} shift"
        return f"the {shift} of {period.first.isoformat()}"
    if period.grain == "week":
        return f"week {period.label}"
    if period.grain == "month":
        return f"{_MONTHS[period.first.month - 1]} {period.first.year}"
    return period.label


# ---- hour by hour ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourRow:
    """One local clock hour of a shift: planned and actual (good) units, and both summed since the shift start."""

    label: str  # local clock time the hour starts, "06:00" (with the zone abbreviation when a DST hour repeats)
    start_utc: datetime
    end_utc: datetime
    planned: float
    actual: int
    cum_planned: float
    cum_actual: int
    has_data: bool  # a count was attributed to this hour
    future: bool  # the hour has not started yet

    @property
    def status(self) -> Status:
        """Green when the hour made its plan, red when it did not, grey without a plan or data."""
        if self.future or not self.has_data or self.planned <= 0:
            return Status.GREY
        return status_of(float(self.actual), Band(self.planned, "higher"))


def _hour_windows(inst: ShiftInstance, config: PlantConfig) -> list[tuple[datetime, datetime]]:
    """The shift cut at every local clock hour (real elapsed time: 7 or 9 hours on DST nights)."""
    out: list[tuple[datetime, datetime]] = []
    t = inst.start_utc
    while t < inst.end_utc:
        local = t.astimezone(config.tz)
        into = timedelta(minutes=local.minute, seconds=local.second, microseconds=local.microsecond)
        nxt = min(t + timedelta(hours=1) - into, inst.end_utc)
        out.append((t, nxt))
        t = nxt
    return out


def hour_by_hour(source: KpiEngine | Services, scope: str, period: Period) -> list[HourRow]:
    """Planned and good units per local clock hour of a shift for a scope's lines, with cumulative sums."""
    engine = _engine(source)
    config = engine.config
    inst = _shift_instance(config, period)
    windows = _hour_windows(inst, config)
    with engine.sessions() as session:
        counts = record_queries.counts_between(session, tuple(config.scope_lines(scope)), inst.start_utc,
                                              inst.end_utc)
    starts = [lo for lo, _ in windows]
    planned = [0.0] * len(windows)
    actual = [0] * len(windows)
    seen = [False] * len(windows)
    for c in counts:
        mid = c.midpoint
        if not inst.start_utc <= mid < inst.end_utc:
            continue
        i = bisect.bisect_right(starts, mid) - 1
        planned[i] += c.planned_qty
        actual[i] += c.good
        seen[i] = True
    labels = [lo.astimezone(config.tz).strftime("%H:%M") for lo, _ in windows]
    repeated = {lab for lab in labels if labels.count(lab) > 1}
    now = engine.clock()
    rows: list[HourRow] = []
    cum_planned, cum_actual = 0.0, 0
    for i, (lo, hi) in enumerate(windows):
        cum_planned += planned[i]
        cum_actual += actual[i]
        label = labels[i]
        if label in repeated:
            label = f"{label} {lo.astimezone(config.tz).tzname()}"
        rows.append(HourRow(label, lo, hi, planned[i], actual[i], cum_planned, cum_actual, seen[i], lo >= now))
    return rows


# ---- losses ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """A stop reason's lost minutes inside a period's shifts, with where it hit most."""

    reason: str
    category: str  # unplanned | changeover
    minutes: float
    count: int  # stops that started inside the period's shifts
    equipment: str  # the equipment with the most minutes of this reason ("" when none was recorded)
    equipment_minutes: float
    lines: tuple[str, ...]
    cost: float | None = None  # minutes × each line's downtime cost, where the plant configures one


@dataclass(frozen=True)
class LossReport:
    """The top losses of a scope and period, and the minutes lost in all (unplanned stops and changeovers)."""

    losses: list[Loss]
    unplanned_minutes: float
    changeover_minutes: float
    by_line: dict[str, float] = field(default_factory=dict)  # lost minutes per line (lines without losses left out)

    @property
    def total_minutes(self) -> float:
        """Minutes lost to unplanned stops and changeovers."""
        return self.unplanned_minutes + self.changeover_minutes


@dataclass(frozen=True)
class LossPiece:
    """A stop's minutes inside a period's shift windows."""

    stop: StopRow
    minutes: float
    started_inside: bool


def _period_instances(config: PlantConfig, period: Period) -> list[ShiftInstance]:
    """The worked shift instances of a period (one for a shift period, none when that shift is not worked)."""
    insts = config.calendar.instances_for_dates(period.first, period.last)
    if period.shift:
        insts = [i for i in insts if i.shift_key == period.shift]
    return insts


def loss_pieces(engine: KpiEngine, scope: str, period: Period) -> list[LossPiece]:
    """Unplanned stops and changeovers of a scope clipped to the period's shift windows, planned breaks left out."""
    insts = _period_instances(engine.config, period)
    if not insts:
        return []
    lines = tuple(engine.config.scope_lines(scope))
    with engine.sessions() as session:
        stops = record_queries.stops_overlapping(session, lines, insts[0].start_utc, max(i.end_utc for i in insts))
    starts = [i.start_utc for i in insts]
    pieces = []
    for stop in stops:
        seconds, inside = 0.0, False
        for inst in insts[max(0, bisect.bisect_right(starts, stop.start_utc) - 1):]:
            if inst.start_utc >= stop.end_utc:
                break
            in_breaks = sum(max(0.0, (min(stop.end_utc, hi) - max(stop.start_utc, lo)).total_seconds())
                            for lo, hi in inst.breaks)
            seconds += max(0.0, inst.overlap_s(stop.start_utc, stop.end_utc) - in_breaks)
            inside = inside or inst.start_utc <= stop.start_utc < inst.end_utc
        if seconds > 0:
            pieces.append(LossPiece(stop, seconds / 60, inside))
    return pieces


def _rank(pieces: list[LossPiece], line_order: list[str], rates: dict[str, float | None] | None = None) -> list[Loss]:
    minutes: dict[tuple[str, str], float] = defaultdict(float)
    cost: dict[tuple[str, str], float] = defaultdict(float)
    costed: set[tuple[str, str]] = set()
    counts: Counter[tuple[str, str]] = Counter()
    equipment: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lines: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in pieces:
        key = (p.stop.reason, p.stop.category)
        minutes[key] += p.minutes
        counts[key] += p.started_inside
        equipment[key][p.stop.equipment] += p.minutes
        lines[key].add(p.stop.line)
        rate = (rates or {}).get(p.stop.line)
        if rate is not None:
            cost[key] += p.minutes * rate / 60
            costed.add(key)
    out = []
    for key, total in minutes.items():
        named = {e: m for e, m in equipment[key].items() if e} or equipment[key]
        top = min(named, key=lambda e: (-named[e], e))
        out.append(Loss(key[0], key[1], total, counts[key], top, named[top],
                        tuple(ln for ln in line_order if ln in lines[key]), cost[key] if key in costed else None))
    out.sort(key=lambda loss: (-loss.minutes, -loss.count, loss.reason))
    return out


def top_losses(source: KpiEngine | Services, scope: str, period: Period, n: int = 3) -> LossReport:
    """Stop reasons ranked by minutes inside the period's shifts (planned stops excluded), and the total lost."""
    engine = _engine(source)
    pieces = loss_pieces(engine, scope, period)
    line_order = engine.config.scope_lines(scope)
    by_line: dict[str, float] = defaultdict(float)
    for p in pieces:
        by_line[p.stop.line] += p.minutes
    return LossReport(
        losses=_rank(pieces, line_order, {k: v.downtime_cost_per_hour for k, v in engine.config.lines.items()})[:n],
        unplanned_minutes=sum(p.minutes for p in pieces if p.stop.category == "unplanned"),
        changeover_minutes=sum(p.minutes for p in pieces if p.stop.category != "unplanned"),
        by_line={ln: by_line[ln] for ln in line_order if ln in by_line},
    )


# ---- the summary sentence --------------------------------------------------------------------------------


def _minutes(value: float) -> str:
    return format_value(float(round(value)) if value >= 1 else round(value, 1), "min")


def _loss_phrase(pieces: list[LossPiece], line_order: list[str]) -> str:
    """'47 min to unplanned stops, 22 of them at Filler (Filler jam), and 25 min to changeovers'."""
    unplanned = [p for p in pieces if p.stop.category == "unplanned"]
    changeover = sum(p.minutes for p in pieces if p.stop.category != "unplanned")
    parts = []
    if unplanned:
        total = sum(p.minutes for p in unplanned)
        top = _rank(unplanned, line_order)[0]
        where = f"at {top.equipment} ({top.reason})" if top.equipment else f"to {top.reason}"
        share = "all of them" if round(top.equipment_minutes) >= round(total) else \
            f"{_minutes(top.equipment_minutes).removesuffix(' min')} of them"
        parts.append(f"{_minutes(total)} to unplanned stops, {share} {where}")
    if changeover > 0:
        parts.append(f"{_minutes(changeover)} to changeovers")
    return ", and ".join(parts) if parts else "no time to unplanned stops or changeovers"


def _quality_kpi(config: PlantConfig) -> str | None:
    """The Quality KPI a summary quotes: the headline first-pass yield if there is one, else the first headline Q."""
    quality = [k for k in config.kpis.values() if k.category == "Q"]
    ranked = sorted(quality, key=lambda k: (not k.headline, k.formula != "fpy"))
    return ranked[0].key if ranked else None


def _lower_first(name: str) -> str:
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def shift_summary(source: KpiEngine | Services, scope: str, period: Period) -> str:
    """One or two sentences on a period in words, every number from the data (nothing when there is none)."""
    engine = _engine(source)
    config = engine.config
    pieces = loss_pieces(engine, scope, period)
    with engine.sessions() as session:
        sums = reading_queries.sums_by(session, engine.scope_filter(scope), period.first, period.last, period.shift)[0]
    name = config.scope_name(scope)
    if not (sums.get("shift_s") or sums.get("total_count")) and not pieces:
        return f"No production recorded for {name} in {period_words(config, period)}."
    line_order = config.scope_lines(scope)
    if config.scope_kind(scope) == "line":
        first = f"{name} lost {_loss_phrase(pieces, line_order)}"
    elif pieces:
        lost: dict[str, float] = defaultdict(float)
        for p in pieces:
            lost[p.stop.line] += p.minutes
        worst = min(lost, key=lambda ln: (-lost[ln], line_order.index(ln)))
        kinds = sorted({"unplanned stops" if p.stop.category == "unplanned" else "changeovers" for p in pieces},
                       reverse=True)
        first = (f"{name} lost {_minutes(sum(lost.values()))} to {' and '.join(kinds)}, the most on "
                 f"{config.lines[worst].name}: "
                 f"{_loss_phrase([p for p in pieces if p.stop.line == worst], line_order)}")
    else:
        first = f"{name} lost no time to unplanned stops or changeovers"
    key = _quality_kpi(config)
    if key is not None:
        reading = engine.reading(key, scope, period)
        if reading.value is not None:
            kdef = config.kpis[key]
            against = f" against {format_value(reading.target, kdef.unit)}" if reading.target is not None else ""
            first += f"; {_lower_first(kdef.name)} {format_value(reading.value, kdef.unit)}{against}"
    sentences = [first + "."]
    good, planned = sums.get("good_count"), sums.get("planned_qty")
    if isinstance(planned, int | float) and planned > 0:
        attainment = evaluate(FORMULAS["schedule_attainment"], sums)  # type: ignore[arg-type]
        sentences.append(f"Good output {format_value(float(good or 0))} of {format_value(float(planned), 'units')} "
                         f"planned ({format_value(attainment.value, '%')}).")
    elif isinstance(good, int | float) and sums.get("total_count"):
        sentences.append(f"Good output {format_value(float(good), 'units')}.")
    return " ".join(sentences)


# ---- trends and streaks over shifts ----------------------------------------------------------------------


def _worked_shifts_until(config: PlantConfig, period: Period, n: int) -> list[ShiftInstance]:
    """The last n worked shift instances up to and including a shift (which counts even if not a worked one)."""
    target = _shift_instance(config, period)
    span = n // max(1, len(config.calendar.shifts)) + 3
    while True:
        insts = [i for i in config.calendar.instances_for_dates(period.first - timedelta(days=span), period.first)
                 if i.start_utc <= target.start_utc
                 and (i.production_date, i.shift_key) != (target.production_date, target.shift_key)]
        insts.append(target)
        if len(insts) >= n or span > 4000:
            return insts[-n:]
        span *= 2


def trend(source: KpiEngine | Services, kpi: str, scope: str, period: Period, n: int = 14) -> list[Reading]:
    """A KPI over the n worked shift instances up to and including a shift, oldest first (grey without data)."""
    return trends(source, [kpi], scope, period, n)[kpi]


def trends(source: KpiEngine | Services, kpis: list[str], scope: str, period: Period,
           n: int = 14) -> dict[str, list[Reading]]:
    """Several KPIs' trends over the same n worked shifts, from one grouped query."""
    engine = _engine(source)
    insts = _worked_shifts_until(engine.config, period, max(1, n))
    series = engine.series_many(kpis, scope, "shift", insts[0].production_date, insts[-1].production_date)
    out: dict[str, list[Reading]] = {}
    for kpi in kpis:
        readings = {r.period: r for r in series[kpi]}
        out[kpi] = []
        for inst in insts:
            label = bucket_key("shift", inst.production_date, inst.shift_key)
            reading = readings.get(label)
            out[kpi].append(reading if reading is not None else
                            engine.reading(kpi, scope, Period("shift", inst.production_date, inst.production_date,
                                                              inst.shift_key)))
    return out


def red_streak(source: KpiEngine | Services, kpi: str, scope: str, period: Period) -> int:
    """How many worked shift instances in a row, up to and including this one, the KPI was red (0 if not now)."""
    engine = _engine(source)
    n = 14
    while True:
        readings = trend(engine, kpi, scope, period, n)
        streak = 0
        for reading in reversed(readings):
            if reading.status != Status.RED:
                return streak
            streak += 1
        if len(readings) < n or n >= MAX_SHIFTS:
            return streak
        n = min(MAX_SHIFTS, n * 4)


# ---- month calendar --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCell:
    """One day of a month calendar: the KPI's reading for the day, or a future day not yet read."""

    day: date
    value: float | None
    status: Status
    text: str  # the value formatted with its unit, "—" without one
    future: bool


def month_calendar(source: KpiEngine | Services, kpi: str, scope: str, month: Period) -> list[DayCell]:
    """One cell per day of a month (or any period of days) with the day's KPI status; days after today grey."""
    return month_calendars(source, [kpi], scope, month)[kpi]


def month_calendars(source: KpiEngine | Services, kpis: list[str], scope: str,
                    month: Period) -> dict[str, list[DayCell]]:
    """Several KPIs' month calendars from one grouped query."""
    engine = _engine(source)
    if month.grain == "shift":
        raise ValueError(f"a period of days is needed (like 2026-11), got {month.label}")
    today = engine.clock().astimezone(engine.config.tz).date()
    last_read = min(month.last, today)
    series = (engine.series_many(kpis, scope, "day", month.first, last_read) if month.first <= last_read
              else {k: [] for k in kpis})
    out: dict[str, list[DayCell]] = {}
    for kpi in kpis:
        unit = engine.config.kpis[kpi].unit
        readings = {r.period: r for r in series[kpi]}
        cells = []
        day = month.first
        while day <= month.last:
            reading = readings.get(day.isoformat())
            if day > today or reading is None:
                cells.append(DayCell(day, None, Status.GREY, format_value(None), day > today))
            else:
                cells.append(DayCell(day, reading.value, reading.status, format_value(reading.value, unit), False))
            day += timedelta(days=1)
        out[kpi] = cells
    return out


# ---- the safety cross ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyDay:
    """One day of the safety cross: the worst event of the local day and how many of each kind."""

    day: date
    worst: str  # one of SEVERITY
    events: dict[str, int]
    future: bool


@dataclass(frozen=True)
class SafetyNumbers:
    """Safety's numbers for a scope as at one instant, each an engine reading with its target and status.

    The board's tiles, the words under the safety cross and the API's board all show these same readings.
    """

    scope: str
    as_of: datetime  # the end of the period shown, or now while it runs
    days_since: Reading  # whole days since the last recordable (on a clean record: since the data began)
    trir_month: Reading  # TRIR of the month containing the period's last date (to date while it runs)
    trir_12m: Reading  # TRIR of the rolling 12 months ending on the period's last date
    trir_first: date  # the rolling 12 months: first and last production date
    trir_last: date

    @property
    def last_recordable(self) -> datetime | None:
        """When the last recordable case happened (None on a clean record or without data)."""
        text = self.days_since.parts.get("last_recordable")
        return datetime.fromisoformat(text) if text else None

    @property
    def clean_since(self) -> datetime | None:
        """On a clean record, when the scope's data begins: the days are counted from there."""
        text = self.days_since.parts.get("no_recordable_since")
        return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class SafetyCross:
    """A month of safety for a scope: the worst event of each day, and the safety numbers as at the same instant."""

    scope: str
    period: str  # the month
    days: list[SafetyDay]
    numbers: SafetyNumbers


def _local_midnight(day: date, config: PlantConfig) -> datetime:
    return datetime.combine(day, time(0), tzinfo=config.tz).astimezone(UTC)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _formula_key(config: PlantConfig, formula: str) -> str | None:
    """The plant's KPI read for a built-in formula (the first with it, as ``KpiEngine.formula_reading`` reads)."""
    return next((k for k, d in config.kpis.items() if d.formula == formula), None)


def safety_numbers(source: KpiEngine | Services, scope: str, period: Period) -> SafetyNumbers:
    """Days since the last recordable and TRIR of the month and of the rolling 12 months, as at the end of the
    period shown (or now while it runs): computed once here and shown the same everywhere."""
    engine = _engine(source)
    last = period.last
    first = _year_before(last) + timedelta(days=1)
    return SafetyNumbers(
        scope=scope, as_of=min(engine.clock(), engine.period_end(period)),
        days_since=engine.formula_reading("days_since_recordable", scope, period),
        trir_month=engine.formula_reading("trir", scope, period_containing("month", last)),
        # a rolling year: its first and last dates are what the engine reads
        trir_12m=engine.formula_reading("trir", scope, Period("year", first, last)),
        trir_first=first, trir_last=last,
    )


def safety_readings(numbers: SafetyNumbers, config: PlantConfig) -> dict[str, Reading]:
    """The plant's days-since and TRIR KPIs read as the safety numbers (their tiles show these very readings)."""
    out = {}
    for formula, reading in (("days_since_recordable", numbers.days_since), ("trir", numbers.trir_month)):
        key = _formula_key(config, formula)
        if key is not None:
            out[key] = reading
    return out


def clean_record_words(reading: Reading, config: PlantConfig) -> str | None:
    """'No recordable since Mon 2 Nov' when a days-since reading counts from the start of the data, else None."""
    since = reading.parts.get("no_recordable_since")
    if not since:
        return None
    reference = reading.data_through.astimezone(config.tz).date() if reading.data_through else None
    return f"No recordable since {format_day(datetime.fromisoformat(since).astimezone(config.tz).date(), reference)}"


def safety_facts(numbers: SafetyNumbers, config: PlantConfig) -> dict[str, object]:
    """The safety numbers JSON-ready: each reading with its words, value and target as shown, and its status."""
    def fact(label: str, reading: Reading) -> dict[str, object]:
        return reading.as_dict() | {"label": label, "text": format_value(reading.value, reading.unit),
                                    "target_text": format_value(reading.target, reading.unit)}

    month = period_containing("month", numbers.trir_last)
    last = numbers.last_recordable
    days = fact(clean_record_words(numbers.days_since, config) or "Days since last recordable", numbers.days_since)
    days["last_recordable"] = format_day(last.astimezone(config.tz).date()) if last else None
    return {
        "as_of": numbers.as_of.isoformat(),
        "days_since": days,
        "trir_month": fact(f"TRIR, {period_words(config, month)}", numbers.trir_month),
        "trir_12m": fact("TRIR, last 12 months", numbers.trir_12m) | {
            "period": f"{numbers.trir_first.isoformat()}/{numbers.trir_last.isoformat()}",
            "first": numbers.trir_first.isoformat(), "last": numbers.trir_last.isoformat()},
    }


def safety_cross(source: sessionmaker[Session] | Services, config: PlantConfig, scope: str, period: Period,
                 now: datetime, numbers: SafetyNumbers | None = None) -> SafetyCross:
    """The safety cross of the month of the period shown: the worst event per local day up to the period's end (or
    now while it runs), with the safety numbers as at that same instant."""
    sessions = _sessions(source)
    engine = KpiEngine(config, sessions, clock=lambda: now)
    numbers = numbers or safety_numbers(engine, scope, period)
    month = period if period.grain == "month" else period_containing("month", period.last)
    today = numbers.as_of.astimezone(config.tz).date()
    lo = _local_midnight(month.first, config)
    hi = min(_local_midnight(month.last + timedelta(days=1), config), numbers.as_of)
    with sessions() as session:
        events = record_queries.safety_events_between(session, engine.scope_filter(scope), lo, hi) if lo < hi else []
    by_day: dict[date, Counter[str]] = defaultdict(Counter)
    for e in events:
        by_day[e.at_utc.astimezone(config.tz).date()][e.kind] += 1
    days = []
    day = month.first
    while day <= month.last:
        kinds = by_day.get(day, Counter())
        worst = max((k for k in kinds if k in SEVERITY), key=SEVERITY.index, default="none")
        days.append(SafetyDay(day, worst, {k: kinds[k] for k in SEVERITY[1:] if kinds[k]}, day > today))
        day += timedelta(days=1)
    return SafetyCross(scope=scope, period=month.label, days=days, numbers=numbers)


# ---- the whole board -------------------------------------------------------------------------------------

CATEGORY_ORDER = ("S", "Q", "D", "C", "M")
def _streak(engine: KpiEngine, kpi: str, scope: str, period: Period, recent: list[Reading] | None) -> int:
    """Red shifts in a row, from the trend already read; only a trend red end to end needs a longer look."""
    if recent is None:
        return 1  # a weekly or monthly KPI read over its own period: red now, no shift streak
    for streak, reading in enumerate(reversed(recent)):
        if reading.status != Status.RED:
            return streak
    return red_streak(engine, kpi, scope, period)


def board_view(services: Services, scope: str, period: Period) -> dict[str, object]:
    """Everything the shift board shows for a scope and shift, JSON-ready, from the same engine as every page."""
    config, engine = services.config, services.kpis
    now = services.clock()
    month = Period("month", period.first.replace(day=1),
                   (period.first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))
    readings = engine.readings_in_own_periods(config.kpis, scope, period)
    safety = safety_numbers(engine, scope, period)
    readings.update(safety_readings(safety, config))
    headline = [k for k, d in config.kpis.items() if d.headline]
    # a gauge has no shift-by-shift trend: days since the last recordable only climbs until the next case
    shift_kpis = [k for k in headline if readings[k].period == period.label
                  and FORMULAS[config.kpis[k].formula].kind is not Kind.GAUGE]
    trend_of = trends(engine, shift_kpis, scope, period) if shift_kpis else {}
    calendars = month_calendars(engine, [k for k in headline if config.kpis[k].category != "S"], scope, month)
    actions = services.actions.listing(scope)
    with_action = {a.kpi for a in actions}
    columns = []
    for cat in CATEGORY_ORDER:
        keys = [k for k, d in config.kpis.items() if d.category == cat and d.headline]
        kpis = []
        for k in keys:
            r = readings[k]
            d = config.kpis[k]
            streak = _streak(engine, k, scope, period, trend_of.get(k)) if r.status == Status.RED else 0
            kpis.append({
                "kpi": k, "name": d.name, "value": format_value(r.value, r.unit), "raw": r.value,
                "target": format_value(r.target, r.unit), "gap": format_value(r.gap, r.unit) if r.gap is not None
                else "—", "better": r.gap is not None and r.gap >= 0, "status": str(r.status),
                "period": r.period, "own_period": r.period != period.label,
                "through": r.data_through.isoformat() if r.data_through else "",
                "needs_action": r.status == Status.RED and k not in with_action, "repeat": streak >= 3,
                "streak": streak, "flags": list(r.flags), "checks": list(r.checks), "gaps": list(r.gaps),
                "coverage": r.coverage, "complete": r.complete,
                "trend": [{"status": str(t.status), "value": t.value, "period": t.period}
                          for t in trend_of.get(k, [])],
                "target_raw": r.target, "direction": d.direction,
                "note": clean_record_words(r, config) or "",
            })
        column: dict[str, object] = {
            "category": cat, "status": str(worst_status(x["status"] for x in kpis)), "kpis": kpis}
        if cat == "S":
            cross = safety_cross(services, config, scope, period, now, safety)
            column["cross"] = [{"day": c.day.day, "worst": c.worst, "future": c.future} for c in cross.days]
            column["safety"] = safety_facts(safety, config)
        elif keys:
            per_kpi = [calendars[k] for k in keys]
            column["calendar"] = [
                {"day": cells[0].day.day, "future": cells[0].future,
                 "status": str(worst_status(c.status for c in cells))}
                for cells in zip(*per_kpi, strict=True)]
        columns.append(column)
    hours = hour_by_hour(engine, scope, period)
    losses = top_losses(engine, scope, period)
    health = services.health()
    inst = config.calendar.instance(period.first, period.shift or config.calendar.shifts[0].key)
    return {
        "scope": scope, "scope_name": config.scope_name(scope), "period": period.label,
        "period_words": period_words(config, period),
        "window": f"{inst.start_utc.astimezone(config.tz):%a %d %b %H:%M}–{inst.end_utc.astimezone(config.tz):%H:%M}",
        "in_progress": inst.end_utc > now, "month": month.label, "columns": columns,
        "hours": [{"label": h.label, "planned": h.planned, "actual": h.actual, "cum_planned": h.cum_planned,
                   "cum_actual": h.cum_actual, "status": str(h.status), "future": h.future, "has_data": h.has_data}
                  for h in hours],
        "losses": [{"reason": x.reason, "category": x.category, "minutes": x.minutes, "count": x.count,
                    "equipment": x.equipment, "lines": list(x.lines),
                    "cost": format_value(x.cost, config.currency) if x.cost is not None else ""}
                   for x in losses.losses],
        "lost_minutes": losses.total_minutes, "summary": shift_summary(engine, scope, period),
        "actions": [a.as_dict() for a in actions], "failing_sources": health["failing_sources"],
        "data_through": health["data_through"],
    }
