"""The KPI stack in a real Chromium on the demo plant: five layers drawn top to bottom with their forums, a layer
filter through the address that says it is on and clears, the scope picker writing the address, and a KPI leading
to its node in the tree; the browser console stays free of errors."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

from tests.conftest import DEMO_NOW, load_demo

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Two weeks of the demo plant."""
    services = load_demo(tmp_path_factory.mktemp("stack-demo"), DEMO_NOW, days=14)
    yield services
    services.dispose()


def _headings(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.text for h in dash_duo.driver.find_elements("css selector", f"#{ids.STACK_BODY} .stack-layer h2")]


def test_the_stack_filters_by_layer_and_leads_to_the_tree(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.get(dash_duo.server_url + "/stack?scope=L2&layer=2")
    dash_duo.wait_for_contains_text(f"#{ids.STACK_FILTER} .filter-chip", "Showing only Layer 2 – Supervisor / shift",
                                    timeout=40)
    assert _headings(dash_duo) == ["Layer 2 – Supervisor / shift"]
    assert "Shift huddle, every shift" in dash_duo.find_element(f"#{ids.STACK_BODY} .stack-forum").text
    dash_duo.wait_for_contains_text(f"#{ids.STACK_FINDINGS}", "Layers with too few or too many KPIs", timeout=20)
    # clearing the filter shows every layer, top to bottom, and the address says so
    dash_duo.find_element(f"#{ids.STACK_FILTER} .chip-clear").click()
    until(lambda: len(_headings(dash_duo)) == 5, timeout=20)
    assert [h.split(" –")[0] for h in _headings(dash_duo)] == [f"Layer {n}" for n in (5, 4, 3, 2, 1)]
    assert dash_duo.driver.find_elements("css selector", f"#{ids.STACK_FILTER} .filter-chip") == []
    assert "layer=" not in dash_duo.driver.current_url and "scope=L2" in dash_duo.driver.current_url
    # a KPI leads to its node in the tree, at the line and shift the stack reads
    link = next(a for a in dash_duo.driver.find_elements("css selector", f"#{ids.STACK_BODY} .stack-table a")
                if a.text == "Availability")
    link.click()
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "Availability", timeout=40)
    assert "scope=L2" in dash_duo.driver.current_url and "node=availability" in dash_duo.driver.current_url
    focus = f"return document.getElementById('{ids.TREE_FOCUS}').textContent;"  # folded under the tree: not shown
    until(lambda: "Owners who are not users" in dash_duo.driver.execute_script(focus), timeout=20)
    assert [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"] == []
