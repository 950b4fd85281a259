"""Every page on a phone, in Chromium 390 px wide: the page is no wider than the screen (it scrolls down, never
sideways; a table wider than the screen scrolls inside itself). The admin page is read by a signed-in admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.readability import viewport

pytestmark = pytest.mark.e2e

#: each page (and the TV board opened on a phone) and what shows once it is drawn
PAGES = [("/board", ".board-column"), ("/board?kiosk=1", ".board-column"), ("/tree", ".tree-summary"),
         ("/okr", ".okr-summary h1"), ("/review", "table.bowler"), ("/data", "table.grid"), ("/", "table.overview"),
         ("/admin", ".admin-forms"), ("/portfolio", "main.page h1"), ("/login", "form.login-form")]


@pytest.fixture
def services(demo_services: Any) -> Any:
    """The demo plant as at DEMO_NOW, anyone may read, and an admin for the admin page."""
    demo_services.accounts.add_user("cli", "ada", "admin-password-1", "admin")
    return demo_services


def test_every_page_fits_a_phone_without_sideways_scrolling(dash_duo: Any, app: Any) -> None:
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/login")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys("ada")
    dash_duo.find_element("input[name=password]").send_keys("admin-password-1")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", "Ada ·", timeout=20)
    viewport(dash_duo.driver, 390, 844)
    wider = {}
    for path, drawn in PAGES:
        dash_duo.driver.get(dash_duo.server.url + path)
        dash_duo.wait_for_element(drawn, timeout=30)
        width, screen = dash_duo.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];")
        assert screen == 390
        if width > screen:
            wider[path] = width
    assert wider == {}, wider
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors
