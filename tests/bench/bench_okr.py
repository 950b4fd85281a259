"""Benchmark of the OKR quarter: reading it against a SQL floor, saving a check-in, the page and the exports.

What it measures, in one run (``python tests/bench/bench_okr.py [--lines 20] [--years 5]``):

1. **Plant.** The large plant of ``bench_board.py`` (its ``build_plant``, imported from that script, not copied):
   ``--lines`` lines in up to 5 areas, 3 shifts, ``--years`` of history ending yesterday in SQLite; ``--workdir``
   reuses a plant built there before for the same ``--lines`` and ``--years``. The clock is set to noon of the last
   loaded day, so the quarter holding it is the quarter being checked in.
2. **A quarter of OKRs** written through ``OkrPlans`` (``dashboard/services/okr_plans.py``): 3 company, 5 plant, 3
   per area and 3 per line objectives, each with 4 key results: 2 bound to ratio KPIs (OEE and availability, quarter
   to date, at the objective's scope; the plant's for company objectives) and 2 checked in by hand. Every key result
   gets a check-in for every week of the quarter so far (bulk-inserted: the history is the data, not what is timed).
   The OKR tables are emptied first, so a reused plant gets the same set.
3. **Reading the quarter**: ``OkrQuarters.quarter()`` for every level and for one line's chain (median, p95, cold; its
   per-data-version cache emptied before each run, and once more with it), against
   its floor: raw SQL for the same numbers, the three selects of the quarter's objectives, key results and
   check-ins, and one ``SUM`` over ``shift_facts`` per bound scope; the KPI values are then worked from the sums and
   compared with the quarter's (``agree`` / ``DIFFER``).
4. **Saving a check-in** (``OkrCheckIns.check_in`` on hand-entered key results: role check, compare-and-set, insert,
   audit, data version) against a floor of the same UPDATE and INSERT in one transaction.
5. **The page and the exports** built from the read quarter: the objectives section and the check-in rows
   (``pages/okr.py``) as JSON (bytes, gzipped), the CSV and the Excel workbook of every check-in; the workbook also
   against its target (200 ms) with its key results and check-ins read back (``measure_excel``, a row of
   ``run_all.py``'s table).

``--quick`` is ``--lines 6 --years 1.1 --runs 5``. This is a script, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import gzip
import io
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.exports.okr_checkins import checkins_csv, checkins_workbook
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.container import build_services
from huddle.dashboard.services.okrs import COMPANY, quarter_weeks
from huddle.data.models import CheckIn, KeyResult, Objective, OkrQuarter
from huddle.pages.okr import checkin_rows, render_objectives
from openpyxl import load_workbook
from plotly.io.json import to_json_plotly
from siblings import import_sibling  # tests/bench is on the path when a bench script runs
from sqlalchemy import delete, insert, text, update

bt = import_sibling("bench_tree")
benchtable = import_sibling("benchtable")
bb = bt.bb
bdp = bt.bdp

PLANNER = Identity("user", "bench", "editor")
EXCEL_TARGET_MS = 200  # every check-in of a quarter of a 20-line plant (issue 22)
BOUND = ("oee", "availability")


def plan_quarter(services: Any, quarter: Period) -> dict[str, int]:
    """The quarter's objectives and key results through ``OkrPlans``, then a check-in per key result and week."""
    okrs, plans, config = services.okrs, services.okr_plans, services.config
    with services.sessions.begin() as session:
        for table in (CheckIn, KeyResult, Objective, OkrQuarter):
            session.execute(delete(table))
    scopes = [(COMPANY, 3), ("plant", 5), *[(a, 3) for a in config.areas], *[(ln, 3) for ln in config.lines]]
    parents: dict[str, int] = {}
    krs: list[tuple[int, bool]] = []
    for scope, count in scopes:
        level = okrs.level_of(scope)
        parent = None
        if level == "plant":
            parent = parents.get(COMPANY)
        elif level == "area":
            parent = parents.get("plant")
        elif level == "line":
            parent = parents.get(config.area_of(scope)) or parents.get("plant")
        for n in range(count):
            objective = plans.save_objective(PLANNER, quarter.label, scope, f"{scope} objective {n + 1}", "Owner",
                                             parent_id=parent)
            parents.setdefault(scope, objective)
            kpi_scope = "plant" if scope == COMPANY else scope
            for kpi in BOUND:
                krs.append((plans.save_key_result(PLANNER, objective, title=f"{kpi} at {kpi_scope}", kind="increase",
                                                  start=50.0, target=90.0, owner="Owner", kpi=kpi,
                                                  kpi_scope=kpi_scope), True))
            for i in range(2):
                krs.append((plans.save_key_result(PLANNER, objective, title=f"manual {i + 1}", kind="decrease",
                                                  start=20, target=5, unit="stops", owner="Owner"), False))
    weeks = [w for w in quarter_weeks(quarter) if w.first <= okrs.today()]
    now = services.clock()
    rows = [{"key_result_id": k, "week": w.label, "value": 20 - i, "confidence": 5 + i % 5, "moved": "moved",
             "blocks": "" if i % 4 else "blocked", "author": "bench", "at": now, "replaces_id": None}
            for k, _bound in krs for i, w in enumerate(weeks)]
    with services.sessions.begin() as session:
        session.execute(insert(CheckIn), rows)
        session.execute(update(KeyResult).values(checkins=len(weeks)))
    return {"objectives": sum(c for _, c in scopes), "key_results": len(krs), "check_ins": len(rows),
            "weeks": len(weeks)}


def quarter_floor(services: Any, quarter: Period, on: Any) -> tuple[dict[tuple[str, str], float | None], int]:
    """The quarter's rows and the bound KPIs' values by raw SQL: (values per (kpi, scope), rows read)."""
    config = services.config
    measures = bt.needed_measures(config, list(BOUND))
    cols = ", ".join(f"SUM({m}) AS {m}" for m in measures)
    with services.db.connect() as conn:
        objs = conn.execute(text("SELECT * FROM okr_objectives WHERE quarter = :q"), {"q": quarter.label}).all()
        ids_ = [o.id for o in objs]
        krs = conn.execute(text(f"SELECT * FROM okr_key_results WHERE objective_id IN ({','.join(map(str, ids_))})")
                           ).all()
        cis = conn.execute(text(f"SELECT * FROM okr_check_ins WHERE key_result_id IN "
                                f"({','.join(str(k.id) for k in krs)}) ORDER BY id")).all()
        values: dict[tuple[str, str], float | None] = {}
        for scope in sorted({k.kpi_scope for k in krs if k.kpi}):
            lines = config.scope_lines(scope)
            where = "production_date >= :first AND production_date <= :last"
            if config.scope_kind(scope) != "plant":
                where += f" AND line IN ({','.join(repr(ln) for ln in lines)})"
            row = conn.execute(text(f"SELECT {cols}, COUNT(*) AS facts FROM shift_facts WHERE {where}"),
                               {"first": quarter.first, "last": on}).one()
            for kpi in BOUND:
                values[(kpi, scope)] = bt.value_of(config, kpi, row)
    return values, len(objs) + len(krs) + len(cis)


def measure_quarter(services: Any, quarter: Period, on: Any, runs: int, summary: Any) -> tuple[Any, Any]:
    """A quarter of OKRs planned, then read at every level and for one line's chain against its floor: the table's
    row and the quarter read."""
    print(f"\n== OKRs for {quarter.label}", flush=True)
    t0 = time.perf_counter()
    made = plan_quarter(services, quarter)
    print(f"  {made['objectives']} objectives, {made['key_results']} key results, {made['check_ins']:,} check-ins "
          f"({made['weeks']} weeks) in {time.perf_counter() - t0:.1f} s", flush=True)
    summary.add("okr set", f"{made['objectives']} objectives, {made['key_results']} key results, "
                f"{made['check_ins']:,} check-ins")

    print("\n== reading the quarter", flush=True)

    def read(scope: str | None = None) -> Any:
        services.okrs._views.clear()  # time the read itself, not the per-data-version cache in front of it
        return services.okrs.quarter(quarter.label, scope)

    every, view = bt.timed(read, runs)
    line = next(iter(services.config.lines))
    chain, line_view = bt.timed(lambda: read(line), runs)
    cached, _ = bt.timed(lambda: services.okrs.quarter(quarter.label), runs)
    floor, (values, rows) = bt.timed(lambda: quarter_floor(services, quarter, on), runs)
    shown = {(k.kpi, k.kpi_scope): k.current for k in view.key_results if k.kpi}
    agree = bt.agree_all({f"{k}@{s}": v for (k, s), v in values.items()},
                         {f"{k}@{s}": v for (k, s), v in shown.items()})
    print(f"  every level        {every}  ({len(view.objectives)} objectives)")
    print(f"  {line}'s chain       {chain}  ({len(line_view.objectives)} objectives)")
    print(f"  floor (raw SQL)    {floor}  ({rows:,} rows, {len(values)} bound values: {agree})")
    print(f"  again, same data   {cached}  (the page's sections drawn together share one read)")
    summary.add("quarter, every level", f"{every.short} vs floor {floor.short} "
                f"({every.median / floor.median:.1f}×), values {agree}")
    summary.add(f"quarter, {line}'s chain", chain.short)
    summary.add("quarter, same data version", cached.short)
    return bt.BenchRow("OKR quarter, every level", every, floor, agree), view


def measure_excel(services: Any, quarter: Period, runs: int, summary: Any) -> Any:
    """The Excel workbook of the quarter's check-ins (``checkins_workbook``) against its target: the table's row."""
    view = services.okrs.quarter(quarter.label)
    rows = services.okrs.check_in_rows(quarter.label)
    row, book = benchtable.target_row("OKR Excel, quarter", lambda: checkins_workbook(view, rows), runs,
                                      EXCEL_TARGET_MS, lambda data: excel_check(view, rows, data))
    print(f"  Excel of every check-in  {row.time}  {len(rows):,} check-ins, {len(book) / 1024:,.0f} KB, "
          f"target {EXCEL_TARGET_MS} ms, values {row.agree}", flush=True)
    summary.add("Excel of every check-in", f"{row.time.short}, target {EXCEL_TARGET_MS} ms, values {row.agree}")
    return row


def excel_check(view: Any, rows: list[dict[str, Any]], data: bytes) -> str:
    """'agree' when the workbook read back has every key result and every check-in with its value, in order."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    results, check_ins = (list(ws.iter_rows(min_row=2, values_only=True)) for ws in book.worksheets)
    krs = [k for o in view.objectives for k in o.key_results]
    wanted = [(r["check_in_id"], r["value"]) for r in rows]
    got = [(c[18], c[9]) for c in check_ins]
    if len(results) != len(krs) or got != wanted:
        return (f"DIFFER: {len(results)} key results for {len(krs)}, {len(got)} check-ins for {len(wanted)}, "
                f"{sum(g != w for g, w in zip(got, wanted, strict=False))} differing")
    return "agree"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=20)
    p.add_argument("--years", type=float, default=5.0)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--workdir", type=Path)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.quick:
        args.lines, args.years, args.runs = 6, 1.1, 5
    started = time.perf_counter()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="huddle-bench-okr-"))
    workdir.mkdir(parents=True, exist_ok=True)
    summary = bdp.Summary()
    try:
        plant = bb.build_plant(workdir, args.lines, args.years, summary)
        config_tz = build_services(plant.settings, initialise=True).config.tz
        noon = datetime.combine(plant.last, clock_time(12), tzinfo=config_tz).astimezone(UTC)
        services = build_services(plant.settings, clock=lambda: noon)
        quarter = period_containing("quarter", plant.last)
        on = min(plant.last, quarter.last)

        print(f"\n== clock {noon:%Y-%m-%d %H:%M} UTC", flush=True)
        _row, view = measure_quarter(services, quarter, on, args.runs, summary)

        print("\n== saving a check-in", flush=True)
        manual = [k for k in view.key_results if not k.kpi][: max(10, args.runs)]
        seen = {k.id: k.checkins for k in manual}
        samples = []
        for k in manual:
            t0 = time.perf_counter()
            services.okr_check_ins.check_in(PLANNER, k.id, seen[k.id], value=7, confidence=6, moved="bench")
            samples.append((time.perf_counter() - t0) * 1000)
        floor_samples = []
        for k in manual:
            t0 = time.perf_counter()
            with services.sessions.begin() as session:
                session.execute(update(KeyResult).where(KeyResult.id == k.id).values(checkins=KeyResult.checkins + 1))
                session.execute(insert(CheckIn).values(key_result_id=k.id, week=view.week.label, value=7,
                                                       confidence=6, moved="floor", blocks="", author="floor",
                                                       at=noon, replaces_id=None))
            floor_samples.append((time.perf_counter() - t0) * 1000)
        print(f"  OkrCheckIns.check_in {bt.spread(samples)}")
        print(f"  floor (UPDATE+INSERT) {bt.spread(floor_samples)}")
        summary.add("check-in", f"{bt.spread(samples)} vs floor {bt.spread(floor_samples)}")

        print("\n== page and exports", flush=True)
        view = services.okrs.quarter(quarter.label)
        for name, make in (("objectives section", lambda: render_objectives(view)),
                           ("check-in rows", lambda: checkin_rows(view, True))):
            timing, parts = bt.timed(make, max(3, args.runs // 4))
            payload = to_json_plotly(parts).encode()
            line_ = (f"{timing.short}, {len(payload) / 1024:,.0f} KB JSON "
                     f"({len(gzip.compress(payload)) / 1024:,.0f} KB gzipped)")
            print(f"  {name:<20}{line_}")
            summary.add(name, line_)
        rows_ = services.okrs.check_in_rows(quarter.label)
        csv_t, csv_bytes = bt.timed(lambda: checkins_csv(rows_), 3)
        read_t, _ = bt.timed(lambda: services.okrs.check_in_rows(quarter.label), 3)
        print(f"  check-in rows read {read_t.short} ({len(rows_):,} rows)")
        print(f"  CSV                {csv_t.short}, {len(csv_bytes) / 1024:,.0f} KB")
        measure_excel(services, quarter, max(3, args.runs // 4), summary)
        summary.add("exports", f"rows {read_t.short}; CSV {csv_t.short} {len(csv_bytes) / 1024:,.0f} KB")
        services.dispose()
        summary.add("peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
        summary.add("wall time", f"{time.perf_counter() - started:.0f} s")
        summary.print()
    finally:
        if not (args.workdir or args.keep):
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
