"""The monthly review in a real Chromium on the demo plant: October's bowler for the drifting line, its red months
linked to the countermeasures raised for them (and marked where there are none), and the printed pack with the
same numbers."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime

import pytest
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.demo import demo_actions
from huddle.dashboard.services.review import build_review
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

from tests.conftest import load_demo

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # the last full month is October 2026


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Two months of the demo plant (Line 2's filler drifting since early October) and its demo actions."""
    services = load_demo(tmp_path_factory.mktemp("review-demo"), NOW, days=52)
    assert demo_actions(services) == 5
    yield services
    services.dispose()


def test_octobers_bowler_links_the_red_months_to_their_countermeasures(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.get(dash_duo.server_url + "/review?scope=L2")
    dash_duo.wait_for_contains_text(f"#{ids.REVIEW_BODY} h1", "Line 2 – Filling: monthly review, October 2026",
                                    timeout=40)
    review = build_review(demo, "L2", parse_period("month", "2026-10"))
    availability = next(r for r in review.rows if r.kpi.key == "availability")
    october = availability.cells[-1]
    assert october.red and october.countermeasures  # the drift made it red and the demo answered it
    # the bowler shows every KPI with its twelve months
    rows = dash_duo.driver.find_elements("css selector", "table.bowler tbody tr:not(.bowler-cat)")
    assert len(rows) == len(demo.config.kpis)
    assert len(rows[0].find_elements("css selector", "td.bcell")) == 13  # 12 months and year to date
    row = next(r for r in rows if r.find_element("css selector", "td.bkpi strong").text == "Availability")
    cell = row.find_elements("css selector", "td.bcell")[11]
    assert format_value(october.reading.value, "%") in cell.text and "status-red" in cell.get_attribute("class")
    link = cell.find_element("css selector", "a.cm-link")
    assert link.text == "✗ 1 countermeasure"
    link.click()
    target = dash_duo.driver.find_element("id", "cm-availability-2026-10")
    assert "Filler jams doubled" in target.text and "done" in target.text
    assert dash_duo.driver.execute_script("return window.location.hash") == "#cm-availability-2026-10"
    # a red month nobody answered is marked
    schedule = next(r for r in review.rows if r.kpi.key == "schedule_attainment")
    if schedule.cells[-1].missing_countermeasure:
        row = next(r for r in rows if r.find_element("css selector", "td.bkpi strong").text == "Schedule attainment")
        assert "no countermeasure" in row.find_elements("css selector", "td.bcell")[11].text
    body = dash_duo.find_element(f"#{ids.REVIEW_BODY}").text
    assert review.stops.pareto[0].label in body and "Biggest losses in October 2026" in body
    # the printed pack carries the same October figure
    links = {a.text: a.get_attribute("href") for a in dash_duo.driver.find_elements("css selector", "a.export-link")}
    assert set(links) == {"PDF pack", "HTML copy", "Excel workbook"}
    with urllib.request.urlopen(links["PDF pack"]) as answer:
        pdf = answer.read()
    assert pdf.startswith(b"%PDF")
    with urllib.request.urlopen(links["HTML copy"]) as answer:
        copy = answer.read().decode("utf-8")
    assert format_value(october.reading.value, "%") in copy and "Filler jams doubled" in copy
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_a_month_that_has_not_started_says_so(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.get(dash_duo.server_url + "/review?month=2027-03")
    dash_duo.wait_for_contains_text(f"#{ids.REVIEW_BODY}", "March 2027 has not started yet", timeout=30)
