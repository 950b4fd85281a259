"""The shop-floor entry page in a real Chromium at a tablet's size: Line 1's operator codes a stop in three taps
(what stopped, why, save) and Line 1's board shows it; every target is at least 48 px; a refusal keeps what was
tapped and says why in place; no console errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from huddle.dashboard.web import ids

from tests.integration.test_shop_floor import PLANT

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 21:00 in Berlin: the late shift runs
TABLET = (1280, 800)
SMALLEST = 48  # px: the smallest target a finger hits reliably (WCAG 2.5.5, Apple and Android guidance)


@pytest.fixture
def services(make_services, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The small plant with a reason tree, sign-in required, Line 1's operator; the shared app fixture serves it."""
    plant = tmp_path / "plant_entry.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(None, now=NOW, plant=plant, anonymous_access="off")
    services.accounts.add_user("cli", "olga", "operator-password-1", "operator", "Olga Novak", "L1")
    return services


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def _sign_in(dash_duo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.set_window_size(*TABLET)
    dash_duo.driver.get(dash_duo.server.url + "/login?next=/entry")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys("olga")
    dash_duo.find_element("input[name=password]").send_keys("operator-password-1")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", "Olga Novak ·", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_HEAD}", "Entry · Line 1", timeout=15)


def _tap(dash_duo, label: str, last: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Tap the visible button that says ``label`` (the last such when ``last``) once the page has drawn it; a choice
    is tapped when the page shows it picked (the page draws its buttons again after every tap)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    path = f"//button[normalize-space()='{label}']"

    def tapped(driver):  # type: ignore[no-untyped-def]
        try:
            found = [b for b in driver.find_elements("xpath", path) if b.is_displayed()]
            if found:
                found[-1 if last else 0].click()
                return True
        except StaleElementReferenceException:
            pass
        return False

    WebDriverWait(dash_duo.driver, 10, poll_frequency=0.2).until(tapped)
    if label[0] not in "+−" and dash_duo.driver.find_elements("xpath", path + "[@aria-pressed]"):
        WebDriverWait(dash_duo.driver, 10, poll_frequency=0.2).until(
            lambda driver: driver.find_elements("xpath", path + "[@aria-pressed='true']"))


def _small_targets(dash_duo) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return dash_duo.driver.execute_script(f"""return [...document.querySelectorAll('.entry-page button, .entry-page a')]
        .filter(b => b.offsetParent).map(b => [b.innerText.trim().slice(0, 24),
        Math.round(b.getBoundingClientRect().width), Math.round(b.getBoundingClientRect().height)])
        .filter(x => x[1] < {SMALLEST} || x[2] < {SMALLEST})""")


def test_the_operator_codes_a_stop_in_three_taps_and_the_board_shows_it(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo)
    taps = ["Filler", "Filler jam", "Save stop"]
    for label in taps:
        _tap(dash_duo, label)  # each waits until the page drew its button
    assert len(taps) <= 3
    dash_duo.wait_for_text_to_equal(f"#{ids.ENTRY_STOP_MESSAGE}", "Stop stored: Filler jam, 20:50–21:00 on Line 1",
                                    timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_LOG}", "Stop 20:50–21:00: Filler jam (Olga Novak)", timeout=10)
    dash_duo.driver.get(dash_duo.server.url + "/board?scope=L1&live=1")
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "10 min Filler jam", timeout=20)
    _no_console_errors(dash_duo)


def test_every_target_is_big_enough_for_a_finger(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo)
    _tap(dash_duo, "Filler")
    _tap(dash_duo, "Lasted …")
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_STOP_PICK}", "5 min", timeout=10)
    seen = {"stop": _small_targets(dash_duo)}
    for tab, shows in (("Defects", "How many?"), ("Safety", "What happened?"), ("Hour", "Which hour?")):
        _tap(dash_duo, tab)
        dash_duo.wait_for_contains_text(".entry-page", shows, timeout=10)
        seen[tab] = _small_targets(dash_duo)
    assert seen == {"stop": [], "Defects": [], "Safety": [], "Hour": []}
    buttons = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('.entry-page button')].filter(b => b.offsetParent).length")
    assert buttons >= 10  # the hour tab's hours and phrases were measured, not an empty page
    _no_console_errors(dash_duo)


def test_a_refused_stop_keeps_what_was_tapped(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo)
    _tap(dash_duo, "Filler")
    _tap(dash_duo, "Capper fault")
    _tap(dash_duo, "Lasted …")
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_STOP_PICK}", "5 min", timeout=10)
    _tap(dash_duo, "+", last=True)  # the stepper of how long it lasted
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_STOP_PICK}", "6 min", timeout=10)
    _tap(dash_duo, "60 min ago")
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_STOP_PICK}", "60 min ago (20:00)", timeout=10)
    _tap(dash_duo, "Save stop")
    dash_duo.wait_for_text_to_equal(f"#{ids.ENTRY_STOP_MESSAGE}", "Stop stored: Capper fault, 20:00–20:06 on Line 1",
                                    timeout=15)
    _tap(dash_duo, "Filler")
    _tap(dash_duo, "Filler jam")
    _tap(dash_duo, "60 min ago")
    _tap(dash_duo, "Save stop")
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_STOP_MESSAGE}", "Not stored: Line 1 was already stopped from 20:00 "
                                    "to 20:06 (Capper fault)", timeout=15)
    picked = [b.text for b in dash_duo.driver.find_elements("css selector", ".entry-choice.picked") if b.is_displayed()]
    assert picked == ["Filler", "Filler jam", "60 min ago", "Runs again now"]  # kept as tapped
    _no_console_errors(dash_duo)


def test_a_stop_still_running_runs_again_with_one_tap(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo)
    for label in ("Unplanned stop", "Conveyor blockage", "5 min ago", "Still stopped", "Save stop"):
        _tap(dash_duo, label)
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_RUNNING}", "Conveyor blockage since 20:55", timeout=15)
    _tap(dash_duo, "Runs again")
    dash_duo.wait_for_text_to_equal(f"#{ids.ENTRY_STOP_MESSAGE}", "Line 1 runs again: Conveyor blockage lasted 5 min",
                                    timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.ENTRY_LOG}", "Stop 20:55–21:00: Conveyor blockage (Olga Novak)",
                                    timeout=10)
    _no_console_errors(dash_duo)
