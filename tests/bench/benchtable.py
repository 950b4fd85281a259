"""What every bench script shares for ``run_all.py``'s table: a timed call (wall and CPU), one row of the table
(a view against its SQL floor, or an export against its target, and whether their values agree), the table itself,
and the few SQL expressions that SQLite and PostgreSQL spell differently, so each floor runs on both."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from huddle.dashboard.core.kpi import FORMULAS, Kind
from huddle.dashboard.core.plant import PlantConfig

T = TypeVar("T")


# ---- timing --------------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


@dataclass(frozen=True)
class Timing:
    """Median, p95 (nearest rank) and the first (cold) run of a measurement in ms, and the median CPU ms of this
    process (``time.process_time``: fair on a machine busy with other work; PostgreSQL's own work is not in it)."""

    median: float
    p95: float
    cold: float
    cpu: float = 0.0

    def __str__(self) -> str:
        return f"{self.median:8.2f} ms (p95 {self.p95:.2f}, cold {self.cold:.2f}, CPU {self.cpu:.2f})"

    @property
    def short(self) -> str:
        """'median / p95 ms'."""
        return f"{self.median:.2f} / {self.p95:.2f} ms"


def timed(fn: Callable[[], T], runs: int) -> tuple[Timing, T]:
    """(median, p95, cold and CPU ms of ``runs`` warm runs after one cold run, last result)."""
    t0 = time.perf_counter()
    result = fn()
    cold = (time.perf_counter() - t0) * 1000
    samples, cpu = [], []
    for _ in range(max(1, runs)):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return Timing(statistics.median(samples), pct(samples, 95), cold, statistics.median(cpu)), result


# ---- the table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchRow:
    """One view against its floor, measured in the same run: times in ms, and whether the values agree."""

    view: str
    time: Timing
    floor: Timing
    agree: str  # "agree", or "DIFFER …" saying what differs
    database: str = ""
    target: bool = False  # the floor is the view's target in ms (an export, which has no SQL floor)

    @property
    def ratio(self) -> float:
        """The view's median over the floor's."""
        return self.time.median / self.floor.median if self.floor.median else float("inf")

    @property
    def cpu_ratio(self) -> float:
        """The view's CPU over the floor's wall time (PostgreSQL works outside this process)."""
        return self.time.cpu / self.floor.median if self.floor.median else float("inf")

    @property
    def ok(self) -> bool:
        """The values agree with the floor's."""
        return self.agree == "agree"


def table(rows: Iterable[BenchRow]) -> str:
    """The rows as one text table: database, view, time, CPU, floor (or target), ratio, values."""
    rows = list(rows)
    width = max([len(r.view) for r in rows] + [4])
    db = max([len(r.database) for r in rows] + [2])
    out = [f"{'db':{db}s} {'view':{width}s} {'time ms':>9s} {'CPU ms':>8s} {'floor ms':>9s} {'ratio':>7s}  values"]
    for r in rows:
        floor = f"≤ {r.floor.median:.0f}" if r.target else f"{r.floor.median:.2f}"
        out.append(f"{r.database:{db}s} {r.view:{width}s} {r.time.median:9.2f} {r.time.cpu:8.2f} "
                   f"{floor:>9s} {r.ratio:6.1f}×  {r.agree}")
    if any(r.target for r in rows):
        out.append("(≤ N: an export, which has no SQL floor, against its target of N ms; ratio: time over target)")
    return "\n".join(out)


def target_row(view: str, make: Callable[[], T], runs: int, target_ms: float,
               check: Callable[[T], str]) -> tuple[BenchRow, T]:
    """An export timed against its target (``check`` of what it made: 'agree' or 'DIFFER …'), and what it made."""
    timing, made = timed(make, runs)
    return BenchRow(view, timing, Timing(target_ms, target_ms, target_ms), check(made), target=True), made


# ---- SQL that the two databases spell differently ------------------------------------------------------------


def month_of(dialect: str, column: str = "production_date") -> str:
    """The 'YYYY-MM' of a date column."""
    return f"to_char({column}, 'YYYY-MM')" if dialect == "postgresql" else f"substr({column}, 1, 7)"


def facts_in_range(dialect: str, months: bool) -> tuple[str, str, str]:
    """Where a floor sums the facts of a date range (``:first`` … ``:last``): the FROM and WHERE, how many fact rows
    that is, and the rows' month. ``months``: the range is whole calendar months, and the floor reads their rows of
    ``month_facts`` (shift facts summed by month), as the readings do; else the shift facts themselves."""
    if not months:
        return ("shift_facts WHERE production_date >= :first AND production_date <= :last", "COUNT(*)",
                month_of(dialect))
    label = (lambda p: f"to_char(CAST({p} AS date), 'YYYY-MM')") if dialect == "postgresql" else (
        lambda p: f"substr({p}, 1, 7)")
    return f"month_facts WHERE month >= {label(':first')} AND month <= {label(':last')}", "SUM(facts)", "month"


def week_index(dialect: str, column: str = "production_date") -> str:
    """Whole ISO weeks since Monday 1970-01-05 (julian day 2440591.5) of a date column."""
    if dialect == "postgresql":
        return f"(({column} - DATE '1970-01-05') / 7)"
    return f"CAST((julianday({column}) - 2440591.5) / 7 AS INTEGER)"


def overlap_seconds(dialect: str, lo: str = ":lo", hi: str = ":hi") -> str:
    """Seconds of a row's [start_utc, end_utc) inside [lo, hi) (rows known to overlap it)."""
    if dialect == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM (LEAST(end_utc, {hi}) - GREATEST(start_utc, {lo}))) AS DOUBLE PRECISION)"
    return f"(julianday(MIN(end_utc, {hi})) - julianday(MAX(start_utc, {lo}))) * 86400.0"


def value_of(config: PlantConfig, kpi: str, row: Any) -> float | None:
    """A ratio or total KPI from a row of sums, worked by hand: scale × num (/ den)."""
    f = FORMULAS[config.kpis[kpi].formula]
    if not row.facts:
        return None
    num = getattr(row, f.numerator or "")
    if f.kind is Kind.TOTAL:
        return None if num is None else f.scale * num
    den = getattr(row, f.denominator or "")
    return f.scale * num / den if num is not None and den else None


def summed(config: PlantConfig, kpi: str) -> bool:
    """The KPI is a ratio or total of summed measures (what a floor can work out from sums)."""
    return FORMULAS[config.kpis[kpi].formula].kind in (Kind.RATIO, Kind.TOTAL)
