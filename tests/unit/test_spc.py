"""Statistical process control (huddle.dashboard.core.spc): XmR limits, the Western Electric run rules and drift
warnings.

Most rule tests use hand-made limits (centre 0, sigma 1) so each constructed point's zone is obvious; STABLE
alternates ±0.5 around the centre, which breaks every rule.
"""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from huddle.dashboard.core.spc import (
    BEYOND_3,
    FOUR_OF_FIVE,
    SAME_SIDE,
    TRENDING,
    TWO_OF_THREE,
    ControlLimits,
    Signal,
    drift,
    individuals_limits,
    run_rule_signals,
)

UNIT = ControlLimits(centre=0.0, lower=-3.0, upper=3.0, sigma=1.0, baseline_points=8)
STABLE = [0.5, -0.5] * 6


def rules(signals: list[Signal]) -> list[tuple[int, str, str]]:
    return [(s.index, s.rule, s.side) for s in signals]


# --- limits -----------------------------------------------------------------------------------------------------


def test_limits_from_the_first_eight_points_by_hand() -> None:
    head = [10.0, 12.0, 11.0, 13.0, 9.0, 10.0, 12.0, 11.0]
    values = [*head, 50.0, 60.0, 70.0, 80.0]  # 12 points: half is 6, so the baseline is the minimum 8
    centre = 88.0 / 8  # 11
    sigma = (2 + 1 + 2 + 4 + 1 + 2 + 1) / 7 / 1.128  # mean moving range of the head / d2
    limits = individuals_limits(values)
    assert limits is not None
    assert limits.baseline_points == 8
    assert limits.centre == pytest.approx(centre)
    assert limits.sigma == pytest.approx(sigma)
    assert limits.lower == pytest.approx(centre - 3 * sigma)
    assert limits.upper == pytest.approx(centre + 3 * sigma)


def test_default_baseline_is_the_first_half() -> None:
    first_ten = [float(i % 3) for i in range(10)]
    limits = individuals_limits([*first_ten, None, *[50.0] * 10])  # 20 present points
    assert limits is not None
    assert limits.baseline_points == 10
    assert limits.centre == pytest.approx(sum(first_ten) / 10)
    assert limits.sigma == pytest.approx(sum(abs(b - a) for a, b in pairwise(first_ten)) / 9 / 1.128)


def test_explicit_baseline_and_a_baseline_longer_than_the_series() -> None:
    values = [1.0, 3.0] * 5 + [100.0] * 4
    limits = individuals_limits(values, baseline=10)
    assert limits is not None
    assert (limits.baseline_points, limits.centre) == (10, pytest.approx(2.0))
    assert limits.sigma == pytest.approx(2.0 / 1.128)
    everything = individuals_limits(values, baseline=100)
    assert everything is not None
    assert everything.baseline_points == 14
    assert everything.centre == pytest.approx(sum(values) / 14)


def test_baseline_below_eight_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        individuals_limits([1.0] * 20, baseline=5)


def test_missing_points_are_skipped_in_the_limits() -> None:
    clean = [10.0, 12.0, 11.0, 13.0, 9.0, 10.0, 12.0, 11.0]
    gappy = [10.0, None, 12.0, 11.0, math.nan, 13.0, 9.0, None, 10.0, 12.0, 11.0]
    assert individuals_limits(gappy) == individuals_limits(clean)


def test_fewer_than_eight_points_gives_none() -> None:
    assert individuals_limits([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]) is None
    assert individuals_limits([1.0, None, 2.0, 3.0, None, 4.0, 5.0, 6.0, 7.0, None]) is None
    assert individuals_limits([]) is None
    assert individuals_limits([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]) is not None


def test_zone_bands_are_signed_and_strict_at_the_boundaries() -> None:
    limits = ControlLimits(centre=10.0, lower=4.0, upper=16.0, sigma=2.0, baseline_points=8)
    assert [limits.zone(v) for v in (10.0, 11.9, 12.0, 12.1, 14.5, 16.0, 16.1)] == [0, 0, 0, 1, 2, 2, 3]
    assert [limits.zone(v) for v in (8.0, 7.9, 5.0, 3.9)] == [0, -1, -2, -3]


# --- the rules ------------------------------------------------------------------------------------------------------


def test_a_stable_series_gives_no_signals() -> None:
    assert run_rule_signals(STABLE, UNIT, "higher") == []
    limits = individuals_limits([9.0, 11.0] * 10)
    assert limits is not None
    assert run_rule_signals([9.0, 11.0] * 10, limits, "higher") == []


def test_rule_1_one_point_beyond_3_sigma_once_per_run() -> None:
    values = [*STABLE, 3.5, 4.0, 0.5, -3.2, 0.5, 3.1]
    beyond = [s for s in run_rule_signals(values, UNIT, "higher") if s.rule == BEYOND_3]
    assert rules(beyond) == [
        (12, BEYOND_3, "above"),  # 13 continues the same run
        (15, BEYOND_3, "below"),
        (17, BEYOND_3, "above"),
    ]


def test_a_point_exactly_on_the_limit_is_not_beyond() -> None:
    assert run_rule_signals([*STABLE, 3.0], UNIT, "higher") == []


def test_rule_2_two_of_three_beyond_2_sigma_on_one_side() -> None:
    values = [*STABLE, 2.5, -0.5, 2.5, 0.5, -0.5]
    assert rules(run_rule_signals(values, UNIT, "higher")) == [(14, TWO_OF_THREE, "above")]
    # Two beyond 2 sigma but on opposite sides, or too far apart, is nothing.
    assert run_rule_signals([*STABLE, 2.5, -2.5, 0.5], UNIT, "higher") == []
    assert run_rule_signals([*STABLE, -2.5, 0.5, -0.5, -2.5], UNIT, "higher") == []


def test_rule_3_four_of_five_beyond_1_sigma_on_one_side() -> None:
    values = [*STABLE, -1.5, -1.5, 0.5, -1.5, -1.2, 0.5, -0.5]
    assert rules(run_rule_signals(values, UNIT, "higher")) == [(16, FOUR_OF_FIVE, "below")]
    assert run_rule_signals([*STABLE, -1.5, -1.5, 0.5, 0.5, -1.5, -1.2], UNIT, "higher") == []


def test_rule_4_eight_on_one_side_once_per_run() -> None:
    above = [0.2, 0.4, 0.3, 0.6, 0.1, 0.5, 0.2, 0.4]
    values = [*STABLE, *above, 0.3, 0.2, -0.5, *above]
    assert rules(run_rule_signals(values, UNIT, "higher")) == [(19, SAME_SIDE, "above"), (30, SAME_SIDE, "above")]
    # Seven is not enough, and a point on the centre line breaks the run.
    assert run_rule_signals([*STABLE, *above[:7], -0.5], UNIT, "higher") == []
    assert run_rule_signals([*STABLE, *above[:4], 0.0, *above[4:]], UNIT, "higher") == []


def test_rule_5_six_trending_up_and_down() -> None:
    up = [-0.9, -0.6, -0.3, 0.0, 0.3, 0.6]
    assert rules(run_rule_signals([*STABLE, *up, 0.9, -0.5], UNIT, "higher")) == [(17, TRENDING, "up")]
    down = [0.9, 0.6, 0.3, 0.0, -0.3, -0.6]
    assert rules(run_rule_signals([*STABLE, *down], UNIT, "higher")) == [(17, TRENDING, "down")]
    # Five points (four rises) are not a trend, and an equal value breaks one.
    assert run_rule_signals([*STABLE, *up[:5], -0.5], UNIT, "higher") == []
    assert run_rule_signals([*STABLE, -0.9, -0.6, -0.3, -0.3, 0.0, 0.3, 0.6], UNIT, "higher") == []


def test_signals_are_sorted_by_index_then_rule() -> None:
    values = [*STABLE, -1.5, -2.5, -2.8, -3.5]
    assert rules(run_rule_signals(values, UNIT, "higher")) == [
        (14, TWO_OF_THREE, "below"),
        (15, BEYOND_3, "below"),
        (15, FOUR_OF_FIVE, "below"),
        (15, TRENDING, "down"),  # falling since the 0.5 at index 10
    ]


# --- missing points ---------------------------------------------------------------------------------------------


def test_missing_points_do_not_break_a_run_and_indices_keep_their_position() -> None:
    above = [0.2, 0.4, None, 0.3, 0.6, math.nan, 0.1, 0.5, None, 0.2, 0.4]
    values = [*STABLE, *above, None]
    assert rules(run_rule_signals(values, UNIT, "higher")) == [(22, SAME_SIDE, "above")]
    assert values[22] == 0.4


def test_missing_points_between_rule_2_points() -> None:
    values = [*STABLE, 2.5, None, None, -0.5, 2.6]
    assert rules(run_rule_signals(values, UNIT, "lower")) == [(16, TWO_OF_THREE, "above")]


# --- direction and wording ------------------------------------------------------------------------------------------


def test_adverse_follows_the_kpi_direction() -> None:
    below = [*STABLE, *[-0.4] * 8]
    for direction, adverse in (("higher", True), ("lower", False)):
        (signal,) = run_rule_signals(below, UNIT, direction)
        assert (signal.rule, signal.side, signal.adverse) == (SAME_SIDE, "below", adverse)
    rising = [*STABLE, -0.9, -0.6, -0.3, 0.0, 0.3, 0.6]
    for direction, adverse in (("higher", False), ("lower", True)):
        (signal,) = run_rule_signals(rising, UNIT, direction)
        assert (signal.rule, signal.side, signal.adverse) == (TRENDING, "up", adverse)


def test_an_unknown_direction_is_an_error() -> None:
    with pytest.raises(ValueError, match="direction"):
        run_rule_signals(STABLE, UNIT, "up")
    with pytest.raises(ValueError, match="direction"):
        drift(STABLE, UNIT, "better")


def test_texts_are_plain_sentences() -> None:
    (shift,) = run_rule_signals([*STABLE, *[-0.4] * 8], UNIT, "higher")
    assert shift.text == "8 points in a row below the centre line (the process has shifted)"
    (spike,) = run_rule_signals([*STABLE, 3.5], UNIT, "higher")
    assert "upper control limit" in spike.text
    (trend,) = run_rule_signals([*STABLE, 0.9, 0.6, 0.3, 0.0, -0.3, -0.6], UNIT, "higher")
    assert "downward trend" in trend.text
    assert all("sigma" not in s.text for s in (shift, spike, trend))


# --- drift --------------------------------------------------------------------------------------------------------


def test_drift_returns_only_recent_adverse_signals() -> None:
    old_spike = [*STABLE[:4], -3.5, *STABLE]  # adverse for 'higher', but long ago (index 4)
    values = [*old_spike, 3.5, 0.5, -0.5, -2.5, 0.5, -2.6, 0.5]  # favourable spike at 17, adverse 2-of-3 at 22
    everything = run_rule_signals(values, UNIT, "higher")
    assert rules(everything) == [(4, BEYOND_3, "below"), (17, BEYOND_3, "above"), (22, TWO_OF_THREE, "below")]
    assert rules(drift(values, UNIT, "higher")) == [(22, TWO_OF_THREE, "below")]
    assert rules(drift(values, UNIT, "higher", recent=20)) == [(4, BEYOND_3, "below"), (22, TWO_OF_THREE, "below")]
    assert rules(drift(values, UNIT, "lower")) == [(17, BEYOND_3, "above")]
    assert drift(values, UNIT, "higher", recent=1) == []
    # the signals a caller has already worked give the same drift
    assert drift(values, UNIT, "higher", signals=everything) == drift(values, UNIT, "higher")
    assert drift(values, UNIT, "higher", recent=20, signals=everything) == drift(values, UNIT, "higher", recent=20)


def test_drift_counts_present_points_so_trailing_gaps_do_not_hide_signals() -> None:
    values = [*STABLE, -2.5, -2.6, *[None] * 10]
    assert rules(drift(values, UNIT, "higher", recent=2)) == [(13, TWO_OF_THREE, "below")]


def test_drift_without_limits_or_points_is_empty() -> None:
    assert drift([1.0, 2.0, 3.0], None, "higher") == []
    assert drift([None, None], UNIT, "higher") == []
    with pytest.raises(ValueError, match="recent"):
        drift(STABLE, UNIT, "higher", recent=0)


# --- degenerate series ----------------------------------------------------------------------------------------------


def test_a_constant_series_has_zero_sigma_and_no_signals() -> None:
    limits = individuals_limits([5.0] * 12)
    assert limits == ControlLimits(centre=5.0, lower=5.0, upper=5.0, sigma=0.0, baseline_points=8)
    assert run_rule_signals([5.0] * 12, limits, "higher") == []
    assert drift([5.0] * 12, limits, "higher") == []
    assert (limits.zone(5.0), limits.zone(5.1), limits.zone(4.9)) == (0, 3, -3)


def test_with_zero_sigma_any_point_off_centre_is_beyond_the_limits() -> None:
    limits = individuals_limits([5.0] * 8)
    assert limits is not None
    values = [*[5.0] * 8, 4.9, 4.9, 5.0, *[5.1] * 8]
    # No 2-of-3 or 4-of-5 repeats of rule 1; rule 4 still counts the side of the centre line.
    assert rules(run_rule_signals(values, limits, "higher")) == [
        (8, BEYOND_3, "below"),
        (11, BEYOND_3, "above"),
        (18, SAME_SIDE, "above"),
    ]
