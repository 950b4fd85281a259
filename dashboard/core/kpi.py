"""KPI maths: every formula Huddle computes, in one place.

A KPI is computed from *measures*: additive quantities stored per line and shift (seconds of planned production
time, good count, hours worked...). Every ratio KPI is ``scale × Σ numerator / Σ denominator`` over whatever lines
and shifts are being rolled up (ratio of sums, never the mean of ratios). A few KPIs are not ratios: totals
(``Σ numerator``), rolled throughput yield (a product over process steps) and days since the last recordable
(a gauge computed from events). Nothing here touches a database or Dash.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from huddle.dashboard.core.i18n import N_, _, ngettext

#: The additive measures stored per line × shift (the columns of ``shift_facts``), with their meaning.
MEASURES: dict[str, str] = {
    "shift_s": "scheduled shift time, seconds of real elapsed time",
    "planned_stop_s": "breaks, meals and planned stop events, seconds",
    "ppt_s": "planned production time = shift time − planned stops, seconds",
    "unplanned_stop_s": "unplanned stop time, seconds",
    "changeover_s": "changeover time, seconds",
    "run_s": "run time = PPT − unplanned stops − changeovers, seconds",
    "total_count": "units produced (started), good and bad",
    "good_count": "units good first time (no rework, no scrap)",
    "planned_qty": "units planned",
    "ideal_total_s": "Σ ideal cycle time × total count, seconds",
    "ideal_good_s": "Σ ideal cycle time × good count, seconds",
    "scrap_qty": "units scrapped (quality events)",
    "rework_qty": "units reworked (quality events)",
    "internal_escapes": "quality escapes found further on in the plant (quality events marked internal)",
    "customer_escapes": "quality escapes found by the customer (quality events marked customer: complaints)",
    "failures": "number of unplanned stop events",
    "pm_scheduled": "preventive work orders scheduled (counted in the first shift of their scheduled day)",
    "pm_on_time": "preventive work orders done by the end of their scheduled day",
    "hours_worked": "labour hours worked",
    "overtime_h": "overtime hours",
    "headcount_planned": "people planned",
    "headcount_present": "people present",
    "recordables": "recordable cases (recordable and lost-time events)",
    "lost_time_cases": "lost-time cases",
    "first_aid_cases": "first-aid cases",
    "near_misses": "near misses reported",
    "scheduled_s": "production time the shift schedules (shift time outside breaks), seconds, whole shift",
    "covered_s": "production time covered by count intervals and stop events, seconds",
}


#: The measures built from count intervals and stop events: their completeness is the share of the shift's
#: production time those records cover.
TIMED_MEASURES = frozenset({"shift_s", "planned_stop_s", "ppt_s", "unplanned_stop_s", "changeover_s", "run_s",
                            "total_count", "good_count", "planned_qty", "ideal_total_s", "ideal_good_s", "failures"})


class Status(StrEnum):
    """Status of a KPI value against its target."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"  # no data for the period
    STALE = "stale"  # data older than the KPI's frequency allows
    INCOMPLETE = "incomplete"  # the period has ended but its data covers only part of it
    CHECK = "check"  # a value outside its physical range (performance above 100 %, more good than made...)
    PLANNED = "planned"  # a holiday or shutdown the plant planned: neither missing nor judged
    BEFORE_GO_LIVE = "before-go-live"  # before the plant (or line) started with Huddle: not judged


class Kind(StrEnum):
    """How a formula aggregates."""

    RATIO = "ratio"  # scale × Σ num / Σ den
    TOTAL = "total"  # scale × Σ num
    PRODUCT = "product"  # Π of a child KPI over process steps (rolled throughput yield)
    GAUGE = "gauge"  # computed from events at a moment (days since last recordable)
    DIRECT = "direct"  # values computed elsewhere and loaded as they are


@dataclass(frozen=True)
class Formula:
    """A built-in KPI formula over measures."""

    key: str
    kind: Kind
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    unit: str = ""
    direction: str = "higher"
    description: str = ""
    #: For PRODUCT formulas: the formula multiplied over process steps.
    step_formula: str | None = None


def _ratio(key: str, num: str, den: str, scale: float, unit: str, direction: str, text: str) -> Formula:
    return Formula(key, Kind.RATIO, num, den, scale, unit, direction, text)


FORMULAS: dict[str, Formula] = {
    f.key: f
    for f in (
        _ratio("oee", "ideal_good_s", "ppt_s", 100, "%", "higher",
               N_("OEE = Σ(good × ideal cycle time) / Σ planned production time = A × P × Q")),
        _ratio("availability", "run_s", "ppt_s", 100, "%", "higher", N_("A = run time / planned production time")),
        _ratio("performance", "ideal_total_s", "run_s", 100, "%", "higher",
               N_("P = Σ(ideal cycle time × total count) / run time")),
        _ratio("quality", "ideal_good_s", "ideal_total_s", 100, "%", "higher",
               N_("Q = good / total, weighted by ideal cycle time when products differ")),
        _ratio("fpy", "good_count", "total_count", 100, "%", "higher",
               N_("First-pass yield = units good first time / units started")),
        _ratio("scrap_rate", "scrap_qty", "total_count", 100, "%", "lower", N_("Scrap rate = scrapped / total")),
        _ratio("rework_rate", "rework_qty", "total_count", 100, "%", "lower", N_("Rework rate = reworked / total")),
        _ratio("schedule_attainment", "good_count", "planned_qty", 100, "%", "higher",
               N_("Schedule attainment = actual (good) quantity / planned quantity")),
        _ratio("trir", "recordables", "hours_worked", 200_000, "", "lower",
               N_("TRIR = recordable cases × 200,000 / hours worked")),
        _ratio("attendance", "headcount_present", "headcount_planned", 100, "%", "higher",
               N_("Attendance = people present / people planned")),
        _ratio("overtime_rate", "overtime_h", "hours_worked", 100, "%", "lower",
               N_("Overtime rate = overtime hours / hours worked")),
        _ratio("units_per_labour_hour", "good_count", "hours_worked", 1, "units/h", "higher",
               N_("Units per labour hour = good units / hours worked")),
        _ratio("mtbf", "run_s", "failures", 1 / 3600, "h", "higher", N_("MTBF = operating time / failures")),
        _ratio("mttr", "unplanned_stop_s", "failures", 1 / 60, "min", "lower", N_("MTTR = repair time / failures")),
        _ratio("pm_compliance", "pm_on_time", "pm_scheduled", 100, "%", "higher",
               N_("PM compliance = preventive work orders done on time / scheduled")),
        Formula("unplanned_downtime", Kind.TOTAL, "unplanned_stop_s", None, 1 / 60, "min", "lower",
                N_("Unplanned stop minutes")),
        Formula("changeover_time", Kind.TOTAL, "changeover_s", None, 1 / 60, "min", "lower", N_("Changeover minutes")),
        Formula("good_units", Kind.TOTAL, "good_count", None, 1, "units", "higher", N_("Good units produced")),
        Formula("internal_escapes", Kind.TOTAL, "internal_escapes", None, 1, "escapes", "lower",
                N_("Internal escapes = defects found further on in the plant, past the line that made them")),
        Formula("customer_escapes", Kind.TOTAL, "customer_escapes", None, 1, "escapes", "lower",
                N_("Customer escapes = defects the customer found (complaints)")),
        Formula("recordables", Kind.TOTAL, "recordables", None, 1, "cases", "lower", N_("Recordable cases")),
        Formula("first_aid_cases", Kind.TOTAL, "first_aid_cases", None, 1, "cases", "lower", N_("First-aid cases")),
        Formula("near_misses", Kind.TOTAL, "near_misses", None, 1, "reports", "higher",
                N_("Near misses reported (leading: more reported is good)")),
        Formula("overtime_hours", Kind.TOTAL, "overtime_h", None, 1, "h", "lower", N_("Overtime hours")),
        Formula("rty", Kind.PRODUCT, None, None, 100, "%", "higher",
                N_("Rolled throughput yield = Π first-pass yield of the process steps"), step_formula="fpy"),
        Formula("days_since_recordable", Kind.GAUGE, None, None, 1, "days", "higher",
                N_("Whole days since the last recordable case")),
        Formula("direct", Kind.DIRECT, None, None, 1, "", "higher", N_("Value computed elsewhere and loaded")),
    )
}


#: The ratios over the hours everyone at a scope worked (not only on the lines): read over the hours recorded for the
#: scope itself (payroll, HR) where there are any, over the labour hours per line and shift where there are not.
PEOPLE_HOURS_FORMULAS = frozenset({"trir"})


@dataclass(frozen=True)
class KpiResult:
    """One KPI value with the sums it came from (numerator and denominator kept, never just the ratio)."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    flags: tuple[str, ...] = ()


def evaluate(formula: Formula, sums: Mapping[str, float | None]) -> KpiResult:
    """Compute a ratio or total KPI from summed measures; no data gives ``value=None`` (never zero)."""
    if formula.kind is Kind.TOTAL:
        num = sums.get(formula.numerator or "")
        if num is None:
            return KpiResult(None)
        return KpiResult(num * formula.scale, num, None)
    if formula.kind is not Kind.RATIO:
        raise ValueError(f"{formula.key} is a {formula.kind} formula: it is not computed from sums alone")
    num = sums.get(formula.numerator or "")
    den = sums.get(formula.denominator or "")
    if num is None or den is None or den == 0:
        return KpiResult(None, num, den)
    value = formula.scale * num / den
    flags: tuple[str, ...] = ()
    if formula.key == "performance" and num > den * 1.0000001:
        flags = (_("performance above 100 %: check the ideal cycle time"),)
    return KpiResult(value, num, den, flags)


def rolled_throughput_yield(step_yields: list[float | None]) -> float | None:
    """Multiply first-pass yields (fractions) of process steps; any step without data gives None."""
    if not step_yields or any(y is None for y in step_yields):
        return None
    return math.prod(y for y in step_yields if y is not None)


def oee_factors(sums: Mapping[str, float | None]) -> dict[str, KpiResult]:
    """OEE and its three factors from the same sums (so A × P × Q equals OEE exactly)."""
    return {key: evaluate(FORMULAS[key], sums) for key in ("availability", "performance", "quality", "oee")}


@dataclass(frozen=True)
class Band:
    """Target, direction and optional amber band of a KPI, in the KPI's display unit."""

    target: float | None
    direction: str = "higher"  # "higher" or "lower" is better
    amber: float | None = None  # width of the amber band on the bad side of the target


@dataclass(frozen=True)
class PlausibilityCheck:
    """A physical limit of the stored measures: how many line-shifts break it is counted per reading, and every KPI
    computed from one of its measures is not to be trusted while any does."""

    key: str
    measures: frozenset[str]
    reason: str


#: The limits checked on every line-shift (counted in SQL as ``n_<key>``).
PLAUSIBILITY: tuple[PlausibilityCheck, ...] = (
    PlausibilityCheck("over_performance",
                      frozenset({"ideal_total_s", "ideal_good_s", "total_count", "good_count", "run_s"}),
                      N_("performance above 100 %: check the ideal cycle time, or counts loaded twice")),
    PlausibilityCheck("good_over_total", frozenset({"ideal_good_s", "ideal_total_s", "good_count", "total_count"}),
                      N_("more good units than units made")),
    PlausibilityCheck("stops_over_time", frozenset({"unplanned_stop_s", "changeover_s", "run_s", "failures"}),
                      N_("stops longer than the planned production time: overlapping or doubled stop records")),
    PlausibilityCheck("rejects_over_total", frozenset({"scrap_qty", "rework_qty"}),
                      N_("more units scrapped or reworked than made")),
)


@cache
def _checks_of(numerator: str | None, denominator: str | None) -> tuple[tuple[PlausibilityCheck, str], ...]:
    """The physical limits that concern a formula's measures, each with its count's name in the sums (``n_<key>``),
    found once per formula rather than for every reading."""
    used = {numerator, denominator}
    return tuple((check, f"n_{check.key}") for check in PLAUSIBILITY if used & check.measures)


def implausible(formula: Formula, sums: Mapping[str, Any]) -> tuple[str, ...]:
    """Why a KPI's value cannot be trusted: each physical limit broken by a line-shift it is computed from, with how
    many line-shifts break it (empty when the data is plausible)."""
    out = []
    for check, count in _checks_of(formula.numerator, formula.denominator):
        n = int(sums.get(count) or 0)
        if n:
            shifts = ngettext("{n} line-shift", "{n} line-shifts", n).format(n=n)
            out.append(f"{_(check.reason)} ({shifts})")
    return tuple(out)


def breaks_a_limit(formula: Formula, sums: Mapping[str, Any]) -> bool:
    """Whether ``implausible`` would find anything, without wording it (a trend's or a calendar's cell)."""
    return any(int(sums.get(count) or 0) for _check, count in _checks_of(formula.numerator, formula.denominator))


def coverage_of(covered_s: float | None, expected_s: float | None) -> float | None:
    """Share of the production time a period schedules that its records cover (None when it cannot be told)."""
    if not expected_s or expected_s <= 0 or covered_s is None:
        return None
    return max(0.0, min(1.0, covered_s / expected_s))


def status_of(value: float | None, band: Band, *, stale: bool = False, incomplete: bool = False,
              check: bool = False) -> Status:
    """Direction-aware status of a value: grey when no data; check data when impossible; incomplete when an ended
    period's data covers only part of it; stale when too old; else green/amber/red."""
    if value is None:
        return Status.GREY
    if check:
        return Status.CHECK
    if incomplete:
        return Status.INCOMPLETE
    if stale:
        return Status.STALE
    if band.target is None:
        return Status.GREY
    gap = value - band.target if band.direction == "higher" else band.target - value
    if gap >= -1e-9:
        return Status.GREEN
    if band.amber is not None and gap >= -band.amber - 1e-9:
        return Status.AMBER
    return Status.RED


_SEVERITY = (Status.RED, Status.CHECK, Status.AMBER, Status.INCOMPLETE, Status.STALE, Status.GREEN, Status.GREY,
             Status.PLANNED, Status.BEFORE_GO_LIVE)


def severity(status: Status | str) -> int:
    """How much a status needs attention, 0 the most (red), in ``worst_status``'s order."""
    return _SEVERITY.index(Status(status))


def worst_status(statuses: Iterable[Status | str]) -> Status:
    """The status of a group (an SQDCM column, a day): red if any is red, then check data, amber, incomplete, stale,
    green; grey if none. A group is green only when every member is."""
    present = {Status(s) for s in statuses}
    return next((s for s in _SEVERITY if s in present), Status.GREY)


def gap_to_target(value: float | None, band: Band) -> float | None:
    """Signed gap, positive when better than target (direction-aware)."""
    if value is None or band.target is None:
        return None
    return value - band.target if band.direction == "higher" else band.target - value
