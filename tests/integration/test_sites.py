"""Several plants served together, on each backend: each site's data in its own schema (or SQLite file) of one
database, its own time zone and calendar, requests routed to the site they are about (address, the page they come
from, the site last chosen), one sign-in for every site, the CLI acting on the site it is told, and the portfolio
comparing them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from huddle.dashboard.cli import main
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.portfolio import portfolio
from huddle.dashboard.settings import Settings
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.sites import build_sites, site_schema
from huddle.data.db import SCHEMA_OF_REVISION, current_revision
from sqlalchemy import create_engine, text

from tests.conftest import SMALL_PLANT, write_past

# 13:30 UTC: 14:30 in Berlin (the early shift has ended), 07:30 in Chicago (the night shift ended at 06:00)
NOW = datetime(2026, 11, 20, 13, 30, tzinfo=UTC)
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,12000
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,12000
"""
ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def sites(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """Riverside-like 'ex' in Berlin and 'lake' in Chicago, both with lines L1 and L2; counts loaded into 'ex'."""
    ex, lake = tmp_path / "ex.yaml", tmp_path / "lake.yaml"
    ex.write_text(SMALL_PLANT, encoding="utf-8")
    lake.write_text(SMALL_PLANT.replace("{key: ex, name: Example Plant, timezone: Europe/Berlin}",
                                        "{key: lake, name: Lakeside Plant, timezone: America/Chicago}"),
                    encoding="utf-8")
    url = None if database_url.startswith("sqlite") else database_url
    settings = Settings(data_dir=tmp_path, database_url=url, sites=(ex, lake), anonymous_access="off")
    built = build_sites(settings, clock=lambda: NOW)
    write_past(tmp_path / "sites/ex/inbox/counts/c.csv", COUNTS)
    (tmp_path / "sites/ex/inbox/stops").mkdir(parents=True)
    assert all(o.rows_rejected == 0 for o in built.by_key["ex"].loader.run_all())
    yield settings, built
    built.dispose()
    if url:
        admin = create_engine(url)
        with admin.begin() as conn:
            for key in ("ex", "lake"):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{site_schema(url, key)}" CASCADE'))
        admin.dispose()


def test_each_site_keeps_its_own_data_time_zone_and_calendar(sites) -> None:  # type: ignore[no-untyped-def]
    _settings, built = sites
    ex, lake = built.by_key["ex"], built.by_key["lake"]
    day = Period("day", date(2026, 11, 20), date(2026, 11, 20))
    assert round(ex.readings.reading("oee", "L1", day).value, 2) == 74.79
    assert lake.readings.reading("oee", "L1", day).value is None  # the same line key, another plant: no data
    assert ex.readings.last_completed_shift().label == "2026-11-20/E"
    assert lake.readings.last_completed_shift().label == "2026-11-19/N"
    for services in (ex, lake):
        assert current_revision(services.db) == max(SCHEMA_OF_REVISION)  # each site's schema migrated
    rows = {r.key: r for r in portfolio(built.by_key)}
    assert [r.name for r in rows.values()] == ["Example Plant", "Lakeside Plant"]
    assert rows["ex"].last_shift == "2026-11-20/E" and rows["lake"].last_shift == "2026-11-19/N"
    # the last full day is each site's own: Berlin's 20 November still has shifts to run, so the 19th (no data)
    assert rows["ex"].root_day.period == "2026-11-19" and rows["lake"].root_day.period == "2026-11-19"
    assert round(rows["ex"].root_month.value, 2) == 74.79 and rows["lake"].root_month.value is None
    assert rows["ex"].local_time.endswith("14:30") and rows["lake"].local_time.endswith("07:30")
    assert dict(rows["ex"].columns)["D"] == "red" and dict(rows["lake"].columns)["D"] == "grey"


def test_requests_reach_the_site_they_are_about_with_one_sign_in(sites) -> None:  # type: ignore[no-untyped-def]
    settings, built = sites
    built.home.accounts.add_user("cli", "eddie", "editor-password-1", "editor")
    client = create_app(settings, sites=built).server.test_client()
    assert client.post("/login", data={"username": "eddie", "password": "editor-password-1", "next": "/"},
                       headers=ORIGIN).status_code == 302

    def plant_name(path: str, **headers: str) -> str:
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.data[:200]
        return answer.get_json()["scope_name"]

    assert plant_name("/api/v1/board?scope=plant&date=2026-11-20&shift=E") == "Example Plant"  # the home site
    assert plant_name("/api/v1/board?site=lake&scope=plant&date=2026-11-20&shift=E") == "Lakeside Plant"
    assert plant_name("/api/v1/board?scope=plant&date=2026-11-20&shift=E") == "Lakeside Plant"  # remembered
    # a callback comes from a page: the page's address says which site
    assert plant_name("/api/v1/board?scope=plant&date=2026-11-20&shift=E",
                      Referer="http://localhost/tree?site=ex&scope=L1") == "Example Plant"
    unknown = client.get("/api/v1/board?site=nowhere&scope=plant")
    assert unknown.status_code == 400 and "there is no site 'nowhere' here (sites: ex, lake)" in unknown.get_json()[
        "error"]
    assert client.get("/board?site=nowhere").status_code == 404
    board = client.get("/api/v1/board?site=ex&scope=L1&date=2026-11-20&shift=E").get_json()
    oee = next(k for c in board["columns"] for k in c["kpis"] if k["kpi"] == "oee")
    assert round(oee["value"], 2) == 74.79
    # the page shell lists both sites and shows the one the page is about
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/?site=lake"}).get_json()
    text_ = str(layout)
    assert "Lakeside Plant (America/Chicago)" in text_ and "Example Plant (Europe/Berlin)" in text_
    assert "'value': 'lake'" in text_ and "'children': 'Lakeside Plant'" in text_


def test_the_cli_acts_on_the_site_it_is_told(sites, tmp_path: Path, capsys,  # type: ignore[no-untyped-def]
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings, built = sites
    files = write_past(tmp_path / "drop" / "lake-counts.csv", COUNTS)
    args = ["--data-dir", str(tmp_path)]
    monkeypatch.setenv("HUDDLE_SITES", ",".join(str(p) for p in settings.sites))
    monkeypatch.setenv("HUDDLE_NOW", NOW.isoformat())  # the import's facts are as at the test's moment, not today's
    if settings.database_url:
        monkeypatch.setenv("HUDDLE_DATABASE_URL", settings.database_url)
    assert main(["init", *args]) == 0
    said = capsys.readouterr().out
    assert "ex: database is up to date" in said and "lake: database is up to date" in said
    assert main(["import", "--site", "lake", "--record", "production_counts", str(files), *args]) == 0
    assert main(["import", "--site", "nowhere", str(files), *args]) == 2
    assert "no site 'nowhere'" in capsys.readouterr().out
    day = Period("day", date(2026, 11, 20), date(2026, 11, 20))
    assert round(built.by_key["lake"].readings.reading("oee", "L1", day).value, 2) == 74.79
