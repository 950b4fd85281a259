"""The KPI tree read on a laptop and without a mouse, in a real Chromium on the demo plant: at 1366×768 the labels
are at least 14 px on screen and the tree is fitted and centred in its canvas; the way down to each red node is
drawn thick with arrows and outlined nodes; the overview's cells and the board's red tiles lead to their node; the
outline and the graph choose the same node; and a keyboard alone opens the red leaf's panel and saves an OKR
check-in."""

from __future__ import annotations

import time
from typing import Any

import pytest
from dash.testing.wait import until
from huddle.dashboard.demo import demo_okrs
from huddle.dashboard.services.tree import build_tree_view
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import TreeAddress
from huddle.dashboard.web.app import create_app
from huddle.pages.tree_graph import LABEL_PX
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.keys import Keys

from tests.conftest import DEMO_NOW, load_demo

pytestmark = pytest.mark.e2e

RED_SCOPE = "L2"  # the demo's drifting line: red down to its leaves
PASSWORD = "editor-password-1"
CY = """const el = document.querySelector('#tree-graph');
const key = Object.keys(el).find(k => k.startsWith('__reactFiber'));
let f = el[key]; while (f && !(f.stateNode && f.stateNode._cy)) { f = f.return; }
const cy = f.stateNode._cy;"""
#: what the graph shows: zoom, canvas size, the drawn tree's box on screen, each node's label size and classes, each
#: edge's classes, width and arrow
GRAPH_JS = CY + """const bb = cy.elements().renderedBoundingBox();
return {zoom: cy.zoom(), width: cy.width(), height: cy.height(), bb: bb,
        nodes: cy.nodes().map(n => ({id: n.id(), classes: n.classes().join(' '),
                                     px: parseFloat(n.style('font-size')) * cy.zoom(),
                                     outline: parseFloat(n.style('outline-width'))})),
        edges: cy.edges().map(e => ({id: e.id(), classes: e.classes().join(' '), width: parseFloat(e.style('width')),
                                     arrow: e.style('target-arrow-shape')}))};"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three weeks of the demo plant (Line 2 drifting red) with this quarter's OKRs; one editor."""
    services = load_demo(tmp_path_factory.mktemp("tree-reading-demo"), DEMO_NOW, days=21)
    demo_okrs(services)
    services.accounts.add_user("cli", "eddie", PASSWORD, "editor")
    yield services
    services.dispose()


def _wait(condition: Any, timeout: float = 20.0) -> Any:
    """What ``condition`` returns once it is something (or a timeout)."""
    return until(condition, timeout, poll=0.2)


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def _red_view(demo):  # type: ignore[no-untyped-def]
    """The tree the page opens on for the red line by default, as the service reads it."""
    target = TreeAddress(scope=RED_SCOPE).resolve(demo.config, demo.clock())
    return build_tree_view(demo.readings, *target)


def _red_leaf(demo) -> str:  # type: ignore[no-untyped-def]
    view = _red_view(demo)
    leaves = [k for k in view.deepest_red() if not view.tree.children(k)]
    assert leaves, "the demo's red line has no red leaf"
    return leaves[0]


def _open_tree(dash_duo, demo, query: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.driver.get(dash_duo.server_url + "/tree" + query)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", "OEE", timeout=30)


def _centred(graph: dict[str, Any]) -> bool:
    """The drawn tree's box as far from the canvas's left edge as from its right, and from its top as its bottom."""
    bb = graph["bb"]
    return (abs(bb["x1"] - (graph["width"] - bb["x2"])) <= 2 and abs(bb["y1"] - (graph["height"] - bb["y2"])) <= 2
            and bb["y1"] >= 0 and bb["y2"] <= graph["height"])


def test_at_1366_by_768_the_tree_is_readable_fitted_and_centred(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    _open_tree(dash_duo, demo, f"?scope={RED_SCOPE}")
    assert dash_duo.driver.execute_script("return window.innerWidth") <= 1366
    leaf = _red_leaf(demo)
    graph = _wait(lambda: (g := dash_duo.driver.execute_script(GRAPH_JS)) and leaf in [n["id"] for n in g["nodes"]]
                  and _centred(g) and g)
    smallest = min(n["px"] for n in graph["nodes"])
    assert smallest >= LABEL_PX, f"labels are {smallest:.1f} px on screen"
    assert graph["bb"]["x1"] >= 0 and graph["bb"]["x2"] <= graph["width"]  # the whole tree shows
    # no empty band: the tree fills the canvas's height or its width, less the padding
    assert graph["bb"]["h"] >= graph["height"] - 80 or graph["bb"]["w"] >= graph["width"] - 80
    _no_console_errors(dash_duo)


def test_the_way_down_to_each_red_node_is_drawn_thick_with_arrows_and_outlined(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    _open_tree(dash_duo, demo, f"?scope={RED_SCOPE}")
    view = _red_view(demo)
    path_nodes, path_edges = view.red_path()
    drawn_edges = {f"{p}->{c}" for p, c, _f in view.edges()}
    expected = {f"{p}->{c}" for p, c in path_edges} & drawn_edges
    assert expected, "the red line shows no way down to red"
    graph = _wait(lambda: (g := dash_duo.driver.execute_script(GRAPH_JS)) and len(g["edges"]) >= len(drawn_edges)
                  and g)
    marked = {e["id"] for e in graph["edges"] if "red-path" in e["classes"].split()}
    assert marked == expected
    for e in graph["edges"]:
        if e["id"] in marked:  # not colour alone: thicker, and an arrow into the red node
            assert e["width"] >= 6 and e["arrow"] == "triangle", e
        elif "tradeoff" not in e["classes"]:
            assert e["width"] <= 3 and e["arrow"] == "none", e
    for n in graph["nodes"]:
        assert (n["outline"] > 0) == (n["id"] in path_nodes), n
    _no_console_errors(dash_duo)


def test_the_overview_and_the_boards_red_tiles_lead_to_their_node(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.get(dash_duo.server_url + "/")
    _click_settled(dash_duo, f"a.cell-link[href*='scope={RED_SCOPE}&'][href*='node=oee']")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "OEE", timeout=30)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", "Line 2", timeout=20)
    assert "node=oee" in dash_duo.driver.execute_script("return window.location.search")

    dash_duo.driver.get(dash_duo.server_url + f"/board?scope={RED_SCOPE}")
    dash_duo.wait_for_element(f"#{ids.BOARD_BODY} .tile", timeout=30)
    links = dash_duo.driver.find_elements("css selector", "a.tile-link")
    assert links and all("status-red" in a.find_element("xpath", "./ancestor::div[contains(@class, 'tile ')]")
                         .get_attribute("class") for a in links)  # red tiles only
    name = links[0].text
    links[0].click()
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", name, timeout=30)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", "Line 2", timeout=20)
    _no_console_errors(dash_duo)


def _click_settled(dash_duo, selector: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Click the element a selector finds, finding it again when the page drew it anew in between (the overview's
    table is one element of HTML: drawn again, its links are new elements)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            dash_duo.wait_for_element(selector, timeout=timeout).click()
            return
        except StaleElementReferenceException:
            if time.monotonic() > deadline:
                raise


def _outline_current(dash_duo) -> str | None:  # type: ignore[no-untyped-def]
    return dash_duo.driver.execute_script(
        "const b = document.querySelector('.tree-outline button[aria-current=\"true\"]');"
        "return b && b.getAttribute('data-node');")


def _chosen_on_graph(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    return dash_duo.driver.execute_script(CY + "return cy.nodes('.chosen').map(n => n.id());")


def test_the_outline_and_the_graph_choose_the_same_node(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    _open_tree(dash_duo, demo, f"?scope={RED_SCOPE}")
    _wait(lambda: _outline_current(dash_duo) == "oee")
    # a click on the graph: the outline marks the same node
    dash_duo.driver.execute_script("window.scrollTo(0, 0)")

    def where() -> list[float] | None:
        return dash_duo.driver.execute_script(
            CY + "const n = cy.getElementById('availability'); if (!n.length) { return null; }"
                 "const p = n.renderedPosition(); const r = el.getBoundingClientRect();"
                 "return [r.left + p.x, r.top + p.y];")

    def settled() -> list[float] | None:  # where the node stays once the graph has fitted its canvas
        before = where()
        time.sleep(0.3)
        return before if before and where() == before else None

    x, y = _wait(settled)
    actions = ActionBuilder(dash_duo.driver)
    actions.pointer_action.move_to_location(int(x), int(y)).click()
    actions.perform()
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "Availability", timeout=20)
    _wait(lambda: _outline_current(dash_duo) == "availability")
    # a node chosen in the outline, even one folded away on the graph: the graph opens to it and marks it
    dash_duo.find_element(".tree-outline button[data-node='scrap_rate']").click()
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "Scrap rate", timeout=20)
    _wait(lambda: _chosen_on_graph(dash_duo) == ["scrap_rate"])
    assert _outline_current(dash_duo) == "scrap_rate"
    assert "node=scrap_rate" in dash_duo.driver.execute_script("return window.location.search")
    _no_console_errors(dash_duo)


def _press(driver, *keys: str) -> None:  # type: ignore[no-untyped-def]
    ActionChains(driver).send_keys(*keys).perform()


def _active(driver, selector: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(driver.execute_script(
        "const a = document.activeElement; return !!(a && a.matches(arguments[0]));", selector))


#: the focus ring's width on the focused control or the frame around it (Dash draws some on the frame)
RING_JS = """let a = document.activeElement; let widest = 0;
for (let i = 0; i < 3 && a && a !== document.body; i++, a = a.parentElement) {
  const s = getComputedStyle(a);
  if (s.outlineStyle !== 'none') { widest = Math.max(widest, parseFloat(s.outlineWidth)); }
}
return [document.activeElement.tagName + '#' + document.activeElement.id + ' ' +
        String(document.activeElement.className), widest];"""


def _tab_to(driver, selector: str, limit: int = 150, rings: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focus is on what ``selector`` names (and fail when it never gets there); with ``rings``,
    every control on the way shows a focus ring at least 2 px wide."""
    for _ in range(limit):
        if rings and not _active(driver, "body"):
            where, width = driver.execute_script(RING_JS)
            assert width >= 2, f"no visible focus ring on {where}"
        if _active(driver, selector):
            return
        _press(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {selector}")


def test_a_keyboard_alone_opens_the_red_leafs_panel_and_saves_a_check_in(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    driver = dash_duo.driver
    driver.get(dash_duo.server_url + "/login?next=/okr")
    dash_duo.wait_for_element("input[name=username]", timeout=10)
    _tab_to(driver, "input[name=username]")
    _press(driver, "eddie", Keys.TAB, PASSWORD, Keys.ENTER)
    dash_duo.wait_for_contains_text(".who", "Eddie ·", timeout=15)

    # the tree: Tab along the outline to the red leaf, Enter opens its panel, and the graph marks it too
    leaf = _red_leaf(demo)
    name = demo.config.kpis[leaf].name
    driver.get(dash_duo.server_url + f"/tree?scope={RED_SCOPE}")
    dash_duo.wait_for_element(f".tree-outline button[data-node='{leaf}']", timeout=30)
    _tab_to(driver, f".tree-outline button[data-node='{leaf}']", rings=True)  # every control on the way too
    said = driver.execute_script("return document.activeElement.textContent")
    assert said.startswith(name) and "off target" in said and "on the red path" in said
    _press(driver, Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", name, timeout=20)
    _wait(lambda: _chosen_on_graph(dash_duo) == [leaf])
    assert _active(driver, f".tree-outline button[data-node='{leaf}']")  # the focus stays where it was

    # the OKRs: Tab to a key result's check-in, type it, Tab to Save, Enter
    driver.get(dash_duo.server_url + "/okr")
    kr = next(k for k in demo.okrs.quarter().key_results if not k.kpi)
    before = len(kr.versions)
    row = f".okr-ci-row[data-kr='{kr.id}']"
    dash_duo.wait_for_element(row, timeout=40)
    _tab_to(driver, f"{row} input.okr-ci-confidence", rings=True)
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys("7").perform()
    _tab_to(driver, f"{row} textarea.okr-ci-moved", limit=4)
    _press(driver, "Checked in from the keyboard")
    _tab_to(driver, f"{row} button.okr-ci-save", limit=3, rings=True)
    _press(driver, Keys.ENTER)
    dash_duo.wait_for_contains_text(f"{row} .form-message", "Saved", timeout=20)
    after = next(k for k in demo.okrs.quarter().key_results if k.id == kr.id)
    assert len(after.versions) == before + 1
    saved = after.versions[0]
    assert (saved.author, saved.confidence, saved.moved) == ("eddie", 7, "Checked in from the keyboard")
    _no_console_errors(dash_duo)
