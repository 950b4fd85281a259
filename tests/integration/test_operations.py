"""Operations see trouble: health answers JSON whatever the database's state (503 with the reason when it cannot be
used), the last load stays visible after idle runs, the CLI names a database it cannot use in one line, and a load
whose process died is marked cut off at the next start while a load still running elsewhere is left alone."""

from __future__ import annotations

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import huddle.data.db
import pytest
from huddle.dashboard.cli import main
from huddle.data.db import make_session_factory
from huddle.data.ingest.outcomes import RunOutcome
from huddle.data.models import LoadedFile, LoadRun
from sqlalchemy import create_engine, select

from tests.conftest import client_for, write_past

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 21:00 in the plant (Europe/Berlin)
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,1200
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,1200
L1,2026-11-20 11:00,2026-11-20 12:00,,not a number,9048,1200
"""
CLOSED_PORT = "postgresql+psycopg://postgres@127.0.0.1:1/huddle"


def run_cli(*args: str) -> tuple[int, list[str]]:
    """Run ``huddle`` in this process; its exit code and the lines it printed."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue().splitlines()


def damage(path: Path, table: str) -> None:
    """Overwrite the first page of a table in a SQLite file, as a failing disk or a torn copy would."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * page_size)


# ---- health ----------------------------------------------------------------------------------------------


def test_health_keeps_the_last_load_beside_the_idle_runs_after_it(make_services, database_url: str,  # type: ignore[no-untyped-def]
                                                                  tmp_path: Path) -> None:
    services = make_services(database_url, now=NOW)
    write_past(tmp_path / "inbox/counts/counts_20261120.csv", COUNTS)
    assert services.loader.run_source("counts").status == "partial"
    assert services.loader.run_source("counts").status == "idle"  # nothing new: the load must stay in sight
    assert services.loader.run_source("counts").status == "idle"
    client = client_for(services)
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.is_json
    health = answer.get_json()
    assert health["status"] == "ok"
    counts = next(s for s in health["sources"] if s["key"] == "counts")
    assert counts["last_run"]["status"] == "idle"
    load = counts["last_load"]
    assert (load["status"], load["files"], load["rows_read"], load["rows_loaded"], load["rows_rejected"]) == (
        "partial", 1, 3, 2, 1)
    assert "1 of 3 rows refused" in load["message"] and "line 4" in load["message"]
    stops = next(s for s in health["sources"] if s["key"] == "stops")
    assert stops["last_load"] is None  # its folder is missing: it has never read anything
    # the Data page says the same in words
    row = next(s for s in services.data_status.report()["sources"] if s["key"] == "counts")
    assert row["last_run"] == "21:00" and row["status"] == "idle"
    assert row["last_load"] == "21:00 · 2 rows loaded, 1 refused"


def test_last_load_words_on_another_day_and_for_a_refused_file(make_services, database_url: str,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path) -> None:
    services = make_services(database_url, now=NOW)
    write_past(tmp_path / "inbox/counts/wrong.csv", "what,ever\n1,2\n")
    assert services.loader.run_source("counts").status == "partial"
    row = next(s for s in services.data_status.report()["sources"] if s["key"] == "counts")
    assert row["last_load"] == "21:00 · 0 rows loaded, a file refused (see the quarantine)"
    later = make_services(database_url, now=NOW + timedelta(days=1))
    row = next(s for s in later.data_status.report()["sources"] if s["key"] == "counts")
    assert row["last_load"].startswith("Fri 20 Nov, 21:00 · ")


def test_health_is_a_503_in_json_when_the_database_cannot_be_reached(make_services, database_url: str,  # type: ignore[no-untyped-def]
                                                                     tmp_path: Path) -> None:
    services = make_services(database_url, now=NOW)
    client = client_for(services)
    assert client.get("/api/v1/health").status_code == 200
    if database_url.startswith("sqlite"):  # the file is gone, and its path cannot be opened any more
        database = Path(services.db.url.database)
        services.db.dispose()
        database.rename(tmp_path / "moved-away.sqlite")
        database.mkdir()
    else:  # the server is gone: nothing listens on its port
        services.data_status.sessions = services.sessions = make_session_factory(create_engine(CLOSED_PORT))
    answer = client.get("/api/v1/health")
    assert answer.status_code == 503 and answer.is_json
    health = answer.get_json()
    assert health["status"] == "error"
    assert health["reason"].startswith("the database cannot be used: ")
    assert ("unable to open database file" in health["reason"] if database_url.startswith("sqlite")
            else "Connection refused" in health["reason"])
    assert health["sources"] == [] and health["now"] == NOW.isoformat()


def test_health_answers_a_signed_in_monitor_when_the_database_is_gone(make_services, database_url: str) -> None:  # type: ignore[no-untyped-def]
    services = make_services(database_url, now=NOW, anonymous_access="off")
    services.accounts.add_user("cli:test", "monitor", "a long enough password", "viewer")
    client = client_for(services)
    assert client.post("/login", data={"username": "monitor", "password": "a long enough password"}).status_code == 302
    assert client.get("/api/v1/health").status_code == 200
    gone = make_session_factory(create_engine(CLOSED_PORT))
    services.accounts.sessions = services.data_status.sessions = services.sessions = gone
    answer = client.get("/api/v1/health")  # who the session belongs to cannot be looked up either
    assert answer.status_code == 503 and answer.get_json()["status"] == "error"
    assert client.get("/api/v1/kpis").status_code >= 500  # anything else still needs the person checked


def test_a_damaged_sqlite_file_is_found_at_start_and_health_says_so(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = make_services(None, now=NOW)
    database = Path(first.db.url.database)
    first.dispose()
    damage(database, "production_counts")  # health's own tables are intact: only the check at start sees it
    services = make_services(None, now=NOW)
    assert services.database_problem is not None
    client = client_for(services)
    answer = client.get("/api/v1/health")
    assert answer.status_code == 503 and answer.is_json
    assert answer.get_json()["status"] == "error"
    assert answer.get_json()["reason"] == ("the database failed its check at start: database disk image is "
                                           "malformed (restore it from a backup, or move it away and run huddle "
                                           "init)")
    assert services.data_status.report()["health"]["status"] == "error"  # the Data page's strip says it too


# ---- the command line ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["init", "serve"])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path, plant_file: Path, command: str) -> None:
    database = tmp_path / "huddle.sqlite"
    database.write_bytes(os.urandom(64 * 1024))
    code, lines = run_cli(command, "--data-dir", str(tmp_path), "--plant-config", str(plant_file))
    assert code == 2
    assert lines == [f"error: the database {database} cannot be read (file is not a database): restore it from a "
                     "backup or move it away and run huddle init"]


@pytest.mark.parametrize("command", ["init", "serve"])
def test_a_damaged_database_is_one_line(tmp_path: Path, plant_file: Path, command: str) -> None:
    assert run_cli("init", "--data-dir", str(tmp_path), "--plant-config", str(plant_file))[0] == 0
    database = tmp_path / "huddle.sqlite"
    damage(database, "ix_actions_kpi")  # an index: starting works, the check finds it
    code, lines = run_cli(command, "--data-dir", str(tmp_path), "--plant-config", str(plant_file))
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: the database {database} is damaged (integrity check: Page ")
    assert lines[0].endswith("restore it from a backup or move it away and run huddle init")


@pytest.mark.parametrize("command", ["init", "serve"])
def test_a_database_path_that_cannot_be_opened_is_one_line(tmp_path: Path, plant_file: Path, command: str) -> None:
    # Tests run as root, whom file permissions do not stop: a folder where the file should be cannot be opened
    # either, and SQLite says the same as for a file Huddle may not read ("unable to open database file").
    database = tmp_path / "huddle.sqlite"
    database.mkdir()
    code, lines = run_cli(command, "--data-dir", str(tmp_path), "--plant-config", str(plant_file))
    assert code == 2
    assert lines == [f"error: the database {database} cannot be opened (unable to open database file): check that "
                     "it is a file Huddle's user may read and write, in a folder it may write to (--data-dir or "
                     "HUDDLE_DATA_DIR)"]


@pytest.mark.parametrize("command", ["init", "serve"])
def test_a_locked_database_is_one_line(tmp_path: Path, plant_file: Path, command: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli("init", "--data-dir", str(tmp_path), "--plant-config", str(plant_file))[0] == 0
    database = tmp_path / "huddle.sqlite"
    monkeypatch.setattr(huddle.data.db, "BUSY_TIMEOUT_S", 0.2)  # not 30 s of waiting for the holder to let go
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, lines = run_cli(command, "--data-dir", str(tmp_path), "--plant-config", str(plant_file))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert lines == [f"error: the database {database} is locked by another program (database is locked): close "
                     "the program holding it (an open sqlite3 shell, a copy or backup in progress) and start again"]


@pytest.mark.parametrize("command", ["init", "serve"])
def test_postgresql_that_cannot_be_reached_is_one_line(tmp_path: Path, plant_file: Path, command: str) -> None:
    code, lines = run_cli(command, "--data-dir", str(tmp_path), "--plant-config", str(plant_file),
                          "--database-url", CLOSED_PORT.replace("postgres@", "postgres:secret@"))
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: the PostgreSQL database huddle on 127.0.0.1:1 cannot be reached (")
    assert "Connection refused" in lines[0] and "secret" not in lines[0]
    assert lines[0].endswith("start PostgreSQL or correct the database URL (--database-url or HUDDLE_DATABASE_URL)")


# ---- runs cut off ----------------------------------------------------------------------------------------


def runs(services) -> list[LoadRun]:  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return list(session.execute(select(LoadRun).order_by(LoadRun.id)).scalars())


def test_a_run_left_running_by_a_dead_process_is_cut_off_and_a_live_one_is_not(make_services,  # type: ignore[no-untyped-def]
                                                                               database_url: str) -> None:
    services = make_services(database_url, now=NOW)
    with services.sessions.begin() as session:  # as a huddle import killed before it could record its end
        session.add(LoadRun(source="import", trigger="cli", started_at=NOW, status="running"))
    other = make_services(database_url, now=NOW + timedelta(minutes=5))  # the next start
    (dead,) = runs(other)
    assert (dead.status, dead.finished_at) == ("failed", NOW + timedelta(minutes=5))
    assert dead.message.startswith("cut off: the huddle import running it stopped before it finished")
    live = other.loader._start_run("counts", "admin")  # a load still going in another process (it holds its lock)
    after = make_services(database_url, now=NOW + timedelta(minutes=6))  # and a start while it runs
    going = runs(after)[1]
    assert (going.id, going.status) == (live, "running")
    other.loader._finish_run(RunOutcome("counts", live, "ok"))
    assert runs(make_services(database_url, now=NOW))[1].status == "idle"  # it ended normally; nothing cut off


def test_a_killed_huddle_import_is_cut_off_at_the_next_start(make_services, database_url: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             plant_file: Path) -> None:
    services = make_services(database_url, now=NOW)
    folder = tmp_path / "exports"
    start = datetime(2026, 9, 1, 6, 0)
    for f in range(40):
        lines = ["line,start,end,product,total,good,planned"]
        for r in range(1500):
            t = start + timedelta(minutes=f * 1500 + r)
            lines.append(f"L1,{t:%Y-%m-%d %H:%M},{t + timedelta(minutes=1):%Y-%m-%d %H:%M},,60,59,60")
        write_past(folder / f"counts-{f:03d}.csv", "\n".join(lines) + "\n")
    # the import runs on the test's clock too: its run starts at NOW and is cut off five minutes later
    env = os.environ | {"HUDDLE_DATA_DIR": str(tmp_path), "HUDDLE_PLANT_CONFIG": str(plant_file),
                        "HUDDLE_NOW": NOW.isoformat()}
    if database_url.startswith("postgresql"):
        env["HUDDLE_DATABASE_URL"] = database_url
    proc = subprocess.Popen([sys.executable, "-m", "huddle.dashboard.cli", "import", str(folder), "--record",
                             "production_counts"], env=env, cwd=Path(__file__).resolve().parents[2],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # killed once it has stored a few files, not all
            with services.sessions() as session:
                done = len(session.execute(select(LoadedFile.id)).all())
            if done >= 2:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    (killed,) = [r for r in runs(services) if r.trigger == "cli"]
    assert killed.status == "running"  # nobody could say otherwise until Huddle starts again
    make_services(database_url, now=NOW + timedelta(minutes=5))  # the next start, of anything
    (killed,) = [r for r in runs(services) if r.trigger == "cli"]
    assert killed.status == "failed" and killed.message.startswith("cut off: ")
    assert 2 <= killed.files_loaded < 40 and killed.rows_loaded == killed.files_loaded * 1500
    shutil.rmtree(folder)
