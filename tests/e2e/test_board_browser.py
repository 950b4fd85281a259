"""The shift board in a real Chromium: five columns with real data, a red KPI marked until an editor raises an
action, kiosk with a playlist that loops, and clear messages for a scope or shift the plant does not have."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dash.testing.wait import until
from huddle.dashboard.web import ids

from tests.conftest import Inbox
from tests.e2e.readability import measure, viewport

pytestmark = pytest.mark.e2e

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,12000
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,12000
L2,2026-11-20 06:00,2026-11-20 14:00,,24000,23900,24000
"""
STOPS = """line;start;end;reason;category;equipment
L1;2026-11-20 07:00;2026-11-20 07:30;Filler jam;unplanned;Filler
L1;2026-11-20 10:00;2026-11-20 10:17;Filler jam;unplanned;Filler
"""
L1_EARLY = "/board?scope=L1&date=2026-11-20&shift=E"


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


@pytest.fixture
def services(make_services, inbox: Inbox):  # type: ignore[no-untyped-def]
    """The small plant after its early shift (now 15:30 plant time), anyone may read, one editor; the shared app
    fixture serves it."""
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC))
    inbox.load(services, counts=COUNTS, stops=STOPS)
    services.accounts.add_user("cli", "eddie", "editor-password-1", "editor")
    return services


def test_board_shows_five_columns_with_the_shift_and_its_losses(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + L1_EARLY)
    dash_duo.wait_for_contains_text(".board-title", "Line 1", timeout=20)
    columns = dash_duo.driver.find_elements("css selector", ".board-column")
    assert [c.find_element("css selector", ".letter-badge").text for c in columns] == list("SQDCM")
    body = dash_duo.find_element(f"#{ids.BOARD_BODY}").text
    assert "74.8 %" in body  # OEE of the published example
    assert "needs action" in body
    assert "47 min Filler jam" in body
    assert "Line 1 – Area A lost 47 min to unplanned stops" in body
    assert "06:00" in body and "13:00" in body  # hour by hour
    assert len(dash_duo.driver.find_elements("css selector", ".letter .cell")) >= 30
    _no_console_errors(dash_duo)


def test_an_editor_raises_an_action_from_the_board(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/login?next=" + L1_EARLY.replace("&", "%26"))
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys("eddie")
    dash_duo.find_element("input[name=password]").send_keys("editor-password-1")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".board-title", "Line 1", timeout=20)  # the board comes drawn with the page
    until(dash_duo._wait_for_callbacks, timeout=20, poll=0.2)  # and the forms' choices a moment later
    dash_duo.find_element(f"#{ids.ACTION_WHAT}").send_keys("Replace the filler star wheel")
    dash_duo.find_element(f"#{ids.ACTION_OWNER}").send_keys("Tom Becker")
    dash_duo.driver.execute_script("""
        const input = document.getElementById(arguments[0]);
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        setter.call(input, '2026-11-23');
        input.dispatchEvent(new Event('input', {bubbles: true}));""", ids.ACTION_DUE)
    dash_duo.select_dcc_dropdown(f"#{ids.ACTION_KPI}", "D · OEE")
    dash_duo.find_element(f"#{ids.ACTION_ADD}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ACTION_MESSAGE}", "Saved action", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "Replace the filler star wheel", timeout=15)
    assert [a.what for a in services.actions.listing("L1")] == ["Replace the filler star wheel"]
    tiles = dash_duo.driver.find_elements("css selector", ".board-column .tile")
    oee = next(t for t in tiles if t.find_element("css selector", ".kpi-name").text == "OEE")
    assert "needs action" not in oee.text  # OEE has its action now
    _no_console_errors(dash_duo)


def test_kiosk_playlist_loops_and_stays_in_kiosk(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/board?kiosk=1&scopes=L1,L2&cycle=3&date=2026-11-20&shift=E")
    dash_duo.wait_for_contains_text(".board-title", "Line 1", timeout=20)
    assert not dash_duo.find_element(".app-header").is_displayed()
    assert not dash_duo.find_element(f"#{ids.BOARD_CONTROLS}").is_displayed()
    dash_duo.wait_for_contains_text(".board-title", "Line 2", timeout=15)
    dash_duo.wait_for_contains_text(".board-title", "Line 1", timeout=15)  # a full loop
    assert "kiosk=1" in dash_duo.driver.current_url
    assert not dash_duo.find_element(".app-header").is_displayed()
    _no_console_errors(dash_duo)


@pytest.mark.parametrize("query, message", [
    ("scope=L9", "unknown scope 'L9'"),
    ("scope=L1&date=2026-11-20&shift=X", "shift 'X' is not a shift of this plant"),
    ("scope=L1&date=20.11.2026&shift=E", "expected like 2026-11-20"),
])
def test_bad_addresses_get_a_clear_message(dash_duo, app, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/board?" + query)
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", message, timeout=15)
    assert "This board cannot be shown" in dash_duo.find_element(f"#{ids.BOARD_BODY}").text
    _no_console_errors(dash_duo)


def test_a_day_without_data_says_so(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/board?scope=L1&date=2026-11-18&shift=E")
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "No production recorded for Line 1", timeout=20)
    assert "no data" in dash_duo.find_element(f"#{ids.BOARD_BODY}").text
    _no_console_errors(dash_duo)


def test_a_column_with_more_tiles_than_a_tv_has_room_for_fits_and_says_how_many_more(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    # the small plant has five headline KPIs in Delivery: a TV shows two, the desk board all five
    dash_duo.start_server(app)
    for width, height in ((1920, 1080), (1366, 768)):
        viewport(dash_duo.driver, width, height)
        dash_duo.driver.get(dash_duo.server_url + L1_EARLY + "&kiosk=1")
        dash_duo.wait_for_contains_text(".board-column > .more", "+3 more on the desk board", timeout=30)
        shown = measure(dash_duo.driver)
        assert shown["clipped"] == [], (width, height, shown["clipped"])
        assert (shown["scrollWidth"], shown["scrollHeight"]) == (width, height)
        tiles = dash_duo.driver.execute_script(
            "return [...document.querySelectorAll('.board-column .tile')].filter((t) => t.checkVisibility())"
            ".map((t) => t.querySelector('.kpi-name').textContent)")
        assert len(tiles) == 4, tiles  # Delivery's two, Safety's and Quality's one each
    dash_duo.driver.get(dash_duo.server_url + L1_EARLY)
    dash_duo.wait_for_element(".board-column .kpi-value", timeout=30)
    assert len(dash_duo.find_elements(".board-column .tile")) == 7
    assert not dash_duo.find_element(".board-column .more").is_displayed()
    _no_console_errors(dash_duo)
