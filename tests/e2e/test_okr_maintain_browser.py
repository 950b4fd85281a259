"""The OKR page in a real Chromium shows the cycle's two honest readings: an editor types a key result whose target
equals its start and is warned (not refused), saves it, and sees it holding or slipping rather than a progress bar;
a key result bound to Line 1's quality shows the quarter to date on target and November, inside it, off target."""

from __future__ import annotations

import pytest
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

from tests.conftest import Inbox
from tests.e2e.test_okr_browser import PASSWORDS, no_console_errors, objective_row, sign_in
from tests.integration.test_okr_maintain_months import COUNTS, NOW

pytestmark = pytest.mark.e2e
EDDIE = Identity("user", "eddie", "editor")


def test_a_maintain_key_result_and_a_red_month_inside_a_green_quarter(dash_duo, make_services,  # type: ignore[no-untyped-def]
                                                                      inbox: Inbox) -> None:
    services = make_services(now=NOW)
    inbox.load(services, counts=COUNTS)
    services.accounts.add_user("cli", "eddie", PASSWORDS["eddie"], "editor")
    plans = services.okr_plans
    objective = plans.save_objective(EDDIE, "2026-Q4", "L1", "Line 1 makes it right first time", "Tom")
    bound = plans.save_key_result(EDDIE, objective, title="Line 1 quality", kind="increase", start=99.0,
                                  target=99.9, owner="Tom", kpi="quality", kpi_scope="L1")
    dash_duo.start_server(create_app(services.settings, services=services))
    driver = dash_duo.driver
    sign_in(driver, dash_duo.server_url, "eddie")
    dash_duo.wait_for_contains_text(".who", "Eddie ·", timeout=15)
    driver.get(dash_duo.server_url + "/okr?scope=L1")
    # the quarter to date is on target; November, inside it, was not, and the row says so in icon and word
    dash_duo.wait_for_contains_text(f"tr.okr-kr-row[data-kr='{bound}']", "Nov 2026: 98.5 % ✗ off target", timeout=40)
    row = objective_row(driver, bound)
    assert "Oct 2026: 100.0 % ✓ on target" in row and "Dec 2026 (to date): 100.0 % ✓ on target" in row
    assert "red month the quarter to date hides: Nov 2026" in row
    red = driver.find_element("css selector", f"tr.okr-kr-row[data-kr='{bound}'] .okr-red-month")
    assert red.text == "Nov 2026: 98.5 % ✗ off target"

    # planning a key result whose target equals its start: warned while typed, stored, then holding or slipping
    driver.find_element("css selector", f"#{ids.OKR_PLAN} summary").click()
    dash_duo.wait_for_contains_text(f"#{ids.OKR_KR_OBJECTIVE}", "Line 1 makes it right first time", timeout=20)
    dash_duo.find_element(f"#{ids.OKR_KR_TITLE}").send_keys("Changeovers stay short")
    dash_duo.find_element(f"#{ids.OKR_KR_OWNER}").send_keys("Tom")
    dash_duo.select_dcc_dropdown(f"#{ids.OKR_KR_KIND}", value="decrease to")
    dash_duo.find_element(f"#{ids.OKR_KR_START}").send_keys("20")
    dash_duo.find_element(f"#{ids.OKR_KR_TARGET}").send_keys("20")
    dash_duo.find_element(f"#{ids.OKR_KR_UNIT}").send_keys("min")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_KR_WARNING}", "Warning: the target equals the start", timeout=20)
    assert "holding (while at or below 20 min) or slipping" in dash_duo.find_element(f"#{ids.OKR_KR_WARNING}").text
    dash_duo.find_element(f"#{ids.OKR_KR_SAVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.OKR_KR_MESSAGE}", "Saved key result: Changeovers stay short", timeout=20)
    assert "the target equals the start" in dash_duo.find_element(f"#{ids.OKR_KR_MESSAGE}").text
    kept = next(k for k in services.okrs.quarter("2026-Q4").key_results if k.title == "Changeovers stay short")
    assert kept.maintain and kept.rule == "maintain at or below 20 min"
    services.okr_check_ins.check_in(EDDIE, kept.id, 0, value=23, confidence=8)
    driver.get(dash_duo.server_url + "/okr?scope=L1")
    dash_duo.wait_for_contains_text(f"tr.okr-kr-row[data-kr='{kept.id}']", "▼ slipping", timeout=40)
    row = objective_row(driver, kept.id)
    assert "keeps a level: no progress" in row and "holding means at or below 20 min" in row
    assert not driver.find_elements("css selector", f"tr.okr-kr-row[data-kr='{kept.id}'] .okr-bar")
    badge = driver.find_element("css selector", f"tr.okr-kr-row[data-kr='{kept.id}'] .badge.status-red")
    assert badge.text == "▼ slipping"  # colour, icon and word
    assert "0 holding, 1 slipping" in dash_duo.find_element(f"#{ids.OKR_SUMMARY}").text
    no_console_errors(driver)
