"""Work orders of the maintenance system through the loaders into the facts and PM compliance, on SQLite and
PostgreSQL.

A CMMS export (CSV, then the same as Excel) schedules four preventive work orders on one day of Line 1: two done
that day, one done the day after (late), one not done (missed), and a corrective one PM compliance leaves out: 2 / 4
= 50 %. Bad rows (an unknown line, a type that is neither preventive nor corrective, a date that is not one, a
repeated work order) are quarantined with the column, the value and why; the good rows are kept. A file without the
scheduled date is refused whole, naming the column. A later export in which the late order is done on time raises
the day's compliance; a file read again changes nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import openpyxl
import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.data.models import ShiftFact
from huddle.data.models_feeds import WorkOrder
from sqlalchemy import select

from tests.integration.test_loaders_worked_examples import Env, make_env, plant

HEADER = ["Work order", "Asset", "Line", "Type", "Scheduled date", "Done at"]
GOOD = [
    ["WO-1001", "Filler", "L1", "Preventive", "2026-06-10", "2026-06-10 08:30"],
    ["WO-1002", "Capper", "L1", "preventive", "2026-06-10", "2026-06-10 21:40"],
    ["WO-1003", "Labeller", "L1", "preventive", "2026-06-10", "2026-06-11 07:15"],  # done a day late
    ["WO-1004", "Conveyor", "L1", "preventive", "2026-06-10", ""],  # not done: missed
    ["WO-1005", "Filler", "L1", "corrective", "2026-06-10", "2026-06-10 10:05"],  # a repair: not a PM
]
BAD = [
    ["WO-1006", "Filler", "L9", "preventive", "2026-06-10", ""],  # no such line
    ["WO-1007", "Filler", "L1", "inspection", "2026-06-10", ""],  # neither preventive nor corrective
    ["WO-1008", "Filler", "L1", "preventive", "10th of June", ""],  # not a date
    ["WO-1001", "Filler", "L1", "preventive", "2026-06-10", ""],  # the same work order and day again
]
DAY = parse_period("day", "2026-06-10")


def csv(rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> Env:
    """The worked examples' plant with a CMMS source and PM compliance (target 90 %, read per day)."""
    raw = plant()
    raw["kpis"].append({"key": "pm_compliance", "category": "D", "layer": 3, "frequency": "day", "target": 90})
    raw["sources"].append({"key": "cmms", "kind": "files", "record": "work_orders", "path": "/unused/cmms",
                           "settle_seconds": 0})
    return make_env(tmp_path, database_url, raw=raw)


def test_pm_compliance_counts_preventive_orders_done_by_their_day(env: Env) -> None:
    env.drop("cmms", "work_orders.csv", csv(GOOD))
    env.run("cmms")
    with env.sessions() as s:
        orders = {w.work_order: w for w in s.scalars(select(WorkOrder))}
        fact = s.scalars(select(ShiftFact).where(ShiftFact.line == "L1", ShiftFact.shift == "E")).one()
    assert len(orders) == 5
    assert [orders[k].on_time for k in ("WO-1001", "WO-1002", "WO-1003", "WO-1004")] == [True, True, False, False]
    assert orders["WO-1004"].done_at_utc is None and orders["WO-1005"].kind == "corrective"
    assert (fact.pm_scheduled, fact.pm_on_time) == (4.0, 2.0)  # in the first shift of the scheduled day
    day = env.readings.reading("pm_compliance", "L1", DAY)
    assert (day.numerator, day.denominator, day.value) == (2.0, 4.0, 50.0)
    assert day.status is Status.RED
    other = env.readings.reading("pm_compliance", "L2", DAY)
    assert other.value is None and other.status is not Status.GREEN  # no PM scheduled: no value, never green

    # the next export: the late order's date moved to the day it was done is another order; the missed one is done
    env.drop("cmms", "work_orders_2.csv", csv([*GOOD[:3], ["WO-1004", "Conveyor", "L1", "preventive", "2026-06-10",
                                                           "2026-06-10 13:00"]]))
    env.run("cmms")
    assert env.readings.reading("pm_compliance", "L1", DAY).value == 75.0
    outcome = env.loader.run_source("cmms", "test")  # nothing new: every file was read once
    assert outcome.rows_loaded == 0


def test_bad_rows_are_quarantined_with_their_reasons(env: Env) -> None:
    env.drop("cmms", "work_orders.csv", csv(GOOD + BAD))
    outcome = env.loader.run_source("cmms", "test")
    assert (outcome.rows_loaded, outcome.rows_rejected) == (5, 4)
    problems = {(column, value): reason for f in outcome.files for _, column, value, reason in f.problems}
    assert "unknown line" in problems[("line", "L9")]
    assert "preventive, corrective" in problems[("type", "inspection")]
    assert ("scheduled", "10th of June") in problems
    assert any("duplicate of line 2" in r for r in problems.values()), problems
    assert env.readings.reading("pm_compliance", "L1", DAY).value == 50.0  # the good rows are kept


def test_a_file_without_the_scheduled_date_is_refused_whole(env: Env) -> None:
    env.drop("cmms", "work_orders.csv", "Work order,Asset,Line,Type,Done at\nWO-1,Filler,L1,preventive,\n")
    outcome = env.loader.run_source("cmms", "test")
    assert outcome.rows_loaded == 0
    said = " ".join(str(p) for f in outcome.files for p in f.problems) + " ".join(
        str(f.error or "") for f in outcome.files if hasattr(f, "error"))
    assert "scheduled" in said, outcome.files
    assert env.count(WorkOrder) == 0


def test_an_excel_export_loads_like_the_csv(env: Env, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in GOOD:
        sheet.append(row)
    path = env.inbox / "cmms" / "work_orders.xlsx"
    book.save(path)
    past = time.time() - 60
    os.utime(path, (past, past))
    env.run("cmms")
    assert env.readings.reading("pm_compliance", "L1", DAY).value == 50.0


def test_a_pm_still_open_on_its_own_day_is_not_late_yet(env: Env) -> None:
    from datetime import UTC, datetime

    from huddle.dashboard.services.readings import Readings

    env.drop("cmms", "work_orders.csv", csv(GOOD))
    env.run("cmms")
    # read at 14:00 plant time on the day: WO-1004 is open and has until midnight; WO-1003 was done late
    during = Readings(env.config, env.sessions, clock=lambda: datetime(2026, 6, 10, 12, 0, tzinfo=UTC))
    day = during.reading("pm_compliance", "L1", DAY)
    assert (day.numerator, day.denominator) == (2.0, 3.0)  # 2 of the 3 that can be judged, not 2 of 4
    plant_week = during.reading("pm_compliance", "plant", parse_period("week", "2026-W24"))
    assert plant_week.denominator == 3.0
    # the day over, the open one is missed
    after = Readings(env.config, env.sessions, clock=lambda: datetime(2026, 6, 10, 22, 5, tzinfo=UTC))
    assert after.reading("pm_compliance", "L1", DAY).denominator == 4.0
    # a day with only an open PM on it has nothing to judge yet: no value, not a red 0 %
    env.drop("cmms", "work_orders_3.csv", csv([["WO-2001", "Filler", "L2", "preventive", "2026-06-10", ""]]))
    env.run("cmms")
    open_only = during.reading("pm_compliance", "L2", DAY)
    assert open_only.value is None and open_only.status is not Status.RED
