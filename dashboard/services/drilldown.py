"""The drill-down panel of a KPI tree node: what the KPI is, the working of its formula on this period's numbers, its
trend against target with control limits and drift signals, where it is red (by line and by shift), why it moved,
what-if and goal seek on formula edges, the events behind it, and its open actions.

Plain Python over the readings service: the tree page, the API and exports read the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import _, ngettext, number
from huddle.dashboard.core.kpi import FORMULAS, MEASURES, Kind, Status
from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.core.plant import KpiDef, TreeDef
from huddle.dashboard.core.spc import ControlLimits, Signal, drift, individuals_limits, run_rule_signals
from huddle.dashboard.core.tree_math import Contribution, GoalSeek, attribute, combine, goal_seek, what_if
from huddle.dashboard.services.actions import ActionView
from huddle.dashboard.services.assets import (
    RELIABILITY_FORMULAS,
    AssetPms,
    AssetReliability,
    asset_pms,
    asset_reliability,
)
from huddle.dashboard.services.events import EventReport, events_behind
from huddle.dashboard.services.losses import loss_pieces
from huddle.dashboard.services.reading_context import sharing_context
from huddle.dashboard.services.readings import Reading

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

#: How many periods a node's trend shows, by the grain of the period the tree is read for.
TREND_POINTS = {"shift": 42, "day": 42, "week": 26, "month": 18}


@dataclass(frozen=True)
class NodeDetail:
    """Everything the panel shows for one node of a tree, for a scope and period."""

    kpi: KpiDef
    tree: TreeDef
    scope: str
    period: Period
    reading: Reading
    before: Reading  # the same KPI in the previous period
    formula_text: str
    own_working: str | None  # the KPI's own formula on this period's sums
    edge_working: str | None  # how its children combine into it, on this period's values
    trend: list[Reading]
    limits: ControlLimits | None
    signals: list[Signal]
    drifting: list[Signal]  # adverse signals among the latest points: drift before it turns red
    by_line: list[Reading]
    by_shift: list[Reading]
    why: list[Contribution]  # this node's change split over its children (formula edges only)
    children_before_after: list[tuple[str, Reading, Reading]]  # every child with both periods' readings
    formula_parent: str | None  # the parent this node feeds through a formula edge (what-if and goal seek)
    goal: GoalSeek | None  # what this node must reach for its formula parent to hit the parent's target
    events: EventReport | None
    actions: list[ActionView]
    values: dict[str, float | None] = field(default_factory=dict)  # every tree node's value (for what-if)
    targets: dict[str, float | None] = field(default_factory=dict)  # and its target for the period
    by_asset: list[AssetReliability] = field(default_factory=list)  # MTBF and MTTR: each asset's, worst first
    pms: list[AssetPms] = field(default_factory=list)  # PM compliance: each asset's PMs, most behind first
    baseline_scope: str | None = None  # where the baseline shown was recorded ("" the plant file; None: none)
    baseline_own: bool = False  # True when it was recorded at this scope, not leant on from a wider one


def formula_parent(tree: TreeDef, key: str) -> str | None:
    """The parent a node feeds through a formula edge, if any."""
    return next((e.parent for e in tree.edges if e.child == key and tree.formula_of(e.parent)), None)


def own_working(kdef: KpiDef, reading: Reading) -> str | None:
    """The KPI's formula worked on the period's sums, e.g. '18,848 s / 25,200 s × 100 = 74.79 %'."""
    formula = FORMULAS[kdef.formula]
    if reading.value is None:
        return None
    if formula.kind is Kind.RATIO and reading.numerator is not None and reading.denominator:
        num_unit, den_unit = _measure_unit(formula.numerator), _measure_unit(formula.denominator)
        scale = f" × {number(formula.scale, 4).rstrip('0').rstrip(',.')}" if formula.scale != 1 else ""
        hours = f" ({reading.parts['hours_worked']})" if reading.parts.get("hours_worked") else ""
        return (f"{_number(reading.numerator, num_unit)} / {_number(reading.denominator, den_unit)}{scale} = "
                f"{_precise(reading.value, kdef.unit)}{hours}")
    if formula.kind is Kind.TOTAL:
        return _("sum over the period = {value}").format(value=_precise(reading.value, kdef.unit))
    if formula.kind is Kind.PRODUCT and reading.parts:
        steps = " × ".join(f"{k} {number(v * 100, 2)} %" if v is not None else f"{k} —"
                           for k, v in reading.parts.items())
        return f"{steps} = {_precise(reading.value, kdef.unit)}"
    if formula.kind is Kind.DIRECT and reading.numerator is not None:
        if reading.denominator:
            return ngettext("{total} / {n} value = {value}", "{total} / {n} values = {value}",
                            reading.denominator).format(
                total=_number(reading.numerator, ""), n=number(reading.denominator, 2).rstrip("0").rstrip(",."),
                value=_precise(reading.value, kdef.unit))
        return _("sum of the loaded values = {value}").format(value=_precise(reading.value, kdef.unit))
    return None


def edge_working(services: Services, tree: TreeDef, key: str, values: dict[str, float | None]) -> str | None:
    """How a node's children combine into it on this period's values, e.g. '88.81 % × 86.11 % × 97.80 % = 74.79 %'."""
    formula = tree.formula_of(key)
    if formula is None:
        return None
    kids = tree.children(key)
    if any(values.get(c) is None for c in kids):
        return _("a child has no data: the formula cannot be worked")
    unit = services.config.kpis[key].unit
    joined = (" × " if formula == "product" else " + ").join(
        _precise(values[c], services.config.kpis[c].unit) for c in kids)
    return f"{joined} = {_precise(combine(services.config, tree, key, values), unit)}"


def _measure_unit(measure: str | None) -> str:
    """The unit a stored measure counts in (its name says: ``_s`` seconds, ``_h`` hours, else a count)."""
    if not measure or measure not in MEASURES:
        return ""
    return "s" if measure.endswith("_s") else "h" if measure.endswith("_h") else ""


def _precise(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{number(value, 2)} %"
    return format_value(value, unit)


def _number(value: float, unit: str) -> str:
    text = number(value) if abs(value) >= 100 else number(value, 2)
    return f"{text} {unit}".strip()


def trend_window(period: Period) -> tuple[str, date, date]:
    """The grain and production dates of the trend shown for a period (it ends with the period)."""
    n = TREND_POINTS.get(period.grain, 42)
    if period.grain == "shift":
        return "shift", period.last - timedelta(days=n // 3 + 1), period.last
    if period.grain == "week":
        return "week", period.first - timedelta(weeks=n - 1), period.last
    if period.grain == "month":
        first = period.first
        for _ in range(n - 1):
            first = period_containing("month", first - timedelta(days=1)).first
        return "month", first, period.last
    return "day", period.last - timedelta(days=n - 1), period.last


def trend(services: Services, kpi: str, scope: str, period: Period) -> list[Reading]:
    """The KPI per period of the tree's grain, ending with the period (at most ``TREND_POINTS``); shifts and days
    without data that nobody was to work (a weekend, a holiday) are left out, so the trend runs across them."""
    grain, first, last = trend_window(period)
    series = services.readings.series(kpi, scope, grain, first, last)
    if grain == "shift":
        end = period.label
        series = series[:next((i + 1 for i, r in enumerate(series) if r.period == end), len(series))]
    if grain in ("shift", "day"):
        # a day's label once per day, not once per shift worked in it
        worked = {period_containing(grain, day, shift).label for day, shift in
                  {(i.production_date, i.shift_key if grain == "shift" else None)
                   for i in services.config.calendar.instances_for_dates(first, last)}}
        series = [r for r in series if r.value is not None or r.period == period.label
                  or (r.period in worked and r.status != Status.PLANNED)]
    return series[-TREND_POINTS.get(grain, 42):]


@sharing_context
def node_detail(services: Services, tree_key: str, kpi: str, scope: str, period: Period,
                records: int = 200) -> NodeDetail:
    """The drill-down panel's read model for one node."""
    config = services.config
    tree = config.trees[tree_key]
    own, shown = services.baselines.in_force(kpi, scope)  # recorded at this scope, and the one shown (or leant on)
    kdef = replace(config.kpis[kpi], baseline=shown.baseline if shown else None)
    keys = tree.nodes()
    previous = period.previous()
    both = services.readings.readings_each(keys, scope, (period, previous))
    now, before = both[period], both[previous]
    current = {k: r.value for k, r in now.items()}
    reading = now[kpi]

    points = trend(services, kpi, scope, period)
    series = [r.value for r in points]
    direction = kdef.direction
    limits = individuals_limits(series)
    signals = run_rule_signals(series, limits, direction) if limits else []
    drifting = drift(series, limits, direction, signals=signals) if limits else []

    by_line = services.readings.breakdown(kpi, scope, period, "line") if len(config.scope_lines(scope)) > 1 else []
    by_shift = services.readings.breakdown(kpi, scope, period, "shift") if period.grain != "shift" else []

    # MTBF and MTTR show their events and each asset's numbers from the same stops: read and clipped once
    pieces = loss_pieces(services.readings, scope, period) if kdef.formula in RELIABILITY_FORMULAS else None

    split = attribute(config, tree, {k: r.value for k, r in before.items()}, current, node=kpi)
    kids = tree.children(kpi)
    why = [c for c in split if c.key in kids]
    parent = formula_parent(tree, kpi)
    goal = None
    if parent is not None and now[parent].target is not None:  # the parent's target at this period's grain
        goal = goal_seek(config, tree, current, parent, kpi, float(now[parent].target))
    return NodeDetail(
        kpi=kdef, tree=tree, scope=scope, period=period, reading=reading, before=before[kpi],
        formula_text=_(FORMULAS[kdef.formula].description), own_working=own_working(kdef, reading),
        edge_working=edge_working(services, tree, kpi, current), trend=points, limits=limits, signals=signals,
        drifting=drifting, by_line=by_line, by_shift=by_shift, why=why,
        children_before_after=[(c, before[c], now[c]) for c in kids], formula_parent=parent, goal=goal,
        events=events_behind(services.readings, kpi, scope, period, limit=records, pieces=pieces),
        actions=services.actions.listing(scope, kpi=kpi), values=current,
        targets={k: r.target for k, r in now.items()},
        baseline_scope=shown.scope if shown else None, baseline_own=own is not None,
        by_asset=asset_reliability(services.readings, scope, period, pieces) if pieces is not None else [],
        pms=asset_pms(services.readings, scope, period) if kdef.formula == "pm_compliance" else [],
    )


@dataclass(frozen=True)
class WhatIfStep:
    """A formula ancestor of the node whose value was changed: its value now and then, and whether it would then
    meet its target (None when it has no target or no value)."""

    kpi: str
    now: float | None
    then: float | None
    target: float | None
    meets_target: bool | None


def try_what_if(services: Services, tree_key: str, values: dict[str, float | None], kpi: str, new_value: float,
                targets: dict[str, float | None] | None = None) -> list[WhatIfStep]:
    """Set a node's value and see its formula ancestors up to the root, each against its target."""
    tree = services.config.trees[tree_key]
    changed = what_if(services.config, tree, values, kpi, new_value)
    out = []
    for key, then in changed.items():
        if key == kpi:
            continue
        target = (targets or {}).get(key)
        meets = None
        if then is not None and target is not None:
            meets = then >= target if services.config.kpis[key].direction == "higher" else then <= target
        out.append(WhatIfStep(key, values.get(key), then, target, meets))
    return out


def try_goal_seek(services: Services, tree_key: str, values: dict[str, float | None], kpi: str,
                  target: float) -> GoalSeek | None:
    """What a node must reach for its formula parent to equal ``target``, the other children unchanged."""
    tree = services.config.trees[tree_key]
    parent = formula_parent(tree, kpi)
    if parent is None:
        return None
    return goal_seek(services.config, tree, values, parent, kpi, target)


def as_dict(detail: NodeDetail) -> dict[str, Any]:
    """JSON-ready form of a node's panel (for the API)."""
    return {
        "kpi": detail.kpi.key, "name": detail.kpi.name, "scope": detail.scope, "period": detail.period.label,
        "reading": detail.reading.as_dict(), "previous": detail.before.as_dict(),
        "definition": {"owner": detail.kpi.owner, "data_source": detail.kpi.data_source,
                       "frequency": detail.kpi.frequency, "unit": detail.kpi.unit,
                       "direction": detail.kpi.direction, "formula": detail.formula_text,
                       "baseline": ({"value": detail.kpi.baseline.value, "date": detail.kpi.baseline.on.isoformat(),
                                     "source": detail.kpi.baseline.source, "scope": detail.baseline_scope or None}
                                    if detail.kpi.baseline else None)},
        "working": {"own": detail.own_working, "children": detail.edge_working},
        "trend": [r.as_dict() for r in detail.trend],
        "control_limits": ({"centre": detail.limits.centre, "lower": detail.limits.lower,
                            "upper": detail.limits.upper, "baseline_points": detail.limits.baseline_points}
                           if detail.limits else None),
        "signals": [{"period": detail.trend[s.index].period, "rule": s.rule, "adverse": s.adverse, "text": s.text}
                    for s in detail.signals],
        "drifting": [s.text for s in detail.drifting],
        "by_line": [r.as_dict() for r in detail.by_line], "by_shift": [r.as_dict() for r in detail.by_shift],
        "by_asset": [a.__dict__ for a in detail.by_asset], "pms_by_asset": [a.__dict__ for a in detail.pms],
        "why": [{"kpi": c.key, "before": c.before, "after": c.after, "contribution": c.contribution}
                for c in detail.why],
        "goal_seek": ({"parent": detail.formula_parent, "needed": detail.goal.needed,
                       "possible": detail.goal.possible, "reason": detail.goal.reason} if detail.goal else None),
        "events": (None if detail.events is None else {
            "kind": detail.events.kind, "title": detail.events.title, "measure": detail.events.measure,
            "total": detail.events.total, "total_records": detail.events.total_records,
            "pareto": [p.__dict__ for p in detail.events.pareto]}),
        "actions": [a.as_dict() for a in detail.actions],
    }
