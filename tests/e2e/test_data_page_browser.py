"""The Data page in a real Chromium: the quarantine's open problems come first with file, row, column and value;
an editor dismisses one with a reason and it moves to what was fixed or dismissed; each file read is listed with
its outcome in words; text from files is shown as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from huddle.dashboard.web import ids
from selenium.webdriver.common.by import By

from tests.conftest import SMALL_PLANT

pytestmark = pytest.mark.e2e

STOPS = """line,start,end,reason,category
L1,2026-11-20 08:00,2026-11-20 08:10,Jam,unplanned
L1,2026-11-20 09:00,2026-11-20 09:25,<b>Motor</b> fault,unplanned
"""
COUNTS = """line,start,end,product,total,good
L1,2026-11-20 06:00,2026-11-20 07:00,A,3000,2950
L1,2026-11-20 07:00,2026-11-20 08:00,A,3000,lots
"""


@pytest.fixture
def services(make_services, inbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Sign-in required; an editor; a stops file with one stop refused for its reason and a counts file with one row
    refused for its good count; the shared app fixture serves them."""
    plant = tmp_path / "plant_reasons.yaml"
    plant.write_text(SMALL_PLANT + "stop_reasons:\n  - {reason: Jam, category: unplanned}\n")
    services = make_services(None, plant=plant, anonymous_access="off")
    services.accounts.add_user("cli", "eddie", "editor-password-1", "editor", "Eddie Editor")
    inbox.drop("stops", STOPS, "stops-1120.csv")
    inbox.drop("counts", COUNTS, "counts-1120.csv")
    assert sum(o.rows_rejected for o in services.loader.run_all()) == 2
    return services


#: mark the table element of each pane, and later ask which tables are still the elements marked
MARK_TABLES = "arguments[0].forEach(function (id) { document.querySelector('#' + id + ' table').kept = true; });"
MARKED_TABLES = ("return arguments[0].map(function (id) { "
                 "return document.querySelector('#' + id + ' table').kept === true; });")


def _no_console_errors(dash_duo, where: str) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], (where, errors)


def test_open_problems_come_first_and_an_editor_dismisses_one(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/login?next=/data")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys("eddie")
    dash_duo.find_element("input[name=password]").send_keys("editor-password-1")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(f"#{ids.DATA_QUARANTINE}", "2 open problems", timeout=15)

    headings = [h.text for h in dash_duo.driver.find_elements(By.CSS_SELECTOR, "section.card h2")]
    assert headings[:3] == ["Quarantine", "Loaders", "Files read"], headings
    rows = [r.text for r in dash_duo.find_elements(f"#{ids.DATA_QUARANTINE} table tbody tr")]
    assert len(rows) == 2 and rows[0].endswith(  # the newest first; the file's markup shown as text
        "stops stops-1120.csv 3 reason <b>Motor</b> fault unknown stop reason (add it to stop_reasons)"), rows
    assert "counts counts-1120.csv 3 good lots not a number" in rows[1]
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.DATA_QUARANTINE} b")
    dash_duo.wait_for_contains_text(f"#{ids.DATA_FILES}", "stops-1120.csv", timeout=10)
    _no_console_errors(dash_duo, "the Data page")
    # the tables arrive as HTML: one that comes again the same (the files read) stays the element it was
    dash_duo.driver.execute_script(MARK_TABLES, [ids.DATA_FILES, ids.DATA_QUARANTINE])

    dash_duo.find_element(f"#{ids.QUARANTINE_DISMISS}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.QUARANTINE_MESSAGE}", "Not dismissed: give a reason: it is kept with the "
                                    "problem and in the audit trail", timeout=10)
    dash_duo.find_element(f"#{ids.QUARANTINE_REASON}").send_keys("a test row from the MES")
    dash_duo.select_dcc_dropdown(f"#{ids.QUARANTINE_PICK}", value="counts-1120.csv, line 3: good 'lots': not a number")
    dash_duo.find_element(f"#{ids.QUARANTINE_DISMISS}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.QUARANTINE_MESSAGE}", "Dismissed 1 problem.", timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.DATA_QUARANTINE}", "1 open problem;", timeout=10)
    assert "1 dismissed" in dash_duo.find_element(f"#{ids.DATA_QUARANTINE}").text
    dash_duo.wait_for_contains_text(f"#{ids.QUARANTINE_CLOSED}", "dismissed by Eddie Editor: a test row from the MES",
                                    timeout=10)
    assert "Fixed or dismissed lately" in dash_duo.find_element(f"#{ids.QUARANTINE_CLOSED}").text
    rows = [r.text for r in dash_duo.find_elements(f"#{ids.DATA_QUARANTINE} table tbody tr")]
    assert len(rows) == 1 and "stops-1120.csv" in rows[0]
    assert dash_duo.find_element(f"#{ids.QUARANTINE_REASON}").get_attribute("value") == ""
    assert dash_duo.driver.execute_script(MARKED_TABLES, [ids.DATA_FILES, ids.DATA_QUARANTINE]) == [True, False]
    _no_console_errors(dash_duo, "after the dismissal")
