"""Load test: a plant's wall TVs and supervisors against gunicorn and PostgreSQL on this machine (loopback only).

    python tests/bench/load_test.py                        # 200 TVs every 30 s + 20 supervisors, 5 minutes
    python tests/bench/load_test.py --soak-minutes 120      # the TVs for two hours, worker memory sampled
    python tests/bench/load_test.py --bursts 3 --tvs 100 [--redis-url redis://…]   # a room of TVs after new data

1. **Plant.** ``bench_data_path.py``'s generator (``--lines`` lines, ``--years`` of history ending yesterday) loaded
   through the real loaders into a schema of its own (``huddle_load``) in the PostgreSQL database named by
   ``--database-url`` (default: ``HUDDLE_TEST_POSTGRES_URL``, else the machine's ``test`` database). A schema
   loaded before for the same lines and years is reused.
2. **Server.** ``gunicorn 'huddle.dashboard.wsgi:create_server()'`` with ``--workers`` processes of ``--threads``
   threads,
   anonymous reading on (TVs on a trusted network), and Redis sharing the board renders when ``--redis-url`` is
   given (keys under a prefix naming the database, so other plants in the same Redis keep apart). ``--schema``
   names another schema than ``huddle_load``. No scheduler: a thread bumps the data version every
   ``--change-every`` seconds, as a loader that found new data would, so every TV's next refresh renders its board
   again.
3. **Clients**, each a thread of this process:
   - ``--tvs`` wall TVs, one board each (every line, area and the plant, round robin), sending the board's refresh
     callback (the POST the browser sends) every ``--interval`` seconds, started at random offsets, each on a new
     connection (gunicorn closes idle keep-alive connections after 2 s, and a browser then reconnects). A refresh with
     nothing new answers 204; one after new data renders the board (200).
   - ``--supervisors`` people on the KPI tree: every 5–15 s one of them opens a line's tree for the last full day
     (``/api/v1/tree``) or a node's panel (``/api/v1/tree/node``: the trend, breakdown, events and workings), the
     read models the tree page's callbacks serve.
   With ``--bursts N`` instead: ``--tvs`` TVs, half on the plant board and half on line boards, each shows its
   board once (and holds its key); then N times the data version is bumped and every TV sends its refresh at the
   same instant, each on a new connection. Printed per burst: p50 / p95 / last of the time from that instant to
   each TV's new board, the answers' statuses, TVs that did not get the new data version, the renders the workers
   made (``huddle_render_cache_lookups_total`` summed over the workers: one per board is the goal) and the server's
   CPU; then once more with nothing new (every answer 204).
4. **Figures.** Latency p50 / p95 / p99 / max per kind of request, errors (transport errors and HTTP ≥ 400), the
   server's CPU (gunicorn's master and workers, from ``/proc``) as seconds and as a share of this machine's cores,
   and the workers' resident memory at the start and the end. With ``--soak-minutes`` the supervisors stay home and
   the workers' memory is printed every ``--sample-seconds`` with its slope (MB per hour) over the second half.

The client threads share this machine with the server; their CPU is printed too. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.container import build_services
from huddle.dashboard.settings import Settings
from huddle.data.queries.ledger import bump_data_version
from siblings import import_sibling  # tests/bench is on the path when a bench script runs
from sqlalchemy import create_engine, text

bb = import_sibling("bench_board")
bdp = bb.bdp

SCHEMA = "huddle_load"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024


# ---- plant and server ----------------------------------------------------------------------------------------


def schema_url(base: str, schema: str) -> str:
    """The database URL with the search path set to a schema."""
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def build_plant(base_url: str, workdir: Path, lines: int, years: float,
                schema: str = SCHEMA) -> tuple[Settings, Period]:
    """Generate and load the plant into its PostgreSQL schema, or reuse it; returns settings and the last shift."""
    url = schema_url(base_url, schema)
    plant_path = workdir / "plant.yaml"
    marker = workdir / "load_test.json"
    settings = Settings(data_dir=workdir, database_url=url, plant_config=plant_path, anonymous_access="read")
    saved = json.loads(marker.read_text()) if marker.exists() else {}
    if (saved.get("lines") != lines or saved.get("years") != years or saved.get("url") != base_url
            or saved.get("schema", SCHEMA) != schema):
        admin = create_engine(base_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        workdir.mkdir(parents=True, exist_ok=True)
        plant_path.write_text(yaml.safe_dump(bdp.plant_document(lines), sort_keys=False), encoding="utf-8")
        services = build_services(settings)
        last = datetime.now(services.config.tz).date() - timedelta(days=1)
        first = last - timedelta(days=round(years * 365.2425) - 1)
        print(f"== plant: {lines} lines, {first} … {last} into PostgreSQL schema {schema}", flush=True)
        generated = bdp.generate(services.config, workdir / "inbox", first, last)
        t0 = time.perf_counter()
        loaded = bdp.load_with_loader(services)
        print(f"  {sum(generated.rows.values()):,} rows generated, {loaded.total_rows:,} loaded in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
        services.dispose()
        marker.write_text(json.dumps({"lines": lines, "years": years, "url": base_url, "schema": schema,
                                      "last": last.isoformat()}))
    services = build_services(settings)
    last_shift = services.readings.last_completed_shift()
    assert last_shift is not None
    services.dispose()
    print(f"== plant: {lines} lines in schema {schema}; boards show the shift {last_shift.label}", flush=True)
    return settings, last_shift


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(settings: Settings, port: int, workers: int, threads: int, redis_url: str | None,
                   log_path: Path, metrics_dir: Path | None = None) -> subprocess.Popen[bytes]:
    """gunicorn with the production guide's options, its output in a file (with ``metrics_dir``, the workers'
    counts summed there and /metrics open to this machine)."""
    env = os.environ | {"HUDDLE_DATA_DIR": str(settings.data_dir), "HUDDLE_DATABASE_URL": settings.db_url,
                        "HUDDLE_PLANT_CONFIG": str(settings.plant_path), "HUDDLE_ANONYMOUS_ACCESS": "read"}
    if redis_url:
        env["HUDDLE_REDIS_URL"] = redis_url
    if metrics_dir is not None:
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env |= {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "HUDDLE_MONITOR_ADDRESSES": "127.0.0.1"}
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
                             str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
                             "huddle.dashboard.wsgi:create_server()"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=Path(__file__).resolve().parents[2])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/_dash-dependencies")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within 120 s; see {log_path}")


def server_processes(master: int) -> list[int]:
    """gunicorn's master and its workers."""
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of processes (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / CLOCK_TICKS


def rss_mb(pids: list[int]) -> float:
    """Resident memory of processes, MB."""
    total = 0.0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB / 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


# ---- clients -------------------------------------------------------------------------------------------------


@dataclass
class Results:
    """Latencies by kind of request, and the errors seen."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def board_output(port: int) -> str:
    """The board refresh callback's output id, as the browser posts it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/_dash-dependencies")
    deps = json.loads(conn.getresponse().read())
    return next(d["output"] for d in deps if "board-body.children" in d["output"] and "board-key.data" in d["output"])


def run_tv(tv: Any, interval: float, stop: threading.Event, results: Results) -> None:
    """One TV: refresh every interval until told to stop."""
    stop.wait(random.uniform(0, interval))  # TVs were switched on at different moments
    while not stop.is_set():
        tv.close()  # the server closed the idle keep-alive connection (gunicorn: after 2 s): a browser reconnects
        answer = tv.refresh("load", 0.0)
        kind = {200: "TV refresh, new board (200)", 204: "TV refresh, nothing new (204)"}.get(answer.status,
                                                                                             "TV refresh, failed")
        results.add(kind, answer.latency_s, answer.error if answer.status not in (200, 204) else "")
        stop.wait(max(0.0, interval - answer.latency_s))
    tv.close()


def run_supervisor(port: int, lines: list[str], day: str, nodes: list[str], stop: threading.Event,
                   results: Results) -> None:
    """One supervisor on the tree: a line's tree, then a node's panel, with think time between."""
    conn: http.client.HTTPConnection | None = None
    stop.wait(random.uniform(0, 10))
    while not stop.is_set():
        line = random.choice(lines)
        if random.random() < 0.5:
            kind, path = "tree of a line", f"/api/v1/tree?scope={line}&grain=day&period={day}"
        else:
            kind, path = "a node's panel", (f"/api/v1/tree/node?scope={line}&grain=day&period={day}"
                                            f"&kpi={random.choice(nodes)}")
        sent = time.perf_counter()
        if conn is not None:
            conn.close()  # after the think time the server has closed the keep-alive connection
        conn = None
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            error = "" if response.status == 200 else f"HTTP {response.status}: {body[:120]!r}"
        except (OSError, http.client.HTTPException) as exc:
            if conn is not None:
                conn.close()
            conn, error = None, f"{type(exc).__name__}: {exc}"
        results.add(kind, time.perf_counter() - sent, error)
        stop.wait(random.uniform(5, 15))
    if conn is not None:
        conn.close()


def change_data(settings: Settings, every_s: float, stop: threading.Event) -> None:
    """Bump the data version as a loader run with new data would."""
    services = build_services(settings, initialise=False)
    while not stop.wait(every_s):
        with services.sessions.begin() as session:
            bump_data_version(session)
    services.dispose()


def report(results: Results, seconds: float, server_cpu: float, client_cpu: float, rss: tuple[float, float]) -> None:
    """Print the run's figures."""
    print("\n== results", flush=True)
    print(f"  {'request':<32}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, values in sorted(results.latencies.items()):
        ms = [v * 1000 for v in values]
        print(f"  {kind:<32}{len(ms):>7}{bb.pct(ms, 50):>9.0f}{bb.pct(ms, 95):>9.0f}{bb.pct(ms, 99):>9.0f}"
              f"{max(ms):>9.0f}")
    total = sum(len(v) for v in results.latencies.values())
    print(f"  requests {total:,} in {seconds:.0f} s ({total / seconds:.1f}/s); errors {len(results.errors)}")
    for e in results.errors[:10]:
        print(f"    {e}")
    cores = os.cpu_count() or 1
    print(f"  server CPU {server_cpu:.1f} s = {server_cpu / seconds * 100:.1f} % of one core, "
          f"{server_cpu / seconds / cores * 100:.1f} % of {cores} cores; client threads {client_cpu:.1f} s")
    print(f"  workers' memory {rss[0]:.0f} MB at the start, {rss[1]:.0f} MB at the end")


def render_counts(port: int) -> dict[str, float]:
    """The render cache's lookups so far, summed over the workers (/metrics), by result."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/metrics")
    counts: dict[str, float] = {}
    for line in conn.getresponse().read().decode().splitlines():
        if line.startswith("huddle_render_cache_lookups_total{"):
            result = line.split('result="', 1)[1].split('"', 1)[0]
            counts[result] = counts.get(result, 0.0) + float(line.rsplit(" ", 1)[1])
    conn.close()
    return counts


def fire(tvs: list[Any], phase: str) -> list[Any]:
    """Every TV sends its refresh at the same instant (each on a new connection); their answers."""
    gate = threading.Barrier(len(tvs) + 1)
    answers: list[Any] = [None] * len(tvs)

    def one(i: int) -> None:
        tvs[i].close()
        gate.wait()
        answers[i] = tvs[i].refresh(phase, t0[0])

    t0 = [0.0]
    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(tvs))]
    for t in threads:
        t.start()
    while gate.n_waiting < len(tvs):
        time.sleep(0.001)
    t0[0] = time.perf_counter()
    gate.wait()
    for t in threads:
        t.join(timeout=130)
    return answers


def burst_line(name: str, answers: list[Any]) -> list[float]:
    """Print a burst's latencies (p50 / p95 / last answer after the instant they were sent) and statuses; returns
    the latencies in ms."""
    ms = [(a.sent_s + a.latency_s) * 1000 for a in answers]
    statuses: dict[int, int] = {}
    for a in answers:
        statuses[a.status] = statuses.get(a.status, 0) + 1
    print(f"  {name:<30}p50 {bb.pct(ms, 50):6.0f} ms  p95 {bb.pct(ms, 95):6.0f} ms  last {max(ms):6.0f} ms  "
          f"answers {', '.join(f'{n}× {s}' for s, n in sorted(statuses.items()))}", flush=True)
    return ms


def run_bursts(settings: Settings, port: int, master: int, last_shift: Period, lines: list[str], n_tvs: int,
               bursts: int, accept_encoding: str) -> int:
    """A room of TVs (half plant, half line boards) refreshing at the same instant right after a data change,
    ``bursts`` times; then once more with nothing changed. Returns the number of TVs shown old data as new."""
    output = board_output(port)
    tvs = [bb.Tv(i, scope, bb.board_view_data(scope, last_shift, 30), port, output, accept_encoding=accept_encoding)
           for i, scope in enumerate("plant" if i % 2 == 0 else lines[(i // 2) % len(lines)] for i in range(n_tvs))]
    for tv in tvs:  # switched on one after another: each shows its board and holds its key
        tv.refresh("warm", 0.0)
    services = build_services(settings, initialise=False)
    n_keys = len({tv.scope for tv in tvs})
    print(f"== burst: {n_tvs} TVs ({sum(tv.scope == 'plant' for tv in tvs)} plant, "
          f"{sum(tv.scope != 'plant' for tv in tvs)} line boards over {n_keys - 1} lines), every one refreshing at "
          f"the same instant right after the data version is bumped; {n_keys} boards to draw", flush=True)
    wrong, last_ms, all_ms = 0, [], []
    try:
        for b in range(bursts):
            with services.sessions.begin() as session:
                bump_data_version(session)
            version = services.readings.data_version()
            before, cpu0 = render_counts(port), cpu_seconds(server_processes(master))
            answers = fire(tvs, "burst")
            cpu = cpu_seconds(server_processes(master)) - cpu0
            after = render_counts(port)
            ms = burst_line(f"after new data #{b + 1}", answers)
            all_ms += ms
            last_ms.append(max(ms))
            stale = [a for a in answers if a.status != 200 or tvs[a.tv].key.split("|")[1] != str(version)]
            wrong += len(stale)
            drawn = after.get("rendered", 0) - before.get("rendered", 0)
            print(f"    renders {drawn:.0f} for {n_keys} boards (hits in the worker "
                  f"{after.get('hit', 0) - before.get('hit', 0):.0f}, from Redis "
                  f"{after.get('shared', 0) - before.get('shared', 0):.0f}); TVs without the new board "
                  f"{len(stale)}; server CPU {cpu:.2f} s", flush=True)
            time.sleep(1.0)
        cpu0 = cpu_seconds(server_processes(master))
        burst_line("nothing new (all at once)", fire(tvs, "same"))
        print(f"    server CPU {cpu_seconds(server_processes(master)) - cpu0:.2f} s", flush=True)
        print(f"  all bursts: p50 {bb.pct(all_ms, 50):.0f} ms, p95 {bb.pct(all_ms, 95):.0f} ms, last board "
              f"{max(all_ms):.0f} ms (median of the bursts' last {sorted(last_ms)[len(last_ms) // 2]:.0f} ms)")
    finally:
        for tv in tvs:
            tv.close()
        services.dispose()
    return wrong


def main(argv: list[str] | None = None) -> int:
    """Run the load test (or the soak) and print its figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", default=os.environ.get("HUDDLE_TEST_POSTGRES_URL",
                                                            "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    p.add_argument("--workdir", type=Path, default=Path("/tmp/huddle-load-test"))
    p.add_argument("--lines", type=int, default=20)
    p.add_argument("--years", type=float, default=1.0)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--redis-url")
    p.add_argument("--tvs", type=int, default=200)
    p.add_argument("--interval", type=float, default=30.0)
    p.add_argument("--supervisors", type=int, default=20)
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--change-every", type=float, default=60.0)
    p.add_argument("--soak-minutes", type=float, default=0.0)
    p.add_argument("--sample-seconds", type=float, default=60.0)
    p.add_argument("--schema", default=SCHEMA, help="the PostgreSQL schema the plant is loaded into")
    p.add_argument("--bursts", type=int, default=0,
                   help="instead of the steady load: this many bursts of --tvs TVs refreshing at once after new data")
    p.add_argument("--accept-encoding", default="gzip, deflate, br",
                   help="what the bursts' TVs accept, as a browser does ('' for answers sent uncompressed)")
    args = p.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("the load test runs against PostgreSQL: give --database-url postgresql+psycopg://…")
    settings, last_shift = build_plant(args.database_url, args.workdir, args.lines, args.years, args.schema)
    services = build_services(settings, initialise=False)
    config = services.config
    scopes = ["plant", *config.areas, *config.lines]
    lines = list(config.lines)
    tree = next(iter(config.trees.values()))
    nodes = tree.nodes()
    services.dispose()
    port = free_port()
    if args.bursts:
        proc = start_gunicorn(settings, port, args.workers, args.threads, args.redis_url,
                              args.workdir / "gunicorn.log", args.workdir / "metrics")
        print(f"== gunicorn: {args.workers} workers × {args.threads} threads"
              + (f", Redis render cache {args.redis_url}" if args.redis_url else ", each worker's own render cache"))
        try:
            return 1 if run_bursts(settings, port, proc.pid, last_shift, lines, args.tvs, args.bursts,
                                    args.accept_encoding) else 0
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    proc = start_gunicorn(settings, port, args.workers, args.threads, args.redis_url, args.workdir / "gunicorn.log")
    soak = args.soak_minutes > 0
    try:
        output = board_output(port)
        results = Results()
        stop = threading.Event()
        tvs = [bb.Tv(i, scopes[i % len(scopes)], bb.board_view_data(scopes[i % len(scopes)], last_shift,
                                                                     int(args.interval)), port, output)
               for i in range(args.tvs)]
        threads = [threading.Thread(target=run_tv, args=(tv, args.interval, stop, results), daemon=True)
                   for tv in tvs]
        if not soak:
            threads += [threading.Thread(target=run_supervisor, args=(port, lines, last_shift.first.isoformat(),
                                                                      nodes, stop, results), daemon=True)
                        for _ in range(args.supervisors)]
        threads.append(threading.Thread(target=change_data, args=(settings, args.change_every, stop), daemon=True))
        pids = server_processes(proc.pid)
        minutes = args.soak_minutes if soak else args.minutes
        print(f"== {args.tvs} TVs every {args.interval:.0f} s" + ("" if soak else f", {args.supervisors} "
              "supervisors on the tree") + f", for {minutes:g} min against gunicorn ({args.workers} workers × "
              f"{args.threads} threads, pids {pids}) on PostgreSQL" + (", Redis render cache" if args.redis_url
                                                                     else ""), flush=True)
        rss_start = rss_mb(pids[1:])
        cpu0, client0, t0 = cpu_seconds(pids), time.process_time(), time.perf_counter()
        for t in threads:
            t.start()
        samples: list[tuple[float, float]] = []
        deadline = t0 + minutes * 60
        while time.perf_counter() < deadline:
            time.sleep(min(args.sample_seconds, max(0.0, deadline - time.perf_counter())))
            pids = server_processes(proc.pid)
            samples.append(((time.perf_counter() - t0) / 60, rss_mb(pids[1:])))
            if soak:
                n = sum(len(v) for v in results.latencies.values())
                print(f"  {samples[-1][0]:6.1f} min  workers {samples[-1][1]:7.1f} MB  requests {n:,}  "
                      f"errors {len(results.errors)}", flush=True)
        stop.set()
        for t in threads:
            t.join(timeout=130)
        seconds = time.perf_counter() - t0
        server_cpu = cpu_seconds(server_processes(proc.pid)) - cpu0
        report(results, seconds, server_cpu, time.process_time() - client0, (rss_start, rss_mb(pids[1:])))
        if soak and len(samples) >= 4:
            half = samples[len(samples) // 2:]
            (x0, y0), (x1, y1) = half[0], half[-1]
            print(f"  memory over the second half: {y0:.1f} → {y1:.1f} MB, "
                  f"{(y1 - y0) / max(1e-9, (x1 - x0) / 60):+.1f} MB per hour")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
