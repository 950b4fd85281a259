"""The baseline sprint in a real Chromium: the tree page counts the sprint down and leads to its checklist; an
editor who owns a KPI fills in its line and signs it off, and the checklist and countdown say so; no console
errors on the way."""

from __future__ import annotations

import time

import pytest
from huddle.dashboard.web import ids

from tests.e2e.test_escalations_browser import no_console_errors, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "a long password for tests"


@pytest.fixture
def services(make_services):  # type: ignore[no-untyped-def]
    """The small plant, sign-in required; the owner of its KPIs ("A") is an editor."""
    services = make_services(None, anonymous_access="off")
    services.accounts.add_user("cli", "anna", PASSWORD, "editor", "A")
    return services


def test_the_owner_signs_off_one_kpi(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    sign_in(dash_duo, "anna", "A", "/tree")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SPRINT}", "Baseline sprint: 48 h left, 0 of 4 KPIs signed off",
                                    timeout=20)
    dash_duo.find_element(f"#{ids.TREE_SPRINT} a").click()
    dash_duo.wait_for_contains_text(f"#{ids.BASE_TABLE}", "Performance", timeout=20)
    dash_duo.select_dcc_dropdown(f"#{ids.BASE_KPI}", "OEE")
    dash_duo.wait_for_contains_text(f"#{ids.BASE_PROPOSED}", "Huddle has no data for this KPI yet", timeout=20)
    dash_duo.find_element(f"#{ids.BASE_VALUE}").send_keys("61.5")
    dash_duo.find_element(f"#{ids.BASE_SAVE}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.BASE_MESSAGE}", "Saved.", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.BASE_TABLE}", "61.5 %", timeout=20)
    # the form reads the line's new version as the table redraws: every answer in before signing off
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and dash_duo.driver.execute_script("return window.store.getState().isLoading"):
        time.sleep(0.1)
    dash_duo.find_element(f"#{ids.BASE_SIGN}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.BASE_MESSAGE}", "Signed off: OEE.", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.BASE_STATE}", "1 of 4 KPIs signed off", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.BASE_HISTORY}", "Example Plant", timeout=20)
    assert services.baselines.baseline_at("oee", "plant").baseline.value == 61.5
    no_console_errors(dash_duo)
