"""A chunk of clean, new rows is stored a column at a time (``column_screen``, ``FileLoad._add_clean``); any other
chunk goes row by row. The two paths must store the same thing: here random export files — mostly clean hours
and stops, with bad cells, duplicates, overlaps, times in the repeated and the skipped hour of a clock change,
corrected re-sends and labour rows — are loaded in small chunks once with the column path and once without it,
and the stored rows, shift facts, quarantine, row changes and file outcomes are compared; also with the file's keys
past its first chunks kept in the database, as a long file's are.

On SQLite and PostgreSQL (the column path's database); the row path's reference runs on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.data.ingest import bulk, column_screen, file_index, file_load
from huddle.data.models import Labour, LoadedFile, ProductionCount, QuarantinedRow, ShiftFact, StopEvent
from huddle.data.models_feeds import RowChange
from sqlalchemy import select

from tests.conftest import write_past

START = datetime(2026, 10, 24, 0, 0)  # the files run over the night clocks go back (25 Oct) in Europe/Berlin


def _when(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _counts(rng: random.Random, first_hour: int, hours: int) -> str:
    lines = ["line,start,end,product,total,good"]
    for h in range(first_hour, first_hour + hours):
        start = START + timedelta(hours=h)
        for line in ("L1", "L2"):
            total = rng.randint(100, 3000)
            good = total - rng.randint(0, 50)
            cells = [line, _when(start), _when(start + timedelta(hours=1)), rng.choice(["A", "", "B"]), str(total),
                     str(good)]
            roll = rng.random()
            if roll < 0.03:
                cells[4] = rng.choice(["x", "", "-1"])  # a bad cell
            elif roll < 0.05:
                cells[5] = str(total + 1)  # more good than total
            elif roll < 0.07:
                cells[2] = _when(start + timedelta(minutes=90))  # overlaps the next hour
            lines.append(",".join(cells))
            if rng.random() < 0.02:
                lines.append(",".join(cells))  # the same row twice
    return "\n".join(lines) + "\n"


def _stops(rng: random.Random, days: int) -> str:
    lines = ["line,start,end,reason,category,equipment"]
    for d in range(days):
        for line in ("L1", "L2"):
            at = START + timedelta(days=d, minutes=rng.randint(0, 120))
            for _ in range(6):
                length = timedelta(minutes=rng.randint(1, 90))
                category = rng.choice(["unplanned", "planned", "changeover", "unplanned"])
                if rng.random() < 0.03:
                    category = rng.choice(["", "sometimes"])
                lines.append(f"{line},{_when(at)},{_when(at + length)},Reason {rng.randint(1, 4)},{category},"
                             f"{rng.choice(['', 'Filler'])}")
                at += length + timedelta(minutes=rng.randint(-20, 200))  # now and then overlapping the last one
    return "\n".join(lines) + "\n"


def _labour(rng: random.Random, days: int) -> str:
    lines = ["line,date,shift,planned_headcount,present_headcount,hours_worked,overtime_hours"]
    for d in range(days):
        day = date(2026, 10, 24) + timedelta(days=d)
        for line in ("L1", "L2"):
            for shift in ("E", "L", "N"):
                present = rng.randint(0, 6)
                hours = round(present * 7.5 + rng.random(), 2)
                overtime = rng.choice(["", "0", "1.5", str(hours + 1)])
                lines.append(f"{line},{day.isoformat()},{shift},6,{present},{hours},{overtime}")
    return "\n".join(lines) + "\n"


def _files(seed: int) -> list[tuple[str, str, str]]:
    """(record type, file name, text) in the order they arrive."""
    rng = random.Random(seed)
    first = _counts(rng, 0, 40)
    resent = first.replace(",A,", ",A2,", 3)  # a re-sent file with three rows corrected
    return [("production_counts", "counts_1.csv", first), ("stop_events", "stops_1.csv", _stops(rng, 3)),
            ("production_counts", "counts_2.csv", _counts(rng, 38, 30)),
            ("production_counts", "counts_1_fixed.csv", resent), ("labour", "labour.csv", _labour(rng, 3)),
            ("stop_events", "stops_2.csv", _stops(rng, 2))]


_FACT_COLUMNS = ("line", "production_date", "shift", "total_count", "good_count", "ideal_good_s", "run_s",
                 "unplanned_stop_s", "planned_stop_s", "changeover_s", "failures", "covered_s", "hours_worked",
                 "data_through_utc")


def _load(services: Any, root: Path, seed: int) -> dict[str, Any]:
    for record, name, text in _files(seed):
        path = write_past(root / record / name, text)
        services.loader.import_files([path], record=record)
    with services.sessions() as session:
        def rows(model: type, *columns: str) -> list[tuple[Any, ...]]:
            cols = [getattr(model, c) for c in columns]
            return sorted(tuple(r) for r in session.execute(select(*cols)).all())

        return {
            "counts": rows(ProductionCount, "line", "start_utc", "end_utc", "product", "total", "good", "planned_qty"),
            "stops": rows(StopEvent, "line", "start_utc", "end_utc", "reason", "category", "equipment"),
            "labour": rows(Labour, "line", "production_date", "shift", "present_headcount", "hours_worked",
                           "overtime_hours"),
            "facts": rows(ShiftFact, *_FACT_COLUMNS),
            "quarantine": rows(QuarantinedRow, "file", "row", "column", "value", "reason", "status", "natural_key"),
            "changes": rows(RowChange, "record_type", "natural_key", "before", "after"),
            "files": [(Path(p).name, *rest) for p, *rest in rows(
                LoadedFile, "path", "status", "rows_read", "rows_loaded", "rows_rejected", "note")],
        }


@pytest.mark.parametrize(("seed", "staged"), [(1, False), (2, False), (3, False), (1, True), (4, True)])
def test_the_column_path_stores_what_the_row_path_stores(make_services: Callable[..., Any], database_url: str,
                                                         tmp_path: Path, seed: int, staged: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_load, "CHUNK_ROWS", 9)  # many chunks: clean ones and ones with a problem, mixed
    started: list[bool] = []
    if staged:  # the keys of a file past its first chunks go to a temporary table (as a long file's do)
        monkeypatch.setattr(file_index, "KEPT_IN_MEMORY", 12)
        start = bulk.KeyTable.start
        monkeypatch.setattr(bulk.KeyTable, "start", lambda self: started.append(True) or start(self))
    taken: list[bool] = []
    real = file_load.screen_columns

    def counted(*args: Any) -> Any:
        found = real(*args)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(file_load, "screen_columns", counted)
    fast = _load(make_services(database_url), tmp_path / "fast", seed)
    assert any(taken) and not all(taken), "both paths are exercised"
    assert len(started) >= (4 if staged else 0)

    monkeypatch.setattr(file_load, "screen_columns", lambda *args: None)
    monkeypatch.setattr(file_index, "KEPT_IN_MEMORY", 10**9)  # the reference keeps every key in memory
    rows = _load(make_services(f"sqlite:///{tmp_path / 'rows.sqlite'}"), tmp_path / "rows", seed)

    def same_paths(found: dict[str, Any]) -> dict[str, Any]:  # the two runs read files from their own folders
        found["quarantine"] = [(Path(f).name, *rest) for f, *rest in found["quarantine"]]
        return found

    fast, rows = same_paths(fast), same_paths(rows)
    for part in rows:
        assert fast[part] == rows[part], part
    assert rows["counts"] and rows["stops"] and rows["labour"] and rows["quarantine"] and rows["changes"]


def test_a_chunk_with_a_problem_is_left_to_the_row_path(make_services: Callable[..., Any], tmp_path: Path) -> None:
    services = make_services(f"sqlite:///{tmp_path / 'h.sqlite'}")
    from huddle.data.ingest.contract import RECORD_TYPES, RowValidator
    from huddle.data.ingest.screen import RowScreen

    screen = RowScreen(RowValidator(RECORD_TYPES["production_counts"], services.config))
    positions = {"line": 0, "start": 1, "end": 2, "total": 3, "good": 4}
    good = [(2, ["L1", "2026-11-20 06:00", "2026-11-20 07:00", "10", "9"])]
    assert column_screen.screen_columns(screen, good, positions, 5) is not None
    for bad in (["L1", "2026-11-20 06:00", "2026-11-20 07:00", "10", "11"],  # more good than total
                ["L1", "2026-11-20 07:00", "2026-11-20 06:00", "10", "9"],  # ends before it starts
                ["L1", "2026-10-25 02:30", "2026-10-25 03:30", "10", "9"],  # in the hour that repeats
                ["L1", "2026-11-20 06:00", "2026-11-20 07:00", "ten", "9"],
                ["L1", "2026-11-20 06:00", "2026-11-20 07:00", "10"]):  # a short row
        assert column_screen.screen_columns(screen, [*good, (3, bad)], positions, 5) is None, bad


def test_a_load_of_stops_keeps_the_counts_measures_a_full_rebuild_gives(make_services: Callable[..., Any],
                                                                       database_url: str, tmp_path: Path) -> None:
    from huddle.data.ingest.facts import GROUPS, Touched, refresh_facts

    services = make_services(database_url)
    loaded = _load(services, tmp_path / "files", 4)  # stops loaded after counts read the counts' spans only
    touched = Touched(groups=set(GROUPS))
    start = START.replace(tzinfo=UTC)
    for line in ("L1", "L2"):
        touched.add(line, "", start - timedelta(days=1), start + timedelta(days=6))
    with services.sessions.begin() as session:
        assert refresh_facts(session, services.config, touched, services.clock()) > 0
    with services.sessions() as session:
        columns = [getattr(ShiftFact, c) for c in _FACT_COLUMNS]
        assert sorted(tuple(r) for r in session.execute(select(*columns)).all()) == loaded["facts"]
