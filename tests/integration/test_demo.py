"""The demo data: generated exports load without a single rejected row, tell the Line 2 story, and the live
feed continues the history hour by hour with the same numbers."""

from __future__ import annotations

import csv
import itertools
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from huddle.dashboard.core.kpi import FORMULAS, MEASURES, evaluate
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import PlantConfig, load_plant
from huddle.dashboard.services.readings import Readings
from huddle.dashboard.settings import DEMO_PLANT
from huddle.data.db import init_db, make_engine, make_session_factory
from huddle.data.demo.feeds import feed_current, generate_history, prepare_demo
from huddle.data.demo.samples import PREFIX as SAMPLE_PREFIX
from huddle.data.ingest.loaders import Loader
from huddle.data.ingest.outcomes import RunOutcome
from huddle.data.models import KpiValue, Labour, ProductionCount, QualityEvent, SafetyEvent, ShiftFact, StopEvent
from huddle.data.models_feeds import WorkOrder
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

NOW = datetime(2026, 11, 20, 10, 20, tzinfo=UTC)  # 11:20 in Berlin: the early shift is running
LATER = NOW + timedelta(hours=3)  # 14:20 in Berlin: three more hours done, the early shift has ended


@dataclass
class Plant:
    """A generated and loaded demo plant."""

    config: PlantConfig
    data_dir: Path
    sessions: sessionmaker[Session]
    written: dict[str, int]
    outcomes: list[RunOutcome]


def settle(data_dir: Path) -> None:
    """Date every file back a minute: the loader leaves files younger than the source's settle window."""
    past = time.time() - 60
    for path in (data_dir / "inbox").rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def load(config: PlantConfig, sessions: sessionmaker[Session], data_dir: Path,
         now: datetime) -> list[RunOutcome]:
    """Run every source once with a fixed clock."""
    settle(data_dir)
    return Loader(config, sessions, clock=lambda: now).run_all(trigger="demo")


def assert_clean(outcomes: list[RunOutcome]) -> None:
    """No source failed and no row was rejected (the problems are printed when one was); the live feed's untidy
    sample files (data/demo/samples.py) are refused on purpose and left out."""
    for outcome in outcomes:
        files = [f for f in outcome.files if not f.name.startswith(SAMPLE_PREFIX)]
        problems = [(f.name, p) for f in files for p in f.problems[:5]]
        rejected = sum(f.rows_rejected for f in files)
        if rejected or outcome.status == "failed":
            print(outcome.source, outcome.status, outcome.message, problems)
        assert outcome.status != "failed", f"{outcome.source}: {outcome.message}"
        assert rejected == 0 and not any(f.status == "rejected" for f in files), f"{outcome.source}: {problems}"


def make_plant(data_dir: Path, *, days: int, now: datetime = NOW) -> Plant:
    """Generate ``days`` of history into a folder and load all of it into a fresh SQLite database."""
    config = load_plant(DEMO_PLANT, data_dir)
    written = generate_history(config, data_dir, now, days=days)
    engine = make_engine(f"sqlite:///{(data_dir / 'huddle.sqlite').as_posix()}")
    init_db(engine)
    sessions = make_session_factory(engine)
    return Plant(config, data_dir, sessions, written, load(config, sessions, data_dir, now))


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    return make_plant(tmp_path_factory.mktemp("demo21"), days=21)


def availability(facts: list[ShiftFact]) -> float:
    sums = {m: sum(getattr(f, m) for f in facts) for m in MEASURES}
    value = evaluate(FORMULAS["availability"], sums).value
    assert value is not None
    return value


def csv_rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    return list(csv.reader(text.splitlines(), delimiter=";" if ";" in text.splitlines()[0] else ","))[1:]


def test_history_loads_without_rejected_rows(plant: Plant) -> None:
    assert_clean(plant.outcomes)
    by_source = {o.source: o for o in plant.outcomes}
    assert set(by_source) == set(plant.config.sources)
    statuses = [(o.source, o.status, o.message) for o in plant.outcomes]
    assert all(o.status == "ok" for o in plant.outcomes), statuses
    assert not list((plant.data_dir / "inbox").rglob("*.tmp")), "temporary files left behind"


def test_every_record_type_has_rows(plant: Plant) -> None:
    tables = {"production_counts": ProductionCount, "stop_events": StopEvent, "quality_events": QualityEvent,
              "safety_events": SafetyEvent, "labour": Labour, "work_orders": WorkOrder}
    with plant.sessions() as session:
        for record, model in tables.items():
            stored = session.scalar(select(func.count()).select_from(model))
            assert stored, record
            assert stored == plant.written[record], record
        kinds = dict(session.execute(select(KpiValue.kpi, func.count()).group_by(KpiValue.kpi)).all())
        facts = session.scalar(select(func.count()).select_from(ShiftFact).where(ShiftFact.line != ""))
    assert kinds["improvement_ideas"] == plant.written["kpi_values"] > 0
    assert kinds["scrap_cost"] == plant.written["daily_scrap_cost"] == 20 * 4  # completed days × lines
    assert facts == (20 * 3 + 1) * 4  # every line in every shift, up to today's early shift


def test_history_shape(plant: Plant) -> None:
    """Hourly counts for all lines and shifts, up to the last completed hour; stops never overlap."""
    with plant.sessions() as session:
        last_end = session.scalar(select(func.max(ProductionCount.end_utc)))
        lines = set(session.scalars(select(ProductionCount.line).distinct()))
        products = set(session.scalars(select(ProductionCount.product).where(ProductionCount.line == "L1")))
        packing = set(session.scalars(select(ProductionCount.product).where(ProductionCount.line == "L3")))
        stops = session.execute(
            select(StopEvent.line, StopEvent.start_utc, StopEvent.end_utc, StopEvent.reason)
            .order_by(StopEvent.line, StopEvent.start_utc)).all()
        kinds = set(session.scalars(select(SafetyEvent.kind)))
    assert last_end == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert lines == {"L1", "L2", "L3", "L4"}
    assert products == {"SKU-330", "SKU-500", "SKU-750"}
    assert packing == {""}
    assert max(s.end_utc for s in stops) <= last_end
    reasons = {s.reason for s in stops}
    assert {"Filler jam", "Format change", "Cleaning (CIP)"} <= reasons
    for previous, current in itertools.pairwise(stops):
        if previous.line == current.line:
            assert previous.end_utc <= current.start_utc, (previous, current)
    instances = plant.config.calendar.instances(stops[0].start_utc, last_end)
    breaks = [b for inst in instances for b in inst.breaks]
    for stop in stops:
        assert not any(lo < stop.end_utc and stop.start_utc < hi for lo, hi in breaks), stop
    assert {"near_miss", "first_aid"} <= kinds


def test_the_demo_has_quality_escapes_on_its_board(plant: Plant) -> None:
    """Some defect lots are marked as escapes, a few of them found by the customer; the board reads both KPIs."""
    with plant.sessions() as session:
        escapes = dict(session.execute(select(QualityEvent.escape, func.count()).group_by(QualityEvent.escape)).all())
        facts = session.execute(select(func.sum(ShiftFact.internal_escapes), func.sum(ShiftFact.customer_escapes))
                                ).one()
    assert escapes[""] > escapes["internal"] > escapes["customer"] > 0, escapes
    assert tuple(facts) == (escapes["internal"], escapes["customer"])
    readings = Readings(plant.config, plant.sessions, clock=lambda: NOW)
    week = readings.readings(["internal_escapes", "customer_escapes"], "riverside",
                             parse_period("week", "2026-W46"))
    assert week["internal_escapes"].value is not None and week["internal_escapes"].value > 0
    assert week["customer_escapes"].value is not None


def scrap_cost_check(sessions: sessionmaker[Session], days: set[date]) -> None:
    """The ERP's scrap cost of a line and day is the units the QMS scrapped that day × the unit cost."""
    cost = {"L1": 0.35, "L2": 0.35, "L3": 1.20, "L4": 1.20}
    with sessions() as session:
        erp = {(v.line, v.production_date): v.value for v in session.scalars(
            select(KpiValue).where(KpiValue.kpi == "scrap_cost", KpiValue.production_date.in_(days)))}
        scrapped = {(line, day): qty for line, day, qty in session.execute(
            select(ShiftFact.line, ShiftFact.production_date, func.sum(ShiftFact.scrap_qty))
            .where(ShiftFact.line != "", ShiftFact.production_date.in_(days))
            .group_by(ShiftFact.line, ShiftFact.production_date))}
    assert set(erp) == {(line, day) for line in cost for day in days}
    for (line, day), value in erp.items():
        assert value == pytest.approx(scrapped[(line, day)] * cost[line], abs=0.006), (line, day)


def test_erp_scrap_cost_matches_the_scrapped_units(plant: Plant) -> None:
    scrap_cost_check(plant.sessions, {date(2026, 11, 1) + timedelta(days=n) for n in range(19)})


def test_loading_again_loads_nothing(plant: Plant) -> None:
    outcomes = load(plant.config, plant.sessions, plant.data_dir, NOW)
    assert_clean(outcomes)
    assert sum(o.rows_loaded for o in outcomes) == 0


def test_same_seed_same_files(tmp_path: Path) -> None:
    config_a = load_plant(DEMO_PLANT, tmp_path / "a")
    config_b = load_plant(DEMO_PLANT, tmp_path / "b")
    generate_history(config_a, tmp_path / "a", NOW, days=3)
    generate_history(config_b, tmp_path / "b", NOW, days=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a" / "inbox").rglob("*.*"))
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b" / "inbox").rglob("*.*"))
    for rel in files:
        a, b = tmp_path / "a" / rel, tmp_path / "b" / rel
        if rel.suffix == ".csv":
            assert a.read_bytes() == b.read_bytes(), rel
        else:
            values = [list(openpyxl.load_workbook(p, read_only=True).worksheets[0].values) for p in (a, b)]
            assert values[0] == values[1], rel
    other = tmp_path / "c"
    generate_history(load_plant(DEMO_PLANT, other), other, NOW, days=3, seed=8)
    day = "counts/counts_20261119.csv"
    assert (other / "inbox" / day).read_bytes() != (tmp_path / "a" / "inbox" / day).read_bytes()


def test_line_2_availability_drifts_down(tmp_path: Path) -> None:
    plant = make_plant(tmp_path, days=60)
    assert_clean(plant.outcomes)
    with plant.sessions() as session:
        facts = list(session.scalars(select(ShiftFact).where(ShiftFact.line != "")))
    last = max(f.production_date for f in facts)
    week = [f for f in facts if f.production_date > last - timedelta(days=7)]
    early = [f for f in facts if f.production_date <= last - timedelta(days=43)]
    recent = {line: availability([f for f in week if f.line == line]) for line in plant.config.lines}
    before = {line: availability([f for f in early if f.line == line]) for line in plant.config.lines}
    print("availability last 7 days", {k: round(v, 1) for k, v in recent.items()},
          "before the drift", {k: round(v, 1) for k, v in before.items()})
    for line in ("L1", "L3", "L4"):
        assert recent["L2"] <= recent[line] - 8, recent
        assert recent[line] > 82, recent
    assert recent["L2"] < 80
    assert before["L2"] > 84


def test_live_feed_continues_the_history(tmp_path: Path) -> None:
    plant = make_plant(tmp_path, days=3)
    assert_clean(plant.outcomes)
    assert feed_current(plant.config, tmp_path, NOW + timedelta(minutes=30)) == []  # no hour completed yet
    written = feed_current(plant.config, tmp_path, LATER)
    names = {p.name for p in written}
    assert {f"counts_live_20261120_{h}.csv" for h in (11, 12, 13)} <= names
    assert "counts_live_20261120_14.csv" not in names  # 14:00–15:00 is not complete at 14:20
    assert "labour_live_20261120_E.csv" in names
    assert any(n.startswith("stops_live_") for n in names)
    assert any(n.startswith("quality_live_") for n in names)
    assert all(p.exists() for p in written)
    outcomes = load(plant.config, plant.sessions, tmp_path, LATER)
    assert_clean(outcomes)
    loaded = {o.source: o.rows_loaded for o in outcomes}
    assert loaded["mes-counts"] >= 3 * 4
    assert loaded["mes-stops"] > 0
    assert loaded["time-clock"] == 4
    with plant.sessions() as session:
        last_end = session.scalar(select(func.max(ProductionCount.end_utc)))
    assert last_end == datetime(2026, 11, 20, 13, tzinfo=UTC)
    assert feed_current(plant.config, tmp_path, LATER + timedelta(minutes=10)) == []
    assert sum(o.rows_loaded for o in load(plant.config, plant.sessions, tmp_path, LATER)) == 0

    # a day later: the rest of the day's hours, the shifts' labour, and the ERP books the completed day
    tomorrow = NOW + timedelta(days=1)
    written = feed_current(plant.config, tmp_path, tomorrow)
    names = {p.name for p in written}
    assert {"erp.sqlite", "labour_live_20261120_L.csv", "labour_live_20261120_N.csv"} <= names
    assert sum(n.startswith("counts_live_") for n in names) == 21  # 14:00 on the 20th to 11:00 on the 21st
    assert_clean(load(plant.config, plant.sessions, tmp_path, tomorrow))
    scrap_cost_check(plant.sessions, {date(2026, 11, 20)})


def test_live_hours_equal_the_history_hours(tmp_path: Path) -> None:
    """History cut at 08:00 plus the live feed to 11:00 gives exactly the rows of a history cut at 11:00."""
    whole, fed = tmp_path / "whole", tmp_path / "fed"
    generate_history(load_plant(DEMO_PLANT, whole), whole, NOW, days=2)
    config = load_plant(DEMO_PLANT, fed)
    generate_history(config, fed, NOW - timedelta(hours=3), days=2)
    written = feed_current(config, fed, NOW)
    assert sorted(p.name for p in written if p.name.startswith("counts_live_")) == [
        "counts_live_20261120_08.csv", "counts_live_20261120_09.csv", "counts_live_20261120_10.csv"]

    def rows(folder: Path, pattern: str) -> list[list[str]]:
        return sorted(r for p in folder.glob(pattern) for r in csv_rows(p) if r[1].startswith("2026-11-20"))

    for kind, pattern in (("counts", "counts*20261120*.csv"), ("stops", "stops*20261120*.csv")):
        expected = rows(whole / "inbox" / kind, pattern)
        assert expected and rows(fed / "inbox" / kind, pattern) == expected, kind
    live_files = (fed / "inbox" / "quality").glob("quality_live_*.csv")
    live_quality = sorted(r for p in live_files for r in csv_rows(p))
    book = openpyxl.load_workbook(whole / "inbox" / "quality" / "quality_2026-W47.xlsx", read_only=True)
    history_quality = sorted(
        [line, f"{at:%Y-%m-%d %H:%M:%S}", defect, str(qty), disposition, escape or ""]
        for line, at, defect, qty, disposition, escape in list(book.worksheets[0].values)[1:]
        if datetime(2026, 11, 20, 8) <= at < datetime(2026, 11, 20, 11))
    assert live_quality and live_quality == history_quality


def test_prepare_demo_runs_once(tmp_path: Path) -> None:
    written = prepare_demo(tmp_path, now=NOW)
    assert written["production_counts"] > 100 * 24 * 4
    assert (tmp_path / "inbox" / "counts" / "counts_20261120.csv").exists()
    assert (tmp_path / "erp.sqlite").exists()
    assert prepare_demo(tmp_path, now=NOW + timedelta(days=1)) == {}
    assert not (tmp_path / "inbox" / "counts" / "counts_20261121.csv").exists()


def test_now_must_be_aware(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="aware"):
        generate_history(load_plant(DEMO_PLANT, tmp_path), tmp_path, datetime(2026, 11, 20, 10), days=1)
