"""Every benchmark in one command, as one table: each view's time against its SQL floor measured in the same run,
and whether their values agree.

``python tests/bench/run_all.py [--quick] [--postgres URL] [--growth]``

It builds the plant of ``bench_board.py`` (``bench_data_path.py``'s generator and the real loaders) with
``bench_tree.py``'s configuration (the OEE tree and its KPIs), sets the clock to noon of the last loaded day, and
runs each script's measurement, which returns its rows:

- ``bench_board.measure_refresh``: the line and plant board, data (``board_view``), data + render, and data + render
  + the JSON the web app sends (the issue's whole refresh: 10 ms for a line, 20 ms for the plant), against the
  content floor (the shift's sums, top losses, hours, the 14-shift trend, the month by day);
- ``bench_data_path.measure_shift_readings`` and ``measure_series``: one line's shift, every KPI, and 12 months of
  plant OEE, against one SUM over ``shift_facts`` / one GROUP BY over ``month_facts``;
- ``bench_tree.measure_trees``: the tree and the panels of ``unplanned_downtime`` and ``oee`` for the last complete
  day, week and month, plant and line;
- ``bench_review.measure_reviews``: the monthly review of the plant, an area and a line, and the plant's PDF pack
  against its target (500 ms; an export has no SQL floor: the table shows ``≤ 500`` and time over target);
- ``bench_okr.measure_quarter``: a quarter of OKRs read at every level; ``measure_excel``: the Excel workbook of its
  check-ins against its target (200 ms);
- ``bench_api.measure_api``: the JSON API behind the TV and the tree (board, tree, node panel) through the whole
  web app, against the floors of the views they serve.

With ``--postgres URL`` the same plant is loaded into a fresh schema of that PostgreSQL database (dropped at the
end) and the same views are measured there. ``--growth`` prints instead how the board, tree and OKR views grow with
lines and years of history (``growth.py``). The details of every measurement go to ``details.log`` in the work
folder; the table is printed. The exit code is 1 when any value disagrees with its floor (never for a time: the
machines these run on are shared and noisy). A floor sums the facts the readings read: a range of whole months
from ``month_facts`` (the shift facts summed by month), any other from ``shift_facts``. This is a script, not a
test; its quick run is
``tests/integration/test_bench_quick.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling scripts, when imported from a test

from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.heap import settle_heap
from huddle.dashboard.services.container import Services, build_services
from siblings import import_sibling
from sqlalchemy import create_engine, text

benchtable = import_sibling("benchtable")
bdp = import_sibling("bench_data_path")
bb = import_sibling("bench_board")
bt = import_sibling("bench_tree")
br = import_sibling("bench_review")
bo = import_sibling("bench_okr")
bapi = import_sibling("bench_api")

QUICK = {"lines": 3, "years": 0.25, "runs": 1}
FULL = {"lines": 20, "years": 1.0, "runs": 3}


@contextlib.contextmanager
def postgres_schema(base_url: str, prefix: str = "huddle_bench") -> Iterator[str]:
    """A fresh schema of the PostgreSQL database at ``base_url``, dropped on the way out: the URL using it."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def services_at_noon(settings: Any, last: Any) -> Services:
    """The plant's services with the clock at noon of the last loaded day (its quarter, month and shifts)."""
    tz = build_services(settings, initialise=True).config.tz
    noon = datetime.combine(last, clock_time(12), tzinfo=tz).astimezone(UTC)
    return build_services(settings, clock=lambda: noon)


def board_cases(services: Services, last: Any) -> list[Any]:
    """The night shift of the day before the last loaded day (the last complete shift), one line and the plant."""
    config = services.config
    day = last - timedelta(days=1)
    shift = config.calendar.shifts[-1].key
    period = Period("shift", day, day, shift)
    inst = config.calendar.instance(day, shift)
    lines = list(config.lines)
    line = "L07" if "L07" in config.lines else lines[-1]
    return [bb.BoardCase("line", line, (line,), period, inst),
            bb.BoardCase("plant", "plant", tuple(lines), period, inst)]


def measure_views(services: Services, last: Any, runs: int, summary: Any) -> list[Any]:
    """Every view of every bench script on a loaded plant: the table's rows."""
    rows: list[Any] = []
    cases = board_cases(services, last)
    for case in cases:
        rows.extend(bb.measure_refresh(services, case, runs, summary))
    rows.append(bdp.measure_shift_readings(services, cases[0].scope, cases[0].period, runs))
    month = period_containing("month", last.replace(day=1) - timedelta(days=1))  # the last complete month
    first = (month.last.replace(day=1) - timedelta(days=330)).replace(day=1)
    rows.append(bdp.measure_series(services, first, month.last, runs))
    rows.extend(bt.measure_trees(services, last, runs, summary))
    rows.extend(br.measure_reviews(services, last, runs, summary))
    quarter = period_containing("quarter", last)
    rows.append(bo.measure_quarter(services, quarter, min(last, quarter.last), runs, summary)[0])
    rows.append(bo.measure_excel(services, quarter, runs, summary))
    return rows


def measure_database(workdir: Path, lines: int, years: float, runs: int, database_url: str | None = None,
                     label: str = "sqlite", settle: bool = False) -> list[Any]:
    """Build (or reuse, on SQLite) the plant in ``workdir`` on a database and measure every view there; with
    ``settle``, the heap built so far set aside from the collector first, as a server does once it has built what
    it keeps (``huddle.dashboard.heap``; not in a test's process, which would keep every frozen object)."""
    summary = bdp.Summary()
    workdir.mkdir(parents=True, exist_ok=True)
    plant = bb.build_plant(workdir, lines, years, summary, database_url)
    br.ensure_config(plant.settings.plant_path, lines)
    services = services_at_noon(plant.settings, plant.last)
    if settle:
        settle_heap()
    try:
        rows = measure_views(services, plant.last, runs, summary)
        rows += bapi.measure_api(plant.settings, services, board_cases(services, plant.last), plant.last, runs,
                                 summary, settle)
    finally:
        services.dispose()
    return [replace(r, database=label) for r in rows]


def run(args: argparse.Namespace, workdir: Path) -> list[Any]:
    """The table's rows on SQLite, and on PostgreSQL when its URL is given (details to ``details.log``)."""
    log = workdir / "details.log"
    rows: list[Any] = []
    with log.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        rows += measure_database(workdir / "sqlite", args.lines, args.years, args.runs, settle=True)
        if args.postgres:
            with postgres_schema(args.postgres) as url:
                rows += measure_database(workdir / "postgresql", args.lines, args.years, args.runs, url,
                                         "postgresql", settle=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print the table; 1 when a value disagrees with its floor."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK['lines']} lines, {QUICK['years']} years, {QUICK['runs']} run (a check of values)")
    p.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL database (in a schema of its own)")
    p.add_argument("--growth", action="store_true", help="the growth table (lines × years) instead")
    p.add_argument("--lines", type=int, help=f"production lines (default {FULL['lines']})")
    p.add_argument("--years", type=float, help=f"years of history ending yesterday (default {FULL['years']:g})")
    p.add_argument("--runs", type=int, help=f"timed runs per measurement, median printed (default {FULL['runs']})")
    p.add_argument("--workdir", type=Path, help="folder for the plants (kept; a SQLite plant there is reused)")
    args = p.parse_args(argv)
    preset = QUICK if args.quick else FULL
    for name, value in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="huddle-bench-all-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        if args.growth:
            growth = import_sibling("growth")
            return growth.main_table(args, workdir)
        print(f"Huddle benchmarks: {args.lines} lines, {args.years:g} years, median of {args.runs}, "
              f"code {bdp.code_version()}; details in {workdir / 'details.log'}", flush=True)
        rows = run(args, workdir)
        print(benchtable.table(rows))
        bad = [r for r in rows if not r.ok]
        print(f"\n{len(rows)} views, {len(bad)} disagreeing with their floor; {time.perf_counter() - started:.0f} s")
        return 1 if bad else 0
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
