"""Statistical process control on a KPI's trend: individuals (XmR) control limits and the Western Electric run rules.

Limits come from a baseline of the first points: the centre line is their mean and sigma is their mean moving range
divided by d2 = 1.128 (the individuals / XmR chart). The run rules then look at the whole series for signs that the
process has changed, and `drift` keeps the recent ones that point the bad way for the KPI, so a board can warn before
a KPI turns red. Plain Python; nothing here touches the database or Dash.

Conventions, shared by every function here:

* Missing points (None or NaN) are skipped, not treated as breaks: a shift with no data is no evidence that the
  process changed, so a run continues across the gap. Rules count consecutive *present* points, and a signal's
  index is still the position in the original sequence.
* "Beyond k sigma" is strict: a point exactly on a boundary belongs to the inner zone, and a point exactly on the
  centre line is on neither side (it ends an 8-on-one-side run).
* Each rule is reported once per run: at the point that first completes it, and again only after the condition
  has stopped holding and then completes anew.
* A degenerate baseline (all values equal, sigma = 0) has no width to measure zones by, so any point off the
  centre line counts as beyond the limits (rule 1); rules 2 and 3 are skipped because they would only repeat
  rule 1. Rule 4 (side of the centre line) and rule 5 (trend) do not use sigma and apply as usual.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from huddle.dashboard.core.i18n import N_, _

MIN_POINTS = 8
D2 = 1.128  # the d2 constant for moving ranges of two consecutive points

BEYOND_3 = "beyond_3_sigma"
TWO_OF_THREE = "2_of_3_beyond_2_sigma"
FOUR_OF_FIVE = "4_of_5_beyond_1_sigma"
SAME_SIDE = "8_on_one_side"
TRENDING = "6_trending"
RULES = (BEYOND_3, TWO_OF_THREE, FOUR_OF_FIVE, SAME_SIDE, TRENDING)

_DIRECTIONS = ("higher", "lower")
_ADVERSE = {"higher": ("below", "down"), "lower": ("above", "up")}


@dataclass(frozen=True)
class ControlLimits:
    """Centre line, ±3 sigma control limits and sigma of an individuals (XmR) chart.

    `zone` places a value in a signed sigma band: 0 within 1 sigma of the centre (inclusive), ±1 for more than 1 and
    up to 2 sigma, ±2 for more than 2 and up to 3 sigma, ±3 for beyond the control limits; positive above the
    centre, negative below. With sigma 0 a value is 0 on the centre line and ±3 anywhere else.
    """

    centre: float
    lower: float  # centre - 3 sigma
    upper: float  # centre + 3 sigma
    sigma: float  # mean moving range / 1.128
    baseline_points: int  # how many present points the limits were computed from

    def zone(self, value: float) -> int:
        """The signed sigma band of a value, -3..3 (see the class docstring)."""
        deviation = value - self.centre
        if deviation == 0:
            return 0
        sign = 1 if deviation > 0 else -1
        if self.sigma <= 0:
            return 3 * sign
        bands = sum(1 for k in (1, 2, 3) if abs(deviation) > k * self.sigma)
        return bands * sign


@dataclass(frozen=True)
class Signal:
    """One run-rule signal on a KPI's trend."""

    index: int  # position in the original values (None entries keep theirs) of the point that completes the rule
    rule: str  # one of RULES
    side: str  # "above"/"below" for side rules, "up"/"down" for trends
    adverse: bool  # True when the signal points the bad way for the KPI's direction
    text: str  # one plain sentence for a supervisor


def _is_missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _present(values: Sequence[float | None]) -> list[tuple[int, float]]:
    """(original index, value) of each present point, in order."""
    return [(i, float(v)) for i, v in enumerate(values) if not _is_missing(v)]  # type: ignore[arg-type]


def _check_direction(direction: str) -> None:
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")


def individuals_limits(values: Sequence[float | None], baseline: int | None = None) -> ControlLimits | None:
    """XmR limits from the first `baseline` present points (default: the first half, at least 8); None below 8 points.

    A `baseline` longer than the series uses every present point (see `baseline_points`); one below 8 is an error.
    Moving ranges are taken between consecutive present points, skipping missing ones.
    """
    if baseline is not None and baseline < MIN_POINTS:
        raise ValueError(f"baseline must be at least {MIN_POINTS} points, not {baseline}")
    points = [v for _, v in _present(values)]
    if len(points) < MIN_POINTS:
        return None
    wanted = baseline if baseline is not None else max(MIN_POINTS, len(points) // 2)
    base = points[: min(wanted, len(points))]
    n = len(base)
    centre = math.fsum(base) / n
    sigma = math.fsum(abs(b - a) for a, b in pairwise(base)) / (n - 1) / D2
    return ControlLimits(centre, centre - 3 * sigma, centre + 3 * sigma, sigma, n)


def _completions(flags: list[bool], window: int, needed: int) -> list[int]:
    """Positions where at least `needed` of the last `window` flags (fewer at the start) first become true."""
    out: list[int] = []
    held = False
    for p in range(len(flags)):
        holds = sum(flags[max(0, p - window + 1) : p + 1]) >= needed
        if holds and not held:
            out.append(p)
        held = holds
    return out


#: each rule's signal in words, per side (whole sentences: languages place "above" and "below" differently)
_TEXTS = {
    (BEYOND_3, "above"): N_("A point above the upper control limit (something unusual happened; look for the cause)"),
    (BEYOND_3, "below"): N_("A point below the lower control limit (something unusual happened; look for the cause)"),
    (TWO_OF_THREE, "above"): N_("2 of 3 points in a row far above the centre line, near the upper control limit "
                                "(an early warning of a shift)"),
    (TWO_OF_THREE, "below"): N_("2 of 3 points in a row far below the centre line, near the lower control limit "
                                "(an early warning of a shift)"),
    (FOUR_OF_FIVE, "above"): N_("4 of 5 points in a row clearly above the centre line (the process is probably "
                                "shifting)"),
    (FOUR_OF_FIVE, "below"): N_("4 of 5 points in a row clearly below the centre line (the process is probably "
                                "shifting)"),
    (SAME_SIDE, "above"): N_("8 points in a row above the centre line (the process has shifted)"),
    (SAME_SIDE, "below"): N_("8 points in a row below the centre line (the process has shifted)"),
    (TRENDING, "up"): N_("6 points in a row each higher than the one before (a steady upward trend)"),
    (TRENDING, "down"): N_("6 points in a row each lower than the one before (a steady downward trend)"),
}


def _text(rule: str, side: str) -> str:
    return _(_TEXTS[(rule, side)])


def run_rule_signals(values: Sequence[float | None], limits: ControlLimits, direction: str) -> list[Signal]:
    """Western Electric rules over the series, sorted by index then rule; `direction` is 'higher' or 'lower' (better).

    Rules (Nelson numbers in brackets): 1 a point beyond 3 sigma [1]; 2 two of three points in a row beyond 2 sigma on
    one side [5]; 3 four of five beyond 1 sigma on one side [6]; 4 eight points in a row on one side of the centre
    line [2] (the Western Electric 8, not Nelson's 9); 5 six points in a row each strictly beyond the one before [3].
    Missing points are skipped without breaking a run (see the module docstring).
    """
    _check_direction(direction)
    present = _present(values)
    zones = [limits.zone(v) for _, v in present]
    found: list[tuple[int, str, str]] = []  # (position among present points, rule, side)
    for side, sign in (("above", 1), ("below", -1)):
        found += [(p, BEYOND_3, side) for p in _completions([z * sign >= 3 for z in zones], 1, 1)]
        if limits.sigma > 0:
            found += [(p, TWO_OF_THREE, side) for p in _completions([z * sign >= 2 for z in zones], 3, 2)]
            found += [(p, FOUR_OF_FIVE, side) for p in _completions([z * sign >= 1 for z in zones], 5, 4)]
        on_side = [(v - limits.centre) * sign > 0 for _, v in present]
        found += [(p, SAME_SIDE, side) for p in _completions(on_side, 8, 8)]
    for side, sign in (("up", 1), ("down", -1)):
        steps = [False] + [(b - a) * sign > 0 for (_, a), (_, b) in pairwise(present)]
        found += [(p, TRENDING, side) for p in _completions(steps, 5, 5)]
    found.sort(key=lambda f: (f[0], RULES.index(f[1])))
    adverse = _ADVERSE[direction]
    return [Signal(present[p][0], rule, side, side in adverse, _text(rule, side)) for p, rule, side in found]


def drift(values: Sequence[float | None], limits: ControlLimits | None, direction: str,
          recent: int = 8, signals: Sequence[Signal] | None = None) -> list[Signal]:
    """Adverse signals completed within the last `recent` present points: a KPI drifting before it turns red;
    `signals`: the series' `run_rule_signals` when the caller has them already.

    Counting present points means trailing missing ones (a shift not yet reported) do not push signals out.
    """
    _check_direction(direction)
    if recent < 1:
        raise ValueError(f"recent must be at least 1, not {recent}")
    if limits is None:
        return []
    indices = [i for i, _ in _present(values)]
    if not indices:
        return []
    cutoff = indices[-min(recent, len(indices))]
    found = run_rule_signals(values, limits, direction) if signals is None else signals
    return [s for s in found if s.adverse and s.index >= cutoff]
