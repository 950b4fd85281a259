"""DOMAIN.md's worked examples as raw CSV/XLSX records through the loaders into SQLite, read by the readings service.

OEE 74.79 % (A 88.81 %, P 86.11 %, Q 97.80 %) from one early shift with breaks, two stops and two count
intervals; TRIR 4.44 from four recordables and 180,000 labour hours in a month; RTY 0.5075 over an area's flow
of four steps; schedule attainment 87.92 %; a night shift's counts on both sides of midnight (and over the DST
nights) land in one production date. Real SQLite files under tmp_path, no mocks.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.dashboard.services.readings import Readings
from huddle.data.db import init_db, make_engine, make_session_factory
from huddle.data.ingest.loaders import Loader
from huddle.data.models import Labour, ProductionCount, SafetyEvent, ShiftFact, StopEvent
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)  # after every period used here

KPI_KEYS = ("oee", "availability", "performance", "quality", "trir", "rty", "schedule_attainment", "fpy",
            "mtbf", "mttr", "unplanned_downtime", "good_units", "recordables", "near_misses",
            "first_aid_cases")
TARGETS = {"oee": 85, "availability": 90, "performance": 95, "quality": 99.9, "trir": 2.0, "rty": 94,
           "schedule_attainment": 95}


def plant(production_date: str = "start") -> dict[str, Any]:
    return {
        "site": {"key": "ex", "name": "Example", "timezone": "Europe/Berlin"},
        "calendar": {"production_date": production_date, "shifts": [
            {"key": "E", "start": "06:00", "end": "14:00", "breaks": [
                {"start": "09:00", "minutes": 15}, {"start": "11:00", "minutes": 30, "label": "meal"},
                {"start": "12:45", "minutes": 15}]},
            {"key": "L", "start": "14:00", "end": "22:00"},
            {"key": "N", "start": "22:00", "end": "06:00"},
        ]},
        "areas": [
            {"key": "filling",
             "lines": [{"key": "L1", "ideal_cycle_s": 1.0}, {"key": "L2", "ideal_cycle_s": 2.0}]},
            {"key": "assembly", "flow": ["S1", "S2", "S3", "S4"],
             "lines": [{"key": f"S{i}", "ideal_cycle_s": 3.0} for i in range(1, 5)]},
        ],
        "kpis": [{"key": k, "category": "S" if k in ("trir", "recordables") else "D", "amber": 2.0,
                  "frequency": "month" if k == "trir" else "day" if k == "rty" else "shift",
                  **({"target": TARGETS[k]} if k in TARGETS else {})} for k in KPI_KEYS],
        "sources": [
            {"key": key, "kind": "files", "record": record, "path": f"/unused/{key}", "settle_seconds": 0}
            for key, record in (("counts", "production_counts"), ("stops", "stop_events"),
                                ("safety", "safety_events"), ("labour", "labour"))
        ],
    }


@dataclass
class Env:
    """A plant, a fresh SQLite database, a loader and a readings service on a fixed clock, and an inbox per source."""

    config: PlantConfig
    sessions: sessionmaker[Session]
    loader: Loader
    readings: Readings
    inbox: Path

    def drop(self, source: str, name: str, text: str) -> Path:
        """Write a file into a source's folder, dated a minute back (outside the settle window)."""
        path = self.inbox / source / name
        path.write_text(text, encoding="utf-8")
        past = time.time() - 60
        os.utime(path, (past, past))
        return path

    def run(self, source: str) -> None:
        outcome = self.loader.run_source(source, "test")
        assert outcome.status == "ok", outcome
        assert outcome.rows_rejected == 0, outcome.files

    def count(self, model: type) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0


def make_env(tmp_path: Path, database_url: str, production_date: str = "start",
             raw: dict[str, Any] | None = None) -> Env:
    raw = raw or plant(production_date)
    for s in raw["sources"]:
        s["path"] = str(tmp_path / "inbox" / s["key"])
        Path(s["path"]).mkdir(parents=True)
    config = parse_plant(raw)
    db = make_engine(database_url)
    init_db(db)
    sessions = make_session_factory(db)
    return Env(config, sessions, Loader(config, sessions, clock=lambda: NOW),
               Readings(config, sessions, clock=lambda: NOW), tmp_path / "inbox")


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> Env:
    """The plant on a fresh database of each supported backend."""
    return make_env(tmp_path, database_url)


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# ---- OEE -------------------------------------------------------------------------------------------------

OEE_COUNTS = [  # two intervals of the early shift on 2026-06-10: 19,271 total, 18,848 good
    ("L1", datetime(2026, 6, 10, 6), datetime(2026, 6, 10, 10), 9_600, 9_400),
    ("L1", datetime(2026, 6, 10, 10), datetime(2026, 6, 10, 14), 9_671, 9_448),
]
OEE_STOPS = ("line;start;end;reason;category\n"
             "L1;2026-06-10 07:10;2026-06-10 07:30;Filler jam;unplanned\n"  # 20 min
             "L1;2026-06-10 12:00;2026-06-10 12:27;Capper fault;unplanned\n")  # 27 min → 47 min down


def write_counts_xlsx(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Line", "Start", "End", "Total", "Good"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def check_oee_example(env: Env, scope: str, period_text: str, grain: str = "shift") -> None:
    period = parse_period(grain, period_text)
    r = env.readings.readings(["oee", "availability", "performance", "quality"], scope, period)
    assert rounded(r["availability"].value) == 88.81
    assert rounded(r["performance"].value) == 86.11
    assert rounded(r["quality"].value) == 97.80
    assert rounded(r["oee"].value) == 74.79
    # numerators and denominators, in seconds: PPT 420 min, run 373 min
    assert r["oee"].numerator == pytest.approx(18_848.0)
    assert r["oee"].denominator == pytest.approx(420 * 60.0)
    assert r["availability"].numerator == pytest.approx(373 * 60.0)
    assert r["performance"].numerator == pytest.approx(19_271.0)
    product = r["availability"].value * r["performance"].value * r["quality"].value / 100**2
    assert product == pytest.approx(r["oee"].value, rel=1e-9)
    if grain == "shift":  # a day's later shifts have no data: the day reads stale, the shift red
        assert r["oee"].status is Status.RED  # 74.79 against 85, amber band 2
    assert r["performance"].flags == ()
    assert r["oee"].data_through is not None


def test_oee_worked_example_from_xlsx_counts_and_csv_stops(env: Env) -> None:
    write_counts_xlsx(env.inbox / "counts" / "counts-2026-06-10.xlsx", OEE_COUNTS)
    env.drop("stops", "stops-2026-06-10.csv", OEE_STOPS)
    env.run("counts")
    env.run("stops")

    assert env.count(ProductionCount) == 2
    assert env.count(StopEvent) == 2
    check_oee_example(env, "L1", "2026-06-10/E")
    # the same numbers for the day, the area and the plant (the only data is this shift of L1)
    check_oee_example(env, "L1", "2026-06-10", "day")
    check_oee_example(env, "filling", "2026-06-10", "day")
    check_oee_example(env, "plant", "2026-W24", "week")

    r = env.readings.readings(["unplanned_downtime", "mttr", "mtbf", "good_units"], "L1",
                            parse_period("shift", "2026-06-10/E"))
    assert r["unplanned_downtime"].value == pytest.approx(47.0)
    assert r["mttr"].value == pytest.approx(23.5)  # 47 min over 2 failures
    assert r["mtbf"].value == pytest.approx(373 / 60 / 2)  # run hours over 2 failures
    assert r["good_units"].value == 18_848


def test_oee_worked_example_stops_loaded_first_and_in_separate_runs(env: Env) -> None:
    env.drop("stops", "stops.csv", OEE_STOPS)
    env.run("stops")
    # the first count file alone: the shift's facts are already there, with one interval's counts
    env.drop("counts", "c1.csv", "line,start,end,total,good\n"
                                 "L1,2026-06-10 06:00,2026-06-10 10:00,9600,9400\n")
    env.run("counts")
    first = env.readings.reading("good_units", "L1", parse_period("shift", "2026-06-10/E"))
    assert first.value == 9_400
    env.drop("counts", "c2.csv", "line,start,end,total,good\n"
                                 "L1,2026-06-10 10:00,2026-06-10 14:00,9671,9448\n")
    env.run("counts")
    check_oee_example(env, "L1", "2026-06-10/E")
    with env.sessions() as s:
        facts = s.scalars(select(ShiftFact).where(ShiftFact.line == "L1")).all()
    assert len(facts) == 1  # recomputed, never doubled
    assert facts[0].failures == 2
    assert facts[0].shift_s == 8 * 3600


def test_oee_with_offsets_in_timestamps_is_the_same(env: Env) -> None:
    env.drop("counts", "c.csv", "line,start,end,total,good\n"
                                "L1,2026-06-10T04:00:00Z,2026-06-10T08:00:00Z,9600,9400\n"
                                "L1,2026-06-10T10:00:00+02:00,2026-06-10T14:00:00+02:00,9671,9448\n")
    env.drop("stops", "s.csv", OEE_STOPS)
    env.run("counts")
    env.run("stops")
    check_oee_example(env, "L1", "2026-06-10/E")


def test_ratio_of_sums_over_two_lines(env: Env) -> None:
    # L1 runs the worked example in one shift; L2 (2 s cycle) runs two poor shifts: Σ num / Σ den over the day
    write_counts_xlsx(env.inbox / "counts" / "c.xlsx", [
        *OEE_COUNTS, ("L2", datetime(2026, 6, 10, 6), datetime(2026, 6, 10, 7), 1_000, 900),
        ("L2", datetime(2026, 6, 10, 14), datetime(2026, 6, 10, 15), 1_000, 900)])
    env.drop("stops", "s.csv", OEE_STOPS)
    env.run("counts")
    env.run("stops")
    period = parse_period("day", "2026-06-10")
    l1 = env.readings.reading("oee", "L1", period)
    l2 = env.readings.reading("oee", "L2", period)
    both = env.readings.reading("oee", "filling", period)
    assert both.numerator == pytest.approx(l1.numerator + l2.numerator)
    assert both.denominator == pytest.approx(l1.denominator + l2.denominator)
    assert l2.denominator == pytest.approx((420 + 480) * 60.0)  # early shift with breaks + late shift
    assert both.value == pytest.approx(100 * (18_848 + 2 * 900 * 2) / ((420 + 420 + 480) * 60.0))
    assert rounded(both.value) == 28.34
    assert rounded(l2.value) == 6.67
    assert rounded((l1.value + l2.value) / 2) == 40.73  # the mean of ratios would be wrong
    by_line = env.readings.breakdown("oee", "filling", period, by="line")
    assert [(r.scope, rounded(r.value)) for r in by_line] == [("L1", 74.79), ("L2", rounded(l2.value))]


def test_unplanned_stop_during_a_break_is_not_counted_twice(env: Env) -> None:
    write_counts_xlsx(env.inbox / "counts" / "c.xlsx", OEE_COUNTS)
    env.drop("stops", "s.csv", "line,start,end,reason,category\n"
                               "L1,2026-06-10 11:00,2026-06-10 11:30,Jam,unplanned\n")  # the meal break
    env.run("counts")
    env.run("stops")
    r = env.readings.reading("availability", "L1", parse_period("shift", "2026-06-10/E"))
    assert r.denominator == pytest.approx(420 * 60.0)
    assert r.numerator == pytest.approx(420 * 60.0)  # the line was on its break, no production time lost


# ---- TRIR ------------------------------------------------------------------------------------------------

def test_trir_worked_example_over_a_month(env: Env) -> None:
    rows = ["line,date,shift,planned_headcount,present_headcount,hours_worked,overtime_hours"]
    for day in range(1, 31):  # 30 days × 3 shifts × 2,000 h = 180,000 h in June 2026
        for shift in ("E", "L", "N"):
            line = "L1" if day % 2 else "L2"
            rows.append(f"{line},2026-06-{day:02d},{shift},260,250,2000,0")
    env.drop("labour", "labour-2026-06.csv", "\n".join(rows) + "\n")
    env.drop("safety", "ehs.csv", "time,location,type,description\n"
                                  "2026-06-03 10:00,L1,recordable,cut hand\n"
                                  "2026-06-11 23:30,filling,lost_time,fall\n"
                                  "2026-06-20 15:00,ex,recordable,strain\n"
                                  "2026-06-30 23:00,L2,recordable,burn\n"
                                  "2026-06-12 10:00,L1,first_aid,plaster\n"
                                  "2026-06-13 10:00,plant,near_miss,forklift\n"
                                  "2026-07-02 10:00,L1,recordable,next month\n")
    env.run("labour")
    env.run("safety")
    assert env.count(Labour) == 90
    assert env.count(SafetyEvent) == 7

    june = parse_period("month", "2026-06")
    r = env.readings.readings(["trir", "recordables", "first_aid_cases", "near_misses"], "plant", june)
    assert r["trir"].numerator == 4
    assert r["trir"].denominator == pytest.approx(180_000)
    assert rounded(r["trir"].value) == 4.44
    assert r["trir"].status is Status.RED  # lower is better, target 2
    assert r["recordables"].value == 4
    assert r["first_aid_cases"].value == 1
    assert r["near_misses"].value == 1

    # the same number from the monthly series; July has the fifth recordable but no hours worked
    series = env.readings.series("trir", "plant", "month", date(2026, 6, 1), date(2026, 7, 31))
    assert [(s.period, rounded(s.value)) for s in series] == [("2026-06", 4.44), ("2026-07", None)]
    assert series[1].status is Status.GREY

    # a line sees only its own events and hours: L1 has the recordable of 3 June over 45 × 2,000 h
    l1 = env.readings.reading("trir", "L1", june)
    assert l1.numerator == 1
    assert l1.denominator == pytest.approx(90_000)
    assert rounded(l1.value) == 2.22


# ---- RTY -------------------------------------------------------------------------------------------------

def test_rty_worked_example_through_the_area_flow(env: Env) -> None:
    steps = {"S1": (100, 85), "S2": (90, 80), "S3": (80, 65), "S4": (75, 62)}
    env.drop("counts", "assembly.csv", "line,start,end,total,good\n" + "".join(
        f"{line},2026-06-10 08:00,2026-06-10 09:00,{total},{good}\n"
        for line, (total, good) in steps.items()))
    env.run("counts")
    r = env.readings.reading("rty", "assembly", parse_period("day", "2026-06-10"))
    assert r.value is not None
    assert round(r.value / 100, 4) == 0.5075
    assert r.parts == pytest.approx({"S1": 0.85, "S2": 80 / 90, "S3": 0.8125, "S4": 62 / 75})
    assert r.status is Status.RED
    # each step's first-pass yield is the fpy KPI of its line
    assert rounded(env.readings.reading("fpy", "S2", parse_period("day", "2026-06-10")).value) == 88.89
    # a day without counts on one step has no RTY (None, never 0)
    assert env.readings.reading("rty", "assembly", parse_period("day", "2026-06-11")).value is None


def test_rty_with_a_step_missing_is_none(env: Env) -> None:
    env.drop("counts", "assembly.csv", "line,start,end,total,good\n"
                                       "S1,2026-06-10 08:00,2026-06-10 09:00,100,85\n"
                                       "S2,2026-06-10 08:00,2026-06-10 09:00,90,80\n"
                                       "S3,2026-06-10 08:00,2026-06-10 09:00,80,65\n")
    env.run("counts")
    r = env.readings.reading("rty", "assembly", parse_period("day", "2026-06-10"))
    assert r.value is None
    assert r.status is Status.GREY
    assert r.parts["S4"] is None


# ---- schedule attainment -----------------------------------------------------------------------------------

def test_schedule_attainment_worked_example(env: Env) -> None:
    env.drop("counts", "plan.csv", "line;start;end;total;good;planned\n"
                                   "L1;2026-06-11 06:00;2026-06-11 09:00;720;700;800\n"
                                   "L1;2026-06-11 09:00;2026-06-11 12:00;730;710;800\n"
                                   "L1;2026-06-11 12:00;2026-06-11 14:00;705;700;800,0\n")
    env.run("counts")
    r = env.readings.reading("schedule_attainment", "L1", parse_period("shift", "2026-06-11/E"))
    assert r.numerator == 2_110
    assert r.denominator == pytest.approx(2_400)
    assert rounded(r.value) == 87.92
    assert r.status is Status.RED  # 87.92 against 95 with an amber band of 2


# ---- night shift across midnight ---------------------------------------------------------------------------

def night_counts(day: int, month: int = 6) -> str:
    """Hourly counts of the night shift starting on ``day``: 22:00–00:00 that date, 00:00–06:00 the next."""
    lines = ["line,start,end,total,good"]
    for on, hours in ((day, (22, 23)), (day + 1, range(0, 6))):
        for hour in hours:
            stamp = f"2026-{month:02d}-{on:02d} {hour:02d}"
            lines.append(f"L1,{stamp}:00,{stamp}:59,100,95")
    return "\n".join(lines) + "\n"


def test_night_shift_counts_on_both_sides_of_midnight_form_one_production_date(env: Env) -> None:
    env.drop("counts", "night.csv", night_counts(10))
    env.run("counts")
    shift = env.readings.reading("good_units", "L1", parse_period("shift", "2026-06-10/N"))
    assert shift.value == 8 * 95
    assert env.readings.reading("good_units", "L1", parse_period("day", "2026-06-10")).value == 8 * 95
    assert env.readings.reading("good_units", "L1", parse_period("day", "2026-06-11")).value is None
    with env.sessions() as s:
        facts = s.scalars(select(ShiftFact).where(ShiftFact.line == "L1")).all()
    assert [(f.production_date, f.shift, f.total_count) for f in facts] == [(date(2026, 6, 10), "N", 800)]
    assert facts[0].shift_s == 8 * 3600


def test_night_shift_split_over_two_files_at_midnight(env: Env) -> None:
    text = night_counts(10).splitlines()
    env.drop("counts", "before-midnight.csv", "\n".join(text[:3]) + "\n")
    env.run("counts")
    env.drop("counts", "after-midnight.csv", "\n".join([text[0], *text[3:]]) + "\n")
    env.run("counts")
    r = env.readings.reading("good_units", "L1", parse_period("shift", "2026-06-10/N"))
    assert r.value == 8 * 95
    assert env.readings.reading("good_units", "L1", parse_period("day", "2026-06-11")).value is None


def test_night_shift_with_end_production_date_rule(tmp_path: Path) -> None:
    env = make_env(tmp_path, f"sqlite:///{tmp_path / 'huddle.sqlite'}", production_date="end")
    env.drop("counts", "night.csv", night_counts(10))
    env.run("counts")
    assert env.readings.reading("good_units", "L1", parse_period("day", "2026-06-11")).value == 8 * 95
    assert env.readings.reading("good_units", "L1", parse_period("shift", "2026-06-11/N")).value == 8 * 95
    assert env.readings.reading("good_units", "L1", parse_period("day", "2026-06-10")).value is None


@pytest.mark.parametrize(("day", "month", "hours"), [(28, 3, 7), (24, 10, 9), (10, 6, 8)])
def test_night_shift_planned_time_follows_dst(env: Env, day: int, month: int, hours: int) -> None:
    start = f"2026-{month:02d}-{day:02d} 22:00"
    end = f"2026-{month:02d}-{day + 1:02d} 05:00"  # one count interval whose midpoint is in the night shift
    env.drop("counts", "night.csv", f"line,start,end,total,good\nL1,{start},{end},1000,990\n")
    env.run("counts")
    r = env.readings.reading("oee", "L1", parse_period("shift", f"2026-{month:02d}-{day:02d}/N"))
    assert r.denominator == pytest.approx(hours * 3600.0)  # the night shift has no breaks: PPT = real length
    assert r.numerator == pytest.approx(990.0)


def test_naive_local_times_through_the_repeated_autumn_hour_are_kept_in_order(env: Env) -> None:
    # Berlin, 25 Oct 2026: clocks go back at 03:00 CEST to 02:00 CET, so 02:00–03:00 happens twice.
    # A plant export in local time writes that hour twice; both rows belong to the night shift.
    env.drop("counts", "autumn.csv", "line,start,end,total,good\n"
             "L1,2026-10-25 01:00,2026-10-25 02:00,100,100\n"
             "L1,2026-10-25 02:00,2026-10-25 02:30,50,50\n"
             "L1,2026-10-25 02:30,2026-10-25 02:00,50,50\n"  # the first pass ends as the clocks show 02:00 again
             "L1,2026-10-25 02:00,2026-10-25 02:30,70,70\n"
             "L1,2026-10-25 02:30,2026-10-25 03:00,70,70\n"
             "L1,2026-10-25 03:00,2026-10-25 04:00,100,100\n")
    env.run("counts")  # loads with nothing refused
    assert env.count(ProductionCount) == 6
    with env.sessions() as session:
        starts = sorted(r.start_utc for r in session.execute(select(ProductionCount)).scalars())
    assert [s.strftime("%H:%M") for s in starts] == ["23:00", "00:00", "00:30", "01:00", "01:30", "02:00"]
    night = env.readings.reading("good_units", "L1", parse_period("shift", "2026-10-24/N"))
    assert night.value == 440
