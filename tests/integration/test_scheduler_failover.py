"""Exactly one scheduler: a second ``huddle scheduler`` stands by while the first leads; when the leader is killed
in the middle of a run, the standby takes over, marks the cut-off run, and every file is loaded exactly once, none
lost. On SQLite the lock is a file in the data folder; on PostgreSQL it is an advisory lock, which holds across
hosts."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from huddle.dashboard.scheduler import PostgresLeaderLock
from huddle.dashboard.services.container import build_services
from huddle.dashboard.settings import Settings
from sqlalchemy import text

from tests.conftest import SMALL_PLANT, write_past

FILES = 60
ROWS = 1500


class Process:
    """A ``huddle scheduler`` child process whose output is collected line by line."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, "-u", "-m", "huddle.dashboard.cli", "scheduler"], env=env,
                                     cwd=cwd,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, words: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(words in line for line in self.lines):
                return
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no {words!r} from the scheduler within {timeout:.0f} s: {self.lines[-20:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_counts(inbox: Path) -> None:
    """FILES export files of ROWS one-minute counts each, every file its own stretch of time."""
    start = datetime(2026, 9, 1, 6, 0)
    for f in range(FILES):
        lines = ["line,start,end,product,total,good,planned"]
        for r in range(ROWS):
            t = start + timedelta(minutes=f * ROWS + r)
            lines.append(f"L1,{t:%Y-%m-%d %H:%M},{t + timedelta(minutes=1):%Y-%m-%d %H:%M},,60,59,60")
        write_past(inbox / f"counts-{f:03d}.csv", "\n".join(lines) + "\n")


def test_the_standby_takes_over_when_the_leader_is_killed_mid_run(database_url: str, tmp_path: Path) -> None:
    plant = tmp_path / "plant.yaml"
    plant.write_text(SMALL_PLANT, encoding="utf-8")
    settings = Settings(data_dir=tmp_path, database_url=database_url, plant_config=plant)
    # the real clock on purpose: the two schedulers' runs are ordered by it, and a simulated clock (HUDDLE_NOW) starts
    # afresh in each process; nothing here compares a date with it
    services = build_services(settings)  # the database exists before either scheduler starts
    write_counts(tmp_path / "inbox" / "counts")
    (tmp_path / "inbox" / "stops").mkdir(parents=True)
    env = os.environ | {"HUDDLE_DATA_DIR": str(tmp_path), "HUDDLE_DATABASE_URL": database_url,
                        "HUDDLE_PLANT_CONFIG": str(plant)}
    repo = Path(__file__).resolve().parents[2]

    def loaded() -> int:
        with services.db.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM loaded_files WHERE source = 'counts'")).scalar_one()

    leader = Process(env, repo)
    standby = None
    try:
        leader.wait_for("scheduler: leading")
        standby = Process(env, repo)
        standby.wait_for("standing by")
        assert not any("leading" in line for line in standby.lines)
        # kill the leader in the middle of its run: some files loaded, not all
        deadline = time.monotonic() + 120
        while loaded() < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        leader.proc.kill()
        leader.proc.wait()
        at_kill = loaded()
        assert 0 < at_kill < FILES, f"{at_kill} of {FILES} files loaded when the leader was killed"
        standby.wait_for("taking over")
        standby.wait_for("cut off by a scheduler that stopped mid-run")
        deadline = time.monotonic() + 120
        while loaded() < FILES and time.monotonic() < deadline:
            time.sleep(0.1)
        assert loaded() == FILES
    finally:
        leader.stop()
        if standby:
            standby.stop()
    with services.db.connect() as conn:
        files = conn.execute(text("SELECT path, rows_loaded FROM loaded_files WHERE source = 'counts'")).all()
        rows = conn.execute(text("SELECT COUNT(*) FROM production_counts")).scalar_one()
        runs = conn.execute(text("SELECT started_at, finished_at, status, message FROM load_runs "
                                 "WHERE source = 'counts' ORDER BY started_at, id")).all()
    # every file recorded once, every row loaded once: nothing lost, nothing loaded twice
    assert len({p for p, _ in files}) == len(files) == FILES
    assert sum(n for _, n in files) == rows == FILES * ROWS
    # the run the kill cut off is marked, and no two runs of the source overlapped
    cut = [r for r in runs if r.status == "failed" and "cut off" in r.message]
    assert len(cut) == 1, runs
    assert all(r.finished_at is not None for r in runs)
    for before, after in pairwise(runs):
        if before is not cut[0]:
            assert after.started_at >= before.finished_at, (before, after)
    services.dispose()


def test_a_leader_whose_lock_connection_dies_knows_it_and_another_takes_the_lock(database_url: str,
                                                                                  tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the advisory lock is PostgreSQL's; SQLite's lock file dies with its process")
    first, second = PostgresLeaderLock(database_url, "ex"), PostgresLeaderLock(database_url, "ex")
    assert first.acquire() and first.still_held()
    assert not second.acquire()
    assert second.holder().startswith("huddle-scheduler ")  # the leader's host and pid, as its connection says
    other_plant = PostgresLeaderLock(database_url, "another-site")
    assert other_plant.acquire()  # one leader per plant, not one per database
    other_plant.release()
    # the server ends the leader's session (a restart, a network cut): the leader sees it has lost the lock
    with second.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n "
                          "AND pid <> pg_backend_pid()"), {"n": first.name[:63]})
        conn.commit()
    assert not first.still_held()
    assert second.acquire() and second.still_held()
    first.release()
    second.release()
