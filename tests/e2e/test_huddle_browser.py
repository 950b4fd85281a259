"""Huddle mode and the shift handover in a real Chromium: a team leader runs the tier 1 huddle on the TV board
through its segments (by click and by keyboard, the timer on a clock the test sets), takes the attendance with a tap,
closes it and finds its record on /huddles; an outgoing leader hands over from the board, the handover leads the next
shift's board (on the TV too) and the incoming leader acknowledges it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.container import build_services
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.conftest import SMALL_PLANT, write_past

pytestmark = pytest.mark.e2e

START = datetime(2026, 11, 20, 5, 5, tzinfo=UTC)  # 06:05 in Berlin, Friday: the early shift's huddle
#: Thursday's night shift on Line 1, far below its OEE target: red on the board the huddle reads
COUNTS = "line,start,end,product,total,good,planned\nL1,2026-11-19 22:00,2026-11-20 06:00,cola,10000,9000,12000\n"
PASSWORDS = {"tina": "tina-leader-password", "ivan": "ivan-leader-password", "tom": "tom-operator-password"}


@pytest.fixture
def moment() -> list[datetime]:
    """The server's clock, which the test moves on."""
    return [START]


@pytest.fixture
def services(tmp_path: Path, moment: list[datetime]) -> Any:
    """The small plant at 06:05, Thursday's night shift loaded, sign-in required, two leaders and an operator."""
    plant = tmp_path / "plant.yaml"
    plant.write_text(SMALL_PLANT, encoding="utf-8")
    built = build_services(Settings(data_dir=tmp_path, plant_config=plant, anonymous_access="off"),
                           clock=lambda: moment[0])
    write_past(tmp_path / "inbox" / "counts" / "counts.csv", COUNTS)
    built.loader.run_source("counts")
    for name, role, shown in (("tina", "editor", "Tina Leader"), ("ivan", "editor", "Ivan Incoming"),
                              ("tom", "viewer", "Tom Operator")):
        built.accounts.add_user("cli", name, PASSWORDS[name], role, display_name=shown)
    yield built
    built.dispose()


def _sign_in(dash_duo: Any, name: str) -> None:
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(dash_duo.server.url + "/login?next=/")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys(name)
    dash_duo.find_element("input[name=password]").send_keys(PASSWORDS[name])
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_element(".who", timeout=15)


def _no_console_errors(dash_duo: Any) -> None:
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def _row_field(kind: str, n: int) -> str:
    """The CSS selector of a form row's field, whose id Dash writes as JSON."""
    return f"[id='{{\"index\":{n},\"type\":\"{kind}\"}}']"


def _shown_segment(dash_duo: Any) -> str:
    shown = [s for s in dash_duo.find_elements(".huddle-segment") if s.is_displayed()]
    assert len(shown) == 1, "one segment at a time"
    return shown[0].find_element(By.CSS_SELECTOR, "h2").text


def test_a_huddle_runs_through_its_agenda_and_leaves_its_record(dash_duo, app, services,  # type: ignore[no-untyped-def]
                                                                moment) -> None:
    tina = Identity("user", "tina", "editor", "Tina Leader")
    services.actions.raise_action(tina, "L1", "Replace the filler's star wheel", "Tom Operator",
                                  START.date() - timedelta(days=1), raised_for=START.date() - timedelta(days=2))
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo, "tina")
    dash_duo.driver.get(dash_duo.server.url + "/board?scope=L1&kiosk=1")
    dash_duo.wait_for_element(".board-title", timeout=20)
    # the timer runs on the browser's clock: the test holds it, and moves it on
    dash_duo.driver.execute_script("window.__t = Date.now(); window.huddleClock = function () { return window.__t; };")
    dash_duo.find_element(f"#{ids.HUDDLE_START}").click()
    dash_duo.wait_for_contains_text(f"#{ids.HUDDLE_TITLE}", "Tier 1 · Line 1 – Area A", timeout=20)
    dash_duo.wait_for_text_to_equal(f"#{ids.HUDDLE_TIMER}", "Safety: 0:00 of 2:09 · Huddle 0:00 of 15:00",
                                    timeout=10)  # 15 minutes over 7 segments
    assert _shown_segment(dash_duo) == "Safety"
    dash_duo.driver.execute_script("window.__t += 200 * 1000;")
    dash_duo.wait_for_text_to_equal(f"#{ids.HUDDLE_TIMER}", "Safety: 1:11 over its 2:09 · Huddle 3:20 of 15:00",
                                    timeout=10)
    dash_duo.find_element("body").send_keys(Keys.ARROW_RIGHT)  # a presenter's clicker, or the keyboard
    dash_duo.wait_for_text_to_equal(f"#{ids.HUDDLE_STEP}", "Segment 2 of 7", timeout=10)
    assert _shown_segment(dash_duo) == "Quality"
    dash_duo.find_element(f"#{ids.HUDDLE_NEXT}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.HUDDLE_STEP}", "Segment 3 of 7", timeout=10)
    delivery = dash_duo.find_element(".huddle-segment:not([hidden])")
    assert "OEE" in delivery.text and "off target" in delivery.text
    for _ in range(3):
        dash_duo.find_element(f"#{ids.HUDDLE_NEXT}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.HUDDLE_STEP}", "Segment 6 of 7", timeout=10)
    assert "Replace the filler's star wheel" in dash_duo.find_element(".huddle-segment:not([hidden])").text
    dash_duo.find_element(f"#{ids.HUDDLE_PREV}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.HUDDLE_STEP}", "Segment 5 of 7", timeout=10)
    assert _shown_segment(dash_duo) == "People"
    dash_duo.find_element("body").send_keys(Keys.PAGE_DOWN)
    dash_duo.find_element("body").send_keys(Keys.PAGE_DOWN)
    dash_duo.wait_for_text_to_equal(f"#{ids.HUDDLE_STEP}", "Segment 7 of 7", timeout=10)
    assert _shown_segment(dash_duo) == "Escalations"
    dash_duo.driver.execute_script("window.__t += 12 * 60 * 1000;")
    dash_duo.wait_for_contains_text(f"#{ids.HUDDLE_TIMER}", "Huddle over time by 0:20", timeout=10)
    # one tap a person, and a visitor by name
    for label in dash_duo.find_elements(f"#{ids.HUDDLE_PEOPLE} label"):
        if label.text.strip() in ("Tina Leader", "Tom Operator"):
            label.click()
    dash_duo.find_element(f"#{ids.HUDDLE_GUESTS}").send_keys("Vic Visitor")
    dash_duo.find_element(f"#{ids.HUDDLE_NOTES}").send_keys("Star wheel on order")
    moment[0] = START + timedelta(minutes=12)
    dash_duo.find_element(f"#{ids.HUDDLE_CLOSE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.HUDDLE_MESSAGE}", "Recorded: Tier 1, Line 1 – Area A, Early shift, "
                                    "Fri 20 Nov, 12 min, 3 present.", timeout=20)
    dash_duo.find_element(f"#{ids.HUDDLE_MESSAGE} a").click()
    dash_duo.wait_for_contains_text(f"#{ids.HUDDLES_SUMMARY}", "1 huddle recorded on Fri 20 Nov at Line 1 – Area A",
                                    timeout=20)
    row = dash_duo.find_element(".huddle-record").text
    for said in ("Tier 1", "Early shift, Fri 20 Nov", "06:05–06:17 (12 min)", "Tina Leader", "Tom Operator",
                 "Vic Visitor", "OEE", "Replace the filler's star wheel", "Star wheel on order"):
        assert said in row, (said, row)
    _no_console_errors(dash_duo)


def test_a_handover_leads_the_next_shift_until_acknowledged(dash_duo, app, services,  # type: ignore[no-untyped-def]
                                                            moment) -> None:
    moment[0] = datetime(2026, 11, 20, 12, 50, tzinfo=UTC)  # 13:50: the early shift's last minutes
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo, "tina")
    dash_duo.driver.get(dash_duo.server.url + "/board?scope=L1")
    dash_duo.wait_for_element(f"#{ids.HANDOVER_NOTE}", timeout=20).send_keys("Filler slow after the <b>clean</b>")
    dash_duo.find_element(f"#{ids.HANDOVER_PROBLEMS}").send_keys("Label printer jams")
    dash_duo.find_element(_row_field(ids.HANDOVER_MACHINE, 0)).send_keys("Filler")
    dash_duo.select_dcc_dropdown(_row_field(ids.HANDOVER_STATE, 0), "running with limits")
    dash_duo.find_element(f"#{ids.HANDOVER_SAFETY}").send_keys("Wet floor at the palletiser")
    dash_duo.find_element(f"#{ids.HANDOVER_SAVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.HANDOVER_MESSAGE}", "Handed over Line 1 – Area A, Early shift, Fri 20 Nov",
                                    timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.HANDOVER_LEAD}", "Filler: running with limits", timeout=20)
    # the next shift: the TV leads with the handover, read only
    moment[0] = datetime(2026, 11, 20, 13, 5, tzinfo=UTC)
    dash_duo.driver.get(dash_duo.server.url + "/board?scope=L1&kiosk=1")
    dash_duo.wait_for_contains_text(f"#{ids.HANDOVER_LEAD}", "from Early shift, Fri 20 Nov, by Tina Leader at 13:50",
                                    timeout=20)
    lead = dash_duo.find_element(f"#{ids.HANDOVER_LEAD}")
    assert "Filler slow after the <b>clean</b>" in lead.text  # shown as typed, never as markup
    assert not [b for b in lead.find_elements(By.CSS_SELECTOR, "button") if b.is_displayed()]
    _sign_in(dash_duo, "ivan")
    dash_duo.driver.get(dash_duo.server.url + "/board?scope=L1")
    dash_duo.wait_for_contains_text(f"#{ids.HANDOVER_LEAD}", "not acknowledged yet", timeout=20)
    dash_duo.find_element(f"#{ids.HANDOVER_LEAD} button").click()
    dash_duo.wait_for_contains_text(f"#{ids.HANDOVER_ACK_MESSAGE}",
                                    "Ivan Incoming acknowledged the handover of Line 1 – Area A at 14:05", timeout=20)
    dash_duo.wait_for_text_to_equal(f"#{ids.HANDOVER_LEAD}", "", timeout=20)
    (read,) = services.handovers.listing("L1")
    assert (read.acknowledged_by_name, read.acknowledged_words) == ("Ivan Incoming", "14:05")
    _no_console_errors(dash_duo)
