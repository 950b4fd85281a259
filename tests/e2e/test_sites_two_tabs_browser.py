"""Two sites open in two tabs of one browser: the action a supervisor saves in one tab is stored for that tab's site,
though the other tab was opened last (and the cookie every tab shares names the other site)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.sites import build_sites

from tests.conftest import SMALL_PLANT

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 13, 30, tzinfo=UTC)  # Berlin 14:30, Chicago 07:30


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def _raise_action(dash_duo, what: str) -> None:  # type: ignore[no-untyped-def]
    """Fill the board's action form and press its button."""
    dash_duo.find_element(f"#{ids.ACTION_WHAT}").send_keys(what)
    dash_duo.find_element(f"#{ids.ACTION_OWNER}").send_keys("Tom Becker")
    dash_duo.driver.execute_script("""
        const input = document.getElementById(arguments[0]);
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        setter.call(input, '2026-11-23');
        input.dispatchEvent(new Event('input', {bubbles: true}));""", ids.ACTION_DUE)
    dash_duo.select_dcc_dropdown(f"#{ids.ACTION_KPI}", "D · OEE")
    dash_duo.find_element(f"#{ids.ACTION_ADD}").click()


def test_an_action_is_stored_for_the_site_of_the_tab_it_was_saved_in(dash_duo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ex, lake = tmp_path / "ex.yaml", tmp_path / "lake.yaml"
    ex.write_text(SMALL_PLANT, encoding="utf-8")
    lake.write_text(SMALL_PLANT.replace("{key: ex, name: Example Plant, timezone: Europe/Berlin}",
                                        "{key: lake, name: Lakeside Plant, timezone: America/Chicago}"),
                    encoding="utf-8")
    settings = Settings(data_dir=tmp_path, sites=(ex, lake), anonymous_access="off")
    sites = build_sites(settings, clock=lambda: NOW)
    sites.home.accounts.add_user("cli", "eddie", "editor-password-1", "editor")
    dash_duo.start_server(create_app(settings, sites=sites), navigate=False)
    driver, base = dash_duo.driver, dash_duo.server.url
    driver.get(base + "/login?next=/%3Fsite%3Dlake")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys("eddie")
    dash_duo.find_element("input[name=password]").send_keys("editor-password-1")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    # tab 1: Lakeside's overview, then its board through the navigation bar
    dash_duo.wait_for_text_to_equal(f"#{ids.SITE_TITLE}", "Lakeside Plant", timeout=20)
    driver.find_element("css selector", f"#{ids.NAV} a[href^='/board']").click()
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "Lakeside Plant", timeout=30)
    assert "site=lake" in driver.current_url, driver.current_url
    lake_tab = driver.current_window_handle
    # tab 2, opened last: the Example Plant's board (the shared cookie now names Example Plant)
    driver.switch_to.new_window("tab")
    driver.get(base + "/board?site=ex")
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "Example Plant", timeout=30)
    driver.get(base + "/tree")  # an address without its site: the cookie's, now Example Plant's, is written in
    dash_duo.wait_for_text_to_equal(f"#{ids.SITE_TITLE}", "Example Plant", timeout=20)
    assert "site=ex" in driver.current_url, driver.current_url
    _no_console_errors(dash_duo)
    # back in tab 1, the supervisor saves an action: it is Lakeside's
    driver.switch_to.window(lake_tab)
    _raise_action(dash_duo, "Check the Lakeside filler")
    dash_duo.wait_for_contains_text(f"#{ids.ACTION_MESSAGE}", "Saved action 1", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "Check the Lakeside filler", timeout=15)
    assert [a.what for a in sites.by_key["lake"].actions.listing("plant")] == ["Check the Lakeside filler"]
    assert sites.by_key["ex"].actions.listing("plant", open_only=False) == []
    assert dash_duo.find_element(f"#{ids.SITE_TITLE}").text == "Lakeside Plant"
    _no_console_errors(dash_duo)
    sites.dispose()
