"""Benchmark of what a person waits for: every page opened in Chromium on a big plant, each of its callbacks timed on
the server.

``python tests/bench/bench_pages.py [--lines 20] [--years 1] [--visits 4] [--workdir DIR] [--page /okr ...]``

The service benchmarks (``run_all.py``) time the read models against their SQL floors; a page also draws its
components and figures and Dash encodes them, and its callbacks run side by side when it opens. This script builds
(or reuses, in ``--workdir``) ``run_all.py``'s plant with a planned OKR quarter, serves the real web app (werkzeug,
a thread per connection, the clock at noon of the last loaded day) and opens every page ``--visits`` times in
headless Chromium at 1920×1080. A WSGI wrapper times each ``/_dash-update-component`` request. A visit ends when no
callback has been running for a second. Printed per page: the time from opening the page to its last callback's
answer on its first visit (its caches cold) and the median of the later visits, the slowest
callback of the later visits, and as the browser saw the later visits (see ``Visit``): document ready, first callback
sent, main thread busy, page settled; the bytes sent, and the browser console's errors (there should be none). This is a
script, not a test: pytest does not collect it; it needs Debian's ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling scripts

from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.web.app import create_app
from siblings import import_sibling
from werkzeug.serving import make_server

bdp = import_sibling("bench_data_path")
bb = import_sibling("bench_board")
br = import_sibling("bench_review")
bo = import_sibling("bench_okr")
run_all = import_sibling("run_all")

PAGES = ("/", "/board?scope=plant", "/board?scope=L07", "/tree", "/tree?scope=L07", "/okr", "/review",
         "/review?scope=L07", "/stack", "/huddles", "/data", "/baseline")
QUIET_S = 1.0  # a visit has ended when no callback has run for this long
VISIT_LIMIT_S = 30.0


@dataclass
class Call:
    """One callback request: when it started and ended (seconds on this process's clock), what it drew, its size."""

    started: float
    ended: float
    output: str
    size: int


@dataclass
class Timer:
    """The WSGI wrapper's record of callback requests, and how many are running."""

    calls: list[Call] = field(default_factory=list)
    running: int = 0
    guard: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, inner: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
        """The app with each callback request timed."""
        def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
            if not environ.get("PATH_INFO", "").endswith("_dash-update-component"):
                return list(inner(environ, start_response))
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            with self.guard:
                self.running += 1
            started = time.perf_counter()
            try:
                answer = list(inner(environ, start_response))
            finally:
                with self.guard:
                    self.running -= 1
            self.calls.append(Call(started, time.perf_counter(), _outputs(body), sum(len(b) for b in answer)))
            return answer
        return timed

    def quiet_since(self) -> float:
        """When the last callback ended (0 while one runs)."""
        with self.guard:
            if self.running:
                return 0.0
            return max((c.ended for c in self.calls), default=0.0)


def _outputs(body: bytes) -> str:
    """A callback's outputs in short: the ids of what it draws."""
    try:
        outputs = json.loads(body).get("outputs")
    except ValueError:
        return "?"
    listed = outputs if isinstance(outputs, list) else [outputs]
    names = [o.get("id") if isinstance(o.get("id"), str) else json.dumps(o.get("id"), sort_keys=True)
             for o in listed if isinstance(o, dict)]
    return ", ".join(str(n) for n in names[:3]) + (" …" if len(names) > 3 else "")


@dataclass
class Visit:
    """One opening of a page: how long until its last callback answered, and its callbacks; and as the browser
    saw it (milliseconds from the navigation's start): when its document was ready, when its first callback request
    went out, how long its main thread was busy in tasks of 50 ms or more (drawing, scripts), and when the page
    settled: the later of its last callback's answer and the end of its last long task (drawn and free to use)."""

    seconds: float
    calls: list[Call]
    ready_ms: float = 0.0
    first_callback_ms: float = 0.0
    busy_ms: float = 0.0
    settled_ms: float = 0.0
    opened: float = 0.0  # when it was opened (seconds on this process's clock)


#: run in every page before its own scripts: adds up the main thread's long tasks (the Long Tasks API)
COUNT_LONG_TASKS = """
window.__busyMs = 0;
window.__busyEnd = 0;
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      window.__busyMs += e.duration;
      window.__busyEnd = Math.max(window.__busyEnd, e.startTime + e.duration);
    }
  })
    .observe({type: "longtask", buffered: true});
} catch (e) { window.__busyMs = -1; }
"""
#: the visit as the browser timed it: document ready, first callback request, long tasks (see ``Visit``); asked
#: after a moment, so the long task that held the page until now has been counted
BROWSER_TIMES = """
const done = arguments[arguments.length - 1];
setTimeout(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const calls = performance.getEntriesByType("resource").filter(r => r.name.includes("_dash-update-component"));
  const answered = Math.max(0, ...calls.map(r => r.responseEnd));
  done([nav ? nav.domContentLoadedEventEnd : 0, calls.length ? calls[0].startTime : 0, window.__busyMs || 0,
        Math.max(answered, window.__busyEnd || 0)]);
}, 100);
"""


def visit(driver: Any, timer: Timer, url: str) -> Visit:
    """Open a page and wait until no callback has run for ``QUIET_S``."""
    driver.get("about:blank")  # each opening a new navigation, not a reload of the page shown
    first = len(timer.calls)
    opened = time.perf_counter()
    driver.get(url)
    while time.perf_counter() - opened < VISIT_LIMIT_S:
        time.sleep(0.05)
        quiet = timer.quiet_since()
        if quiet and len(timer.calls) > first and time.perf_counter() - quiet >= QUIET_S:
            break
    calls = timer.calls[first:]
    last = max((c.ended for c in calls), default=opened)
    ready, first_call, busy, settled = driver.execute_async_script(BROWSER_TIMES)
    return Visit(last - opened, calls, float(ready), float(first_call), float(busy), float(settled), opened)


def browser() -> Any:
    """Headless Chromium at a TV's size, its console kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1920,1080", "--disable-gpu"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNT_LONG_TASKS})
    return driver


def measure(base: str, timer: Timer, pages: Iterable[str], visits: int, timeline: bool = False) -> None:
    """Open each page ``visits`` times; print its row (and, with ``timeline``, its last visit's callbacks)."""
    driver = browser()
    try:
        print(f"{'page':22s} {'first ms':>9s} {'later ms':>9s} {'ready':>6s} {'1st cb':>6s} {'busy':>6s} "
              f"{'settled':>7s}  {'slowest callback, later visits':<44s} {'ms':>7s} {'bytes':>8s}  console", flush=True)
        for page in pages:
            seen = [visit(driver, timer, base + page) for _ in range(max(1, visits))]
            errors = [e["message"][:80] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
            later = seen[1:] or seen
            by_output: dict[str, list[Call]] = defaultdict(list)
            for v in later:
                for c in v.calls:
                    by_output[c.output].append(c)
            slowest = max(by_output.items(), key=lambda kv: statistics.median(c.ended - c.started for c in kv[1]),
                          default=("—", []))
            slow_ms = statistics.median(c.ended - c.started for c in slowest[1]) * 1000 if slowest[1] else 0.0
            size = sum(c.size for c in later[-1].calls)
            browser_ms = [statistics.median(getattr(v, name) for v in later)
                          for name in ("ready_ms", "first_callback_ms", "busy_ms")]
            settled = statistics.median(v.settled_ms for v in later)
            print(f"{page:22s} {seen[0].seconds * 1000:9.0f} {statistics.median(v.seconds for v in later) * 1000:9.0f}"
                  f"{''.join(f' {ms:6.0f}' for ms in browser_ms)} {settled:7.0f}  {slowest[0][:44]:<44s} "
                  f"{slow_ms:7.1f} {size:>8,}  "
                  f"{'; '.join(errors) if errors else 'no errors'}", flush=True)
            if timeline:
                opened = seen[-1].opened
                for c in seen[-1].calls:
                    print(f"    {(c.started - opened) * 1000:7.0f} → {(c.ended - opened) * 1000:7.0f} ms"
                          f"  {c.output[:70]}  {c.size:,} bytes")
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--lines", type=int, default=20, help="production lines (in up to 5 areas)")
    p.add_argument("--years", type=float, default=1.0, help="years of history ending yesterday")
    p.add_argument("--visits", type=int, default=4, help="openings of each page (the first one cold)")
    p.add_argument("--workdir", type=Path, help="folder for the plant (kept; a matching loaded plant is reused)")
    p.add_argument("--page", action="append", help="a page's address to open (default: every page)")
    p.add_argument("--timeline", action="store_true", help="print each page's callbacks, as its last visit ran them")
    args = p.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="huddle-pages-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        plant = bb.build_plant(workdir, args.lines, args.years, bdp.Summary())
        br.ensure_config(plant.settings.plant_path, args.lines)
        services = run_all.services_at_noon(plant.settings, plant.last)
        try:
            quarter = period_containing("quarter", plant.last)
            made = bo.plan_quarter(services, quarter)
            print(f"Huddle pages: {args.lines} lines, {plant.first} … {plant.last}, {made['objectives']} objectives, "
                  f"{made['key_results']} key results, {made['check_ins']:,} check-ins; code {bdp.code_version()}; "
                  f"{args.visits} openings a page, the first with its caches cold",
                  flush=True)
            timer = Timer()
            app = create_app(plant.settings, services=services)
            app.server.wsgi_app = timer.wrap(app.server.wsgi_app)  # type: ignore[method-assign]
            httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
            threading.Thread(target=httpd.serve_forever, name="bench-pages", daemon=True).start()
            try:
                measure(f"http://127.0.0.1:{httpd.server_port}", timer, args.page or PAGES, args.visits, args.timeline)
            finally:
                httpd.shutdown()
        finally:
            services.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

