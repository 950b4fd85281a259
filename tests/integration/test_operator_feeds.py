"""What operators run into with the feeds: paths in the plant file, the loaders' log lines, two loads of one source
at once, and shift times on the nights the clocks change.

The commands run as a user runs them (a separate process, started from another folder than the plant file's, at a
fixed ``--now``); the plant's clock never is the machine's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from huddle.dashboard.core.plant import load_plant, parse_plant
from huddle.dashboard.core.plant_checks import findings
from huddle.dashboard.core.plant_paths import resolve_path, resolve_url
from huddle.dashboard.services.container import build_services
from huddle.dashboard.settings import Settings
from huddle.data.ingest.run_locks import RunLocks
from huddle.data.models import LoadRun, ProductionCount
from sqlalchemy import create_engine, func, select

from tests.conftest import SMALL_PLANT, write_past

AS_AT = "2026-11-20T21:00"  # plant time: the counts' day, in the evening
SINCE = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # the same instant, as the loaders' clock
COUNTS = """line,start,end,total,good,planned
L1,2026-11-20 06:00,2026-11-20 07:00,3000,2950,3100
L1,2026-11-20 07:00,2026-11-20 08:00,3000,2940,3100
L9,2026-11-20 07:00,2026-11-20 08:00,3000,2950,3100
"""


def plant_with_relative_paths(folder: Path) -> Path:
    """The small plant, its sources' folder and a SQLite source written relative to the plant file."""
    raw = yaml.safe_load(SMALL_PLANT)
    raw["sources"] = [
        {"key": "counts", "kind": "files", "record": "production_counts", "path": "inbox/counts",
         "settle_seconds": 0},
        {"key": "erp", "kind": "sql", "record": "kpi_values", "url": "sqlite:///erp/erp.sqlite",
         "query": "SELECT 1"},
        {"key": "mes", "kind": "sql", "record": "kpi_values", "url": "postgresql+psycopg://huddle:s3cret@mes/db",
         "query": "SELECT 1"},
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "plant.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def huddle(*args: str, cwd: Path, data_dir: Path, plant: Path | str, database_url: str | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the huddle command from ``cwd`` as at AS_AT."""
    env = {**os.environ, "HUDDLE_DATA_DIR": str(data_dir), "HUDDLE_PLANT_CONFIG": str(plant), "HUDDLE_NOW": AS_AT}
    env.pop("HUDDLE_DATABASE_URL", None)
    if database_url:
        env["HUDDLE_DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "huddle.dashboard.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout, check=False)


# ---- paths relative to the plant file ----------------------------------------------------------------------------


def test_check_from_another_folder_shows_the_paths_resolved_against_the_plant_file(tmp_path: Path) -> None:
    plant = plant_with_relative_paths(tmp_path / "plant")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = huddle("check", cwd=elsewhere, data_dir=tmp_path / "data", plant=Path("..") / "plant" / "plant.yaml")
    assert result.returncode == 1, result.stdout + result.stderr  # the inbox does not exist: an error
    folder = (tmp_path / "plant" / "inbox" / "counts").as_posix()
    assert f"source counts (files, production_counts): reads {folder} (this folder does not exist)" \
        in result.stdout
    assert f"error: source counts: the folder {folder} does not exist" in result.stdout
    database = (tmp_path / "plant" / "erp" / "erp.sqlite").as_posix()
    assert f"source erp (sql, kpi_values): reads sqlite:///{database} (this database file does not exist)" \
        in result.stdout
    # another server's URL is kept as written, its password not shown
    assert "source mes (sql, kpi_values): reads postgresql+psycopg://huddle:***@mes/db" in result.stdout
    assert "s3cret" not in result.stdout
    (tmp_path / "plant" / "inbox" / "counts").mkdir(parents=True)
    again = huddle("check", cwd=elsewhere, data_dir=tmp_path / "data", plant=plant)
    assert again.returncode == 0 and f"reads {folder}\n" in again.stdout


def test_a_source_reads_the_plant_files_inbox_whatever_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plant = plant_with_relative_paths(tmp_path / "plant")
    write_past(tmp_path / "plant" / "inbox" / "counts" / "counts.csv", COUNTS)
    decoy = tmp_path / "elsewhere"  # what the working directory would have read before
    write_past(decoy / "inbox" / "counts" / "other.csv", COUNTS.replace("2950", "10"))
    monkeypatch.chdir(decoy)
    config = load_plant(Path("..") / "plant" / "plant.yaml")
    assert config.sources["counts"].path == (tmp_path / "plant" / "inbox" / "counts").as_posix()
    services = build_services(Settings(data_dir=tmp_path / "data", plant_config=plant), clock=lambda: SINCE)
    try:
        outcome = services.loader.run_source("counts")
        assert [(f.name, f.rows_loaded, f.rows_rejected) for f in outcome.files] == [("counts.csv", 2, 1)]
        with services.sessions() as session:
            assert session.execute(select(func.sum(ProductionCount.good))).scalar_one() == 2950 + 2940
    finally:
        services.dispose()


def test_a_plant_without_a_file_keeps_its_paths_as_written() -> None:
    raw = yaml.safe_load(SMALL_PLANT.replace("${data_dir}/inbox/counts", "inbox/counts"))
    assert parse_plant(raw).sources["counts"].path == "inbox/counts"


def test_only_relative_files_move_to_the_plant_files_folder(tmp_path: Path) -> None:
    base = tmp_path / "etc"
    assert resolve_url("sqlite:///erp.db?mode=ro", base) == f"sqlite:///{(base / 'erp.db').as_posix()}?mode=ro"
    assert resolve_url("sqlite+pysqlite:///../erp.db", base) == f"sqlite+pysqlite:///{tmp_path.as_posix()}/erp.db"
    for kept in ("sqlite:////var/erp.db", "sqlite://", "sqlite:///:memory:", "postgresql://u@h/db",
                 "mssql+pyodbc://u:p@dsn"):
        assert resolve_url(kept, base) == kept
    assert resolve_path("/srv/inbox", base) == "/srv/inbox"
    assert resolve_path("~/inbox", base) == (Path.home() / "inbox").as_posix()
    assert resolve_path("./a/../inbox", base) == (base / "inbox").as_posix()


# ---- one log line per run ------------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> dict[str, Any]:
    """The small plant with relative paths, its database made, a counts file in its inbox."""
    plant = plant_with_relative_paths(tmp_path / "plant")
    services = build_services(Settings(data_dir=tmp_path / "data", plant_config=plant), clock=lambda: SINCE)
    services.dispose()
    path = write_past(tmp_path / "plant" / "inbox" / "counts" / "counts.csv", COUNTS)
    return {"plant": plant, "file": path, "data": tmp_path / "data", "cwd": tmp_path}


def test_verbose_logs_one_line_per_run_with_source_files_rows_and_duration(small: dict[str, Any]) -> None:
    result = huddle("-v", "import", str(small["file"]), cwd=small["cwd"], data_dir=small["data"],
                    plant=small["plant"])
    assert result.returncode == 1, result.stdout + result.stderr  # one row refused
    lines = [ln for ln in result.stderr.splitlines() if "huddle.loaders" in ln]
    assert len(lines) == 1, result.stderr
    assert re.search(r"INFO source import \(cli\): partial, 1 files, 2 rows stored, 1 refused, \d+\.\d\d s$",
                     lines[0]), lines[0]
    quiet = huddle("import", str(small["file"]), cwd=small["cwd"], data_dir=small["data"], plant=small["plant"])
    assert "huddle.loaders" not in quiet.stderr  # without -v: warnings only


def test_json_log_lines_carry_the_runs_fields(small: dict[str, Any]) -> None:
    result = huddle("import", str(small["file"]), "-v", "--log-format", "json", cwd=small["cwd"],
                    data_dir=small["data"], plant=small["plant"])
    records = [json.loads(ln) for ln in result.stderr.splitlines() if ln.strip()]  # every line parses
    runs = [r for r in records if "source" in r]
    assert len(runs) == 1, result.stderr
    run = runs[0]
    assert {k: run[k] for k in ("source", "trigger", "status", "files", "rows_stored", "rows_refused")} == {
        "source": "import", "trigger": "cli", "status": "partial", "files": 1, "rows_stored": 2,
        "rows_refused": 1}
    assert isinstance(run["duration_s"], float) and 0 <= run["duration_s"] < 60
    assert "counts.csv: partial, 1 of 3 rows refused" in run["message"]
    assert run["level"] == "info" and run["logger"] == "huddle.loaders"
    datetime.fromisoformat(run["time"])


def test_a_scheduled_run_logs_its_line(small: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    services = build_services(Settings(data_dir=small["data"], plant_config=small["plant"]), clock=lambda: SINCE)
    try:
        with caplog.at_level("INFO", logger="huddle.loaders"):
            services.loader.run_source("counts")
            services.loader.run_source("counts")
    finally:
        services.dispose()
    runs = [r for r in caplog.records if hasattr(r, "run")]
    assert [r.getMessage().rsplit(",", 1)[0] for r in runs] == [
        "source counts (schedule): partial, 1 files, 2 rows stored, 1 refused",
        "source counts (schedule): idle, 0 files, 0 rows stored, 0 refused"]
    assert runs[0].run["source"] == "counts" and runs[0].run["trigger"] == "schedule"


def test_the_scheduler_process_logs_each_run_as_json(small: dict[str, Any]) -> None:
    if "FAKETIME" in os.environ:
        pytest.skip("the scheduler's timed waits do not end under faketime")
    env = {**os.environ, "HUDDLE_DATA_DIR": str(small["data"]), "HUDDLE_PLANT_CONFIG": str(small["plant"]),
           "HUDDLE_NOW": AS_AT}
    env.pop("HUDDLE_DATABASE_URL", None)
    log = small["cwd"] / "scheduler.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "huddle.dashboard.cli", "scheduler", "-v", "--log-format",
                                 "json"], env=env, cwd=small["cwd"], stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 30
        runs: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not any(r.get("source") == "counts" for r in runs):
            time.sleep(0.2)
            runs = [json.loads(ln) for ln in log.read_text().splitlines() if ln.strip()]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    counts = [r for r in runs if r.get("source") == "counts"]
    assert counts and counts[0]["trigger"] == "schedule" and counts[0]["rows_stored"] == 2, runs
    assert not any("apscheduler" in r.get("logger", "") for r in runs)  # the run's line, not the library's


# ---- two loads of one source -------------------------------------------------------------------------------------


@pytest.fixture
def on_backend(tmp_path: Path, database_url: str) -> dict[str, Any]:
    """The small plant with relative paths on each backend, its database made, a counts file in its inbox."""
    plant = plant_with_relative_paths(tmp_path / "plant")
    settings = Settings(data_dir=tmp_path / "data", plant_config=plant, database_url=database_url)
    services = build_services(settings, clock=lambda: SINCE)
    services.dispose()
    path = write_past(tmp_path / "plant" / "inbox" / "counts" / "counts.csv", COUNTS)
    return {"plant": plant, "file": path, "data": tmp_path / "data", "cwd": tmp_path, "url": database_url,
            "settings": settings}


def stored(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(ProductionCount)).scalar_one()
    finally:
        engine.dispose()


def test_an_import_into_a_source_being_loaded_stops_and_says_who_loads(on_backend: dict[str, Any]) -> None:
    engine = create_engine(on_backend["url"])
    locks = RunLocks(engine)
    locks.hold_source("counts", SINCE, wait=False)  # this test process is "loading" the source
    try:
        busy = huddle("import", str(on_backend["file"]), cwd=on_backend["cwd"], data_dir=on_backend["data"],
                      plant=on_backend["plant"], database_url=on_backend["url"])
    finally:
        locks.release_source("counts")
        locks.dispose()
        engine.dispose()
    assert busy.returncode == 2, busy.stdout + busy.stderr
    assert busy.stdout.strip() == (f"error: a load of counts is running since Fri 20 Nov 21:00:00, pid {os.getpid()}; "
                                   "import again once it has finished")
    assert "Traceback" not in busy.stderr
    assert stored(on_backend["url"]) == 0
    after = huddle("import", str(on_backend["file"]), cwd=on_backend["cwd"], data_dir=on_backend["data"],
                   plant=on_backend["plant"], database_url=on_backend["url"])
    assert after.returncode == 1 and "2 loaded, 1 rejected" in after.stdout
    assert stored(on_backend["url"]) == 2


def test_a_scheduled_run_waits_for_the_load_in_progress(on_backend: dict[str, Any]) -> None:
    engine = create_engine(on_backend["url"])
    locks = RunLocks(engine)
    locks.hold_source("counts", SINCE, wait=False)
    services = build_services(on_backend["settings"], clock=lambda: SINCE)
    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(services.loader.run_source("counts")))
    try:
        worker.start()
        time.sleep(1.5)
        assert worker.is_alive() and not done  # waiting, and no run started meanwhile
        with services.sessions() as session:
            assert session.execute(select(func.count()).select_from(LoadRun)).scalar_one() == 0
        # a run asked for by hand does not wait: it says who is loading
        by_hand = services.loader.run_source("counts", trigger="admin")
        assert by_hand.status == "failed" and by_hand.message.startswith(
            f"a load of counts is running since Fri 20 Nov 21:00:00, pid {os.getpid()}")
    finally:
        locks.release_source("counts")
        worker.join(timeout=30)
        locks.dispose()
        engine.dispose()
        services.dispose()
    assert [(f.name, f.rows_loaded) for f in done[0].files] == [("counts.csv", 2)]


def test_two_imports_of_one_source_at_once_load_it_once_without_a_traceback(on_backend: dict[str, Any]) -> None:
    big = "line,start,end,total,good,planned\n" + "".join(
        f"L{1 + i % 2},2026-10-{1 + i // 48:02d} {i % 24:02d}:{(i // 24) % 2 * 30:02d},"
        f"2026-10-{1 + i // 48:02d} {i % 24:02d}:{(i // 24) % 2 * 30 + 29:02d},100,99,100\n" for i in range(960))
    path = write_past(on_backend["file"].with_name("month.csv"), big)
    env = {**os.environ, "HUDDLE_DATA_DIR": str(on_backend["data"]), "HUDDLE_PLANT_CONFIG": str(on_backend["plant"]),
           "HUDDLE_NOW": AS_AT, "HUDDLE_DATABASE_URL": on_backend["url"]}
    procs = [subprocess.Popen([sys.executable, "-m", "huddle.dashboard.cli", "import", str(path)], env=env,
                              cwd=on_backend["cwd"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert "Traceback" not in err and "IntegrityError" not in out + err, err
        assert code in (0, 2), out + err
        if code == 2:
            assert re.fullmatch(r"error: a load of counts is running since Fri 20 Nov \d\d:\d\d:\d\d, pid \d+; "
                                r"import again once it has finished\n", out), out
    loaded = [out for code, out, _ in results if code == 0]
    assert any("960 rows read, 960 loaded" in out for out in loaded), results
    assert stored(on_backend["url"]) == 960


# ---- clock changes -----------------------------------------------------------------------------------------------


def dst_plant(shifts: list[dict[str, Any]], timezone: str = "Europe/Berlin") -> Any:
    raw = yaml.safe_load(SMALL_PLANT)
    raw["site"]["timezone"] = timezone
    raw["calendar"]["shifts"] = shifts
    return parse_plant(raw)


NIGHT_MEAL = [{"key": "E", "name": "Early", "start": "06:00", "end": "14:00"},
              {"key": "L", "name": "Late", "start": "14:00", "end": "22:00"},
              {"key": "N", "name": "Night", "start": "22:00", "end": "06:00",
               "breaks": [{"start": "02:30", "minutes": 30, "label": "meal"}]}]
BOUNDARY = [{"key": "E", "name": "Early", "start": "02:30", "end": "10:30"},
            {"key": "L", "name": "Late", "start": "10:30", "end": "18:30"},
            {"key": "N", "name": "Night", "start": "18:30", "end": "02:30"}]


def test_check_warns_of_a_break_in_the_hour_the_clocks_skip_and_says_what_huddle_does(tmp_path: Path) -> None:
    raw = yaml.safe_load(SMALL_PLANT)
    raw["calendar"]["shifts"] = NIGHT_MEAL
    plant = tmp_path / "plant.yaml"
    plant.write_text(yaml.safe_dump(raw), encoding="utf-8")
    for folder in ("counts", "stops"):  # the sources' folders exist: a missing one is an error of its own
        (tmp_path / "inbox" / folder).mkdir(parents=True)
    result = huddle("check", "--now", "2026-12-04T12:00", cwd=tmp_path, data_dir=tmp_path, plant=plant)
    assert result.returncode == 0, result.stdout
    assert ("warning: calendar shift N: Sun 28 Mar 2027: the Night shift's meal at 02:30 falls in the hour the "
            "clocks skip (02:00–03:00); Huddle takes it as 03:30 CEST: it runs 03:30–04:00 CEST (30 min)"
            in result.stdout)
    assert ("warning: calendar shift N: Sun 31 Oct 2027: the Night shift's meal at 02:30 falls in the hour the "
            "clocks repeat (02:00–03:00); Huddle takes the first 02:30 (CEST, before the clocks go back): it runs "
            "02:30 CEST–02:00 CET (30 min)" in result.stdout)
    # and that is what the calendar does: the meal of the night from Saturday is 01:30–02:00 UTC
    config = load_plant(plant)
    night = config.calendar.instance(date(2027, 3, 27), "N")
    assert night.breaks == ((datetime(2027, 3, 28, 1, 30, tzinfo=UTC), datetime(2027, 3, 28, 2, 0, tzinfo=UTC)),)
    autumn = config.calendar.instance(date(2027, 10, 30), "N")
    assert autumn.breaks == ((datetime(2027, 10, 31, 0, 30, tzinfo=UTC), datetime(2027, 10, 31, 1, 0, tzinfo=UTC)),)
    # a year later, the next year's changes are the ones named
    later = huddle("check", "--now", "2027-11-01T12:00", cwd=tmp_path, data_dir=tmp_path, plant=plant)
    assert "Sun 26 Mar 2028" in later.stdout and "2027:" not in later.stdout


def test_a_shift_boundary_in_the_repeated_hour_names_both_shifts_lengths() -> None:
    found = [f.message for f in findings(dst_plant(BOUNDARY), since=datetime(2027, 4, 1, tzinfo=UTC))
             if "Oct" in f.message]
    assert found == [
        "Sun 31 Oct 2027: the Early shift's start at 02:30 falls in the hour the clocks repeat (02:00–03:00); "
        "Huddle takes the first 02:30 (CEST, before the clocks go back), so the Early shift of Sun 31 Oct runs "
        "02:30 CEST–10:30 CET: 9 h instead of 8 h",
        "Sun 31 Oct 2027: the Night shift's end at 02:30 falls in the hour the clocks repeat (02:00–03:00); "
        "Huddle takes the first 02:30 (CEST, before the clocks go back), so the Night shift of Sat 30 Oct runs "
        "18:30–02:30 CEST, its usual 8 h"]
    spring = [f.message for f in findings(dst_plant(BOUNDARY), since=datetime(2027, 1, 1, tzinfo=UTC))
              if "Mar" in f.message]
    assert any("Huddle takes it as 03:30 CEST, so the Early shift of Sun 28 Mar runs 03:30–10:30 CEST: 7 h "
               "instead of 8 h" in m for m in spring), spring


def test_no_clock_warning_where_nothing_is_worked_or_the_clocks_do_not_change() -> None:
    weekdays = [{**s, "days": ["mon", "tue", "wed", "thu", "fri"]} for s in NIGHT_MEAL]  # Sunday nights off
    since = datetime(2026, 12, 4, tzinfo=UTC)
    assert not [f for f in findings(dst_plant(weekdays), since=since) if "clocks" in f.message]
    assert not [f for f in findings(dst_plant(NIGHT_MEAL, "Asia/Tokyo"), since=since) if "clocks" in f.message]
    assert not [f for f in findings(dst_plant(NIGHT_MEAL)) if "clocks" in f.message]  # no date, no clock check
