"""Benchmark of Huddle's data path: export files → loaders → SQLite → readings, each against a floor.

What it measures, in one run (``python tests/bench/bench_data_path.py [--lines 20] [--years 5]``):

1. **Generation.** A plant of ``--lines`` lines in up to 5 areas, 3 shifts (06–14, 14–22, 22–06, Europe/Berlin,
   with breaks) and ten KPIs, written to a temporary folder with files sources (``settle_seconds: 0``) for
   production counts, stop events and labour. ``--years`` years of history ending yesterday are written as CSV
   export files, one month per record type per area: hourly counts for every line, 2–6 (mean 4) unplanned stops
   per line per shift (outside the breaks, never overlapping) and one labour row per line per shift.
   Timestamps carry their UTC offset. Files are streamed with the ``csv`` module; no history is held in memory.
2. **Loader.** The configured sources are run once through the real ``Loader.run_source`` (validation,
   upsert on the natural key, one transaction per file, ``refresh_facts`` of the touched shifts, ledgers) into a
   fresh SQLite database: rows loaded, seconds, rows/s.
3. **Insert floor.** The same rows, parsed once from the same CSV files (timestamps converted to UTC datetimes),
   are inserted into a second fresh SQLite database's same tables with plain SQLAlchemy Core ``insert(table)``
   executemany, 10,000 rows a batch, one transaction per file. Parse and insert times are kept apart; the loader's
   rate is given as a percentage of the insert's alone (the target: at least 50 %) and of parse + insert.
   **PostgreSQL** (``--postgres URL``, by default ``$HUDDLE_TEST_POSTGRES_URL``): the loader into a fresh schema,
   and a ``COPY`` of the same typed rows (psycopg's ``cursor.copy``/``write_row``, one transaction per file) into
   another; the loader's rate as a percentage of COPY's (target: at least 50 %) and of parse + COPY.
   **One long file** (``--long-file ROWS``, default 2,000,000; 0 skips): one counts file of every line's
   quarter-hours loaded by ``huddle``'s loader in a child process, which prints rows/s and its peak RSS.
   The live (MQTT) message rate has its own section after these.
4. **Queries** on the loaded database (median of N warm runs; the first, cold run is shown too):
   (a) one line's shift: ``board_readings`` and ``Readings.readings(all KPIs, line, shift)`` against a
   hand-written SQL aggregate over the raw ``production_counts`` and ``stop_events`` rows of that line in the
   shift's UTC window (the OEE numerator Σ good × ideal cycle and denominator shift − breaks − planned stops),
   and against a SUM over that shift's ``shift_facts`` row; the OEE values are printed side by side.
   (b) one month's plant roll-up: ``Readings.readings(all KPIs, 'plant', month)`` against the raw SQL
   aggregate over every line's counts and stops in the month's window, and against a SUM of every measure over
   the month's ``shift_facts`` rows.
   (c) ``Readings.series('oee', 'plant', 'month', …)`` over 12 months against one ``GROUP BY`` month over
   ``shift_facts``.
5. **Summary**: every figure in one table, the database file size and the peak RSS of this process.

The raw-table floors take the shift calendar (durations, breaks) and the lines' ideal cycle times from the
plant configuration and assume, as the generated data guarantees, that hourly count intervals never straddle a
shift boundary (so "starts in the window" equals the loaders' "midpoint in the shift"), that stops never overlap
breaks or each other and that every line ran every shift.

``--profile`` also loads one month's files into a separate database under cProfile and profiles the shift
readings and the series, printing the top entries. The temporary folder is removed at the end unless ``--keep``
is given (a ``--workdir`` is kept). This is a script, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, TypeVar

import yaml
from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.kpi import MEASURES
from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.board import board_readings
from huddle.dashboard.services.container import Services, build_services
from huddle.dashboard.settings import Settings
from huddle.data.db import init_db, make_engine
from huddle.data.models import Labour, ProductionCount, StopEvent, UTCDateTime
from siblings import import_sibling  # tests/bench is on the path when a bench script runs
from sqlalchemy import Date, Engine, bindparam, insert, text
from sqlalchemy.engine import Connection

benchtable = import_sibling("benchtable")

T = TypeVar("T")

TIMEZONE = "Europe/Berlin"
MAX_AREAS = 5
CYCLES_S = (0.8, 1.0, 1.2, 1.5, 2.0)
#: Units counted per hour as a share of a line's capacity (its ideal cycle), drawn between these two. A count covers
#: its whole hour, breaks and stops included, so the share stays below the part of the hour a line runs: OEE's
#: performance near 75 % and OEE near its 65 % target, some shifts red and some green, as a plant's are. (Up to
#: 92 % made performance pass 100 %, and every tile of the board read "check data".)
MADE_SHARE = (0.55, 0.72)
PLANNED_SHARE = 0.68  # the plan per hour, as a share of capacity: schedule attainment near its 95 % target
UNPLANNED_REASONS = ("Filler jam", "Capper fault", "Label misfeed", "Conveyor blockage", "Material shortage",
                     "Sensor fault", "Electrical fault")
BATCH = 10_000
#: record type → (source key, inbox folder), in the order the sources run
RECORDS: dict[str, tuple[str, str]] = {
    "production_counts": ("mes-counts", "counts"),
    "stop_events": ("mes-stops", "stops"),
    "labour": ("time-clock", "labour"),
}
HEADERS: dict[str, list[str]] = {
    "production_counts": ["line", "start", "end", "total", "good", "planned"],
    "stop_events": ["line", "start", "end", "reason", "category", "equipment"],
    "labour": ["line", "date", "shift", "planned_headcount", "present_headcount", "hours_worked",
               "overtime_hours"],
}


# ---- plant ---------------------------------------------------------------------------------------------------


def plant_document(n_lines: int) -> dict[str, Any]:
    """The benchmark plant as a YAML-ready mapping (paths use ``${data_dir}``)."""
    n_areas = min(MAX_AREAS, n_lines)
    keys = [f"L{i:02d}" for i in range(1, n_lines + 1)]
    areas = []
    for a in range(n_areas):
        members = [k for i, k in enumerate(keys) if i * n_areas // n_lines == a]
        areas.append({"key": f"A{a + 1}", "name": f"Area {a + 1}", "lines": [
            {"key": k, "name": f"Line {k[1:]}", "ideal_cycle_s": CYCLES_S[int(k[1:]) % len(CYCLES_S)]}
            for k in members]})

    def shift(key: str, name: str, start: str, end: str, breaks: list[tuple[str, int]]) -> dict[str, Any]:
        return {"key": key, "name": name, "start": start, "end": end,
                "breaks": [{"start": s, "minutes": m} for s, m in breaks]}

    def kpi(key: str, category: str, target: float, frequency: str = "shift") -> dict[str, Any]:
        return {"key": key, "name": key.replace("_", " ").title(), "category": category, "target": target,
                "owner": "Bench", "data_source": "bench export files", "frequency": frequency}

    return {
        "site": {"key": "bench", "name": "Bench Plant", "timezone": TIMEZONE},
        "calendar": {"production_date": "start", "shifts": [
            shift("E", "Early", "06:00", "14:00", [("09:00", 15), ("11:00", 30), ("12:45", 15)]),
            shift("L", "Late", "14:00", "22:00", [("17:00", 15), ("19:00", 30), ("20:45", 15)]),
            shift("N", "Night", "22:00", "06:00", [("01:00", 15), ("02:30", 30), ("04:45", 15)]),
        ]},
        "areas": areas,
        "stop_reasons": [{"reason": r, "category": "unplanned"} for r in UNPLANNED_REASONS],
        "kpis": [
            kpi("oee", "D", 65), kpi("availability", "D", 85), kpi("performance", "D", 82),
            kpi("quality", "Q", 98), kpi("fpy", "Q", 97), kpi("scrap_rate", "Q", 1.5),
            kpi("schedule_attainment", "D", 95), kpi("attendance", "M", 95), kpi("trir", "S", 2, "month"),
            kpi("units_per_labour_hour", "C", 420),
        ],
        "trees": [{"key": "oee", "name": "OEE tree", "root": "oee", "edges": [
            {"parent": "oee", "children": ["availability", "performance", "quality"], "formula": "product"}]}],
        "sources": [
            {"key": src, "kind": "files", "record": record, "path": f"${{data_dir}}/inbox/{folder}",
             "schedule": "every 60 s", "settle_seconds": 0}
            for record, (src, folder) in RECORDS.items()
        ],
    }


# ---- generation ----------------------------------------------------------------------------------------------


@dataclass
class Generated:
    """What was written: rows per record type, files, bytes and seconds."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORDS, 0))
    files: list[tuple[str, Path]] = field(default_factory=list)  # (record type, path), in load order
    bytes: int = 0
    seconds: float = 0.0


def month_starts(first: date, last: date) -> Iterator[date]:
    """The first day of every month that overlaps [first, last]."""
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = (day + timedelta(days=32)).replace(day=1)


def local_midnight_utc(day: date, config: PlantConfig) -> datetime:
    """Midnight at the start of a plant-local date, as a UTC instant."""
    return datetime.combine(day, clock(0), tzinfo=config.tz).astimezone(UTC)


def working_intervals(inst: ShiftInstance) -> list[tuple[float, float]]:
    """The parts of a shift outside its breaks, as (start, end) seconds from the shift start."""
    out, cursor = [], 0.0
    for b_lo, b_hi in sorted(inst.breaks):
        lo, hi = (b_lo - inst.start_utc).total_seconds(), (b_hi - inst.start_utc).total_seconds()
        if lo > cursor:
            out.append((cursor, lo))
        cursor = max(cursor, hi)
    if cursor < inst.duration_s:
        out.append((cursor, inst.duration_s))
    return out


def generate(config: PlantConfig, inbox: Path, first: date, last: date, seed: int = 7) -> Generated:
    """Write the export files, one month per record type per area, streaming every row."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    out = Generated()
    tz = config.tz
    folders = {record: inbox / folder for record, (_s, folder) in RECORDS.items()}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    by_record: dict[str, list[Path]] = {record: [] for record in RECORDS}
    for month in month_starts(first, last):
        m_first = max(first, month)
        m_last = min(last, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        hours: list[tuple[str, str]] = []
        h, h_end = local_midnight_utc(m_first, config), local_midnight_utc(m_last + timedelta(days=1), config)
        while h < h_end:
            nxt = h + timedelta(hours=1)
            hours.append((h.astimezone(tz).isoformat(), nxt.astimezone(tz).isoformat()))
            h = nxt
        instances = config.calendar.instances_for_dates(m_first, m_last)
        for area in config.areas.values():
            lines = [config.lines[k] for k in area.lines]
            tag = f"{month:%Y-%m}_{area.key}"
            # production counts: one row per line and local hour
            path = folders["production_counts"] / f"counts_{tag}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(HEADERS["production_counts"])
                for start, end in hours:
                    for ln in lines:
                        capacity = 3600.0 / ln.ideal_cycle_s
                        total = int(capacity * rng.uniform(*MADE_SHARE))
                        good = total - int(total * (0.005 + 0.025 * rng.random()))
                        w.writerow((ln.key, start, end, total, good, round(capacity * PLANNED_SHARE)))
            out.rows["production_counts"] += len(hours) * len(lines)
            by_record["production_counts"].append(path)
            # stop events: 2–6 unplanned stops per line and shift, one in each equal slice of the shift
            path = folders["stop_events"] / f"stops_{tag}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(HEADERS["stop_events"])
                for inst in instances:
                    work = working_intervals(inst)
                    for ln in lines:
                        per_interval = [0] * len(work)
                        for _ in range(rng.randint(2, 6)):
                            per_interval[rng.randrange(len(work))] += 1
                        for (lo, hi), n in zip(work, per_interval, strict=True):
                            seg = (hi - lo) / max(n, 1)
                            for k in range(n):
                                duration = rng.randint(60, max(60, min(1200, int(seg * 0.8))))
                                offset = int(lo + k * seg + rng.random() * max(0.0, seg - duration))
                                s = inst.start_utc + timedelta(seconds=offset)
                                e = s + timedelta(seconds=duration)
                                w.writerow((ln.key, s.astimezone(tz).isoformat(), e.astimezone(tz).isoformat(),
                                            rng.choice(UNPLANNED_REASONS), "unplanned",
                                            f"{ln.key}-M{rng.randint(1, 4)}"))
                                out.rows["stop_events"] += 1
            by_record["stop_events"].append(path)
            # labour: one row per line and shift
            path = folders["labour"] / f"labour_{tag}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(HEADERS["labour"])
                for inst in instances:
                    paid_h = (inst.duration_s - inst.planned_breaks_s) / 3600
                    for ln in lines:
                        present = 6 - (rng.random() < 0.1)
                        overtime = round(rng.random(), 2) if rng.random() < 0.2 else 0.0
                        w.writerow((ln.key, inst.production_date.isoformat(), inst.shift_key, 6, present,
                                    round(present * paid_h + overtime, 2), overtime))
            out.rows["labour"] += len(instances) * len(lines)
            by_record["labour"].append(path)
    for record in RECORDS:  # the loaders read a source's folder sorted by name: keep that order
        out.files.extend((record, p) for p in sorted(by_record[record]))
    out.bytes = sum(p.stat().st_size for _r, p in out.files)
    past = time.time() - 60
    for _r, p in out.files:
        os.utime(p, (past, past))
    out.seconds = time.perf_counter() - t0
    return out


# ---- loading -------------------------------------------------------------------------------------------------


@dataclass
class LoadFigures:
    """Rows and seconds of one load, per record type."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    parse_seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # this process's CPU time (SQLite works in it): fair on a machine busy with others

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def load_with_loader(services: Services) -> LoadFigures:
    """Run every configured source once through the real loader; print per source."""
    figures = LoadFigures()
    for record, (src, _folder) in RECORDS.items():
        t0, c0 = time.perf_counter(), time.process_time()
        outcome = services.loader.run_source(src, trigger="bench")
        seconds = time.perf_counter() - t0
        figures.cpu_seconds += time.process_time() - c0
        figures.rows[record], figures.seconds[record] = outcome.rows_loaded, seconds
        bad = [f for f in outcome.files if f.status != "loaded"]
        print(f"  loader {record:18s} {outcome.rows_loaded:>10,} rows in {seconds:8.1f} s = "
              f"{outcome.rows_loaded / seconds:>9,.0f} rows/s  ({len(outcome.files)} files, status {outcome.status}, "
              f"{outcome.rows_rejected} rejected)", flush=True)
        for f in bad[:3]:
            print(f"    ! {f.name}: {f.status} {f.note} {f.problems[:2]}")
    return figures


def _utc(text_: str) -> datetime:
    return datetime.fromisoformat(text_).astimezone(UTC)


def parse_file(record: str, path: Path) -> list[dict[str, Any]]:
    """A generated file's rows as table rows (the floor's one parse: timestamps to UTC datetimes)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        if record == "production_counts":
            return [{"line": r[0], "start_utc": _utc(r[1]), "end_utc": _utc(r[2]), "product": "",
                     "total": int(r[3]), "good": int(r[4]), "planned_qty": float(r[5])} for r in reader]
        if record == "stop_events":
            return [{"line": r[0], "start_utc": _utc(r[1]), "end_utc": _utc(r[2]), "reason": r[3],
                     "category": r[4], "equipment": r[5]} for r in reader]
        return [{"line": r[0], "production_date": date.fromisoformat(r[1]), "shift": r[2],
                 "planned_headcount": float(r[3]), "present_headcount": float(r[4]), "hours_worked": float(r[5]),
                 "overtime_hours": float(r[6])} for r in reader]


def load_floor(engine: Engine, files: list[tuple[str, Path]]) -> LoadFigures:
    """Plain Core executemany of the same rows, 10,000 a batch, one transaction per file."""
    tables = {"production_counts": ProductionCount.__table__, "stop_events": StopEvent.__table__,
              "labour": Labour.__table__}
    figures = LoadFigures()
    for record, path in files:
        t0 = time.perf_counter()
        rows = parse_file(record, path)
        t1, c1 = time.perf_counter(), time.process_time()
        with engine.begin() as conn:
            for start in range(0, len(rows), BATCH):
                conn.execute(insert(tables[record]), rows[start:start + BATCH])
        t2 = time.perf_counter()
        figures.cpu_seconds += time.process_time() - c1
        figures.rows[record] = figures.rows.get(record, 0) + len(rows)
        figures.parse_seconds[record] = figures.parse_seconds.get(record, 0.0) + t1 - t0
        figures.seconds[record] = figures.seconds.get(record, 0.0) + t2 - t1
    for record in RECORDS:
        n, s, p = figures.rows.get(record, 0), figures.seconds.get(record, 0.0), figures.parse_seconds.get(record, 0.0)
        print(f"  floor  {record:18s} {n:>10,} rows in {s:8.1f} s = {n / max(s, 1e-9):>9,.0f} rows/s insert "
              f"(+ {p:.1f} s parse = {n / max(s + p, 1e-9):,.0f} rows/s)", flush=True)
    return figures


def profile_month(plant_path: Path, workdir: Path, files: list[tuple[str, Path]], month: str, top: int = 15) -> None:
    """Load one month's files (every record type and area) into a fresh database under cProfile."""
    db = workdir / "profile.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    services = build_services(Settings(data_dir=workdir, database_url=f"sqlite:///{db}", plant_config=plant_path))
    subset = [(r, p) for r, p in files if f"_{month}_" in p.name]
    n = 0
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for record in RECORDS:
        outcome = services.loader.import_files([p for r, p in subset if r == record], record=record)
        n += outcome.rows_loaded
    profiler.disable()
    seconds = time.perf_counter() - t0
    services.dispose()
    print(f"\n== cProfile: loader on {month} ({len(subset)} files, {n:,} rows, {seconds:.1f} s under the profiler)")
    print_profile(profiler, top)


def print_profile(profiler: cProfile.Profile, top: int = 15, tottime: int = 12) -> None:
    """The top entries of a profile by cumulative and by own time."""
    for sort, count in (("cumulative", top), ("tottime", tottime)):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(sort).print_stats(count)
        body = buf.getvalue()
        print(f"-- top {count} by {sort}")
        print(body[body.find("   ncalls"):].rstrip())


def profile_calls(label: str, fn: Callable[[], object], calls: int, top: int = 15) -> None:
    """Call ``fn`` repeatedly under cProfile and print where the time goes."""
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    print(f"\n== cProfile: {label} × {calls} ({(time.perf_counter() - t0) * 1000 / calls:.2f} ms per call "
          f"under the profiler)")
    print_profile(profiler, top, 10)


# ---- PostgreSQL: the loader against COPY ----------------------------------------------------------------------


def pg_schema(base: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema on the PostgreSQL server: (URL using it, function dropping it)."""
    from sqlalchemy import create_engine

    schema = f"{prefix}_{os.getpid()}_{int(time.time())}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}", drop


def backend_cpu(url: str) -> float:
    """CPU seconds the server processes of the connections open on ``url`` (named by its ``application_name``)
    have used: the part of a PostgreSQL load that is not this process's, readable when the server runs on this
    machine (0 when it does not)."""
    from sqlalchemy import create_engine

    name = url.rsplit("application_name=", 1)[-1]
    admin = create_engine(url.rsplit("&application_name=", 1)[0])
    try:
        with admin.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                                {"n": name}).scalars().all()
    finally:
        admin.dispose()
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def copy_floor(engine: Engine, files: list[tuple[str, Path]]) -> LoadFigures:
    """COPY of the same typed rows (parsed once, instants as UTC) with psycopg's ``cursor.copy`` and
    ``write_row``, one transaction per file."""
    tables = {"production_counts": ProductionCount.__table__, "stop_events": StopEvent.__table__,
              "labour": Labour.__table__}
    figures = LoadFigures()
    for record, path in files:
        t0 = time.perf_counter()
        rows = parse_file(record, path)
        columns = list(rows[0]) if rows else []
        values = [tuple(v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in r.values()) for r in rows]
        t1, c1 = time.perf_counter(), time.process_time()
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                names = ", ".join(columns)
                with cursor.copy(f"COPY {tables[record].name} ({names}) FROM STDIN") as copy:
                    for v in values:
                        copy.write_row(v)
            raw.commit()
        finally:
            raw.close()
        t2 = time.perf_counter()
        figures.cpu_seconds += time.process_time() - c1
        figures.rows[record] = figures.rows.get(record, 0) + len(rows)
        figures.parse_seconds[record] = figures.parse_seconds.get(record, 0.0) + t1 - t0
        figures.seconds[record] = figures.seconds.get(record, 0.0) + t2 - t1
    return figures


def postgres_ratio(base: str, plant_path: Path, workdir: Path, files: list[tuple[str, Path]],
                   summary: Summary) -> None:
    """The loader into a fresh PostgreSQL schema, and a COPY of the same rows into another."""
    print("\n== PostgreSQL: the loader, and COPY of the same rows (one transaction per file)", flush=True)
    url, drop = pg_schema(base, "bench_loader")
    floor_url, floor_drop = pg_schema(base, "bench_copy")
    try:
        services = build_services(Settings(data_dir=workdir, database_url=url, plant_config=plant_path))
        server = backend_cpu(url)
        loaded = load_with_loader(services)
        loaded_server = backend_cpu(url) - server
        services.dispose()
        engine = make_engine(floor_url)
        init_db(engine)
        server = backend_cpu(floor_url)
        floor = copy_floor(engine, files)
        floor_server = backend_cpu(floor_url) - server
        engine.dispose()
    finally:
        drop()
        floor_drop()
    lr, fr = loaded.total_rows / loaded.total_seconds, floor.total_rows / floor.total_seconds
    for record in RECORDS:
        f_rate = floor.rows[record] / floor.seconds[record]
        print(f"  COPY   {record:18s} {floor.rows[record]:>10,} rows in {floor.seconds[record]:8.1f} s = "
              f"{f_rate:>9,.0f} rows/s", flush=True)
        summary.add(f"  PostgreSQL loader/COPY {record}",
                    f"{100 * loaded.rows[record] / loaded.seconds[record] / f_rate:.0f} % (COPY {f_rate:,.0f} rows/s)")
    print(f"  PostgreSQL: loader {lr:,.0f} rows/s, COPY {fr:,.0f} rows/s: the loader stores at {100 * lr / fr:.0f} % "
          f"of COPY's rate; target at least 50 %", flush=True)
    summary.add("PostgreSQL loader", f"{loaded.total_rows:,} rows, {loaded.total_seconds:.1f} s, {lr:,.0f} rows/s")
    summary.add("PostgreSQL COPY", f"{fr:,.0f} rows/s ({floor.total_seconds:.1f} s)")
    # the loader reads its files too: against the same rows read from the same files and then copied
    parse_s = sum(floor.parse_seconds.values())
    fpr = floor.total_rows / (floor.total_seconds + parse_s)
    summary.add("PostgreSQL parse + COPY", f"{fpr:,.0f} rows/s ({floor.total_seconds + parse_s:.1f} s): the loader "
                f"stores at {100 * lr / fpr:.0f} % of it")
    cpu = ""
    if loaded_server and floor_server:  # the server runs here: CPU time is fair on a machine busy with others
        ratio = 100 * (floor.cpu_seconds + floor_server) / (loaded.cpu_seconds + loaded_server)
        cpu = f"; by CPU time {ratio:.0f} %"
        print(f"  By CPU time (this process and its server processes): loader {loaded.cpu_seconds:.1f} s + server "
              f"{loaded_server:.1f} s, COPY {floor.cpu_seconds:.1f} s + server {floor_server:.1f} s = {ratio:.0f} %",
              flush=True)
    summary.add("PostgreSQL loader / COPY", f"{100 * lr / fr:.0f} % (target >= 50 %){cpu}")


# ---- memory on one long file ---------------------------------------------------------------------------------


def write_long_file(config: PlantConfig, path: Path, rows: int, seed: int = 11) -> int:
    """One counts file of ``rows`` rows: every line's quarter-hours, oldest first, ending before today."""
    rng = random.Random(seed)
    lines = list(config.lines.values())
    quarters = -(-rows // len(lines))
    end = local_midnight_utc(datetime.now(config.tz).date(), config)
    t = end - timedelta(minutes=15 * quarters)
    written = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS["production_counts"])
        while written < rows:
            nxt = t + timedelta(minutes=15)
            start, stop = t.astimezone(config.tz).isoformat(), nxt.astimezone(config.tz).isoformat()
            for ln in lines[:rows - written]:
                capacity = 900.0 / ln.ideal_cycle_s
                total = int(capacity * rng.uniform(*MADE_SHARE))
                w.writerow((ln.key, start, stop, total, total - int(total * 0.02 * rng.random()),
                            round(capacity * PLANNED_SHARE)))
            written += min(len(lines), rows - written)
            t = nxt
    return written


def long_file_memory(rows: int, plant_path: Path, workdir: Path, config: PlantConfig, summary: Summary) -> None:
    """Load one long counts file in a child process (its own peak RSS) and print rows/s and peak RSS."""
    path = workdir / "long" / "counts_long.csv"
    path.parent.mkdir(exist_ok=True)
    written = write_long_file(config, path, rows)
    db = workdir / "long.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"\n== one long file: {written:,} counts rows, {path.stat().st_size / 1e6:,.0f} MB, loaded in a child "
          "process", flush=True)
    done = subprocess.run([sys.executable, __file__, "--long-child", str(plant_path), str(path), str(db)],
                          capture_output=True, text=True, check=False)
    print("  " + done.stdout.strip().replace("\n", "\n  "), flush=True)
    if done.returncode:
        print(done.stderr[-2000:])
        summary.add("long file", f"failed (exit {done.returncode})")
        return
    summary.add("long file", done.stdout.strip().splitlines()[-1])
    path.unlink()


def long_file_child(plant_path: Path, path: Path, db: Path) -> int:
    """(In the child process.) Import the long file and print rows, seconds, rows/s and peak RSS."""
    services = build_services(Settings(data_dir=plant_path.parent, database_url=f"sqlite:///{db}",
                                       plant_config=plant_path))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    outcome = services.loader.import_files([path], record="production_counts")
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    services.dispose()
    f = outcome.files[0]
    print(f"status {f.status}, {f.rows_loaded:,} rows loaded, {f.rows_rejected:,} refused")
    print(f"{f.rows_loaded:,} rows in {seconds:.1f} s = {f.rows_loaded / seconds:,.0f} rows/s; peak RSS "
          f"{peak:,.0f} MB, {peak - before:,.0f} MB over the {before:,.0f} MB before the load (file "
          f"{path.stat().st_size / 1e6:,.0f} MB)")
    return 0


# ---- queries -------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], T], runs: int) -> tuple[float, float, T]:
    """(median ms of ``runs`` warm runs, cold ms of the first run, last result)."""
    t0 = time.perf_counter()
    result = fn()
    cold = (time.perf_counter() - t0) * 1000
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), cold, result


_UTC_PARAMS = [bindparam(name, type_=UTCDateTime()) for name in ("lo", "hi", "lookback")]

#: One line's counts and stops in a window (the stop part clips every stop to the window).
RAW_LINE_SQL = text("""
SELECT c.n, c.total, c.good, s.planned_s, s.unplanned_s, s.changeover_s, s.failures FROM
  (SELECT COUNT(*) AS n, COALESCE(SUM(total), 0) AS total, COALESCE(SUM(good), 0) AS good
     FROM production_counts WHERE line = :line AND start_utc >= :lo AND start_utc < :hi) AS c,
  (SELECT COALESCE(SUM(CASE WHEN category = 'planned' THEN ov END), 0) AS planned_s,
          COALESCE(SUM(CASE WHEN category = 'unplanned' THEN ov END), 0) AS unplanned_s,
          COALESCE(SUM(CASE WHEN category = 'changeover' THEN ov END), 0) AS changeover_s,
          COUNT(CASE WHEN category = 'unplanned' AND start_utc >= :lo THEN 1 END) AS failures
     FROM (SELECT category, start_utc,
                  ROUND((julianday(MIN(end_utc, :hi)) - julianday(MAX(start_utc, :lo))) * 86400.0, 3) AS ov
             FROM stop_events
            WHERE line = :line AND start_utc >= :lookback AND start_utc < :hi AND end_utc > :lo)) AS s
""").bindparams(*_UTC_PARAMS)

RAW_PLANT_COUNTS_SQL = text("""
SELECT line, COUNT(*) AS n, SUM(total) AS total, SUM(good) AS good FROM production_counts
 WHERE line IN :lines AND start_utc >= :lo AND start_utc < :hi GROUP BY line
""").bindparams(bindparam("lines", expanding=True), *_UTC_PARAMS[:2])

RAW_PLANT_STOPS_SQL = text("""
SELECT category, SUM(ov) AS seconds, COUNT(CASE WHEN start_utc >= :lo THEN 1 END) AS n FROM
  (SELECT category, start_utc,
          ROUND((julianday(MIN(end_utc, :hi)) - julianday(MAX(start_utc, :lo))) * 86400.0, 3) AS ov
     FROM stop_events WHERE line IN :lines AND start_utc >= :lookback AND start_utc < :hi AND end_utc > :lo)
 GROUP BY category
""").bindparams(bindparam("lines", expanding=True), *_UTC_PARAMS)

_SUMS = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
#: The plant is every fact row (line, area and plant level), so the plant floor needs no location filter.
FACTS_SQL = text(f"""
SELECT {_SUMS}, MAX(data_through_utc) AS data_through, COUNT(*) AS facts FROM shift_facts
 WHERE production_date >= :first AND production_date <= :last
""").bindparams(bindparam("first", type_=Date()), bindparam("last", type_=Date()))
#: The same sums filtered by ``line IN (every line)`` the way the readings' scope filter does (index choice).
FACTS_LINES_SQL = text(f"""
SELECT {_SUMS}, MAX(data_through_utc) AS data_through, COUNT(*) AS facts FROM shift_facts
 WHERE production_date >= :first AND production_date <= :last AND line IN :lines
""").bindparams(bindparam("first", type_=Date()), bindparam("last", type_=Date()), bindparam("lines", expanding=True))

FACTS_SHIFT_SQL = text(f"""
SELECT {_SUMS}, MAX(data_through_utc) AS data_through, COUNT(*) AS facts FROM shift_facts
 WHERE production_date = :day AND line = :line AND shift = :shift
""").bindparams(bindparam("day", type_=Date()))



def facts_series_sql(dialect: str) -> Any:
    """OEE's numerator and denominator summed by month over whole months (their rows of month_facts)."""
    source, _count, month = benchtable.facts_in_range(dialect, months=True)
    return text(f"""
SELECT {month} AS month, SUM(ideal_good_s) AS num, SUM(ppt_s) AS den FROM {source} GROUP BY month ORDER BY month
""").bindparams(bindparam("first", type_=Date()), bindparam("last", type_=Date()))


def measure_shift_readings(services: Services, line: str, shift: Period, runs: int) -> Any:
    """Every KPI of one line's shift (``Readings.readings``) against one SUM over its shift_facts rows: the table's
    row; every KPI worked from sums must agree."""
    config, kpis = services.config, services.readings
    keys = list(config.kpis)
    t_read, readings = benchtable.timed(lambda: kpis.readings(keys, line, shift), runs)
    with services.db.connect() as conn:
        t_floor, row = benchtable.timed(lambda: conn.execute(
            FACTS_SHIFT_SQL, {"day": shift.first, "line": line, "shift": shift.shift}).one(), runs)
    bad = [k for k in keys if benchtable.summed(config, k)
           and agree(readings[k].value, benchtable.value_of(config, k, row)) != "agree"]
    return benchtable.BenchRow("line shift readings", t_read, t_floor, f"DIFFER in {bad}" if bad else "agree")


def measure_series(services: Services, first: date, last: date, runs: int) -> Any:
    """Plant OEE by month (``Readings.series``) against one GROUP BY month over shift_facts: the table's row."""
    t_series, series = benchtable.timed(lambda: services.readings.series("oee", "plant", "month", first, last), runs)
    with services.db.connect() as conn:
        query = facts_series_sql(conn.dialect.name)
        t_floor, rows = benchtable.timed(lambda: conn.execute(query, {"first": first, "last": last}).all(), runs)
    floor_values = {r.month: 100 * r.num / r.den if r.den else None for r in rows}
    bad = [r.period for r in series if agree(r.value, floor_values.get(r.period)) != "agree"]
    print(f"  Readings.series            {t_series}, {len(series)} periods")
    print(f"  SQL GROUP BY over facts     {t_floor}")
    print(f"  ratio series/facts SQL {t_series.median / t_floor.median:.1f}×; values " +
          ("agree" if not bad else f"DIFFER in {bad}"))
    print("  " + ", ".join(f"{r.period} {r.value:.2f}" if r.value is not None else f"{r.period} —"
                           for r in series), flush=True)
    return benchtable.BenchRow(f"{len(series)}-month plant series", t_series, t_floor,
                               f"DIFFER in {bad}" if bad else "agree")


@dataclass(frozen=True)
class RawOee:
    """OEE and availability from a raw-table aggregate."""

    oee: float | None
    availability: float | None
    ideal_good_s: float
    ppt_s: float


def _window(instances: list[ShiftInstance]) -> tuple[datetime, datetime, float, float]:
    """(window start, window end, Σ shift seconds, Σ break seconds) of shift instances."""
    return (instances[0].start_utc, max(i.end_utc for i in instances), sum(i.duration_s for i in instances),
            sum(i.planned_breaks_s for i in instances))


def raw_line_shift(conn: Connection, config: PlantConfig, line: str, inst: ShiftInstance) -> RawOee:
    """OEE of one line in one shift straight from production_counts and stop_events."""
    lo, hi, shift_s, breaks_s = _window([inst])
    r = conn.execute(RAW_LINE_SQL, {"line": line, "lo": lo, "hi": hi, "lookback": lo - timedelta(days=7)}).one()
    if not r.n and not r.unplanned_s and not r.planned_s and not r.changeover_s:
        return RawOee(None, None, 0.0, 0.0)
    ppt = shift_s - min(shift_s, breaks_s + r.planned_s)
    num = r.good * config.lines[line].ideal_cycle_s
    run = max(0.0, ppt - r.unplanned_s - r.changeover_s)
    return RawOee(100 * num / ppt if ppt else None, 100 * run / ppt if ppt else None, num, ppt)


def raw_plant_month(conn: Connection, config: PlantConfig, period: Period) -> RawOee:
    """Plant OEE of a month straight from production_counts and stop_events (every line ran every shift)."""
    instances = config.calendar.instances_for_dates(period.first, period.last)
    lo, hi, shift_s, breaks_s = _window(instances)
    lines = list(config.lines)
    params = {"lines": lines, "lo": lo, "hi": hi}
    num = 0.0
    for r in conn.execute(RAW_PLANT_COUNTS_SQL, params):
        num += r.good * config.lines[r.line].ideal_cycle_s
    stops = {r.category: r.seconds for r in conn.execute(RAW_PLANT_STOPS_SQL, params | {"lookback":
                                                                                          lo - timedelta(days=7)})}
    ppt = len(lines) * (shift_s - breaks_s) - stops.get("planned", 0.0)
    run = ppt - stops.get("unplanned", 0.0) - stops.get("changeover", 0.0)
    return RawOee(100 * num / ppt, 100 * run / ppt, num, ppt)


def facts_oee(row: Any) -> float | None:
    """OEE from a row of summed shift_facts measures."""
    return 100 * row.ideal_good_s / row.ppt_s if row.ppt_s else None


# ---- reporting -----------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """Figures for the final table."""

    rows: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, value: str) -> None:
        self.rows.append((name, value))

    def print(self) -> None:
        width = max(len(n) for n, _ in self.rows)
        print("\n== summary")
        for name, value in self.rows:
            print(f"  {name:<{width}}  {value}")


def agree(a: float | None, b: float | None) -> str:
    """'agree' when two values match to 1e-9 relative, else the difference."""
    if a is None or b is None:
        return "agree" if a is b else "DIFFER (one is None)"
    return "agree" if abs(a - b) <= 1e-9 * max(1.0, abs(a)) else f"DIFFER by {a - b:+.3g}"


def file_size(db: Path) -> tuple[int, int]:
    """(database file bytes, WAL bytes)."""
    wal = Path(f"{db}-wal")
    return db.stat().st_size, wal.stat().st_size if wal.exists() else 0


# ---- main ----------------------------------------------------------------------------------------------------


def code_version() -> str:
    """The checkout's commit (``git describe --always --dirty``), or "unknown"."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=Path(__file__).resolve().parent,
                              capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--lines", type=int, default=20, help="production lines (in up to 5 areas)")
    p.add_argument("--years", type=float, default=5.0, help="years of history ending yesterday")
    p.add_argument("--workdir", type=Path, help="folder for the files and databases (kept); default a temp folder")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--runs", type=int, default=20, help="timed runs per shift query (month queries: half)")
    p.add_argument("--profile", action="store_true",
                   help="also cProfile the loader on one month's files, the shift readings and the series")
    p.add_argument("--skip-floor", action="store_true", help="skip the insert floor")
    p.add_argument("--postgres", default=os.environ.get("HUDDLE_TEST_POSTGRES_URL", ""),
                   help="PostgreSQL URL for the loader against COPY (default $HUDDLE_TEST_POSTGRES_URL; '' skips)")
    p.add_argument("--long-file", type=int, default=2_000_000,
                   help="rows of the one long counts file loaded in a child process for its peak RSS (0 skips)")
    p.add_argument("--long-child", nargs=3, metavar=("PLANT", "FILE", "DB"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.long_child:
        return long_file_child(*(Path(x) for x in args.long_child))
    if args.years < 0.2 or args.lines < 1:
        p.error("--years must be at least 0.2 (the month queries need the whole last complete month), --lines >= 1")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="huddle-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = Summary()
    try:
        code = _run(args, workdir.resolve(), summary, started)
        from siblings import import_sibling  # the live source's rate, on the database just loaded

        import_sibling("bench_mqtt").bench_mqtt(workdir.resolve() / "plant.yaml",
                                               f"sqlite:///{workdir.resolve() / 'huddle.sqlite'}", workdir.resolve())
        return code
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nfiles and databases kept in {workdir}")


def _run(args: argparse.Namespace, workdir: Path, summary: Summary, started: float) -> int:
    plant_path = workdir / "plant.yaml"
    plant_path.write_text(yaml.safe_dump(plant_document(args.lines), sort_keys=False), encoding="utf-8")
    inbox = workdir / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    db, floor_db = workdir / "huddle.sqlite", workdir / "floor.sqlite"
    for path in (db, floor_db):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = Settings(data_dir=workdir, database_url=f"sqlite:///{db}", plant_config=plant_path)
    services = build_services(settings)
    config = services.config
    yesterday = datetime.now(config.tz).date() - timedelta(days=1)
    first = yesterday - timedelta(days=round(args.years * 365.2425) - 1)
    print(f"Huddle data-path benchmark: {len(config.lines)} lines in {len(config.areas)} areas, "
          f"{first} … {yesterday} ({(yesterday - first).days + 1} days), Python {sys.version.split()[0]}, "
          f"code {code_version()}, workdir {workdir}", flush=True)

    # 1–2. generate
    print("\n== generate export files", flush=True)
    gen = generate(config, inbox, first, yesterday)
    n_rows = sum(gen.rows.values())
    for record, n in gen.rows.items():
        print(f"  {record:18s} {n:>10,} rows")
    print(f"  total {n_rows:,} rows in {len(gen.files)} files, {gen.bytes / 1e6:,.1f} MB, {gen.seconds:.1f} s "
          f"({n_rows / gen.seconds:,.0f} rows/s)", flush=True)
    summary.add("rows generated", f"{n_rows:,} ({', '.join(f'{r} {n:,}' for r, n in gen.rows.items())})")
    summary.add("files / MB", f"{len(gen.files)} / {gen.bytes / 1e6:,.1f}")
    summary.add("generation", f"{gen.seconds:.1f} s")

    if args.profile:
        months = sorted({p.name.split("_")[1] for _r, p in gen.files})
        profile_month(plant_path, workdir, gen.files, months[-2] if len(months) > 1 else months[-1])

    # 3. loader
    print("\n== load through the loaders (Loader.run_source per configured source)", flush=True)
    loaded = load_with_loader(services)
    lr = loaded.total_rows / loaded.total_seconds
    print(f"  loader total {loaded.total_rows:,} rows in {loaded.total_seconds:.1f} s = {lr:,.0f} rows/s", flush=True)
    if loaded.total_rows != n_rows:
        print(f"  ! loaded {loaded.total_rows:,} rows of {n_rows:,} generated")
    summary.add("loader", f"{loaded.total_rows:,} rows, {loaded.total_seconds:.1f} s, {lr:,.0f} rows/s")
    for record in RECORDS:
        summary.add(f"  loader {record}", f"{loaded.rows[record] / loaded.seconds[record]:,.0f} rows/s "
                    f"({loaded.seconds[record]:.1f} s)")
    with services.db.connect() as conn:
        n_facts = conn.execute(text("SELECT COUNT(*) FROM shift_facts")).scalar_one()
    print(f"  shift_facts rows: {n_facts:,}")

    # 4. floor
    if not args.skip_floor:
        print("\n== floor: Core insert() executemany, 10,000 a batch, one transaction per file", flush=True)
        floor_engine = make_engine(f"sqlite:///{floor_db}")
        init_db(floor_engine)
        floor = load_floor(floor_engine, gen.files)
        floor_engine.dispose()
        fr = floor.total_rows / floor.total_seconds
        parse_s = sum(floor.parse_seconds.values())
        fpr = floor.total_rows / (floor.total_seconds + parse_s)
        print(f"  floor total {floor.total_rows:,} rows: insert {floor.total_seconds:.1f} s = {fr:,.0f} rows/s; "
              f"parse {parse_s:.1f} s; parse + insert {fpr:,.0f} rows/s")
        cpu = 100 * floor.cpu_seconds / loaded.cpu_seconds
        print(f"  SQLite: the loader stores at {100 * lr / fr:.0f} % of the insert's rate "
              f"({100 * lr / fpr:.0f} % of parse + insert); target at least 50 %. By CPU time (this process's, "
              f"where SQLite works): loader {loaded.cpu_seconds:.1f} s, insert {floor.cpu_seconds:.1f} s = {cpu:.0f} %",
              flush=True)
        summary.add("floor insert", f"{fr:,.0f} rows/s ({floor.total_seconds:.1f} s)")
        summary.add("floor parse + insert", f"{fpr:,.0f} rows/s ({floor.total_seconds + parse_s:.1f} s)")
        summary.add("SQLite loader / Core executemany", f"{100 * lr / fr:.0f} % (target >= 50 %); "
                    f"{100 * lr / fpr:.0f} % of parse + insert; by CPU time {cpu:.0f} %")
        for record in RECORDS:
            f_rate = floor.rows[record] / floor.seconds[record]
            summary.add(f"  loader/floor {record}",
                        f"{100 * loaded.rows[record] / loaded.seconds[record] / f_rate:.0f} % "
                        f"(floor {f_rate:,.0f} rows/s)")

    # 5. PostgreSQL: the loader against a COPY of the same rows
    if args.postgres:
        postgres_ratio(args.postgres, plant_path, workdir, gen.files, summary)

    # 6. memory on one long file
    if args.long_file:
        long_file_memory(args.long_file, plant_path, workdir, config, summary)

    # 7. the live (MQTT) message rate comes here, into the same summary

    # 8. queries
    _queries(args, services, yesterday, summary)

    services.db.dispose()
    with make_engine(f"sqlite:///{db}").connect() as conn:  # checkpoint the WAL so the file size is the data
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    size, wal = file_size(db)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary.add("database file", f"{size / 1e6:,.1f} MB (+ WAL {wal / 1e6:,.1f} MB)")
    if floor_db.exists():
        summary.add("floor database file", f"{file_size(floor_db)[0] / 1e6:,.1f} MB")
    summary.add("peak RSS", f"{rss_mb:,.0f} MB")
    summary.add("wall time", f"{time.perf_counter() - started:.0f} s")
    summary.print()
    return 0


def _queries(args: argparse.Namespace, services: Services, yesterday: date, summary: Summary) -> None:
    config, kpis = services.config, services.readings
    runs, month_runs = args.runs, max(1, args.runs // 2)
    all_kpis = list(config.kpis)
    line = "L07" if "L07" in config.lines else list(config.lines)[-1]
    day = yesterday - timedelta(days=1)
    shift = Period("shift", day, day, "N")
    inst = config.calendar.instance(day, "N")

    print(f"\n== queries: (a) line {line}, shift {shift.label} (median of {runs})", flush=True)
    board_ms, board_cold, board = timed(lambda: board_readings(services.readings, services.actions, line, shift), runs)
    read_ms, read_cold, readings = timed(lambda: kpis.readings(all_kpis, line, shift), runs)
    with services.db.connect() as conn:
        raw_ms, raw_cold, raw = timed(lambda: raw_line_shift(conn, config, line, inst), runs)
        facts_ms, facts_cold, frow = timed(lambda: conn.execute(
            FACTS_SHIFT_SQL, {"day": day, "line": line, "shift": "N"}).one(), runs)
    oee = readings["oee"].value
    print(f"  board_readings              {board_ms:8.2f} ms (cold {board_cold:.2f}), {len(board['columns'])} columns")
    print(f"  Readings.readings ({len(all_kpis)} KPIs) {read_ms:8.2f} ms (cold {read_cold:.2f})")
    print(f"  raw SQL on raw tables       {raw_ms:8.2f} ms (cold {raw_cold:.2f})")
    print(f"  SQL SUM over shift_facts    {facts_ms:8.2f} ms (cold {facts_cold:.2f})")
    print(f"  ratio readings/raw {read_ms / raw_ms:.1f}×, board/raw {board_ms / raw_ms:.1f}×, "
          f"readings/facts SQL {read_ms / facts_ms:.1f}×")
    print(f"  OEE readings {oee!r}  raw {raw.oee!r}  facts {facts_oee(frow)!r}: {agree(oee, raw.oee)}")
    print(f"  availability readings {readings['availability'].value!r}  raw {raw.availability!r}: "
          f"{agree(readings['availability'].value, raw.availability)}", flush=True)
    summary.add("(a) shift board", f"{board_ms:.2f} ms ({board_ms / raw_ms:.1f}× raw)")
    summary.add("(a) shift readings", f"{read_ms:.2f} ms ({read_ms / raw_ms:.1f}× raw, "
                f"{read_ms / facts_ms:.1f}× facts SQL)")
    summary.add("(a) floor raw tables / shift_facts", f"{raw_ms:.2f} ms / {facts_ms:.2f} ms")
    summary.add("(a) OEE readings vs raw", f"{oee:.6f} vs {raw.oee:.6f} ({agree(oee, raw.oee)})"
                if oee is not None and raw.oee is not None else f"{oee} vs {raw.oee}")

    month = period_containing("month", yesterday.replace(day=1) - timedelta(days=1))  # the last complete month
    print(f"\n== queries: (b) plant, month {month.label} (median of {month_runs})", flush=True)
    m_ms, m_cold, m_read = timed(lambda: kpis.readings(all_kpis, "plant", month), month_runs)
    with services.db.connect() as conn:
        mr_ms, mr_cold, m_raw = timed(lambda: raw_plant_month(conn, config, month), month_runs)
        mf_ms, mf_cold, m_frow = timed(lambda: conn.execute(
            FACTS_SQL, {"first": month.first, "last": month.last}).one(), month_runs)
        ml_ms, ml_cold, _row = timed(lambda: conn.execute(
            FACTS_LINES_SQL, {"first": month.first, "last": month.last, "lines": list(config.lines)}).one(),
            month_runs)
        marks = ", ".join("?" for _ in config.lines)
        plan = [r[-1] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT SUM(ppt_s) FROM shift_facts WHERE production_date >= ? "
            f"AND production_date <= ? AND line IN ({marks})",
            (month.first.isoformat(), month.last.isoformat(), *config.lines))]
    m_oee = m_read["oee"].value
    print(f"  Readings.readings          {m_ms:8.2f} ms (cold {m_cold:.2f})")
    print(f"  raw SQL on raw tables       {mr_ms:8.2f} ms (cold {mr_cold:.2f})")
    print(f"  SQL SUM over shift_facts    {mf_ms:8.2f} ms (cold {mf_cold:.2f})")
    print(f"  same, with line IN (lines)  {ml_ms:8.2f} ms (cold {ml_cold:.2f}); plan: {'; '.join(plan)}")
    print(f"  ratio readings/raw {m_ms / mr_ms:.2f}×, readings/facts SQL {m_ms / mf_ms:.1f}×")
    print(f"  OEE readings {m_oee!r}  raw {m_raw.oee!r}  facts {facts_oee(m_frow)!r}: {agree(m_oee, m_raw.oee)}")
    print(f"  availability readings {m_read['availability'].value!r}  raw {m_raw.availability!r}: "
          f"{agree(m_read['availability'].value, m_raw.availability)}", flush=True)
    summary.add("(b) month plant readings", f"{m_ms:.2f} ms ({m_ms / mr_ms:.2f}× raw, {m_ms / mf_ms:.1f}× facts SQL)")
    summary.add("(b) floor raw tables / shift_facts", f"{mr_ms:.2f} ms / {mf_ms:.2f} ms "
                f"(shift_facts with line IN: {ml_ms:.2f} ms)")
    summary.add("(b) OEE readings vs raw", f"{m_oee:.6f} vs {m_raw.oee:.6f} ({agree(m_oee, m_raw.oee)})"
                if m_oee is not None else "no value")

    s_last = month.last
    s_first = (s_last.replace(day=1) - timedelta(days=330)).replace(day=1)
    print(f"\n== queries: (c) plant OEE by month, {s_first} … {s_last} (median of {month_runs})", flush=True)
    row = measure_series(services, s_first, s_last, month_runs)
    summary.add("(c) 12-month series", f"{row.time.median:.2f} ms ({row.ratio:.1f}× facts SQL "
                f"{row.floor.median:.2f} ms), values {row.agree}")

    if args.profile:
        profile_calls(f"Readings.readings(all KPIs, {line}, {shift.label})",
                      lambda: kpis.readings(all_kpis, line, shift), 200)
        profile_calls(f"Readings.series('oee', 'plant', 'month', {s_first}, {s_last})",
                      lambda: kpis.series("oee", "plant", "month", s_first, s_last), 20)


if __name__ == "__main__":
    sys.exit(main())
