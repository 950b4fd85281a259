"""Light pages in a real Chromium: the board fetches no tree library; the tree gets it once, in its page when opened
at its address, fetched on demand when reached from the board's navigation, and draws; charts still draw on the
OKR and review pages, with plotly.js's basic bundle, and no page logs a console error."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from huddle.dashboard.demo import demo_actions, demo_okrs
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

from tests.conftest import DEMO_NOW, load_demo

pytestmark = pytest.mark.e2e

FETCHED_JS = "return performance.getEntriesByType('resource').map(function (e) { return e.name; });"
CHART = ".js-plotly-plot .main-svg"
#: the trace types the plotly.js in the page knows, and those of each chart drawn
CHART_TRACES_JS = """
    return {known: Object.keys(window.Plotly.PlotSchema.get().traces).sort(),
            drawn: Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (chart) {
                return chart._fullData.map(function (trace) { return [trace.type, trace.visible]; });
            })};
"""
#: the nodes the cytoscape instance behind the element draws (found through React's fiber of the element)
TREE_NODES_JS = """
    const el = document.getElementById(arguments[0]);
    const key = Object.keys(el).find(function (k) { return k.startsWith('__reactFiber'); });
    let fiber = key ? el[key] : null;
    while (fiber && !(fiber.stateNode && fiber.stateNode._cy)) { fiber = fiber.return; }
    return fiber ? fiber.stateNode._cy.nodes().length : 0;
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three weeks of the demo plant with its actions and this quarter's OKRs."""
    services = load_demo(tmp_path_factory.mktemp("light-demo"), DEMO_NOW, days=21)
    demo_actions(services)
    demo_okrs(services)
    yield services
    services.dispose()


def _fetched(dash_duo, library: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [name for name in dash_duo.driver.execute_script(FETCHED_JS) if library in name]


def _charts_drawn_by_the_basic_bundle(dash_duo) -> None:  # type: ignore[no-untyped-def]
    """plotly.js's basic bundle is the one loaded, and every trace of every chart is of a type it draws, shown."""
    charts = dash_duo.driver.execute_script(CHART_TRACES_JS)
    assert charts["known"] == ["bar", "pie", "scatter"]
    assert any(charts["drawn"])  # a chart with nothing to show yet (the tree's Pareto before a pick) has no trace
    for traces in charts["drawn"]:
        assert all(kind in charts["known"] and visible is True for kind, visible in traces), traces


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_the_board_fetches_no_tree_library_and_the_tree_fetches_it_when_reached(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo), navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/board?kiosk=1")
    dash_duo.wait_for_element(f"#{ids.BOARD_BODY} .tile", timeout=30)
    assert _fetched(dash_duo, "dash_cytoscape") == []
    assert _fetched(dash_duo, "plotly") == []  # the board draws no chart
    _no_console_errors(dash_duo)

    dash_duo.driver.get(dash_duo.server.url + "/board")
    dash_duo.wait_for_element(f"#{ids.BOARD_BODY} .tile", timeout=30)
    dash_duo.find_element(f"#{ids.NAV} a[href^='/tree']").click()  # within the page: no new document
    dash_duo.wait_for_element(f"#{ids.TREE_GRAPH} canvas", timeout=30)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", "OEE", timeout=30)
    assert len(_fetched(dash_duo, "dash_cytoscape")) == 1
    until(lambda: dash_duo.driver.execute_script(TREE_NODES_JS, ids.TREE_GRAPH) > 0, timeout=20)  # the real graph
    _no_console_errors(dash_duo)


def test_the_tree_okr_and_review_pages_draw_when_opened_directly(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo), navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/tree")
    dash_duo.wait_for_element(f"#{ids.TREE_GRAPH} canvas", timeout=30)
    dash_duo.wait_for_element(f"#{ids.TREE_TREND} {CHART}", timeout=30)
    assert len(_fetched(dash_duo, "dash_cytoscape")) == 1
    _charts_drawn_by_the_basic_bundle(dash_duo)
    _no_console_errors(dash_duo)

    dash_duo.driver.get(dash_duo.server.url + "/okr")
    dash_duo.wait_for_element(f"#{ids.OKR_HISTORY} {CHART}", timeout=40)
    assert _fetched(dash_duo, "dash_cytoscape") == []  # a new document: the OKR page draws no tree
    _charts_drawn_by_the_basic_bundle(dash_duo)
    _no_console_errors(dash_duo)

    dash_duo.driver.get(dash_duo.server.url + "/review")
    dash_duo.wait_for_element(f"#{ids.REVIEW_BODY} {CHART}", timeout=40)
    assert _fetched(dash_duo, "dash_cytoscape") == []
    _charts_drawn_by_the_basic_bundle(dash_duo)
    _no_console_errors(dash_duo)
