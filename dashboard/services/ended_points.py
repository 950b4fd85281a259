"""Judging a summed KPI over an ended period by the shortest way: a board judges a few hundred cells per refresh
(its trends, month calendars and red streaks), and each needs only its value and status, not the words a reading
gives its checks and gaps. ``Readings._judged`` is the full way; ``tests/integration/test_ended_points.py`` holds
the two equal on every kind of data (complete, stopped early, read short, loaded twice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from huddle.dashboard.core.kpi import (
    FORMULAS,
    PEOPLE_HOURS_FORMULAS,
    TIMED_MEASURES,
    Formula,
    Kind,
    Status,
    breaks_a_limit,
    coverage_of,
    evaluate,
    status_of,
)
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import KpiDef, PlantConfig
from huddle.dashboard.core.targets import band_at_grain
from huddle.dashboard.services.reading_context import formula_inputs

#: Missing time tolerated per line-shift before a period counts as incomplete (exports round their times).
COVERAGE_SLACK_S = 60.0


class EndedPointPlan(NamedTuple):
    """What judging a summed KPI over an ended period needs beyond its sums, worked out once per KPI: its formula,
    whether its target applies per line-shift, whether its records' production time is checked, and the sources
    whose records it reads."""

    formula: Formula
    total: bool
    timed: bool
    sources: tuple[str, ...]
    pm: bool  # PM compliance: a PM still open on its day is judged apart while the period reaches today


def ended_plan(config: PlantConfig, kdef: KpiDef) -> EndedPointPlan | None:
    """The plan ``judge_ended`` judges a KPI by, or None for a KPI only a reading's full judging judges (read per
    value, a gauge, a rolled yield, or hours worked that may come from their own records)."""
    formula = FORMULAS[kdef.formula]
    if formula.kind not in (Kind.RATIO, Kind.TOTAL) or formula.key in PEOPLE_HOURS_FORMULAS:
        return None
    used, records = formula_inputs(formula)
    return EndedPointPlan(formula, formula.kind is Kind.TOTAL, bool(used & TIMED_MEASURES),
                          tuple(k for k, src in config.sources.items() if src.record in records),
                          formula.key == "pm_compliance")


def judge_ended(plan: EndedPointPlan, kdef: KpiDef, period: Period, sums: dict[str, Any], end: datetime,
                read_through: dict[str, datetime]) -> tuple[float | None, Status]:
    """The value and status a reading of a summed KPI over an ended period has: grey without data; check data when
    a line-shift breaks a physical limit; incomplete when its records cover too little of the production time or a
    source it reads was last read before the period ended; else judged against the target."""
    value = evaluate(plan.formula, sums).value if sums.get("facts") else None
    if value is None:
        return None, Status.GREY
    band = band_at_grain(kdef, kdef.band(period.last), float(sums.get("line_shifts") or 0) if plan.total else None)
    incomplete = plan.timed and covers_too_little(sums, float(sums.get("scheduled_s") or 0.0))
    if not incomplete:
        incomplete = any((read := read_through.get(key)) is not None and read < end for key in plan.sources)
    return value, status_of(value, band, incomplete=incomplete, check=breaks_a_limit(plan.formula, sums))


def covers_too_little(sums: dict[str, Any], expected_s: float) -> bool:
    """Whether the production time a period's records cover falls short of ``expected_s`` by more than the slack
    its line-shifts allow (an ended period's data is then incomplete)."""
    covered = sums.get("covered_s")
    return coverage_of(covered, expected_s) is not None and \
        float(covered or 0.0) < expected_s - COVERAGE_SLACK_S * float(sums.get("line_shifts") or 1)
