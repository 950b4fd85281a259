"""Several web workers under gunicorn, as the production guide runs them: a session signed in on one worker is valid
on every worker, every worker gives the same board for the same data, and a save through one worker is seen by the
others at once. On each backend; with the machine's Redis sharing the board renders when HUDDLE_TEST_REDIS_URL is
set."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import requests
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.container import build_services
from huddle.dashboard.settings import Settings

from tests.conftest import SMALL_PLANT, write_past

WORKERS = 3
AS_AT = "2026-11-20T21:00"  # plant time
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,12000
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,12000
"""


def without_ages(answer: str) -> str:
    """A JSON answer with its data ages taken out (they grow by the second)."""
    return re.sub(r'"age_seconds":\d+,', "", answer)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sessions_and_answers_hold_on_every_worker(database_url: str, tmp_path: Path) -> None:
    plant = tmp_path / "plant.yaml"
    plant.write_text(SMALL_PLANT, encoding="utf-8")
    # the workers and this test run "as at" the evening of the shift the counts are for, whatever the real date
    settings = Settings(data_dir=tmp_path, database_url=database_url, plant_config=plant, now=AS_AT)
    services = build_services(settings)
    write_past(tmp_path / "inbox/counts/c.csv", COUNTS)
    (tmp_path / "inbox/stops").mkdir(parents=True)
    services.loader.run_all()
    services.accounts.add_user("cli", "eddie", "editor-password-1", "editor")
    port = free_port()
    env = os.environ | {"HUDDLE_DATA_DIR": str(tmp_path), "HUDDLE_DATABASE_URL": database_url,
                        "HUDDLE_PLANT_CONFIG": str(plant), "HUDDLE_NOW": AS_AT}
    if os.environ.get("HUDDLE_TEST_REDIS_URL"):
        env["HUDDLE_REDIS_URL"] = os.environ["HUDDLE_TEST_REDIS_URL"]
    log: list[str] = []
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--threads", "2", "--bind",
         f"127.0.0.1:{port}", "--access-logfile", "-", "--access-logformat", "worker=%(p)s %(r)s %(s)s",
         "huddle.dashboard.wsgi:create_server()"],
        env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    reader = threading.Thread(target=lambda: log.extend(line.rstrip() for line in proc.stdout or []), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:  # still booting
                time.sleep(0.3)
        booted = [line for line in log if "Booting worker" in line]
        assert len(booted) >= WORKERS, log[-20:]
        # sign in once; then every request on a fresh connection, so the kernel spreads them over the workers
        session = requests.Session()
        answer = session.post(base + "/login", data={"username": "eddie", "password": "editor-password-1",
                                                     "next": "/"}, headers={"Origin": base}, allow_redirects=False)
        assert answer.status_code == 302, answer.text[:200]
        cookie = session.cookies.get_dict()
        boards = set()
        # at least 40 requests, and on until two workers have answered (a busy machine may hand one worker a run
        # of connections)
        for n in range(400):
            if n >= 40 and len(_board_workers(log)) >= 2:
                break
            r = requests.get(base + "/api/v1/board?scope=L1&date=2026-11-20&shift=E", cookies=cookie,
                             headers={"Connection": "close"}, timeout=10)
            assert r.status_code == 200, r.text[:200]
            boards.add(without_ages(r.text))
        assert len(boards) == 1  # every worker gives the same board for the same data (ages grow with the clock)
        # an action raised through one worker shows on the next answer, whichever worker gives it
        raised = requests.get(base + "/api/v1/actions?scope=L1", cookies=cookie, timeout=10).json()["actions"]
        assert raised == []
        services.actions.raise_action(Identity("user", "eddie", "editor"), "L1", "Fix the filler", "Tom",
                                      date(2026, 11, 27), kpi="oee")
        for _ in range(10):
            r = requests.get(base + "/api/v1/actions?scope=L1", cookies=cookie, headers={"Connection": "close"},
                             timeout=10)
            assert [a["what"] for a in r.json()["actions"]] == ["Fix the filler"]
        # without the cookie nobody reads
        assert requests.get(base + "/api/v1/board?scope=L1", timeout=10).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        reader.join(timeout=10)
    served = _board_workers(log)
    assert len(served) >= 2, f"the signed-in requests all went to one worker: {served}"
    services.dispose()


def _board_workers(log: list[str]) -> set[str]:
    """The workers (by process id) the access log shows answering a signed-in board request."""
    return {m.group(1) for line in list(log) if (m := re.search(r"worker=<(\d+)> GET /api/v1/board\S* \S+ 200", line))}
