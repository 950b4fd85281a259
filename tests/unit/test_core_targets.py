"""The one rule that puts a KPI's target at the grain of the value it judges (huddle.dashboard.core.targets):
every total formula's target is per line and shift, a summed loaded KPI's per value, everything else as written;
a scaled band scales its amber width too, and a period with nothing worked has no target for a total."""

from __future__ import annotations

from dataclasses import replace

import pytest
from huddle.dashboard.core.kpi import FORMULAS, Band, Kind, Status, status_of
from huddle.dashboard.core.plant import KpiDef
from huddle.dashboard.core.targets import TargetGrain, band_at_grain, grain_dependent, target_grain

BASE = KpiDef(key="k", name="K", formula="oee", unit="", category="D", layer=1, direction="lower", targets=(),
              amber=None, owner=None, data_source=None, frequency="shift", leading=False)


@pytest.mark.parametrize("key", sorted(FORMULAS))
def test_every_formula_has_its_grain(key: str) -> None:
    kdef = replace(BASE, key=key, formula=key)
    expected = TargetGrain.PER_LINE_SHIFT if FORMULAS[key].kind is Kind.TOTAL else TargetGrain.AS_IS
    assert target_grain(kdef) is expected
    assert grain_dependent(kdef) is (expected is not TargetGrain.AS_IS)


def test_loaded_values_scale_when_summed_only() -> None:
    assert target_grain(replace(BASE, formula="direct", aggregation="sum")) is TargetGrain.PER_VALUE
    assert target_grain(replace(BASE, formula="direct", aggregation="mean")) is TargetGrain.AS_IS


def test_a_month_of_downtime_is_judged_against_its_line_shifts() -> None:
    downtime = replace(BASE, key="unplanned_downtime", formula="unplanned_downtime")
    per_shift = Band(60.0, "lower", 10.0)
    month = band_at_grain(downtime, per_shift, 360)
    assert (month.target, month.amber) == (21_600.0, 3_600.0)
    # 21,548 minutes over 360 line-shifts is within the month's allowance, far above one shift's 60
    assert status_of(21_548.0, month) is Status.GREEN
    assert status_of(21_548.0, per_shift) is Status.RED
    assert band_at_grain(downtime, per_shift, 1) == per_shift
    assert band_at_grain(downtime, per_shift, 0).target is None
    assert band_at_grain(downtime, per_shift, None).target is None


def test_ratios_keep_their_target_whatever_the_period() -> None:
    scrap_rate = replace(BASE, key="scrap_rate", formula="scrap_rate")
    band = Band(1.5, "lower", 0.3)
    assert band_at_grain(scrap_rate, band, 360) == band
    assert band_at_grain(scrap_rate, band, None) == band
