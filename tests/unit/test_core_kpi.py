"""The KPI formulas (huddle.dashboard.core.kpi) against the worked examples of DOMAIN.md, which are the contract.

OEE, TRIR, rolled throughput yield, schedule attainment, MTBF/MTTR; ratio of sums over mean of ratios; the
performance > 100 % flag; no data is None (never zero); direction-aware status with amber, grey and stale.
"""

from __future__ import annotations

import pytest
from huddle.dashboard.core.kpi import (
    FORMULAS,
    MEASURES,
    Band,
    Kind,
    Status,
    evaluate,
    gap_to_target,
    oee_factors,
    rolled_throughput_yield,
    status_of,
)

MIN = 60.0
HOUR = 3600.0


def oee_example_sums() -> dict[str, float]:
    """The published OEE example as summed measures (seconds and counts)."""
    shift_s = 480 * MIN
    planned_stop_s = (15 + 15 + 30) * MIN
    ppt_s = shift_s - planned_stop_s
    unplanned_stop_s = 47 * MIN
    run_s = ppt_s - unplanned_stop_s
    cycle = 1.0
    total, good = 19_271, 18_848
    return {
        "shift_s": shift_s, "planned_stop_s": planned_stop_s, "ppt_s": ppt_s,
        "unplanned_stop_s": unplanned_stop_s, "changeover_s": 0.0, "run_s": run_s,
        "total_count": total, "good_count": good,
        "ideal_total_s": total * cycle, "ideal_good_s": good * cycle,
    }


def test_oee_worked_example_and_its_factors() -> None:
    sums = oee_example_sums()
    assert sums["ppt_s"] == 420 * MIN
    assert sums["run_s"] == 373 * MIN
    f = oee_factors(sums)
    assert round(f["availability"].value, 2) == 88.81
    assert round(f["performance"].value, 2) == 86.11
    assert round(f["quality"].value, 2) == 97.80
    assert round(f["oee"].value, 2) == 74.79
    product = f["availability"].value * f["performance"].value * f["quality"].value / 100**2
    assert product == pytest.approx(f["oee"].value, rel=1e-12)
    # numerator and denominator are kept, not just the ratio
    assert f["oee"].numerator == 18_848
    assert f["oee"].denominator == 420 * MIN
    assert f["performance"].flags == ()


def test_oee_equals_good_times_cycle_over_ppt() -> None:
    sums = oee_example_sums()
    value = evaluate(FORMULAS["oee"], sums).value
    assert value == pytest.approx(100 * 18_848 * 1.0 / (420 * MIN))


def test_trir_example() -> None:
    result = evaluate(FORMULAS["trir"], {"recordables": 4, "hours_worked": 180_000})
    assert round(result.value, 2) == 4.44
    assert result.value == pytest.approx(4 * 200_000 / 180_000)
    assert FORMULAS["trir"].direction == "lower"


def test_rolled_throughput_yield_example() -> None:
    rty = rolled_throughput_yield([0.85, 0.8889, 0.8125, 0.8267])
    assert round(rty, 4) == 0.5075


def test_rolled_throughput_yield_of_counts() -> None:
    steps = [(100, 85), (90, 80), (80, 65), (75, 62)]
    yields = [evaluate(FORMULAS["fpy"], {"good_count": g, "total_count": t}).value / 100 for t, g in steps]
    assert round(rolled_throughput_yield(yields), 4) == 0.5075


def test_rolled_throughput_yield_without_data_is_none() -> None:
    assert rolled_throughput_yield([0.9, None, 0.8]) is None
    assert rolled_throughput_yield([]) is None


def test_schedule_attainment_example() -> None:
    result = evaluate(FORMULAS["schedule_attainment"], {"good_count": 2_110, "planned_qty": 2_400})
    assert round(result.value, 2) == 87.92


def test_mtbf_in_hours_and_mttr_in_minutes() -> None:
    sums = {"run_s": 10_000 * HOUR, "unplanned_stop_s": 50 * HOUR, "failures": 5}
    mtbf = evaluate(FORMULAS["mtbf"], sums)
    mttr = evaluate(FORMULAS["mttr"], sums)
    assert FORMULAS["mtbf"].unit == "h"
    assert mtbf.value == pytest.approx(2_000.0)
    assert FORMULAS["mttr"].unit == "min"
    assert mttr.value == pytest.approx(10 * 60.0)  # 10 h shown in minutes
    assert FORMULAS["mttr"].direction == "lower"


def test_pm_compliance_is_preventive_orders_done_on_time_over_scheduled() -> None:
    line_1 = {"pm_on_time": 18, "pm_scheduled": 20}  # 90 %
    line_2 = {"pm_on_time": 3, "pm_scheduled": 5}  # 60 %
    assert evaluate(FORMULAS["pm_compliance"], line_1).value == pytest.approx(90.0)
    both = {k: line_1[k] + line_2[k] for k in line_1}
    assert evaluate(FORMULAS["pm_compliance"], both).value == pytest.approx(84.0)  # 21 / 25, not (90 + 60) / 2
    assert evaluate(FORMULAS["pm_compliance"], {"pm_on_time": 0, "pm_scheduled": 0}).value is None  # none due
    assert FORMULAS["pm_compliance"].direction == "higher" and FORMULAS["pm_compliance"].unit == "%"


def test_ratio_of_sums_not_mean_of_ratios() -> None:
    # shift 1: long PPT, good OEE; shift 2: short PPT, poor OEE
    s1 = {"ideal_good_s": 24_000.0, "ppt_s": 28_800.0}
    s2 = {"ideal_good_s": 1_000.0, "ppt_s": 3_600.0}
    summed = {k: s1[k] + s2[k] for k in s1}
    oee = FORMULAS["oee"]
    mean_of_ratios = (evaluate(oee, s1).value + evaluate(oee, s2).value) / 2
    ratio_of_sums = evaluate(oee, summed).value
    assert ratio_of_sums == pytest.approx(100 * 25_000 / 32_400)
    assert round(ratio_of_sums, 2) == 77.16
    assert round(mean_of_ratios, 2) == 55.56
    assert abs(ratio_of_sums - mean_of_ratios) > 20


def test_performance_above_100_percent_is_flagged() -> None:
    result = evaluate(FORMULAS["performance"], {"ideal_total_s": 4_000.0, "run_s": 3_600.0})
    assert result.value == pytest.approx(111.111, abs=1e-3)  # shown, not clipped
    assert len(result.flags) == 1
    assert "performance above 100" in result.flags[0]
    assert evaluate(FORMULAS["performance"], {"ideal_total_s": 3_600.0, "run_s": 3_600.0}).flags == ()


@pytest.mark.parametrize("key", [k for k, f in FORMULAS.items() if f.kind is Kind.RATIO])
def test_ratio_without_data_is_none_never_zero(key: str) -> None:
    f = FORMULAS[key]
    assert evaluate(f, {}).value is None
    assert evaluate(f, {f.numerator: 5.0, f.denominator: 0.0}).value is None
    assert evaluate(f, {f.numerator: None, f.denominator: 10.0}).value is None
    # zero numerator over a real denominator is a real zero
    assert evaluate(f, {f.numerator: 0.0, f.denominator: 10.0}).value == 0.0


def test_total_without_data_is_none() -> None:
    assert evaluate(FORMULAS["unplanned_downtime"], {}).value is None
    assert evaluate(FORMULAS["unplanned_downtime"], {"unplanned_stop_s": 47 * MIN}).value == pytest.approx(47)


def test_product_and_gauge_formulas_are_not_evaluated_from_sums() -> None:
    with pytest.raises(ValueError, match="rty"):
        evaluate(FORMULAS["rty"], {})
    with pytest.raises(ValueError, match="days_since_recordable"):
        evaluate(FORMULAS["days_since_recordable"], {})


def test_formulas_only_use_known_measures() -> None:
    for f in FORMULAS.values():
        for m in (f.numerator, f.denominator):
            assert m is None or m in MEASURES, (f.key, m)


@pytest.mark.parametrize(
    ("value", "band", "expected"),
    [
        (86.0, Band(85.0, "higher"), Status.GREEN),
        (85.0, Band(85.0, "higher"), Status.GREEN),
        (84.0, Band(85.0, "higher", amber=2.0), Status.AMBER),
        (83.0, Band(85.0, "higher", amber=2.0), Status.AMBER),
        (82.9, Band(85.0, "higher", amber=2.0), Status.RED),
        (84.9, Band(85.0, "higher"), Status.RED),
        (1.0, Band(2.0, "lower"), Status.GREEN),
        (2.0, Band(2.0, "lower"), Status.GREEN),
        (2.2, Band(2.0, "lower", amber=0.3), Status.AMBER),
        (2.4, Band(2.0, "lower", amber=0.3), Status.RED),
        (4.44, Band(2.0, "lower"), Status.RED),
        (None, Band(85.0, "higher"), Status.GREY),
        (50.0, Band(None, "higher"), Status.GREY),
    ],
)
def test_status_is_direction_aware(value: float | None, band: Band, expected: Status) -> None:
    assert status_of(value, band) is expected


def test_status_stale_and_grey() -> None:
    assert status_of(99.0, Band(85.0), stale=True) is Status.STALE
    assert status_of(None, Band(85.0), stale=True) is Status.GREY


def test_gap_to_target_is_positive_when_better() -> None:
    assert gap_to_target(90.0, Band(85.0, "higher")) == pytest.approx(5.0)
    assert gap_to_target(1.5, Band(2.0, "lower")) == pytest.approx(0.5)
    assert gap_to_target(4.44, Band(2.0, "lower")) == pytest.approx(-2.44)
    assert gap_to_target(None, Band(2.0)) is None


def test_a_group_takes_its_worst_status() -> None:
    from huddle.dashboard.core.kpi import worst_status

    assert worst_status(["green", "amber", "red", "grey"]) == Status.RED
    assert worst_status([Status.GREEN, Status.STALE]) == Status.STALE
    assert worst_status(["grey", "green"]) == Status.GREEN
    assert worst_status([]) == Status.GREY
