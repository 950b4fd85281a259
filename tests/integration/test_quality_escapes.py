"""Quality escapes through the loaders into the facts and the board's readings, on SQLite and PostgreSQL.

A defect log marks two lots as found further on in the plant and one as found by the customer; each escape counts once
(one incident, one complaint) however many units it holds, while its units still count as scrapped or reworked. A
row whose escape is neither internal nor customer is quarantined with the column, the value and why; the good rows
are kept. A shift with no escapes reads 0 against a target of 0 (green); a shift without any quality data reads no
value (grey), never green.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.data.models import QualityEvent, ShiftFact
from sqlalchemy import select

from tests.integration.test_loaders_worked_examples import Env, make_env, plant

ESCAPE_KPIS = ("internal_escapes", "customer_escapes", "scrap_rate")

DEFECTS = ("line,time,defect,quantity,disposition,escape\n"
           "L1,2026-06-10 07:00,Underfill,40,scrap,\n"  # caught on the line
           "L1,2026-06-10 08:00,Cap defect,12,rework,internal\n"
           "L1,2026-06-10 09:30,Label crooked,3,rework,Internal\n"
           "L1,2026-06-10 11:00,Seal leak,5,scrap,customer\n"
           "L1,2026-06-10 12:00,Seal leak,7,scrap,supplier\n")  # not an escape the contract knows: quarantined


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> Env:
    """The worked examples' plant with a defect log and the escape KPIs (target 0), on each backend."""
    raw = plant()
    raw["kpis"] += [{"key": k, "category": "Q", "frequency": "shift", "target": 0} for k in ESCAPE_KPIS[:2]]
    raw["sources"].append({"key": "quality", "kind": "files", "record": "quality_events",
                           "path": "/unused/quality", "settle_seconds": 0})
    return make_env(tmp_path, database_url, raw=raw)


def test_escapes_are_counted_per_event_and_a_bad_escape_is_quarantined(env: Env) -> None:
    env.drop("quality", "defects.csv", DEFECTS)
    outcome = env.loader.run_source("quality", "test")
    assert (outcome.rows_loaded, outcome.rows_rejected) == (4, 1)
    problems = [p for f in outcome.files for p in f.problems]
    assert any(column == "escape" and value == "supplier" and "internal, customer" in reason
               for _, column, value, reason in problems), problems
    with env.sessions() as s:
        assert sorted(s.scalars(select(QualityEvent.escape))) == ["", "customer", "internal", "internal"]
        fact = s.scalars(select(ShiftFact).where(ShiftFact.line == "L1", ShiftFact.shift == "E")).one()
        assert (fact.internal_escapes, fact.customer_escapes) == (2.0, 1.0)
        assert (fact.scrap_qty, fact.rework_qty) == (45.0, 15.0)  # the escapes' units are scrapped or reworked too

    early = env.readings.readings(list(ESCAPE_KPIS[:2]), "L1", parse_period("shift", "2026-06-10/E"))
    assert early["internal_escapes"].value == 2 and early["internal_escapes"].status is Status.RED
    assert early["customer_escapes"].value == 1 and early["customer_escapes"].status is Status.RED


def test_a_shift_without_quality_data_is_not_green(env: Env) -> None:
    env.drop("quality", "defects.csv", "line,time,defect,quantity,disposition\n"
                                      "L1,2026-06-10 07:00,Underfill,40,scrap\n")  # an older file: no escape column
    env.run("quality")
    caught = env.readings.readings(["customer_escapes"], "L1", parse_period("shift", "2026-06-10/E"))
    assert caught["customer_escapes"].value == 0 and caught["customer_escapes"].status is Status.GREEN
    empty = env.readings.readings(["customer_escapes"], "L2", parse_period("shift", "2026-06-10/E"))
    assert empty["customer_escapes"].value is None and empty["customer_escapes"].status is not Status.GREEN
