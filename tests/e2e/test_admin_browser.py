"""The Admin page in a real Chromium: an admin signs in, adds an editor and a wall-TV display, the TV opens its link;
a viewer never sees the page's data."""

from __future__ import annotations

import re

import pytest
from huddle.dashboard.web import ids
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "admin-password-1"
VIEWER_PASSWORD = "viewer-password-1"


def _no_console_errors(dash_duo, where: str) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], (where, errors)


def _sign_in(dash_duo, username: str, password: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real /login form and wait for the overview to show who is signed in, by name."""
    dash_duo.driver.get(dash_duo.server.url + "/login")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys(username)
    dash_duo.find_element("input[name=password]").send_keys(password)
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", f"{name} ·", timeout=15)


def _type(dash_duo, component_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.wait_for_element(f"#{component_id}").send_keys(text)


def _admin_links(dash_duo) -> list:  # type: ignore[no-untyped-def]
    return dash_duo.driver.find_elements(By.CSS_SELECTOR, "a.nav-link[href='/admin']")


@pytest.fixture
def services(make_services):  # type: ignore[no-untyped-def]
    """Sign-in required; an admin (boss) and a viewer (vic); the shared app fixture serves them."""
    services = make_services(None, anonymous_access="off")
    services.accounts.add_user("cli", "boss", ADMIN_PASSWORD, "admin", "Big Boss")
    services.accounts.add_user("cli", "vic", VIEWER_PASSWORD, "viewer", "Vic Viewer")
    return services


def test_admin_adds_an_editor_and_a_display_that_opens_its_link(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo, "boss", ADMIN_PASSWORD, "Big Boss")
    _no_console_errors(dash_duo, "overview as admin")

    dash_duo.wait_for_element("a.nav-link[href='/admin']", timeout=10).click()
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_USERS}", "Big Boss", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_AUDIT}", "user added", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_SESSIONS}", "Big Boss", timeout=15)  # this browser, signed in

    _type(dash_duo, ids.ADMIN_ADD_USERNAME, "eddie")
    _type(dash_duo, ids.ADMIN_ADD_NAME, "Eddie Editor")
    dash_duo.select_dcc_dropdown(f"#{ids.ADMIN_ADD_ROLE}", value="editor")
    _type(dash_duo, ids.ADMIN_ADD_PASSWORD, "editor-password-1")
    _type(dash_duo, ids.ADMIN_ADD_REPEAT, "editor-password-1")
    dash_duo.find_element(f"#{ids.ADMIN_ADD_BUTTON}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.ADMIN_ADD_MESSAGE}", "Added Eddie Editor as editor.", timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_USERS}", "Eddie Editor", timeout=10)
    row = next(r for r in dash_duo.find_elements(f"#{ids.ADMIN_USERS} tr") if "Eddie Editor" in r.text)
    assert "editor" in row.text and "active" in row.text
    assert dash_duo.find_element(f"#{ids.ADMIN_ADD_PASSWORD}").get_attribute("value") == ""
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_AUDIT}", "Eddie Editor", timeout=10)

    _type(dash_duo, ids.ADMIN_DISPLAY_NAME, "Line 1 TV")
    dash_duo.find_element(f"#{ids.ADMIN_DISPLAY_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_DISPLAY_MESSAGE}", "/display/", timeout=10)
    link = dash_duo.find_element(f"#{ids.ADMIN_DISPLAY_MESSAGE} code").text
    assert re.fullmatch(re.escape(dash_duo.server.url) + r"/display/[\w-]{40,}", link), link
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_DISPLAYS}", "Line 1 TV", timeout=10)
    assert "live" in dash_duo.find_element(f"#{ids.ADMIN_DISPLAYS}").text
    _no_console_errors(dash_duo, "admin page")

    dash_duo.find_element("form.inline button[type=submit]").click()  # Sign out
    dash_duo.wait_for_element("form.login-form", timeout=10)
    dash_duo.driver.get(link)
    dash_duo.wait_for_element("#overview-title", timeout=15)
    assert dash_duo.driver.current_url.endswith("/?kiosk=1")
    # kiosk mode hides the header on the TV; it still names the display and offers no Admin link
    dash_duo.wait_for_element(f"#{ids.APP_ROOT}.kiosk", timeout=10)
    who = dash_duo.find_element(".who").get_attribute("textContent")
    assert who == "Display Line 1 TV"
    assert _admin_links(dash_duo) == []
    _no_console_errors(dash_duo, "display")


def test_a_viewer_sees_no_admin_link_and_no_admin_data(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo, "vic", VIEWER_PASSWORD, "Vic Viewer")
    dash_duo.wait_for_element("a.nav-link[href='/data']", timeout=10)
    assert _admin_links(dash_duo) == []
    _no_console_errors(dash_duo, "overview as viewer")

    dash_duo.driver.get(dash_duo.server.url + "/admin")
    dash_duo.wait_for_contains_text(f"#{ids.ADMIN_NOTICE}", "Admins only", timeout=15)
    assert not dash_duo.find_element(f"#{ids.ADMIN_BODY}").is_displayed()
    page = dash_duo.find_element("main").get_attribute("textContent")
    assert "Big Boss" not in page and "boss" not in page
    _no_console_errors(dash_duo, "admin page as viewer")
