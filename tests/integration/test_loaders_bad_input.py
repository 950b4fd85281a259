"""Bad input through the loaders into a real SQLite database: one test per kind of bad file or row.

Each test first loads a good file (the baseline), then the bad one, and checks that the message names the
file, row and column, that the bad rows go to the quarantine, that the good rows of the same file are kept and
that the baseline is untouched. Also: re-loading changes nothing, the settle window, temporary names, .xlsx,
the run ledger, and a database that is down (run_source reports 'failed' and raises nothing).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.dashboard.services.readings import Readings
from huddle.data.db import init_db, make_engine, make_session_factory
from huddle.data.ingest.loaders import Loader
from huddle.data.ingest.outcomes import FileOutcome, RunOutcome
from huddle.data.models import LoadedFile, LoadRun, ProductionCount, QuarantinedRow, ShiftFact, StopEvent
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
HEADER = "line,start,end,total,good\n"
BASELINE = HEADER + ("L1,2026-06-09 06:00,2026-06-09 10:00,1000,950\n"
                     "L1,2026-06-09 10:00,2026-06-09 14:00,1000,960\n")
GOOD_ROW = "L1,2026-06-10 06:00,2026-06-10 07:00,100,90\n"
GOOD_ROW_2 = "L1,2026-06-10 08:00,2026-06-10 09:00,100,95\n"


def around(bad_row: str) -> str:
    """A counts file: a good row on line 2, the bad row on line 3, another good row on line 4."""
    return HEADER + GOOD_ROW + bad_row + GOOD_ROW_2


def plant(folders: Path) -> dict[str, Any]:
    def source(key: str, record: str, **extra: Any) -> dict[str, Any]:
        return {"key": key, "kind": "files", "record": record, "path": str(folders / key),
                "settle_seconds": 0, **extra}

    return {
        "site": {"key": "ex", "name": "Example", "timezone": "Europe/Berlin"},
        "calendar": {"shifts": [{"key": "E", "start": "06:00", "end": "14:00"},
                                {"key": "L", "start": "14:00", "end": "22:00"},
                                {"key": "N", "start": "22:00", "end": "06:00"}]},
        "areas": [{"key": "a",
                   "lines": [{"key": "L1", "ideal_cycle_s": 1.0}, {"key": "L2", "ideal_cycle_s": 1.0}]}],
        "stop_reasons": [{"reason": "Jam", "category": "unplanned"},
                         {"reason": "Format change", "category": "changeover"}],
        "kpis": [{"key": "good_units", "category": "D", "target": 1},
                 {"key": "oee", "category": "D", "target": 85}],
        "sources": [
            source("counts", "production_counts"),
            source("stops", "stop_events"),
            source("slow", "production_counts", settle_seconds=3600),
            source("marked", "production_counts", require_ok_marker=True),
        ],
    }


@dataclass
class Env:
    """A plant, a fresh SQLite database with a baseline file loaded, a loader and a readings service."""

    config: PlantConfig
    sessions: sessionmaker[Session]
    loader: Loader
    readings: Readings
    inbox: Path

    def write(self, source: str, name: str, data: str | bytes, age_s: float = 60) -> Path:
        """Write a file into a source's folder, dated ``age_s`` seconds back."""
        path = self.inbox / source / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        stamp = time.time() - age_s
        os.utime(path, (stamp, stamp))
        return path

    def run(self, source: str = "counts") -> RunOutcome:
        return self.loader.run_source(source, "test")

    def one_file(self, source: str = "counts") -> FileOutcome:
        outcome = self.run(source)
        assert len(outcome.files) == 1, outcome
        return outcome.files[0]

    def count(self, model: type, **where: Any) -> int:
        with self.sessions() as s:
            stmt = select(func.count()).select_from(model)
            for k, v in where.items():
                stmt = stmt.where(getattr(model, k) == v)
            return s.scalar(stmt) or 0

    def quarantine(self) -> list[QuarantinedRow]:
        with self.sessions() as s:
            return list(s.scalars(select(QuarantinedRow).order_by(QuarantinedRow.id)))

    def data_version(self) -> int:
        return self.readings.data_version()

    def good_units(self, day: str) -> float | None:
        return self.readings.reading("good_units", "L1", parse_period("day", day)).value

    def assert_baseline_untouched(self) -> None:
        assert self.count(ProductionCount, start_utc=datetime(2026, 6, 9, 4, tzinfo=UTC)) == 1
        assert self.count(ProductionCount, start_utc=datetime(2026, 6, 9, 8, tzinfo=UTC)) == 1
        assert self.good_units("2026-06-09") == 1910
        with self.sessions() as s:
            fact = s.scalars(select(ShiftFact).where(ShiftFact.production_date == date(2026, 6, 9))).one()
        assert (fact.total_count, fact.good_count, fact.shift_s) == (2000, 1910, 8 * 3600)


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> Env:
    """The plant with a baseline file loaded, on a fresh database of each supported backend."""
    inbox = tmp_path / "inbox"
    for key in ("counts", "stops", "slow", "marked"):
        (inbox / key).mkdir(parents=True)
    config = parse_plant(plant(inbox))
    db = make_engine(database_url)
    init_db(db)
    sessions = make_session_factory(db)
    e = Env(config, sessions, Loader(config, sessions, clock=lambda: NOW),
            Readings(config, sessions, clock=lambda: NOW), inbox)
    e.write("counts", "baseline.csv", BASELINE)
    outcome = e.run()
    assert outcome.status == "ok", outcome
    assert outcome.rows_loaded == 2
    e.assert_baseline_untouched()
    assert e.data_version() == 1
    return e


def problems_text(f: FileOutcome) -> str:
    return " | ".join(f"{row}:{col}:{value}:{reason}" for row, col, value, reason in f.problems)


def assert_file_rejected(env: Env, f: FileOutcome, name: str, *phrases: str,
                         column: str = "") -> QuarantinedRow:
    """The whole file is refused: one quarantine row for it (row 0), nothing stored, baseline untouched."""
    assert f.name == name
    assert f.status == "rejected"
    assert (f.rows_loaded, f.problems[0][0], f.problems[0][1]) == (0, 0, column)
    for phrase in phrases:
        assert phrase in f.problems[0][3], f.problems
    q = env.quarantine()
    assert len(q) == 1
    assert Path(q[0].file).name == name
    assert (q[0].row, q[0].column) == (0, column)
    assert q[0].reason == f.problems[0][3]
    assert env.count(ProductionCount) == 2
    assert env.data_version() == 1  # nothing stored, nothing changed
    env.assert_baseline_untouched()
    with env.sessions() as s:
        ledger = s.scalars(select(LoadedFile).where(LoadedFile.path == q[0].file)).one()
    assert ledger.status == "rejected"
    return q[0]


def assert_row_quarantined(env: Env, f: FileOutcome, name: str, row: int, column: str, value: str,
                           reason: str, kept: int = 2) -> QuarantinedRow:
    """One bad row quarantined with its row, column, value and reason; the file's good rows are stored."""
    assert f.name == name
    assert f.status == "partial"
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (kept + 1, kept, 1)
    assert len(f.problems) == 1, problems_text(f)
    got_row, got_col, got_value, got_reason = f.problems[0]
    assert (got_row, got_col, got_value) == (row, column, value)
    assert reason in got_reason
    q = env.quarantine()
    assert len(q) == 1
    assert Path(q[0].file).name == name
    assert (q[0].row, q[0].column, q[0].value) == (row, column, value)
    assert reason in q[0].reason
    assert q[0].record  # the raw row is kept for the person who fixes it
    assert env.count(ProductionCount) == 2 + kept
    assert env.data_version() == 2
    env.assert_baseline_untouched()
    return q[0]


# ---- whole-file problems -------------------------------------------------------------------------------

def test_malformed_csv_with_only_a_broken_row_is_rejected_naming_the_line(env: Env) -> None:
    env.write("counts", "quote.csv", HEADER + 'L1,"2026-06-10 07:00,2026-06-10 08:00,10,9\n' + GOOD_ROW)
    outcome = env.run()
    assert outcome.status == "partial"
    f = outcome.files[0]
    assert_file_rejected(env, f, "quote.csv", "line 2: malformed CSV")
    assert "quote.csv: rejected (" in outcome.message


def test_malformed_csv_names_the_line_where_the_quote_opens(env: Env) -> None:
    env.write("counts", "quote.csv", around('L1,"2026-06-10 07:00,2026-06-10 08:00,10,9\n'))
    f = env.one_file()
    assert f.status == "partial"
    assert f.problems[0][0] == 3 and "malformed CSV from this line on" in f.problems[0][3], f.problems


def test_malformed_csv_keeps_the_good_rows_before_the_quote(env: Env) -> None:
    env.write("counts", "quote.csv", HEADER + GOOD_ROW + 'L1,"2026-06-10 07:00,2026-06-10 08:00,10,9\n')
    env.run()
    assert env.good_units("2026-06-10") == 90


def test_utf16_without_bom_is_rejected(env: Env) -> None:
    env.write("counts", "utf16.csv", (HEADER + GOOD_ROW).encode("utf-16-le"))
    f = env.one_file()
    assert_file_rejected(env, f, "utf16.csv", "NUL bytes", "UTF-16 without a byte-order mark")


def test_binary_garbage_is_rejected(env: Env) -> None:
    env.write("counts", "garbage.csv", bytes(range(0x80, 0x100)) * 4)  # no NUL, not UTF-8, not cp1252
    f = env.one_file()
    assert_file_rejected(env, f, "garbage.csv", "neither UTF-8 nor Windows-1252")


def test_utf16_with_bom_and_cp1252_are_read(env: Env) -> None:
    env.write("counts", "utf16.csv", (HEADER + GOOD_ROW).encode("utf-16"))
    stops = ("line,start,end,reason,category,equipment\n"
             "L1,2026-06-10 07:00,2026-06-10 07:10,Jam,unplanned,Füller\n")
    env.write("stops", "cp1252.csv", stops.encode("cp1252"))
    assert env.one_file().status == "loaded"
    assert env.one_file("stops").status == "loaded"
    with env.sessions() as s:
        assert s.scalars(select(StopEvent.equipment)).one() == "Füller"
    assert env.good_units("2026-06-10") == 90


def test_semicolon_delimiter_with_decimal_comma(env: Env) -> None:
    env.write("counts", "semi.csv", "line;start;end;total;good;planned\n"
                                    "L1;2026-06-10 06:00;2026-06-10 07:00;100;90;112,5\n"
                                    "L1;10.06.2026 08:00;10.06.2026 09:00;100;95;87,5\n")
    f = env.one_file()
    assert (f.status, f.rows_loaded, f.rows_rejected) == ("loaded", 2, 0)
    assert "semicolon" in f.note
    with env.sessions() as s:
        planned = s.scalars(select(ProductionCount.planned_qty).order_by(ProductionCount.start_utc)).all()
    assert planned == [None, None, 112.5, 87.5]
    assert env.readings.reading("good_units", "L1", parse_period("day", "2026-06-10")).value == 185
    env.assert_baseline_untouched()


def test_decimal_comma_in_a_comma_delimited_file_is_refused(env: Env) -> None:
    env.write("counts", "comma.csv", HEADER.replace("\n", ",planned\n")
              + GOOD_ROW.replace("\n", ",100\n") + 'L1,2026-06-10 07:00,2026-06-10 08:00,100,90,"112,5"\n')
    f = env.one_file()
    assert_row_quarantined(env, f, "comma.csv", 3, "planned", "112,5", "not a number", kept=1)


@pytest.mark.parametrize("content", [
    pytest.param(b"", id="zero-bytes"),
    pytest.param(b"  \n\n", id="blank-lines"),
    pytest.param(b"\xef\xbb\xbf\r\n", id="bom-only"),
])
def test_empty_file_is_reported_as_empty(env: Env, content: bytes) -> None:
    env.write("counts", "empty.csv", content)
    f = env.one_file()
    assert (f.status, f.rows_read, f.rows_loaded) == ("empty", 0, 0)
    assert f.note == (f"empty file ({len(content)} bytes, no text): nothing to load" if content
                      else "empty file (0 bytes): nothing to load")
    assert env.quarantine() == []  # nothing in it to put right
    assert env.data_version() == 1
    env.assert_baseline_untouched()


def test_header_only_loads_nothing(env: Env) -> None:
    env.write("counts", "header.csv", HEADER)
    f = env.one_file()
    assert (f.status, f.rows_read, f.rows_loaded, f.note) == ("header only", 0, 0, "header only: no rows")
    assert env.data_version() == 1
    env.assert_baseline_untouched()


def test_missing_column(env: Env) -> None:
    env.write("counts", "missing.csv", "line,start,end,total\nL1,2026-06-10 06:00,2026-06-10 07:00,100\n")
    f = env.one_file()
    assert_file_rejected(env, f, "missing.csv", "missing column 'good'",
                         "the file has: 'line', 'start', 'end', 'total'",
                         "needs: line, start, end, total, good", column="good")


def test_renamed_column_suggests_the_close_match(env: Env) -> None:
    env.write("counts", "renamed.csv", "line,start,end,total,good_qty\n" + GOOD_ROW)
    f = env.one_file()
    assert_file_rejected(env, f, "renamed.csv", "missing column 'good'", "is 'good_qty' meant to be 'good'?",
                         column="good")


def test_aliases_and_case_of_column_names_are_accepted(env: Env) -> None:
    env.write("counts", "aliases.csv", "Line,Start Time,END-TIME,Produced,Qty Good\n" + GOOD_ROW)
    f = env.one_file()
    assert (f.status, f.rows_loaded) == ("loaded", 1)
    assert env.good_units("2026-06-10") == 90


def test_no_delimiter_in_header(env: Env) -> None:
    env.write("counts", "one.csv", "line\nL1\n")
    f = env.one_file()
    assert_file_rejected(env, f, "one.csv", "no column delimiter found")


# ---- row problems -------------------------------------------------------------------------------------

def test_text_in_a_number_column(env: Env) -> None:
    env.write("counts", "text.csv", around("L1,2026-06-10 07:00,2026-06-10 08:00,ten,9\n"))
    f = env.one_file()
    assert_row_quarantined(env, f, "text.csv", 3, "total", "ten", "not a number")
    assert env.good_units("2026-06-10") == 185


def test_negative_and_more_good_than_total(env: Env) -> None:
    env.write("counts", "neg.csv", HEADER + GOOD_ROW + "L1,2026-06-10 07:00,2026-06-10 08:00,-10,0\n"
              + "L1,2026-06-10 09:00,2026-06-10 10:00,10,19\n")
    f = env.one_file()
    assert (f.status, f.rows_loaded, f.rows_rejected) == ("partial", 1, 2)
    assert f.problems == [(3, "total", "-10", "must not be negative"),
                          (4, "good", "19", "more good units than total (10)")]
    env.assert_baseline_untouched()


def test_end_before_start(env: Env) -> None:
    env.write("counts", "end.csv", around("L1,2026-06-10 08:00,2026-06-10 07:00,100,90\n"))
    f = env.one_file()
    row, column, _value, reason = f.problems[0]
    assert (f.status, row, column, reason) == ("partial", 3, "end", "end is not after start")
    assert env.count(ProductionCount) == 4
    assert env.good_units("2026-06-10") == 185
    env.assert_baseline_untouched()


def test_end_before_start_shows_the_value_as_written(env: Env) -> None:
    env.write("counts", "end.csv", around("L1,2026-06-10 08:00,2026-06-10 07:00,100,90\n"))
    f = env.one_file()
    assert_row_quarantined(env, f, "end.csv", 3, "end", "2026-06-10 07:00", "end is not after start")


def test_unknown_line(env: Env) -> None:
    env.write("counts", "line.csv", around("L9,2026-06-10 07:00,2026-06-10 08:00,100,90\n"))
    f = env.one_file()
    assert_row_quarantined(env, f, "line.csv", 3, "line", "L9", "unknown line (known: L1, L2)")


def test_unknown_stop_reason_with_a_catalogue(env: Env) -> None:
    env.write("stops", "stops.csv", "line,start,end,reason,category\n"
                                    "L1,2026-06-09 07:00,2026-06-09 07:10,Jam,\n"
                                    "L1,2026-06-09 08:00,2026-06-09 08:10,Gremlins,unplanned\n"
                                    "L1,2026-06-09 09:00,2026-06-09 09:30,Format change,changeover\n"
                                    "L1,2026-06-09 10:00,2026-06-09 10:30,Jam,planned\n")
    f = env.one_file("stops")
    assert (f.status, f.rows_read, f.rows_loaded, f.rows_rejected) == ("partial", 4, 2, 2)
    assert f.problems[0] == (3, "reason", "Gremlins", "unknown stop reason (add it to stop_reasons)")
    assert f.problems[1][:3] == (5, "category", "planned")
    assert "'Jam' is unplanned" in f.problems[1][3]
    with env.sessions() as s:
        stored = s.execute(select(StopEvent.reason, StopEvent.category).order_by(StopEvent.start_utc)).all()
    assert [tuple(r) for r in stored] == [("Jam", "unplanned"), ("Format change", "changeover")]
    # the baseline shift now carries the stored stops (and nothing from the refused ones)
    r = env.readings.readings(["good_units", "oee"], "L1", parse_period("day", "2026-06-09"))
    assert r["good_units"].value == 1910
    with env.sessions() as s:
        fact = s.scalars(select(ShiftFact).where(ShiftFact.production_date == date(2026, 6, 9))).one()
    assert (fact.unplanned_stop_s, fact.changeover_s, fact.failures) == (600, 1800, 1)


def test_duplicate_rows_in_one_file(env: Env) -> None:
    env.write("counts", "dup.csv", HEADER + GOOD_ROW + GOOD_ROW_2 + GOOD_ROW.replace(",90", ",80"))
    f = env.one_file()
    q = assert_row_quarantined(env, f, "dup.csv", 4, "line,start,product", "", "duplicate of line 2")
    assert "(same line, start, product)" in q.reason
    assert env.good_units("2026-06-10") == 185  # the first of the two is kept


def test_too_many_values_in_a_row(env: Env) -> None:
    env.write("counts", "wide.csv", HEADER + GOOD_ROW + "L1,2026-06-10 07:00,2026-06-10 08:00,100,90,oops\n"
              + GOOD_ROW_2)
    f = env.one_file()
    assert_row_quarantined(env, f, "wide.csv", 3, "", "", "6 values but the header has 5 columns")


def test_nonexistent_local_time_in_the_dst_gap(env: Env) -> None:
    env.write("counts", "dst.csv", HEADER + "L1,2026-03-29 01:00,2026-03-29 01:59,100,90\n"
              + "L1,2026-03-29 02:30,2026-03-29 03:30,100,90\n"  # 02:30 does not exist in Berlin that night
              + "L1,2026-03-29 04:00,2026-03-29 04:59,100,95\n")
    f = env.one_file()
    q = assert_row_quarantined(env, f, "dst.csv", 3, "start", "2026-03-29 02:30",
                               "this local time does not exist in Europe/Berlin")
    assert "give a UTC offset" in q.reason
    # the same instant with an offset is accepted
    env.write("counts", "dst-fixed.csv", HEADER + "L1,2026-03-29 02:30+01:00,2026-03-29 04:00+02:00,100,90\n")
    assert env.one_file().status == "loaded"
    assert env.good_units("2026-03-28") == 275  # all in the night shift starting on the 28th


def test_row_numbers_skip_blank_lines_as_an_editor_shows_them(env: Env) -> None:
    env.write("counts", "blank.csv", HEADER + GOOD_ROW + "\n\nL1,2026-06-10 07:00,2026-06-10 08:00,x,9\n")
    f = env.one_file()
    assert f.problems[0][:2] == (5, "total")


# ---- re-loading, settle window, temporary names -------------------------------------------------------

def test_reloading_the_same_file_changes_nothing(env: Env) -> None:
    env.write("counts", "day.csv", HEADER + GOOD_ROW + GOOD_ROW_2)
    assert env.one_file().status == "loaded"
    rows, version = env.count(ProductionCount), env.data_version()
    assert (rows, version) == (4, 2)

    # the same folder again: the file is known by its stat and not even opened
    again = env.run()
    assert (again.status, again.files) == ("idle", [])

    # touched (new mtime) or copied under another name: recognised by its content
    env.write("counts", "day.csv", HEADER + GOOD_ROW + GOOD_ROW_2, age_s=30)
    f = env.one_file()
    assert f.status == "duplicate"
    assert "same content already read" in f.note
    shutil.copy(env.inbox / "counts" / "day.csv", env.inbox / "counts" / "day-copy.csv")
    os.utime(env.inbox / "counts" / "day-copy.csv", (time.time() - 60, time.time() - 60))
    copy_run = env.run()
    assert [x.status for x in copy_run.files if x.name == "day-copy.csv"] == ["duplicate"]

    assert env.count(ProductionCount) == rows
    assert env.data_version() == version
    assert env.good_units("2026-06-10") == 185
    assert env.count(QuarantinedRow) == 0


def test_a_copy_next_to_its_original_is_reported_once(env: Env) -> None:
    env.write("counts", "day.csv", HEADER + GOOD_ROW)
    assert env.one_file().status == "loaded"
    shutil.copy(env.inbox / "counts" / "day.csv", env.inbox / "counts" / "day-copy.csv")
    os.utime(env.inbox / "counts" / "day-copy.csv", (time.time() - 60, time.time() - 60))
    assert [x.status for x in env.run().files] == ["duplicate"]
    for _ in range(2):
        later = env.run()
        assert later.files == [], later.files


def test_importing_the_same_file_twice(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "manual.csv"
    path.write_text(HEADER + GOOD_ROW + GOOD_ROW_2, encoding="utf-8")
    first = env.loader.import_files([path], "production_counts")
    assert (first.status, first.files[0].status, first.files[0].rows_loaded) == ("ok", "loaded", 2)
    rows, version = env.count(ProductionCount), env.data_version()
    second = env.loader.import_files([path])  # record type recognised from the header
    assert second.files[0].status == "duplicate"
    assert second.status == "idle"
    assert (env.count(ProductionCount), env.data_version()) == (rows, version) == (4, 2)


def test_changed_content_of_a_known_file_is_loaded_again(env: Env) -> None:
    env.write("counts", "day.csv", HEADER + GOOD_ROW)
    env.run()
    env.write("counts", "day.csv", HEADER + GOOD_ROW.replace(",90", ",80") + GOOD_ROW_2, age_s=30)
    f = env.one_file()
    assert (f.status, f.rows_loaded) == ("loaded", 2)
    assert env.count(ProductionCount) == 4  # upserted on the natural key, not doubled
    assert env.good_units("2026-06-10") == 175


def test_file_inside_the_settle_window_waits_for_a_later_run(env: Env) -> None:
    path = env.write("slow", "fresh.csv", HEADER + GOOD_ROW, age_s=0)
    first = env.run("slow")
    assert [(f.name, f.status) for f in first.files] == [("fresh.csv", "waiting")]
    assert first.status == "idle"
    assert "waiting: fresh.csv" in first.message
    assert env.count(ProductionCount) == 2
    assert env.data_version() == 1

    old = time.time() - 7200
    os.utime(path, (old, old))
    later = env.run("slow")
    assert [(f.name, f.status, f.rows_loaded) for f in later.files] == [("fresh.csv", "loaded", 1)]
    assert env.good_units("2026-06-10") == 90


def test_ok_marker_is_waited_for(env: Env) -> None:
    env.write("marked", "c.csv", HEADER + GOOD_ROW)
    first = env.run("marked")
    assert [(f.name, f.status) for f in first.files] == [("c.csv", "waiting")]
    assert "marker" in first.files[0].note
    env.write("marked", "c.csv.ok", "")
    assert [(f.name, f.status) for f in env.run("marked").files] == [("c.csv", "loaded")]


@pytest.mark.parametrize("name", ["x.csv.tmp", "x.csv.part", ".x.csv", "~$x.xlsx", "x.csv.crdownload"])
def test_temporary_names_are_ignored(env: Env, name: str) -> None:
    env.write("counts", name, HEADER + GOOD_ROW)
    env.write("counts", "notes.txt", "not a data file")
    outcome = env.run()
    assert (outcome.status, outcome.files) == ("idle", [])
    assert env.count(ProductionCount) == 2
    assert env.count(QuarantinedRow) == 0


# ---- Excel --------------------------------------------------------------------------------------------

def test_xlsx_loads_with_excel_row_numbers(env: Env) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])  # a blank first row: the header is on row 2
    sheet.append(["line", "start", "end", "total", "good"])
    sheet.append(["L1", datetime(2026, 6, 10, 6), datetime(2026, 6, 10, 7), 100, 90])
    sheet.append(["L1", datetime(2026, 6, 10, 7), datetime(2026, 6, 10, 8), "many", 90])
    sheet.append(["L1", "2026-06-10 08:00", "2026-06-10 09:00", 100.0, 95])
    book.save(env.inbox / "counts" / "export.xlsx")
    os.utime(env.inbox / "counts" / "export.xlsx", (time.time() - 60, time.time() - 60))
    f = env.one_file()
    assert f.status == "partial", f
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (3, 2, 1)
    assert f.problems == [(4, "total", "many", "not a number")]
    assert env.good_units("2026-06-10") == 185
    env.assert_baseline_untouched()


def test_corrupt_xlsx_is_rejected(env: Env) -> None:
    # still for longer than final_seconds: not a workbook still being saved
    env.write("counts", "broken.xlsx", b"PK\x03\x04 this is not a workbook", age_s=600)
    f = env.one_file()
    assert_file_rejected(env, f, "broken.xlsx", "not a readable .xlsx workbook")


def test_xls_is_refused_with_advice(env: Env) -> None:
    path = env.write("stops", "old.xls", b"\xd0\xcf\x11\xe0 old excel")
    outcome = env.loader.import_files([path], "production_counts")
    assert outcome.files[0].status == "rejected"
    assert "save the sheet as .xlsx or CSV" in outcome.files[0].problems[0][3]


# ---- the run ledger and the quarantine ------------------------------------------------------------------

def test_run_ledger_and_quarantine(env: Env) -> None:
    env.write("counts", "a-good.csv", HEADER + GOOD_ROW)
    env.write("counts", "b-mixed.csv", HEADER + GOOD_ROW_2 + "L9,2026-06-10 10:00,2026-06-10 11:00,1,1\n"
              + "L1,2026-06-10 11:00,2026-06-10 12:00,1,x\n")
    env.write("counts", "c-empty.csv", b"")
    outcome = env.run()
    assert outcome.status == "partial"
    assert [(f.name, f.status) for f in outcome.files] == [
        ("a-good.csv", "loaded"), ("b-mixed.csv", "partial"), ("c-empty.csv", "empty")]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (4, 2, 2)
    assert "b-mixed.csv: partial" in outcome.message
    assert "c-empty.csv: empty file (0 bytes): nothing to load" in outcome.message

    with env.sessions() as s:
        run = s.get(LoadRun, outcome.run_id)
        assert run is not None
        assert (run.source, run.trigger, run.status) == ("counts", "test", "partial")
        assert (run.files_loaded, run.files_skipped) == (3, 0)
        assert (run.rows_read, run.rows_loaded, run.rows_rejected) == (4, 2, 2)
        assert run.started_at == NOW
        assert run.finished_at == NOW
        assert run.message == outcome.message
        q = s.scalars(select(QuarantinedRow).order_by(QuarantinedRow.id)).all()
        files = s.scalars(select(LoadedFile).where(LoadedFile.run_id == outcome.run_id)
                          .order_by(LoadedFile.path)).all()
    assert [(Path(r.file).name, r.row, r.column, r.value, r.reason, r.run_id, r.source) for r in q] == [
        ("b-mixed.csv", 3, "line", "L9", "unknown line (known: L1, L2)", outcome.run_id, "counts"),
        ("b-mixed.csv", 4, "good", "x", "not a number", outcome.run_id, "counts"),
    ]
    assert '"line": "L9"' in q[0].record
    assert [(Path(f.path).name, f.status, f.rows_read, f.rows_loaded, f.rows_rejected) for f in files] == [
        ("a-good.csv", "loaded", 1, 1, 0), ("b-mixed.csv", "partial", 3, 1, 2),
        ("c-empty.csv", "empty", 0, 0, 0)]
    assert env.data_version() == 3  # one bump per file that stored rows
    env.assert_baseline_untouched()


def test_run_ledger_of_an_idle_run(env: Env) -> None:
    outcome = env.run()
    with env.sessions() as s:
        run = s.get(LoadRun, outcome.run_id)
    assert (run.status, run.files_loaded, run.rows_read) == ("idle", 0, 0)


def test_missing_source_folder_fails_the_run_and_is_ledgered(env: Env) -> None:
    shutil.rmtree(env.inbox / "stops")
    outcome = env.run("stops")
    assert outcome.status == "failed"
    assert "does not exist" in outcome.message
    with env.sessions() as s:
        run = s.get(LoadRun, outcome.run_id)
    assert (run.status, run.message) == ("failed", outcome.message)


# ---- the database is down -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["postgresql+psycopg://x@127.0.0.1:1/none", "sqlite:///{tmp}/no/such/dir/h.sqlite"],
                         ids=["postgres-closed-port", "sqlite-missing-directory"])
def test_database_down_fails_the_run_without_raising(env: Env, tmp_path: Path, url: str) -> None:
    if url.startswith("postgresql"):
        pytest.importorskip("psycopg")
    down = make_session_factory(create_engine(url.format(tmp=tmp_path)))
    env.write("counts", "day.csv", HEADER + GOOD_ROW)
    loader = Loader(env.config, down, clock=lambda: NOW)
    outcome = loader.run_source("counts")
    assert outcome.status == "failed"
    assert outcome.run_id is None
    assert outcome.message.startswith("database unavailable:")
    assert len(outcome.message) < 400
    assert [o.status for o in loader.run_all()] == ["failed"] * 4
    # the file is still there for the next run against the real database
    assert [(f.name, f.status) for f in env.run().files] == [("day.csv", "loaded")]
