"""``systemctl stop`` (SIGTERM) reaching the scheduler at the moment APScheduler hands a source's job to its
workers: the scheduler still stops, at once and cleanly.

APScheduler catches every exception while it submits a job (and logs it). A stop that raised ``SystemExit`` in the
thread running the schedule was swallowed there, and the process ran on until systemd killed it. The test makes the
moment happen on purpose: the scheduler process sends itself SIGTERM from inside the submission of its first
source job, and waits there a moment, as a signal arriving then would find it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import NEEDS_REAL_TIMED_WAITS

# the scheduler command, with APScheduler's job submission sending SIGTERM to its own process on the first source job
SCHEDULER_STOPPED_WHILE_SUBMITTING = """
import os, runpy, signal, sys, time
from apscheduler.executors.base import BaseExecutor

submit = BaseExecutor.submit_job
sent = []

def submit_with_a_stop(self, job, run_times):
    if job.id.startswith("source:") and not sent:
        sent.append(job.id)
        print("SIGTERM while submitting", job.id, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.5)  # still inside the submission when the signal is handled
    return submit(self, job, run_times)

BaseExecutor.submit_job = submit_with_a_stop
sys.argv = ["huddle", "scheduler"]
runpy.run_module("huddle.dashboard.cli", run_name="__main__")
"""


@NEEDS_REAL_TIMED_WAITS
def test_a_stop_that_comes_while_a_job_is_submitted_stops_the_scheduler(tmp_path: Path, plant_file: Path) -> None:
    env = {**os.environ, "HUDDLE_DATA_DIR": str(tmp_path), "HUDDLE_PLANT_CONFIG": str(plant_file),
           "HUDDLE_NOW": "2026-11-20T20:00"}
    init = subprocess.run([sys.executable, "-m", "huddle.dashboard.cli", "init"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert init.returncode == 0, init.stdout + init.stderr
    proc = subprocess.Popen([sys.executable, "-c", SCHEDULER_STOPPED_WHILE_SUBMITTING], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out = proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        out = proc.communicate()[0]
        pytest.fail(f"the scheduler ran on for 30 s after its SIGTERM:\n{out}")
    assert "SIGTERM while submitting source:" in out, out
    assert proc.returncode == 0, out
    assert "Error submitting job" not in out, out
