"""Rows by natural key: a corrected row replaces the stored one with the change ledgered, an unchanged re-read
stores nothing, a count or stop overlapping another of its line is refused naming both, a later good row resolves
the quarantine's open problem of its key; and the row screen answers exactly as the contract's validator does.

On SQLite and PostgreSQL (``services``); the screen's test needs no database.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.plant import load_plant
from huddle.data.ingest import file_load
from huddle.data.ingest.contract import RECORD_TYPES, RowValidator
from huddle.data.ingest.screen import RowScreen
from huddle.data.models import Meta, ProductionCount, QuarantinedRow, ShiftFact, StopEvent
from huddle.data.models_feeds import RowChange
from sqlalchemy import func, select

COUNTS = ("line,start,end,product,total,good\n"
          "L1,2026-11-20 06:00,2026-11-20 07:00,A,3000,2900\n"
          "L1,2026-11-20 07:00,2026-11-20 08:00,A,3100,3000\n"
          "L1,2026-11-20 07:00,2026-11-20 08:00,B,100,90\n"  # a changeover hour: two products, one interval
          "L2,2026-11-20 06:00,2026-11-20 07:00,A,2500,2400\n")
STOPS = ("line,start,end,reason,category\n"
         "L1,2026-11-20 06:10,2026-11-20 06:40,Filler jam,unplanned\n"
         "L1,2026-11-20 09:00,2026-11-20 09:20,Cleaning,planned\n")


def _count(services: Any, model: type) -> int:
    with services.sessions() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _data_version(services: Any) -> str | None:
    with services.sessions() as session:
        return session.execute(select(Meta.value).where(Meta.key == "data_version")).scalar_one_or_none()


def _file(services: Any, source: str) -> Any:
    outcome = services.loader.run_source(source)
    assert len(outcome.files) == 1, outcome
    return outcome.files[0]


def test_each_file_that_stores_rows_bumps_the_data_version_once_with_its_ledger_entry(services: Any,
                                                                                     inbox: Any) -> None:
    inbox.load(services, counts=COUNTS)
    version = int(_data_version(services) or 0)
    inbox.drop("counts", COUNTS.replace(",2900\n", ",2800\n"), name="counts_a.csv")
    inbox.drop("counts", COUNTS.replace(",2400\n", ",2300\n"), name="counts_b.csv")
    outcome = services.loader.run_source("counts")
    assert sorted((Path(f.name).name, f.status, f.rows_replaced) for f in outcome.files) == [  # b restores a's row
        ("counts_a.csv", "loaded", 1), ("counts_b.csv", "loaded", 2)]
    assert int(_data_version(services) or 0) == version + 2  # on PostgreSQL with the entry, in one statement
    header, *rows = COUNTS.replace(",2400\n", ",2300\n").splitlines(keepends=True)
    inbox.drop("counts", header + "".join(reversed(rows)), name="counts_c.csv")  # the same rows, reordered
    assert _file(services, "counts").rows_unchanged == 4
    assert int(_data_version(services) or 0) == version + 2


def test_a_corrected_file_replaces_its_rows_and_the_ledger_keeps_the_change(services: Any, inbox: Any) -> None:
    inbox.load(services, counts=COUNTS)
    good_before = _good(services)
    corrected = COUNTS.replace("L1,2026-11-20 07:00,2026-11-20 08:00,A,3100,3000",
                               "L1,2026-11-20 07:00,2026-11-20 08:00,A,3100,2950")
    inbox.drop("counts", corrected, name="counts_fixed.csv")
    f = _file(services, "counts")
    assert (f.status, f.rows_read, f.rows_loaded, f.rows_replaced, f.rows_unchanged) == ("loaded", 4, 4, 1, 3)
    assert _count(services, ProductionCount) == 4  # nothing doubled
    with services.sessions() as session:
        change = session.execute(select(RowChange)).scalar_one()
        stored = session.execute(select(ProductionCount.good).where(
            ProductionCount.start_utc == datetime(2026, 11, 20, 6, tzinfo=UTC),
            ProductionCount.product == "A")).scalar_one()
    assert stored == 2950
    assert change.record_type == "production_counts"
    assert change.natural_key == "line=L1|start=2026-11-20T06:00:00+00:00|product=A"
    assert Path(change.file).name == "counts_fixed.csv" and change.run_id
    before, after = json.loads(change.before), json.loads(change.after)
    assert (before["good"], after["good"]) == (3000, 2950)
    assert before["total"] == after["total"] == 3100
    assert _good(services) == good_before - 50  # the shift's facts follow the replaced row


def _good(services: Any) -> float:
    with services.sessions() as session:
        return session.execute(select(func.sum(ShiftFact.good_count))).scalar_one()


def test_the_same_rows_read_again_change_nothing(services: Any, inbox: Any) -> None:
    inbox.load(services, counts=COUNTS)
    version = _data_version(services)
    header, *rows = COUNTS.splitlines(keepends=True)
    inbox.drop("counts", header + "".join(reversed(rows)), name="counts_again.csv")  # a re-export, rows reordered
    f = _file(services, "counts")
    assert (f.status, f.rows_loaded, f.rows_replaced, f.rows_unchanged, f.rows_rejected) == ("loaded", 4, 0, 4, 0)
    assert _count(services, RowChange) == 0
    assert _count(services, ProductionCount) == 4
    assert _data_version(services) == version  # nothing changed: the pages have nothing to draw again


def test_a_count_overlapping_another_of_its_line_and_product_is_refused_naming_it(services: Any,
                                                                                   inbox: Any) -> None:
    inbox.drop("counts", COUNTS + "L1,2026-11-20 06:30,2026-11-20 07:30,A,10,10\n"
               "L1,2026-11-20 06:30,2026-11-20 07:30,C,10,10\n", name="counts_1120.csv")
    f = _file(services, "counts")
    assert (f.status, f.rows_loaded, f.rows_rejected) == ("partial", 5, 1)
    assert f.problems == [(6, "start", "2026-11-20 06:30",
                           "overlaps 2026-11-20 06:00–07:00 (line 2 of counts_1120.csv)")]
    with services.sessions() as session:
        q = session.execute(select(QuarantinedRow)).scalar_one()
    assert (q.record_type, q.natural_key, q.status) == (
        "production_counts", "line=L1|start=2026-11-20T05:30:00+00:00|product=A", "open")
    # a later file's row overlapping a stored one names the stored row and the file it came from
    inbox.drop("counts", "line,start,end,product,total,good\nL1,2026-11-20 07:30,2026-11-20 08:30,B,5,5\n",
               name="counts_1121.csv")
    f = _file(services, "counts")
    assert f.problems == [(2, "start", "2026-11-20 07:30",
                           "overlaps the stored count 2026-11-20 07:00–08:00 from counts_1120.csv")]


def test_a_stop_overlapping_a_stored_stop_is_refused_naming_it_and_its_file(services: Any, inbox: Any) -> None:
    inbox.drop("stops", STOPS, name="stops_1119.csv")
    assert _file(services, "stops").rows_loaded == 2
    inbox.drop("stops", "line,start,end,reason,category\n"
               "L1,2026-11-20 06:30,2026-11-20 06:50,Capper fault,unplanned\n"
               "L2,2026-11-20 06:30,2026-11-20 06:50,Capper fault,unplanned\n"
               "L1,2026-11-20 09:00,2026-11-20 09:10,Cleaning,planned\n", name="stops_1120.csv")
    f = _file(services, "stops")
    assert (f.rows_loaded, f.rows_replaced, f.rows_rejected) == (2, 1, 1)
    assert f.problems == [(2, "start", "2026-11-20 06:30",
                           "overlaps the stored stop 2026-11-20 06:10–06:40 from stops_1119.csv")]
    with services.sessions() as session:  # the replaced stop (same line and start) ends earlier now
        ends = session.execute(select(StopEvent.end_utc).where(StopEvent.line == "L1")).scalars().all()
    assert sorted(e.strftime("%H:%M") for e in ends) == ["05:40", "08:10"]


def test_a_later_good_row_resolves_the_open_problem_of_its_key(services: Any, inbox: Any) -> None:
    inbox.drop("counts", "line,start,end,product,total,good\n"
               "L1,2026-11-20 06:00,2026-11-20 07:00,A,100,120\n"  # more good than total
               "L1,2026-11-20 07:00,2026-11-20 08:00,A,100,x\n", name="counts_bad.csv")
    f = _file(services, "counts")
    assert f.status == "rejected"
    with services.sessions() as session:
        keys = sorted((q.row, q.natural_key, q.status) for q in session.execute(select(QuarantinedRow)).scalars())
    assert keys == [(2, "line=L1|start=2026-11-20T05:00:00+00:00|product=A", "open"),
                    (3, "line=L1|start=2026-11-20T06:00:00+00:00|product=A", "open")]
    inbox.drop("counts", "line,start,end,product,total,good\nL1,2026-11-20 06:00,2026-11-20 07:00,A,120,120\n",
               name="counts_good.csv")
    assert _file(services, "counts").rows_loaded == 1
    with services.sessions() as session:
        rows = {q.row: q for q in session.execute(select(QuarantinedRow)).scalars()}
    assert (rows[2].status, rows[2].resolved_by, rows[2].resolved_at) == (
        "resolved", "counts_good.csv", services.clock())
    assert rows[3].status == "open"  # its hour has not come again


def test_duplicates_and_overlaps_are_found_across_the_chunks_of_a_long_file(services: Any, inbox: Any,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_load, "CHUNK_ROWS", 2)  # every second row starts a new chunk
    inbox.drop("counts", "line,start,end,total,good\n"
               "L1,2026-11-20 06:00,2026-11-20 07:00,10,10\n"
               "L1,2026-11-20 07:00,2026-11-20 08:00,10,10\n"
               "L2,2026-11-20 06:00,2026-11-20 07:00,10,10\n"
               "L1,2026-11-20 06:00,2026-11-20 07:00,11,11\n"  # line 5: the key of line 2
               "L1,2026-11-20 07:30,2026-11-20 08:30,10,10\n"  # line 6: overlaps line 3, two chunks back
               "L1,2026-11-20 08:00,2026-11-20 09:00,10,10\n", name="long.csv")
    f = _file(services, "counts")
    assert [(n, r) for n, _c, _v, r in f.problems] == [
        (5, "duplicate of line 2 (same line, start, product)"),
        (6, "overlaps 2026-11-20 07:00–08:00 (line 3 of long.csv)")]
    assert (f.rows_loaded, f.rows_replaced) == (4, 0)
    assert _count(services, RowChange) == 0


# ---- the row screen answers as the validator ---------------------------------------------------------------

_LINES = ["L1", "L2", " L1", "L9", "", "l1"]
_TIMES = ["2026-11-20 06:00", "2026-11-20T07:00:00", "2026-11-20 06:00+01:00", "2026-11-20 05:00Z", "20.11.2026 08:00",
          "2026-10-25 02:30", "2026-10-25 02:00", "2026-10-25 03:00", "2026-03-29 02:30", "2026-11-20 25:00",
          "yesterday", "", "2026/11/20 09:00", "2026-11-20 06:00:30", "2026-10-25 01:59"]
_NUMBERS = ["100", "90", "0", "-1", "1e3", "12,5", "12.5", "x", "", " 7 ", "99999", "3.0", "nan", "inf"]
_WORDS = ["A", "", "Filler jam", "x" * 130, "Cleaning", "unplanned", "planned", "Changeover", "bad", "scrap", "Rework",
          "near_miss", "first aid", "recordable"]
_SHIFTS = ["E", "L", "N", "X", ""]
_DAYS = ["2026-11-20", "20.11.2026", "2026-02-30", "", "today"]


def _cell(rng: random.Random, kind: str) -> str:
    pool = {"line": _LINES, "location": [*_LINES, "a", "ex", "plant"], "datetime": _TIMES, "int": _NUMBERS,
            "float": _NUMBERS, "date": _DAYS, "shift": _SHIFTS, "kpi": ["oee", "trir", "", "nope"]}.get(kind, _WORDS)
    return rng.choice(pool)


@pytest.mark.parametrize("record", ["production_counts", "stop_events", "labour", "safety_events", "quality_events"])
@pytest.mark.parametrize("decimal_comma", [False, True])
def test_the_screen_accepts_and_refuses_exactly_as_the_validator(plant_file: Path, tmp_path: Path, record: str,
                                                                  decimal_comma: bool) -> None:
    config = load_plant(plant_file, tmp_path)
    rt = RECORD_TYPES[record]
    rng = random.Random(f"{record}{decimal_comma}")
    validator = RowValidator(rt, config, decimal_comma=decimal_comma)
    screen = RowScreen(RowValidator(rt, config, decimal_comma=decimal_comma))
    good = 0
    for n in range(4000):
        # mostly good-looking rows, so the checks across columns (end after start, good <= total) are reached
        if n % 3:
            raw = {c.name: rng.choice(["L1", "L2"]) if c.kind == "line" else
                   rng.choice(_TIMES[:5] + _TIMES[13:]) if c.kind == "datetime" else
                   str(rng.randint(0, 120)) if c.kind in ("int", "float") else
                   rng.choice([*c.choices, "", "", "bad"]) if c.kind == "enum" and not c.required else
                   _cell(rng, c.kind) for c in rt.columns}
        else:
            raw = {c.name: _cell(rng, c.kind) for c in rt.columns}
        expected = validator.validate(raw)
        got = screen.validate(raw)
        assert got == expected, (n, raw)
        good += expected[0] is not None
    assert good > 100  # the test reaches accepted rows, not only refusals


# ---- a long file's rows are read as they are stored ------------------------------------------------------------

_TEXTS = {
    "crlf, blank lines, a quoted field over two lines, BOM": (
        "\ufeffline,start,end,product,total,good\r\n" + "L1,2026-11-20 06:00,2026-11-20 07:00,A,10,9\r\n" * 7
        + "\r\n\r\nL2,2026-11-20 06:00,2026-11-20 07:00,\"two\r\nlines\",5,5\r\n"
        + "L1,2026-11-20 08:00,2026-11-20 09:00,Ä,3,3\r\n").encode("utf-8"),
    "windows-1252, semicolons": ("line;start;end;total;good\n" + "L1;2026-11-20 06:00;2026-11-20 07:00;12,5;9\n" * 9
                                 + "L2;caf\u00e9;x;1;1\n").encode("cp1252"),
    "a malformed row after good ones": ("line,start,end,total,good\n" + "L1,a,b,1,1\n" * 12
                                        + 'L1,"a"b,c,1,1\nL2,a,b,1,1\n').encode(),
    "only a malformed row": b'line,start,end,total,good\n\nL1,"a"b,c,1,1\nL2,a,b,1,1\n',
    "header only": b"line,start,end,total,good\n\n\n",
    "no delimiter": b"linestartend\n" + b"x\n" * 40,
}


@pytest.mark.parametrize("name", list(_TEXTS))
@pytest.mark.parametrize("row_line", [2, 40])
def test_a_streamed_text_gives_the_rows_of_a_whole_read(name: str, row_line: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from huddle.data.ingest import csv_stream, readers

    data = _TEXTS[name]

    def read() -> Any:
        try:
            table = readers._read_csv(data, None, None, row_line)
        except readers.FileError as exc:
            return ("refused", exc.reason)
        rows = list(table.rows)
        return (table.header, rows, bool(table.rows), table.broken, table.note, table.decimal_comma,
                (table.rows[0][0], table.rows[-1][0]) if rows else None)

    whole = read()
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0)
    monkeypatch.setattr(csv_stream, "BLOCK", 16)  # many blocks, each cut after a line break
    streamed = read()
    assert streamed == whole
    if whole[0] != "refused" and whole[1]:
        assert isinstance(readers._read_csv(data, None, None, row_line).rows, csv_stream.StreamedRows)
