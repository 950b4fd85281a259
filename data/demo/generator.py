"""The demo plant's per-record generators: one line's plan, shifts, hours, labour, ideas and incidents.

``_Generator`` is seeded per line and shift (or hour), so the same seed, anchor, line and hour always give the
same rows: an hour written live by the feed is exactly the hour the history would have written. ``feeds`` drives
it and writes the files; the numbers' parameters are in ``story``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.plant import PlantConfig
from huddle.data.demo.story import (
    _CUSTOMER_ESCAPE,
    _DAY,
    _DEFECTS_FILLING,
    _DEFECTS_PACKING,
    _FILLING_REASONS,
    _FIRST_AID,
    _HOUR,
    _INTERNAL_ESCAPE,
    _LINE_LOSS,
    _NEAR_MISSES,
    _PACKING_REASONS,
    _SCRAP_SHARE,
    DRIFT_LINE,
    DRIFT_RAMP_DAYS,
    PLAN_FACTOR,
    SHORTAGE_RAMP_DAYS,
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
            at = rng.randrange(a, b)
            events.append((line, at, defect, qty, disposition, self._escape(line, at, defect)))
        return events

    def _escape(self, line: str, at: int, defect: str) -> str:
        """Whether a lot of defects got past the line: now and then found further on in the plant, rarely by the
        customer (drawn apart, so the demo's counts and scrap stay what they were)."""
        draw = self.rng(line, at, defect, "escape").random()
        return "customer" if draw < _CUSTOMER_ESCAPE else "internal" if draw < _INTERNAL_ESCAPE else ""

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
