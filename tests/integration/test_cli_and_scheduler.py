"""The ``huddle`` command as a user runs it, and the scheduler as a real separate process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from huddle.data.models import LoadRun, ProductionCount
from sqlalchemy import create_engine, func, select

from tests.conftest import write_past

COUNTS = """line,start,end,total,good,planned
L1,2026-11-20 06:00,2026-11-20 07:00,3000,2950,3100
L1,2026-11-20 07:00,2026-11-20 08:00,abc,2950,3100
L9,2026-11-20 07:00,2026-11-20 08:00,3000,2950,3100
"""
# the commands run as at the evening of the counts' day, not on the machine's date (a shift's facts are "in progress"
# or not by the loader's clock)
AS_AT = "2026-11-20T20:00"


def huddle(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the huddle command on the small plant in tmp_path."""
    env = {**os.environ, "HUDDLE_DATA_DIR": str(tmp_path), "HUDDLE_PLANT_CONFIG": str(tmp_path / "plant.yaml"),
           "HUDDLE_NOW": AS_AT}
    return subprocess.run([sys.executable, "-m", "huddle.dashboard.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, check=False)


def test_init_check_and_import_report_what_was_loaded_and_why_rows_were_refused(tmp_path: Path,
                                                                                  plant_file: Path) -> None:
    assert "created a new database" in huddle(tmp_path, "init").stdout
    assert "up to date" in huddle(tmp_path, "init").stdout
    for folder in ("counts", "stops"):  # the sources' folders: one that does not exist is an error
        (tmp_path / "inbox" / folder).mkdir(parents=True)
    check = huddle(tmp_path, "check")
    assert check.returncode == 0 and "check: ok — 0 errors" in check.stdout
    path = write_past(tmp_path / "export" / "counts.csv", COUNTS)
    result = huddle(tmp_path, "import", str(path))
    assert result.returncode == 1  # some rows were refused
    assert "3 rows read, 1 loaded, 2 rejected" in result.stdout
    assert "line 3, column total = 'abc': not a number" in result.stdout
    assert "line 4, column line = 'L9': unknown line" in result.stdout
    again = huddle(tmp_path, "import", str(path))
    # its two refused rows are still refused: not a duplicate, and nothing new loaded
    assert again.returncode == 3 and "import: failed — nothing loaded" in again.stdout
    assert "counts.csv: partial, 0 loaded, 0 rejected (still refused" in again.stdout
    assert "duplicate" not in again.stdout


def test_check_refuses_a_broken_configuration(tmp_path: Path) -> None:
    (tmp_path / "plant.yaml").write_text("""
site: {key: x, name: X, timezone: Mars/Olympus}
calendar: {shifts: [{key: A, start: "06:00", end: "14:00"}, {key: B, start: "13:00", end: "22:00"}]}
areas: [{key: a, lines: [{key: L1, ideal_cycle_s: 1}]}]
kpis: [{key: oee, category: D, target: 60}, {key: availability, category: D}]
trees: [{key: t, root: oee, edges: [{parent: oee, children: [availability, ghost]},
                                    {parent: availability, children: [oee]}]}]
""")
    result = huddle(tmp_path, "check")
    assert result.returncode == 1
    assert "site.timezone: 'Mars/Olympus' is not an IANA time zone" in result.stdout
    assert "shifts A and B overlap" in result.stdout
    assert "unknown KPI 'ghost'" in result.stdout
    assert "cycle: " in result.stdout
    serve = huddle(tmp_path, "serve")
    assert serve.returncode == 1 and "huddle check" in serve.stdout


def test_scheduler_process_loads_new_files_and_is_the_only_one(tmp_path: Path, plant_file: Path) -> None:
    if "FAKETIME" in os.environ:
        # libfaketime moves the monotonic clock too, and a timed wait (the scheduler's sleep until its next run)
        # then never ends: the scheduler would run its jobs once only
        pytest.skip("the scheduler's timed waits do not end under faketime")
    text = plant_file.read_text().replace("settle_seconds: 0}", "settle_seconds: 0, schedule: every 1 s}")
    plant_file.write_text(text)
    assert huddle(tmp_path, "init").returncode == 0
    env = {**os.environ, "HUDDLE_DATA_DIR": str(tmp_path), "HUDDLE_PLANT_CONFIG": str(plant_file),
           "HUDDLE_NOW": AS_AT}
    first = subprocess.Popen([sys.executable, "-m", "huddle.dashboard.cli", "scheduler"], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    second = None
    out_first: list[str] = []
    out_second: list[str] = []
    reader = threading.Thread(target=lambda: out_first.extend(first.stdout or ()), daemon=True)
    reader.start()
    try:
        # the second starts once the first leads (a busy machine may take seconds to start a Python process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("scheduler: leading" in line for line in out_first):
            time.sleep(0.2)
        assert any("scheduler: leading" in line for line in out_first), "".join(out_first)
        second = subprocess.Popen([sys.executable, "-m", "huddle.dashboard.cli", "scheduler"], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        second_reader = threading.Thread(target=lambda: out_second.extend(second.stdout or ()), daemon=True)
        second_reader.start()
        write_past(tmp_path / "inbox/counts/c1.csv", COUNTS.splitlines()[0] + "\n" + COUNTS.splitlines()[1] + "\n")
        engine = create_engine(f"sqlite:///{tmp_path / 'huddle.sqlite'}")
        deadline = time.monotonic() + 30
        loaded = 0
        while time.monotonic() < deadline and not loaded:
            time.sleep(0.5)
            with engine.connect() as conn:
                loaded = conn.execute(select(func.count()).select_from(ProductionCount)).scalar_one()
        assert loaded == 1
        time.sleep(2)
        with engine.connect() as conn:
            runs = conn.execute(select(func.count()).select_from(LoadRun)
                                .where(LoadRun.source == "counts", LoadRun.rows_loaded > 0)).scalar_one()
        engine.dispose()
        assert runs == 1  # loaded once, not once per scheduler
        # the second says it stands by once it has started and found the lock held (seconds on a busy machine)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("standing by" in line for line in out_second):
            time.sleep(0.2)
    finally:
        for proc in (first, second):
            if proc:
                proc.terminate()
        for proc in (first, second):
            if proc:
                proc.wait(timeout=10)
        reader.join(timeout=10)
    assert any("standing by" in line for line in out_second), "".join(out_second)


def test_scheduler_jobs_coalesce_run_one_at_a_time_and_use_the_plant_time_zone(make_services) -> None:  # type: ignore[no-untyped-def]
    from huddle.dashboard.scheduler import build_scheduler

    services = make_services(None)
    scheduler = build_scheduler(services, blocking=False)
    scheduler.start(paused=True)  # job defaults apply when the scheduler starts; paused runs nothing
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert set(jobs) == {"source:counts", "source:stops", "heartbeat"}  # the heartbeat says the loaders are alive
    assert jobs.pop("heartbeat").trigger.interval.total_seconds() == 15
    for job in jobs.values():
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 120)
        assert str(job.trigger.timezone) == "Europe/Berlin"
        assert job.trigger.interval.total_seconds() == 60
