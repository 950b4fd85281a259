"""The events behind a KPI: the read model of the KPI tree's drill-down panel, as plain dataclasses.

For a leaf KPI that went red, the records that explain it: stops by reason (minutes, count, cost), defective
units by defect type, safety events by kind, each as a Pareto and listable down to the single record. Nothing
here knows about Dash or Flask.

Attribution follows ``data.facts`` so the events add up to the KPI's own numbers: stops are clipped to the
period's shift windows with planned breaks left out (``losses.loss_pieces``, the same minutes as the board's top
losses and the ``unplanned_downtime`` and ``changeover_time`` KPIs); a quality or safety event belongs to the
worked shift window containing its time, breaks included; safety events of an area or the plant count in the
scopes whose facts hold them (``data.queries.records.safety_events_between``).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import itemgetter
from typing import Any, TypeVar

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.kpi import FORMULAS
from huddle.dashboard.core.names import event_label, place_name
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import STOP_CATEGORIES, PlantConfig
from huddle.dashboard.services.losses import LossPieces, loss_pieces
from huddle.dashboard.services.reading_context import shared_session
from huddle.dashboard.services.readings import Readings
from huddle.data.ingest.contract import DISPOSITIONS, SAFETY_KINDS
from huddle.data.instants import utc_of_micros
from huddle.data.queries import records as record_queries
from sqlalchemy.orm import Session

_Row = TypeVar("_Row", bound=Any)  # a query's row with an ``at_utc``


@dataclass(frozen=True)
class EventFilter:
    """Which event records lie behind a KPI formula and what its Pareto is ranked by."""

    kind: str  # stops | defects | safety
    values: tuple[str, ...]  # stop categories, quality dispositions or safety kinds
    measure: str  # minutes | quantity | count
    title: str


_UNPLANNED = EventFilter("stops", ("unplanned",), "minutes", N_("Unplanned stops by reason"))
_DEFECTS = EventFilter("defects", DISPOSITIONS, "quantity", N_("Defective units by defect"))
_RECORDABLE = EventFilter("safety", ("recordable", "lost_time"), "count", N_("Recordable and lost-time cases"))

#: Which events lie behind which KPI formula; formulas not listed have none (ratios of counts or labour, roots
#: such as OEE whose children carry the events, values loaded as they are).
EVENT_KINDS: dict[str, EventFilter] = {
    # run time is planned production time less unplanned stops and changeovers: both explain availability
    "availability": EventFilter("stops", ("unplanned", "changeover"), "minutes",
                                N_("Unplanned stops and changeovers by reason")),
    "unplanned_downtime": _UNPLANNED,
    "mttr": _UNPLANNED,
    # MTBF falls with every failure: rank by how many stops started, not by how long they lasted
    "mtbf": EventFilter("stops", ("unplanned",), "count", N_("Unplanned stops by reason")),
    "changeover_time": EventFilter("stops", ("changeover",), "minutes", N_("Changeovers by reason")),
    "fpy": _DEFECTS,
    "quality": _DEFECTS,
    "scrap_rate": EventFilter("defects", ("scrap",), "quantity", N_("Scrapped units by defect")),
    "rework_rate": EventFilter("defects", ("rework",), "quantity", N_("Reworked units by defect")),
    "trir": _RECORDABLE,
    "recordables": _RECORDABLE,
    "days_since_recordable": _RECORDABLE,
    "first_aid_cases": EventFilter("safety", ("first_aid",), "count", N_("First-aid cases")),
    "near_misses": EventFilter("safety", ("near_miss",), "count", N_("Near misses")),
}
_KNOWN = {"stops": STOP_CATEGORIES, "defects": DISPOSITIONS, "safety": SAFETY_KINDS}
assert all(f in FORMULAS and set(e.values) <= set(_KNOWN[e.kind]) for f, e in EVENT_KINDS.items()), \
    "every event kind names a known formula and known categories, dispositions or safety kinds"


@dataclass(frozen=True)
class ParetoRow:
    """One reason, defect type or safety kind: what it adds up to, its share of the total and the running share."""

    label: str
    minutes: float | None  # stops only
    count: int  # stops that started inside the period's shifts; quality or safety events
    quantity: int | None  # defects only: units
    cost: float | None  # stops only: minutes × each line's downtime cost, where the plant configures one
    share: float  # of the ranking measure, 0..1
    cumulative: float  # 0..1
    lines: tuple[str, ...]  # in plant order; for safety also the areas and the site key of events not at a line
    name: str = ""  # the label as people read it (a safety kind in words)
    where: tuple[str, ...] = ()  # the lines (areas, site) by name


@dataclass(frozen=True)
class EventRecord:
    """One event behind a KPI."""

    at_utc: datetime
    end_utc: datetime | None  # stops only
    line: str  # a line key; for safety events not at a line, the area key or the site key
    label: str  # stop reason, defect type or safety kind
    detail: str  # equipment, disposition or description
    minutes: float | None  # stops only: minutes inside the period's shift windows, planned breaks excluded
    quantity: int | None  # defects only
    cost: float | None  # stops only, where the line has a downtime cost
    place: str = ""  # the line (area, site) by name
    name: str = ""  # the label as people read it


@dataclass(frozen=True)
class EventReport:
    """The events behind a KPI for a scope and period: a Pareto and the records."""

    kind: str  # stops | defects | safety
    title: str
    measure: str  # minutes | quantity | count: what the Pareto is ranked by
    pareto: list[ParetoRow]
    records: list[EventRecord]  # newest first, only the label asked for if any, at most ``limit``
    total_records: int  # before the limit
    total: float  # the ranking measure summed over all rows


@dataclass
class _Group:
    """What one reason, defect type or safety kind adds up to while the events are read."""

    minutes: float = 0.0
    count: int = 0
    quantity: int = 0
    cost: float = 0.0
    costed: bool = False
    lines: set[str] = field(default_factory=set)


def event_kind_for(config: PlantConfig, kpi: str) -> EventFilter | None:
    """The events behind a KPI of the plant, or None when no event records explain it."""
    kdef = config.kpis.get(kpi)
    if kdef is None:
        raise KeyError(f"unknown KPI {kpi!r}")
    return EVENT_KINDS.get(kdef.formula)


def events_behind(readings: Readings, kpi: str, scope: str, period: Period, *, label: str | None = None,
                  limit: int = 200, pieces: LossPieces | None = None) -> EventReport | None:
    """The Pareto and records of the events behind a KPI for a scope and period (None when no events explain it);
    ``pieces``: the scope's stops already clipped to the period (``loss_pieces``), when the caller has them."""
    kind = event_kind_for(readings.config, kpi)
    if kind is None:
        return None
    return events_of(readings, kind, scope, period, label=label, limit=limit, pieces=pieces)


#: The events a monthly review ranks: unplanned stops by minutes and defective units by type.
UNPLANNED_STOPS = _UNPLANNED
DEFECTS = _DEFECTS


def events_of(readings: Readings, kind: EventFilter, scope: str, period: Period, *, label: str | None = None,
              limit: int = 200, pieces: LossPieces | None = None) -> EventReport:
    """The Pareto and records of one kind of events for a scope and period (stops from ``pieces`` when given)."""
    if kind.kind == "stops":
        groups, rows, order = _stops(readings, kind, scope, period, pieces)
    else:
        groups, rows, order = {"defects": _defects, "safety": _safety}[kind.kind](readings, kind, scope, period)
    pareto, total = _pareto(groups, kind, order)
    config = readings.config
    pareto = [replace(p, name=event_label(kind.kind, p.label), where=tuple(place_name(config, x) for x in p.lines))
              for p in pareto]
    if label is not None:
        rows = [r for r in rows if r[_LABEL] == label]
    rows.sort(key=itemgetter(_LINE))
    rows.sort(key=itemgetter(_AT), reverse=True)
    # a month of a plant holds thousands of records and the panel lists the newest few: only those are built
    listed = rows[:max(0, limit)]
    if kind.kind == "stops":  # their instants were kept as microseconds
        listed = [(utc_of_micros(r[0]), utc_of_micros(r[1]), *r[2:]) for r in listed]  # type: ignore[arg-type]
    records = [EventRecord(*r, place=place_name(config, r[_LINE]), name=event_label(kind.kind, r[_LABEL]))
               for r in listed]
    return EventReport(kind.kind, _(kind.title), kind.measure, pareto, records, len(rows), total)


def _worked_windows(config: PlantConfig, period: Period) -> list[ShiftInstance]:
    """The worked shift instances of a period (one for a shift period, none when that shift is not worked)."""
    insts = config.calendar.instances_for_dates(period.first, period.last)
    return [i for i in insts if i.shift_key == period.shift] if period.shift else insts


def _inside(insts: list[ShiftInstance], starts: list[datetime], at: datetime) -> bool:
    i = bisect.bisect_right(starts, at) - 1
    return i >= 0 and at < insts[i].end_utc


#: One event as collected: EventRecord's fields from ``at_utc`` to ``cost``, in order (the record is built only for
#: the events listed; a stop's instants are microseconds since 1970 until then).
_Event = tuple[datetime | int, datetime | int | None, str, str, str, float | None, int | None, float | None]
_AT, _LINE, _LABEL = 0, 2, 3
_Collected = tuple[dict[str, _Group], list[_Event], list[str]]


def _stops(readings: Readings, kind: EventFilter, scope: str, period: Period,
           pieces: LossPieces | None = None) -> _Collected:
    config = readings.config
    groups: dict[str, _Group] = defaultdict(_Group)
    records: list[_Event] = []
    rates = {key: line.downtime_cost_per_hour for key, line in config.lines.items()}
    pieces = loss_pieces(readings, scope, period) if pieces is None else pieces
    stops = pieces.stops
    # a month of a plant holds thousands of stops: summed from the columns, their instants kept as numbers until
    # the few records listed are built (events_of)
    for start, end, line, reason, category, equipment, minutes, inside in zip(
            stops.start_us.tolist(), stops.end_us.tolist(), stops.line, stops.reason, stops.category,
            stops.equipment, pieces.minutes, pieces.started_inside, strict=True):
        if category not in kind.values:
            continue
        rate = rates[line]
        cost = minutes * rate / 60 if rate is not None else None
        g = groups[reason]
        g.minutes += minutes
        g.count += inside
        g.lines.add(line)
        if cost is not None:
            g.cost += cost
            g.costed = True
        records.append((start, end, line, reason, equipment, minutes, None, cost))
    return groups, records, config.scope_lines(scope)


def inside_windows(readings: Readings, period: Period, fetch: Callable[[Session, datetime, datetime], list[_Row]]
                    ) -> list[_Row]:
    """Rows fetched for the span of the period's worked shifts, kept when they fall inside one of them."""
    insts = _worked_windows(readings.config, period)
    if not insts:
        return []
    with shared_session(readings.sessions) as session:
        rows = fetch(session, insts[0].start_utc, max(i.end_utc for i in insts))
    starts = [i.start_utc for i in insts]
    return [row for row in rows if _inside(insts, starts, row.at_utc)]


def _defects(readings: Readings, kind: EventFilter, scope: str, period: Period) -> _Collected:
    config = readings.config
    lines = tuple(config.scope_lines(scope))
    groups: dict[str, _Group] = defaultdict(_Group)
    records: list[_Event] = []
    for row in inside_windows(readings, period, lambda session, lo, hi: record_queries.quality_events_between(
            session, lines, lo, hi, kind.values)):
        g = groups[row.defect]
        g.quantity += row.quantity
        g.count += 1
        g.lines.add(row.line)
        records.append((row.at_utc, None, row.line, row.defect, row.disposition, None, row.quantity, None))
    return groups, records, config.scope_lines(scope)


def _safety(readings: Readings, kind: EventFilter, scope: str, period: Period) -> _Collected:
    config = readings.config
    where_scope = readings.scope_filter(scope)
    groups: dict[str, _Group] = defaultdict(_Group)
    records: list[_Event] = []
    for row in inside_windows(readings, period, lambda session, lo, hi: record_queries.safety_events_between(
            session, where_scope, lo, hi, kind.values)):
        where = row.line or row.area or config.site_key
        g = groups[row.kind]
        g.count += 1
        g.lines.add(where)
        records.append((row.at_utc, None, where, row.kind, row.description, None, None, None))
    return groups, records, [*config.lines, *config.areas, config.site_key]


def _pareto(groups: dict[str, _Group], kind: EventFilter, order: list[str]) -> tuple[list[ParetoRow], float]:
    """Rows ranked by the measure (then count, then the more severe safety kind or the label), and the total."""
    def value(g: _Group) -> float:
        return {"minutes": g.minutes, "quantity": float(g.quantity), "count": float(g.count)}[kind.measure]

    def rank(name: str) -> tuple[float, int, float, int, str]:
        g = groups[name]
        severity = SAFETY_KINDS.index(name) if kind.kind == "safety" and name in SAFETY_KINDS else 0
        return -value(g), -g.count, -g.minutes, -severity, name

    ranked = sorted(groups, key=rank)
    total = 0.0
    for name in ranked:
        total += value(groups[name])
    rows, running = [], 0.0
    for name in ranked:
        g = groups[name]
        running += value(g)
        rows.append(ParetoRow(
            label=name,
            minutes=g.minutes if kind.kind == "stops" else None,
            count=g.count,
            quantity=g.quantity if kind.kind == "defects" else None,
            cost=g.cost if g.costed else None,
            share=value(g) / total if total > 0 else 0.0,
            cumulative=running / total if total > 0 else 0.0,
            lines=tuple(ln for ln in order if ln in g.lines),
        ))
    return rows, total
