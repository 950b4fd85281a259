"""OKR scoring as DOMAIN.md defines it: progress for increasing and decreasing key results (above 100 % shown),
expected progress by the date in the quarter, status, confidence bands, the objective's roll-up, the score at
close, the disagreements worth a question, and key results refused with the reason (a maintain key result is not
refused: tests/unit/test_okr_maintain.py)."""

from __future__ import annotations

from datetime import date

import pytest
from huddle.dashboard.core.okr_scoring import (
    KrStatus,
    OkrError,
    ScoredKeyResult,
    check_key_result,
    close_score,
    confidence_band,
    disagreement,
    expected_progress,
    objective_progress,
    objective_status,
    progress,
    status,
)

Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def test_progress_works_for_increase_and_decrease_and_shows_above_100_percent() -> None:
    assert progress("increase", 60.0, 70.0, 65.0) == pytest.approx(0.5)
    assert progress("decrease", 4.0, 2.0, 3.5) == pytest.approx(0.25)  # scrap 4 % → 2 %, now 3.5 %
    assert progress("increase", 60.0, 70.0, 72.0) == pytest.approx(1.2)
    assert progress("decrease", 4.0, 2.0, 4.5) == pytest.approx(-0.25)  # worse than the start
    assert progress("increase", 60.0, 70.0, None) is None
    assert progress("stay_above", None, 95.0, 95.2) == 1.0 and progress("stay_above", None, 95.0, 94.9) == 0.0
    assert progress("stay_below", None, 5.0, 5.5) == 0.0 and progress("milestone", None, 1, 1) == 1.0


def test_expected_progress_is_the_share_of_the_quarter_elapsed() -> None:
    assert expected_progress(*Q4, date(2026, 9, 30)) == 0.0
    assert expected_progress(*Q4, date(2026, 11, 15)) == pytest.approx(46 / 92)
    assert expected_progress(*Q4, date(2026, 12, 31)) == 1.0
    assert expected_progress(*Q4, date(2027, 1, 5)) == 1.0


def test_status_against_the_straight_path() -> None:
    expected = 0.5
    assert status("increase", 0.48, expected) is KrStatus.ON_TRACK  # 96 % of the path
    assert status("increase", 0.40, expected) is KrStatus.NEEDS_ATTENTION  # 80 %
    assert status("increase", 0.30, expected) is KrStatus.OFF_TRACK  # 60 %
    assert status("increase", None, expected) is KrStatus.NO_DATA
    assert status("stay_above", 0.0, expected) is KrStatus.OFF_TRACK
    assert status("milestone", 0.0, 0.5) is KrStatus.ON_TRACK and status("milestone", 0.0, 0.8) is \
        KrStatus.NEEDS_ATTENTION


def test_confidence_bands() -> None:
    assert [confidence_band(c) for c in (0, 3, 4, 6, 7, 10)] == ["at risk", "at risk", "has issues", "has issues",
                                                                 "on track", "on track"]
    with pytest.raises(OkrError, match="outside 0–10"):
        confidence_band(11)


def test_an_objective_rolls_up_its_key_results() -> None:
    results = [ScoredKeyResult("a", 0.8, KrStatus.ON_TRACK, 2.0), ScoredKeyResult("b", 0.2, KrStatus.OFF_TRACK, 1.0),
               ScoredKeyResult("c", None, KrStatus.NO_DATA, 1.0)]
    assert objective_progress(results) == pytest.approx((0.8 * 2 + 0.2) / 3)
    assert objective_status(results) is KrStatus.OFF_TRACK  # the weakest
    assert objective_status(results[:1] + results[2:]) is KrStatus.NO_DATA
    assert objective_progress([]) is None and objective_status([]) is KrStatus.NO_DATA


def test_the_score_at_close_is_clamped() -> None:
    assert [close_score(v) for v in (1.2, 0.55, -0.3, None)] == [1.0, 0.55, 0.0, 0.0]


def test_confidence_and_progress_that_disagree_are_worth_a_question() -> None:
    assert "off track" in (disagreement([6, 8], KrStatus.OFF_TRACK) or "")
    assert "fell from 8 to 5" in (disagreement([8, 5], KrStatus.ON_TRACK) or "")
    assert disagreement([8, 7], KrStatus.ON_TRACK) is None and disagreement([], KrStatus.OFF_TRACK) is None


def test_key_results_that_cannot_be_measured_are_refused_with_the_reason() -> None:
    check_key_result("increase", 70.0, 70.0)  # a maintain key result: warned about, not refused
    with pytest.raises(OkrError, match="use 'decrease to'"):
        check_key_result("increase", 70.0, 60.0)
    with pytest.raises(OkrError, match="use 'increase to'"):
        check_key_result("decrease", 2.0, 3.0)
    with pytest.raises(OkrError, match="needs a start value"):
        check_key_result("increase", None, 3.0)
    with pytest.raises(OkrError, match="unknown kind"):
        check_key_result("double", 1.0, 2.0)


def test_a_quarters_weeks_run_from_the_week_of_its_first_day_to_the_week_of_its_last() -> None:
    from huddle.dashboard.core.periods import parse_period
    from huddle.dashboard.services.okrs import quarter_weeks

    weeks = [w.label for w in quarter_weeks(parse_period("quarter", "2026-Q4"))]
    assert weeks[0] == "2026-W40" and weeks[-1] == "2026-W53" and len(weeks) == 14  # 1 Oct is a Thursday
    assert [w.label for w in quarter_weeks(parse_period("quarter", "2027-Q1"))][:2] == ["2026-W53", "2027-W01"]


def test_a_key_results_rule_reads_as_words() -> None:
    from huddle.dashboard.services.okrs import rule_text

    assert rule_text("increase", 60, 68, "%") == "increase 60.0 % → 68.0 %"
    assert rule_text("decrease", 12, 4, "jams") == "decrease 12 jams → 4 jams"
    assert rule_text("stay_below", None, 2, "") == "stay at or below 2"
    assert rule_text("milestone", 0, 1, "") == "milestone: done or not"
