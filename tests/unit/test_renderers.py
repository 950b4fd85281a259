"""The pages' renderers without a server: small hand-made view models in, Dash components out, and what a person
would read checked on them (texts, classes, links). No database, no clock, no browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dash.development.base_component import Component
from huddle.pages import board as board_page

# ---- reading a component tree ------------------------------------------------------------------------------


def walk(node: Any) -> Iterator[Component]:
    """Every component in a tree (lists and nested children included), parents first."""
    if isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)
    elif isinstance(node, Component):
        yield node
        yield from walk(getattr(node, "children", None))


def text(node: Any) -> str:
    """Every text in a tree as the browser shows it, joined by single spaces."""
    return " ".join(_texts(node).split())


def _texts(node: Any) -> str:
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return " ".join(_texts(c) for c in node)
    if isinstance(node, Component):
        return _texts(getattr(node, "children", None))
    return ""


def classed(node: Any, name: str) -> list[Component]:
    """The components of a tree whose class names include ``name``."""
    return [c for c in walk(node) if name in (getattr(c, "className", None) or "").split()]


def one(node: Any, name: str) -> Component:
    """The one component of a tree with class ``name``."""
    found = classed(node, name)
    assert len(found) == 1, f"{len(found)} components of class {name!r}"
    return found[0]


# ---- the board ---------------------------------------------------------------------------------------------


def kpi_tile(**changes: Any) -> dict[str, Any]:
    """One tile of the board's read model: OEE red on the shift, with a trend."""
    return {"kpi": "oee", "name": "OEE", "status": "red", "value": "74.8 %", "target": "85.0 %", "gap": "−10.2",
            "better": False, "period": "2026-11-20/E", "own_period": False, "note": "", "raw": 74.8,
            "target_raw": 85.0, "through": "2026-11-20T13:00:00+00:00", "needs_action": True, "repeat": False,
            "streak": 0, "flags": [], "checks": [], "gaps": [], "coverage": 1.0, "complete": True,
            "trend": [{"period": "2026-11-19/E", "value": 80.0, "status": "amber"},
                      {"period": "2026-11-20/E", "value": 74.8, "status": "red"}]} | changes


def board_model(**changes: Any) -> dict[str, Any]:
    """The board's read model for Line 1's early shift: S with its cross and facts, D with a tile, Q empty."""
    fact = {"label": "Days since the last recordable", "text": "12", "value": 12, "target": None,
            "target_text": "", "status": "grey", "last_recordable": "2026-11-08"}
    safety = {"days_since": fact, "trir_month": fact | {"label": "TRIR this month", "value": 0.0, "text": "0.00",
                                                         "target": 2.0, "target_text": "2.00", "status": "green",
                                                         "last_recordable": None},
              "trir_12m": fact | {"label": "TRIR, 12 months", "value": None, "text": "no data", "status": "grey",
                                  "last_recordable": None}}
    days = [{"day": d, "worst": "none", "status": "green", "future": d > 20} for d in range(1, 31)]
    return {"scope_name": "Line 1", "period_words": "the Early shift of 2026-11-20", "window": "06:00–14:00",
            "in_progress": False, "failing_sources": [],
            "columns": [{"category": "S", "status": "green", "kpis": [], "cross": days, "safety": safety},
                        {"category": "Q", "status": "grey", "kpis": [], "calendar": []},
                        {"category": "D", "status": "red", "kpis": [kpi_tile()], "calendar": days[:3]}],
            "hours": [{"label": "06–07", "planned": 1500, "actual": 1200, "has_data": True, "future": False,
                       "cum_planned": 1500, "cum_actual": 1200, "status": "red"},
                      {"label": "07–08", "planned": 1500, "actual": 0, "has_data": False, "future": True,
                       "cum_planned": 3000, "cum_actual": 1200, "status": "grey"}],
            "losses": [{"minutes": 47.0, "reason": "Filler jam", "count": 2, "equipment": "Filler", "cost": ""}],
            "summary": "2 stops, 47 min.",
            "actions": [{"what": "Clean the filler", "owner": "Ann", "due": "2026-11-21", "overdue": True,
                         "status": "in_progress", "kpi": "oee"}]} | changes


def test_the_board_shows_its_scope_shift_columns_and_panels() -> None:
    body = board_page.render_board(board_model())
    assert body[0] is None  # no loader failing: no strip
    assert text(one(body, "board-title")) == "Line 1"
    assert text(one(body, "board-when")) == "The early shift of 2026-11-20 06:00–14:00 ended"
    columns = classed(body, "board-column")
    assert [c.className for c in columns] == ["board-column status-green", "board-column status-grey",
                                              "board-column status-red"]
    assert [text(one(c, "cat-name")) for c in columns] == ["Safety", "Quality", "Delivery"]
    assert "No headline KPI for this column." in [text(c) for c in classed(columns[1], "empty")]
    hours = one(body, "hours")
    assert "06–07 1,500 1,200 1,500 1,200" in text(hours) and "07–08 1,500 3,000" in text(hours)
    assert [c.className for c in classed(hours, "future")] == ["status-grey future"]
    assert len(classed(hours, "status-red")) == 1
    assert "47 min Filler jam · 2 stops · Filler" in text(body[3]) and "2 stops, 47 min." in text(body[3])
    overdue = one(body, "overdue")
    assert text(overdue) == "Clean the filler Ann 2026-11-21 · overdue in progress oee"
    assert "Open actions (1)" in text(body[3])


def test_a_tile_says_its_value_target_gap_marks_and_how_old_its_data_is() -> None:
    tile = board_page.tile(kpi_tile(repeat=True, streak=3, checks=["more good than total"], gaps=[]), 4)
    assert tile.className == "tile status-red"
    assert text(one(tile, "kpi-value")) == "74.8 %" and text(one(tile, "kpi-target")) == "target 85.0 % · gap −10.2"
    assert [text(m) for m in classed(tile, "mark")] == ["needs action", "repeat: red 3 shifts",
                                                        "⚠ check data: more good than total"]
    assert "✖" in text(one(tile, "badge"))  # status in an icon and a word, not colour alone
    bars = classed(tile, "bar")
    assert [b.className for b in bars] == ["bar status-amber", "bar status-red"]
    assert bars[0].style["height"] == "57%" and bars[1].style["height"] == "12%"  # between the low and the target
    assert one(tile, "age").id == {"type": "board-age", "index": "2026-11-20T13:00:00+00:00|4"}
    partial = board_page.tile(kpi_tile(needs_action=False, coverage=0.5, complete=None, target_raw=None,
                                       own_period=True, period="2026-11", trend=[]), 0)
    assert [text(m) for m in classed(partial, "mark")] == ["◐ 50 % of the shift so far has data",
                                                           "no target set: add one in the plant configuration"]
    assert text(one(partial, "kpi-target")).endswith("· 2026-11") and not classed(partial, "spark")


def test_the_safety_cross_colours_each_day_and_shows_its_three_numbers() -> None:
    safety = board_model()["columns"][0]
    calendar = board_page.letter(safety)
    cells = [c for c in classed(calendar, "cell") if "empty" not in c.className]
    assert len(cells) == 30 and cells[0].className == "cell safety-none"
    assert cells[-1].className == "cell safety-none future" and text(cells[-1]) == "30"
    facts = classed(calendar, "cross-fact")
    assert [text(one(f, "fact-label")) for f in facts] == ["Days since the last recordable (last 2026-11-08)",
                                                           "TRIR this month", "TRIR, 12 months"]
    assert text(one(facts[0], "badge")) == "no target set"  # a value without a target says so
    assert text(one(facts[1], "fact-target")) == "target 2.00" and facts[1].className == "cross-fact status-green"


def test_a_failing_loader_shows_a_strip_and_an_address_it_cannot_show_says_why() -> None:
    strip = board_page.render_board(board_model(failing_sources=["stops", "counts"]))[0]
    assert strip.role == "alert" and text(strip) == "Loader failing: stops, counts — numbers may be incomplete"
    problem = board_page.board_problem("unknown scope 'L9'")
    assert text(problem) == "This board cannot be shown unknown scope 'L9'" and problem.className == "board-error"


@pytest.mark.parametrize("in_progress, phase", [(True, "in progress"), (False, "ended")])
def test_the_board_says_whether_its_shift_runs(in_progress: bool, phase: str) -> None:
    assert text(one(board_page.render_board(board_model(in_progress=in_progress)), "phase")) == phase
