"""A wide KPI tree on a laptop, in a real Chromium: a tree of ten leaves opened whole at 1366×768 fits its canvas
across (its largest groups of leaves stacked under their parents), with labels still at least 14 px on screen, no
node on another and nothing on the page clipped or wider than the window."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.container import build_services
from huddle.dashboard.settings import DEMO_PLANT, Settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.pages.tree_graph import LABEL_PX
from selenium.common.exceptions import JavascriptException

from tests.conftest import DEMO_NOW, load_demo
from tests.e2e.readability import measure, viewport
from tests.e2e.test_tree_reading_browser import CY, GRAPH_JS, _no_console_errors, _wait

pytestmark = pytest.mark.e2e

#: OEE opened down to ten leaves: four under availability, two under performance, four under quality
WIDE_TREE = """  - key: wide
    name: Wide OEE tree
    root: oee
    edges:
      - {parent: oee, children: [availability, performance, quality], formula: product}
      - {parent: availability, children: [unplanned_downtime, changeover_time, mttr, mtbf]}
      - {parent: performance, children: [units_per_labour_hour, schedule_attainment]}
      - {parent: quality, children: [scrap_rate, rework_rate, fpy, rty]}
"""
LEAVES = 10
#: each node drawn on screen: its box
BOXES_JS = CY + "return cy.nodes().map(n => ({id: n.id(), folded: n.data('folded'), bb: n.renderedBoundingBox()}));"
OPEN_FOLDED_JS = CY + "const f = cy.nodes().filter(n => n.data('folded')); if (f.length) { f[0].emit('tap'); }" \
    "return f.length;"
SHOTS = Path("/tmp/huddle-screens")


def _run(driver: Any, script: str) -> Any:
    """What a script answers, or None while the graph is not drawn yet (its instance is not there to read)."""
    try:
        return driver.execute_script(script)
    except JavascriptException:
        return None


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three weeks of the demo plant, served with one more tree of ten leaves."""
    folder = tmp_path_factory.mktemp("tree-wide")
    load_demo(folder, DEMO_NOW, days=21).dispose()
    plant = folder / "plant-wide.yaml"
    text = DEMO_PLANT.read_text(encoding="utf-8")
    plant.write_text(text.replace("  - key: delivery\n", WIDE_TREE + "  - key: delivery\n", 1), encoding="utf-8")
    services = build_services(Settings(data_dir=folder, plant_config=plant, anonymous_access="read"),
                              clock=lambda: DEMO_NOW)
    assert "wide" in services.config.trees
    yield services
    services.dispose()


def test_a_tree_of_ten_leaves_fits_a_1366_wide_laptop(dash_duo, wide) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(wide.settings, services=wide))
    viewport(dash_duo.driver, 1366, 768)
    dash_duo.driver.get(dash_duo.server_url + "/tree?tree=wide&scope=L2")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", "OEE", timeout=30)
    for _round in range(8):  # open every folded node, one tap at a time (each redraws the tree)
        _wait(lambda: _run(dash_duo.driver, BOXES_JS))
        if not _run(dash_duo.driver, OPEN_FOLDED_JS):
            break
        _wait(lambda: _run(dash_duo.driver, BOXES_JS))
    boxes = _wait(lambda: (b := _run(dash_duo.driver, BOXES_JS)) and len(b) == 3 + 1 + LEAVES
                  and not any(n["folded"] for n in b) and b)
    graph = _wait(lambda: (g := _run(dash_duo.driver, GRAPH_JS)) and g["bb"]["x1"] >= 0
                  and g["bb"]["x2"] <= g["width"] and g["bb"]["y2"] <= g["height"] and g)
    smallest = min(n["px"] for n in graph["nodes"])
    assert smallest >= LABEL_PX, f"labels are {smallest:.1f} px on screen"
    overlaps = [(a["id"], b["id"]) for a, b in combinations(boxes, 2)
                if a["bb"]["x1"] < b["bb"]["x2"] and b["bb"]["x1"] < a["bb"]["x2"]
                and a["bb"]["y1"] < b["bb"]["y2"] and b["bb"]["y1"] < a["bb"]["y2"]]
    assert overlaps == []
    page = measure(dash_duo.driver)
    assert page["scrollWidth"] <= 1366, f"the page is {page['scrollWidth']} px wide"
    assert [c for c in page["clipped"] if "tree-graph" in c or "tree-canvas" in c] == [], page["clipped"]
    SHOTS.mkdir(exist_ok=True)
    dash_duo.driver.save_screenshot(str(SHOTS / "tree-wide-1366.png"))
    dash_duo.driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'end'})",
                                   ids.TREE_GRAPH)
    dash_duo.driver.save_screenshot(str(SHOTS / "tree-wide-1366-stacks.png"))  # the stacks' lower end
    _no_console_errors(dash_duo)
