"""A file whose rows are all new gives its shift facts from the rows it has just written, not read back from the
database (``facts_rows.Written``); the facts must be those a full recomputation gives, on SQLite and PostgreSQL,
also where a shift holds rows of several files (a night shift split over two files, counts of another product in
the same hours, stops loaded after the counts, a file that replaces rows) and for a file too long to keep its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.data.ingest import facts_rows
from huddle.data.ingest.facts import GROUPS, Touched, refresh_facts
from huddle.data.models import ShiftFact
from sqlalchemy import select

from tests.conftest import write_past

START = datetime(2026, 11, 16, 0, 0)  # local times (Europe/Berlin), a Monday


def _when(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _counts(first_hour: int, hours: int, product: str, total: int = 1000) -> str:
    rows = ["line,start,end,product,total,good"]
    for h in range(first_hour, first_hour + hours):
        start = START + timedelta(hours=h)
        for n, line in enumerate(("L1", "L2")):
            rows.append(f"{line},{_when(start)},{_when(start + timedelta(hours=1))},{product},{total + 7 * h + n},"
                        f"{total + 5 * h}")
    return "\n".join(rows) + "\n"


def _stops(first_hour: int, hours: int) -> str:
    rows = ["line,start,end,reason,category,equipment"]
    for h in range(first_hour, first_hour + hours, 3):
        at = START + timedelta(hours=h, minutes=10)
        category = ("unplanned", "planned", "changeover")[h % 3 if h % 2 else 0]
        for line in ("L1", "L2"):
            rows.append(f"{line},{_when(at)},{_when(at + timedelta(minutes=25 + h % 40))},Jam,{category},Filler")
    return "\n".join(rows) + "\n"


FILES = [("production_counts", "counts_1.csv", _counts(0, 24, "A")),  # Monday: the night shift goes on in …
         ("production_counts", "counts_2.csv", _counts(24, 30, "A")),  # … the next file
         ("production_counts", "counts_b.csv", _counts(10, 20, "B", 300)),  # another product in the same hours
         ("stop_events", "stops_1.csv", _stops(0, 40)),
         ("stop_events", "stops_2.csv", _stops(41, 12)),
         ("production_counts", "counts_1_again.csv", _counts(0, 24, "A", 1100))]  # replaces counts_1's rows


def _facts(services: Any) -> list[tuple[Any, ...]]:
    skip = {"id", "updated_at"}
    columns = [c for c in ShiftFact.__table__.c if c.name not in skip]
    with services.sessions() as session:
        return sorted(tuple(r) for r in session.execute(select(*columns)).all())


@pytest.mark.parametrize("kept", [True, False])
def test_facts_from_the_rows_a_file_wrote_are_those_a_full_recomputation_gives(
        make_services: Callable[..., Any], database_url: str, tmp_path: Path, kept: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if not kept:
        monkeypatch.setattr(facts_rows, "WRITTEN_ROWS", 5)  # longer files (every one here) are read back
    used: list[bool] = []
    read = facts_rows.ProductionRows.read.__func__  # type: ignore[attr-defined]

    def spied(cls: type, *args: Any) -> Any:
        used.append(len(args) > 5 and args[5] is not None)
        return read(cls, *args)

    monkeypatch.setattr(facts_rows.ProductionRows, "read", classmethod(spied))
    services = make_services(database_url)
    for record, name, text in FILES:
        outcome = services.loader.import_files([write_past(tmp_path / record / name, text)], record=record)
        assert outcome.files[0].status == "loaded", outcome.files[0]
    # the files of new rows kept theirs (unless too long); the one that replaced rows read them back
    assert used == ([True] * 5 + [False] if kept else [False] * 6)
    loaded = _facts(services)
    assert len(loaded) >= 2 * 7  # two lines, every shift of two days and more
    touched = Touched(groups=set(GROUPS))
    start = START.replace(tzinfo=UTC)
    for line in ("L1", "L2"):
        touched.add(line, "", start - timedelta(days=1), start + timedelta(days=4))
    monkeypatch.setattr(facts_rows.ProductionRows, "read", classmethod(read))
    with services.sessions.begin() as session:
        assert refresh_facts(session, services.config, touched, services.clock()) > 0
    assert _facts(services) == loaded
