"""Rows written in bulk read back exactly as given on both databases: on PostgreSQL they travel as one block of
COPY text or as one array per column, so text with tabs, backslashes, quotes, line breaks or a literal \\N must
survive its escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
from huddle.dashboard.core.kpi import MEASURES
from huddle.data.db import init_db, make_engine
from huddle.data.ingest import bulk
from huddle.data.ingest.copy_text import array_text, columns_text, copy_text
from huddle.data.instants import micros_of_utc
from huddle.data.models import Labour, ShiftFact, StopEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

ODD = ["plain", "tab\there", "back\\slash", "line\nbreak", "carriage\rreturn", "\\N", "", "ünïcödé ✓"]


def test_text_values_survive_a_bulk_write(database_url: str) -> None:
    engine = make_engine(database_url)
    init_db(engine)
    starts = [datetime(2026, 11, 20, 5, i, tzinfo=UTC) for i in range(len(ODD))]
    ends = [datetime(2026, 11, 20, 5, i, 30, tzinfo=UTC) for i in range(len(ODD))]
    columns = {"line": ["L1"] * len(ODD), "start_utc": starts, "end_utc": ends, "reason": ODD,
               "category": ["unplanned"] * len(ODD), "equipment": list(reversed(ODD)), "run_id": [7] * len(ODD)}
    instants = {"start_utc": np.asarray([micros_of_utc(s) for s in starts]),
                "end_utc": np.asarray([micros_of_utc(e) for e in ends])}
    with Session(engine) as session, session.begin():
        bulk.write_columns(session, StopEvent.__table__, ("line", "start_utc"), columns, new_only=True,
                           instants=instants)
        labour = {"line": ["L1", "L2"], "production_date": [date(2026, 11, 20)] * 2, "shift": ["E", "L"],
                  "planned_headcount": [6.0, 5.5], "present_headcount": [6.0, 5.0], "hours_worked": [45.25, 0.1],
                  "overtime_hours": [0.0, 1e-3], "run_id": [None, 3]}
        bulk.write_columns(session, Labour.__table__, ("line", "production_date", "shift"), labour, new_only=True)
    with Session(engine) as session:
        stored = session.execute(select(StopEvent.start_utc, StopEvent.end_utc, StopEvent.reason,
                                        StopEvent.equipment, StopEvent.run_id).order_by(StopEvent.start_utc)).all()
        people = session.execute(select(Labour.line, Labour.production_date, Labour.hours_worked,
                                        Labour.overtime_hours, Labour.run_id).order_by(Labour.line)).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == list(zip(starts, ends, ODD, reversed(ODD), [7] * len(ODD), strict=True))
    assert [tuple(r) for r in people] == [("L1", date(2026, 11, 20), 45.25, 0.0, None),
                                          ("L2", date(2026, 11, 20), 0.1, 1e-3, 3)]


def test_copy_text_escapes_and_declines() -> None:
    assert copy_text([("a", 1), ("b", 2.5)]) is None  # a column of whole and decimal numbers: declined
    assert copy_text([("a\tb", 1, None), ("c\\d", 2, None)]) == "a\\tb\t1\t\\N\nc\\\\d\t2\t\\N\n"
    assert copy_text([(datetime(2026, 1, 1, tzinfo=UTC),)]) is None  # an offset a timestamp column would drop
    assert copy_text([(True,)]) is None
    assert copy_text([(datetime(2026, 1, 1, 6, 30), date(2026, 1, 1), 0.1)]) == "2026-01-01 06:30:00\t2026-01-01\t0.1\n"


def _one_value(value: object) -> str:
    """A value as COPY text, written on its own (the reference the column-at-a-time writer must match)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return repr(value) if isinstance(value, float) else str(value)


def test_columns_give_the_text_of_their_rows() -> None:
    n = 40  # columns of few repeated values (written once each) and of many, with and without missing values
    columns = [["L1", "L2"] * (n // 2), [f"odd\t{i}" if i % 7 == 0 else f"r{i}" for i in range(n)], [7] * n,
               [None if i % 3 else 2.5 for i in range(n)], [i / 3 for i in range(n)],
               [None if i % 5 == 0 else i for i in range(n)], [date(2026, 11, 1 + i % 2) for i in range(n)],
               [datetime(2026, 11, 20, 5, i % 4) for i in range(n)], [None] * n]
    expected = "".join("\t".join(map(_one_value, row)) + "\n" for row in zip(*columns, strict=True))
    assert columns_text(columns) == expected
    assert copy_text(list(zip(*columns, strict=True))) == expected
    assert columns_text([[1, 2.5]]) is None and columns_text([]) == ""


def test_replaced_rows_and_facts_keep_odd_text_and_missing_values(database_url: str) -> None:
    """Rows that replace stored ones travel as one array per column on PostgreSQL (``unnest``), as do shift facts:
    the array's quoting must give every text back, and a missing value stays missing."""
    engine = make_engine(database_url)
    init_db(engine)
    starts = [datetime(2026, 11, 20, 5, i, tzinfo=UTC) for i in range(len(ODD))]
    ends = [datetime(2026, 11, 20, 5, i, 30, tzinfo=UTC) for i in range(len(ODD))]
    odd = [*ODD, 'quote"d', "NULL", "{brace,comma}"]
    first = {"line": ["L1"] * len(ODD), "start_utc": starts, "end_utc": ends, "reason": ["r"] * len(ODD),
             "category": ["unplanned"] * len(ODD), "equipment": [""] * len(ODD), "run_id": [1] * len(ODD)}
    again = {**first, "reason": odd[:len(ODD)], "equipment": odd[-len(ODD):], "run_id": [None, *[2] * (len(ODD) - 1)]}
    key = ("line", "start_utc")
    facts = {"line": ['L"1', "L\\2"], "area": ["A", "A"], "production_date": [date(2026, 11, 20)] * 2,
             "shift": ["E", "L"], "start_utc": [starts[0]] * 2, "end_utc": [ends[0]] * 2,
             **dict.fromkeys(MEASURES), "good_count": [1.5, 2.0], "data_through_utc": [None, ends[1]],
             "updated_at": [starts[0]] * 2}
    with Session(engine) as session, session.begin():
        bulk.write_columns(session, StopEvent.__table__, key, first, new_only=True)
        bulk.write_columns(session, StopEvent.__table__, key, again)
        bulk.upsert_facts(session, ShiftFact.__table__, facts, ["good_count", "total_count"])
    with Session(engine) as session:
        stored = session.execute(select(StopEvent.reason, StopEvent.equipment, StopEvent.run_id)
                                 .order_by(StopEvent.start_utc)).all()
        shifts = session.execute(select(ShiftFact.line, ShiftFact.good_count, ShiftFact.total_count,
                                        ShiftFact.data_through_utc).order_by(ShiftFact.shift)).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == list(zip(again["reason"], again["equipment"], again["run_id"], strict=True))
    assert [tuple(r) for r in shifts] == [('L"1', 1.5, 0.0, None), ("L\\2", 2.0, 0.0, ends[1])]


def test_array_text_quotes_text_and_declines_what_is_not_plain() -> None:
    assert array_text(['a"b', "c\\d", None, "NULL"]) == '{"a\\"b","c\\\\d",NULL,"NULL"}'
    assert array_text([1.5, None, 2.0]) == "{1.5,NULL,2.0}"
    assert array_text([datetime(2026, 1, 1, 5), None]) == '{"2026-01-01 05:00:00",NULL}'
    assert array_text([date(2026, 1, 2)] * 4) == "{2026-01-02,2026-01-02,2026-01-02,2026-01-02}"
    assert array_text([None, None]) == "{NULL,NULL}" and array_text([]) == "{}"
    assert array_text([1, 2.5]) is None and array_text([True]) is None and array_text([float("nan")]) is None
    assert array_text([datetime(2026, 1, 1, tzinfo=UTC)]) is None  # an offset a timestamp array would drop
