"""Benchmark of page weight: what every page costs on the wire and how long a cold load takes, before and after
the light-pages change (dashboard/web/light.py), beside a bare Dash page with one ``html.Div``.

What it measures, in one run (``python tests/bench/bench_page_weight.py [--days 60] [--runs 3]``):

1. **Plant.** The demo plant as at Friday 20 Nov 2026 08:30 in Berlin with ``--days`` of history written as export
   files and loaded by the real loaders (SQLite), with the demo's actions and this quarter's OKRs.
2. **Three servers** on werkzeug's threaded server, each on a free port of 127.0.0.1: *after*, the app as
   ``create_app`` builds it; *before*, the same app with ``install_light_pages`` skipped (no compression, no long
   cache, every component library's script in every page, as Dash does by default); *bare*, ``Dash(__name__)``
   with one ``html.Div`` in a process of its own (a process that imported dash_cytoscape would put cytoscape in
   the bare page too), Dash's defaults.
3. **Chromium** headless through Selenium (``/usr/bin/chromium``, ``/usr/bin/chromedriver``), at 1920×1080.
   For every page: ``--runs`` cold loads (browser cache and cookies cleared through CDP before each; the loads go
   round every page and the bare page, one each per round, so a change in the machine's load weighs on all of them
   alike), then one warm load (the page opened again from ``about:blank``, the cache kept: what a TV pays when the
   playlist comes back). A script injected before the page's own records ``performance.now()`` the first time the
   page is *drawn* (its markers are there with something in them: a board tile, the tree's canvas and summary, a
   chart's SVG ...; Dash's loading placeholder is gone): what a viewer sees; and the first time it is *idle* (drawn,
   no component loading and no callback pending: Dash no longer titles the tab "Updating..."), when the page's later
   callbacks (the board's action pickers, the tree's node panel) are done too. Figures per page:

   - *wire*: bytes received, headers included (CDP ``Network.loadingFinished.encodedDataLength``, summed over the
     page's requests, the callbacks' answers too, until the page is idle, no request is in flight and the network
     was quiet for 0.5 s: a chart's plotly.js counts even when it arrives after the page is drawn);
   - *unzipped*: the bodies' decoded size (Performance API ``decodedBodySize`` of the navigation and every
     resource entry);
   - *req*: requests sent (CDP ``Network.requestWillBeSent``), *cached*: those answered from the browser's cache;
   - *drawn ms*, *idle ms*: medians over the cold loads, navigation start = 0; *×bare*: each over the bare
     page's median (the bare page is idle when drawn);
   - *warm wire*, *warm req*, *cached*: the warm load's bytes, requests, and requests answered from the cache.

4. **Table** of every page, before and after, and the verdicts on the goals: the kiosk board at most 400 KB on
   the wire, and its cold load within 2× the bare page.

The servers and the browser share the machine's cores with this script, and 127.0.0.1 has no latency: compression
saves bytes but no time here. ``--mbps`` throttles the browser's network through CDP (``--mbps 20 --latency-ms 20``
is a plant Wi-Fi) to see what the bytes cost on a real network. This is a script, not a test: pytest does not
collect it.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BROWSER_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1920,1080",
                 "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")
DRAWN_TIMEOUT_S = 60.0
QUIET_S = 0.5
KIOSK_GOAL_BYTES = 400 * 1024
RATIO_GOAL = 2.0

#: (label, address, the elements that show the page is drawn, each with something in it); a TV's board is drawn
#: when its tiles show, the plain-HTML picture its first answer carries (web.first_paint) or the live page, and
#: *live* when the live page's own (``#board-body``) are there: LIVE names those where they differ
PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("overview", "/", ("#overview-table table",)),
    ("board (kiosk)", "/board?kiosk=1", (".board .tile",)),
    ("board", "/board", ("#board-body .tile",)),
    ("KPI tree", "/tree", ("#tree-graph canvas", "#tree-summary")),
    ("monthly review", "/review", ("#review-body .js-plotly-plot .main-svg",)),
    ("OKRs", "/okr", ("#okr-history .js-plotly-plot .main-svg",)),
    ("data", "/data", ("#data-sources table",)),
)
BARE = ("bare Dash page", "/", ("#bare",))
LIVE = {"/board?kiosk=1": ("#board-body .tile",)}
#: a page to load: its label, the server, its address, the markers of drawn and (where they differ) of live
Target = tuple[str, str, str, tuple[str, ...], tuple[str, ...]]

#: records when the page is first drawn (``window.__drawn``: each of its markers is there with something in it, and
#: Dash's loading placeholder is gone), first live (``window.__live``: the same for the live page's markers) and first
#: idle (``window.__idle``: live, no component loading and no callback pending), ms since navigation start; MARKERS
#: and LIVE are replaced
DRAWN_JS = """
(function () {
    window.__drawn = null;
    window.__live = null;
    window.__idle = null;
    const markers = MARKERS;
    const live = LIVE;
    function shown(selector) {
        const el = document.querySelector(selector);
        return el !== null && (el.tagName === 'CANVAS' || el.tagName === 'svg' || el.textContent.trim() !== '');
    }
    const timer = setInterval(function () {
        if (!markers.every(shown) || document.querySelector('._dash-loading')) { return; }
        const now = performance.now();
        if (window.__drawn === null) { window.__drawn = now; }
        if (!live.every(shown)) { return; }
        if (window.__live === null) { window.__live = now; }
        if (document.querySelector('[data-dash-is-loading="true"]')) { return; }
        if (document.title === 'Updating...') { return; }
        window.__idle = now;
        clearInterval(timer);
    }, 5);
}());
"""
#: the bodies' decoded size: the document and every resource (scripts, styles, callbacks' answers)
DECODED_JS = """
return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .reduce(function (sum, e) { return sum + (e.decodedBodySize || 0); }, 0);
"""

BARE_APP = textwrap.dedent("""
    import sys
    from dash import Dash, html
    app = Dash(__name__)
    app.layout = html.Div("Huddle", id="bare")
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=False, threaded=True)
""")


@dataclass
class Load:
    """One page load as the browser saw it."""

    drawn_ms: float
    live_ms: float
    idle_ms: float
    wire: int
    unzipped: int
    requests: int
    cached: int


@dataclass
class Row:
    """A page's figures on one server: the cold loads and the warm one."""

    page: str
    server: str
    cold: list[Load]
    warm: Load

    def median(self, field: str) -> float:
        """The median of a figure over the cold loads."""
        return statistics.median(getattr(x, field) for x in self.cold)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: Any) -> str:
    """Serve a Flask app on werkzeug's threaded server in a thread of this process; its base address."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}"


def serve_bare() -> tuple[str, subprocess.Popen[bytes]]:
    """The bare Dash page in a process of its own; its address and the process."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"http://127.0.0.1:{port}", process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the bare Dash page did not start")


def build_plant(workdir: Path, days: int) -> Any:
    """The demo plant with ``days`` of history loaded, its actions and this quarter's OKRs."""
    from huddle.dashboard.demo import demo_actions, demo_okrs

    from tests.conftest import DEMO_NOW, load_demo

    services: Any = load_demo(workdir / "demo", DEMO_NOW, days)
    demo_actions(services)
    demo_okrs(services)
    return services


def build_apps(services: Any) -> dict[str, Any]:
    """The app as built today, and the same app without the light-pages change."""
    import huddle.dashboard.web.app as web_app

    after = web_app.create_app(services.settings, services=services)
    light = web_app.install_light_pages
    web_app.install_light_pages = lambda app, assets: None  # type: ignore[assignment]  # Dash's defaults, as before
    try:
        before = web_app.create_app(services.settings, services=services)
    finally:
        web_app.install_light_pages = light  # type: ignore[assignment]
    return {"before": before, "after": after}


def start_browser(mbps: float, latency_ms: float) -> Any:
    """Headless Chromium through Selenium, its network events logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    if mbps:
        rate = mbps * 1e6 / 8
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency_ms, "downloadThroughput": rate, "uploadThroughput": rate})
    return driver


class Network:
    """The browser's network events as they come: bytes received, requests sent, answered from the cache, and
    requests still in flight."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.wire = self.requests = self.cached = 0
        self.open: set[str] = set()
        self.last_event = time.monotonic()

    def read(self) -> None:
        """Take in the events logged since the last read."""
        import json

        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if not method.startswith("Network."):
                continue
            self.last_event = time.monotonic()
            if method == "Network.requestWillBeSent" and not params["request"]["url"].startswith("data:"):
                self.requests += 1
                self.open.add(params["requestId"])
            elif method == "Network.requestServedFromCache" or (
                    method == "Network.responseReceived" and params["response"].get("fromDiskCache")):
                self.cached += 1
            elif method == "Network.loadingFinished":
                self.wire += int(params.get("encodedDataLength", 0))
                self.open.discard(params["requestId"])
            elif method == "Network.loadingFailed":
                self.open.discard(params["requestId"])

    def settle(self, timeout_s: float) -> None:
        """Read until nothing is in flight and nothing happened for QUIET_S (a chart's plotly.js arrives late)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.read()
            if not self.open and time.monotonic() - self.last_event >= QUIET_S:
                return
            time.sleep(0.05)


def load(driver: Any, url: str, markers: tuple[str, ...], cold: bool, live: tuple[str, ...] = ()) -> Load:
    """Open ``url`` (cold: cache and cookies cleared first) and measure it until drawn and quiet."""
    import json

    driver.get("about:blank")
    if cold:
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get_log("performance")  # forget what came before
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": DRAWN_JS.replace("MARKERS", json.dumps(list(markers))).replace(
                                        "LIVE", json.dumps(list(live or markers)))})
    network = Network(driver)
    try:
        driver.get(url)
        deadline = time.monotonic() + DRAWN_TIMEOUT_S
        drawn = None
        while drawn is None and time.monotonic() < deadline:
            drawn, live_at, idle = driver.execute_script("return [window.__drawn, window.__live, window.__idle];")
            drawn = None if idle is None else drawn
            if drawn is None:
                time.sleep(0.02)
        if drawn is None:
            raise RuntimeError(f"{url} was not drawn and idle in {DRAWN_TIMEOUT_S:.0f} s ({markers})")
        network.settle(DRAWN_TIMEOUT_S)
        unzipped = int(driver.execute_script(DECODED_JS))
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
    return Load(float(drawn), float(live_at), float(idle), network.wire, unzipped, network.requests, network.cached)


def measure_all(driver: Any, targets: list[Target], runs: int,
                errors: dict[str, list[str]]) -> list[Row]:
    """Every page's cold loads and warm load, each target a (label, server, address, markers, live markers).

    The cold loads go round the targets, one each per round (the bare page among them), so a machine whose load
    changes during the run weighs on every page and on the bare page alike, and the ratios compare like with like.
    Console errors are kept per target in ``errors``."""
    def once(target: Target, cold: bool) -> Load:
        label, server, url, markers, live = target
        done = load(driver, url, markers, cold=cold, live=live)
        if found := console_errors(driver):
            errors.setdefault(f"{label} ({server})", []).extend(found)
        return done

    for target in targets:
        once(target, cold=True)  # the server's first answer (imports, caches) is not the page's
    colds: list[list[Load]] = [[] for _ in targets]
    for round_ in range(runs):
        for i, target in enumerate(targets):
            colds[i].append(once(target, cold=True))
        print(f"  round {round_ + 1} of {runs} done", flush=True)
    rows = []
    for i, (label, server, *_where) in enumerate(targets):
        once(targets[i], cold=True)  # the cache filled by this page, as a TV's is when the playlist comes back
        rows.append(Row(label, server, colds[i], once(targets[i], cold=False)))
    return rows


def console_errors(driver: Any) -> list[str]:
    """The browser console's SEVERE entries since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def kb(n: float) -> str:
    """Bytes as kilobytes."""
    return f"{n / 1024:,.0f} KB"


def table(rows: list[Row], bare: Row) -> str:
    """Every page, before and after: the cold loads' medians and the warm load."""
    floor = bare.median("drawn_ms")
    head = (f"{'page':<15} {'server':<6} {'wire':>9} {'unzipped':>9} {'req':>3} {'drawn ms':>8} {'×bare':>5} "
            f"{'live ms':>7} {'×bare':>5} {'idle ms':>7} {'×bare':>5} {'warm wire':>9} {'warm req':>8} {'cached':>6}")
    lines = [head, "-" * len(head)]
    for row in [bare, *rows]:
        drawn, live, idle = row.median("drawn_ms"), row.median("live_ms"), row.median("idle_ms")
        lines.append(f"{row.page:<15} {row.server:<6} {kb(row.median('wire')):>9} {kb(row.median('unzipped')):>9} "
                     f"{row.median('requests'):>3.0f} {drawn:>8.0f} {drawn / floor:>5.2f} {live:>7.0f} "
                     f"{live / floor:>5.2f} {idle:>7.0f} "
                     f"{idle / floor:>5.2f} {kb(row.warm.wire):>9} {row.warm.requests:>8} {row.warm.cached:>6}")
    return "\n".join(lines)


def verdicts(rows: list[Row], bare: Row) -> list[str]:
    """The goals, for the kiosk board after the change."""
    kiosk = next(r for r in rows if r.page == "board (kiosk)" and r.server == "after")
    wire, floor = kiosk.median("wire"), bare.median("drawn_ms")
    drawn, live = kiosk.median("drawn_ms") / floor, kiosk.median("live_ms") / floor
    idle = kiosk.median("idle_ms") / floor
    return [f"kiosk board on the wire: {kb(wire)} (goal ≤ {kb(KIOSK_GOAL_BYTES)}): "
            f"{'met' if wire <= KIOSK_GOAL_BYTES else 'NOT MET'}",
            f"kiosk board cold load, drawn: {drawn:.2f}× the bare Dash page (goal ≤ {RATIO_GOAL:g}×): "
            f"{'met' if drawn <= RATIO_GOAL else 'NOT MET'}; live (the page's scripts have drawn it): {live:.2f}×; "
            f"idle (its callbacks done): {idle:.2f}×"]


def main() -> int:
    """Build the plant, serve it three ways, load every page in Chromium and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=60, help="days of demo history (default 60)")
    parser.add_argument("--runs", type=int, default=3, help="cold loads per page and server (default 3)")
    parser.add_argument("--mbps", type=float, default=0, help="throttle the browser's network to this (default: no)")
    parser.add_argument("--latency-ms", type=float, default=0, help="with --mbps: added latency per request")
    parser.add_argument("--pages", default="", help="only the pages whose label contains one of these, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    workdir = Path(tempfile.mkdtemp(prefix="huddle-page-weight-"))
    bare_process = None
    driver = None
    try:
        started = time.monotonic()
        services = build_plant(workdir, args.days)
        print(f"demo plant, {args.days} days, loaded in {time.monotonic() - started:.1f} s", flush=True)
        bases = {name: serve(app.server) for name, app in build_apps(services).items()}
        bare_base, bare_process = serve_bare()
        driver = start_browser(args.mbps, args.latency_ms)
        network_note = f"{args.mbps:g} Mbit/s, {args.latency_ms:g} ms" if args.mbps else "127.0.0.1, unthrottled"
        print(f"Chromium headless 1920×1080, {network_note}, {args.runs} cold loads per page", flush=True)
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        pages = [p for p in PAGES if not wanted or any(w in p[0] for w in wanted)]
        targets: list[Target] = [(BARE[0], "dash", bare_base + BARE[1], BARE[2], ())]
        targets += [(label, server, bases[server] + path, markers, LIVE.get(path, ()))
                    for label, path, markers in pages for server in ("before", "after")]
        errors: dict[str, list[str]] = {}
        bare, *rows = measure_all(driver, targets, args.runs, errors)
        for row in rows:
            print(f"  {row.page} ({row.server}): {kb(row.median('wire'))}, drawn {row.median('drawn_ms'):.0f} ms, "
                  f"idle {row.median('idle_ms'):.0f} ms", flush=True)
        print()
        print(table(rows, bare))
        print()
        if any(r.page == "board (kiosk)" for r in rows):
            for line in verdicts(rows, bare):
                print(line)
        for where, found in errors.items():
            print(f"console errors on {where} ({len(found)}): {found[0][:500]}")
        if not errors:
            print("no console errors on any page")
        services.dispose()
        return 0
    finally:
        if driver is not None:
            driver.quit()
        if bare_process is not None:
            bare_process.terminate()
            bare_process.wait(timeout=10)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
