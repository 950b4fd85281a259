"""Building ``shift_facts``: the additive measures of each line and shift, from the raw records.

Called inside the loader's transaction for the lines and time ranges a load touched, so a shift's facts never
mix old and new records. Measures come in groups, each built from its own record types (production from counts
and stops, quality from quality events, labour, safety): a load recomputes only the groups its record type
feeds and keeps the others. Counts belong to the shift containing their interval's midpoint; stops are split
over the shifts they overlap (time inside a planned break counts once, as planned); a shift still in progress
counts scheduled time only up to its latest count or stop. Each line-shift also keeps the production time its shift
schedules and how much of it the count intervals and stop events cover, so a reading can tell a shift whose data
stopped early from a complete one.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.kpi import MEASURES
from huddle.dashboard.core.plant import PlantConfig
from huddle.data.ingest import bulk
from huddle.data.models import Labour, ProductionCount, QualityEvent, SafetyEvent, ShiftFact, StopEvent
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

#: Longest stop the range queries look back for (a stop that started before a window and runs into it).
LOOKBACK = timedelta(days=7)
#: Shift instances recomputed per query round (about a month of three shifts).
CHUNK = 93

GROUPS: dict[str, tuple[str, ...]] = {
    "production": ("shift_s", "planned_stop_s", "ppt_s", "unplanned_stop_s", "changeover_s", "run_s",
                   "total_count", "good_count", "planned_qty", "ideal_total_s", "ideal_good_s", "failures",
                   "scheduled_s", "covered_s"),
    "quality": ("scrap_qty", "rework_qty"),
    "labour": ("headcount_planned", "headcount_present", "hours_worked", "overtime_h"),
    "safety": ("recordables", "lost_time_cases", "first_aid_cases", "near_misses"),
}
#: Which measure group each record type feeds.
RECORD_GROUP = {"production_counts": "production", "stop_events": "production", "quality_events": "quality",
                "labour": "labour", "safety_events": "safety"}
assert sorted(m for g in GROUPS.values() for m in g) == sorted(MEASURES), "every measure belongs to one group"


@dataclass
class Touched:
    """What a load changed: per (line, area), the earliest and latest instant, and which measure groups."""

    ranges: dict[tuple[str, str], tuple[datetime, datetime]] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)

    def add(self, line: str, area: str, lo: datetime, hi: datetime) -> None:
        """Record that data for (line, area) between lo and hi changed."""
        key = (line, area)
        if key in self.ranges:
            old_lo, old_hi = self.ranges[key]
            self.ranges[key] = (min(old_lo, lo), max(old_hi, hi))
        else:
            self.ranges[key] = (lo, hi)

    def __bool__(self) -> bool:
        return bool(self.ranges)


@dataclass
class _Chunk:
    """Shift instances of one (line, area) being recomputed, and what was found for each."""

    line: str
    area: str
    instances: list[ShiftInstance]
    measures: dict[int, dict[str, float]] = field(default_factory=dict)
    through: dict[int, datetime] = field(default_factory=dict)
    spans: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.starts = [i.start_utc for i in self.instances]
        self.lo, self.hi = self.instances[0].start_utc, self.instances[-1].end_utc

    def slot(self, instant: datetime) -> int | None:
        """Index of the instance containing an instant."""
        i = bisect.bisect_right(self.starts, instant) - 1
        return i if i >= 0 and instant < self.instances[i].end_utc else None

    def of(self, i: int, group: str) -> dict[str, float]:
        """The measures of instance ``i`` in a group, created at zero."""
        return self.measures.setdefault(i, dict.fromkeys(GROUPS[group], 0.0))

    def covers(self, i: int, start: datetime, end: datetime) -> None:
        """Remember that a record covers [start, end) of instance ``i``."""
        inst = self.instances[i]
        lo, hi = max(start, inst.start_utc), min(end, inst.end_utc)
        if hi > lo:
            self.spans.setdefault(i, []).append((lo, hi))

    def seen(self, i: int, instant: datetime) -> None:
        """Remember the latest record time in instance ``i``."""
        if i not in self.through or instant > self.through[i]:
            self.through[i] = instant


def refresh_facts(session: Session, config: PlantConfig, touched: Touched, now: datetime) -> int:
    """Recompute the touched measure groups of every shift instance the touched ranges overlap."""
    groups = touched.groups or set(GROUPS)
    written = 0
    for (line, area), (lo, hi) in touched.ranges.items():
        instances = config.calendar.instances(lo, hi + timedelta(seconds=1))
        # in chunks of about a month so a multi-year load never holds its whole history in memory
        for start in range(0, len(instances), CHUNK):
            chunk_groups = groups if line else groups & {"safety"}
            if chunk_groups:
                chunk = _Chunk(line, area, instances[start:start + CHUNK])
                written += _refresh_chunk(session, config, chunk, chunk_groups, now)
    return written


def _refresh_chunk(session: Session, config: PlantConfig, chunk: _Chunk, groups: set[str], now: datetime) -> int:
    builders: dict[str, Callable[[Session, PlantConfig, _Chunk, datetime], None]] = {
        "production": _production, "quality": _quality, "labour": _labour, "safety": _safety}
    fresh: dict[str, _Chunk] = {}
    for group in groups:
        part = _Chunk(chunk.line, chunk.area, chunk.instances)
        builders[group](session, config, part, now)
        fresh[group] = part
    return _merge(session, config, chunk, fresh, now)


def _production(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    cfg_line = config.lines[c.line]
    counts = session.execute(
        select(bulk.plain(ProductionCount.start_utc), bulk.plain(ProductionCount.end_utc), ProductionCount.product,
               ProductionCount.total, ProductionCount.good, ProductionCount.planned_qty)
        .where(ProductionCount.line == c.line, ProductionCount.start_utc >= c.lo - timedelta(hours=12),
               ProductionCount.start_utc < c.hi)
    ).all()
    instant = bulk.instant
    for start_, end_, product, total, good, planned in counts:
        start, end = instant(start_), instant(end_)
        i = c.slot(start + (end - start) / 2)
        if i is None:
            continue
        m = c.of(i, "production")
        cycle = cfg_line.cycle_for(product)
        m["total_count"] += total
        m["good_count"] += good
        m["planned_qty"] += planned or 0.0
        m["ideal_total_s"] += total * cycle
        m["ideal_good_s"] += good * cycle
        c.covers(i, start, end)
        c.seen(i, min(end, c.instances[i].end_utc))

    stops = session.execute(
        select(bulk.plain(StopEvent.start_utc), bulk.plain(StopEvent.end_utc), StopEvent.category)
        .where(StopEvent.line == c.line, StopEvent.start_utc >= c.lo - LOOKBACK, StopEvent.start_utc < c.hi,
               StopEvent.end_utc > c.lo)
    ).all()
    for start_, end_, category in stops:
        start, end = instant(start_), instant(end_)
        first = c.slot(max(start, c.lo))
        if first is None:
            first = bisect.bisect_right(c.starts, start)
        for k in range(first, len(c.instances)):
            inst = c.instances[k]
            if inst.start_utc >= end:
                break
            # time inside a planned break is already planned time: count it once
            overlap = inst.overlap_s(start, end) - sum(
                max(0.0, (min(end, b_hi) - max(start, b_lo)).total_seconds()) for b_lo, b_hi in inst.breaks)
            if overlap <= 0:
                continue
            m = c.of(k, "production")
            c.covers(k, start, end)
            key = {"planned": "planned_stop_s", "unplanned": "unplanned_stop_s"}.get(category, "changeover_s")
            m[key] += overlap
            if category == "unplanned" and inst.start_utc <= start < inst.end_utc:
                m["failures"] += 1
            c.seen(k, min(end, inst.end_utc))

    # scheduled time counts only for shifts the line ran (it has counts or stops)
    for k, m in c.measures.items():
        inst = c.instances[k]
        in_progress = inst.end_utc > now
        until = max(inst.start_utc, min(inst.end_utc, c.through.get(k, inst.start_utc))) if in_progress \
            else inst.end_utc
        m["shift_s"] = (until - inst.start_utc).total_seconds()
        m["planned_stop_s"] = min(m["shift_s"], m["planned_stop_s"] + inst.breaks_before(until))
        m["ppt_s"] = m["shift_s"] - m["planned_stop_s"]
        m["run_s"] = max(0.0, m["ppt_s"] - m["unplanned_stop_s"] - m["changeover_s"])
        m["scheduled_s"] = inst.duration_s - inst.planned_breaks_s
        m["covered_s"] = _covered_outside_breaks(c.spans.get(k, []), inst.breaks)


def _covered_outside_breaks(spans: list[tuple[datetime, datetime]],
                            breaks: tuple[tuple[datetime, datetime], ...]) -> float:
    """Seconds covered by the union of record spans, break time left out (a break is planned, not missing)."""
    covered = 0.0
    merged: list[list[datetime]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    for lo, hi in merged:
        covered += (hi - lo).total_seconds() - sum(
            max(0.0, (min(hi, b_hi) - max(lo, b_lo)).total_seconds()) for b_lo, b_hi in breaks)
    return covered


def _quality(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    rows = session.execute(
        select(QualityEvent.at_utc, QualityEvent.quantity, QualityEvent.disposition)
        .where(QualityEvent.line == c.line, QualityEvent.at_utc >= c.lo, QualityEvent.at_utc < c.hi)
    ).all()
    for at, qty, disposition in rows:
        i = c.slot(at)
        if i is not None:
            c.of(i, "quality")["scrap_qty" if disposition == "scrap" else "rework_qty"] += qty
            c.seen(i, at)


def _labour(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    by_shift = {(inst.production_date, inst.shift_key): k for k, inst in enumerate(c.instances)}
    dates = [inst.production_date for inst in c.instances]
    rows = session.execute(
        select(Labour.production_date, Labour.shift, Labour.planned_headcount, Labour.present_headcount,
               Labour.hours_worked, Labour.overtime_hours)
        .where(Labour.line == c.line, Labour.production_date >= min(dates), Labour.production_date <= max(dates))
    ).all()
    for day, shift, planned, present, hours, overtime in rows:
        k = by_shift.get((day, shift))
        if k is None:
            continue
        m = c.of(k, "labour")
        m["headcount_planned"] += planned
        m["headcount_present"] += present
        m["hours_worked"] += hours
        m["overtime_h"] += overtime


def _safety(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    where = (SafetyEvent.line == c.line) if c.line else and_(SafetyEvent.line == "", SafetyEvent.area == c.area)
    rows = session.execute(
        select(SafetyEvent.at_utc, SafetyEvent.kind).where(where, SafetyEvent.at_utc >= c.lo, SafetyEvent.at_utc < c.hi)
    ).all()
    for at, kind in rows:
        i = c.slot(at)
        if i is None:
            continue
        m = c.of(i, "safety")
        m["recordables"] += kind in ("recordable", "lost_time")
        m["lost_time_cases"] += kind == "lost_time"
        m["first_aid_cases"] += kind == "first_aid"
        m["near_misses"] += kind == "near_miss"
        c.seen(i, at)


def _merge(session: Session, config: PlantConfig, chunk: _Chunk, fresh: dict[str, _Chunk], now: datetime) -> int:
    """Write the recomputed groups into the chunk's fact rows, keeping the measures of the other groups."""
    line, area = chunk.line, (config.area_of(chunk.line) if chunk.line else chunk.area)
    existing: dict[tuple[Any, str], Any] = {
        (r.production_date, r.shift): r for r in session.execute(
            select(ShiftFact.id, ShiftFact.production_date, ShiftFact.shift, ShiftFact.data_through_utc,
                   *[getattr(ShiftFact, m) for m in MEASURES])
            .where(ShiftFact.line == line, ShiftFact.area == area,
                   ShiftFact.production_date >= chunk.instances[0].production_date,
                   ShiftFact.production_date <= chunk.instances[-1].production_date,
                   ShiftFact.start_utc >= chunk.lo, ShiftFact.start_utc < chunk.hi))
    }
    updates, inserts = [], []
    for k, inst in enumerate(chunk.instances):
        old = existing.get((inst.production_date, inst.shift_key))
        found = [g for g, part in fresh.items() if k in part.measures]
        if old is None and not found:
            continue
        row: dict[str, Any] = {m: (getattr(old, m) if old is not None else 0.0) for m in MEASURES}
        for group, part in fresh.items():
            row.update(part.measures.get(k, dict.fromkeys(GROUPS[group], 0.0)))
        times = [t for t in [getattr(old, "data_through_utc", None), *(p.through.get(k) for p in fresh.values())]
                 if t is not None]
        row["data_through_utc"] = max(times) if times else None
        row["updated_at"] = now
        if old is not None:
            updates.append({**row, "id": old.id})
        else:
            inserts.append({"line": line, "area": area, "production_date": inst.production_date,
                            "shift": inst.shift_key, "start_utc": inst.start_utc, "end_utc": inst.end_utc, **row})
    # through the driver: SQLAlchemy's work per row and value was most of a load's time
    bulk.update_rows(session, ShiftFact.__table__, updates)
    bulk.insert_rows(session, ShiftFact.__table__, inserts)
    return len(updates) + len(inserts)
