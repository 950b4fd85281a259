"""Roles in a real Chromium: an editor enters a KPI value; a viewer cannot, even sending the request by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from huddle.dashboard.web import ids
from huddle.data.models import KpiValue
from sqlalchemy import func, select

from tests.conftest import SMALL_PLANT

pytestmark = pytest.mark.e2e

PLANT = SMALL_PLANT.replace("kpis:\n", """kpis:
  - {key: ideas, name: Improvement ideas, formula: direct, unit: ideas, aggregation: sum, category: M,
     target: 1, frequency: week, owner: B, data_source: Ideas board}
""")


@pytest.fixture
def services(make_services, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Sign-in required, an editor and a viewer; the shared app fixture serves them."""
    plant = tmp_path / "plant_ideas.yaml"
    plant.write_text(PLANT)
    services = make_services(None, plant=plant, anonymous_access="off")
    services.accounts.add_user("cli", "eddie", "editor-password-1", "editor")
    services.accounts.add_user("cli", "vic", "viewer-password-1", "viewer")
    return services


def _sign_in(dash_duo, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.get(dash_duo.server.url + "/login?next=/data")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys(username)
    dash_duo.find_element("input[name=password]").send_keys(password)
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", f"{username.capitalize()} ·", timeout=15)


def _values(services) -> int:  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return session.execute(select(func.count()).select_from(KpiValue)).scalar_one()


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_an_editor_enters_a_value(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo, "eddie", "editor-password-1")
    dash_duo.wait_for_element(f"#{ids.MANUAL_VALUE}", timeout=15).send_keys("4")
    dash_duo.find_element(f"#{ids.MANUAL_SAVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.MANUAL_MESSAGE}", "Stored 4 for Improvement ideas", timeout=15)
    assert _values(services) == 1
    _no_console_errors(dash_duo)


def test_a_viewer_cannot_enter_a_value_even_by_sending_the_request(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    _sign_in(dash_duo, "vic", "viewer-password-1")
    dash_duo.wait_for_contains_text(f"#{ids.MANUAL_SECTION}", "Sign in as an editor to enter values", timeout=15)
    save = dash_duo.wait_for_element(f"#{ids.MANUAL_SAVE}", timeout=10)
    assert save.get_attribute("disabled") is not None
    # what a user could do from the browser's console: send the save callback's request themselves
    answer = dash_duo.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({output: 'manual-message.children',
            outputs: {id: 'manual-message', property: 'children'},
            inputs: [{id: 'manual-save', property: 'n_clicks', value: 1}],
            state: [{id: 'manual-kpi', property: 'value', value: 'ideas'},
                    {id: 'manual-location', property: 'value', value: 'L1'},
                    {id: 'manual-date', property: 'value', value: '2026-11-20'},
                    {id: 'manual-shift', property: 'value', value: null},
                    {id: 'manual-value', property: 'value', value: 9},
                    {id: 'page-site', property: 'data', value: 'ex'}],
            changedPropIds: ['manual-save.n_clicks']})})
          .then(r => r.text()).then(done);
    """)
    assert "Not stored: entering a KPI value needs the editor role" in answer
    assert _values(services) == 0
    _no_console_errors(dash_duo)
