"""Logs an operator can use: the scheduler writes one dated line with its level per load run at its default level
(a missing inbox folder is that one line, naming the folder, never a traceback), and on PostgreSQL every Huddle
process's connections carry its name (``application_name``: huddle-web, huddle-scheduler, huddle-cli)."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.logging_setup import TextLines
from huddle.data import db
from sqlalchemy import create_engine, text

from tests.conftest import NEEDS_REAL_TIMED_WAITS

#: a line as the text format writes it: ISO 8601 time with its offset, the logger, the level, the message
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S")
DEMO_SOURCES = {"mes-counts", "mes-stops", "time-clock", "erp-cost", "ehs-incidents", "qms-defects", "ideas-board",
                "cmms-work-orders"}


def _clean_env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_") or k.startswith("HUDDLE_TEST_")}
    return {**env, "PYTHONFAULTHANDLER": "1", **more}


def _scheduler(data_dir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "huddle.dashboard.cli", "--data-dir", str(data_dir), *extra,
                             "scheduler"], env=_clean_env(), cwd=data_dir.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


STOP_WITHIN_S = 90  # what systemd waits after its SIGTERM before it kills a service


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=STOP_WITHIN_S)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # its fault handler writes where every thread stands
        out, _ = proc.communicate(timeout=30)
        pytest.fail(f"the scheduler did not stop within {STOP_WITHIN_S} s of SIGTERM:\n{out}")
    return out


def test_a_missing_folder_is_one_line_per_run_naming_it(make_services: Callable[..., Any],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    services = make_services(None)  # the small plant: its inbox folders were never made
    with caplog.at_level(logging.INFO):
        services.loader.run_source("counts")
        services.loader.run_source("counts")
    lines = [r for r in caplog.records if r.name.startswith("huddle")]
    folder = services.config.sources["counts"].path
    assert [r.getMessage().split(", ", 1)[0] for r in lines] == ["source counts (schedule): failed"] * 2
    assert all(r.getMessage().endswith(f"— folder {folder} does not exist") for r in lines)
    assert all(r.exc_info is None and r.levelname == "WARNING" for r in lines)


def test_text_lines_carry_the_time_with_its_offset_and_the_level() -> None:
    record = logging.LogRecord("huddle.loaders", logging.INFO, __file__, 1, "source %s: ok", ("counts",), None)
    record.created = 1_800_000_000.125
    assert LINE.match(TextLines().format(record))
    assert TextLines().format(record).endswith(" huddle.loaders INFO source counts: ok")


@NEEDS_REAL_TIMED_WAITS
def test_the_scheduler_logs_one_dated_line_per_run_and_no_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"  # the demo plant, none of whose inbox folders exist here
    proc = _scheduler(data)
    try:
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline and seen.count(" huddle.loaders ") < len(DEMO_SOURCES):
            seen += proc.stdout.readline() if proc.stdout else ""
    finally:
        out = seen + _stop(proc)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines and all(LINE.match(ln) for ln in lines), out
    assert "Traceback" not in out
    assert any(" huddle.scheduler INFO scheduler: leading, " in ln for ln in lines), out
    runs = [ln for ln in lines if " huddle.loaders " in ln]
    first = runs[:len(DEMO_SOURCES)]
    assert {re.search(r"source (\S+) \(schedule\)", ln).group(1) for ln in first} == DEMO_SOURCES, out  # type: ignore[union-attr]
    assert any(ln.endswith(f"— folder {data.resolve() / 'inbox' / 'counts'} does not exist") for ln in first), out


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("application_name is PostgreSQL's")
    return database_url


def _ports(pid: int) -> list[int]:
    """The local TCP ports of a process's sockets (Linux: its descriptors' inodes found in /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            cols = row.split()
            if cols[9] in inodes:
                ports.append(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def _names(url: str, pid: int) -> set[str]:
    """The application names of the database connections the process ``pid`` holds."""
    admin = create_engine(url)
    try:
        with admin.connect() as conn:
            return {row[0] for row in conn.execute(text(
                "select application_name from pg_stat_activity where client_port = any(:ports)"),
                {"ports": _ports(pid)})}
    finally:
        admin.dispose()


def test_connections_carry_the_process_name(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "_connection_name", "huddle")
    query = text("select application_name from pg_stat_activity where pid = pg_backend_pid()")
    for name, engine in (("huddle", lambda: db.make_engine(postgres_url)),
                         ("huddle-cli", lambda: (db.name_connections("huddle-cli"), db.make_engine(postgres_url))[1]),
                         ("huddle-web", lambda: db.make_engine(postgres_url, application_name="huddle-web"))):
        made = engine()
        try:
            with made.connect() as conn:
                assert conn.execute(query).scalar_one() == name
        finally:
            made.dispose()


@NEEDS_REAL_TIMED_WAITS
def test_the_scheduler_process_names_its_connections(postgres_url: str, tmp_path: Path) -> None:
    proc = _scheduler(tmp_path / "data", "--database-url", postgres_url)
    lock = f"huddle-scheduler {socket.gethostname()} pid {proc.pid}"  # the leader lock's own connection
    names: set[str] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and names != {"huddle-scheduler", lock[:63]}:
            time.sleep(0.3)
            names = _names(postgres_url, proc.pid)
    finally:
        out = _stop(proc)
    assert names == {"huddle-scheduler", lock[:63]}, out
