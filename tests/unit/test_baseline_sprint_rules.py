"""The baseline sprint's rules without a database: the tree's fingerprint, what a checklist item lacks, the
countdown and the closing record in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from huddle.dashboard.core.baseline_sprint import (
    SprintItem,
    all_signed,
    closing_missing,
    closing_words,
    countdown_words,
    due_at,
    hours_left,
    tree_fingerprint,
)
from huddle.dashboard.core.plant import Edge, TradeOff, TreeDef

T0 = datetime(2026, 12, 1, 13, 10, tzinfo=UTC)
EDGES = (Edge("oee", "availability", "product"), Edge("oee", "quality", "product"))


def test_the_fingerprint_follows_what_the_tree_measures_not_how_it_is_written() -> None:
    tree = TreeDef("oee", "OEE tree", "oee", EDGES)
    same = TreeDef("oee", "Renamed", "oee", tuple(reversed(EDGES)), (TradeOff("a", "b", "a note"),))
    assert tree_fingerprint(tree) == tree_fingerprint(same)
    grown = TreeDef("oee", "OEE tree", "oee", (*EDGES, Edge("oee", "performance", "product")))
    no_formula = TreeDef("oee", "OEE tree", "oee", (Edge("oee", "availability"), Edge("oee", "quality")))
    assert len({tree_fingerprint(t) for t in (tree, grown, no_formula)}) == 3


def test_an_item_lacks_value_source_frequency_or_has_the_no_source_finding() -> None:
    assert SprintItem("oee").lacks() == ["value", "source", "frequency"]
    assert SprintItem("oee", 0.0, "MES", "shift").ready  # zero is a value
    assert SprintItem("oee", 61.5, "  ", "shift").lacks() == ["source"]
    finding = SprintItem("trir", no_source=True, frequency="month")
    assert finding.ready and finding.missing() == ["sign_off"]
    assert SprintItem("trir", no_source=True).lacks() == ["frequency"]


def test_the_countdown_rounds_up_and_stops_at_zero() -> None:
    due = due_at(T0)
    assert due == T0 + timedelta(hours=48)
    assert hours_left(due, T0 + timedelta(hours=17)) == 31
    assert hours_left(due, due - timedelta(minutes=1)) == 1
    assert hours_left(due, due + timedelta(hours=5)) == 0
    assert countdown_words(due, T0 + timedelta(hours=17), 7, 12) == \
        "Baseline sprint: 31 h left, 7 of 12 KPIs signed off"


def test_the_closing_record_says_what_was_missing_kpi_by_kpi() -> None:
    items = [SprintItem("oee", 61.5, "MES", "shift", signed_by="anna", signed_at=T0),
             SprintItem("quality", 98.0, "", "shift"), SprintItem("trir", no_source=True, frequency="month")]
    missing = closing_missing(items)
    assert missing == {"quality": ["source", "sign_off"], "trir": ["sign_off"]}
    assert not all_signed(items) and not all_signed([])
    words = closing_words("timed_out", missing, {"quality": "Quality", "trir": "TRIR"}, 3)
    assert words == ("The 48 hours ran out with 2 of 3 KPIs not signed off. Quality: no source and not signed off "
                     "by its owner; TRIR: not signed off by its owner.")
    assert closing_words("complete", {}, {}, 3) == "3 baselines recorded or findings made."
