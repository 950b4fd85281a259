"""How the board, tree and OKR views grow with lines and years of history: ``run_all.py --growth``.

For each size (lines × years: 5 × 1, 20 × 1, 20 × 5, 50 × 5; ``--quick``: 2 × 0.5, 4 × 1) and each database (SQLite,
and PostgreSQL with ``--postgres URL``, in a schema of its own dropped at the end) it builds a plant fast and prints
the line and plant board (data), the tree of the last complete month (plant and line) and the OKR quarter, each
against its floor, as ``run_all.py``'s table does.

**The plant, fast.** The last 12 weeks go through ``bench_data_path.py``'s generator and the real loaders (so the
periods the views show hold real records and facts). The history before them is the same weeks copied back in time
by whole weeks with ``INSERT … SELECT`` on the database itself, every table the views read (``shift_facts``,
``production_counts``, ``stop_events``, ``labour``), doubling what is there at each step until the years are
covered: 50 lines × 5 years (about 270,000 shift facts and 3.4 million raw records) in a minute or two, where the
loaders would take many minutes. The plant's time zone is UTC, so weeks copied across the dates clocks change still
tile exactly (no hour twice, none missing). Facts are copied, not recomputed: they are the loaders' facts of the
weeks copied, which is what the views read; their sums by month (``month_facts``) are then summed from them, as the
loaders sum the months of the facts they write. The loaders' ledger of those years is written too (a run of every
source every 15 minutes: 105,000 runs a year for three sources), since every page reads what each source last did.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.heap import settle_heap
from huddle.dashboard.services.container import Services, build_services
from huddle.dashboard.settings import Settings
from huddle.data.ingest.month_facts import refresh_month_facts
from huddle.data.models import LoadRun
from siblings import import_sibling
from sqlalchemy import Connection, text

benchtable = import_sibling("benchtable")
bdp = import_sibling("bench_data_path")
bb = import_sibling("bench_board")
bt = import_sibling("bench_tree")
bo = import_sibling("bench_okr")
run_all = import_sibling("run_all")

SIZES = ((5, 1.0), (20, 1.0), (20, 5.0), (50, 5.0))
QUICK_SIZES = ((2, 0.5), (4, 1.0))
RECENT_DAYS = 84  # loaded through the loaders: whole weeks, more than a quarter to date
MARKER = "growth.json"

#: The tables copied back: the column that places a row in time (a date or a UTC instant) and its other instants.
COPIED = {
    "shift_facts": ("production_date", ("start_utc", "end_utc", "data_through_utc")),
    "labour": ("production_date", ()),
    "production_counts": ("start_utc", ("end_utc",)),
    "stop_events": ("start_utc", ("end_utc",)),
}


def _columns(conn: Connection, table: str) -> list[str]:
    """The table's columns but its id, as the database has them."""
    cols = conn.execute(text(f"SELECT * FROM {table} WHERE 1 = 0")).keys()
    return [c for c in cols if c != "id"]


def _shifted(dialect: str, column: str, kind: str, days: int) -> str:
    """A date or a stored UTC instant ``days`` earlier, in the database's own storage form."""
    if dialect == "postgresql":
        return f"{column} - {days}" if kind == "date" else f"{column} - INTERVAL '{days} days'"
    if kind == "date":
        return f"date({column}, '-{days} days')"
    # SQLite keeps instants as text 'YYYY-MM-DD HH:MM:SS.ffffff': keep the fraction as it is
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE datetime({column}, '-{days} days') || substr({column}, 20) END"


def _block(conn: Connection, table: str, first: date, days: int, day_starts: timedelta) -> tuple[str, dict[str, Any]]:
    """The condition selecting a table's rows of [first, first + days), and its parameters. The plant runs in UTC,
    so a day starts at 00:00 UTC; a stop belongs to the shift it starts in, so stops are cut where the first shift
    of a day starts (``day_starts`` after midnight)."""
    key = COPIED[table][0]
    lo, hi = first, first + timedelta(days=days)
    if not key.endswith("_utc"):
        return f"{key} >= :lo AND {key} < :hi", {"lo": lo, "hi": hi}
    offset = day_starts if table == "stop_events" else timedelta(0)
    bounds = {n: (datetime.combine(d, datetime.min.time()) + offset).isoformat(sep=" ") for n, d in (("lo", lo),
                                                                                                   ("hi", hi))}
    if conn.dialect.name == "postgresql":
        return f"{key} >= CAST(:lo AS TIMESTAMP) AND {key} < CAST(:hi AS TIMESTAMP)", bounds
    return f"{key} >= :lo AND {key} < :hi", bounds


def copy_back(conn: Connection, first: date, days: int, day_starts: timedelta) -> None:
    """Copy every table's rows of [first, first + days) to ``days`` earlier."""
    for table, (key, instants) in COPIED.items():
        cols = _columns(conn, table)
        kinds = dict.fromkeys(instants, "instant") | {key: "instant" if key.endswith("_utc") else "date"}
        select = ", ".join(_shifted(conn.dialect.name, c, kinds[c], days) if c in kinds else c for c in cols)
        where, bounds = _block(conn, table, first, days, day_starts)
        conn.execute(text(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {table} WHERE {where}"),
                     bounds)


def trim_before(conn: Connection, first: date, day_starts: timedelta) -> None:
    """Delete what the loaders made of the hours before the first loaded shift (the night before it, in part)."""
    for table in COPIED:
        where, bounds = _block(conn, table, date(1970, 1, 1), (first - date(1970, 1, 1)).days, day_starts)
        conn.execute(text(f"DELETE FROM {table} WHERE {where}"), bounds)


LEDGER_EVERY = timedelta(minutes=15)  # a plant's sources deliver a file a quarter of an hour


def write_ledger(conn: Connection, sources: list[str], first: date, last: date) -> int:
    """The loaders' ledger of the years copied back: a run of every source every 15 minutes (most load rows, one in
    20 finds nothing new, one in 200 fails), as the ledger of a plant running that long holds; how many runs."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC)
    table = LoadRun.__table__
    n, at, chunk = 0, start, []
    while at < end:
        for source in sources:
            failed, idle = n % 200 == 199, n % 20 == 19
            chunk.append({"source": source, "trigger": "schedule", "started_at": at,
                          "finished_at": at + timedelta(minutes=1),
                          "status": "failed" if failed else "idle" if idle else "ok",
                          "files_loaded": 0 if failed or idle else 1, "files_skipped": 0,
                          "rows_read": 0 if failed or idle else 400, "rows_loaded": 0 if failed or idle else 400,
                          "rows_rejected": 0, "message": "", "runs": 1})
            n += 1
        if len(chunk) >= 20_000:
            conn.execute(table.insert(), chunk)
            chunk = []
        at += LEDGER_EVERY
    if chunk:
        conn.execute(table.insert(), chunk)
    return n


@dataclass(frozen=True)
class GrowthPlant:
    """A plant of the growth table: its settings, its loaded days and how long it took to build."""

    settings: Settings
    first: date
    last: date
    facts: int
    seconds: float


def plant_document(n_lines: int) -> dict[str, Any]:
    """bench_tree's plant (the OEE tree and its KPIs) in UTC."""
    doc = bt.tree_plant_document(n_lines)
    doc["site"]["timezone"] = "UTC"
    return doc


def build(workdir: Path, n_lines: int, years: float, database_url: str | None = None) -> GrowthPlant:
    """The last weeks through the loaders, the years before them copied back (a SQLite plant is reused)."""
    t0 = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    plant_path, db = workdir / "plant.yaml", workdir / "huddle.sqlite"
    settings = Settings(data_dir=workdir, database_url=database_url or f"sqlite:///{db}", plant_config=plant_path,
                        anonymous_access="read")
    marker = workdir / MARKER
    if database_url is None and marker.exists() and db.exists():
        saved = json.loads(marker.read_text(encoding="utf-8"))
        if saved.get("lines") == n_lines and saved.get("years") == years and saved.get("ledger"):
            return GrowthPlant(settings, date.fromisoformat(saved["first"]), date.fromisoformat(saved["last"]),
                               saved["facts"], 0.0)
    marker.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    plant_path.write_text(yaml.safe_dump(plant_document(n_lines), sort_keys=False), encoding="utf-8")
    services = build_services(settings)
    last = datetime.now(services.config.tz).date() - timedelta(days=1)
    recent = last - timedelta(days=RECENT_DAYS - 1)
    with contextlib.redirect_stdout(None):
        bdp.generate(services.config, workdir / "inbox", recent, last)
        bdp.load_with_loader(services)
    total = -(-round(years * 365.2425) // 7) * 7  # whole weeks
    first, have = recent, RECENT_DAYS
    calendar = services.config.calendar
    day_starts = calendar.instance(recent, calendar.shifts[0].key).start_utc - datetime.combine(
        recent, datetime.min.time(), tzinfo=UTC)
    with services.db.begin() as conn:
        trim_before(conn, recent, day_starts)
        while have < total:
            step = min(have, total - have)
            copy_back(conn, first, step, day_starts)
            first -= timedelta(days=step)
            have += step
        runs = write_ledger(conn, sorted(services.config.sources), first, recent)
        # the copied shift facts summed by month, as the loaders keep them for the facts they write
        pairs = conn.execute(text("SELECT DISTINCT line, area FROM shift_facts")).all()
        months = {first.strftime("%Y-%m"), last.strftime("%Y-%m")}
        refresh_month_facts(conn, {(line, area, month) for line, area in pairs for month in months})  # type: ignore[arg-type]
    with services.db.connect() as conn:
        facts = conn.execute(text("SELECT COUNT(*) FROM shift_facts")).scalar_one()
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
            conn.commit()
    services.dispose()
    seconds = time.perf_counter() - t0
    if database_url is None:
        marker.write_text(json.dumps({"lines": n_lines, "years": years, "first": first.isoformat(),
                                      "last": last.isoformat(), "facts": facts, "ledger": runs}),
                          encoding="utf-8")
    return GrowthPlant(settings, first, last, facts, seconds)


def measure(services: Services, last: date, runs: int, summary: Any) -> list[Any]:
    """The board (data), the month's tree and the OKR quarter against their floors."""
    rows: list[Any] = []
    for case in run_all.board_cases(services, last):
        rows.append(bb.measure_refresh(services, case, runs, summary)[0])
    rows.extend(bt.measure_trees(services, last, runs, summary, grains=("month",), panels=False))
    quarter = period_containing("quarter", last)
    rows.append(bo.measure_quarter(services, quarter, min(last, quarter.last), runs, summary)[0])
    return rows


def measure_size(workdir: Path, n_lines: int, years: float, runs: int, database_url: str | None,
                 label: str) -> tuple[GrowthPlant, list[Any]]:
    """Build one size on one database and measure it; rows labelled with the database and the size."""
    plant = build(workdir, n_lines, years, database_url)
    services = run_all.services_at_noon(plant.settings, plant.last)
    settle_heap()  # as a server does once it has built what it keeps
    try:
        rows = measure(services, plant.last, runs, bdp.Summary())
    finally:
        services.dispose()
    return plant, [replace(r, database=f"{label} {n_lines}×{years:g}") for r in rows]


def main_table(args: argparse.Namespace, workdir: Path) -> int:
    """Print the growth table; 1 when a value disagrees with its floor."""
    sizes = QUICK_SIZES if args.quick else SIZES
    print(f"Huddle growth: lines × years {', '.join(f'{n}×{y:g}' for n, y in sizes)}, median of {args.runs}; "
          f"details in {workdir / 'details.log'}", flush=True)
    rows: list[Any] = []
    with (workdir / "details.log").open("w", encoding="utf-8") as log:
        for n_lines, years in sizes:
            targets: list[tuple[str, str | None]] = [("sqlite", None)] + (
                [("postgresql", args.postgres)] if args.postgres else [])
            for label, base in targets:
                with contextlib.ExitStack() as stack:
                    url = stack.enter_context(run_all.postgres_schema(base, "huddle_growth")) if base else None
                    with contextlib.redirect_stdout(log):
                        plant, size_rows = measure_size(workdir / f"{label}-{n_lines}x{years:g}", n_lines, years,
                                                        args.runs, url, label)
                print(f"  {label} {n_lines} lines × {years:g} years: {plant.facts:,} shift facts from {plant.first}, "
                      f"built in {plant.seconds:.0f} s", flush=True)
                rows.extend(size_rows)
    print(benchtable.table(rows))
    bad = [r for r in rows if not r.ok]
    print(f"\n{len(rows)} measurements, {len(bad)} disagreeing with their floor")
    return 1 if bad else 0
