"""The KPI tree's read models on the published OEE example (loaded from CSV on each backend): the tree opened
along the red path, the formula worked on the shift's numbers, why it moved, what-if, goal seek (and when it is
impossible), the stops behind the red leaf, grey nodes that say "no data", the tree's findings, and how the page
turns an address into a tree, scope and period (or a clear error)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import parse_plant
from huddle.dashboard.core.plant_checks import tree_findings
from huddle.dashboard.services.drilldown import node_detail, try_goal_seek, try_what_if
from huddle.dashboard.services.tree import build_tree_view, last_complete_day, tree_holding
from huddle.dashboard.web.address import AddressError, TreeAddress, tree_href
from huddle.pages.tree_graph import render_elements

from tests.conftest import SMALL_PLANT, Inbox

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # 15:30 in Berlin: the early shift has ended, the late one runs
EARLY = parse_period("shift", "2026-11-20/E")
# DOMAIN.md's OEE example on Line 1: A 88.81 %, P 86.11 %, Q 97.80 %, OEE 74.79 %; two filler jams, 47 minutes
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,12000
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,12000
L1,2026-11-19 06:00,2026-11-19 14:00,,22000,21800,24000
"""
STOPS = """line;start;end;reason;category;equipment
L1;2026-11-20 07:00;2026-11-20 07:30;Filler jam;unplanned;Filler
L1;2026-11-20 10:00;2026-11-20 10:17;Filler jam;unplanned;Filler
L1;2026-11-19 08:00;2026-11-19 08:10;Label misfeed;unplanned;Labeller
"""
# the small plant's tree, one level deeper: availability is driven by unplanned downtime; a trade-off
TREE_PLANT = SMALL_PLANT.replace(
    "      - {parent: oee, children: [availability, performance, quality], formula: product}\n",
    "      - {parent: oee, children: [availability, performance, quality], formula: product}\n"
    "      - {parent: availability, children: [unplanned_downtime]}\n"
    "    tradeoffs:\n"
    "      - {between: [performance, quality], note: faster runs make more defects, acknowledged: true}\n")


@pytest.fixture
def services(make_services, database_url: str, tmp_path: Path, inbox: Inbox):  # type: ignore[no-untyped-def]
    """The small plant with the OEE example loaded and the shift before it, on each backend."""
    plant = tmp_path / "tree-plant.yaml"
    plant.write_text(TREE_PLANT, encoding="utf-8")
    built = make_services(database_url, now=NOW, plant=plant)
    inbox.load(built, counts=COUNTS, stops=STOPS)  # no row rejected
    return built


def test_the_tree_opens_along_the_red_path_to_the_red_leaf(services) -> None:  # type: ignore[no-untyped-def]
    view = build_tree_view(services.readings, "oee", "L1", EARLY)
    assert round(view.root.reading.value, 2) == 74.79
    assert str(view.root.reading.status) == "red" and view.root.red_below
    # availability is red and so is the downtime below it: the path to that leaf is open from the start
    assert view.expanded == {"oee", "availability"}
    assert view.deepest_red() == ["performance", "quality", "unplanned_downtime"]
    # the way down to each red node: every node on it and the edges between them, nothing else
    nodes, edges = view.red_path()
    assert nodes == {"oee", "availability", "performance", "quality", "unplanned_downtime"}
    assert edges == {("oee", "availability"), ("oee", "performance"), ("oee", "quality"),
                     ("availability", "unplanned_downtime")}
    assert view.visible == ["oee", "availability", "performance", "quality", "unplanned_downtime"]
    assert view.nodes["unplanned_downtime"].reading.value == pytest.approx(47.0)
    assert str(view.nodes["unplanned_downtime"].reading.status) == "red"  # target 30 min
    assert view.positions["unplanned_downtime"][1] > view.positions["availability"][1] > view.positions["oee"][1]
    assert [(t.a, t.b) for t in view.tradeoffs()] == [("performance", "quality")]
    # folding availability hides its child and says how many lie below
    folded = build_tree_view(services.readings, "oee", "L1", EARLY, expanded={"oee"})
    assert "unplanned_downtime" not in folded.visible and folded.hidden_below == {"availability": 1}


def test_why_it_moved_splits_the_change_over_the_factors(services) -> None:  # type: ignore[no-untyped-def]
    view = build_tree_view(services.readings, "oee", "L1", EARLY)
    before = view.before["oee"].value
    assert before is not None and view.previous.label == "2026-11-19/E"
    split = {c.key: c.contribution for c in view.why}
    assert split["oee"] == pytest.approx(view.root.reading.value - before)
    assert sum(split[k] for k in ("availability", "performance", "quality")) == pytest.approx(split["oee"])
    assert split["unplanned_downtime"] is None  # a driver without formula is not split
    path = [c.key for c in view.biggest_driver_path()]
    assert path[0] == "oee" and len(path) == 2
    assert path[1] == min(("availability", "performance", "quality"), key=lambda k: split[k])


def test_the_panel_works_the_formula_on_the_shifts_numbers(services) -> None:  # type: ignore[no-untyped-def]
    root = node_detail(services, "oee", "oee", "L1", EARLY)
    assert root.own_working == "18,848 s / 25,200 s × 100 = 74.79 %"
    assert root.edge_working == "88.81 % × 86.11 % × 97.80 % = 74.79 %"
    assert root.formula_parent is None and root.goal is None and root.events is None
    assert root.by_line == [] and root.by_shift == []  # one line, one shift: nothing to break down
    assert root.trend[-1].period == "2026-11-20/E" and round(root.trend[-1].value, 2) == 74.79
    assert [c for c, _b, _a in root.children_before_after] == ["availability", "performance", "quality"]
    # the area's day: where it is red, by line and by shift
    area = node_detail(services, "oee", "oee", "a", parse_period("day", "2026-11-20"))
    assert [r.scope for r in area.by_line] == ["L1", "L2"]
    assert round(area.by_line[0].value, 2) == 74.79
    assert str(area.by_line[1].status) == "grey" and area.by_line[1].value is None  # no data is not zero
    assert [r.value is not None for r in area.by_shift] == [True, False, False]
    assert area.by_shift[0].value == pytest.approx(services.readings.reading("oee", "a", EARLY).value)
    downtime = services.readings.breakdown("unplanned_downtime", "a", parse_period("day", "2026-11-20"), "shift")
    assert downtime[0].target == services.readings.reading("unplanned_downtime", "a", EARLY).target == 30
    assert [r.period for r in area.trend[-2:]] == ["2026-11-19", "2026-11-20"]


def test_what_if_and_goal_seek_on_the_factors(services) -> None:  # type: ignore[no-untyped-def]
    detail = node_detail(services, "oee", "availability", "L1", EARLY)
    assert detail.formula_parent == "oee"
    # OEE's target is 85 %: with P and Q where they are, availability would need 100.93 %: impossible
    assert detail.goal is not None and not detail.goal.possible and "above 100 %" in detail.goal.reason
    reachable = try_goal_seek(services, "oee", detail.values, "availability", 80.0)
    assert reachable is not None and reachable.possible
    assert reachable.needed == pytest.approx(80.0 / (0.8610813 * 0.9780499), rel=1e-4)
    changed = try_what_if(services, "oee", detail.values, "availability", 95.0, detail.targets)
    assert [s.kpi for s in changed] == ["oee"]
    assert changed[0].then == pytest.approx(95.0 * detail.values["performance"] * detail.values["quality"] / 10_000)
    assert changed[0].now == detail.values["oee"] and changed[0].target == 85 and changed[0].meets_target is False
    assert try_what_if(services, "oee", detail.values, "availability", 100.0, {"oee": 80})[0].meets_target is True
    assert try_goal_seek(services, "oee", detail.values, "unplanned_downtime", 10.0) is None  # no formula edge


def test_the_red_leaf_shows_the_stops_behind_it(services) -> None:  # type: ignore[no-untyped-def]
    leaf = node_detail(services, "oee", "unplanned_downtime", "L1", EARLY)
    assert leaf.events is not None and leaf.events.kind == "stops"
    assert [(p.label, p.minutes, p.count) for p in leaf.events.pareto] == [("Filler jam", pytest.approx(47.0), 2)]
    assert [r.minutes for r in leaf.events.records] == [pytest.approx(17.0), pytest.approx(30.0)]  # newest first
    assert leaf.own_working == "sum over the period = 47 min"


def test_a_node_without_data_is_grey_and_a_finding(services) -> None:  # type: ignore[no-untyped-def]
    view = build_tree_view(services.readings, "oee", "L2", EARLY)
    assert {str(n.reading.status) for n in view.nodes.values()} == {"grey"}
    assert all(n.reading.value is None for n in view.nodes.values())
    missing = [f"{f.where}: {f.message}" for f in view.findings if f.where == "no data"]
    assert missing == ["no data: OEE, Availability, Performance, Quality, Unplanned downtime for Line 2 – Area A, "
                       "the Early shift of Fri 20 Nov"]  # listed once, not once per node
    assert view.expanded == {"oee"}  # no red anywhere: only the root's branches show


def test_tree_checks_follow_the_method() -> None:
    config = parse_plant({
        "site": {"key": "x", "name": "X", "timezone": "UTC"},
        "calendar": {"shifts": [{"key": "D", "start": "06:00", "end": "18:00"}]},
        "areas": [{"key": "a", "lines": [{"key": "L1", "ideal_cycle_s": 1}]}],
        "kpis": [{"key": "oee", "category": "D", "target": 65, "owner": "A", "data_source": "MES"},
                 {"key": "availability", "category": "D", "target": 85},
                 {"key": "scrap_rate", "category": "Q", "target": 1, "owner": "B", "data_source": "QMS"}],
        "trees": [{"key": "t", "name": "T", "root": "oee",
                   "edges": [{"parent": "oee", "children": ["availability"]},
                             {"parent": "scrap_rate", "children": ["availability"]}],
                   "tradeoffs": [{"between": ["oee", "scrap_rate"]}]}],
    })
    found = [f"{f.where}: {f.message}" for f in tree_findings(config, config.trees["t"])]
    assert "tree t: 1 branches under the root: 2–4 is the rule" in found
    assert "tree t: scrap_rate is not connected to the root oee" in found
    assert "tree t: trade-off oee ↔ scrap_rate is not acknowledged" in found
    assert "kpi availability: no owner: every KPI needs one named person" in found
    assert "kpi availability: no data source (a finding to resolve, not a blank)" in found


def test_a_kpi_leads_to_the_first_tree_that_holds_it() -> None:
    config = parse_plant(yaml.safe_load(TREE_PLANT))
    assert tree_holding(config, "unplanned_downtime") == "oee"
    assert [k for k in config.kpis if tree_holding(config, k) is None] == \
        [k for k in config.kpis if k not in config.trees["oee"].nodes()]
    assert tree_holding(config, "no_such_kpi") is None


def test_the_address_resolves_to_a_tree_scope_and_period(services) -> None:  # type: ignore[no-untyped-def]
    # default: the first tree, the plant, the last production day whose shifts have all ended
    assert last_complete_day(services.config, NOW) == date(2026, 11, 19)
    assert TreeAddress().resolve(services.config, NOW) == ("oee", "plant", parse_period("day", "2026-11-19"))
    # a shift without a shift key: the one that ended last on that date
    assert TreeAddress(grain="shift", date="2026-11-20").resolve(services.config, NOW).period == EARLY
    assert TreeAddress(scope="L1", grain="week", date="2026-11-20").resolve(services.config, NOW).period.label == \
        "2026-W47"
    for view, words in (({"tree": "cost"}, "no tree 'cost'"), ({"scope": "L9"}, "no line or area 'L9'"),
                        ({"grain": "year"}, "not 'year'"), ({"date": "20.11.2026"}, "not a date"),
                        ({"grain": "shift", "shift": "X"}, "no shift 'X'")):
        with pytest.raises(AddressError, match=words):
            TreeAddress.from_view(view).resolve(services.config, NOW)
    assert tree_href("oee", "L2", EARLY, "availability") == \
        "/tree?tree=oee&scope=L2&grain=shift&date=2026-11-20&node=availability&shift=E"


def test_elements_carry_status_words_positions_and_edge_kinds(services) -> None:  # type: ignore[no-untyped-def]
    view = build_tree_view(services.readings, "oee", "L1", EARLY)
    drawn = render_elements(view, services.config, "availability")
    nodes = {e["data"]["id"]: e for e in drawn if "source" not in e["data"]}
    edges = {e["data"]["id"]: e for e in drawn if "source" in e["data"]}
    assert set(nodes) == set(view.visible)
    assert nodes["oee"]["classes"].split() == ["red", "red-below", "red-path"]
    assert "chosen" in nodes["availability"]["classes"]
    assert nodes["oee"]["data"]["label"].split("\n") == ["OEE", "74.8 % / 85.0 %", "✗ off target", "▼ red below"]
    assert nodes["oee"]["position"] == {"x": view.positions["oee"][0], "y": view.positions["oee"][1]}
    assert edges["oee->availability"]["data"]["label"] == "×"
    assert edges["oee->availability"]["classes"] == "formula red-path"
    assert edges["availability->unplanned_downtime"]["classes"] == "driver red-path"
    assert edges["performance<->quality"]["classes"] == "tradeoff"


def test_the_api_serves_a_nodes_panel(app_client) -> None:  # type: ignore[no-untyped-def]
    body = app_client.get("/api/v1/tree/node?tree=oee&kpi=unplanned_downtime&scope=L1&grain=shift"
                          "&period=2026-11-20/E").get_json()
    assert body["reading"]["value"] == pytest.approx(47.0)
    assert body["events"]["pareto"][0]["label"] == "Filler jam"
    assert body["definition"]["owner"] == "A"
    missing = app_client.get("/api/v1/tree/node?tree=oee&kpi=trir")
    assert missing.status_code == 400 and "not a node" in missing.get_json()["error"]
