"""The README's first command: ``huddle demo`` generates, loads and serves the demo plant with the loaders running."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

AS_AT = "2026-11-18T10:20"  # plant time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_demo_serves_the_plant_with_data_and_running_loaders(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUDDLE_")}
    # as at a Wednesday morning with the early shift running, whatever the machine's date: the plant, its actions
    # and its last shift's numbers are then the same on every run
    proc = subprocess.Popen([sys.executable, "-m", "huddle.dashboard.cli", "--data-dir", str(tmp_path), "demo",
                             "--port", str(port), "--days", "10", "--now", AS_AT], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        health = None
        while time.monotonic() - started < 60:
            try:
                health = _get(f"{base}/api/v1/health")
                break
            except OSError:
                time.sleep(0.5)
        assert health is not None, "the demo did not answer within a minute"
        took = time.monotonic() - started
        assert health["status"] == "ok"
        assert health["data_version"] > 0
        assert {s["key"] for s in health["sources"]} >= {"mes-counts", "mes-stops", "erp-cost"}
        assert all(s["last_success"] for s in health["sources"]), health["sources"]
        assert health["data_age_seconds"] is not None and health["data_age_seconds"] < 2 * 3600
        board = _get(f"{base}/api/v1/board?scope=plant")
        delivery = next(c for c in board["columns"] if c["category"] == "D")
        oee = next(k for k in delivery["kpis"] if k["kpi"] == "oee")
        assert oee["value"] is not None and 30 < oee["value"] < 90
        assert any(a["scope"] == "L2" and a["kpi"] == "oee" for a in board["actions"])  # the drift has its action
        with urllib.request.urlopen(f"{base}/data", timeout=10) as response:
            assert response.status == 200
        print(f"demo answered with data after {took:.1f} s")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    first_load = dict(re.findall(r"^([\w-]+): ok — \d+ rows read, (\d+) loaded, 0 rejected$", output, re.M))
    # the counts inbox also holds the untidy sample files (data/demo/samples.py): a bad value and a cut-off line
    first_load.update(re.findall(r"^(mes-counts): partial — \d+ rows read, (\d+) loaded, 2 rejected$", output, re.M))
    assert set(first_load) == {"mes-counts", "mes-stops", "qms-defects", "ehs-incidents", "time-clock", "erp-cost",
                               "ideas-board", "cmms-work-orders"}, output
    assert all(int(n) > 0 for n in first_load.values()), first_load
