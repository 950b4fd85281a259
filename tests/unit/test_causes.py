"""Causes behind actions: a 5-why answered in order up to five whys and a root cause, an A3 with at least its
problem, cause and countermeasure; empty forms are no cause; bad ones say what is wrong."""

from __future__ import annotations

import pytest
from huddle.dashboard.core.causes import A3, FIVE_WHY, CauseError, cause_from_json, read_cause


def test_a_five_why_keeps_its_whys_in_order_and_drops_trailing_blanks() -> None:
    cause = read_cause({"method": FIVE_WHY, "whys": ["Filler jammed", " Seal worn ", "", "", ""],
                        "root": "No seal in the PM plan"})
    assert cause is not None
    assert (cause.whys, cause.root_cause) == (("Filler jammed", "Seal worn"), "No seal in the PM plan")
    assert cause_from_json(cause.to_json()) == cause


def test_an_a3_reads_back_from_what_is_stored() -> None:
    cause = read_cause({"method": A3, "problem": "OEE red 3 days", "cause": "Worn seal",
                        "countermeasure": "Seal on the weekly PM", "check": "", "result": ""})
    assert cause is not None and cause.root_cause == "Worn seal"
    assert cause.as_dict() == {"method": A3, "problem": "OEE red 3 days", "cause": "Worn seal",
                               "countermeasure": "Seal on the weekly PM", "check": "", "result": ""}
    assert cause_from_json(cause.to_json()) == cause


@pytest.mark.parametrize("blank", [None, {}, {"method": FIVE_WHY, "whys": ["", ""], "root": ""},
                                   {"method": A3, "problem": " ", "cause": ""}])
def test_an_empty_form_is_no_cause(blank: dict | None) -> None:  # type: ignore[type-arg]
    assert read_cause(blank) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"method": "fishbone"}, "5-why or an A3"),
    ({"method": FIVE_WHY, "whys": ["a", "", "c"], "root": "r"}, "in order, without gaps"),
    ({"method": FIVE_WHY, "whys": ["a"] * 6, "root": "r"}, "at most five whys"),
    ({"method": FIVE_WHY, "whys": ["a"], "root": ""}, "root cause: say it"),
    ({"method": FIVE_WHY, "whys": [], "root": "r"}, "at least the first why"),
    ({"method": FIVE_WHY, "whys": ["x" * 501], "root": "r"}, "why 1: at most 500"),
    ({"method": A3, "problem": "p", "cause": "c"}, "Countermeasure: say it"),
])
def test_a_bad_cause_says_what_is_wrong(data: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(CauseError, match=message):
        read_cause(data)


def test_an_unreadable_stored_cause_is_none() -> None:
    assert cause_from_json("") is None and cause_from_json("{not json") is None


def test_the_board_form_gives_the_method_it_shows() -> None:
    from huddle.callbacks.action_cause import form_cause
    a3_ids = [{"type": "action-a3", "index": f} for f in ("problem", "cause", "countermeasure", "check", "result")]
    whys = ["Jammed", "Seal worn", None, None, None]
    five = read_cause(form_cause(FIVE_WHY, whys, "No PM", ["P", "C", "M", None, None], a3_ids))
    a3 = read_cause(form_cause(A3, whys, "No PM", ["P", "C", "M", None, None], a3_ids))
    assert five is not None
    assert (five.method, five.whys, five.root_cause) == (FIVE_WHY, ("Jammed", "Seal worn"), "No PM")
    assert a3 is not None and (a3.method, a3.problem, a3.root_cause, a3.check) == (A3, "P", "C", "")
