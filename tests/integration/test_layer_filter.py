"""Every page that lists KPIs keeps the KPI stack's layers its address asks for (``layer=2``), over a real database
(SQLite, and PostgreSQL when its URL is set): the board's tiles, the tree's nodes, the OKR page's KPI pickers and
the API's lists. A filter chooses what is listed, never what the numbers say: the tiles left, the columns' statuses
and the tree's values are the same as without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from huddle.callbacks import board as board_wiring
from huddle.dashboard.web.address import BoardAddress
from huddle.dashboard.web.render_cache import LocalRenderCache

from tests.conftest import SMALL_PLANT, Inbox
from tests.unit.test_renderers import text

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 07:00,,120,100,120
L1,2026-11-20 07:00,2026-11-20 08:00,,112,110,120
L1,2026-11-20 08:00,2026-11-20 09:00,,95,90,120
"""
STOPS = """line,start,end,reason,category,equipment
L1,2026-11-20 07:00,2026-11-20 07:30,Filler jam,unplanned,Filler
"""
#: the small plant with its KPIs spread over the stack: OEE on layer 4, availability on 3, the rest on layer 2
LAYERED = SMALL_PLANT.replace("{key: oee, name: OEE, category: D, target: 85,",
                              "{key: oee, name: OEE, category: D, target: 85, layer: 4,").replace(
    "{key: availability, name: Availability, category: D, target: 90,",
    "{key: availability, name: Availability, category: D, target: 90, layer: 3,")


@pytest.fixture
def services(make_services: Any, database_url: str, tmp_path: Path, inbox: Inbox) -> Any:
    """The small plant, its KPIs on layers 2 to 4, with a morning's counts and a stop loaded."""
    plant = tmp_path / "layered.yaml"
    plant.write_text(LAYERED, encoding="utf-8")
    built = make_services(database_url, plant=plant)
    inbox.load(built, counts=COUNTS, stops=STOPS)
    return built


def board(services: Any, **query: str) -> Any:
    """The board's body for an address, as its refresh draws it."""
    view = BoardAddress.from_query({"scope": "L1", "date": "2026-11-20", "shift": "E"} | query).as_view()
    body, _key = board_wiring.refresh(services, LocalRenderCache(), 1, None, view, 0, None)
    return body


def tiles(body: Any) -> dict[str, str]:
    """The tiles' KPI names and their values, as the board shows them."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif getattr(node, "className", "") and str(node.className).startswith("tile "):
            head, value = node.children[0], node.children[1]
            found[text(head.children[0])] = text(value)
        elif hasattr(node, "children"):
            walk(node.children)
    walk(body)
    return found


def column_statuses(body: Any) -> list[str]:
    """Each column's status word, S to M."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif str(getattr(node, "className", "")).startswith("board-column"):
            out.append(text(node.children[0]))
        elif hasattr(node, "children"):
            walk(node.children)
    walk(body)
    return out


def test_the_board_lists_only_the_tiles_of_the_layer_asked_for(services: Any) -> None:
    every, only = board(services), board(services, layer="4")
    assert set(tiles(every)) >= {"OEE", "Availability", "Quality"}
    assert tiles(only) == {"OEE": tiles(every)["OEE"]}  # the same number, the others left out
    assert column_statuses(only) == column_statuses(every)  # the columns still count every KPI
    said = text(only)
    assert "Showing only Layer 4 – Continuous improvement" in said and "still count every KPI" in said
    assert "No KPI of this layer in this column." in said and "Showing only" not in text(every)
    two = tiles(board(services, layer="3,4"))
    assert set(two) == {"OEE", "Availability"}
    assert "There is no layer '9'" in text(board(services, layer="9"))


def test_the_board_keeps_its_layer_when_the_user_picks_another_scope_or_mode(services: Any) -> None:
    view = BoardAddress.from_query({"scope": "L1", "layer": "4"}).as_view()
    assert board_wiring.choose("L2", "ended", "4", view) == "?scope=L2&layer=4"
    assert board_wiring.choose("L1", "live", None, view) == "?scope=L1&live=1&layer=4"  # a picker still filling
    assert board_wiring.choose("L1", "ended", "all", view) == "?scope=L1"  # every layer: the filter goes
    assert board_wiring.choose("L1", "ended", "2", view) == "?scope=L1&layer=2"
    assert board_wiring.kiosk_link(view) == "/board?scope=L1&kiosk=1&layer=4"
    options, value = board_wiring.layer_choices(services, view)
    assert value == "4" and options[4] == {"label": "Layer 4 – Continuous improvement", "value": "4"}
    assert board_wiring.layer_choices(services, {"layer": "2,3"})[1] == "all"  # several: the chip says which
    # the KPIs an action can answer are the layer's
    _actions, kpis = board_wiring.action_choices(services, None, BoardAddress.from_query(
        {"scope": "L1", "date": "2026-11-20", "shift": "E", "layer": "3"}).as_view())
    assert [o["value"] for o in kpis] == ["availability"]


def test_a_tv_says_its_layer_without_a_link_to_click(services: Any) -> None:
    body = board(services, layer="4", kiosk="1")
    assert "Showing only Layer 4" in text(body) and "show every layer" not in text(body)


# ---- the KPI tree: the layer's KPIs stressed, the others faint (the tree needs them to add up) ----------------

TREE_VIEW = {"tree": "oee", "scope": "L1", "grain": "shift", "date": "2026-11-20", "shift": "E"}
DRAW_OUTPUTS = (("tree-graph", "elements"), ("tree-expanded", "data"), ("tree-selected", "data"),
                ("tree-key", "data"), ("tree-data-key", "data"), ("tree-summary", "children"),
                ("tree-findings", "children"), ("tree-graph", "style"), ("tree-outline", "children"))


def draw(services: Any, **view: str) -> dict[str, Any]:
    """The tree's drawing callback as the browser posts it on opening the page: what it answers, by output."""
    from tests.conftest import client_for

    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in DRAW_OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in DRAW_OUTPUTS],
        "inputs": [{"id": "tree-view", "property": "data", "value": TREE_VIEW | view},
                   {"id": "tree-expanded", "property": "data", "value": None},
                   {"id": "tree-selected", "property": "data", "value": None},
                   {"id": "tree-refresh", "property": "n_intervals", "value": None},
                   {"id": "tree-action-changed", "property": "data", "value": 0}],
        "state": [{"id": "tree-key", "property": "data", "value": None},
                  {"id": "tree-data-key", "property": "data", "value": None}],
        "changedPropIds": ["tree-view.data"],
    }
    answer = client_for(services).post("/_dash-update-component", json=payload, headers={"Origin": "http://localhost"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"]


def test_the_tree_draws_the_kpis_of_other_layers_faint_with_the_same_numbers(services: Any) -> None:
    every, only = draw(services), draw(services, layer="4")
    nodes = {e["data"]["id"]: e for e in only["tree-graph"]["elements"] if "source" not in e["data"]}
    before = {e["data"]["id"]: e for e in every["tree-graph"]["elements"] if "source" not in e["data"]}
    assert set(nodes) == set(before) == {"oee", "availability", "performance", "quality"}  # the structure stays
    assert "off-layer" not in nodes["oee"]["classes"]  # OEE is on layer 4
    assert all("off-layer" in nodes[k]["classes"].split() for k in ("availability", "performance", "quality"))
    assert not any("off-layer" in e.get("classes", "") for e in before.values())
    assert {k: n["data"]["label"] for k, n in nodes.items()} == {k: n["data"]["label"] for k, n in before.items()}
    summary = str(only["tree-summary"]["children"])
    assert "Showing only Layer 4 – Continuous improvement" in summary and "In this tree: OEE." in summary
    assert "/tree?tree=oee&scope=L1&grain=shift&date=2026-11-20&node=oee&shift=E" in summary  # every layer again
    assert "another layer" in str(only["tree-outline"]["children"])
    assert "Showing only" not in str(every["tree-summary"]["children"])
    none = draw(services, layer="5")
    assert "No KPI of this tree is on the layers shown." in str(none["tree-summary"]["children"])
    assert "There is no layer '0'" in str(draw(services, layer="0")["tree-summary"]["children"])


def test_the_tree_pickers_keep_the_layer(services: Any) -> None:
    from huddle.callbacks import tree as tree_wiring

    view = TREE_VIEW | {"layer": "3"}
    controls = tree_wiring.controls(services, view)
    assert controls[-1] == "3" and controls[-2][3] == {"label": "Layer 3 – Maintenance & reliability", "value": "3"}
    moved = tree_wiring.choose(services, "oee", "L2", "shift", "2026-11-20", "E", None, view, "oee")
    assert moved["scope"] == "L2" and moved["layer"] == "3"  # another scope keeps the layer
    assert tree_wiring.choose(services, "oee", "L1", "shift", "2026-11-20", "E", "4", view, "oee")["layer"] == "4"
    assert tree_wiring.choose(services, "oee", "L1", "shift", "2026-11-20", "E", "all", view, "oee")["layer"] == ""
    with pytest.raises(PreventUpdate):  # the pickers only echoed the address
        tree_wiring.choose(services, "oee", "L1", "shift", "2026-11-20", "E", "3", view, "oee")
