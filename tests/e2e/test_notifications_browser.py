"""The Data page's Notifications section in a real Chromium: a channel without its mail server says it is off (no
error); a signed-in person subscribes to a rule's e-mails for a line, sees the subscription in words and removes it;
the browser logs no error."""

from __future__ import annotations

from pathlib import Path

import pytest
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.web import ids

from tests.conftest import SMALL_PLANT

pytestmark = pytest.mark.e2e

RULES = """
notifications:
  channels:
    - {key: leads, kind: email, name: Shift leads, to: [leads@plant.test]}
  rules:
    - {key: oee-red, name: OEE red on a line, cause: kpi_red, kpis: [oee], scopes: [L1, L2], channels: [leads]}
"""


@pytest.fixture
def services(make_services, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Sign-in required, one rule e-mailing the shift leads (no mail server set), a viewer."""
    plant = tmp_path / "plant_notify.yaml"
    plant.write_text(SMALL_PLANT + RULES, encoding="utf-8")
    services = make_services(None, plant=plant, anonymous_access="off")
    services.accounts.add_user("cli", "maria", "viewer-password-1", "viewer", "Maria Lopez")
    return services


def _no_console_errors(dash_duo, where: str) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], (where, errors)


def test_a_person_subscribes_to_a_rule_and_unsubscribes(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/login?next=/data")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys("maria")
    dash_duo.find_element("input[name=password]").send_keys("viewer-password-1")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(f"#{ids.NOTIFY_CHANNELS}", "off: no mail server is set in Huddle's settings",
                                    timeout=15)
    assert "OEE red on a line" in dash_duo.find_element(f"#{ids.NOTIFY_RULES}").text
    assert "No message has been sent yet." in dash_duo.find_element(f"#{ids.NOTIFY_LOG}").text
    _no_console_errors(dash_duo, "the Notifications section")

    dash_duo.select_dcc_dropdown(f"#{ids.NOTIFY_RULE}", value="OEE red on a line")
    dash_duo.select_dcc_dropdown(f"#{ids.NOTIFY_SCOPE}", value="Line 1")
    dash_duo.find_element(f"#{ids.NOTIFY_EMAIL}").send_keys("maria@plant.test")
    dash_duo.find_element(f"#{ids.NOTIFY_SUBSCRIBE}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.NOTIFY_MESSAGE}", "Subscribed: you will get its e-mails.", timeout=10)
    dash_duo.select_dcc_dropdown(f"#{ids.NOTIFY_MINE}", value="OEE red on a line · Line 1 – Area A · maria@plant.test")
    dash_duo.find_element(f"#{ids.NOTIFY_UNSUBSCRIBE}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.NOTIFY_MESSAGE}", "Unsubscribed.", timeout=10)
    assert services.notifier.subscriptions(Identity("user", "maria", "viewer")) == []  # nothing left for her
    _no_console_errors(dash_duo, "after subscribing and unsubscribing")
