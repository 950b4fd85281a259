"""A SQL source read like a plant reads its ERP, and how readings say their data is stale or missing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from huddle.dashboard.core.periods import Period
from huddle.data.models import KpiValue, LoadRun, QuarantinedRow
from sqlalchemy import func, select

from tests.conftest import SMALL_PLANT, write_past

ERP_PLANT = SMALL_PLANT.replace("kpis:\n", """kpis:
  - {key: scrap_cost, name: Scrap cost, formula: direct, unit: EUR, aggregation: sum, category: C, direction: lower,
     target: 100, frequency: day, owner: B, data_source: ERP}
  - {key: energy, name: Energy per unit, formula: direct, unit: kWh, aggregation: mean, category: C,
     direction: lower, target: 2, frequency: day, owner: B, data_source: ERP}
""") + """  - {key: erp, kind: sql, record: kpi_values, url: "sqlite:///${data_dir}/erp.sqlite",
     query: "SELECT kpi, line, day AS date, shift, amount AS value FROM costs ORDER BY id"}
"""


def _erp(tmp_path: Path, rows: list[tuple[str, str, str, str | None, object]]) -> None:
    with sqlite3.connect(tmp_path / "erp.sqlite") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS costs (id INTEGER PRIMARY KEY, kpi TEXT, line TEXT, day TEXT, "
                     "shift TEXT, amount)")
        conn.executemany("INSERT INTO costs (kpi, line, day, shift, amount) VALUES (?, ?, ?, ?, ?)", rows)


def test_sql_source_loads_quarantines_and_does_not_double(make_services, database_url: str,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    plant = tmp_path / "erp_plant.yaml"
    plant.write_text(ERP_PLANT)
    services = make_services(database_url, plant=plant)
    _erp(tmp_path, [("scrap_cost", "L1", "2026-11-20", None, 120.5), ("scrap_cost", "L2", "2026-11-20", None, 30),
                    ("scrap_cost", "L3", "2026-11-20", None, 5), ("scrap_cost", "L1", "2026-11-20", "E", "n/a"),
                    ("energy", "L1", "2026-11-20", None, 2.5), ("energy", "L2", "2026-11-20", None, 1.5),
                    ("oee", "L1", "2026-11-20", None, 50)])
    outcome = services.loader.run_source("erp")
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == ("partial", 7, 4, 3)
    reasons = {(p[0], p[1]): p[3] for f in outcome.files for p in f.problems}
    assert "unknown line or area" in reasons[(3, "line")]
    assert reasons[(4, "value")] == "not a number"
    assert "only direct KPIs are loaded" in reasons[(7, "kpi")]
    day = Period("day", date(2026, 11, 20), date(2026, 11, 20))
    readings = services.readings.readings(["scrap_cost", "energy"], "plant", day)
    assert readings["scrap_cost"].value == 150.5  # summed over lines
    # a summed KPI's target is per loaded value: 100 EUR per line and day, 200 EUR for two lines' day
    assert (readings["scrap_cost"].target, readings["scrap_cost"].status) == (200, "green")
    line1 = services.readings.reading("scrap_cost", "L1", day)
    assert (line1.value, line1.target, line1.status) == (120.5, 100, "red")
    assert readings["energy"].value == 2.0  # a mean of the day's values
    again = services.loader.run_source("erp")
    assert again.files[0].status == "duplicate" and again.rows_loaded == 0
    with sqlite3.connect(tmp_path / "erp.sqlite") as conn:  # the ERP corrects a value
        conn.execute("UPDATE costs SET amount = 99.5 WHERE id = 1")
    corrected = services.loader.run_source("erp")
    assert (corrected.rows_loaded, corrected.rows_rejected) == (4, 3)  # the same bad rows are reported again
    with services.sessions() as session:
        assert session.execute(select(func.count()).select_from(KpiValue)).scalar_one() == 4
        assert session.execute(select(func.count()).select_from(QuarantinedRow)).scalar_one() == 6
    assert services.readings.reading("scrap_cost", "L1", day).value == 99.5
    assert services.readings.reading("scrap_cost", "L1", day).status == "green"


def test_data_older_than_the_kpi_frequency_is_stale_and_a_period_without_data_is_grey(
        make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # counts arrived for the first hour of the early shift only (06:00-07:00 local = 05:00-06:00 UTC)
    services = make_services(None, now=datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
    write_past(tmp_path / "inbox/counts/c.csv", "line,start,end,total,good\n"
               "L1,2026-11-20 06:00,2026-11-20 07:00,3000,2950\n")
    services.loader.run_all()
    today = Period("day", date(2026, 11, 20), date(2026, 11, 20))
    reading = services.readings.reading("oee", "L1", today)
    # the day is still running (its night shift ends at 06:00 tomorrow) and the newest record is 17.5 h old:
    # more than a shift (8 h) plus the grace hour, so the tile must say stale, not show an old number as current
    assert reading.value is not None and reading.status == "stale"
    assert round(reading.age_s or 0) == 17.5 * 3600
    early = services.readings.reading("oee", "L1", Period("shift", date(2026, 11, 20), date(2026, 11, 20), "E"))
    assert early.status != "stale"  # a finished shift is judged at its end: its data arrived during it
    night = services.readings.reading("oee", "L1", Period("shift", date(2026, 11, 19), date(2026, 11, 19), "N"))
    assert night.value is None and night.status == "grey"


def test_a_missing_source_database_fails_the_run_and_is_not_created(make_services,  # type: ignore[no-untyped-def]
                                                                     tmp_path: Path) -> None:
    plant = tmp_path / "erp_plant.yaml"
    plant.write_text(ERP_PLANT)
    services = make_services(None, plant=plant)
    outcome = services.loader.run_source("erp")
    assert outcome.status == "failed" and "erp.sqlite does not exist" in outcome.message
    assert not (tmp_path / "erp.sqlite").exists()
    assert services.data_status.health()["failing_sources"] == ["erp"]


def test_runs_that_find_nothing_new_fold_into_one_ledger_row(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = make_services(None)
    write_past(tmp_path / "inbox/counts/c.csv", "line,start,end,total,good\nL1,2026-11-20 06:00,2026-11-20 07:00,1,1\n")
    for _ in range(4):
        services.loader.run_source("counts")
    with services.sessions() as session:
        runs = session.execute(select(LoadRun).where(LoadRun.source == "counts").order_by(LoadRun.id)).scalars().all()
    assert [(r.status, r.runs) for r in runs] == [("ok", 1), ("idle", 3)]
    ledger = [r for r in services.data_status.report()["runs"] if r["source"] == "counts"]
    assert ledger[0]["message"].startswith("checked at ") and ledger[0]["message"].endswith(
        ", nothing new (3 checks in a row)")
    assert runs[1].finished_at - runs[1].started_at < timedelta(seconds=30)  # the last check's own time, no span


def test_a_folded_check_never_hands_its_run_number_to_the_next_run(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # a run's lock is keyed by its number, and the check that folds into the streak holds it until it ends: a
    # number given again (SQLite reuses the highest) would leave the next run unlocked, for any process starting
    # meanwhile to mark cut off while it still runs
    services = make_services(None)
    (tmp_path / "inbox" / "counts").mkdir(parents=True)
    held: list[int] = []
    hold = services.loader.locks.hold

    def spied(run_id: int) -> None:
        held.append(run_id)
        hold(run_id)

    services.loader.locks.hold = spied
    for _ in range(4):
        assert services.loader.run_source("counts").status == "idle"
    assert len(held) == 4 and len(set(held)) == 4, held
    with services.sessions() as session:
        runs = session.execute(select(LoadRun).where(LoadRun.source == "counts")).scalars().all()
    assert [(r.id, r.status, r.runs) for r in runs] == [(held[-1], "idle", 4)]  # the last check's row stands
