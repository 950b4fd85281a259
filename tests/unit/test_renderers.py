"""The pages' renderers without a server: small hand-made view models in, Dash components out, and what a person
would read checked on them (texts, classes, links). No database, no clock, no browser."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any, ClassVar

import dash
import pytest
import yaml
from dash.development.base_component import Component
from huddle.dashboard.core import names
from huddle.dashboard.core.format import format_age
from huddle.dashboard.core.i18n import use_language
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.okr_scoring import KrStatus
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import Finding, PlantConfig, parse_plant
from huddle.dashboard.core.spc import Signal
from huddle.dashboard.core.tree_math import Contribution
from huddle.dashboard.services import drilldown
from huddle.dashboard.services.actions import ActionView
from huddle.dashboard.services.drilldown import NodeDetail
from huddle.dashboard.services.events import EventRecord, EventReport, ParetoRow
from huddle.dashboard.services.okrs import CheckInView, KeyResultView, Meeting, ObjectiveView, QuarterView, WeekPoint
from huddle.dashboard.services.portfolio import SiteRow
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.review import BowlerRow, MonthCell, Review
from huddle.dashboard.services.tree import TreeNodeStatus, TreeView
from huddle.dashboard.web.static_html import to_html
from huddle.pages import admin as admin_page
from huddle.pages import board as board_page
from huddle.pages import data as data_page
from huddle.pages import okr as okr_page
from huddle.pages import okr_options, tree_graph
from huddle.pages import overview as overview_page
from huddle.pages import portfolio as portfolio_page
from huddle.pages import review as review_page
from huddle.pages import tree as tree_page

from tests.conftest import SMALL_PLANT

# ---- reading a component tree ------------------------------------------------------------------------------


def drawn(node: Any) -> Any:
    """A tree as components, also where a callback sent it as the plain structure Dash writes (``as_sent``): each
    ``{"type", "namespace", "props"}`` made into its component again, and content sent as one element of HTML
    (``static_html.one_element``) made into its html components, so tests read all alike."""
    if isinstance(node, list | tuple):
        return [drawn(child) for child in node]
    if isinstance(node, dict) and node.keys() == {"type", "namespace", "props"}:
        library = {"dash_html_components": dash.html, "dash_core_components": dash.dcc}[node["namespace"]]
        props = dict(node["props"])
        if "children" in props:
            props["children"] = drawn(props["children"])
        node = getattr(library, node["type"])(**props)
    if isinstance(node, dash.dcc.Markdown) and getattr(node, "dangerously_allow_html", False):
        return _HtmlComponents.of(str(node.children))
    return node


class _HtmlComponents(HTMLParser):
    """HTML read back into html components: tags as their components, ``class`` as ``className``, other attributes
    as they are named in Dash; an element of one child holds it alone, as components are mostly written."""

    NAMES: ClassVar[dict[str, str]] = {"class": "className", "colspan": "colSpan", "rowspan": "rowSpan"}
    VOID: ClassVar[frozenset[str]] = frozenset({"br", "hr", "img", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, Any], list[Any]]] = [("", {}, [])]

    @classmethod
    def of(cls, text: str) -> Any:
        parser = cls()
        parser.feed(text)
        parser.close()
        assert len(parser.stack) == 1, "unclosed elements"
        children = parser.stack[0][2]
        return children[0] if len(children) == 1 else children

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        props = {self.NAMES.get(k, k): ("" if v is None else v) for k, v in attrs if k != "style"}
        self.stack.append((tag, props, []))
        if tag in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        name, props, children = self.stack.pop()
        assert name == tag, f"</{tag}> closes <{name}>"
        kids = children[0] if len(children) == 1 else children or None
        element = getattr(dash.html, tag.title())(**({"children": kids} if kids is not None else {}), **props)
        self.stack[-1][2].append(element)

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].append(data)


def walk(node: Any) -> Iterator[Component]:
    """Every component in a tree (lists and nested children included), parents first."""
    node = drawn(node)
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
    node = drawn(node)
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
            "better": False, "period": "2026-11-20/E",
            "period_name": "Early shift, Fri 20 Nov", "own_period": False, "note": "", "raw": 74.8,
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
                         "status": "in_progress", "kpi": "oee", "kpi_name": "OEE",
                         "due_words": "1 day overdue"}]} | changes


def test_the_board_shows_its_scope_shift_columns_and_panels() -> None:
    body = board_page.render_board(board_model())
    assert body[0] is None  # no loader failing: no strip
    assert text(one(body, "board-title")) == "Line 1"
    assert text(one(body, "board-when")) == "The Early shift of 2026-11-20 06:00–14:00 ended"
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
    assert text(overdue) == "Clean the filler Ann 1 day overdue in progress OEE"
    assert "Open actions (1)" in text(body[3])


def test_a_tile_says_its_value_target_gap_marks_and_how_old_its_data_is() -> None:
    tile = board_page.tile(kpi_tile(repeat=True, streak=3, checks=["more good than total"], gaps=[]), 4)
    assert tile.className == "tile status-red"
    assert text(one(tile, "kpi-value")) == "74.8 %" and text(one(tile, "kpi-target")) == "target 85.0 % · gap −10.2"
    marks = classed(tile, "mark")  # most important first; the TV shows only the first, in its short form
    assert [text(m) for m in marks] == ["⚠ check data ⚠ check data: more good than total", "repeat: red 3 shifts",
                                        "needs action"]
    assert [m.className for m in marks] == ["mark check", "mark repeat desk-only", "mark needs-action desk-only"]
    assert [(c.className, c.children) for c in marks[0].children] == [
        ("kiosk-only", "⚠ check data"), ("desk-only", "⚠ check data: more good than total")]
    assert "✗" in text(one(tile, "badge"))  # status in an icon and a word, not colour alone
    bars = classed(tile, "bar")
    assert [b.className for b in bars] == ["bar status-amber", "bar status-red last"]
    # never colour alone: each bar carries its status icon, which the style sheet draws under it
    assert [getattr(b, "data-icon") for b in bars] == ["▲", "✗"]
    assert text(one(tile, "spark-last")) == "last shift: ✗ off target"
    assert one(tile, "spark-target").style == {"bottom": "100.0%"}  # the target (85 %) tops the scale
    # from zero to the taller of the bars and the target (85 %): 80 % and 74.8 % are most of a bar, not a sliver
    assert bars[0].style["height"] == "94.1%" and bars[1].style["height"] == "88.0%"
    assert one(tile, "age").id == {"type": "board-age", "index": "2026-11-20T13:00:00+00:00|4"}
    partial = board_page.tile(kpi_tile(needs_action=False, coverage=0.5, complete=None, target_raw=None,
                                       own_period=True, period="2026-11", period_name="Nov 2026", trend=[]), 0)
    assert [text(m) for m in classed(partial, "mark")] == ["◐ 50 % data ◐ 50 % of the shift so far has data",
                                                           "no target set: add one in the plant configuration"]
    alone = board_page.tile(kpi_tile(repeat=True, streak=4), 0)  # needs action too, the lesser of the two
    with use_language("de"):
        german = board_page.tile(kpi_tile(repeat=True, streak=4), 0)
    for shown, words in ((alone, "repeat ×4"), (german, "Wiederholung ×4")):
        tv = [m for m in classed(shown, "mark") if "desk-only" not in m.className]
        assert len(tv) == 1 and tv[0].children[0].children == words
    assert text(one(partial, "kpi-target")).endswith("· Nov 2026") and not classed(partial, "spark")
    # red longer than the shifts counted (a month's): at least that many, in words
    longer = board_page.tile(kpi_tile(repeat=True, streak=90, streak_longer=True, needs_action=False), 0)
    assert [m.children[0].children for m in classed(longer, "mark")] == ["repeat ×90+"]
    assert [m.children[1].children for m in classed(longer, "mark")] == ["repeat: red 90+ shifts"]


def test_the_safety_cross_colours_each_day_and_shows_its_three_numbers() -> None:
    safety = board_model()["columns"][0]
    calendar = board_page.letter(safety)
    cells = [c for c in classed(calendar, "cell") if "empty" not in c.className]
    assert len(cells) == 30 and cells[0].className == "cell safety-none"
    assert cells[-1].className == "cell safety-none future" and text(cells[-1]) == "30"
    # a past day carries its icon for the style sheet to draw in its corner (never its colour alone); days to come
    # have none
    assert getattr(cells[0], "data-icon") == "✓" and "data-icon" not in cells[-1].to_plotly_json()["props"]
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


def test_a_red_tile_leads_to_its_node_in_the_kpi_tree() -> None:
    red, green = kpi_tile(tree="oee"), kpi_tile(kpi="availability", name="Availability", status="green", tree="oee")
    loose = kpi_tile(kpi="oee", tree=None)  # in no tree: nowhere to lead
    model = board_model(scope="L1")
    model["columns"][2]["kpis"] = [red, green, loose]
    links = [c for c in walk(board_page.render_board(model)) if type(c).__name__ == "Link"]
    assert [(text(a), a.href) for a in links] == [
        ("OEE", "/tree?tree=oee&scope=L1&grain=shift&date=2026-11-20&node=oee&shift=E")]


@pytest.mark.parametrize("in_progress, phase", [(True, "in progress"), (False, "ended")])
def test_the_board_says_whether_its_shift_runs(in_progress: bool, phase: str) -> None:
    assert text(one(board_page.render_board(board_model(in_progress=in_progress)), "phase")) == phase


# ---- the KPI tree ------------------------------------------------------------------------------------------

NOON = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def config() -> PlantConfig:
    """The small plant of the shared fixtures (an OEE tree of availability × performance × quality), parsed."""
    return parse_plant(yaml.safe_load(SMALL_PLANT))


def reading(kpi: str, value: float | None, target: float | None, status: str, **more: Any) -> Reading:
    """A reading of Line 1 on the early shift."""
    return Reading(kpi, "L1", "2026-11-20/E", value, None, None, target,
                   None if value is None or target is None else value - target, Status(status), "%", NOON, 60.0,
                   **more)


def tree_view(config: PlantConfig, *, folded: bool = False) -> TreeView:
    """OEE red because availability is; quality has no data; everything drawn, or the root alone (folded)."""
    tree = config.trees["oee"]
    now = {"oee": reading("oee", 74.79, 85.0, "red"), "availability": reading("availability", 88.81, 90.0, "red"),
           "performance": reading("performance", 86.11, 95.0, "amber"),
           "quality": reading("quality", None, 99.9, "incomplete", coverage=0.5)}
    nodes = {k: TreeNodeStatus(k, config.kpis[k].name, None if k == "oee" else "oee", 0 if k == "oee" else 1, r,
                               k == "oee", "product" if k == "oee" else None) for k, r in now.items()}
    before = {k: reading(k, v, 85.0, "green") for k, v in (("oee", 80.0), ("availability", 92.0),
                                                           ("performance", 90.0), ("quality", 99.0))}
    visible = ["oee"] if folded else ["oee", "availability", "performance", "quality"]
    why = [Contribution("oee", 80.0, 74.79, -5.21), Contribution("availability", 92.0, 88.81, -4.0),
           Contribution("performance", 90.0, 86.11, -1.21)]
    return TreeView(tree, "L1", EARLY, EARLY.previous(), nodes, before, frozenset({"oee"} if not folded else set()),
                    visible, {k: (100.0 * i, 50.0 * (i > 0)) for i, k in enumerate(visible)},
                    {"oee": 3} if folded else {}, why, [])


EARLY = parse_period("shift", "2026-11-20/E")


def test_the_tree_draws_each_node_with_its_status_in_words_and_its_edges(config: PlantConfig) -> None:
    drawn = tree_graph.render_elements(tree_view(config), config, "availability")
    nodes = {e["data"]["id"]: e for e in drawn if "source" not in e["data"]}
    edges = {e["data"]["id"]: e for e in drawn if "source" in e["data"]}
    assert list(nodes) == ["oee", "availability", "performance", "quality"]
    assert nodes["oee"]["classes"] == "red red-below red-path"
    assert nodes["availability"]["classes"] == "red red-path chosen" and nodes["performance"]["classes"] == "amber"
    assert nodes["oee"]["data"]["label"].split("\n") == ["OEE", "74.8 % / 85.0 %", "✗ off target", "▼ red below"]
    assert nodes["quality"]["data"]["label"].split("\n") == ["Quality", "no data / 99.9 %",
                                                             "◐ incomplete · 50 % covered"]
    assert nodes["performance"]["position"] == {"x": 200.0, "y": 50.0} and nodes["oee"]["data"]["opens"] is True
    assert set(edges) == {"oee->availability", "oee->performance", "oee->quality"}
    assert edges["oee->quality"]["data"]["label"] == "×" and edges["oee->quality"]["classes"] == "formula"
    assert edges["oee->availability"]["classes"] == "formula red-path"  # the way down to the red node


def test_the_outline_lists_the_whole_tree_in_words_with_the_red_path_and_the_chosen_node(
        config: PlantConfig) -> None:
    outline = tree_graph.render_outline(tree_view(config, folded=True), config, "availability")
    buttons = {b.to_plotly_json()["props"]["data-node"]: b for b in walk(outline) if type(b).__name__ == "Button"}
    assert list(buttons) == ["oee", "availability", "performance", "quality"]  # folded on the graph, listed here
    # (the helper joins the parts with spaces: the browser shows "off target, red below")
    assert text(buttons["oee"]) == "OEE 74.8 %, target 85.0 %, ✗ off target , red below ▶ on the red path"
    assert text(buttons["quality"]) == "Quality no data, target 99.9 %, ◐ incomplete"
    assert "on-red-path" in buttons["availability"].className and "on-red-path" not in buttons["quality"].className
    assert [k for k, b in buttons.items() if b.to_plotly_json()["props"].get("aria-current")] == ["availability"]
    assert len([u for u in walk(outline) if type(u).__name__ == "Ul"]) == 2  # the root's list, its children's


def test_the_canvas_is_as_tall_as_the_drawn_tree(config: PlantConfig) -> None:
    assert tree_graph.canvas_style(tree_view(config)) == {"width": "100%", "height": "350px"}  # two levels
    assert tree_graph.canvas_style(tree_view(config, folded=True)) == {"width": "100%", "height": "260px"}  # at least


def test_a_folded_node_says_how_much_it_hides(config: PlantConfig) -> None:
    (root,) = tree_graph.render_elements(tree_view(config, folded=True), config, None)
    assert root["classes"] == "red red-below folded red-path" and root["data"]["folded"] is True
    assert root["data"]["label"].endswith("▼ red below · +3 below")


def test_the_summary_says_what_moved_the_root_and_where_the_red_ends(config: PlantConfig) -> None:
    said = text(tree_page.render_summary(tree_view(config), config))
    assert said.startswith("OEE 74.8 % against 85.0 % for Line 1 – Area A, the Early shift of Fri 20 Nov ✗ off "
                           "target")
    assert "Against the Early shift of Thu 19 Nov: OEE −5.21 pts; most of it from Availability (−4.00 pts)." in said
    assert said.endswith("Deepest red: Availability.")
    assert text(tree_page.render_findings(tree_view(config), config)).startswith("No findings")
    listed = tree_page.render_findings(replace(tree_view(config), findings=[
        Finding("warning", "kpi quality", "no owner: every KPI needs one named person"),
        Finding("warning", "tree oee", "trade-off performance ↔ quality is not acknowledged")]), config)
    assert listed.className == "findings-list"
    assert [text(item) for item in listed.children] == [  # names, not the plant file's keys
        "Quality: no owner: every KPI needs one named person",
        f"{config.trees['oee'].name}: trade-off Performance ↔ Quality is not acknowledged"]


def node_detail(config: PlantConfig, **changes: Any) -> NodeDetail:
    """Availability's panel on Line 1's early shift: red, checked data, by line and by shift, no events."""
    k = config.kpis["availability"]
    detail = NodeDetail(
        kpi=k, tree=config.trees["oee"], scope="L1", period=EARLY,
        reading=reading("availability", 88.81, 90.0, "red", checks=("more run time than planned",)),
        before=reading("availability", 92.0, 90.0, "green"), formula_text="run time / planned time × 100",
        own_working="22,380 s / 25,200 s × 100 = 88.81 %", edge_working=None, trend=[], limits=None, signals=[],
        drifting=[], by_line=[reading("availability", 88.81, 90.0, "red"), replace(
            reading("availability", 93.0, 90.0, "green"), scope="L2")],
        by_shift=[reading("availability", 88.81, 90.0, "red"), reading("availability", None, 90.0, "grey"),
                  reading("availability", None, 90.0, "grey")],
        why=[], children_before_after=[], formula_parent="oee", goal=None, events=None, actions=[],
        targets={"availability": 90.0, "oee": 80.0})  # each node's target for the period shown
    return replace(detail, **changes)


def test_run_rule_signals_name_each_point_once(config: PlantConfig) -> None:
    trend = [replace(reading("availability", v, 90.0, "red"), period=f"2026-11-{d}/E")
             for d, v in ((18, 95.0), (19, 99.0), (20, 98.0))]
    signals = [Signal(1, "beyond", "above", True, "A point above the upper control limit"),
               Signal(1, "two_of_three", "above", True, "2 of 3 points in a row far above the centre line"),
               Signal(2, "two_of_three", "above", True, "2 of 3 points in a row far above the centre line")]
    banner = one(tree_page.render_panel(node_detail(config, trend=trend, drifting=signals), config, "oee"),
                 "drift-warning")
    assert text(banner) == ("Run-rule signals in the latest points. Thu 19 Nov E: A point above the upper control "
                            "limit; 2 of 3 points in a row far above the centre line · Fri 20 Nov E: 2 of 3 points "
                            "in a row far above the centre line")


def test_a_nodes_panel_shows_its_value_definition_working_and_where_it_is_red(config: PlantConfig) -> None:
    panel = tree_page.render_panel(node_detail(config), config, "oee", date(2026, 12, 1))
    head = one(panel, "panel-head")
    assert head.className == "panel-head status-red"
    assert text(one(head, "panel-value")) == "88.8 %"
    assert "target 90.0 % · Line 1 – Area A, the Early shift of Fri 20 Nov" in text(head)
    assert "Data through Fri 20 Nov, 14:00" in text(head) and "⚠ Check data: more run time than planned" in text(head)
    definition = text(one(panel, "definition"))
    assert "Owner A" in definition and "Worked 22,380 s / 25,200 s × 100 = 88.81 %" in definition
    links = [c for c in walk(panel) if getattr(c, "href", None)]
    assert [link.href for link in links] == [
        "/tree?tree=oee&scope=L1&grain=shift&date=2026-11-20&node=availability&shift=E",
        "/tree?tree=oee&scope=L2&grain=shift&date=2026-11-20&node=availability&shift=E"]
    assert [text(link) for link in links] == ["Line 1 – Area A", "Line 2 – Area A"]
    assert [r.className for r in classed(panel, "row-red")] == ["row-red", "row-red"]  # L1, and the early shift
    assert "By shift Value Target Status Early 88.8 %" in text(panel)


def test_what_if_and_goal_seek_speak_in_the_kpis_words(config: PlantConfig) -> None:
    detail = node_detail(config)
    # the goal starts from OEE's target for the period shown (80 %), not the one written in the plant file (85 %)
    assert tree_page.what_if_fields(detail, config.kpis["oee"]) == (False, "If Availability were (%)",
                                                                      "OEE to reach (%)", 80.0)
    assert tree_page.what_if_fields(detail, None) == (True, "", "", None)
    step = type("Step", (), {"kpi": "oee", "now": 74.79, "then": 80.1, "meets_target": False})()
    assert tree_page.what_if_words([step], config.kpis) == "OEE 74.8 % → 80.1 % — still short of its target"
    assert tree_page.what_if_words([], config.kpis) == "This node feeds no formula above it."
    seek = type("Seek", (), {"possible": True, "needed": 95.5, "reason": ""})()
    assert tree_page.goal_words(seek, config.kpis["availability"], 88.81) == \
        "Availability must reach 95.5 % (now 88.8 %), the other factors unchanged."
    assert tree_page.goal_words(type("Seek", (), {"possible": False, "reason": "above 100 %"})(),
                                config.kpis["availability"], 88.81) == "Not reachable: above 100 %"


def test_events_and_actions_of_a_node(config: PlantConfig) -> None:
    hidden, title, _figure, table_, options, records = tree_page.event_fields(None, config)
    assert (hidden, title, table_, options, records) == (True, "", None, [], None)
    report = EventReport("stops", "Stops behind Availability", "minutes",
                         [ParetoRow("Filler jam", 47.0, 2, None, None, 1.0, 1.0, ("L1",))],
                         [EventRecord(NOON, None, "L1", "Filler jam", "Filler", 17.0, None, None)], 2, 47.0)
    hidden, title, _figure, table_, options, records = tree_page.event_fields(report, config, date(2026, 11, 20))
    assert (hidden, title, options) == (False, "Stops behind Availability", [{"label": "Filler jam",
                                                                              "value": "Filler jam"}])
    grid, note = records
    assert grid.data == [{"when": "14:00", "line": "L1", "what": "Filler jam", "detail": "Filler",
                          "minutes": 17.0, "quantity": None, "cost": None}]
    assert [c["name"] for c in grid.columns] == ["When", "Line", "What", "Detail", "Minutes"]
    assert text(note) == "The newest 1 of 2."
    assert "Filler jam 47 2 100 % 100 % L1" in text(table_)
    none = tree_page.render_node_actions(node_detail(config), config)
    assert text(none) == "Open actions for Availability None — red with no action."


# ---- the monthly review ------------------------------------------------------------------------------------

OCTOBER, NOVEMBER = parse_period("month", "2026-10"), parse_period("month", "2026-11")


def month_reading(kpi: str, month: str, value: float | None, target: float, status: str) -> Reading:
    """A reading of Line 1 for a month."""
    return replace(reading(kpi, value, target, status), period=month)


def action(kpi: str, raised_for: date, **changes: Any) -> ActionView:
    """An action of Line 1."""
    return replace(ActionView(7, "L1", kpi, raised_for, "E", "Clean the filler", "Ann", date(2026, 11, 30), "open",
                              "", "eddie", "eddie", 1, False), **changes)


def review_model(config: PlantConfig) -> Review:
    """Line 1's November: OEE red in both months (October answered by an action), FPY-less quality on target."""
    empty = EventReport("stops", "Stops", "minutes", [], [], 0, 0.0)
    answered = action("oee", date(2026, 10, 14))
    oee = BowlerRow(config.kpis["oee"], [
        MonthCell(month_reading("oee", "2026-10", 80.0, 85.0, "red"), (answered,)),
        MonthCell(month_reading("oee", "2026-11", 74.8, 85.0, "red"))], month_reading("oee", "2026", 77.4, 85.0, "red"),
        2, "worsening")
    quality = BowlerRow(config.kpis["quality"], [
        MonthCell(month_reading("quality", "2026-10", None, 99.9, "grey")),
        MonthCell(month_reading("quality", "2026-11", 99.95, 99.9, "green"))],
        month_reading("quality", "2026", 99.95, 99.9, "green"), 0, "too few months")
    return Review("L1", "Line 1", NOVEMBER, [OCTOBER, NOVEMBER], [quality, oee], empty,
                  replace(empty, kind="defects", title="Defects"), [], None, [answered, action("oee", date(2026, 11, 3),
                  id=8, status="done", result="cleaned")], NOON, candidates=[oee])


def test_the_bowler_marks_red_months_and_links_them_to_their_countermeasures(config: PlantConfig) -> None:
    bowler = review_page.bowler(review_model(config))
    assert [text(c) for c in classed(bowler, "bowler-cat")] == ["Q · Quality", "D · Delivery"]
    cells = classed(bowler, "bcell")
    assert [c.className for c in cells] == ["bcell status-grey", "bcell status-green", "bcell status-green",
                                            "bcell status-red", "bcell status-red", "bcell status-red"]
    assert text(cells[0]) == "—"  # a month without data shows a dash, not a target
    link = one(bowler, "cm-link")
    assert text(link) == "✗ 1 countermeasure" and link.href == "#cm-oee-2026-10"
    assert text(one(bowler, "cm-missing")) == "✗ ! no countermeasure"
    assert "worsening · red 2 months" in text(bowler) and "YTD 2026" in text(bowler)


def test_the_review_page_says_the_months_count_and_lists_the_actions(config: PlantConfig) -> None:
    body = review_page.render_review(review_model(config), config)
    assert text(body[0]) == "Line 1: monthly review, November 2026"
    assert text(one(body, "review-summary")).startswith(
        "1 KPI red in November 2026; 1 of them without a countermeasure; 1 red 3 months running (candidates for "
        "next quarter's objectives); 1 red month of the last 2 without a countermeasure.")
    plan = [c for c in walk(body) if getattr(c, "href", None) == "/okr?scope=L1"]
    assert [text(c) for c in plan] == ["Plan them on the OKR page"]
    anchored = [c for c in walk(body) if getattr(c, "id", None) == "cm-oee-2026-10"]
    assert len(anchored) == 1 and "Clean the filler" in text(anchored[0])  # where the red October links to
    assert "Tue 3 Nov OEE Line 1 – Area A Clean the filler Ann Mon 30 Nov done cleaned" in text(body)
    assert text(one(body, "cm-missing-list")) == "OEE Nov 2026"
    assert "OEE: red 2 months running" in text(body)


@pytest.mark.parametrize(("language", "one_red", "two_red"), [
    ("de", "1 Kennzahl rot", "2 Kennzahlen rot"), ("es", "1 KPI en rojo", "2 KPI en rojo")])
def test_the_review_summary_counts_kpis_in_the_plants_language(config: PlantConfig, language: str, one_red: str,
                                                              two_red: str) -> None:
    review = review_model(config)
    both_red = replace(review, rows=[replace(review.rows[0], cells=[review.rows[0].cells[0], review.rows[1].cells[1]]),
                                     review.rows[1]])
    with use_language(language):
        assert text(one(review_page.render_review(review, config), "review-summary")).startswith(one_red)
        assert text(one(review_page.render_review(both_red, config), "review-summary")).startswith(two_red)


def test_the_review_offers_its_exports_and_months_and_says_what_it_cannot_show() -> None:
    links = review_page.export_links("L1", OCTOBER)
    assert [(text(a), a.href) for a in links[1:]] == [
        ("PDF pack", "/api/v1/review.pdf?scope=L1&month=2026-10"),
        ("HTML copy", "/api/v1/review.html?scope=L1&month=2026-10"),
        ("Excel workbook", "/api/v1/review.xlsx?scope=L1&month=2026-10")]
    options = review_page.month_options(NOVEMBER, 3)
    assert options == [{"label": "November 2026 (to date)", "value": "2026-11"},
                       {"label": "October 2026", "value": "2026-10"},
                       {"label": "September 2026", "value": "2026-09"}]
    assert text(review_page.review_problem("December 2026 has not started yet.")) == \
        "This review cannot be shown December 2026 has not started yet."


# ---- overview, portfolio, data and admin -------------------------------------------------------------------


def test_the_overview_has_a_row_per_line_and_the_plant_with_each_kpis_status(config: PlantConfig) -> None:
    kpis = overview_page.headline_kpis(config)
    assert kpis[:2] == ["oee", "availability"]
    shown = ["oee", "trir"]
    readings = {"L1": {"oee": reading("oee", 74.8, 85.0, "red"),
                       "trir": replace(reading("trir", 1.5, 2.0, "green"), period="2026-11", age_s=30.0)},
                "plant": {"oee": reading("oee", None, 85.0, "incomplete", gaps=("data to 11:00",)),
                          "trir": replace(reading("trir", 1.5, 2.0, "green"), period="2026-11")}}
    table_, title, fresh = overview_page.render_overview(config, "shift", EARLY, shown, readings)
    assert title == "Plant overview · Last shift · Early shift, Fri 20 Nov" and fresh == format_age(30.0)
    rows = [c for c in walk(table_) if type(c).__name__ == "Tr"]
    assert text(rows[0]) == "D OEE S TRIR"
    assert text(rows[1]).startswith("Line 1 – Area A 74.8 % ✗ off target target 85.0 %")
    assert rows[2].className == "total"
    assert "target 2.0 % · Nov 2026" in text(rows[1])  # a KPI read over its own period says which
    assert "◐ data to 11:00" in text(rows[2]) and [c.className for c in classed(table_, "cell")] == [
        "cell status-red", "cell status-green", "cell status-incomplete", "cell status-green"]
    # a cell leads to its node in the KPI tree over the cell's period; TRIR is in no tree
    assert [c.href for c in walk(table_) if type(c).__name__ == "Link"] == [
        "/tree?tree=oee&scope=L1&grain=shift&date=2026-11-20&node=oee&shift=E",
        "/tree?tree=oee&scope=plant&grain=shift&date=2026-11-20&node=oee&shift=E"]
    assert text(overview_page.no_shift_yet()[0]) == "No shift has ended yet."


def test_the_portfolio_links_each_site_to_its_board_and_tree(config: PlantConfig) -> None:
    row = SiteRow("lake", "Lakeside Plant", "America/Chicago", "08:05", None, [("S", "green"), ("D", "red")], "OEE",
                  reading("oee", 74.8, 85.0, "red"), None, "2026-11-20 13:00")
    table_ = portfolio_page.render_sites([row])
    assert [(text(a), a.href) for a in walk(table_) if type(a).__name__ == "A"] == [
        ("Lakeside Plant", "/board?site=lake"), ("OEE", "/tree?site=lake")]
    site = one(table_, "site-row")
    assert "no shift has ended yet" in text(site) and text(site).endswith("— 2026-11-20 13:00")
    assert [b.className for b in classed(site, "badge")][:5] == [
        "badge status-green", "badge status-grey", "badge status-red", "badge status-grey", "badge status-grey"]


def test_the_data_page_says_what_the_loaders_did_and_what_was_refused(config: PlantConfig) -> None:
    status = {"health": {"status": "ok", "data_age_seconds": 90, "failing_sources": ["stops"]},
              "sources": [{"key": "counts", "kind": "files", "record": "production_counts", "status": "ok"}],
              "baseline": [{"name": "OEE", "status": "red", "frequency": "shift", "findings": "ok"},
                           {"name": "TRIR", "status": "grey", "frequency": "month", "findings": "no data source"}],
              "problems": [], "problem_counts": {"open": 0, "resolved": 0, "dismissed": 0}, "closed": [],
              "files": [], "files_total": 0,
              "runs": [{"source": "counts", "trigger": "schedule", "status": "ok", "duration_s": 1.25},
                       {"source": "stops", "trigger": "admin", "status": "running", "duration_s": None}]}
    health, quarantine, closed, choices, sources, files, baseline, runs = data_page.render_status(status)
    assert [text(h) for h in health] == [f"Newest data: {format_age(90)}", "Loader failing: stops"]
    assert health[1].className == "pill bad" and "counts files" in text(sources)
    assert text(baseline[0]) == "1 of 2 KPIs have a current value, a data source, a frequency and an owner; 1 have " \
                                "findings."
    assert "off target per shift ok" in text(baseline[1]) and "no data monthly no data source" in text(baseline[1])
    assert [text(q) for q in quarantine] == ["0 open problems; 0 resolved by a later file or a retry, 0 dismissed.",
                                             "Nothing has been refused."]
    assert choices == [] and closed == [] and [text(f) for f in files] == ["No file has been read yet."]
    assert "counts schedule ok 1.2 s" in text(runs) and "stops by hand running running" in text(runs)
    assert [getattr(r, "className", None) for r in walk(runs) if type(r).__name__ == "Tr"] == [None, "ok", "running"]
    broken = data_page.health_strip({"status": "error", "reason": "the file is not a database"})
    assert [text(b) for b in broken] == ["✗ Database problem: the file is not a database"]
    assert broken[0].role == "alert"
    assert data_page.place_options(config)[:3] == [{"label": "Example Plant", "value": "ex"},
                                                   {"label": "Area A", "value": "a"},
                                                   {"label": "  Line 1", "value": "L1"}]


def test_the_data_page_shows_open_problems_first_then_what_was_fixed_and_each_file_in_words() -> None:
    problem = {"id": 7, "when": "2026-11-20 21:00", "source": "counts", "file": "<b>counts</b>.csv", "row": 3,
               "column": "good", "value": "<script>x</script>", "reason": "not a number",
               "label": "<b>counts</b>.csv, line 3: good '<script>x</script>': not a number"}
    status = {"problems": [problem], "problem_counts": {"open": 1, "resolved": 4, "dismissed": 1},
              "closed": [{"when": "2026-11-20 21:05", "file": "stops.csv", "row": 2, "problem": "reason 'X': unknown",
                          "outcome": "resolved by stops-2.csv", "status": "resolved"}],
              "files": [{"when": "2026-11-20 21:00", "source": "counts", "file": "a.csv",
                         "outcome": "loaded (3 rows)", "status": "loaded"},
                        {"when": "2026-11-20 21:00", "source": "counts", "file": "b.csv",
                         "outcome": "partly refused (1 of 3)", "status": "partial"},
                        {"when": "2026-11-20 21:00", "source": "stops", "file": "c.csv",
                         "outcome": "refused (no header)", "status": "rejected"}], "files_total": 120}
    (summary, open_table), (heading, closed) = data_page.quarantine_view(status)
    assert text(summary) == "1 open problem; 4 resolved by a later file or a retry, 1 dismissed."
    assert text(open_table) == ("Found Source File Row Column Value Reason 2026-11-20 21:00 counts "
                                "<b>counts</b>.csv 3 good <script>x</script> not a number")  # text: Dash escapes it
    assert text(heading) == "Fixed or dismissed lately" and "resolved by stops-2.csv" in text(closed)
    assert data_page.dismiss_options(status["problems"]) == [{"label": problem["label"], "value": 7}]
    note, files = data_page.files_view(status)
    assert text(note) == "The latest 3 of 120 files read."
    assert [getattr(r, "className", None) for r in walk(files) if type(r).__name__ == "Tr"] == [
        None, "", "partial", "failed"]
    assert "b.csv partly refused (1 of 3)" in text(files)
    cleared = data_page.quarantine_view(status | {"problems": [], "closed": [],
                                                  "problem_counts": {"open": 0, "resolved": 4, "dismissed": 1}})
    assert [text(c) for c in cleared[0]][1] == "Nothing is waiting to be fixed." and cleared[1] == []


def test_the_admin_tables_show_people_screens_and_the_audit_in_plant_time(config: PlantConfig) -> None:
    users = [SimpleNamespace(username="ann", display_name="Ann", role="admin", disabled=False, last_login_at=NOON,
                             scope=None),
             SimpleNamespace(username="bob", display_name="", role="viewer", disabled=True, last_login_at=None,
                             scope="L1")]
    table_ = admin_page.users_table(users, config.tz, config)
    rows = [r for r in walk(table_) if type(r).__name__ == "Tr"][1:]
    assert [r.className for r in rows] == ["active", "disabled"]
    assert text(rows[0]) == "Ann admin Whole site active Fri 20 Nov 2026, 14:00"
    assert text(rows[1]) == "Bob viewer Line 1 – Area A disabled —"
    assert admin_page.user_options(users) == [{"label": "Ann", "value": "ann"}, {"label": "Bob", "value": "bob"}]
    screens = [SimpleNamespace(name="Line 1 TV", revoked_at=None, last_seen_at=NOON, start_path="/board?kiosk=1",
                               created_at=NOON),
               SimpleNamespace(name="Old TV", revoked_at=NOON, last_seen_at=None, start_path="/", created_at=NOON)]
    assert "Line 1 TV live Fri 20 Nov 2026, 14:00 /board?kiosk=1" in text(admin_page.displays_table(screens, config.tz))
    assert admin_page.display_options(screens) == [{"label": "Line 1 TV", "value": "Line 1 TV"}]
    entry = SimpleNamespace(at=NOON, actor="ann", action="user.role", target="bob", details='{"role": "editor"}')
    assert text(admin_page.audit_table([entry], config.tz)).endswith(
        "Fri 20 Nov 2026, 14:00 Ann role changed Bob role editor")
    assert text(admin_page.audit_table([], config.tz)) == "Nothing has been audited yet."
    assert names.audit_details(config, "not json") == "not json" and names.audit_details(config, "[1]") == "[1]"
    assert text(admin_page.admins_only()).startswith("Admins only")


# ---- OKRs --------------------------------------------------------------------------------------------------

Q4 = parse_period("quarter", "2026-Q4")
W47 = parse_period("week", "2026-W47")


def check_in(**changes: Any) -> CheckInView:
    """Ann's week-47 check-in of key result 3: 82 % at confidence 4, blocked by spare parts."""
    return replace(CheckInView(11, 3, "2026-W47", 82.0, 4, "new seals", "spare parts", "ann", NOON, None, False, "%"),
                   **changes)


def key_result(**changes: Any) -> KeyResultView:
    """OEE of Line 1 from 70 to 85 %, bound to the KPI, off track at 40 % of the way with 60 % expected."""
    latest = check_in()
    return replace(KeyResultView(
        3, 1, "OEE of Line 1 to 85 %", "increase", 70.0, 85.0, "%", 1.0, "ann", "oee", "L1", "quarter", 2, 1,
        "increase 70 → 85 %", 76.0, "KPI oee", 0.4, 0.6, KrStatus.OFF_TRACK, "stale", latest, latest,
        [WeekPoint("2026-W47", date(2026, 11, 22), 82.0, 4, 80.0)], [latest],
        "confidence 4/10 but progress on its way", None, None), **changes)


def quarter_model(**changes: Any) -> QuarterView:
    """Q4 in week 47: one plant objective with the key result above; the meeting lists it twice."""
    kr = key_result()
    objective = ObjectiveView(1, "2026-Q4", "plant", "plant", "Example Plant", None, "Best OEE in the group", "bob",
                              1, 0, [kr], 0.4, KrStatus.OFF_TRACK, ["no key result for quality"])
    return replace(QuarterView(Q4, date(2026, 11, 20), W47, [parse_period("week", "2026-W46"), W47], 0.55, None,
                               None, [objective], Meeting("2026-W47", [], [kr], [kr])), **changes)


def test_a_key_results_progress_bar_marks_what_the_date_expects() -> None:
    bar = okr_page.progress_bar(0.4, 0.6, KrStatus.OFF_TRACK)
    assert one(bar, "okr-bar-fill").style == {"width": "40%"} and "status-red" in one(bar, "okr-bar-fill").className
    assert one(bar, "okr-bar-expected").style == {"left": "60%"} and one(bar, "okr-bar").title == \
        "expected by today: 60 %"
    assert text(one(bar, "okr-bar-label")) == "40 %"
    over = okr_page.progress_bar(1.3, 0.6, KrStatus.ON_TRACK)
    assert one(over, "okr-bar-fill").style == {"width": "100%"} and text(one(over, "okr-bar-label")) == "130 %"
    assert okr_page.percent(None) == "—" and text(okr_page.okr_badge(KrStatus.NEEDS_ATTENTION)).startswith("▲")


def test_the_quarter_shows_its_objectives_key_results_and_meeting(config: PlantConfig) -> None:
    view = quarter_model()
    summary = text(okr_page.render_summary(view, config))
    assert summary.startswith("OKRs Q4 2026 week 2 of the quarter (Week 47), 55 % of the quarter gone · 1 objective · "
                              "1 key result: 0 on track, 0 need attention, 1 off track, 0 without data")
    ahead = text(okr_page.render_summary(replace(view, quarter=parse_period("quarter", "2027-Q1"), weeks=[]), config))
    assert ahead.startswith("OKRs Q1 2027 starts Fri 1 Jan 2027 · ")  # a quarter planned ahead has no week yet
    objectives = okr_page.render_objectives(view)
    row = one(objectives, "okr-kr-row")
    assert row.to_plotly_json()["props"]["data-kr"] == "3"
    assert text(row).startswith("OEE of Line 1 to 85 % increase 70 → 85 % · ann 76.0 % KPI oee ◷ stale")
    assert "4/10 has issues" in text(row) and "Week 47 · Ann" in text(row)
    link = one(row, "okr-kr")  # no id: the page's script reads which key result from the button
    assert link.to_plotly_json()["props"]["data-kr"] == "3" and getattr(link, "id", None) is None
    assert text(one(objectives, "form-error")) == "! no key result for quality"
    meeting = text(okr_page.render_meeting(view))
    assert "Not checked in this week (0) Every key result has this week's check-in." in meeting
    assert "Blocked (1) OEE of Line 1 to 85 % ✗ off track Week 47: spare parts" in meeting
    empty = okr_page.render_objectives(replace(view, objectives=[]))
    assert text(empty) == "Objectives No objectives for Q4 2026 here yet. Editors plan them below."


def test_the_check_in_rows_take_a_value_only_where_no_kpi_gives_one() -> None:
    rows = okr_page.checkin_rows(quarter_model(), editable=True)
    (row,) = rows
    props = row.to_plotly_json()["props"]
    assert (props["data-kr"], props["data-seen"]) == ("3", "1")  # what assets/okr.js sends with the entries
    inputs = {c.className: c for c in walk(row) if type(c).__name__ in ("Input", "Textarea")}
    assert sorted(inputs) == ["okr-ci-blocks", "okr-ci-confidence", "okr-ci-moved", "okr-ci-value"]
    assert not [c for c in walk(row) if getattr(c, "id", None)]  # sent as HTML: nothing for Dash to keep
    assert inputs["okr-ci-value"].disabled is True and inputs["okr-ci-value"].value == 76.0
    assert inputs["okr-ci-confidence"].value == 4
    assert "From the KPI at save time (%)" in text(row) and "this week: Ann" in text(row)
    by_hand = okr_page.checkin_rows(replace(quarter_model(), objectives=[replace(
        quarter_model().objectives[0], key_results=[key_result(kpi="", kind="milestone", unit="")])]), True)
    value = next(c for c in walk(by_hand) if getattr(c, "className", None) == "okr-ci-value")
    assert value.disabled is False and value.value == 82.0 and "Done? 1 = yes, 0 = not yet" in text(by_hand)
    assert 'value="82"' in to_html(by_hand, controls=True)  # 82.0 as a person types it, not "82.0"
    assert text(okr_page.checkin_rows(quarter_model(), editable=False)).startswith("Sign in as an editor")
    closed = quarter_model(closed_at=NOON, closed_by="bob")
    assert text(okr_page.checkin_rows(closed, True)) == "Q4 2026 is closed: it takes no more check-ins."


def test_the_history_and_closing_say_what_was_checked_in_and_what_comes_next(config: PlantConfig) -> None:
    history = okr_page.render_history(key_result(versions=[check_in(id=12, replaces_id=11, value=83.0),
                                                           check_in(replaced=True)]), config)
    rows = [r for r in walk(history[2]) if type(r).__name__ == "Tr"][1:]
    assert text(rows[0]).endswith("Fri 20 Nov 2026, 14:00 correction") and text(rows[1]).endswith("corrected later")
    assert getattr(rows[1], "className", None) == "replaced"
    candidate = SimpleNamespace(kpi=config.kpis["oee"], red_months=3, latest=reading("oee", 74.8, 85.0, "red"))
    scores = okr_page.render_closing_scores(quarter_model(), config)
    assert text(scores[0]) == "Closing Q4 2026"
    assert "it can be closed from Fri 18 Dec" in text(scores[1])
    assert "OEE of Line 1 to 85 % 76.0 % 40 % 0.40" in text(scores)
    assert not [c for c in walk(scores) if getattr(c, "id", None)]  # no control: it is sent as HTML
    closing = okr_page.render_closing(quarter_model(), config, [candidate], True, "L1")
    plan = next(c for c in walk(closing) if isinstance(getattr(c, "id", None), dict))
    assert plan.id == {"type": "okr-draft", "kpi": "oee", "scope": "L1"} and text(plan) == "Plan it for Q1 2027"
    assert "OEE: red 3 months running, last month 74.8 % against 85.0 %." in text(closing)


def test_the_okr_links_and_messages(config: PlantConfig) -> None:
    assert [(text(a), a.href) for a in okr_page.checkin_exports("2026-Q4")[1:]] == [
        ("CSV", "/api/v1/okr/checkins.csv?quarter=2026-Q4"), ("Excel", "/api/v1/okr/checkins.xlsx?quarter=2026-Q4")]
    link = okr_page.drafted("OEE", "2027-Q1")
    assert link.href == "/okr?quarter=2027-Q1" and text(link) == "OEE planned as an objective of Q1 2027: open it"
    assert okr_page.checkin_saved(check_in(replaces_id=9), config.tz) == (
        "Saved Week 47 2026 correction of this week's check-in: 82.0 % at confidence 4/10 (has issues), by Ann at "
        "Fri 20 Nov 2026, 14:00")
    assert okr_page.checkin_saved(check_in(), config.tz, date(2026, 11, 20)).endswith("by Ann at 14:00")
    assert okr_page.checkin_saved(check_in(author="eddie"), config.tz, date(2026, 11, 20),
                                  {"eddie": "Eddie Ng"}).endswith("by Eddie Ng at 14:00")
    assert okr_page.checkin_saved(check_in(), config.tz, date(2026, 11, 27)).endswith("by Ann at Fri 20 Nov, 14:00")
    today = okr_page.render_history(key_result(), config, None, date(2026, 11, 20))
    assert text([r for r in walk(today[2]) if type(r).__name__ == "Tr"][1]).endswith("Ann 14:00 current")
    closed = text(okr_page.render_summary(quarter_model(closed_at=NOON, closed_by="bob"), config))
    assert "closed by Bob on " in closed and "2026, 14:00" not in closed  # the quarter's today: no year
    assert [o["value"] for o in okr_options.scope_choices(config)][:3] == ["all", "company", "plant"]
    assert "all" not in [o["value"] for o in okr_options.level_options(config)]
    assert okr_options.week_options(quarter_model())[0] == {"label": "Week 47 (this week)", "value": "2026-W47"}
    assert text(okr_page.okr_problem("unknown scope 'L9'")) == "These OKRs cannot be shown unknown scope 'L9'"


@pytest.mark.parametrize(("language", "count", "words"), [
    ("en", 1.0, "42.00 / 1 value = 42"), ("en", 3.0, "42.00 / 3 values = 14"), ("en", 2.5, "42.00 / 2.5 values = 16.8"),
    ("de", 1.0, "42,00 / 1 Wert = 42"), ("de", 3.0, "42,00 / 3 Werte = 14"), ("es", 1.0, "42,00 / 1 valor = 42"),
    ("es", 3.0, "42,00 / 3 valores = 14")])
def test_a_loaded_kpis_working_counts_its_values_in_the_plants_language(
        config: PlantConfig, language: str, count: float, words: str) -> None:
    loaded = replace(config.kpis["availability"], formula="direct", unit="")
    with use_language(language):
        working = drilldown.own_working(loaded, replace(reading("availability", 42 / count, None, "grey"),
                                                        numerator=42.0, denominator=count))
    assert working == words


def test_actions_show_their_due_day_in_words_not_as_a_date_code() -> None:
    due_soon = SimpleNamespace(id=4, version=2, what="Clean the filler", owner="Ann", due=date(2026, 12, 9))
    assert board_page.action_options([due_soon]) == [
        {"label": "Clean the filler (Ann, due Wed 9 Dec)", "value": "4:2"}]
