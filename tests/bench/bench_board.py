"""Benchmark of the wall-TV shift board: server time of a refresh, its response size, and a room full of TVs.

What it measures, in one run (``python tests/bench/bench_board.py [--lines 20] [--years 1] [--tvs 100]``):

1. **Plant.** The large plant of ``bench_data_path.py`` (its generator and the real loaders, imported from that
   script, not copied): ``--lines`` lines, 3 shifts, ``--years`` of export files ending yesterday, loaded into a
   fresh SQLite database. With ``--workdir`` a database this script loaded before, for the same ``--lines`` and
   ``--years``, is reused (``bench_board.json`` in the folder records what was loaded).
2. **Server time of one refresh.** The board shows the night shift of the day before the last loaded day (the
   last shift with complete data; an explicit ``date``/``shift`` view, as ``/board?date=…&shift=N`` would) for one
   line and for the whole plant: ``board_view`` (``services/board.py``) + ``render_board`` (``pages/board.py``),
   median of ``--runs`` warm runs, with each part apart, and the whole refresh as the web app answers it (the render
   made plain, as the render cache keeps it, and encoded as Dash sends it). Floors, measured in the same
   run on the same database:
   *headline floor*: one SUM of every measure over that shift's ``shift_facts`` rows (the OEE numerator Σ ideal ×
   good and denominator PPT and every other headline KPI's sums) plus the top-losses aggregate over
   ``stop_events`` (clipped minutes per reason, top 3);
   *content floor*: the headline floor plus one query per other panel of the board, each covering every KPI:
   counts per hour of the shift, measures per shift over the last 14 shifts (the trends) and per day of the month
   (the month calendars).
   The board's OEE and top losses are checked against the floor (``agree`` / ``DIFFER``). One line and one plant
   ``board_view`` is run under cProfile: the top entries by cumulative and own time, and the time of each function
   ``board_view`` calls directly (trends, red streaks, month calendars, safety cross, …) as a share of the whole.
3. **Response size.** The app (``create_app`` with ``anonymous_access="read"``, so no sign-in) is served by
   werkzeug's threaded server on 127.0.0.1 and a free port, in a thread of this process. The board's refresh
   callback is POSTed to ``/_dash-update-component`` as the browser does: first with no key (a full render:
   status, bytes, gzip bytes), then with the key it returned (nothing changed: HTTP 204, 0 bytes expected).
4. **Load.** ``--tvs`` simulated TVs (half on the plant board, half on line boards), each with its own keep-alive
   connection, refresh every ``--interval`` seconds, staggered over the first interval, for ``--duration``
   seconds. Each TV's first request has no key (page load), later ones send the last key it received, as the
   browser does. Printed: requests, errors, latency p50/p95/p99/max overall and by answer (200 render / 204), the
   share of 204s, and CPU: ``getrusage(RUSAGE_SELF)`` before/after, minus the CPU the client threads used
   (``time.thread_time`` in each), because server and clients share this process. Then a **burst**: the data
   version is bumped (``data.queries.ledger.bump_data_version``, as every load that stores rows does) and every TV sends
   its (now stale) key at the same instant: every answer is a full render; the latency distribution and the time
   until the last TV has its board are printed.
5. **Summary** of every figure.

The board refresh key includes a 5-minute bucket (``STALE_RECHECK_S``): when the load phase crosses a bucket
boundary every TV gets one full render, which shows as a lower share of 204s. This is a script, not a test: pytest
does not collect it. The temporary folder is removed at the end unless ``--keep`` or ``--workdir`` is given.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import gzip
import http.client
import json
import logging
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.kpi import MEASURES
from huddle.dashboard.core.periods import Period
from huddle.dashboard.heap import settle_heap
from huddle.dashboard.services.board import board_view
from huddle.dashboard.services.container import Services, build_services
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.render_cache import plain
from huddle.data.models import UTCDateTime
from huddle.data.queries.ledger import bump_data_version
from huddle.pages.board import render_board
from plotly.io.json import to_json_plotly
from siblings import import_sibling  # tests/bench is on the path when a bench script runs
from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection
from werkzeug.serving import BaseWSGIServer, make_server

bdp = import_sibling("bench_data_path")
benchtable = import_sibling("benchtable")

MARKER = "bench_board.json"
TRENDS_SHIFTS = 14  # the board's sparkline: last 14 shifts (huddle.dashboard.services.trends.trend's default)
MAX_DURATION_S = 900
MAX_TVS = 1000


# ---- the plant -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plant:
    """A loaded benchmark plant: where it is and what it holds."""

    workdir: Path
    settings: Settings
    first: date
    last: date
    rows: int
    reused: bool
    build_seconds: float


def build_plant(workdir: Path, n_lines: int, years: float, summary: Any, database_url: str | None = None) -> Plant:
    """Generate and load the plant (bench_data_path's generator and the loaders), or reuse a matching one.

    With ``database_url`` (an empty database, or a PostgreSQL schema) the plant is loaded there and never reused."""
    plant_path, db = workdir / "plant.yaml", workdir / "huddle.sqlite"
    settings = Settings(data_dir=workdir, database_url=database_url or f"sqlite:///{db}", plant_config=plant_path,
                        anonymous_access="read")
    marker = workdir / MARKER
    if database_url is None and marker.exists() and db.exists() and plant_path.exists():
        saved = json.loads(marker.read_text(encoding="utf-8"))
        if saved.get("lines") == n_lines and saved.get("years") == years:
            print(f"\n== plant: reusing {db} ({saved['rows']:,} rows, {saved['first']} … {saved['last']})", flush=True)
            summary.add("plant", f"reused: {n_lines} lines, {saved['first']} … {saved['last']}, {saved['rows']:,} rows")
            return Plant(workdir, settings, date.fromisoformat(saved["first"]), date.fromisoformat(saved["last"]),
                         saved["rows"], True, 0.0)
    t0 = time.perf_counter()
    marker.unlink(missing_ok=True)
    shutil.rmtree(workdir / "inbox", ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    plant_path.write_text(yaml.safe_dump(bdp.plant_document(n_lines), sort_keys=False), encoding="utf-8")
    services = build_services(settings)
    config = services.config
    last = datetime.now(config.tz).date() - timedelta(days=1)
    first = last - timedelta(days=round(years * 365.2425) - 1)
    print(f"\n== plant: generate {n_lines} lines, {first} … {last} ({(last - first).days + 1} days)", flush=True)
    gen = bdp.generate(config, workdir / "inbox", first, last)
    n_rows = sum(gen.rows.values())
    print(f"  {n_rows:,} rows in {len(gen.files)} files, {gen.bytes / 1e6:,.1f} MB, {gen.seconds:.1f} s", flush=True)
    print("== plant: load through the loaders", flush=True)
    loaded = bdp.load_with_loader(services)
    with services.db.connect() as conn:
        n_facts = conn.execute(text("SELECT COUNT(*) FROM shift_facts")).scalar_one()
    services.dispose()
    seconds = time.perf_counter() - t0
    print(f"  loaded {loaded.total_rows:,} rows in {loaded.total_seconds:.1f} s; shift_facts {n_facts:,} rows; "
          f"plant built in {seconds:.0f} s", flush=True)
    if database_url is None:
        marker.write_text(json.dumps({"lines": n_lines, "years": years, "first": first.isoformat(),
                                      "last": last.isoformat(), "rows": loaded.total_rows}), encoding="utf-8")
    summary.add("plant", f"built: {n_lines} lines, {first} … {last}, {loaded.total_rows:,} rows "
                f"(generate {gen.seconds:.0f} s, load {loaded.total_seconds:.0f} s)")
    return Plant(workdir, settings, first, last, loaded.total_rows, False, seconds)


# ---- floors --------------------------------------------------------------------------------------------------

_SUMS = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
_DATES = (bindparam("day", type_=Date()), bindparam("first", type_=Date()), bindparam("last", type_=Date()))
_TIMES = tuple(bindparam(name, type_=UTCDateTime()) for name in ("lo", "hi", "lookback"))
#: The plant is every fact row (line, area and plant level facts), as the readings' plant scope filter.
PLANT_SHIFT_SQL = text(f"""
SELECT {_SUMS}, MAX(data_through_utc) AS data_through, COUNT(*) AS facts FROM shift_facts
 WHERE production_date = :day AND shift = :shift
""").bindparams(_DATES[0])
LINE_SHIFT_SQL = text(f"""
SELECT {_SUMS}, MAX(data_through_utc) AS data_through, COUNT(*) AS facts FROM shift_facts
 WHERE production_date = :day AND line = :line AND shift = :shift
""").bindparams(_DATES[0])


@functools.cache
def losses_sql(dialect: str) -> Any:
    """Unplanned stops and changeovers clipped to the shift window, minutes per reason (generated stops never
    overlap breaks, so no break clipping is needed), top 3."""
    return text(f"""
SELECT reason, category, SUM(ov) / 60.0 AS minutes, COUNT(CASE WHEN start_utc >= :lo THEN 1 END) AS n FROM
  (SELECT reason, category, start_utc, {benchtable.overlap_seconds(dialect)} AS ov
     FROM stop_events
    WHERE line IN :lines AND start_utc >= :lookback AND start_utc < :hi AND end_utc > :lo AND category <> 'planned')
    AS clipped
 GROUP BY reason, category ORDER BY minutes DESC, n DESC, reason LIMIT 3
""").bindparams(bindparam("lines", expanding=True), *_TIMES)


HOURS_SQL = text("""
SELECT start_utc, SUM(good) AS good, SUM(planned_qty) AS planned FROM production_counts
 WHERE line IN :lines AND start_utc >= :lo AND start_utc < :hi GROUP BY start_utc ORDER BY start_utc
""").bindparams(bindparam("lines", expanding=True), *_TIMES[:2])


def _grouped_sql(group: str, line: bool) -> Any:
    where = "production_date >= :first AND production_date <= :last" + (" AND line = :line" if line else "")
    return text(f"SELECT {group}, {_SUMS}, COUNT(*) AS facts FROM shift_facts WHERE {where} "
                f"GROUP BY {group} ORDER BY {group}").bindparams(*_DATES[1:])


TREND_SQL = {line: _grouped_sql("production_date, shift", line) for line in (False, True)}
MONTH_SQL = {line: _grouped_sql("production_date", line) for line in (False, True)}


@dataclass(frozen=True)
class Floor:
    """What the floor queries returned: the shift's summed measures and the top losses."""

    sums: Any
    losses: list[Any]


@dataclass(frozen=True)
class BoardCase:
    """One board to measure: a scope and a shift, and the shift's window."""

    label: str
    scope: str
    lines: tuple[str, ...]
    period: Period
    inst: ShiftInstance

    @property
    def is_line(self) -> bool:
        return self.label == "line"


def headline_floor(conn: Connection, case: BoardCase) -> Floor:
    """The shift's summed measures over shift_facts and the top-losses aggregate over stop_events."""
    day, shift = case.period.first, case.period.shift
    sums = (conn.execute(LINE_SHIFT_SQL, {"day": day, "line": case.scope, "shift": shift}).one() if case.is_line
            else conn.execute(PLANT_SHIFT_SQL, {"day": day, "shift": shift}).one())
    lo, hi = case.inst.start_utc, case.inst.end_utc
    losses = conn.execute(losses_sql(conn.dialect.name), {"lines": list(case.lines), "lo": lo, "hi": hi,
                                       "lookback": lo - timedelta(days=7)}).all()
    return Floor(sums, losses)


def content_floor(conn: Connection, case: BoardCase) -> Floor:
    """The headline floor plus one query per other panel: hours, the 14-shift trends, the month by day."""
    floor = headline_floor(conn, case)
    day = case.period.first
    conn.execute(HOURS_SQL, {"lines": list(case.lines), "lo": case.inst.start_utc, "hi": case.inst.end_utc}).all()
    line = {"line": case.scope} if case.is_line else {}
    conn.execute(TREND_SQL[case.is_line], {"first": day - timedelta(days=TRENDS_SHIFTS // 3 + 1), "last": day}
                 | line).all()
    month_first = day.replace(day=1)
    month_last = (month_first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    conn.execute(MONTH_SQL[case.is_line], {"first": month_first, "last": month_last} | line).all()
    return floor


def board_oee(view: dict[str, Any]) -> float | None:
    """The OEE tile's raw value of a board read model."""
    for column in view["columns"]:
        for k in column["kpis"]:
            if k["kpi"] == "oee":
                return k["raw"]
    return None


def losses_agree(view: dict[str, Any], floor: Floor) -> str:
    """'agree' when the board's top losses are the floor's (reason, minutes to 1e-6, count)."""
    board = [(x["reason"], x["minutes"], x["count"]) for x in view["losses"]]
    sql = [(r.reason, r.minutes, r.n) for r in floor.losses]
    if len(board) != len(sql):
        return f"DIFFER ({len(board)} vs {len(sql)} losses)"
    for (br, bm, bn), (sr, sm, sn) in zip(board, sql, strict=True):
        if br != sr or bn != sn or abs(bm - sm) > 1e-6 * max(1.0, abs(sm)):
            return f"DIFFER ({br} {bm:.3f} min {bn} stops vs {sr} {sm:.3f} min {sn} stops)"
    return "agree"


# ---- server time ---------------------------------------------------------------------------------------------


def measure_refresh(services: Services, case: BoardCase, runs: int, summary: Any) -> list[Any]:
    """Server time of one board refresh against its floors; returns the table's rows (data, and data + render,
    against the content floor)."""
    print(f"\n== server time: {case.label} board, {case.period.label} (median of {runs})", flush=True)
    timed = benchtable.timed
    t_view, view = timed(lambda: board_view(services, case.scope, case.period), runs)
    t_render, body = timed(lambda: render_board(view), runs)
    # as the web app sends a board: the render made plain (what the render cache keeps) and encoded by Dash
    t_json, encoded = timed(lambda: to_json_plotly(plain(body)), runs)
    t_refresh, _r = timed(lambda: render_board(board_view(services, case.scope, case.period)), runs)
    t_whole, _w = timed(lambda: to_json_plotly(plain(render_board(board_view(services, case.scope, case.period)))),
                        runs)
    with services.db.connect() as conn:
        t_head, floor = timed(lambda: headline_floor(conn, case), runs)
        t_content, _f = timed(lambda: content_floor(conn, case), runs)
    view_ms, render_ms, json_ms, refresh_ms = t_view.median, t_render.median, t_json.median, t_refresh.median
    head_ms, content_ms = t_head.median, t_content.median
    oee, floor_oee = board_oee(view), bdp.facts_oee(floor.sums)
    print(f"  board_view                  {t_view}")
    print(f"  render (Dash components)    {t_render}")
    print(f"  JSON of the render as sent  {json_ms:8.2f} ms ({len(encoded):,} characters)")
    print(f"  refresh = board_view+render {t_refresh}")
    print(f"  + JSON as sent              {t_whole}")
    print(f"  headline floor (SQL)        {t_head}: shift_facts SUM + top losses")
    print(f"  content floor (SQL)         {t_content}: + hours, {TRENDS_SHIFTS}-shift trend, month by day")
    print(f"  ratio refresh/headline floor {refresh_ms / head_ms:.1f}×, refresh/content floor "
          f"{refresh_ms / content_ms:.1f}×, board_view/content floor {view_ms / content_ms:.1f}×")
    oee_check, loss_check = bdp.agree(oee, floor_oee), losses_agree(view, floor)
    checks = "agree" if oee_check == loss_check == "agree" else f"OEE {oee_check}, top losses {loss_check}"
    print(f"  OEE board {oee!r}  floor {floor_oee!r}: {bdp.agree(oee, floor_oee)}; top losses: "
          f"{losses_agree(view, floor)}", flush=True)
    summary.add(f"refresh {case.label}", f"{refresh_ms:.1f} ms (board_view {view_ms:.1f} + render {render_ms:.1f}); "
                f"{t_whole.median:.1f} ms with the JSON sent ({json_ms:.1f})")
    summary.add(f"  floors {case.label}", f"headline {head_ms:.2f} ms, content {content_ms:.2f} ms")
    summary.add(f"  ratio {case.label}", f"{refresh_ms / head_ms:.0f}× headline floor, "
                f"{refresh_ms / content_ms:.0f}× content floor")
    summary.add(f"  check {case.label}", f"OEE {bdp.agree(oee, floor_oee)}, top losses {losses_agree(view, floor)}")
    return [benchtable.BenchRow(f"board {case.label}: data", t_view, t_content, checks),
            benchtable.BenchRow(f"board {case.label}: data + render", t_refresh, t_content, checks),
            benchtable.BenchRow(f"board {case.label}: data + render + JSON", t_whole, t_content, checks)]


def profile_board(services: Services, case: BoardCase, summary: Any, top: int = 15) -> None:
    """One board_view under cProfile: top entries, and the functions board_view calls directly as shares."""
    board_view(services, case.scope, case.period)  # warm
    gc.collect()  # so a collection of earlier garbage is not charged to whatever runs when it starts
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    board_view(services, case.scope, case.period)
    profiler.disable()
    print(f"\n== cProfile: one board_view, {case.label} {case.period.label} "
          f"({(time.perf_counter() - t0) * 1000:.0f} ms under the profiler)")
    bdp.print_profile(profiler, top, 10)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    # the board's work, inside the shared reading context board_view opens
    root = next((f for name in ("_board_view", "board_view") for f in stats
                 if f[2] == name and f[0].endswith("board.py")), None)
    if root is None:
        return
    total = stats[root][3]
    children = sorted(((callers[root][3], callers[root][1], f) for f, (*_x, callers) in stats.items()
                       if root in callers), reverse=True)

    def name(f: tuple[str, int, str]) -> str:
        """A function's name; a comprehension is named after what it calls most."""
        if not f[2].startswith("<"):
            return f[2]
        inner = max(((callers[f][3], g) for g, (*_x, callers) in stats.items() if f in callers), default=None)
        return f"{f[2]} → {inner[1][2]}" if inner else f[2]

    print(f"-- what board_view calls directly (cumulative, {total * 1000:.0f} ms in all under the profiler)")
    for ct, calls, f in children[:12]:
        where = f"{Path(f[0]).parent.name}/{Path(f[0]).name}:{f[1]}" if f[0] != "~" else "built-in"
        print(f"  {ct / total:6.1%} {ct * 1000:8.1f} ms  {calls:>4} calls  {name(f)} ({where})")
    summary.add(f"profile {case.label} board_view", ", ".join(
        f"{name(f)} {ct / total:.0%}" for ct, _n, f in children[:5]))


# ---- HTTP ----------------------------------------------------------------------------------------------------


@dataclass
class Server:
    """The app on werkzeug's threaded server, in a thread of this process."""

    httpd: BaseWSGIServer
    thread: threading.Thread
    output: str  # the refresh callback's output id, as the browser posts it

    @property
    def port(self) -> int:
        return self.httpd.server_port

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


def start_server(settings: Settings, services: Services) -> Server:
    """Serve the app on 127.0.0.1 and a free port (werkzeug, one thread per connection)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(settings, services=services)
    settle_heap()  # as the server does once the app is built
    output = next(k for k in app.callback_map if f"{ids.BOARD_BODY}.children" in k and f"{ids.BOARD_KEY}.data" in k)
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="bench-http", daemon=True)
    thread.start()
    return Server(httpd, thread, output)


def board_view_data(scope: str, period: Period, refresh_s: int) -> dict[str, Any]:
    """The board page's view store, as ``address.BoardAddress`` keeps it for a kiosk URL with date/shift."""
    return {"scope": scope, "scopes": [], "date": period.first.isoformat(), "shift": period.shift or "",
            "live": False, "kiosk": True, "cycle": 0, "refresh": refresh_s, "timer": 0}


def refresh_payload(output: str, view: dict[str, Any], key: str | None, n: int | None) -> bytes:
    """The body the browser POSTs when the board's refresh interval fires (or on page load, n None)."""
    return json.dumps({
        "output": output,
        "outputs": [{"id": ids.BOARD_BODY, "property": "children"}, {"id": ids.BOARD_KEY, "property": "data"}],
        "inputs": [{"id": ids.BOARD_REFRESH, "property": "n_intervals", "value": n},
                   {"id": ids.BOARD_CYCLE, "property": "n_intervals", "value": None},
                   {"id": ids.BOARD_VIEW, "property": "data", "value": view},
                   {"id": ids.ACTION_CHANGED, "property": "data", "value": 0}],
        "changedPropIds": [f"{ids.BOARD_REFRESH}.n_intervals"] if n else [],
        "state": [{"id": ids.BOARD_KEY, "property": "data", "value": key}],
    }).encode()


def unpack(data: bytes, encoding: str | None) -> bytes:
    """An answer's bytes as sent before compression."""
    if encoding == "br":
        import brotli

        return bytes(brotli.decompress(data))
    return gzip.decompress(data) if encoding == "gzip" else data


@dataclass
class Answer:
    """One refresh POST: when, how long, what came back."""

    tv: int
    scope: str
    phase: str
    sent_s: float  # since the phase started
    latency_s: float
    status: int  # 0 for a transport error
    nbytes: int
    body: bytes = b""
    error: str = ""


@dataclass
class Tv:
    """A simulated TV: its board, its connection and the last key it was given."""

    index: int
    scope: str
    view: dict[str, Any]
    port: int
    output: str
    key: str | None = None
    n: int = 0
    conn: http.client.HTTPConnection | None = None
    cpu_s: float = 0.0  # CPU this TV's client thread used (thread_time)
    accept_encoding: str = ""  # what a browser accepts ("gzip, deflate, br"): the answer comes compressed

    def refresh(self, phase: str, t0: float) -> Answer:
        """POST the refresh callback with the last key; keep the new key from a full render."""
        started = time.thread_time()
        body = refresh_payload(self.output, self.view, self.key, self.n or None)
        self.n += 1
        sent = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request("POST", "/_dash-update-component", body=body, headers={
                "Content-Type": "application/json", "Origin": f"http://127.0.0.1:{self.port}"}
                | ({"Accept-Encoding": self.accept_encoding} if self.accept_encoding else {}))
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
            error = "" if status in (200, 204) else f"HTTP {status}: {data[:120]!r}"
        except (OSError, http.client.HTTPException) as exc:
            if self.conn is not None:
                self.conn.close()
            self.conn, data, status, error = None, b"", 0, f"{type(exc).__name__}: {exc}"
        latency = time.perf_counter() - sent
        if status == 200:
            self.key = json.loads(unpack(data, response.getheader("Content-Encoding")))["response"][ids.BOARD_KEY][
                "data"]
        self.cpu_s += time.thread_time() - started
        return Answer(self.index, self.scope, phase, sent - t0, latency, status, len(data), data, error)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def response_size(server: Server, cases: list[BoardCase], summary: Any) -> None:
    """A full render's bytes and the 'nothing changed' answer, over real HTTP, per board."""
    print("\n== response size of one refresh over HTTP (werkzeug threaded server, 127.0.0.1:"
          f"{server.port})", flush=True)
    for case in cases:
        tv = Tv(0, case.scope, board_view_data(case.scope, case.period, 30), server.port, server.output)
        t0 = time.perf_counter()
        full = tv.refresh("size", t0)
        if full.status != 200:
            print(f"  ! {case.label}: first refresh answered {full.status} {full.error}")
            summary.add(f"HTTP {case.label}", f"FAILED: {full.status} {full.error}")
            tv.close()
            continue
        gz = len(gzip.compress(full.body))
        renders = [full.latency_s] + [Tv(0, case.scope, tv.view, server.port, server.output).refresh("size", t0)
                                      .latency_s for _ in range(4)]
        same = [tv.refresh("size", t0) for _ in range(20)]
        statuses = sorted({a.status for a in same})
        nbytes = sorted({a.nbytes for a in same})
        render_ms = statistics.median(renders) * 1000
        same_ms = statistics.median(a.latency_s for a in same) * 1000
        print(f"  {case.label:5s} no key:   HTTP {full.status}, {full.nbytes:,} bytes ({gz:,} gzipped), "
              f"median {render_ms:.1f} ms of 5")
        print(f"  {case.label:5s} same key: HTTP {'/'.join(map(str, statuses))}, "
              f"{'/'.join(map(str, nbytes))} bytes, median {same_ms:.2f} ms of 20"
              + ("" if statuses == [204] and nbytes == [0] else "  ! expected 204 and 0 bytes"), flush=True)
        summary.add(f"HTTP {case.label} full render", f"{full.nbytes:,} bytes ({gz:,} gzipped), {render_ms:.1f} ms")
        summary.add(f"HTTP {case.label} unchanged", f"HTTP {'/'.join(map(str, statuses))}, "
                    f"{'/'.join(map(str, nbytes))} bytes, {same_ms:.2f} ms")
        tv.close()


# ---- load ----------------------------------------------------------------------------------------------------


pct = benchtable.pct


def distribution(values_s: list[float]) -> str:
    """'p50 … p95 … p99 … max …' in ms."""
    if not values_s:
        return "no answers"
    return (f"p50 {pct(values_s, 50) * 1000:.0f} ms, p95 {pct(values_s, 95) * 1000:.0f} ms, "
            f"p99 {pct(values_s, 99) * 1000:.0f} ms, max {max(values_s) * 1000:.0f} ms")


def cpu_seconds() -> float:
    """User + system CPU seconds of this whole process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@dataclass
class Phase:
    """Answers and CPU of one load phase."""

    name: str
    answers: list[Answer] = field(default_factory=list)
    wall_s: float = 0.0
    process_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def server_cpu_s(self) -> float:
        return self.process_cpu_s - self.client_cpu_s

    def report(self, summary: Any) -> None:
        ok = [a for a in self.answers if a.status in (200, 204)]
        errors = [a for a in self.answers if a.status not in (200, 204)]
        n204 = sum(a.status == 204 for a in ok)
        print(f"  {self.name}: {len(self.answers)} requests in {self.wall_s:.1f} s, {len(errors)} errors, "
              f"{n204} answered 204 ({n204 / max(1, len(ok)):.0%}), {sum(a.nbytes for a in ok) / 1e6:,.1f} MB sent")
        print(f"    latency all       {distribution([a.latency_s for a in ok])}")
        for status, name in ((200, "full render"), (204, "204 unchanged")):
            for scope_kind in ("plant", "line"):
                sel = [a.latency_s for a in ok
                       if a.status == status and (a.scope == "plant") == (scope_kind == "plant")]
                if sel:
                    print(f"    {name:13s} {scope_kind:5s} n={len(sel):<5d} {distribution(sel)}")
        print(f"    CPU: process {self.process_cpu_s:.1f} s (getrusage RUSAGE_SELF), client threads "
              f"{self.client_cpu_s:.1f} s, server ≈ {self.server_cpu_s:.1f} s = "
              f"{100 * self.server_cpu_s / max(self.wall_s, 1e-9):.0f}% of one core over {self.wall_s:.1f} s",
              flush=True)
        for e in errors[:3]:
            print(f"    ! TV {e.tv} ({e.scope}) at {e.sent_s:.1f} s: {e.error}")
        lat = [a.latency_s for a in ok]
        summary.add(f"load {self.name}", f"{len(self.answers)} requests, {len(errors)} errors, "
                    f"{n204 / max(1, len(ok)):.0%} 204, {distribution(lat)}")
        summary.add(f"  CPU {self.name}", f"server ≈ {self.server_cpu_s:.1f} s "
                    f"({100 * self.server_cpu_s / max(self.wall_s, 1e-9):.0f}% of one core; process "
                    f"{self.process_cpu_s:.1f} s − clients {self.client_cpu_s:.1f} s)")


def run_phase(name: str, tvs: list[Tv], pool: ThreadPoolExecutor, job: Callable[[Tv, float], list[Answer]]) -> Phase:
    """Run ``job`` for every TV in the pool, with CPU before/after."""
    phase = Phase(name)
    cpu0, client0 = cpu_seconds(), sum(tv.cpu_s for tv in tvs)
    t0 = time.perf_counter()
    for answers in pool.map(lambda tv: job(tv, t0), tvs):
        phase.answers.extend(answers)
    phase.wall_s = time.perf_counter() - t0
    phase.process_cpu_s = cpu_seconds() - cpu0
    phase.client_cpu_s = sum(tv.cpu_s for tv in tvs) - client0
    return phase


def load_test(server: Server, services: Services, cases: dict[str, BoardCase], lines: list[str],
              args: argparse.Namespace, summary: Any) -> None:
    """TVs refreshing on their interval, staggered, then all at once after a data change."""
    period = cases["plant"].period
    tvs = []
    for i in range(args.tvs):
        scope = "plant" if i % 2 == 0 else lines[(i // 2) % len(lines)]
        tvs.append(Tv(i, scope, board_view_data(scope, period, args.interval), server.port, server.output))
    n_plant = sum(tv.scope == "plant" for tv in tvs)
    print(f"\n== load: {args.tvs} TVs ({n_plant} plant, {args.tvs - n_plant} line boards over {len(lines)} lines), "
          f"every {args.interval} s, staggered, for {args.duration} s; server and clients in this process", flush=True)

    def steady(tv: Tv, t0: float) -> list[Answer]:
        out = []
        due = t0 + tv.index * args.interval / len(tvs)
        while due < t0 + args.duration:
            time.sleep(max(0.0, due - time.perf_counter()))
            out.append(tv.refresh("steady", t0))
            due += args.interval
        return out

    barrier = threading.Barrier(len(tvs))

    def burst(tv: Tv, t0: float) -> list[Answer]:
        barrier.wait()
        return [tv.refresh("burst", t0)]

    with ThreadPoolExecutor(max_workers=len(tvs), thread_name_prefix="tv") as pool:
        bucket0 = int(time.time() // 300)
        phase = run_phase("steady", tvs, pool, steady)
        crossed = int(time.time() // 300) != bucket0
        phase.report(summary)
        first = [a for a in phase.answers if a.status == 200 and a.sent_s < args.interval]
        later = [a for a in phase.answers if a.status == 200 and a.sent_s >= args.interval]
        print(f"    full renders: {len(first)} page loads in the first interval, {len(later)} later"
              + (" (a 5-minute key bucket boundary was crossed: one re-render per TV expected)" if crossed else ""))
        with services.sessions.begin() as session:
            bump_data_version(session)
        version = services.readings.data_version()
        print(f"  data version bumped to {version}: every TV now holds a stale key", flush=True)
        b = run_phase("burst", tvs, pool, burst)
        b.report(summary)
        done = max((a.sent_s + a.latency_s for a in b.answers), default=0.0)
        lat = sorted(a.latency_s for a in b.answers if a.status in (200, 204))
        deciles = ", ".join(f"{q}% {pct(lat, q) * 1000:.0f}" for q in (10, 25, 50, 75, 90, 100)) if lat else "-"
        print(f"    burst: last board delivered {done:.1f} s after the change; latency deciles (ms) {deciles}",
              flush=True)
        summary.add("  burst last board", f"{done:.1f} s after the data change ({len(tvs)} TVs at once)")
    for tv in tvs:
        tv.close()


# ---- main ----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--lines", type=int, default=20, help="production lines (in up to 5 areas)")
    p.add_argument("--years", type=float, default=1.0, help="years of history ending yesterday")
    p.add_argument("--tvs", type=int, default=100, help="simulated TVs in the load test (0: no load test)")
    p.add_argument("--interval", type=float, default=30.0, help="seconds between a TV's refreshes")
    p.add_argument("--duration", type=float, default=120.0, help=f"seconds of steady load (at most {MAX_DURATION_S})")
    p.add_argument("--runs", type=int, default=20, help="timed runs per in-process measurement")
    p.add_argument("--workdir", type=Path, help="folder for the plant (kept; a matching loaded plant is reused)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    if args.years < 0.05 or args.lines < 1 or args.runs < 1:
        p.error("--years must be at least 0.05, --lines and --runs at least 1")
    if not 0 <= args.tvs <= MAX_TVS or not 0 < args.duration <= MAX_DURATION_S or args.interval <= 0:
        p.error(f"--tvs 0…{MAX_TVS}, --duration up to {MAX_DURATION_S} s, --interval > 0")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="huddle-bench-board-"))
    workdir.mkdir(parents=True, exist_ok=True)
    summary = bdp.Summary()
    started = time.perf_counter()
    try:
        return _run(args, workdir.resolve(), summary, started)
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"\nplant and database kept in {workdir}")


def _run(args: argparse.Namespace, workdir: Path, summary: Any, started: float) -> int:
    print(f"Huddle board benchmark: {args.lines} lines, {args.years:g} years, Python {sys.version.split()[0]}, "
          f"code {bdp.code_version()}, workdir {workdir}", flush=True)
    plant = build_plant(workdir, args.lines, args.years, summary)
    services = build_services(plant.settings)
    config = services.config
    day = plant.last - timedelta(days=1)  # its night shift is the last shift with complete data
    shift = config.calendar.shifts[-1].key
    period = Period("shift", day, day, shift)
    inst = config.calendar.instance(day, shift)
    lines = list(config.lines)
    line = "L07" if "L07" in config.lines else lines[-1]
    cases = {"line": BoardCase("line", line, (line,), period, inst),
             "plant": BoardCase("plant", "plant", tuple(lines), period, inst)}
    with services.db.connect() as conn:
        n_facts = conn.execute(text("SELECT COUNT(*) FROM shift_facts")).scalar_one()
    summary.add("board shown", f"{period.label} ({inst.start_utc:%Y-%m-%d %H:%M}–{inst.end_utc:%H:%M} UTC); "
                f"line {line}, plant of {len(lines)} lines; shift_facts {n_facts:,} rows")

    for case in cases.values():
        measure_refresh(services, case, args.runs, summary)
    for case in cases.values():
        profile_board(services, case, summary)

    server = start_server(plant.settings, services)
    try:
        response_size(server, list(cases.values()), summary)
        if args.tvs:
            load_test(server, services, cases, lines, args, summary)
    finally:
        server.stop()
        services.dispose()
    db = workdir / "huddle.sqlite"
    size, wal = bdp.file_size(db)
    summary.add("database file", f"{size / 1e6:,.1f} MB (+ WAL {wal / 1e6:,.1f} MB)")
    summary.add("peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    summary.add("wall time", f"{time.perf_counter() - started:.0f} s"
                + (f" (plant build {plant.build_seconds:.0f} s)" if not plant.reused else " (plant reused)"))
    summary.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
