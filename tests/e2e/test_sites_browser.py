"""Several sites in a real Chromium: the portfolio compares them, the header's picker switches every page to the
chosen site (in its own time zone), and the pages that follow stay on it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.sites import build_sites

from tests.conftest import SMALL_PLANT, write_past

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 13, 30, tzinfo=UTC)  # Berlin 14:30, Chicago 07:30
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,12000
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,12000
"""


def test_the_portfolio_and_the_site_picker(dash_duo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ex, lake = tmp_path / "ex.yaml", tmp_path / "lake.yaml"
    ex.write_text(SMALL_PLANT, encoding="utf-8")
    lake.write_text(SMALL_PLANT.replace("{key: ex, name: Example Plant, timezone: Europe/Berlin}",
                                        "{key: lake, name: Lakeside Plant, timezone: America/Chicago}"),
                    encoding="utf-8")
    settings = Settings(data_dir=tmp_path, sites=(ex, lake), anonymous_access="read")
    sites = build_sites(settings, clock=lambda: NOW)
    write_past(tmp_path / "sites/ex/inbox/counts/c.csv", COUNTS)
    (tmp_path / "sites/ex/inbox/stops").mkdir(parents=True)
    sites.by_key["ex"].loader.run_all()
    dash_duo.start_server(create_app(settings, sites=sites))
    dash_duo.driver.get(dash_duo.server_url + "/portfolio")
    dash_duo.wait_for_element("tr.site-row[data-site='lake']", timeout=30)
    ex_row = dash_duo.find_element("tr.site-row[data-site='ex']").text
    lake_row = dash_duo.find_element("tr.site-row[data-site='lake']").text
    assert "Example Plant" in ex_row and "Europe/Berlin" in ex_row and "14:30" in ex_row
    assert "Early shift, Fri 20 Nov" in ex_row and "74.8 %" in ex_row  # its month to date
    assert "Lakeside Plant" in lake_row and "America/Chicago" in lake_row and "07:30" in lake_row
    assert "Night shift, Thu 19 Nov" in lake_row and "no data yet" in lake_row
    # the picker in the header switches the page to the other site
    assert dash_duo.find_element(f"#{ids.SITE_TITLE}").text == "Example Plant"
    dash_duo.select_dcc_dropdown(f"#{ids.SITE_PICK}", value="Lakeside Plant (America/Chicago)")
    dash_duo.wait_for_text_to_equal(f"#{ids.SITE_TITLE}", "Lakeside Plant", timeout=20)
    assert "site=lake" in dash_duo.driver.current_url
    # the pages that follow stay on it: the board of its last shift, in its own calendar
    dash_duo.driver.get(dash_duo.server_url + "/board")
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "Lakeside Plant", timeout=30)
    assert "Thu 19 Nov" in dash_duo.find_element(f"#{ids.BOARD_BODY}").text
    # a page that keeps its view in the address keeps the site in it too
    dash_duo.driver.get(dash_duo.server_url + "/review?site=lake&scope=L1")
    dash_duo.wait_for_contains_text(f"#{ids.REVIEW_BODY} h1", "Line 1 – Area A: monthly review", timeout=30)
    deadline = time.monotonic() + 10
    while "month=" not in dash_duo.driver.current_url and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "site=lake" in dash_duo.driver.current_url and "scope=L1" in dash_duo.driver.current_url
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors
    sites.dispose()
