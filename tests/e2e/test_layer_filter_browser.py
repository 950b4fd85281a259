"""The layer filter in a real Chromium: a board opened with ``layer=4`` lists only that layer's tiles and says so,
the layer picker changes the filter and the address, the filter stays when the scope changes, and nothing is
logged to the console."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from huddle.dashboard.web import ids

from tests.conftest import Inbox
from tests.integration.test_layer_filter import COUNTS, LAYERED, STOPS

pytestmark = pytest.mark.e2e

L1_EARLY = "/board?scope=L1&date=2026-11-20&shift=E"


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def _tiles(dash_duo) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text for t in dash_duo.driver.find_elements("css selector", ".board-column .tile .kpi-name")]


@pytest.fixture
def services(make_services, inbox: Inbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The small plant with its KPIs on layers 2 to 4, after its early shift; the shared app fixture serves it."""
    plant = tmp_path / "layered.yaml"
    plant.write_text(LAYERED, encoding="utf-8")
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC), plant=plant)
    inbox.load(services, counts=COUNTS, stops=STOPS)
    return services


def test_the_board_filters_by_layer_from_its_address_and_its_picker(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + L1_EARLY + "&layer=4")
    dash_duo.wait_for_contains_text(".filter-chip", "Showing only Layer 4 – Continuous improvement", timeout=20)
    assert _tiles(dash_duo) == ["OEE"]
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_LAYER}", "Layer 4 – Continuous improvement", timeout=10)
    dash_duo.select_dcc_dropdown(f"#{ids.BOARD_LAYER}", "Layer 3 – Maintenance & reliability")
    dash_duo.wait_for_contains_text(".filter-chip", "Layer 3 – Maintenance & reliability", timeout=20)
    assert "layer=3" in dash_duo.driver.current_url
    dash_duo.wait_for_text_to_equal(".board-column .tile .kpi-name", "Availability", timeout=10)
    assert _tiles(dash_duo) == ["Availability"]
    dash_duo.select_dcc_dropdown(f"#{ids.BOARD_SCOPE}", "Line 2")  # another scope keeps the filter
    dash_duo.wait_for_contains_text(".board-title", "Line 2", timeout=20)
    assert "scope=L2" in dash_duo.driver.current_url and "layer=3" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text(".filter-chip", "Layer 3", timeout=10)
    dash_duo.find_element(".filter-chip .chip-clear").click()  # every layer again
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "Quality", timeout=20)
    assert "layer=" not in dash_duo.driver.current_url and {"OEE", "Availability", "Quality"} <= set(_tiles(dash_duo))
    assert not dash_duo.driver.find_elements("css selector", ".filter-chip")
    _no_console_errors(dash_duo)


def test_the_tree_and_the_overview_keep_their_layer_in_the_address(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/tree?tree=oee&scope=L1&grain=shift&date=2026-11-20&shift=E&layer=4")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY} .filter-chip", "Layer 4", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_OUTLINE}", "another layer", timeout=20)
    faint = dash_duo.driver.find_elements("css selector", ".outline-node.off-layer")
    assert {f.text.split(" ")[0] for f in faint} == {"Availability", "Performance", "Quality"}
    dash_duo.select_dcc_dropdown(f"#{ids.TREE_LAYER}", "Layer 3 – Maintenance & reliability")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY} .filter-chip", "Layer 3", timeout=20)
    assert "layer=3" in dash_duo.driver.current_url and "scope=L1" in dash_duo.driver.current_url
    dash_duo.driver.get(dash_duo.server_url + "/?layer=4")
    dash_duo.wait_for_contains_text(f"#{ids.OVERVIEW_FILTER} .filter-chip", "Layer 4", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.OVERVIEW_TABLE}", "OEE", timeout=20)
    assert "Availability" not in dash_duo.find_element(f"#{ids.OVERVIEW_TABLE}").text
    dash_duo.find_elements(f"#{ids.OVERVIEW_GRAIN} input")[2].click()  # this week
    dash_duo.wait_for_contains_text(f"#{ids.OVERVIEW_TITLE}", "This week", timeout=20)
    assert "grain=week" in dash_duo.driver.current_url and "layer=4" in dash_duo.driver.current_url
    _no_console_errors(dash_duo)
