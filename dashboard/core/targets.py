"""A KPI's target at the grain of the value it judges: the one rule every page, export and the API go through.

A plant writes each target once, at the KPI's own grain. A ratio or percentage (OEE, scrap rate, TRIR), a product
(rolled throughput yield), a gauge (days since the last recordable) and the mean of loaded values keep that target at
every grain: a month's OEE is judged against the same 65 % as a shift's. A total (downtime minutes, near misses,
good units) is written per line and shift, so a longer period, or a scope of several lines, is judged against that
target times the line-shifts it worked; a summed loaded KPI (scrap cost per line and day) likewise times the values
it holds. Line-shifts worked are those with records: a day the plant planned not to run, and a line that did not
run, add none. A period with nothing worked has no target for a total: a per-shift limit printed beside an empty
month would be read as the month's.
"""

from __future__ import annotations

from enum import StrEnum

from huddle.dashboard.core.kpi import FORMULAS, Band, Kind
from huddle.dashboard.core.plant import KpiDef


class TargetGrain(StrEnum):
    """What one unit of a KPI's written target covers."""

    AS_IS = "as written"  # ratios, percentages, products, gauges, means: the same target at every grain
    PER_LINE_SHIFT = "per line and shift"  # totals: the target of one line over one shift
    PER_VALUE = "per loaded value"  # summed loaded KPIs: the target of one loaded value


def target_grain(kdef: KpiDef) -> TargetGrain:
    """How a KPI's written target scales to a longer period or a wider scope."""
    kind = FORMULAS[kdef.formula].kind
    if kind is Kind.TOTAL:
        return TargetGrain.PER_LINE_SHIFT
    if kind is Kind.DIRECT and kdef.aggregation == "sum":
        return TargetGrain.PER_VALUE
    return TargetGrain.AS_IS


def grain_dependent(kdef: KpiDef) -> bool:
    """Whether a KPI's target depends on the length of the period and the lines it covers."""
    return target_grain(kdef) is not TargetGrain.AS_IS


def band_at_grain(kdef: KpiDef, band: Band, units: float | None) -> Band:
    """The band a period's value is judged against: the written band as it is, or scaled by ``units``, the
    line-shifts worked (totals) or the values loaded (summed loaded KPIs) in the period; no target when it holds
    none."""
    if target_grain(kdef) is TargetGrain.AS_IS or band.target is None:
        return band
    if not units:
        return Band(None, band.direction, None)
    return Band(band.target * units, band.direction, band.amber * units if band.amber is not None else None)
