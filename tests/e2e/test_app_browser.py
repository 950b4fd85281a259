"""The app in a real Chromium: overview with real numbers, the Data page with loaders, quarantine and baseline, 404."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import write_past

pytestmark = pytest.mark.e2e

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,1200
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,1200
L2,2026-11-20 06:00,2026-11-20 14:00,,2200,2110,2400
L2,2026-11-20 07:00,2026-11-20 06:00,,10,10,10
L7,2026-11-20 08:00,2026-11-20 09:00,,10,10,10
"""


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


@pytest.fixture
def services(make_services, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The small plant after one loader run (with two bad rows); the shared app fixture serves it."""
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC))
    write_past(tmp_path / "inbox/counts/counts_20261120.csv", COUNTS)
    write_past(tmp_path / "inbox/stops/stops.csv", "line;start;end;reason;category\n"
               "L1;2026-11-20 07:00;2026-11-20 07:30;Filler jam;unplanned\n"
               "L1;2026-11-20 10:00;2026-11-20 10:17;Filler jam;unplanned\n")
    services.loader.run_all()
    return services


def test_overview_shows_last_shift_numbers(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text("#overview-title", "Early shift, Fri 20 Nov", timeout=15)
    table = dash_duo.find_element("#overview-table").text
    assert "74.8 %" in table  # Line 1's OEE, the published example
    assert "off target" in table
    assert "Example Plant" in table  # the plant roll-up row
    _no_console_errors(dash_duo)


def test_data_page_shows_loaders_quarantine_and_baseline(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.wait_for_element("a.nav-link[href='/data']", timeout=10).click()
    dash_duo.wait_for_contains_text("#data-quarantine", "end is not after start", timeout=15)
    quarantine = dash_duo.find_element("#data-quarantine").text
    assert "counts_20261120.csv" in quarantine
    assert "unknown line" in quarantine
    sources = dash_duo.find_element("#data-sources").text
    assert "counts" in sources and "partly refused" in sources
    baseline = dash_duo.find_element("#data-baseline").text
    assert "OEE" in baseline and "MES" in baseline
    runs = dash_duo.find_element("#data-runs").text
    assert "partly refused" in runs
    _no_console_errors(dash_duo)


def test_unknown_address_shows_not_found(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/no-such-page")
    dash_duo.wait_for_contains_text("h1", "Page not found", timeout=10)
    # the address answers 404 (so links checkers and search engines learn it is not a page); the browser notes
    # that status of the page itself, and nothing else may fail
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert [e for e in errors if not ("/no-such-page - " in e["message"] and "status of 404" in e["message"])] == []
