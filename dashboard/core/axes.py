"""Chart scales with evenly spaced ticks: a round top at or above the largest value, cut into five equal steps, and
the Pareto's share scale (0 to 100 %) cut into the same five steps, so the two scales' ticks and grid lines sit at
the same heights on every copy of a chart (the page, the PDF and the HTML review). Nothing here draws."""

from __future__ import annotations

import math

STEPS = 5  # ticks above zero on every value scale
HEADROOM = 1.05  # room above the top tick, for a bar's label or the cumulative line's last point


def axis_scale(value: float) -> tuple[float, float, int]:
    """A round axis top at or above a value, its step (five to the top) and the decimals its labels need."""
    if value <= 0:
        return 1.0, 0.2, 1
    magnitude = 10.0 ** math.floor(math.log10(value))
    top = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if value <= f * magnitude * (1 + 1e-9))
    step = top / STEPS
    return top, step, 0 if float(round(step, 9)).is_integer() else 1 if float(round(step * 10, 9)).is_integer() else 2


def share_ticks() -> list[float]:
    """The cumulative share's ticks as fractions (0, 0.2 … 1): the same steps as the value scale beside it."""
    return [i / STEPS for i in range(STEPS + 1)]
