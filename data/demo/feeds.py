"""Demo data: months of realistic plant exports in the inbox folders, and a live feed while the demo runs.

``generate_history`` writes what a plant's systems would have exported over the last ``days`` production days:
MES counts (one CSV per day) and stops (one semicolon CSV per day), QMS defects (one .xlsx per ISO week),
time-clock labour (one .xlsx per month), EHS incidents and the ideas board (one CSV each), and the ERP's daily
scrap cost in a SQLite database the ``erp-cost`` source queries. ``feed_current`` then adds one file per
completed hour. Files are written under a ``.tmp`` name and renamed, so a loader never reads half a file.

Every number comes from generators seeded per line and shift (or hour), so an hour written live is exactly
the hour the history would have written. The story in the numbers: Line 2's filler degrades over the last six
weeks (more and longer Filler jams, more short stops and underfills), which pulls the plant's OEE below
target, while a supplier problem adds some Material shortage stops on every line over the last three weeks.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import random
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.plant import PlantConfig, load_plant
from huddle.dashboard.settings import DEMO_PLANT
from huddle.data.ingest.contract import RECORD_TYPES

log = logging.getLogger("huddle.demo")

STATE_FILE = "demo_state.json"  # in the data folder: the history's cut-off and drift anchor, read by the feed
ERP_FILE = "erp.sqlite"
PLAN_FACTOR = 0.66  # planned quantity = ideal units of the planned production time × this
DRIFT_LINE = "L2"  # the line whose filler degrades
DRIFT_RAMP_DAYS = 35  # the drift starts 42 days before the anchor and is complete 7 days before it
SHORTAGE_RAMP_DAYS = 14  # the supplier problem starts 28 days before the anchor, complete 14 days before it

_HOUR = 3600
_DAY = 86400


def _columns(record: str) -> tuple[str, ...]:
    """The data contract's column names of a record type, in contract order (the files' headers)."""
    return tuple(c.name for c in RECORD_TYPES[record].columns)


_COUNT_COLUMNS = _columns("production_counts")
_STOP_COLUMNS = _columns("stop_events")
_QUALITY_COLUMNS = _columns("quality_events")
_SAFETY_COLUMNS = _columns("safety_events")
_LABOUR_COLUMNS = _columns("labour")
_KPI_COLUMNS = _columns("kpi_values")


@dataclass(frozen=True)
class _Reason:
    """An unplanned stop reason: how often per hour of production, how long (median minutes), on what."""

    name: str
    per_hour: float
    median_min: float
    equipment: tuple[str, ...]


_FILLING_REASONS = (
    _Reason("Filler jam", 0.28, 8.0, ("Filler",)),
    _Reason("Capper fault", 0.18, 7.0, ("Capper",)),
    _Reason("Label misfeed", 0.045, 6.0, ("Labeller",)),
    _Reason("Conveyor blockage", 0.035, 5.5, ("Conveyor",)),
    _Reason("Material shortage", 0.03, 12.0, ("Bottle infeed", "Cap feeder")),
    _Reason("Sensor fault", 0.025, 6.0, ("Filler", "Capper", "Labeller", "Conveyor")),
    _Reason("Electrical fault", 0.01, 20.0, ("Filler", "Control cabinet")),
)
#: packing lines stop less often than filling lines, but for longer (no filler, no capper)
_PACKING_REASONS = (
    _Reason("Label misfeed", 0.08, 9.0, ("Labeller",)),
    _Reason("Conveyor blockage", 0.075, 10.0, ("Conveyor",)),
    _Reason("Material shortage", 0.05, 9.0, ("Carton magazine",)),
    _Reason("Sensor fault", 0.04, 8.0, ("Case packer", "Shrink wrapper")),
    _Reason("Electrical fault", 0.012, 16.0, ("Palletiser", "Control cabinet")),
)
#: how much more often than the reason table each line stops
_LINE_LOSS = {"L1": 1.27, "L2": 1.32, "L3": 2.85, "L4": 3.0}
_DEFECTS_FILLING = {"Underfill": 30, "Cap defect": 25, "Label crooked": 20, "Seal leak": 10,
                    "Contamination": 5}
_DEFECTS_PACKING = {"Damaged carton": 45, "Label crooked": 30, "Seal leak": 25}
_SCRAP_SHARE = {"Underfill": 0.9, "Cap defect": 0.4, "Label crooked": 0.15, "Seal leak": 0.8,
                "Contamination": 1.0, "Damaged carton": 0.3}
_NEAR_MISSES = (
    "Forklift reversed without a banksman near the line",
    "Pallet wrap left on the walkway",
    "Guard door of the capper found open while running",
    "Wet floor at the CIP station, no sign",
    "Operator reached into the conveyor to clear a bottle",
    "Stacked cartons leaning into the aisle",
    "Hose across the walkway during cleaning",
    "Missing safety glasses at the chemical dosing point",
    "Pallet jack left in the emergency exit route",
    "Broken glass not cleaned up after a jam",
)
_FIRST_AID = (
    "Cut finger on a broken bottle",
    "Small burn from a hot hose during CIP",
    "Bruised hand while changing format parts",
    "Splinter from a wooden pallet",
    "Eye irritation from cleaning agent, rinsed",
)


@dataclass(frozen=True)
class _Stop:
    """A stop event, in epoch seconds (UTC)."""

    start: int
    end: int
    reason: str
    category: str
    equipment: str


@dataclass(frozen=True)
class _Plan:
    """One line's production day: the products in order and where the format changes go."""

    products: tuple[str, ...]
    changes: tuple[tuple[str, float, int], ...]  # (shift key, where in the shift as a fraction, duration s)


@dataclass
class _ShiftRun:
    """One line in one shift instance: everything that did not produce, and which product ran when."""

    line: str
    inst: ShiftInstance
    drift: float
    stops: list[_Stop]
    down: list[tuple[int, int]]  # breaks and every stop, sorted
    planned_down: list[tuple[int, int]]  # breaks and planned stops, sorted
    segments: list[tuple[int, int, str]]  # (from, to, product)


def _ts(instant: datetime) -> int:
    return int(instant.timestamp())


def _overlap(lo: int, hi: int, intervals: Iterable[tuple[int, int]]) -> int:
    return sum(max(0, min(hi, b) - max(lo, a)) for a, b in intervals)


def _place(free: list[tuple[int, int]], want: int, duration: int) -> tuple[int, int] | None:
    """Where a stop of ``duration`` goes in the free gaps: at ``want`` or the first fit after, else before."""
    for a, b in free:
        start = max(a, want)
        if b - start >= duration:
            return start, start + duration
    for a, b in reversed(free):
        if b - a >= duration:
            return b - duration, b
    widest = max(free, key=lambda g: g[1] - g[0], default=None)
    if widest and widest[1] - widest[0] >= 300:
        return widest
    return None


def _take(free: list[tuple[int, int]], span: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for a, b in free:
        if span[1] <= a or span[0] >= b:
            out.append((a, b))
            continue
        if a < span[0]:
            out.append((a, span[0]))
        if span[1] < b:
            out.append((span[1], b))
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class _Generator:
    """The demo plant's numbers: the same seed, anchor, line and hour always give the same rows."""

    def __init__(self, config: PlantConfig, seed: int, anchor: int) -> None:
        self.config = config
        self.seed = seed
        self.anchor = anchor
        self.tz = config.tz
        self.line_index = {key: i for i, key in enumerate(config.lines)}
        self._finals: dict[tuple[str, date], str] = {}
        self._plans: dict[tuple[str, date], _Plan] = {}
        self._runs: dict[tuple[str, int], _ShiftRun] = {}
        self._days: dict[date, list[ShiftInstance]] = {}

    # ---- helpers -----------------------------------------------------------------------------------------

    def rng(self, *parts: object) -> random.Random:
        return random.Random("|".join(str(p) for p in (self.seed, *parts)))

    def filling(self, line: str) -> bool:
        return bool(self.config.lines[line].product_cycle_s)

    def day_shifts(self, day: date) -> list[ShiftInstance]:
        if day not in self._days:
            self._days[day] = self.config.calendar.instances_for_dates(day, day)
        return self._days[day]

    def drift(self, line: str, at: int) -> float:
        if line != DRIFT_LINE:
            return 0.0
        start = self.anchor - 42 * _DAY
        return min(1.0, max(0.0, (at - start) / (DRIFT_RAMP_DAYS * _DAY)))

    def shortage(self, at: int) -> float:
        start = self.anchor - 28 * _DAY
        return min(1.0, max(0.0, (at - start) / (SHORTAGE_RAMP_DAYS * _DAY)))

    def text(self, ts: int) -> str:
        """Plant local time as exported: naive, with the UTC offset only where the clock time is ambiguous."""
        local = datetime.fromtimestamp(ts, self.tz)
        naive = local.replace(tzinfo=None)
        if self._ambiguous(naive):
            return local.isoformat(sep=" ")
        return naive.strftime("%Y-%m-%d %H:%M:%S")

    def cell(self, ts: int) -> datetime | str:
        """A timestamp for an Excel cell: a naive local datetime, or text with an offset when ambiguous."""
        local = datetime.fromtimestamp(ts, self.tz)
        naive = local.replace(tzinfo=None)
        return local.isoformat(sep=" ") if self._ambiguous(naive) else naive

    def _ambiguous(self, naive: datetime) -> bool:
        first, second = naive.replace(tzinfo=self.tz, fold=0), naive.replace(tzinfo=self.tz, fold=1)
        return first.utcoffset() != second.utcoffset()

    def hour_name(self, ts: int) -> str:
        local = datetime.fromtimestamp(ts, self.tz)
        return local.strftime("%Y%m%d_%H") + ("b" if local.fold else "")

    # ---- production plan ---------------------------------------------------------------------------------

    def final_product(self, line: str, day: date) -> str:
        key = (line, day)
        if key not in self._finals:
            products = sorted(self.config.lines[line].product_cycle_s)
            self._finals[key] = self.rng(line, day, "product").choice(products) if products else ""
        return self._finals[key]

    def plan(self, line: str, day: date) -> _Plan:
        key = (line, day)
        if key in self._plans:
            return self._plans[key]
        products = sorted(self.config.lines[line].product_cycle_s)
        if len(products) < 2:
            plan = _Plan((products[0] if products else "",), ())
        else:
            rng = self.rng(line, day, "plan")
            first, last = self.final_product(line, day - timedelta(days=1)), self.final_product(line, day)
            seq = [first]
            if rng.random() >= 0.6 or first == last:  # a second format change that day
                middle = [p for p in products if p not in (first, last)]
                if middle:
                    seq.append(rng.choice(middle))
            if last != seq[-1]:
                seq.append(last)
            keys = [inst.shift_key for inst in self.day_shifts(day)]
            if len(seq) == 2:
                where = [rng.choice(keys[:2] or [""])]
            elif len(seq) == 3:
                where = [keys[0] if keys else "", rng.choice(keys[1:] or keys or [""])]
            else:
                where = []
            changes = []
            for shift_key in where:
                where_in_shift = rng.uniform(0.15, 0.85)
                minutes = min(45.0, max(15.0, 26.0 * math.exp(rng.gauss(0.0, 0.25))))
                changes.append((shift_key, where_in_shift, int(minutes * 60)))
            plan = _Plan(tuple(seq), tuple(changes))
        self._plans[key] = plan
        return plan

    # ---- one line in one shift ---------------------------------------------------------------------------

    def shift_run(self, line: str, inst: ShiftInstance) -> _ShiftRun:
        key = (line, _ts(inst.start_utc))
        if key not in self._runs:
            self._runs[key] = self._simulate(line, inst)
        return self._runs[key]

    def _category(self, reason: str, default: str) -> str:
        return self.config.stop_reasons.get(reason, default)

    def _simulate(self, line: str, inst: ShiftInstance) -> _ShiftRun:
        lo, hi = _ts(inst.start_utc), _ts(inst.end_utc)
        rng = self.rng(line, lo, "shift")
        drift = self.drift(line, lo)
        filling = self.filling(line)
        breaks = sorted((_ts(a), _ts(b)) for a, b in inst.breaks)
        free = [(lo, hi)]
        for span in breaks:
            free = _take(free, span)
        stops: list[_Stop] = []
        planned: list[tuple[int, int]] = []
        idx = self.line_index[line]
        day = inst.production_date
        day_keys = [i.shift_key for i in self.day_shifts(day)]
        first_shift = bool(day_keys) and day_keys[0] == inst.shift_key
        table = _FILLING_REASONS if filling else _PACKING_REASONS
        wanted: list[tuple[str, int, int, str]] = []
        cip_minutes = rng.uniform(90, 120) if filling else rng.uniform(45, 70)
        if first_shift and day.weekday() == idx % 7:
            cip_equipment = "CIP unit" if filling else "Line"
            wanted.append(("Cleaning (CIP)", lo + 30 * 60, int(cip_minutes * 60), cip_equipment))
        pm_minutes = rng.uniform(150, 175)
        pm_equipment = rng.choice(table[idx % len(table)].equipment)
        if first_shift and day.weekday() == 5 and (day.isocalendar()[1] + idx) % 3 == 0:
            wanted.append(("Planned maintenance", lo + 10 * 60, int(pm_minutes * 60), pm_equipment))
        for reason, want, duration, equipment in wanted:
            span = _place(free, want, duration)
            if span:
                free = _take(free, span)
                planned.append(span)
                stops.append(_Stop(span[0], span[1], reason, self._category(reason, "planned"), equipment))

        plan = self.plan(line, day)
        order = {k: n for n, k in enumerate(day_keys)}
        mine = order.get(inst.shift_key, 0)
        k0 = sum(1 for c in plan.changes if order.get(c[0], 0) < mine)
        changeovers = []
        for shift_key, where_in_shift, duration in plan.changes:
            if shift_key != inst.shift_key:
                continue
            span = _place(free, lo + int(where_in_shift * (hi - lo)), duration)
            if span:
                free = _take(free, span)
                changeovers.append(span)
        changeovers.sort()
        product = plan.products[min(k0, len(plan.products) - 1)]
        segments, cursor = [], lo
        for n, (a, b) in enumerate(changeovers):
            segments.append((cursor, a, product))
            cursor = a
            product = plan.products[min(k0 + n + 1, len(plan.products) - 1)]
            category = self._category("Format change", "changeover")
            stops.append(_Stop(a, b, "Format change", category, "Filler"))
        segments.append((cursor, hi, product))
        segments = [s for s in segments if s[1] > s[0]]

        loss = _LINE_LOSS.get(line, 1.2)
        shortage = self.shortage(lo)
        reasons = []
        for r in table:
            if self.config.stop_reasons and r.name not in self.config.stop_reasons:
                continue
            rate, median = r.per_hour * loss, r.median_min
            if r.name == "Filler jam":
                rate *= 1 + 2.1 * drift
                median *= 1 + 1.2 * drift
            if r.name == "Material shortage":
                rate *= 1 + 0.8 * shortage
            reasons.append((r, rate, median))
        weights = [rate for _, rate, _ in reasons]
        total_rate = sum(weights) / _HOUR
        for a, b in free if total_rate > 0 else []:
            t = a + rng.expovariate(total_rate)
            while t < b - 120:
                reason, _, median = rng.choices(reasons, weights)[0]
                minutes = min(40.0, max(2.0, median * math.exp(rng.gauss(0.0, 0.6))))
                start = int(t)
                end = min(b, start + int(minutes * 60))
                if end - start >= 120:
                    stops.append(_Stop(start, end, reason.name, self._category(reason.name, "unplanned"),
                                       rng.choice(reason.equipment)))
                t = end + rng.expovariate(total_rate)
        stops.sort(key=lambda s: s.start)
        down = sorted(breaks + [(s.start, s.end) for s in stops])
        return _ShiftRun(line, inst, drift, stops, down, sorted(breaks + planned), segments)

    # ---- one line in one hour ----------------------------------------------------------------------------

    def hour(self, run: _ShiftRun, a: int, b: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Count rows (line, start, end, product, total, good, planned) and quality events of [a, b)."""
        line = run.line
        cfg = self.config.lines[line]
        rng = self.rng(line, a, "hour")
        speed = rng.uniform(0.88, 0.95)
        minor = rng.uniform(0.81, 0.87) - 0.09 * run.drift  # short stops nobody logs
        reject = rng.uniform(0.01, 0.03)
        underfill = 0.015 * run.drift
        rows = []
        base_bad = extra_bad = 0
        for s0, s1, product in run.segments:
            x, y = max(a, s0), min(b, s1)
            if y <= x:
                continue
            running = (y - x) - _overlap(x, y, run.down)
            available = (y - x) - _overlap(x, y, run.planned_down)
            cycle = cfg.cycle_for(product or None)
            total = round(running / cycle * speed * minor)
            bad = round(total * reject)
            extra = min(total - bad, round(total * underfill))
            base_bad += bad
            extra_bad += extra
            planned = round(available / cycle * PLAN_FACTOR, 1)
            rows.append((line, a, b, product, total, total - bad - extra, planned))
        return rows, self._defects(rng, line, a, b, base_bad, extra_bad)

    def _defects(self, rng: random.Random, line: str, a: int, b: int, base: int,
                 extra: int) -> list[tuple[Any, ...]]:
        known = self.config.defect_types
        weights = {d: w for d, w in (_DEFECTS_FILLING if self.filling(line) else _DEFECTS_PACKING).items()
                   if not known or d in known}
        if not weights and known:
            weights = dict.fromkeys(known, 1)
        if not weights:
            return []
        lots: dict[str, int] = {}
        if base > 0:
            k = min(len(weights), 1 if base < 12 else rng.choice((1, 2, 2, 3)))
            pool = dict(weights)
            names = []
            for _ in range(k):
                name = rng.choices(list(pool), list(pool.values()))[0]
                names.append(name)
                del pool[name]
            cuts = sorted(rng.random() for _ in range(k - 1))
            shares = [hi - lo for lo, hi in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
            parts = [int(base * s) for s in shares]
            parts[0] += base - sum(parts)
            for name, qty in zip(names, parts, strict=True):
                lots[name] = lots.get(name, 0) + qty
        if extra > 0:
            name = "Underfill" if "Underfill" in weights else next(iter(weights))
            lots[name] = lots.get(name, 0) + extra
        events = []
        for defect, qty in lots.items():
            if qty <= 0:
                continue
            disposition = "scrap" if rng.random() < _SCRAP_SHARE.get(defect, 0.5) else "rework"
            events.append((line, rng.randrange(a, b), defect, qty, disposition))
        return events

    # ---- people, safety, ideas ---------------------------------------------------------------------------

    def labour(self, line: str, inst: ShiftInstance) -> tuple[Any, ...]:
        """(line, date, shift, planned, present, hours worked, overtime) of a line in a shift."""
        rng = self.rng(line, _ts(inst.start_utc), "labour")
        planned = 6 if self.filling(line) else 4
        absent = sum(1 for _ in range(planned) if rng.random() < 0.045)
        present = planned - absent
        overtime = 0.0
        if rng.random() < (0.75 if absent else 0.3):
            overtime = round(rng.uniform(0.5, 6.0) * 2) / 2
        hours = present * inst.duration_s / _HOUR + overtime
        return (line, inst.production_date, inst.shift_key, float(planned), float(present), round(hours, 2),
                overtime)

    def ideas(self, line: str, monday: date) -> tuple[Any, ...]:
        """The ideas board: improvement ideas raised on a line in the week starting ``monday``."""
        value = self.rng(line, monday, "ideas").choices((0, 1, 2, 3, 4), (20, 30, 25, 15, 10))[0]
        return ("improvement_ideas", line, monday, "", value)

    def safety(self, first: date, last: date, cutoff: int) -> list[tuple[Any, ...]]:
        """Incidents of the production days first..last before the cut-off: (at, location, type, text)."""
        rng = self.rng("safety", first)
        lines = list(self.config.lines)
        areas = list(self.config.areas)
        events: dict[tuple[int, str, str], str] = {}
        day = first
        while day <= last:
            shifts = self.day_shifts(day)
            if shifts:
                lo, hi = _ts(shifts[0].start_utc), _ts(shifts[-1].end_utc)
                rates = (("near_miss", 0.4, _NEAR_MISSES), ("first_aid", 2 / 30.4, _FIRST_AID))
                for kind, mean, texts in rates:
                    for _ in range(_poisson(rng, mean)):
                        at = rng.randrange(lo, hi)
                        pick = rng.random()
                        if pick < 0.55 or not areas:
                            where = rng.choice(lines)
                        elif pick < 0.85:
                            where = rng.choice(areas)
                        else:
                            where = self.config.site_key
                        if at < cutoff:
                            events[(at, where, kind)] = rng.choice(texts)
            day += timedelta(days=1)
        anchor_day = datetime.fromtimestamp(self.anchor, self.tz).date()
        cases = (
            (40, "recordable", lines[2 % len(lines)], 4 * _HOUR + 35 * 60,
             "Hand caught between carton and case packer guide, stitches"),
            (100, "lost_time", areas[0] if areas else self.config.site_key, 9 * _HOUR + 10 * 60,
             "Slipped on a wet floor near the CIP station, sprained ankle, two days off work"),
        )
        for days_before, kind, where, offset, description in cases:
            day = anchor_day - timedelta(days=days_before)
            shifts = self.day_shifts(day)
            if first <= day <= last and shifts:
                at = _ts(shifts[0].start_utc) + offset
                if at < cutoff:
                    events[(at, where, kind)] = description
        return [(at, where, kind, text) for (at, where, kind), text in sorted(events.items())]


# ---- files -------------------------------------------------------------------------------------------------


def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
               delimiter: str = ",") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    _atomic_bytes(path, buffer.getvalue().encode("utf-8"))


def _write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    tmp = path.with_name(path.name + ".tmp")
    book.save(tmp)
    os.replace(tmp, path)


def _folders(config: PlantConfig) -> dict[str, Path]:
    """The inbox folder of each record type (the first files source reading it)."""
    out: dict[str, Path] = {}
    for source in config.sources.values():
        if source.kind == "files" and source.path and source.record not in out:
            out[source.record] = Path(source.path)
    return out


def _slices(lo: int, hi: int) -> list[tuple[int, int]]:
    return [(a, min(a + _HOUR, hi)) for a in range(lo, hi, _HOUR)]


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (UTC)")
    return now.astimezone(UTC)


def _floor_hour(now: datetime, config: PlantConfig) -> int:
    """The end of the last completed plant-local clock hour."""
    local = now.astimezone(config.tz)
    return _ts(local.replace(minute=0, second=0, microsecond=0))


def _anchor(config: PlantConfig, cutoff: int) -> int:
    """Local midnight of the cut-off's day: the drift is measured from here (stable within a day)."""
    day = datetime.fromtimestamp(cutoff, config.tz).date()
    return _ts(datetime.combine(day, time(0), tzinfo=config.tz))


def _day_of(config: PlantConfig, instant: int) -> date:
    """Production date of the shift containing an instant (its local date outside every shift)."""
    at = datetime.fromtimestamp(instant, UTC)
    inst = config.calendar.locate(at)
    return inst.production_date if inst else at.astimezone(config.tz).date()


def _count_row(gen: _Generator, row: tuple[Any, ...]) -> tuple[Any, ...]:
    line, a, b, product, total, good, planned = row
    return (line, gen.text(a), gen.text(b), product, total, good, planned)


def _stop_row(gen: _Generator, line: str, s: _Stop) -> tuple[Any, ...]:
    return (line, gen.text(s.start), gen.text(s.end), s.reason, s.category, s.equipment)


def _erp_write(path: Path, rows: list[tuple[str, str, float]], *, create: bool) -> int:
    """Create the ERP database with its rows (atomically), or add the rows whose (line, day) it lacks."""
    target = path.with_name(path.name + ".tmp") if create else path
    if create:
        target.unlink(missing_ok=True)
    conn = sqlite3.connect(target)
    try:
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS daily_scrap_cost "
                         "(line TEXT NOT NULL, day TEXT NOT NULL, scrap_cost_eur REAL NOT NULL)")
            have = set(conn.execute("SELECT line, day FROM daily_scrap_cost"))
            new = [r for r in rows if (r[0], r[1]) not in have]
            conn.executemany("INSERT INTO daily_scrap_cost (line, day, scrap_cost_eur) VALUES (?, ?, ?)", new)
    finally:
        conn.close()
    if create:
        os.replace(target, path)
    return len(new)


def _unit_cost(gen: _Generator, line: str) -> float:
    return 0.35 if gen.filling(line) else 1.20


# ---- public ------------------------------------------------------------------------------------------------


def generate_history(config: PlantConfig, data_dir: Path, now: datetime, days: int = 120,
                     seed: int = 7) -> dict[str, int]:
    """Write ``days`` production days of exports up to the last completed hour; returns rows per type."""
    if days < 1:
        raise ValueError("days must be at least 1")
    data_dir = Path(data_dir)
    cutoff = _floor_hour(_utc(now), config)
    anchor = _anchor(config, cutoff)
    gen = _Generator(config, seed, anchor)
    last_day = _day_of(config, cutoff - 1)
    first_day = last_day - timedelta(days=days - 1)
    instances = [i for i in config.calendar.instances_for_dates(first_day, last_day)
                 if _ts(i.start_utc) < cutoff]
    folders = _folders(config)
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)

    counts: dict[date, list[tuple[Any, ...]]] = defaultdict(list)
    stops: dict[date, list[tuple[int, str, _Stop]]] = defaultdict(list)
    quality: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    labour: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
    scrap: dict[tuple[str, date], int] = defaultdict(int)
    day_end: dict[date, int] = {}  # when each production day's last shift ends (started or not)
    for inst in instances:
        day = inst.production_date
        if day not in day_end:
            day_end[day] = max(_ts(i.end_utc) for i in gen.day_shifts(day))
        lo, hi = _ts(inst.start_utc), min(_ts(inst.end_utc), cutoff)
        for line in config.lines:
            run = gen.shift_run(line, inst)
            for a, b in _slices(lo, hi):
                rows, events = gen.hour(run, a, b)
                counts[day].extend(rows)
                iso = day.isocalendar()
                quality[(iso[0], iso[1])].extend(events)
                for event in events:
                    if event[4] == "scrap":
                        scrap[(line, day)] += event[3]
            stops[day].extend((s.start, line, s) for s in run.stops if s.end <= cutoff)
            if _ts(inst.end_utc) <= cutoff:
                labour[(day.year, day.month)].append(gen.labour(line, inst))

    written: dict[str, int] = defaultdict(int)
    if "production_counts" in folders:
        for day, rows in counts.items():
            rows.sort(key=lambda r: (r[1], r[0], r[3]))
            _write_csv(folders["production_counts"] / f"counts_{day:%Y%m%d}.csv", _COUNT_COLUMNS,
                       (_count_row(gen, r) for r in rows))
            written["production_counts"] += len(rows)
    if "stop_events" in folders:
        for day, items in stops.items():
            items.sort(key=lambda x: (x[0], x[1]))
            _write_csv(folders["stop_events"] / f"stops_{day:%Y%m%d}.csv", _STOP_COLUMNS,
                       (_stop_row(gen, line, s) for _, line, s in items), delimiter=";")
            written["stop_events"] += len(items)
    if "quality_events" in folders:
        for (year, week), events in quality.items():
            events.sort(key=lambda e: (e[1], e[0], e[2]))
            _write_xlsx(folders["quality_events"] / f"quality_{year}-W{week:02d}.xlsx", _QUALITY_COLUMNS,
                        ((ln, gen.cell(at), defect, qty, disp) for ln, at, defect, qty, disp in events),
                        "Defects")
            written["quality_events"] += len(events)
    if "labour" in folders:
        for (year, month), rows in labour.items():
            rows.sort(key=lambda r: (r[1], r[2], r[0]))
            _write_xlsx(folders["labour"] / f"labour_{year}-{month:02d}.xlsx", _LABOUR_COLUMNS, rows,
                        "Time clock")
            written["labour"] += len(rows)
    if "safety_events" in folders:
        incidents = gen.safety(first_day, last_day, cutoff)
        _write_csv(folders["safety_events"] / f"incidents_{first_day:%Y%m%d}_{last_day:%Y%m%d}.csv",
                   _SAFETY_COLUMNS, ((gen.text(at), loc, kind, text) for at, loc, kind, text in incidents))
        written["safety_events"] = len(incidents)
    if "kpi_values" in folders and "improvement_ideas" in config.kpis:
        mondays = sorted({d - timedelta(days=d.weekday()) for d in day_end} & set(day_end))
        ideas = [gen.ideas(line, monday) for monday in mondays for line in config.lines]
        _write_csv(folders["kpi_values"] / f"ideas_{first_day:%Y%m%d}_{last_day:%Y%m%d}.csv", _KPI_COLUMNS,
                   ideas)
        written["kpi_values"] = len(ideas)
    complete = sorted(day for day, end in day_end.items() if end <= cutoff)
    erp_rows = [(line, f"{day:%Y-%m-%d}", round(scrap[(line, day)] * _unit_cost(gen, line), 2))
                for day in complete for line in config.lines]
    written["daily_scrap_cost"] = _erp_write(data_dir / ERP_FILE, erp_rows, create=True)
    state = {"version": 1, "seed": seed, "cutoff": datetime.fromtimestamp(cutoff, UTC).isoformat(),
             "anchor": datetime.fromtimestamp(anchor, UTC).isoformat(), "first_day": first_day.isoformat(),
             "last_day": last_day.isoformat()}
    _atomic_bytes(data_dir / STATE_FILE, json.dumps(state, indent=2).encode("utf-8"))
    return dict(written)


def feed_current(config: PlantConfig, data_dir: Path, now: datetime, seed: int | None = None) -> list[Path]:
    """Write every hour completed since the history's cut-off not written yet (with the history's seed unless
    another is given); returns the paths written."""
    data_dir = Path(data_dir)
    try:
        state = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("no demo history in %s (generate_history writes %s): nothing to feed", data_dir,
                    STATE_FILE)
        return []
    cutoff = _ts(datetime.fromisoformat(state["cutoff"]))
    anchor = _ts(datetime.fromisoformat(state["anchor"]))
    seed = int(state.get("seed", 7)) if seed is None else seed
    history_last_day = date.fromisoformat(state["last_day"])
    until = _floor_hour(_utc(now), config)
    if until <= cutoff:
        return []
    gen = _Generator(config, seed, anchor)
    folders = _folders(config)
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    instances = config.calendar.instances(datetime.fromtimestamp(cutoff, UTC),
                                          datetime.fromtimestamp(until, UTC))
    for inst in instances:
        lo, hi = _ts(inst.start_utc), _ts(inst.end_utc)
        for a, b in _slices(lo, hi):
            if a < cutoff or b > until or "production_counts" not in folders:
                continue
            name = gen.hour_name(a)
            counts_path = folders["production_counts"] / f"counts_live_{name}.csv"
            if counts_path.exists():
                continue
            rows: list[tuple[Any, ...]] = []
            events: list[tuple[Any, ...]] = []
            ended: list[tuple[str, _Stop]] = []
            for line in config.lines:
                run = gen.shift_run(line, inst)
                hour_rows, hour_events = gen.hour(run, a, b)
                rows.extend(hour_rows)
                events.extend(hour_events)
                ended.extend((line, s) for s in run.stops if a < s.end <= b and s.end > cutoff)
            if events and "quality_events" in folders:
                path = folders["quality_events"] / f"quality_live_{name}.csv"
                events.sort(key=lambda e: (e[1], e[0], e[2]))
                _write_csv(path, _QUALITY_COLUMNS,
                           ((ln, gen.text(at), d, q, disp) for ln, at, d, q, disp in events))
                written.append(path)
            if ended and "stop_events" in folders:
                path = folders["stop_events"] / f"stops_live_{name}.csv"
                ended.sort(key=lambda x: (x[1].start, x[0]))
                _write_csv(path, _STOP_COLUMNS, (_stop_row(gen, ln, s) for ln, s in ended), delimiter=";")
                written.append(path)
            _write_csv(counts_path, _COUNT_COLUMNS, (_count_row(gen, r) for r in rows))
            written.append(counts_path)
        if cutoff < hi <= until and "labour" in folders:
            path = folders["labour"] / f"labour_live_{inst.production_date:%Y%m%d}_{inst.shift_key}.csv"
            if not path.exists():
                _write_csv(path, _LABOUR_COLUMNS, [gen.labour(line, inst) for line in config.lines])
                written.append(path)

    last_day = _day_of(config, until - 1)
    day = history_last_day
    erp_rows = []
    ideas_weeks = []
    while day <= last_day:
        shifts = gen.day_shifts(day)
        if shifts and cutoff < _ts(shifts[-1].end_utc) <= until:
            scrap: dict[str, int] = defaultdict(int)
            for inst in shifts:
                for line in config.lines:
                    run = gen.shift_run(line, inst)
                    for a, b in _slices(_ts(inst.start_utc), _ts(inst.end_utc)):
                        for event in gen.hour(run, a, b)[1]:
                            if event[4] == "scrap":
                                scrap[line] += event[3]
            erp_rows.extend((line, f"{day:%Y-%m-%d}", round(scrap[line] * _unit_cost(gen, line), 2))
                            for line in config.lines)
        if day > history_last_day and day.weekday() == 0:
            ideas_weeks.append(day)
        day += timedelta(days=1)
    if erp_rows and _erp_write(data_dir / ERP_FILE, erp_rows, create=False):
        written.append(data_dir / ERP_FILE)
    if "kpi_values" in folders and "improvement_ideas" in config.kpis:
        for monday in ideas_weeks:
            iso = monday.isocalendar()
            path = folders["kpi_values"] / f"ideas_live_{iso[0]}-W{iso[1]:02d}.csv"
            if not path.exists():
                _write_csv(path, _KPI_COLUMNS, [gen.ideas(line, monday) for line in config.lines])
                written.append(path)
    return written


def prepare_demo(settings_data_dir: Path, now: datetime | None = None) -> dict[str, int]:
    """Generate the demo plant's history into a data folder unless its inbox exists; rows written per type."""
    data_dir = Path(settings_data_dir)
    if (data_dir / "inbox").exists():
        return {}
    config = load_plant(DEMO_PLANT, data_dir)
    return generate_history(config, data_dir, now or datetime.now(UTC))
