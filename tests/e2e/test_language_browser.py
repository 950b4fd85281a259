"""A German plant in a real Chromium: the board, its navigation and the ages the browser counts on speak German,
numbers carry a decimal comma, the page says ``<html lang="de">``, the tree's date picker names days and months in
German (in a browser set to English), and the sign-in page speaks German too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from huddle.dashboard.web import ids
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import SMALL_PLANT, Inbox

pytestmark = pytest.mark.e2e

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,12000
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,12000
"""
STOPS = """line;start;end;reason;category;equipment
L1;2026-11-20 07:00;2026-11-20 07:30;Filler jam;unplanned;Filler
"""


@pytest.fixture
def services(make_services, inbox: Inbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The small plant speaking German, after its early shift; the shared app fixture serves it."""
    plant = tmp_path / "german_plant.yaml"
    plant.write_text(SMALL_PLANT.replace("timezone: Europe/Berlin}", "timezone: Europe/Berlin, language: de}"),
                     encoding="utf-8")
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC), plant=plant)
    assert services.config.language == "de"
    inbox.load(services, counts=COUNTS, stops=STOPS)
    return services


def test_the_board_speaks_the_plants_language(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/board?scope=L1&date=2026-11-20&shift=E")
    dash_duo.wait_for_contains_text(".board-title", "Line 1", timeout=20)
    dash_duo.wait_for_contains_text(".age", "aktualisiert", timeout=20)  # counted on by the browser, in German
    body = dash_duo.find_element(f"#{ids.BOARD_BODY}").text
    assert "74,8 %" in body  # OEE of the published example, with a decimal comma
    assert "Sicherheit" in body and "Maßnahme nötig" in body and "Stunde für Stunde" in body
    assert "verlor 30 min durch ungeplante Stillstände" in body and "Gutmenge" in body  # the summary sentence
    assert "needs action" not in body and "Hour by hour" not in body
    assert dash_duo.driver.find_element("css selector", "html").get_attribute("lang") == "de"
    assert "Übersicht" in dash_duo.find_element(f"#{ids.NAV}").text
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_the_date_picker_names_days_and_months_in_german(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)  # dash_duo's Chromium speaks English: the plant's language wins
    dash_duo.driver.get(dash_duo.server_url + "/tree?scope=L1&grain=day&date=2026-11-20")
    field = dash_duo.wait_for_element(f"#{ids.TREE_DATE}", timeout=20)
    WebDriverWait(dash_duo.driver, 20).until(lambda _: field.get_attribute("value"))
    assert field.get_attribute("value") == "20. Nov. 2026"  # as the pages write a date: "d. MMM y"
    field.click()
    dash_duo.wait_for_element(".dash-datepicker-calendar", timeout=10)
    words = dash_duo.driver.execute_script(
        "return document.querySelector('.dash-datepicker-content').textContent").replace("\n", " ")
    assert "März" in words and "Dezember" in words and "March" not in words, words  # the month list
    days = [cell.text for cell in dash_duo.find_elements(".dash-datepicker-calendar th")]
    assert days == ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"], days  # and the week starts on Monday
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_the_sign_in_page_speaks_it_too(app_client) -> None:  # type: ignore[no-untyped-def]
    page = app_client.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in page and "Benutzername" in page and "Passwort" in page
