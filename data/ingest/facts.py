"""Building ``shift_facts``: the additive measures of each line and shift, from the raw records.

Called inside the loader's transaction for the lines and time ranges a load touched, so a shift's facts never
mix old and new records. Measures come in groups, each built from its own record types (production from counts
and stops, quality from quality events, labour, safety): a load recomputes only the groups its record type
feeds and keeps the others. Counts belong to the shift containing their interval's midpoint; stops are split
over the shifts they overlap (time inside a planned break counts once, as planned); a shift still in progress
counts scheduled time only up to its latest count or stop. Each line-shift also keeps the production time its shift
schedules and how much of it the count intervals and stop events cover, so a reading can tell a shift whose data
stopped early from a complete one.

A refresh first locks the lines it recomputes (``line_locks``): loads of one line at the same moment then both end
up in its facts.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.kpi import MEASURES
from huddle.dashboard.core.plant import PlantConfig
from huddle.data.ingest import bulk
from huddle.data.ingest.fact_spans import (
    NEVER,
    calendar_micros,
    covered_seconds,
    keep_spans,
    micros_of,
)
from huddle.data.ingest.facts_rows import ProductionRows, Written, labour_rows
from huddle.data.ingest.line_locks import lock_lines
from huddle.data.ingest.month_facts import refresh_month_facts
from huddle.data.instants import micros_of_utc
from huddle.data.models import QualityEvent, SafetyEvent, ShiftFact
from huddle.data.models_feeds import WorkOrder
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

#: Shift instances recomputed per query round (about a month of three shifts).
CHUNK = 93
#: The longest span of chunks (of several lines) whose records are read in one query.
WINDOW = timedelta(days=45)

GROUPS: dict[str, tuple[str, ...]] = {
    "production": ("shift_s", "planned_stop_s", "ppt_s", "unplanned_stop_s", "changeover_s", "run_s",
                   "total_count", "good_count", "planned_qty", "ideal_total_s", "ideal_good_s", "failures",
                   "scheduled_s", "covered_s"),
    "quality": ("scrap_qty", "rework_qty", "internal_escapes", "customer_escapes"),
    "labour": ("headcount_planned", "headcount_present", "hours_worked", "overtime_h"),
    "safety": ("recordables", "lost_time_cases", "first_aid_cases", "near_misses"),
    "maintenance": ("pm_scheduled", "pm_on_time"),
}
#: The production measures counts alone give (kept as they are when only stops changed).
COUNT_MEASURES = frozenset({"total_count", "good_count", "planned_qty", "ideal_total_s", "ideal_good_s"})
#: Which measure group each record type feeds.
RECORD_GROUP = {"production_counts": "production", "stop_events": "production", "quality_events": "quality",
                "labour": "labour", "safety_events": "safety", "work_orders": "maintenance"}
assert sorted(m for g in GROUPS.values() for m in g) == sorted(MEASURES), "every measure belongs to one group"


@dataclass
class Touched:
    """What a load changed: per (line, area), the earliest and latest instant, and which measure groups."""

    ranges: dict[tuple[str, str], tuple[datetime, datetime]] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)
    #: the counts did not change (a load of stops alone): their own measures are kept, only their spans are read
    counts_kept: bool = False

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
    #: a group built a column at a time: its measures per instance, which instances have any, latest record times
    arrays: dict[str, np.ndarray] | None = None
    has: np.ndarray | None = None
    through_us: np.ndarray | None = None
    counts_kept: bool = False
    #: the counts and stops of its line, read with other lines' (else read for the chunk alone)
    rows: ProductionRows | None = None
    #: the labour rows of its line, read likewise
    labour: list[tuple[date, str, float, float, float, float]] | None = None
    #: its instances' starts and ends in microseconds, when worked out for every line of a span at once
    bounds_us: tuple[np.ndarray, np.ndarray] | None = None
    #: its instances' breaks' starts and ends in microseconds (``break_bounds``), likewise
    breaks_us: tuple[np.ndarray, np.ndarray] | None = None

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

    def columns(self, group: str) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
        """The group's measures as columns over the instances: which have any, the measures, the latest record
        time in microseconds (``NEVER`` where none)."""
        if self.arrays is not None and self.has is not None and self.through_us is not None:
            return self.has, self.arrays, self.through_us
        n = len(self.instances)
        has = np.zeros(n, dtype=bool)
        arrays = {name: np.zeros(n) for name in GROUPS[group]}
        through = np.full(n, NEVER, dtype=np.int64)
        for k, measures in self.measures.items():
            has[k] = True
            for name, value in measures.items():
                arrays[name][k] = value
        for k, at in self.through.items():
            through[k] = micros_of_utc(at)
        return has, arrays, through


def refresh_facts(session: Session, config: PlantConfig, touched: Touched, now: datetime,
                  own: Written | None = None) -> int:
    """Recompute the touched measure groups of every shift instance the touched ranges overlap; the counts or
    stops a file has just written (all new) come from ``own`` rather than from the database."""
    groups = touched.groups or set(GROUPS)
    lock_lines(session, [line or f"area {area}" for line, area in touched.ranges])
    written = 0
    pending = _Pending(session)
    chunks: list[_Chunk] = []
    # the lines of a file mostly share their span: its instances, and their bounds in microseconds, once
    spans: dict[tuple[datetime, datetime], tuple[list[Any], np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for (line, area), (lo, hi) in touched.ranges.items():
        span = spans.get((lo, hi))
        if span is None:
            instances = config.calendar.instances(lo, hi + timedelta(seconds=1))
            span = spans[(lo, hi)] = (instances, micros_of([i.start_utc for i in instances]),
                                      micros_of([i.end_utc for i in instances]), *break_bounds(instances))
        instances, starts, ends, break_lo, break_hi = span
        # in chunks of about a month so a multi-year load never holds its whole history in memory
        if line or "safety" in groups:
            chunks += [_Chunk(line, area, instances[start:start + CHUNK], counts_kept=touched.counts_kept,
                              bounds_us=(starts[start:start + CHUNK], ends[start:start + CHUNK]),
                              breaks_us=(break_lo[start:start + CHUNK], break_hi[start:start + CHUNK]))
                       for start in range(0, len(instances), CHUNK)]
    for together in _windows(chunks):
        lines = sorted({c.line for c in together if c.line})
        if "production" in groups and lines:
            rows = ProductionRows.read(session, lines, min(c.lo for c in together), max(c.hi for c in together),
                                       touched.counts_kept, own)
            for c in together:
                c.rows = rows
        if "labour" in groups and lines:
            people = labour_rows(session, lines, min(c.instances[0].production_date for c in together),
                                 max(c.instances[-1].production_date for c in together))
            for c in together:
                c.labour = people.get(c.line, [])
        for c in together:
            written += _refresh_chunk(session, config, c, groups if c.line else groups & {"safety"}, now, pending)
            c.rows = c.labour = None  # a long file's history is never held whole in memory
    pending.flush()
    refresh_month_facts(session, pending.months)
    return written


def _windows(chunks: list[_Chunk]) -> list[list[_Chunk]]:
    """Chunks in groups spanning about as long as one chunk (by start), whose records are read together."""
    out: list[list[_Chunk]] = []
    for c in sorted(chunks, key=lambda c: c.lo):
        if out and c.hi - out[-1][0].lo <= WINDOW:
            out[-1].append(c)
        else:
            out.append([c])
    return out


#: fact rows recomputed before they are written together
PENDING_ROWS = 5_000


@dataclass
class _Pending:
    """Fact rows recomputed and not yet written: written together, one statement per set of measures, before a
    shift of theirs is recomputed or cleared again and at the end of the refresh."""

    session: Session
    #: per set of measures, each column's parts (lists or arrays), None for a measure not recomputed
    batches: dict[tuple[str, ...], dict[str, list[Any] | None]] = field(default_factory=dict)
    keys: set[tuple[Any, ...]] = field(default_factory=set)
    #: the months whose fact rows were recomputed, (line, area, 'YYYY-MM'): their monthly sums are summed anew
    months: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, refreshed: list[str], columns: dict[str, Any], keys: list[tuple[Any, ...]]) -> None:
        """Fact rows (given as columns: lists or arrays, None for a measure not recomputed) to write, with their
        keys."""
        self.before(keys)
        batch = self.batches.setdefault(tuple(refreshed), {name: None if values is None else []
                                                           for name, values in columns.items()})
        for name, values in columns.items():
            if values is not None:
                batch[name].append(values)  # type: ignore[union-attr]
        self.keys.update(keys)
        if len(self.keys) >= PENDING_ROWS:
            self.flush()

    def before(self, keys: list[tuple[Any, ...]]) -> None:
        """Write what is pending when these fact rows are among it (so they change in the order they were
        recomputed)."""
        if self.keys and not self.keys.isdisjoint(keys):
            self.flush()

    def flush(self) -> None:
        """Write every pending fact row."""
        for refreshed, parts in self.batches.items():
            columns = {name: None if p is None else (np.concatenate(p) if isinstance(p[0], np.ndarray)
                                                     else [v for part in p for v in part])
                       for name, p in parts.items()}
            bulk.upsert_facts(self.session, ShiftFact.__table__, columns, list(refreshed))
        self.batches.clear()
        self.keys.clear()


def _refresh_chunk(session: Session, config: PlantConfig, chunk: _Chunk, groups: set[str], now: datetime,
                   pending: _Pending) -> int:
    builders: dict[str, Callable[[Session, PlantConfig, _Chunk, datetime], None]] = {
        "production": _production, "quality": _quality, "labour": _labour, "safety": _safety,
        "maintenance": _maintenance}
    fresh: dict[str, _Chunk] = {}
    for group in groups:
        part = _Chunk(chunk.line, chunk.area, chunk.instances, counts_kept=chunk.counts_kept, rows=chunk.rows,
                      labour=chunk.labour, bounds_us=chunk.bounds_us, breaks_us=chunk.breaks_us)
        builders[group](session, config, part, now)
        fresh[group] = part
    return _merge(session, config, chunk, fresh, now, pending)


def _production(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    """Production measures of the chunk's shifts from their counts and stops, a column at a time: a load of a
    year of a plant's rows reads them back here, so this is the loader's hottest path."""
    cfg_line = config.lines[c.line]
    n = len(c.instances)
    starts, ends = c.bounds_us or (micros_of(c.starts), micros_of([i.end_utc for i in c.instances]))
    break_lo, break_hi = c.breaks_us or break_bounds(c.instances)
    width = break_lo.shape[1]
    sums = {name: np.zeros(n) for name in GROUPS["production"]}
    has = np.zeros(n, dtype=bool)
    through = np.full(n, NEVER, dtype=np.int64)
    span_slots: list[np.ndarray] = []
    span_lo: list[np.ndarray] = []
    span_hi: list[np.ndarray] = []

    rows = c.rows or ProductionRows.read(session, [c.line], c.lo, c.hi, c.counts_kept)
    columns = rows.counts_of(c.line, c.lo, c.hi)
    if columns is not None:
        s, e = columns[0], columns[1]
        # a count belongs to the shift holding its midpoint (rounded to the microsecond, half to even, as
        # timedelta rounds)
        mid = s + np.round((e - s) / 2).astype(np.int64)
        slot = np.searchsorted(starts, mid, side="right") - 1
        ok = slot >= 0
        ok[ok] = mid[ok] < ends[slot[ok]]
        slot = slot[ok]
        if not c.counts_kept:
            _, _, product, total, good, planned = columns
            cycles = {p: cfg_line.cycle_for(p) for p in set(product)}
            total_a = np.asarray(total, dtype=float)[ok]
            good_a = np.asarray(good, dtype=float)[ok]
            cycle_a = np.asarray([cycles[p] for p in product], dtype=float)[ok]
            planned_a = np.asarray([p or 0.0 for p in planned], dtype=float)[ok]
            for name, values in (("total_count", total_a), ("good_count", good_a), ("planned_qty", planned_a),
                                 ("ideal_total_s", total_a * cycle_a), ("ideal_good_s", good_a * cycle_a)):
                sums[name] += np.bincount(slot, weights=values, minlength=n)
        has[slot] = True
        s, e = s[ok], e[ok]
        keep_spans(span_slots, span_lo, span_hi, slot, np.maximum(s, starts[slot]), np.minimum(e, ends[slot]))
        np.maximum.at(through, slot, np.minimum(e, ends[slot]))

    stops = rows.stops_of(c.line, c.lo, c.hi)
    if stops is not None:
        s, e, category = stops
        # each stop against every shift it overlaps: from the first shift ending after it starts to the last
        # one starting before it ends
        first = np.searchsorted(ends, np.maximum(s, starts[0]), side="right")
        last = np.searchsorted(starts, e, side="left") - 1
        spread = np.maximum(0, last - first + 1)
        which = np.repeat(np.arange(len(s)), spread)
        k = np.repeat(first, spread) + (np.arange(len(which)) - np.repeat(np.cumsum(spread) - spread, spread))
        s, e = s[which], e[which]
        lo, hi = np.maximum(s, starts[k]), np.minimum(e, ends[k])
        # time inside a planned break is already planned time: count it once
        in_breaks = np.zeros(len(k))
        for b in range(width):
            in_breaks = in_breaks + np.maximum(
                0.0, (np.minimum(e, break_hi[k, b]) - np.maximum(s, break_lo[k, b])) / 1e6)
        overlap = np.maximum(0.0, (hi - lo) / 1e6) - in_breaks
        counted = overlap > 0
        kinds = np.asarray(category, dtype=object)[which]
        k, s, e, lo, hi, overlap, kinds = (a[counted] for a in (k, s, e, lo, hi, overlap, kinds))
        has[k] = True
        keep_spans(span_slots, span_lo, span_hi, k, lo, hi)
        for name, match in (("planned_stop_s", kinds == "planned"), ("unplanned_stop_s", kinds == "unplanned")):
            sums[name] += np.bincount(k[match], weights=overlap[match], minlength=n)
        other = (kinds != "planned") & (kinds != "unplanned")
        sums["changeover_s"] += np.bincount(k[other], weights=overlap[other], minlength=n)
        failed = (kinds == "unplanned") & (starts[k] <= s) & (s < ends[k])
        sums["failures"] += np.bincount(k[failed], minlength=n)
        np.maximum.at(through, k, np.minimum(e, ends[k]))

    covered = covered_seconds(n, span_slots, span_lo, span_hi, break_lo, break_hi)
    # scheduled time counts only for shifts the line ran (it has counts or stops); a shift still running counts
    # up to its latest record
    seen = through != NEVER
    until = np.where(ends > micros_of_utc(now), np.maximum(starts, np.minimum(ends, np.where(seen, through, starts))),
                     ends)
    shift_s = (until - starts) / 1e6
    breaks_before = np.zeros(n)
    planned_breaks = np.zeros(n)
    for b in range(width):
        breaks_before = breaks_before + np.maximum(0.0, (np.minimum(break_hi[:, b], until) - break_lo[:, b]) / 1e6)
        planned_breaks = planned_breaks + (break_hi[:, b] - break_lo[:, b]) / 1e6
    sums["shift_s"] = shift_s
    sums["planned_stop_s"] = np.minimum(shift_s, sums["planned_stop_s"] + breaks_before)
    sums["ppt_s"] = shift_s - sums["planned_stop_s"]
    sums["run_s"] = np.maximum(0.0, sums["ppt_s"] - sums["unplanned_stop_s"] - sums["changeover_s"])
    sums["scheduled_s"] = (ends - starts) / 1e6 - planned_breaks
    sums["covered_s"] = covered
    c.arrays = {name: np.where(has, values, 0.0) for name, values in sums.items()
                if not (c.counts_kept and name in COUNT_MEASURES)}
    c.has, c.through_us = has, through


def break_bounds(instances: list[ShiftInstance]) -> tuple[np.ndarray, np.ndarray]:
    """Every shift's breaks' starts and ends in microseconds, padded to the same number with empty ones (a shift
    has a few at most; an empty break, from 0 to 0, adds nothing to any sum)."""
    width = max((len(i.breaks) for i in instances), default=0)
    break_lo = np.zeros((len(instances), width), dtype=np.int64)
    break_hi = np.zeros((len(instances), width), dtype=np.int64)
    for k, inst in enumerate(instances):
        for b, (lo, hi) in enumerate(inst.breaks):
            break_lo[k, b], break_hi[k, b] = calendar_micros(lo), calendar_micros(hi)
    return break_lo, break_hi


def _quality(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    rows = session.execute(
        select(QualityEvent.at_utc, QualityEvent.quantity, QualityEvent.disposition, QualityEvent.escape)
        .where(QualityEvent.line == c.line, QualityEvent.at_utc >= c.lo, QualityEvent.at_utc < c.hi)
    ).all()
    for at, qty, disposition, escape in rows:
        i = c.slot(at)
        if i is not None:
            measures = c.of(i, "quality")
            measures["scrap_qty" if disposition == "scrap" else "rework_qty"] += qty
            if escape:  # an escape counts once however many units it holds: one incident, one complaint
                measures[f"{escape}_escapes"] += 1
            c.seen(i, at)


def _maintenance(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    rows = session.execute(
        select(WorkOrder.due_utc, WorkOrder.on_time)
        .where(WorkOrder.line == c.line, WorkOrder.kind == "preventive", WorkOrder.due_utc >= c.lo,
               WorkOrder.due_utc < c.hi)
    ).all()
    for due, on_time in rows:
        i = c.slot(due)
        if i is not None:
            measures = c.of(i, "maintenance")
            measures["pm_scheduled"] += 1
            measures["pm_on_time"] += bool(on_time)
            c.seen(i, due)


def _labour(session: Session, config: PlantConfig, c: _Chunk, now: datetime) -> None:
    by_shift = {(inst.production_date, inst.shift_key): k for k, inst in enumerate(c.instances)}
    dates = [inst.production_date for inst in c.instances]
    rows = c.labour if c.labour is not None else labour_rows(session, [c.line], min(dates), max(dates)).get(c.line, [])
    n = len(c.instances)
    c.has, c.through_us = np.zeros(n, dtype=bool), np.full(n, NEVER, dtype=np.int64)
    c.arrays = {name: np.zeros(n) for name in GROUPS["labour"]}
    slots = [(by_shift.get((day, shift)), values) for day, shift, *values in rows]
    slots = [(k, values) for k, values in slots if k is not None]
    if not slots:
        return
    k = np.fromiter((k for k, _v in slots), dtype=np.int64, count=len(slots))
    values = np.asarray([v for _k, v in slots], dtype=float)
    for column, name in enumerate(("headcount_planned", "headcount_present", "hours_worked", "overtime_h")):
        c.arrays[name] = np.bincount(k, weights=values[:, column], minlength=n)
    c.has[k] = True


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


def _merge(session: Session, config: PlantConfig, chunk: _Chunk, fresh: dict[str, _Chunk], now: datetime,
           pending: _Pending) -> int:
    """Write the recomputed groups into the chunk's fact rows, keeping the measures of the other groups: an
    upsert (with others pending) that sets only the recomputed measures (and keeps the latest record time), and
    clearing them in the shifts that have none any more (their records were replaced)."""
    line, area = chunk.line, (config.area_of(chunk.line) if chunk.line else chunk.area)
    pending.months.update((line, area, day.strftime("%Y-%m")) for day in {i.production_date for i in chunk.instances})
    refreshed = [m for group, part in fresh.items() for m in GROUPS[group]
                 if not (part.counts_kept and m in COUNT_MEASURES)]
    n = len(chunk.instances)
    has = np.zeros(n, dtype=bool)
    through = np.full(n, NEVER, dtype=np.int64)
    measures: dict[str, np.ndarray] = {}
    for group, part in fresh.items():
        part_has, arrays, part_through = part.columns(group)
        has |= part_has
        through = np.maximum(through, part_through)
        measures.update(arrays)
    # a shift with none of these records any more (they were replaced) keeps none of their measures
    empty = [(i.production_date, i.shift_key) for i in (chunk.instances[k] for k in np.flatnonzero(~has))]
    pending.before([(line, area, day, shift) for day, shift in empty])
    bulk.clear_facts(session, ShiftFact.__table__, refreshed, line, area, empty, now)
    ks = np.flatnonzero(has)
    if not len(ks):
        return 0
    chosen = [chunk.instances[k] for k in ks.tolist()]
    m = len(chosen)
    starts, ends = chunk.bounds_us or (micros_of(chunk.starts), micros_of([i.end_utc for i in chunk.instances]))
    columns: dict[str, Any] = {  # None: zero, the measures of groups not recomputed; times in microseconds
        "line": [line] * m, "area": [area] * m, "production_date": [i.production_date for i in chosen],
        "shift": [i.shift_key for i in chosen], "start_utc": starts[ks], "end_utc": ends[ks],
        **{name: (measures[name][ks] if name in measures else None) for name in MEASURES},
        "data_through_utc": through[ks], "updated_at": [now] * m,
    }
    pending.add(refreshed, columns, [(line, area, i.production_date, i.shift_key) for i in chosen])
    return m
