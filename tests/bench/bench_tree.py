"""Benchmark of the KPI tree page: the tree's read model, a node's panel, and a 300-node tree in a real browser.

What it measures, in one run (``python tests/bench/bench_tree.py [--lines 20] [--years 5]``):

1. **Plant.** The large plant of ``bench_board.py`` (its ``build_plant``, which runs ``bench_data_path.py``'s
   generator and the real loaders, imported from those scripts, not copied): ``--lines`` lines, 3 shifts,
   ``--years`` of history ending yesterday in SQLite; with ``--workdir`` a plant loaded there before for the same
   ``--lines`` and ``--years`` is reused. Its configuration then gets the demo plant's OEE tree: oee = availability
   × performance × quality (product); availability ← unplanned_downtime, changeover_time, mttr, mtbf; quality ←
   scrap_rate, rework_rate (the KPIs the bench plant lacks are added; KPI definitions do not change the facts).
   The generator writes no changeovers and no quality events: changeover_time, scrap_rate and rework_rate are 0.
2. **Tree and panel on the large plant**, for the day before the last loaded day (the last complete day), the
   last complete week and the last complete month, at plant scope and one line (median and p95 of ``--runs``):
   ``build_tree_view(kpis, "oee", scope, period)`` against two floors over ``shift_facts``: one ``SELECT SUM``
   of the measures the tree's formulas need for the period and scope with the node values worked in Python, and
   the same for the previous period too (the view reads both: it shows why the root moved). Every node's value is
   compared with the floor's (``agree`` / ``DIFFER``).
   Opening a node's panel: ``node_detail(services, "oee", kpi, scope, period)`` for ``unplanned_downtime`` and
   ``oee``, against the floor of the same numbers: the two period sums, the trend's ``GROUP BY`` day, week or
   month over the trend window, the breakdown's ``GROUP BY line`` (plant only) and ``GROUP BY shift``, and for a
   KPI with events behind it the raw ``stop_events`` range query of the period. The panel's time is split by
   timing its parts apart: readings (period and previous), trend, breakdown, events, actions; the rest (control
   limits, why it moved, goal seek) is the difference. The reading, trend and by-line values are compared with
   the floor's.
3. **Synthetic tree of ``--nodes`` KPIs** (default 300): a plant with the same lines and calendar whose KPIs reuse
   built-in formulas under distinct keys, arranged as one tree (4 branches under the root, 5 under each branch
   and sub-branch, the rest as leaves shared round-robin under the level above; causal edges without formula),
   a few red by their targets. It is validated with ``parse_plant`` and gets 8 days of data through the same
   generator and loaders. Server time: ``build_tree_view`` with every node expanded and opened along the red
   paths only, ``elements`` (the cytoscape elements) and their JSON size, one tap's work in the ``draw``
   callback, and a node's panel; the floor is one SUM over ``shift_facts`` with every node's value in Python.
4. **Browser.** The app (``create_app``, ``anonymous_access="read"``) on werkzeug's threaded server in a thread of
   this process, Chromium headless through Selenium (``/usr/bin/chromium``, ``/usr/bin/chromedriver``). A script
   injected before the page runs finds the cytoscape instance and logs ``performance.now()`` and the node count
   at every cytoscape ``render`` event. Measured: navigation to ``/tree`` until the graph first renders with all
   the initially opened nodes (the page's own clock, navigation start = 0); then ``--expands`` taps
   (``cy.getElementById(id).emit('tap')``) on folded nodes, each until the graph renders with more nodes
   (*expand*) and until no Dash callback is pending (*idle*: the node's panel too); then taps on folded nodes
   until every node is drawn (*expand all*). Printed: median and p95 per expand, the node count at the end and
   the browser console's SEVERE entries. Browser, server and this script share the machine's cores.
5. **Summary** of every figure.

A tap whose ``draw`` request is superseded by another one in flight (the page refreshes every 60 s) does not open
its node; the script then taps the node again (it is selected by then, so the tap unfolds it) and counts the loss.
``--budget`` bounds the seconds spent on the expands and again on expand all. The three taps slowest to idle are
printed with each server call's start, server time and answer size.

``--quick`` is ``--lines 4 --years 0.3 --runs 5 --expands 5 --nodes 120 --budget 30``. This is a script, not a
test: pytest does not collect it. The temporary folder is removed at the end unless ``--keep`` or ``--workdir`` is
given.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import logging
import pstats
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import yaml
from huddle.dashboard.core.kpi import FORMULAS
from huddle.dashboard.core.periods import Period, format_period, period_containing
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.dashboard.services.container import Services, build_services
from huddle.dashboard.services.drilldown import node_detail, trend, trend_window
from huddle.dashboard.services.events import event_kind_for, events_behind
from huddle.dashboard.services.tree import TreeView, build_tree_view
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from huddle.data.models import UTCDateTime
from huddle.data.queries.records import STOP_LOOKBACK
from huddle.pages.tree import render_findings, render_summary
from huddle.pages.tree_graph import render_elements
from plotly.io.json import to_json_plotly
from siblings import import_sibling  # tests/bench is on the path when a bench script runs
from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection

T = TypeVar("T")

bb = import_sibling("bench_board")
benchtable = import_sibling("benchtable")
bdp = bb.bdp

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BROWSER_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1920,1080",
                 "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")
SYNTH_DAYS = 8
SYNTH_TREE = "big"
TAP_TIMEOUT_S = 15.0
IDLE_TIMEOUT_S = 15.0
MAX_EXPAND_ALL_TAPS = 1000

#: The KPIs the OEE tree needs that ``bench_data_path.plant_document`` does not define: (key, category, target).
EXTRA_KPIS = (("unplanned_downtime", "D", 25), ("changeover_time", "D", 10), ("mttr", "D", 8), ("mtbf", "D", 2),
              ("rework_rate", "Q", 1))
#: The demo plant's OEE tree (``dashboard/demo_plant.yaml``) without its trade-off.
OEE_TREE = {"key": "oee", "name": "OEE driver tree", "root": "oee", "edges": [
    {"parent": "oee", "children": ["availability", "performance", "quality"], "formula": "product"},
    {"parent": "availability", "children": ["unplanned_downtime", "changeover_time", "mttr", "mtbf"]},
    {"parent": "quality", "children": ["scrap_rate", "rework_rate"]}]}
PANEL_KPIS = ("unplanned_downtime", "oee")

#: Formulas the synthetic KPIs reuse, with a target each KPI meets on the generated data and one it misses.
SYNTH_TARGETS: dict[str, tuple[float, float]] = {
    "availability": (50, 99.5), "performance": (50, 200), "quality": (50, 99.99), "unplanned_downtime": (1000, 1),
    "scrap_rate": (1.5, -1), "mttr": (60, 1), "mtbf": (0.1, 100), "changeover_time": (10, -1), "fpy": (50, 99.99),
    "schedule_attainment": (50, 150), "attendance": (50, 99.9), "units_per_labour_hour": (100, 5000),
}
SYNTH_RED_SHARE = 0.06
SYNTH_BRANCHING = (4, 5, 5)  # children per node by depth; the level after the last takes the rest round-robin

#: Installed before any page script: finds the cytoscape instance and logs (ms since navigation start, node
#: count) at each render in which the count changed.
PROBE_JS = """
window.__bench = {log: [], cy: null};
(function () {
  function findCy() {
    const el = document.querySelector('#tree-graph');
    if (!el) { return null; }
    const k = Object.keys(el).find(function (k) { return k.startsWith('__reactFiber'); });
    let f = k ? el[k] : null;
    while (f && !(f.stateNode && f.stateNode._cy)) { f = f.return; }
    return f ? f.stateNode._cy : (window.cy || null);
  }
  function hook() {
    const cy = findCy();
    if (!cy) { setTimeout(hook, 5); return; }
    const b = window.__bench;
    b.cy = cy;
    b.found = performance.now();
    let last = -1;
    cy.on('render', function () {
      const n = cy.nodes().length;
      if (n !== last) { last = n; b.log.push([performance.now(), n]); }
    });
  }
  hook();
})();
"""
TAP_JS = """
const b = window.__bench, cy = b.cy;
b.tapAt = performance.now();
b.before = cy.nodes().length;
cy.getElementById(arguments[0]).emit('tap');
return [b.tapAt, b.before];
"""
GREW_JS = """
const since = arguments[0], before = arguments[1];
return window.__bench.log.find(function (e) { return e[0] >= since && e[1] > before; }) || null;
"""
FIRST_JS = """
const want = arguments[0];
return window.__bench.log.find(function (e) { return e[1] >= want; }) || null;
"""
PENDING_JS = "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length;"
FOLDED_JS = ("const cy = window.__bench.cy; return cy ? cy.nodes('.folded').map(function (n) { return n.id(); }) "
             ": [];")


# ---- timing --------------------------------------------------------------------------------------------------


Timing = benchtable.Timing
timed = benchtable.timed
BenchRow = benchtable.BenchRow


def spread(values_ms: list[float]) -> str:
    """'median … ms, p95 … ms, max … ms (n=…)'."""
    if not values_ms:
        return "none"
    return (f"median {statistics.median(values_ms):.0f} ms, p95 {bb.pct(values_ms, 95):.0f} ms, "
            f"max {max(values_ms):.0f} ms (n={len(values_ms)})")


def agree_all(a: dict[str, float | None], b: dict[str, float | None]) -> str:
    """'agree' when every key's values agree (bench_data_path's 1e-9 relative), else which differ."""
    bad = [k for k in a if bdp.agree(a[k], b.get(k)) != "agree"]
    return "agree" if not bad and set(a) == set(b) else f"DIFFER in {bad or sorted(set(a) ^ set(b))}"


# ---- floors --------------------------------------------------------------------------------------------------

_DATES = (bindparam("first", type_=Date()), bindparam("last", type_=Date()))


def buckets(dialect: str) -> dict[str, str]:
    """Trend buckets as SQL: the day, the ISO week counted in Mondays from 1970-01-05, the month."""
    return {"day": "production_date", "week": benchtable.week_index(dialect), "month": benchtable.month_of(dialect)}


STOPS_SQL = text("""
SELECT line, start_utc, end_utc, reason, category, equipment FROM stop_events
 WHERE line IN :lines AND start_utc >= :lookback AND start_utc < :hi AND end_utc > :lo AND category IN :cats
 ORDER BY start_utc, line
""").bindparams(bindparam("lines", expanding=True), bindparam("cats", expanding=True),
                *(bindparam(n, type_=UTCDateTime()) for n in ("lo", "hi", "lookback")))


def needed_measures(config: PlantConfig, keys: list[str]) -> list[str]:
    """The measures the KPIs' formulas read (numerators and denominators), in a stable order."""
    out: list[str] = []
    for k in keys:
        f = FORMULAS[config.kpis[k].formula]
        out.extend(m for m in (f.numerator, f.denominator) if m and m not in out)
    return out


def sums_sql(measures: list[str], line: bool, group: str | None = None, dialect: str = "sqlite",
             months: bool = False) -> Any:
    """SUM of the measures over a date range of the facts (one line or every row), optionally grouped (``group``:
    SQL over shift_facts, or "month"); ``months``: the range is whole months, read from month_facts."""
    source, count, month = benchtable.facts_in_range(dialect, months)
    cols = ", ".join(f"SUM({m}) AS {m}" for m in measures)
    where = source + (" AND line = :line" if line else "")
    if group is None:
        return text(f"SELECT {cols}, {count} AS facts FROM {where}").bindparams(*_DATES)
    bucket = month if group in ("month", benchtable.month_of(dialect)) else group
    return text(f"SELECT {bucket} AS bucket, {cols}, {count} AS facts FROM {where} "
                f"GROUP BY bucket ORDER BY bucket").bindparams(*_DATES)


value_of = benchtable.value_of


@dataclass(frozen=True)
class Case:
    """A scope and period to read the tree and panels for, and the floor's line filter."""

    label: str
    scope: str
    period: Period
    line: str | None  # the line filter of the floor, None for the plant (every fact row)

    @property
    def params(self) -> dict[str, Any]:
        """The floor's parameters for the period."""
        return {"first": self.period.first, "last": self.period.last} | ({"line": self.line} if self.line else {})

    def previous_params(self) -> dict[str, Any]:
        """The floor's parameters for the previous period."""
        prev = self.period.previous()
        return self.params | {"first": prev.first, "last": prev.last}


def tree_floor(conn: Connection, config: PlantConfig, keys: list[str], query: Any,
               params: dict[str, Any]) -> dict[str, float | None]:
    """One SUM over shift_facts for a period and scope, every node's value worked in Python."""
    row = conn.execute(query, params).one()
    return {k: value_of(config, k, row) for k in keys}


@dataclass(frozen=True)
class PanelFloor:
    """What the panel floor read: the node's value, its trend and by-line values."""

    value: float | None
    trend: dict[str, float | None]
    by_line: dict[str, float | None]


def week_label(index: int) -> str:
    """The ISO week label of a week counted from Monday 1970-01-05."""
    return format_period("week", date(1970, 1, 5) + timedelta(weeks=index))


def panel_floor(conn: Connection, services: Services, case: Case, kpi: str, q: dict[str, Any]) -> PanelFloor:
    """The panel's numbers straight from shift_facts and stop_events: period sums, trend, breakdown, events."""
    config = services.config
    now = conn.execute(q["sums"], case.params).one()
    conn.execute(q["sums"], case.previous_params()).one()
    grain, first, last = trend_window(case.period)
    rows = conn.execute(q["trend"], case.params | {"first": first, "last": last}).all()
    label = week_label if grain == "week" else str
    series = {label(r.bucket): value_of(config, kpi, r) for r in rows}
    by_line = {}
    if case.line is None:
        by_line = {r.bucket: value_of(config, kpi, r) for r in conn.execute(q["by_line"], case.params)}
    if case.period.grain != "shift":
        conn.execute(q["by_shift"], case.params).all()
    if q["stops"] is not None:
        conn.execute(STOPS_SQL, q["stops"]).all()
    return PanelFloor(value_of(config, kpi, now), series, by_line)


def panel_queries(services: Services, case: Case, kpi: str) -> dict[str, Any]:
    """The panel floor's statements and the stop query's parameters (prepared outside the timing)."""
    config = services.config
    keys = config.trees["oee"].nodes()
    measures = needed_measures(config, keys)
    own = needed_measures(config, [kpi])
    grain = trend_window(case.period)[0]
    line = case.line is not None
    stops = None
    kind = event_kind_for(config, kpi)
    if kind is not None and kind.kind == "stops":
        insts = config.calendar.instances_for_dates(case.period.first, case.period.last)
        lo, hi = insts[0].start_utc, max(i.end_utc for i in insts)
        stops = {"lines": config.scope_lines(case.scope), "cats": list(kind.values), "lo": lo, "hi": hi,
                 "lookback": lo - STOP_LOOKBACK}
    dialect, months = services.db.dialect.name, case.period.grain == "month"  # whole months: their month rows
    return {"sums": sums_sql(measures, line, None, dialect, months),
            "trend": sums_sql(own, line, buckets(dialect)[grain], dialect, grain == "month"),
            "by_line": sums_sql(own, line, "line", dialect, months),
            "by_shift": sums_sql(own, line, "shift", dialect, months), "stops": stops}


# ---- the large plant -----------------------------------------------------------------------------------------


def tree_plant_document(n_lines: int) -> dict[str, Any]:
    """bench_data_path's plant with the KPIs of the OEE tree added and the demo plant's OEE tree."""
    doc = bdp.plant_document(n_lines)
    have = {k["key"] for k in doc["kpis"]}
    for key, category, target in EXTRA_KPIS:
        if key not in have:
            doc["kpis"].append({"key": key, "name": key.replace("_", " ").title(), "category": category,
                                "target": target, "owner": "Bench", "data_source": "bench export files",
                                "frequency": "shift"})
    doc["trees"] = [OEE_TREE]
    return doc


def complete_periods(last_day: date) -> dict[str, Period]:
    """The last complete day (the day before the last loaded one), week and month."""
    day = last_day - timedelta(days=1)
    out = {"day": period_containing("day", day)}
    for grain in ("week", "month"):
        p = period_containing(grain, day)
        out[grain] = p if p.last <= day else p.previous()
    return out


def measure_tree(services: Services, case: Case, runs: int, summary_: Any) -> BenchRow:
    """build_tree_view against its floors, and the node values against the floor's; the row for the table (the
    floor with the previous period, which the view reads too)."""
    config = services.config
    tree = config.trees["oee"]
    keys = tree.nodes()
    query = sums_sql(needed_measures(config, keys), case.line is not None, None, services.db.dialect.name,
                     case.period.grain == "month")
    t_view, view = timed(lambda: build_tree_view(services.readings, "oee", case.scope, case.period), runs)
    with services.db.connect() as conn:
        t_f1, floor = timed(lambda: tree_floor(conn, config, keys, query, case.params), runs)
        t_f2, _ = timed(lambda: (tree_floor(conn, config, keys, query, case.params),
                                 tree_floor(conn, config, keys, query, case.previous_params())), runs)
    values = {k: view.nodes[k].reading.value for k in keys}
    oee, f_oee = values["oee"], floor["oee"]
    print(f"  build_tree_view             {t_view}  {len(view.visible)} of {len(keys)} nodes drawn")
    print(f"  floor: period SUM + Python  {t_f1}")
    print(f"  floor: + previous period    {t_f2}")
    print(f"  ratio view/floor {t_view.median / t_f1.median:.1f}× (period), "
          f"{t_view.median / t_f2.median:.1f}× (period + previous)")
    print(f"  OEE view {oee!r} floor {f_oee!r}: {bdp.agree(oee, f_oee)}; all {len(keys)} nodes: "
          f"{agree_all(values, floor)}", flush=True)
    summary_.add(f"tree {case.label}", f"{t_view.short} ({t_view.median / t_f1.median:.0f}× floor "
                 f"{t_f1.median:.2f} ms, {t_view.median / t_f2.median:.0f}× with previous {t_f2.median:.2f} ms); "
                 f"values {agree_all(values, floor)}")
    return BenchRow(f"tree {case.label}", t_view, t_f2, agree_all(values, floor))


def measure_panel(services: Services, case: Case, kpi: str, runs: int, summary_: Any) -> BenchRow:
    """node_detail against its floor, with the split of its time over its parts; the row for the table."""
    config = services.config
    keys = config.trees["oee"].nodes()
    kpis = services.readings
    t_panel, detail = timed(lambda: node_detail(services, "oee", kpi, case.scope, case.period), runs)
    prev = case.period.previous()
    multi = len(config.scope_lines(case.scope)) > 1
    parts: dict[str, Callable[[], object]] = {
        "readings": lambda: kpis.readings_each(keys, case.scope, (case.period, prev)),
        "trend": lambda: trend(services, kpi, case.scope, case.period),
        "breakdown": lambda: ((kpis.breakdown(kpi, case.scope, case.period, "line") if multi else []),
                              (kpis.breakdown(kpi, case.scope, case.period, "shift")
                               if case.period.grain != "shift" else [])),
        "events": lambda: events_behind(kpis, kpi, case.scope, case.period),
        "actions": lambda: services.actions.listing(case.scope, kpi=kpi),
    }
    split = {name: timed(fn, runs)[0].median for name, fn in parts.items()}
    q = panel_queries(services, case, kpi)
    with services.db.connect() as conn:
        t_floor, floor = timed(lambda: panel_floor(conn, services, case, kpi, q), runs)
    trend_values = {r.period: r.value for r in detail.trend}
    floor_trend = {k: floor.trend.get(k) for k in trend_values}  # the floor has no row for a bucket without facts
    line_values = {r.scope: r.value for r in detail.by_line}
    checks = (f"value {bdp.agree(detail.reading.value, floor.value)}, trend ({len(trend_values)} points) "
              f"{agree_all(trend_values, floor_trend)}" + (f", by line {agree_all(line_values, floor.by_line)}"
                                                           if multi else ""))
    rest = t_panel.median - sum(split.values())
    events = (f"{detail.events.total_records} events" if detail.events else "no events behind it")
    print(f"  panel {kpi:18s}    {t_panel}  ({len(detail.trend)} trend points, {len(detail.by_line)} lines, "
          f"{events})")
    print("    split: " + ", ".join(f"{n} {v:.2f}" for n, v in split.items()) + f", rest {rest:.2f} ms")
    print(f"    floor (SQL)               {t_floor}  ratio panel/floor {t_panel.median / t_floor.median:.1f}×")
    print(f"    check: {checks}", flush=True)
    summary_.add(f"panel {kpi} {case.label}", f"{t_panel.short} ({t_panel.median / t_floor.median:.0f}× floor "
                 f"{t_floor.median:.2f} ms); " + ", ".join(f"{n} {v:.1f}" for n, v in split.items())
                 + f", rest {rest:.1f}")
    summary_.add(f"  check {kpi} {case.label}", checks)
    return BenchRow(f"panel {kpi} {case.label}", t_panel, t_floor, "agree" if "DIFFER" not in checks else checks)


# ---- the synthetic tree --------------------------------------------------------------------------------------


def synthetic_layout(n: int) -> list[list[int]]:
    """Node indices per depth: 4 under the root, 5 under each node of the next levels, the rest round-robin."""
    levels, total, depth = [[0]], 1, 0
    while total < n:
        per = SYNTH_BRANCHING[depth] if depth < len(SYNTH_BRANCHING) else None
        size = min(n - total, len(levels[-1]) * per) if per else n - total
        levels.append(list(range(total, total + size)))
        total += size
        depth += 1
    return levels


def synthetic_document(n_lines: int, n_nodes: int, seed: int = 11) -> dict[str, Any]:
    """bench_data_path's plant with ``n_nodes`` KPIs (built-in formulas, distinct keys) in one causal tree."""
    rng = random.Random(seed)
    formulas = list(SYNTH_TARGETS)
    doc = bdp.plant_document(n_lines)
    keys = ["root_oee"] + [f"k{i:03d}_{formulas[(i - 1) % len(formulas)]}" for i in range(1, n_nodes)]
    kpis = [{"key": "root_oee", "name": "Plant OEE", "formula": "oee", "category": "D", "target": 20,
             "owner": "Bench", "data_source": "bench export files"}]
    for i, key in enumerate(keys[1:], start=1):
        formula = formulas[(i - 1) % len(formulas)]
        green, red = SYNTH_TARGETS[formula]
        kpis.append({"key": key, "name": f"K{i:03d} {formula.replace('_', ' ')}", "formula": formula,
                     "category": "D", "target": red if rng.random() < SYNTH_RED_SHARE else green,
                     "owner": "Bench", "data_source": "bench export files"})
    levels = synthetic_layout(n_nodes)
    children: dict[int, list[int]] = {}
    for upper, lower in pairwise(levels):
        for j, child in enumerate(lower):
            children.setdefault(upper[j % len(upper)], []).append(child)
    doc["kpis"] = kpis
    doc["trees"] = [{"key": SYNTH_TREE, "name": f"Synthetic tree of {n_nodes}", "root": "root_oee", "edges": [
        {"parent": keys[p], "children": [keys[c] for c in kids]} for p, kids in sorted(children.items())]}]
    return doc


def build_synthetic(workdir: Path, n_lines: int, n_nodes: int, last: date, summary_: Any) -> Services:
    """Write, validate and load the synthetic plant (8 days ending ``last``) in its own folder and database."""
    folder = workdir / f"tree{n_nodes}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    doc = synthetic_document(n_lines, n_nodes)
    t0 = time.perf_counter()
    config = parse_plant(doc)
    parse_ms = (time.perf_counter() - t0) * 1000
    tree = config.trees[SYNTH_TREE]
    levels = synthetic_layout(n_nodes)
    print(f"\n== synthetic tree: {len(tree.nodes())} KPIs, {len(tree.edges)} edges, depth {len(levels) - 1}, "
          f"level sizes {[len(x) for x in levels]}; parse_plant {parse_ms:.0f} ms", flush=True)
    plant_path = folder / "plant.yaml"
    plant_path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'huddle.sqlite'}",
                        plant_config=plant_path, anonymous_access="read")
    services = build_services(settings)
    first = last - timedelta(days=SYNTH_DAYS - 1)
    gen = bdp.generate(services.config, folder / "inbox", first, last)
    loaded = bdp.load_with_loader(services)
    print(f"  data: {first} … {last}, {loaded.total_rows:,} rows loaded in {loaded.total_seconds:.1f} s "
          f"(generated in {gen.seconds:.1f} s)", flush=True)
    summary_.add("synthetic plant", f"{len(tree.nodes())} KPIs, depth {len(levels) - 1}, levels "
                 f"{[len(x) for x in levels]}, {SYNTH_DAYS} days of data ({loaded.total_rows:,} rows)")
    return services


def profile_top(fn: Callable[[], object], calls: int, top: int = 5) -> list[tuple[float, int, str]]:
    """``fn`` called ``calls`` times under cProfile: the top functions by own time as (share, calls, name)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values()) or 1.0
    ranked = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    return [(v[2] / total, v[1] // calls, f"{Path(f[0]).parent.name}/{Path(f[0]).name}:{f[1]} {f[2]}"
             if f[0] != "~" else f[2]) for f, v in ranked]


def measure_synthetic(services: Services, day: Period, runs: int, summary_: Any) -> TreeView:
    """Server time of the synthetic tree: read model, elements, their JSON, a tap's draw, a panel; and a floor."""
    config, kpis = services.config, services.readings
    tree = config.trees[SYNTH_TREE]
    keys = tree.nodes()
    every = set(keys)
    t_all, v_all = timed(lambda: build_tree_view(kpis, SYNTH_TREE, "plant", day, every), runs)
    t_red, v_red = timed(lambda: build_tree_view(kpis, SYNTH_TREE, "plant", day), runs)
    t_el_all, el_all = timed(lambda: render_elements(v_all, services.config, tree.root), runs)
    t_el_red, el_red = timed(lambda: render_elements(v_red, services.config, tree.root), runs)
    t_js_all, js_all = timed(lambda: to_json_plotly(el_all), runs)
    js_red = to_json_plotly(el_red)

    folded = next(iter(v_red.hidden_below), tree.root)

    def draw_on_tap() -> object:  # what the draw callback does when a tap opens a folded node: two reads, the rest
        view = build_tree_view(kpis, SYNTH_TREE, "plant", day, set(v_red.expanded))
        view = build_tree_view(kpis, SYNTH_TREE, "plant", day, set(view.expanded) | {folded})
        return (render_elements(view, services.config, folded), render_summary(view, services.config),
                render_findings(view, services.config))

    t_tap, _ = timed(draw_on_tap, runs)
    t_panel, _ = timed(lambda: node_detail(services, SYNTH_TREE, tree.root, "plant", day), max(1, runs // 2))
    query = sums_sql(needed_measures(config, keys), False)
    params = {"first": day.first, "last": day.last}
    with services.db.connect() as conn:
        t_floor, floor = timed(lambda: tree_floor(conn, config, keys, query, params), runs)
    values = {k: v_all.nodes[k].reading.value for k in keys}
    red = sum(1 for k in keys if str(v_all.nodes[k].reading.status) == "red")
    grey = sum(1 for k in keys if v_all.nodes[k].reading.value is None)
    print(f"\n== synthetic tree server time, plant {day.label} (median of {runs}); {red} red, {grey} without data")
    print(f"  build_tree_view, all open   {t_all}  {len(v_all.visible)} nodes drawn")
    print(f"  build_tree_view, red paths  {t_red}  {len(v_red.visible)} nodes drawn, "
          f"{len(v_red.hidden_below)} folded")
    print(f"  elements, all open          {t_el_all}  {len(el_all)} elements")
    print(f"  elements, red paths         {t_el_red}  {len(el_red)} elements")
    print(f"  JSON of elements, all open  {t_js_all}  {len(js_all):,} bytes "
          f"({len(gzip.compress(js_all.encode())):,} gzipped); red paths {len(js_red):,} bytes "
          f"({len(gzip.compress(js_red.encode())):,} gzipped)")
    print(f"  draw callback on a tap      {t_tap}  (build ×2 + elements + summary + findings)")
    print(f"  root's panel (node_detail)  {t_panel}")
    print(f"  floor: SUM + {len(keys)} values   {t_floor}")
    print(f"  ratio build all open/floor {t_all.median / t_floor.median:.1f}×; values {agree_all(values, floor)}",
          flush=True)
    top = profile_top(lambda: build_tree_view(kpis, SYNTH_TREE, "plant", day, every), max(1, runs // 2))
    print("  cProfile of build_tree_view, all open: top by own time")
    for share, calls, name in top:
        print(f"    {share:6.1%}  {calls:>6} calls per build  {name}")
    summary_.add("synthetic build_tree_view", f"all open {t_all.short} ({len(v_all.visible)} nodes), red paths "
                 f"{t_red.short} ({len(v_red.visible)} nodes); floor {t_floor.median:.2f} ms "
                 f"({t_all.median / t_floor.median:.0f}×); values {agree_all(values, floor)}")
    summary_.add("synthetic elements", f"all open {t_el_all.short}, {len(js_all):,} bytes JSON "
                 f"({len(gzip.compress(js_all.encode())):,} gzipped, encode {t_js_all.median:.2f} ms); red paths "
                 f"{t_el_red.short}, {len(js_red):,} bytes")
    summary_.add("synthetic tap (server)", f"draw {t_tap.short}; root panel {t_panel.short}")
    summary_.add("  profile build all open", ", ".join(f"{name.split('/')[-1]} {share:.0%}"
                                                       for share, _c, name in top[:3]))
    return v_red


# ---- the browser ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One callback request the server answered: which callback, when (perf_counter s), how long, bytes."""

    kind: str
    at_s: float
    ms: float
    nbytes: int


class Recorder:
    """WSGI middleware: the server time and answer size of every Dash callback request."""

    KINDS = ((f"{ids.TREE_GRAPH}.elements", "draw"), (f"{ids.TREE_PANEL}.children", "panel"),
             (f"{ids.TREE_EVENT_RECORDS}.children", "records"))

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.calls: list[Call] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != "/_dash-update-component":
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        output = str(json.loads(body or b"{}").get("output", ""))
        kind = next((k for marker, k in self.KINDS if marker in output), "other")
        t0 = time.perf_counter()
        answer = list(self.app(environ, start_response))
        self.calls.append(Call(kind, t0, (time.perf_counter() - t0) * 1000, sum(len(x) for x in answer)))
        return answer

    def since(self, t0: float) -> list[Call]:
        """The calls that started at or after ``t0``."""
        return [c for c in self.calls if c.at_s >= t0]


def start_browser() -> Any:
    """Headless Chromium through Selenium, console logged, the probe installed for every new document."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE_JS})
    return driver


def wait_for(fn: Callable[[], T], timeout_s: float, interval_s: float = 0.005) -> T | None:
    """Poll ``fn`` until it returns something truthy or the time is up."""
    end = time.perf_counter() + timeout_s
    while True:
        value = fn()
        if value or time.perf_counter() > end:
            return value or None
        time.sleep(interval_s)


def wait_idle(driver: Any) -> bool:
    """Wait until no Dash callback is pending on two polls in a row."""
    quiet = 0
    end = time.perf_counter() + IDLE_TIMEOUT_S
    while time.perf_counter() < end:
        quiet = quiet + 1 if driver.execute_script(PENDING_JS) == 0 else 0
        if quiet >= 2:
            return True
        time.sleep(0.01)
    return False


@dataclass
class Tap:
    """One tap on a folded node: ms until the graph rendered more nodes and until Dash was idle; server calls."""

    node: str
    before: int
    after: int
    expand_ms: float | None
    idle_ms: float | None
    calls: list[Call]
    sent_s: float  # perf_counter when the tap was sent

    @property
    def answered_ms(self) -> float | None:
        """ms from the tap until the server finished its last callback answer of this tap."""
        return max(c.at_s + c.ms / 1000 for c in self.calls) * 1000 - self.sent_s * 1000 if self.calls else None

    def server_ms(self, kind: str) -> float | None:
        """Server ms of this tap's callbacks of one kind (None when there was none)."""
        ms = [c.ms for c in self.calls if c.kind == kind]
        return sum(ms) if ms else None


def tap(driver: Any, recorder: Recorder, node: str) -> Tap:
    """Tap a node and wait for the graph to grow, then for Dash to be idle."""
    t0 = time.perf_counter()
    tap_at, before = driver.execute_script(TAP_JS, node)
    hit = wait_for(lambda: driver.execute_script(GREW_JS, tap_at, before), TAP_TIMEOUT_S)
    idle = wait_idle(driver)
    now = driver.execute_script("return performance.now();")
    after = driver.execute_script("return window.__bench.cy.nodes().length;")
    return Tap(node, before, after, hit[0] - tap_at if hit else None, now - tap_at if idle else None,
               recorder.since(t0), t0)


def tap_folded(driver: Any, recorder: Recorder, limit: int, deadline: float) -> list[Tap]:
    """Tap the first folded node until none is left, ``limit`` taps or the deadline (perf_counter s).

    A tap whose draw request is superseded by another draw request in flight (the page's 60 s refresh) is lost:
    the graph does not grow. The node is then selected, so tapping it again unfolds it; a second loss stops.
    """
    taps: list[Tap] = []
    while len(taps) < limit:
        if time.perf_counter() > deadline:
            print(f"  ! stopped after {len(taps)} taps: the time budget is spent")
            break
        folded = driver.execute_script(FOLDED_JS)
        if not folded:
            break
        taps.append(tap(driver, recorder, folded[0]))
        if taps[-1].expand_ms is None:
            print(f"  ! the tap on {folded[0]} did not grow the graph within {TAP_TIMEOUT_S:.0f} s "
                  f"(server calls: {', '.join(c.kind for c in taps[-1].calls)}); tapping it again")
            taps.append(tap(driver, recorder, folded[0]))
            if taps[-1].expand_ms is None:
                print("  ! the second tap did not grow the graph either; stopping")
                break
    return taps


def tap_report(taps: list[Tap]) -> tuple[str, str]:
    """(browser times, server times) of some taps, as text."""
    lost = sum(t.expand_ms is None for t in taps)
    browser = (f"expand {spread([t.expand_ms for t in taps if t.expand_ms is not None])}; until idle "
               f"{spread([t.idle_ms for t in taps if t.idle_ms is not None])}; until the server's last answer "
               f"{spread([t.answered_ms for t in taps if t.answered_ms is not None])}"
               + (f"; {lost} lost (the graph did not grow; tapped again)" if lost else ""))
    parts = []
    for kind in ("draw", "panel", "records", "other"):
        ms = [v for t in taps if (v := t.server_ms(kind)) is not None]
        if ms:
            parts.append(f"{kind} {statistics.median(ms):.0f} ms (p95 {bb.pct(ms, 95):.0f})")
    draw_bytes = [c.nbytes for t in taps for c in t.calls if c.kind == "draw"]
    if draw_bytes:
        parts.append(f"draw answer median {statistics.median(draw_bytes):,.0f} bytes")
    return browser, "server per tap: " + ", ".join(parts)


def slowest(taps: list[Tap], n: int = 3) -> list[str]:
    """The ``n`` taps slowest to idle: when, how long, and each server call's start and duration after the tap."""
    if not taps:
        return []
    t_first = taps[0].sent_s
    out = []
    for t in sorted(taps, key=lambda t: -(t.idle_ms or 0))[:n]:
        calls = ", ".join(f"{c.kind} +{(c.at_s - t.sent_s) * 1000:.0f}/{c.ms:.0f}/{c.nbytes:,}" for c in t.calls)
        out.append(f"tap at +{t.sent_s - t_first:.1f} s on {t.node}: expand {t.expand_ms or 0:.0f} ms, idle "
                   f"{t.idle_ms or 0:.0f} ms; server calls (start after the tap ms/server ms/bytes) {calls}")
    return out


def browser_run(settings: Settings, services: Services, day: Period, initial: int, n_nodes: int, expands: int,
                expand_all: bool, budget_s: float, summary_: Any) -> None:
    """Open /tree on the synthetic plant in Chromium; time the first draw, expands and expand-all."""
    server = bb.start_server(settings, services)
    recorder = Recorder(server.httpd.app)
    server.httpd.app = recorder
    driver = None
    try:
        t0 = time.perf_counter()
        driver = start_browser()
        url = f"http://127.0.0.1:{server.port}/tree?tree={SYNTH_TREE}&scope=plant&grain=day&date={day.first}"
        print(f"\n== browser: Chromium headless (started in {time.perf_counter() - t0:.1f} s), {url}", flush=True)
        t0 = time.perf_counter()
        driver.get(url)
        hit = wait_for(lambda: driver.execute_script(FIRST_JS, initial), 60.0)
        wall_ms = (time.perf_counter() - t0) * 1000
        nav = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0]; const b = window.__bench;"
            "return [n ? n.loadEventEnd : 0, b.found || 0, b.log.length ? b.log[b.log.length - 1][1] : 0];")
        wait_idle(driver)
        first_draw = [c for c in recorder.since(t0) if c.kind == "draw"]
        if hit is None:
            print(f"  ! the graph never rendered {initial} nodes in 60 s (last count {nav[2]})")
            summary_.add("browser first draw", f"FAILED: {nav[2]} of {initial} nodes after 60 s")
        else:
            server_ms = f"{first_draw[0].ms:.0f} ms, {first_draw[0].nbytes:,} bytes" if first_draw else "not seen"
            print(f"  first draw: {hit[1]} nodes rendered {hit[0]:.0f} ms after navigation start (Python wall "
                  f"{wall_ms:.0f} ms); load event {nav[0]:.0f} ms, cytoscape found {nav[1]:.0f} ms; "
                  f"draw callback on the server {server_ms}", flush=True)
            summary_.add("browser first draw", f"{hit[0]:.0f} ms to {hit[1]} nodes rendered (load event "
                         f"{nav[0]:.0f} ms; draw callback {server_ms})")
        taps = tap_folded(driver, recorder, expands, time.perf_counter() + budget_s)
        end_count = driver.execute_script("return window.__bench.cy.nodes().length;")
        browser, server_text = tap_report(taps)
        print(f"  {len(taps)} expands, nodes {taps[0].before if taps else end_count} → {end_count}: {browser}")
        print(f"    {server_text}", flush=True)
        summary_.add("browser expand", f"{len(taps)} taps, {browser}")
        summary_.add("  server per expand", server_text.removeprefix("server per tap: "))
        if expand_all:
            t0 = time.perf_counter()
            more = tap_folded(driver, recorder, MAX_EXPAND_ALL_TAPS, time.perf_counter() + budget_s)
            seconds = time.perf_counter() - t0
            end_count = driver.execute_script("return window.__bench.cy.nodes().length;")
            every = taps + more
            browser, server_text = tap_report(every)
            print(f"  expand all: {len(more)} more taps in {seconds:.1f} s; over all {len(every)} taps: {browser}")
            print(f"    {server_text}")
            print(f"    nodes at the end {end_count} of {n_nodes}" + ("" if end_count == n_nodes else "  ! not all"))
            for line in slowest(every):
                print(f"    slowest: {line}")
            summary_.add("browser expand all", f"{len(every)} taps in all, {browser}; {end_count} of {n_nodes} "
                         "nodes at the end")
            summary_.add("  server per tap", server_text.removeprefix("server per tap: "))
        logs = driver.get_log("browser")
        severe = [e for e in logs if e.get("level") == "SEVERE"]
        print(f"  browser console: {len(severe)} SEVERE of {len(logs)} entries", flush=True)
        for e in severe[:3]:
            print(f"    ! {e.get('message', '')[:200]}")
        summary_.add("browser console", f"{len(severe)} SEVERE entries")
    finally:
        if driver is not None:
            driver.quit()
        server.stop()


# ---- main ----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--lines", type=int, default=20, help="production lines (in up to 5 areas)")
    p.add_argument("--years", type=float, default=5.0, help="years of history ending yesterday (at least 0.2)")
    p.add_argument("--runs", type=int, default=20, help="timed runs per in-process measurement")
    p.add_argument("--nodes", type=int, default=300, help="KPIs in the synthetic tree (at least 10)")
    p.add_argument("--expands", type=int, default=10, help="timed expands in the browser before 'expand all'")
    p.add_argument("--no-expand-all", action="store_true", help="skip tapping until every node is drawn")
    p.add_argument("--no-browser", action="store_true", help="skip the browser part")
    p.add_argument("--budget", type=float, default=300.0,
                   help="seconds the browser may spend on the expands, and again on 'expand all'")
    p.add_argument("--quick", action="store_true",
                   help="--lines 4 --years 0.3 --runs 5 --expands 5 --nodes 120 --budget 30 (under a minute)")
    p.add_argument("--workdir", type=Path, help="folder for the plants (kept; a matching loaded plant is reused)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    if args.quick:
        args.lines, args.years, args.runs, args.expands, args.nodes, args.budget = 4, 0.3, 5, 5, 120, 30.0
    if args.years < 0.2 or args.lines < 1 or args.runs < 1 or args.nodes < 10 or args.expands < 0:
        p.error("--years at least 0.2 (a complete month and the one before), --lines and --runs at least 1, "
                "--nodes at least 10, --expands at least 0")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="huddle-bench-tree-"))
    workdir.mkdir(parents=True, exist_ok=True)
    summary_ = bdp.Summary()
    started = time.perf_counter()
    try:
        return _run(args, workdir.resolve(), summary_, started)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nplants and databases kept in {workdir}")


def measure_trees(services: Services, last_loaded: date, runs: int, summary_: Any,
                  grains: tuple[str, ...] = ("day", "week", "month"), panels: bool = True) -> list[BenchRow]:
    """The tree (and its panels) for the last complete day, week and month, at plant scope and for one line."""
    config = services.config
    line = "L07" if "L07" in config.lines else list(config.lines)[-1]
    periods = {g: p for g, p in complete_periods(last_loaded).items() if g in grains}
    with services.db.connect() as conn:
        n_facts = conn.execute(text("SELECT COUNT(*) FROM shift_facts")).scalar_one()
    summary_.add("periods", ", ".join(f"{g} {p.label}" for g, p in periods.items())
                 + f"; line {line}; shift_facts {n_facts:,} rows")
    rows = []
    for grain, period in periods.items():
        for scope, line_filter in (("plant", None), (line, line)):
            case = Case(f"{grain} {'plant' if line_filter is None else 'line'}", scope, period, line_filter)
            print(f"\n== {case.label}: {period.label} ({period.first} … {period.last}), median of {runs}",
                  flush=True)
            rows.append(measure_tree(services, case, runs, summary_))
            rows.extend(measure_panel(services, case, kpi, runs, summary_) for kpi in PANEL_KPIS if panels)
    return rows


def _run(args: argparse.Namespace, workdir: Path, summary_: Any, started: float) -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print(f"Huddle tree benchmark: {args.lines} lines, {args.years:g} years, synthetic tree of {args.nodes}, "
          f"Python {sys.version.split()[0]}, code {bdp.code_version()}, workdir {workdir}", flush=True)
    plant = bb.build_plant(workdir, args.lines, args.years, summary_)
    plant.settings.plant_path.write_text(yaml.safe_dump(tree_plant_document(args.lines), sort_keys=False),
                                         encoding="utf-8")
    services = build_services(plant.settings)
    measure_trees(services, plant.last, args.runs, summary_)
    services.dispose()

    synth = build_synthetic(workdir, args.lines, args.nodes, plant.last, summary_)
    day = complete_periods(plant.last)["day"]
    red_view = measure_synthetic(synth, day, args.runs, summary_)
    if not args.no_browser:
        browser_run(synth.settings, synth, day, len(red_view.visible), len(synth.config.trees[SYNTH_TREE].nodes()),
                    args.expands, not args.no_expand_all, args.budget, summary_)
    synth.dispose()
    summary_.add("peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    summary_.add("wall time", f"{time.perf_counter() - started:.0f} s"
                 + (f" (plant build {plant.build_seconds:.0f} s)" if not plant.reused else " (plant reused)"))
    summary_.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
