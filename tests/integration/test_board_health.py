"""The board's strip reads the loaders' health on its own (``DataStatus.board_health``): the same failing sources,
scheduler words and data time as the full health answer, on SQLite and PostgreSQL, read with the board's readings'
context in one statement."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.board import board_view
from sqlalchemy import event

from tests.conftest import SMALL_PLANT, write_past

BROKEN_SOURCE = SMALL_PLANT + """  - {key: erp, kind: sql, record: kpi_values, url: "sqlite:///${data_dir}/missing.sqlite",
     query: "SELECT kpi, line, day AS date, shift, amount AS value FROM costs"}
"""


def test_the_board_shows_the_failing_source_and_data_time_of_the_health_answer(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    plant = tmp_path / "plant.yaml"
    plant.write_text(BROKEN_SOURCE)
    services = make_services(database_url, plant=plant)
    write_past(tmp_path / "inbox/counts/c.csv",
               "line,start,end,total,good\nL1,2026-11-20 06:00,2026-11-20 07:00,10,9\n")
    services.loader.run_all()
    assert services.loader.run_source("erp").status == "failed"
    health, strip = services.data_status.health(), services.data_status.board_health()
    assert strip["failing_sources"] == health["failing_sources"] and "erp" in strip["failing_sources"]
    assert strip["data_through"] == health["data_through"] is not None
    assert strip["scheduler"]["words"] == health["scheduler"]["words"]
    ledger_reads: list[str] = []
    event.listen(services.db, "before_cursor_execute",
                 lambda *args: ledger_reads.append(args[2]) if "load_runs" in args[2] else None)
    view = board_view(services, "L1", Period("shift", date(2026, 11, 20), date(2026, 11, 20), "E"))
    assert view["failing_sources"] == health["failing_sources"] and view["data_through"] == health["data_through"]
    # the strip and the readings' context (how far each source was read) come from one read of the ledger
    assert len(ledger_reads) == 1
    # the source reads again: no longer failing, on the strip as in the answer
    (tmp_path / "missing.sqlite").unlink(missing_ok=True)
    with sqlite3.connect(tmp_path / "missing.sqlite") as conn:
        conn.execute("CREATE TABLE costs (kpi TEXT, line TEXT, day TEXT, shift TEXT, amount REAL)")
    assert services.loader.run_source("erp").status != "failed"
    failing = services.data_status.board_health()["failing_sources"]
    assert failing == services.data_status.health()["failing_sources"] and "erp" not in failing
