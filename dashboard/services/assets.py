"""Reliability by asset: MTBF and MTTR of every asset of a scope over a period, where a supervisor drills from a
line's MTBF or MTTR to the machine behind it, and its preventive maintenance (scheduled, done on time, late or not
done) from PM compliance.

An asset is the equipment a line's stop log names (``Filler`` of Line 2). Its failures are the unplanned stops that
started inside the period's shifts and named it, its repair time their minutes inside those shifts (planned breaks
left out: the same pieces as the events behind the KPI and the line's facts), and its operating time the line's run
time, since an asset of a line in series runs when its line runs. Both come from the catalogue's own formulas
(``mtbf``, ``mttr``), so an asset's numbers and its line's are the same sums split by asset.

The stop log, not the maintenance system's corrective work orders, is the source: it holds each failure's start and
end (the repair time) and the line's run time, where a work order holds only when it was closed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from huddle.dashboard.core.kpi import FORMULAS, evaluate
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.events import inside_windows
from huddle.dashboard.services.losses import LossPieces, loss_pieces
from huddle.dashboard.services.readings import Readings
from huddle.data.queries import records as record_queries

#: the formulas whose panel shows the reliability of each asset
RELIABILITY_FORMULAS = frozenset({"mtbf", "mttr"})


@dataclass(frozen=True)
class AssetReliability:
    """One asset of a line over a period: its failures, repair minutes, MTBF (h) and MTTR (min)."""

    line: str
    asset: str  # the equipment the stop log names; "" for stops that named none
    failures: int
    repair_min: float
    run_h: float | None  # the line's run time over the period
    mtbf: float | None
    mttr: float | None


def asset_reliability(readings: Readings, scope: str, period: Period,
                      pieces: LossPieces | None = None) -> list[AssetReliability]:
    """MTBF and MTTR of every asset with an unplanned stop in the scope and period, most failures first;
    ``pieces``: the scope's stops already clipped to the period (``loss_pieces``), when the caller has them."""
    failed: dict[tuple[str, str], int] = defaultdict(int)
    repair: dict[tuple[str, str], float] = defaultdict(float)
    pieces = loss_pieces(readings, scope, period) if pieces is None else pieces
    stops = pieces.stops
    for line, category, equipment, minutes, inside in zip(stops.line, stops.category, stops.equipment,
                                                          pieces.minutes, pieces.started_inside, strict=True):
        if category != "unplanned":
            continue
        key = (line, equipment)
        failed[key] += inside
        repair[key] += minutes
    run_s = _run_s(readings, scope, period, {ln for ln, _a in failed})
    out = []
    for (line, asset), failures in failed.items():
        run = run_s.get(line)
        mtbf = evaluate(FORMULAS["mtbf"], {"run_s": run, "failures": failures}).value
        mttr = evaluate(FORMULAS["mttr"], {"unplanned_stop_s": repair[(line, asset)] * 60, "failures": failures}).value
        out.append(AssetReliability(line, asset, failures, repair[(line, asset)],
                                    run / 3600 if run is not None else None, mtbf, mttr))
    order = {line: i for i, line in enumerate(readings.config.lines)}
    out.sort(key=lambda a: (-a.failures, -a.repair_min, order.get(a.line, 0), a.asset))
    return out


def _run_s(readings: Readings, scope: str, period: Period, lines: set[str]) -> dict[str, float | None]:
    """Each line's run time over the period (MTBF's numerator): one query grouped by line when the plant has an MTBF
    KPI and more than one line is asked for, else one reading a line."""
    key = next((k for k, d in readings.config.kpis.items() if d.formula == "mtbf"), None)
    if key is not None and len(lines) > 1:
        return {r.scope: r.numerator for r in readings.breakdown(key, scope, period, "line") if r.scope in lines}
    return {line: readings.formula_reading("mtbf", line, period).numerator for line in lines}


@dataclass(frozen=True)
class AssetPms:
    """One asset's preventive work orders due in a period: scheduled, done on time, and late or not done."""

    line: str
    asset: str
    scheduled: int
    on_time: int
    late: int  # done after their day
    not_done: int


def asset_pms(readings: Readings, scope: str, period: Period) -> list[AssetPms]:
    """Each asset's PMs that PM compliance counts in the scope and period, the most behind first."""
    lines = tuple(readings.config.scope_lines(scope))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    today = readings.clock().astimezone(readings.config.tz).date()
    for row in inside_windows(readings, period, lambda session, lo, hi: record_queries.pms_due_between(
            session, lines, lo, hi)):
        if not row.done and row.scheduled >= today:
            continue  # open on its own day or one to come: not late yet, as PM compliance counts it
        c = counts[(row.line, row.asset)]
        c[0] += 1
        c[1 if row.on_time else 2 if row.done else 3] += 1
    order = {line: i for i, line in enumerate(readings.config.lines)}
    out = [AssetPms(line, asset, *c) for (line, asset), c in counts.items()]
    out.sort(key=lambda a: (a.on_time - a.scheduled, order.get(a.line, 0), a.asset))
    return out
