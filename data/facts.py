"""Building ``shift_facts``: the additive measures of each line and shift, from the raw records.

Called inside the loader's transaction for the lines and time ranges a load touched, so a shift's facts never
mix old and new records. Counts belong to the shift containing their interval's midpoint; stops are split over
the shifts they overlap; a shift still in progress counts scheduled time only up to its latest record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from dashboard.calendar import ShiftInstance
from dashboard.config import PlantConfig
from dashboard.kpi import MEASURES
from data.models import Labour, ProductionCount, QualityEvent, SafetyEvent, ShiftFact, StopEvent

#: Longest stop or count interval the range queries look back for (records starting before a window).
LOOKBACK = timedelta(days=7)


@dataclass
class Touched:
    """What a load changed: per location ("line" or area/site key), the earliest and latest instant."""

    ranges: dict[tuple[str, str], tuple[datetime, datetime]] = field(default_factory=dict)

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


def refresh_facts(session: Session, config: PlantConfig, touched: Touched, now: datetime) -> int:
    """Recompute the facts of every shift instance the touched ranges overlap; returns rows written."""
    written = 0
    for (line, area), (lo, hi) in touched.ranges.items():
        instances = config.calendar.instances(lo, hi + timedelta(seconds=1))
        if not instances:
            continue
        # recompute in chunks of ~31 days so a multi-year load never holds its whole history in memory
        for start in range(0, len(instances), 93):
            chunk = instances[start:start + 93]
            written += _refresh_chunk(session, config, line, area, chunk, now)
    return written


def _refresh_chunk(session: Session, config: PlantConfig, line: str, area: str,
                   instances: list[ShiftInstance], now: datetime) -> int:
    w_lo, w_hi = instances[0].start_utc, instances[-1].end_utc
    measures: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0.0))
    through: dict[int, datetime] = {}
    running: set[int] = set()
    starts = [i.start_utc for i in instances]

    def slot(instant: datetime) -> int | None:
        import bisect

        i = bisect.bisect_right(starts, instant) - 1
        if i >= 0 and instant < instances[i].end_utc:
            return i
        return None

    def seen(i: int, instant: datetime) -> None:
        if i not in through or instant > through[i]:
            through[i] = instant

    if line:
        cfg_line = config.lines[line]
        counts = session.execute(
            select(ProductionCount.start_utc, ProductionCount.end_utc, ProductionCount.product,
                   ProductionCount.total, ProductionCount.good, ProductionCount.planned_qty)
            .where(ProductionCount.line == line, ProductionCount.start_utc >= w_lo - timedelta(hours=12),
                   ProductionCount.start_utc < w_hi)
        ).all()
        for start, end, product, total, good, planned in counts:
            i = slot(start + (end - start) / 2)
            if i is None:
                continue
            m = measures[i]
            cycle = cfg_line.cycle_for(product)
            m["total_count"] += total
            m["good_count"] += good
            m["planned_qty"] += planned or 0.0
            m["ideal_total_s"] += total * cycle
            m["ideal_good_s"] += good * cycle
            running.add(i)
            seen(i, min(end, instances[i].end_utc))

        stops = session.execute(
            select(StopEvent.start_utc, StopEvent.end_utc, StopEvent.category)
            .where(StopEvent.line == line, StopEvent.start_utc >= w_lo - LOOKBACK, StopEvent.start_utc < w_hi,
                   StopEvent.end_utc > w_lo)
        ).all()
        for start, end, category in stops:
            first = slot(start)
            first = 0 if first is None and start < w_lo else first
            if first is None:
                first = next((k for k, inst in enumerate(instances) if inst.end_utc > start), None)
            if first is None:
                continue
            for k in range(first, len(instances)):
                inst = instances[k]
                if inst.start_utc >= end:
                    break
                # time inside a planned break is already planned time: count it once
                overlap = inst.overlap_s(start, end) - sum(
                    max(0.0, (min(end, b_hi) - max(start, b_lo)).total_seconds()) for b_lo, b_hi in inst.breaks)
                if overlap <= 0:
                    continue
                m = measures[k]
                key = {"planned": "planned_stop_s", "unplanned": "unplanned_stop_s"}.get(category, "changeover_s")
                m[key] += overlap
                if category == "unplanned" and inst.start_utc <= start < inst.end_utc:
                    m["failures"] += 1
                running.add(k)
                seen(k, min(end, inst.end_utc))

        quality = session.execute(
            select(QualityEvent.at_utc, QualityEvent.quantity, QualityEvent.disposition)
            .where(QualityEvent.line == line, QualityEvent.at_utc >= w_lo, QualityEvent.at_utc < w_hi)
        ).all()
        for at, qty, disposition in quality:
            i = slot(at)
            if i is not None:
                measures[i]["scrap_qty" if disposition == "scrap" else "rework_qty"] += qty
                seen(i, at)

        by_shift = {(inst.production_date, inst.shift_key): k for k, inst in enumerate(instances)}
        dates = [inst.production_date for inst in instances]
        labour = session.execute(
            select(Labour.production_date, Labour.shift, Labour.planned_headcount, Labour.present_headcount,
                   Labour.hours_worked, Labour.overtime_hours)
            .where(Labour.line == line, Labour.production_date >= min(dates),
                   Labour.production_date <= max(dates))
        ).all()
        for day, shift, planned, present, hours, overtime in labour:
            k = by_shift.get((day, shift))
            if k is None:
                continue
            m = measures[k]
            m["headcount_planned"] += planned
            m["headcount_present"] += present
            m["hours_worked"] += hours
            m["overtime_h"] += overtime

    safety_filter = (SafetyEvent.line == line) if line else and_(SafetyEvent.line == "", SafetyEvent.area == area)
    safety = session.execute(
        select(SafetyEvent.at_utc, SafetyEvent.kind)
        .where(safety_filter, SafetyEvent.at_utc >= w_lo, SafetyEvent.at_utc < w_hi)
    ).all()
    for at, kind in safety:
        i = slot(at)
        if i is None:
            continue
        m = measures[i]
        if kind in ("recordable", "lost_time"):
            m["recordables"] += 1
        if kind == "lost_time":
            m["lost_time_cases"] += 1
        if kind == "first_aid":
            m["first_aid_cases"] += 1
        if kind == "near_miss":
            m["near_misses"] += 1
        seen(i, at)

    # scheduled time counts only for shifts the line ran (it has counts or stops)
    for k in running:
        inst = instances[k]
        m = measures[k]
        in_progress = inst.end_utc > now
        until = max(inst.start_utc, min(inst.end_utc, through.get(k, inst.start_utc))) if in_progress \
            else inst.end_utc
        m["shift_s"] = (until - inst.start_utc).total_seconds()
        m["planned_stop_s"] = min(m["shift_s"], m["planned_stop_s"] + inst.breaks_before(until))
        m["ppt_s"] = m["shift_s"] - m["planned_stop_s"]
        m["run_s"] = max(0.0, m["ppt_s"] - m["unplanned_stop_s"] - m["changeover_s"])

    fact_line, fact_area = line, (config.area_of(line) if line else area)
    session.execute(delete(ShiftFact).where(
        ShiftFact.line == fact_line, ShiftFact.area == fact_area,
        ShiftFact.production_date >= min(i.production_date for i in instances),
        ShiftFact.production_date <= max(i.production_date for i in instances),
        ShiftFact.start_utc >= w_lo, ShiftFact.start_utc < w_hi,
    ))
    rows = []
    for k, m in measures.items():
        inst = instances[k]
        rows.append({
            "line": fact_line, "area": fact_area, "production_date": inst.production_date,
            "shift": inst.shift_key, "start_utc": inst.start_utc, "end_utc": inst.end_utc,
            "data_through_utc": through.get(k), "updated_at": now, **m,
        })
    if rows:
        session.execute(ShiftFact.__table__.insert(), rows)
    return len(rows)

