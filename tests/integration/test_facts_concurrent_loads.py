"""Two loads of the same line's shifts at the same moment (a counts file and a stops file, as two scheduler jobs or
the live subscriber and a file would), on SQLite and PostgreSQL: the shift facts hold both, as a full
recomputation gives them.

The counts load is held after it has read the line's records for its facts and before it writes them, until the
stops load has finished or three seconds have passed. Without a lock on the line, on PostgreSQL the stops load
commits meanwhile and the counts load then writes facts read before those stops existed: the line's shifts showed
no stop time at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.data.ingest import facts
from huddle.data.ingest.facts import GROUPS, Touched, refresh_facts
from huddle.data.models import ShiftFact
from sqlalchemy import func, select

from tests.conftest import NEEDS_REAL_TIMED_WAITS, write_past

START = datetime(2026, 11, 16, 6, 0)  # local time (Europe/Berlin): Monday's early shift
HELD_S = 3.0


def _when(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _counts() -> str:
    rows = ["line,start,end,product,total,good"]
    for h in range(16):
        start = START + timedelta(hours=h)
        rows.append(f"L1,{_when(start)},{_when(start + timedelta(hours=1))},A,{1000 + h},{990 + h}")
    return "\n".join(rows) + "\n"


def _stops() -> str:
    rows = ["line,start,end,reason,category,equipment"]
    for h in range(0, 16, 3):
        at = START + timedelta(hours=h, minutes=20)
        rows.append(f"L1,{_when(at)},{_when(at + timedelta(minutes=25))},Jam,unplanned,Filler")
    return "\n".join(rows) + "\n"


def _facts(services: Any) -> list[tuple[Any, ...]]:
    columns = [c for c in ShiftFact.__table__.c if c.name not in {"id", "updated_at"}]
    with services.sessions() as session:
        return sorted(tuple(r) for r in session.execute(select(*columns)).all())


@NEEDS_REAL_TIMED_WAITS
def test_two_loads_of_one_line_at_once_keep_both_in_its_facts(
        make_services: Callable[..., Any], database_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    counts_services, stops_services = make_services(database_url), make_services(database_url)
    counts_file = write_past(tmp_path / "counts" / "counts.csv", _counts())
    stops_file = write_past(tmp_path / "stops" / "stops.csv", _stops())
    counts_read, stops_done = threading.Event(), threading.Event()
    stops_finished_first: list[bool] = []
    write = facts.bulk.upsert_facts

    def held_write(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "counts load":
            counts_read.set()
            stops_finished_first.append(stops_done.wait(HELD_S))
        return write(*args, **kwargs)

    monkeypatch.setattr(facts.bulk, "upsert_facts", held_write)
    outcomes: dict[str, Any] = {}

    def load(name: str, services: Any, path: Path, record: str, then: threading.Event | None) -> None:
        try:
            outcomes[name] = services.loader.import_files([path], record=record)
        finally:
            if then is not None:
                then.set()

    counts = threading.Thread(target=load, name="counts load",
                              args=("counts", counts_services, counts_file, "production_counts", None))
    stops = threading.Thread(target=load, name="stops load",
                             args=("stops", stops_services, stops_file, "stop_events", stops_done))
    counts.start()
    assert counts_read.wait(30), "the counts load never came to write its facts"
    stops.start()
    counts.join(60)
    stops.join(60)
    assert not counts.is_alive() and not stops.is_alive()
    assert [f.status for name in ("counts", "stops") for f in outcomes[name].files] == ["loaded", "loaded"]
    assert stops_finished_first == [False], "the stops load finished while the counts load held facts it had read"

    loaded = _facts(services := counts_services)
    with services.sessions() as session:
        stop_seconds = session.scalar(select(func.sum(ShiftFact.unplanned_stop_s)).where(ShiftFact.line == "L1"))
    assert stop_seconds == 6 * 25 * 60  # every stop is in the facts
    monkeypatch.setattr(facts.bulk, "upsert_facts", write)
    touched = Touched(groups=set(GROUPS))
    touched.add("L1", "", START.replace(tzinfo=UTC) - timedelta(days=1), START.replace(tzinfo=UTC) + timedelta(days=2))
    with services.sessions.begin() as session:
        assert refresh_facts(session, services.config, touched, services.clock()) > 0
    assert _facts(services) == loaded
