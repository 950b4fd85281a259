"""A maintain key result (target equal to start) is warned about, not refused, and scored holding or slipping by
the side of its level the current value is on, for its direction; a bound key result's months show the red month a
green quarter to date hides. Plain scoring (``core.okr_scoring``), no database."""

from __future__ import annotations

import pytest
from huddle.dashboard.core.i18n import use_language
from huddle.dashboard.core.okr_scoring import (
    KrStatus,
    MonthMark,
    ScoredKeyResult,
    achieved,
    closing_score,
    disagreement,
    hidden_red_months,
    is_maintain,
    maintain_warning,
    month_words,
    objective_progress,
    objective_status,
    progress,
    score,
)


def test_a_target_equal_to_its_start_is_a_maintain_key_result_warned_in_words() -> None:
    assert is_maintain("increase", 85.0, 85.0) and is_maintain("decrease", 2.0, 2.0)
    assert not is_maintain("increase", 80.0, 85.0) and not is_maintain("stay_above", 85.0, 85.0)
    assert not is_maintain("milestone", 0.0, 1.0) and not is_maintain("increase", None, 85.0)
    said = maintain_warning("increase", 85.0, 85.0, "%")
    assert said is not None and "target equals the start" in said and "holding (while at or above 85.0 %)" in said
    assert "slipping" in said and "not by progress" in said
    assert "at or below 2" in (maintain_warning("decrease", 2.0, 2.0) or "")
    assert maintain_warning("increase", 80.0, 85.0, "%") is None
    with use_language("de"):
        german = maintain_warning("increase", 85.0, 85.0, "%") or ""
    assert "85,0 %" in german and "target equals" not in german


@pytest.mark.parametrize(("kind", "current", "expected"), [
    ("increase", 85.0, KrStatus.HOLDING),  # at the level
    ("increase", 86.2, KrStatus.HOLDING),  # on the better side
    ("increase", 84.9, KrStatus.SLIPPING),
    ("decrease", 2.0, KrStatus.HOLDING),
    ("decrease", 1.4, KrStatus.HOLDING),
    ("decrease", 2.1, KrStatus.SLIPPING),
    ("increase", None, KrStatus.NO_DATA),  # no value is never holding
])
def test_a_maintain_key_result_holds_or_slips_by_its_direction(kind: str, current: float | None,
                                                               expected: KrStatus) -> None:
    level = 85.0 if kind == "increase" else 2.0
    # the date in the quarter does not matter: a level is held or not on any day
    for share in (0.0, 0.5, 1.0):
        assert score(kind, level, level, current, share) == (None, expected)
    assert progress(kind, level, level, current) is None  # no meaningless 0–1 progress


def test_holding_counts_as_on_track_and_slipping_as_off_track_in_the_objective() -> None:
    moving = ScoredKeyResult("a", 0.95, KrStatus.ON_TRACK)
    held = ScoredKeyResult("b", None, KrStatus.HOLDING)
    slipped = ScoredKeyResult("c", None, KrStatus.SLIPPING)
    assert objective_status([moving, held]) is KrStatus.ON_TRACK
    assert objective_status([moving, slipped]) is KrStatus.OFF_TRACK
    assert objective_status([held]) is KrStatus.ON_TRACK
    assert objective_progress([moving, held]) == pytest.approx(0.95)  # the maintained level adds no progress
    assert "confidence 8/10 but off track" in (disagreement([8], KrStatus.SLIPPING) or "")


def test_a_maintained_level_held_at_the_close_scores_one_and_slipped_zero() -> None:
    assert closing_score("increase", 85.0, 85.0, 85.3) == 1.0
    assert closing_score("increase", 85.0, 85.0, 84.0) == 0.0
    assert closing_score("decrease", 2.0, 2.0, None) == 0.0
    assert closing_score("increase", 80.0, 90.0, 85.0) == pytest.approx(0.5)  # others: progress held to 0–1
    assert achieved("increase", 85.0, 85.0, 85.0) and not achieved("decrease", 2.0, 2.0, 2.5)


OCT, NOV = MonthMark("2026-10", 2.1, "green"), MonthMark("2026-11", 3.4, "red")
DEC = MonthMark("2026-12", 2.0, "green", running=True)


def test_a_red_month_inside_a_green_quarter_is_named() -> None:
    # scrap: October and December on target, November off it; the quarter to date is green
    assert hidden_red_months("green", [OCT, NOV, DEC]) == [NOV]
    assert month_words(NOV, "%") == "Nov 2026: 3.4 % ✗ off target"
    assert month_words(DEC, "%") == "Dec 2026 (to date): 2.0 % ✓ on target"
    # the running month red inside a green quarter is named too, the latest complete month with it
    red_now = MonthMark("2026-12", 3.9, "red", running=True)
    assert hidden_red_months("green", [OCT, NOV, red_now]) == [NOV, red_now]
    # an earlier red month is not what the quarter hides now: only the latest complete one and the running one
    assert hidden_red_months("green", [NOV, MonthMark("2026-12", 2.0, "green")]) == []
    # a red quarter hides nothing: it shows red itself
    assert hidden_red_months("red", [OCT, NOV, DEC]) == []


def test_only_a_red_month_is_called_red() -> None:
    unsure = [MonthMark("2026-10", 2.1, "green"), MonthMark("2026-11", 3.4, "incomplete"),
              MonthMark("2026-12", None, "grey", running=True)]
    assert hidden_red_months("green", unsure) == []  # data with gaps or none is never called red
    assert month_words(unsure[1], "%") == "Nov 2026: 3.4 % ◐ incomplete"
    assert month_words(unsure[2], "%") == "Dec 2026 (to date): — – no data"
