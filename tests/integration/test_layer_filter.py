"""Every page that lists KPIs keeps the KPI stack's layers its address asks for (``layer=2``), over a real database
(SQLite, and PostgreSQL when its URL is set): the board's tiles, the tree's nodes, the OKR page's KPI pickers and
the API's lists. A filter chooses what is listed, never what the numbers say: the tiles left, the columns' statuses
and the tree's values are the same as without it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from huddle.callbacks import board as board_wiring
from huddle.dashboard.web.address import BoardAddress
from huddle.dashboard.web.static_html import to_html

from tests.conftest import SMALL_PLANT, Inbox
from tests.unit.test_renderers import drawn, text

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
    body, _key = board_wiring.refresh(services, DrawEachTime(), 1, None, view, 0, None)  # type: ignore[arg-type]
    return body


class DrawEachTime:
    """A render cache that keeps nothing and hands back the components as drawn (the real one keeps their JSON)."""

    def get_or_render(self, _key: str, render: Callable[[], Any]) -> Any:
        return render()


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


def test_a_board_asked_for_a_layer_shows_its_kpis_that_are_no_headline_too(make_services: Any, database_url: str,
                                                                           tmp_path: Path, inbox: Inbox) -> None:
    # Performance off the headline on the maintenance layer: the shift board has no room for it, its layer's has
    plant = tmp_path / "quiet.yaml"
    plant.write_text(LAYERED.replace("{key: performance, name: Performance, category: D, target: 95,",
                                     "{key: performance, name: Performance, category: D, target: 95, layer: 3, "
                                     "headline: false,"), encoding="utf-8")
    built = make_services(database_url, plant=plant)
    inbox.load(built, counts=COUNTS, stops=STOPS)
    every, layer_3 = board(built), board(built, layer="3")
    assert "Performance" not in tiles(every)
    assert set(tiles(layer_3)) == {"Availability", "Performance"}
    assert tiles(layer_3)["Availability"] == tiles(every)["Availability"]
    assert column_statuses(layer_3) == column_statuses(every)  # the columns still say what the headline says


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


def post(services: Any, outputs: tuple[tuple[str, str], ...], inputs: list[tuple[str, str, Any]],
         state: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """A page's callback posted as the browser posts it on opening the page (its first input changed): what it
    answers, by output."""
    from tests.conftest import client_for

    def props(found: list[tuple[str, str, Any]]) -> list[dict[str, Any]]:
        return [{"id": i, "property": p, "value": v} for i, p, v in found]
    payload = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
               "outputs": [{"id": i, "property": p} for i, p in outputs], "inputs": props(inputs),
               "state": props(state), "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    answer = client_for(services).post("/_dash-update-component", json=payload, headers={"Origin": "http://localhost"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"]


def draw(services: Any, **view: str) -> dict[str, Any]:
    """The tree's drawing callback on opening the page."""
    return post(services, DRAW_OUTPUTS, [("tree-view", "data", TREE_VIEW | view), ("tree-expanded", "data", None),
                                         ("tree-selected", "data", None), ("tree-refresh", "n_intervals", None),
                                         ("tree-action-changed", "data", 0)],
                [("tree-key", "data", None), ("tree-data-key", "data", None)])


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


# ---- the OKR page: its KPI pickers and the candidates keep the layer's KPIs -----------------------------------


def test_the_okr_kpi_picker_offers_the_layers_kpis_and_keeps_a_bound_one(services: Any) -> None:
    from huddle.callbacks import okr as okr_wiring
    from huddle.dashboard.services.accounts import Identity

    eddie = Identity("user", "eddie", "editor")
    line = services.okr_plans.save_objective(eddie, "2026-Q4", "L1", "Line 1 back to world class", "Tom")
    bound = services.okr_plans.save_key_result(eddie, line, title="Line 1 quality", kind="increase", start=98.0,
                                               target=99.5, owner="Tom", kpi="quality")
    view = {"quarter": "2026-Q4", "layer": "4"}
    controls = okr_wiring.controls(services, view)
    assert [o["value"] for o in controls[6]] == ["oee"]  # the KPI picker: layer 4's only
    assert controls[-3][4] == {"label": "Layer 4 – Continuous improvement", "value": "4"} and controls[-2] == "4"
    assert "Showing only Layer 4 – Continuous improvement" in text(controls[-1])
    assert [o["value"] for o in okr_wiring.controls(services, {"quarter": "2026-Q4"})[6]] == sorted(
        services.config.kpis, key=lambda k: services.config.kpis[k].name.casefold())  # no filter: every KPI
    assert okr_wiring.controls(services, {"quarter": "2026-Q4"})[-1] is None
    # typing keeps to the layer; a key result bound outside it keeps its KPI in the picker (never unbound)
    assert [o["value"] for o in okr_wiring.kpis_as_typed(services, "a", view, None)] == ["oee"]
    loaded = okr_wiring.load_key_result(services, bound, view)
    assert loaded[7] == "quality" and [o["value"] for o in loaded[-1]] == ["oee", "quality"]
    assert [o["value"] for o in okr_wiring.controls(services, view, "quality")[6]] == ["oee", "quality"]
    # the pickers keep the layer when the quarter or the level changes; "every layer" clears it
    assert okr_wiring.choose(services, "2026-Q4", "L1", "4", view) == {"quarter": "2026-Q4", "scope": "L1",
                                                                      "layer": "4"}
    assert okr_wiring.choose(services, "2026-Q3", "all", None, view)["layer"] == "4"
    assert okr_wiring.choose(services, "2026-Q4", "all", "all", view)["layer"] == ""
    with pytest.raises(PreventUpdate):
        okr_wiring.choose(services, "2026-Q4", "all", "4", view)


SHOW_OUTPUTS = (("okr-summary", "children"), ("okr-meeting", "children"), ("okr-objectives-html", "data"),
                ("okr-close-scores-html", "data"), ("okr-close", "children"), ("okr-exports", "children"),
                ("okr-history-pick", "options"), ("okr-history-pick", "value"), ("okr-version", "data"),
                ("okr-close-button", "disabled"), ("okr-sections", "style"))


def closing(services: Any, **view: str) -> str:
    """The words of the OKR page's closing section (scores, baselines, next quarter's candidates)."""
    answer = post(services, SHOW_OUTPUTS, [("okr-view", "data", view), ("okr-changed", "data", 0),
                                           ("okr-refresh", "n_intervals", None)],
                  [("okr-history-pick", "value", None), ("okr-version", "data", None)])
    return " ".join(_strings(answer["okr-close"]["children"]))


def _strings(node: Any) -> list[str]:
    """Every text in a component tree as the browser receives it (JSON)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for child in node for t in _strings(child)]
    if isinstance(node, dict):
        return _strings(node.get("props", {}).get("children"))
    return []


def test_the_okr_candidates_keep_the_layers_kpis(make_demo: Any) -> None:
    demo = make_demo(days=110)  # three full months behind the quarter: packing has two KPIs red all along
    names = {k.layer: k.name for k in demo.config.kpis.values() if k.key in ("customer_escapes",
                                                                              "units_per_labour_hour")}
    every = closing(demo, scope="packing").split("KPIs red three months running")[1]
    assert f"{names[5]}: red" in every and f"{names[4]}: red" in every
    four = closing(demo, scope="packing", layer="4").split("KPIs red three months running")[1]
    assert f"{names[4]}: red" in four and f"{names[5]}: red" not in four
    assert four.split(f"{names[4]}: ")[1][:60] == every.split(f"{names[4]}: ")[1][:60]  # the same numbers
    assert closing(demo, scope="packing", layer="2").split("KPIs red three months running")[1].endswith("None.")


# ---- the API's lists of KPIs -----------------------------------------------------------------------------------


def test_the_api_lists_only_the_kpis_of_the_layers_asked_for_with_the_same_numbers(services: Any) -> None:
    from tests.conftest import client_for

    client = client_for(services)
    assert [k["key"] for k in client.get("/api/v1/kpis?layer=4").get_json()["kpis"]] == ["oee"]
    assert len(client.get("/api/v1/kpis").get_json()["kpis"]) == len(services.config.kpis)
    refused = client.get("/api/v1/kpis?layer=6")
    assert refused.status_code == 400 and refused.get_json()["parameter"] == "layer"
    assert "layers 1 to 5" in refused.get_json()["error"]
    shift = "scope=L1&grain=shift&date=2026-11-20&shift=E"
    every = {v["kpi"]: v for v in client.get(f"/api/v1/values?{shift}").get_json()["values"]}
    kept = {v["kpi"]: v for v in client.get(f"/api/v1/values?{shift}&layer=3,4").get_json()["values"]}
    assert set(kept) == {"oee", "availability"} and all(kept[k] == every[k] for k in kept)
    assert [v["kpi"] for v in client.get(f"/api/v1/values?{shift}&layer=3&kpi=oee,availability")
            .get_json()["values"]] == ["availability"]  # both filters: what both keep
    board_every = client.get(f"/api/v1/board?{shift}").get_json()
    board_four = client.get(f"/api/v1/board?{shift}&layer=4").get_json()
    assert [k["kpi"] for c in board_four["columns"] for k in c["kpis"]] == ["oee"]
    assert [c["status"] for c in board_four["columns"]] == [c["status"] for c in board_every["columns"]]
    review = client.get("/api/v1/review?scope=L1&month=2026-11&layer=3").get_json()
    assert [r["kpi"] for r in review["bowler"]] == ["availability"]
    pack = client.get("/api/v1/review.html?scope=L1&month=2026-11&layer=3").get_data(as_text=True)
    assert "Availability" in pack and "Performance" not in pack.split("Biggest losses")[0]
    assert "Performance" in client.get("/api/v1/review.html?scope=L1&month=2026-11").get_data(
        as_text=True).split("Biggest losses")[0]


# ---- the plant overview ------------------------------------------------------------------------------------------


def test_the_overview_lists_the_layers_kpis_with_the_same_numbers(services: Any) -> None:
    from huddle.callbacks import overview as overview_wiring

    every, _title, _fresh, no_chip = drawn(overview_wiring.overview(services, {}))
    only, _title, _fresh, chip = drawn(overview_wiring.overview(services, {"layer": "3,4"}))
    heads = [text(th) for th in only.children[0].children.children][1:]
    assert heads == ["D OEE", "D Availability"] and no_chip is None
    assert "Showing only Layer 3 – Maintenance & reliability, Layer 4 – Continuous improvement" in text(chip)
    columns = [text(th) for th in every.children[0].children.children]
    rows_every = [[text(td) for td in tr.children] for tr in every.children[1].children]
    rows_only = [[text(td) for td in tr.children] for tr in only.children[1].children]
    for row_every, row_only in zip(rows_every, rows_only, strict=True):  # the same cells, fewer columns
        assert row_only == [row_every[0], row_every[columns.index("D OEE")],
                            row_every[columns.index("D Availability")]]
    assert "No headline KPI is on the layers shown." in text(overview_wiring.overview(services, {"layer": "5"})[0])
    assert "There is no layer '8'" in text(overview_wiring.overview(services, {"layer": "8"})[0])
    # the page gets the table as its pane's HTML, the same table
    sent = overview_wiring.refresh(services, {"layer": "3,4"}, None)
    assert sent[0] == to_html(overview_wiring.overview(services, {"layer": "3,4"})[0]) and "<table" in sent[0]
    # the grain and the layer pickers keep each other
    view = {"grain": "week", "layer": "4"}
    assert overview_wiring.choose("day", None, view) == {"grain": "day", "layer": "4"}
    assert overview_wiring.choose("week", "3", view) == {"grain": "week", "layer": "3"}
    assert overview_wiring.choose("shift", "all", view) == {"grain": "", "layer": ""}
    with pytest.raises(PreventUpdate):
        overview_wiring.choose("week", "4", view)
    assert overview_wiring.layer_choices(services, view)[1] == "4"
