"""A new plant live from its systems' exports as they are: tests/fixtures/new_plant holds a plant file whose sources
map the shapes a US plant's MES, QMS, EHS and payroll write (US dates with AM/PM times, a date column beside time
columns, decimal commas with thousands dots, Windows-1252, an Excel sheet with a title above its header at B3, the
systems' own words for lines, areas, downtime types, dispositions and incident classes, monthly site hours with the
month as its first day). Every file loads with no refused row, and OEE and TRIR equal the values worked out by hand
below from the rows of the files. Real SQLite files under tmp_path, the readings service on a fixed clock.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import PlantConfig, load_plant
from huddle.dashboard.services.readings import Readings
from huddle.data.db import init_db, make_engine, make_session_factory
from huddle.data.ingest.loaders import Loader
from huddle.data.models import ProductionCount, QualityEvent, SafetyEvent, StopEvent
from huddle.data.models_feeds import HoursWorked
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "new_plant"
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 2 December 2026, after November's month end


@pytest.fixture
def plant(tmp_path: Path, database_url: str) -> tuple[PlantConfig, sessionmaker[Session], Loader]:
    """The fixture plant copied to a folder of its own (its inbox paths are relative to the plant file), with its
    files written a day before the clock's run (out of the settle window), on a fresh database."""
    folder = tmp_path / "plant"
    shutil.copytree(FIXTURE, folder)
    written = datetime(2026, 12, 1, 11, 0, tzinfo=UTC).timestamp()
    for path in (folder / "inbox").rglob("*.*"):
        os.utime(path, (written, written))
    config = load_plant(folder / "plant.yaml", tmp_path)
    engine = make_engine(database_url)
    init_db(engine)
    sessions = make_session_factory(engine)
    return config, sessions, Loader(config, sessions, clock=lambda: NOW)


def load_all(config: PlantConfig, loader: Loader) -> dict[str, int]:
    """Run every source once; rows loaded per source. No file or row may be refused."""
    loaded = {}
    for key in config.sources:
        outcome = loader.run_source(key, "test")
        assert outcome.status == "ok", (key, outcome)
        assert outcome.rows_rejected == 0, (key, [(f.name, f.problems) for f in outcome.files])
        assert [f.status for f in outcome.files] == ["loaded"], (key, outcome.files)
        loaded[key] = sum(f.rows_loaded for f in outcome.files)
    return loaded


def test_the_exports_load_as_they_are_with_no_refusal(plant: tuple[PlantConfig, sessionmaker[Session], Loader]
                                                      ) -> None:
    config, sessions, loader = plant
    assert load_all(config, loader) == {"mes-counts": 4, "mes-stops": 4, "qms-defects": 3, "ehs-incidents": 5,
                                        "hr-hours": 2}
    with sessions() as s:
        counts = {(c.line, c.start_utc.replace(tzinfo=UTC)): (c.total, c.good, c.planned_qty)
                  for c in s.scalars(select(ProductionCount))}
        stops = {(t.line, t.start_utc.replace(tzinfo=UTC)): (t.end_utc.replace(tzinfo=UTC), t.reason, t.category,
                                                               t.equipment) for t in s.scalars(select(StopEvent))}
        defects = {(q.line, q.defect): (q.quantity, q.disposition) for q in s.scalars(select(QualityEvent))}
        safety = sorted((e.at_utc.replace(tzinfo=UTC), e.location, e.kind) for e in s.scalars(select(SafetyEvent)))
        hours = sorted((h.location, h.grain, h.period_start.isoformat(), h.hours) for h in s.scalars(
            select(HoursWorked)))
    # MES counts: "11/16/2026" + "06:00" in New York (EST, UTC-5) is 11:00 UTC; "5.400" units are 5,400 (thousands
    # dot), "5.500,5" planned units 5,500.5 (decimal comma); "Filler 1" is line P1
    assert counts[("P1", datetime(2026, 11, 16, 11, tzinfo=UTC))] == (5400, 5310, 5500.5)
    assert counts[("P1", datetime(2026, 11, 16, 15, tzinfo=UTC))] == (6600, 6468, 6400.0)
    assert counts[("M1", datetime(2026, 11, 16, 11, tzinfo=UTC))] == (812, 798, 840.5)
    # MES stops: "12:00 PM" is noon, "3:30 PM" 15:30; Windows-1252's en dash and degree sign read as such
    assert stops[("P1", datetime(2026, 11, 16, 12, 10, tzinfo=UTC))] == (
        datetime(2026, 11, 16, 12, 40, tzinfo=UTC), "Jam – capper", "unplanned", "Capper")
    assert stops[("P1", datetime(2026, 11, 16, 17, tzinfo=UTC))][2] == "unplanned"
    assert stops[("P2", datetime(2026, 11, 16, 20, 30, tzinfo=UTC))][1:3] == ("Format change 500 ml to 1 l",
                                                                             "changeover")
    assert stops[("M1", datetime(2026, 11, 16, 14, tzinfo=UTC))][1] == "Mold temp > 80 °C"
    # QMS: "1.026" with the source's thousands dot is 1,026 units, not 1.026
    assert defects[("P1", "Underfill")] == (1026, "scrap")
    assert defects[("P1", "Crooked label")] == (96, "rework")
    # EHS: the Excel date cell joined with the "h:mm AM" text beside it; the EHS system's areas and classes
    assert safety == [
        (datetime(2026, 10, 28, 14, 20, tzinfo=UTC), "M1", "recordable"),  # 10:20 AM EDT (UTC-4)
        (datetime(2026, 11, 3, 14, 40, tzinfo=UTC), "P1", "recordable"),  # 9:40 AM EST (UTC-5)
        (datetime(2026, 11, 10, 19, 50, tzinfo=UTC), "pack", "first_aid"),
        (datetime(2026, 11, 18, 16, 5, tzinfo=UTC), "mold", "lost_time"),
        (datetime(2026, 11, 24, 21, 15, tzinfo=UTC), "ga", "near_miss"),
    ]
    # payroll: "11/01/2026" with the constant grain month is November; "52,400.00" is 52,400 h
    assert hours == [("ga", "month", "2026-10-01", 51980.5), ("ga", "month", "2026-11-01", 52400.0)]


def test_oee_and_trir_equal_the_hand_computed_values(plant: tuple[PlantConfig, sessionmaker[Session], Loader]
                                                     ) -> None:
    config, sessions, loader = plant
    load_all(config, loader)
    readings = Readings(config, sessions, clock=lambda: NOW)

    # OEE of line P1 (Filler 1, ideal cycle 2.0 s), Monday 16 November 2026, Day shift A 06:00–14:30:
    #   shift 8.5 h = 510 min, lunch 10:00–10:30 (30 min)       → planned production time 480 min = 28,800 s
    #   unplanned stops 07:10–07:40 (30 min), 12:00–12:20 (20 min) → run time 430 min = 25,800 s
    #   counts 06:00–10:00 "5.400" / "5.310", 10:00–14:30 "6.600" / "6.468" → total 12,000, good 11,778
    #   availability = 25,800 / 28,800              = 89.583 %
    #   performance  = 12,000 × 2.0 / 25,800        = 93.023 %
    #   quality      = 11,778 / 12,000              = 98.150 %
    #   OEE          = 11,778 × 2.0 / 28,800        = 81.79 % (= A × P × Q)
    shift = readings.readings(["oee", "availability", "performance", "quality"], "P1",
                              parse_period("shift", "2026-11-16/A"))
    assert shift["availability"].value == pytest.approx(25_800 / 28_800 * 100)
    assert shift["performance"].value == pytest.approx(12_000 * 2.0 / 25_800 * 100)
    assert shift["quality"].value == pytest.approx(11_778 / 12_000 * 100)
    assert shift["oee"].numerator == pytest.approx(11_778 * 2.0)
    assert shift["oee"].denominator == pytest.approx(28_800)
    assert round(shift["oee"].value, 2) == 81.79

    # TRIR of the site, November 2026: recordable cases are the OSHA Recordable of 3 Nov (Filler 1) and the Lost
    # Time Case of 18 Nov (Molding); the first aid, the near miss and the October recordable do not count.
    # Hours: payroll's month of November for the site, 52,400 h.  TRIR = 2 × 200,000 / 52,400 = 7.63
    month = readings.readings(["trir", "recordables"], "plant", parse_period("month", "2026-11"))
    assert month["recordables"].value == 2
    assert month["trir"].numerator == 2
    assert month["trir"].denominator == pytest.approx(52_400)
    assert month["trir"].value == pytest.approx(2 * 200_000 / 52_400)
    assert round(month["trir"].value, 2) == 7.63
