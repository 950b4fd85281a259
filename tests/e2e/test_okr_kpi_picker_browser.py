"""Binding a key result to a KPI by typing its name in a real Chromium: in a plant whose file defines "Quality
(OEE)" before "OEE", typing "OEE" and Enter binds OEE."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from selenium.webdriver.common.keys import Keys

from tests.conftest import SMALL_PLANT
from tests.e2e.test_okr_browser import PASSWORDS, no_console_errors, sign_in

pytestmark = pytest.mark.e2e

QUALITY = "  - {key: quality, name: Quality, category: Q, target: 99.9, owner: A, data_source: MES}\n"
OEE = "  - {key: oee, name: OEE, category: D, target: 85, owner: A, data_source: MES}\n"
PLANT = SMALL_PLANT.replace(QUALITY, "").replace(OEE, QUALITY.replace("name: Quality,", "name: Quality (OEE),")
                                                      + OEE)
assert PLANT.index("Quality (OEE)") < PLANT.index("name: OEE")


def test_typing_oee_in_the_kpi_picker_binds_oee(dash_duo, make_services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plant = tmp_path / "plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(now=datetime(2026, 11, 20, 9, 30, tzinfo=UTC), plant=plant)
    services.accounts.add_user("cli", "eddie", PASSWORDS["eddie"], "editor")
    dash_duo.start_server(create_app(services.settings, services=services))
    driver = dash_duo.driver
    sign_in(driver, dash_duo.server_url, "eddie")
    dash_duo.wait_for_contains_text(".who", "Eddie ·", timeout=15)
    driver.get(dash_duo.server_url + "/okr")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_OBJECTIVES}", "No objectives", timeout=40)
    driver.find_element("css selector", f"#{ids.OKR_PLAN} summary").click()
    picker = dash_duo.find_element(f"#{ids.OKR_KR_KPI}")
    picker.click()
    dash_duo.driver.switch_to.active_element.send_keys("OEE")
    dash_duo.wait_for_contains_text(".dash-dropdown-options, body", "Quality (OEE)", timeout=10)
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.OKR_KR_KPI}", "OEE (%, higher is better)", timeout=10)
    assert "Quality" not in dash_duo.find_element(f"#{ids.OKR_KR_KPI}").text
    no_console_errors(driver)
