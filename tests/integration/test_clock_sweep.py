"""The demo plant as at awkward instants: month, quarter and year ends, shift starts, both DST nights in Berlin, a
leap day, week ends and a few random moments. At each, every API endpoint answers without a server error and every
page, rendered the way Dash's renderer would render it, runs all its callbacks without one.

The plant is generated and loaded afresh for each instant, so its data is "as at" that instant (no row from its
future). The pages are driven by a small headless renderer: it reads the app shell from ``/_dash-layout``, lets the
``dcc.Location`` components report the address, and posts to ``/_dash-update-component`` every server-side callback
Dash's renderer would fire, in dependency order, feeding each answer back into the layout it holds. The sweep takes
about 2½ minutes on two cores, most of it generating and loading the 22 plants.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import dash
import pytest
from flask.testing import FlaskClient
from huddle.dashboard.core.periods import GRAINS
from huddle.dashboard.demo import demo_actions, demo_baselines, demo_okrs
from huddle.dashboard.web.app import create_app

BERLIN = ZoneInfo("Europe/Berlin")  # the demo plant's time zone (dashboard/demo_plant.yaml)
DAYS = 35  # enough for last month's review and some of the quarter at every instant; each plant loads in ~2 s
ORIGIN = {"Origin": "http://localhost"}  # the Flask test client's host: the same-origin check lets POSTs through
ADMIN = ("sweeper", "sweep-password-1")
#: Export endpoints and the formats each offers; an API rule with another argument needs an id and is skipped.
EXPORTS = {"/api/v1/review.<ext>": ("pdf", "html", "xlsx"), "/api/v1/okr/checkins.<ext>": ("csv", "xlsx"),
           "/api/v1/actions.<ext>": ("csv",), "/api/v1/quarantine.<ext>": ("csv",), "/api/v1/audit.<ext>": ("csv",),
           "/api/v1/huddles.<ext>": ("csv", "xlsx")}
#: Addresses beyond each page's own: the board of the shift in progress (it has no data at a shift's first minute),
#: the tree over the week (ISO week 53 and a week across the year's end) and the quarter; the pages listing KPIs
#: filtered by a layer of the KPI stack.
EXTRA_ADDRESSES = ("/board?live=1", "/tree?grain=week", "/tree?grain=quarter", "/?layer=2&grain=week",
                   "/board?layer=2", "/tree?layer=3", "/okr?layer=4")
MAX_NAVIGATIONS = 3  # an address a callback rewrites is loaded again, as the browser would; never endlessly
MAX_CALLS_PER_CALLBACK = 8  # more than this on one page load is a callback loop


def berlin(text: str) -> datetime:
    """A wall-clock time in the plant's zone (an unambiguous one) as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


def utc(text: str) -> datetime:
    """A UTC instant (for the DST nights, where wall-clock times are missing or doubled)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _random_instants(count: int, seed: int = 20261204) -> list[tuple[str, datetime]]:
    """Seeded random instants between 2026 and 2030, to the minute."""
    rng = random.Random(seed)
    first, last = utc("2026-01-01T00:00"), utc("2030-12-31T23:59")
    minutes = int((last - first).total_seconds() // 60)
    picked = [first + timedelta(minutes=rng.randrange(minutes)) for _ in range(count)]
    return [(f"random {at.astimezone(BERLIN):%Y-%m-%d %H:%M %Z}", at) for at in picked]


INSTANTS: list[tuple[str, datetime]] = [
    ("last minutes of the year", berlin("2026-12-31T23:55")),
    ("first minutes of the year, in the night shift of the 31st", berlin("2027-01-01T00:05")),
    ("Sunday 23:55, ISO week 2026-W53", berlin("2027-01-03T23:55")),
    ("Monday 00:05, ISO week 2027-W01", berlin("2027-01-04T00:05")),
    ("last minutes of Q1", berlin("2027-03-31T23:58")),
    ("first minutes of Q2", berlin("2027-04-01T00:02")),
    ("last minute of Q2 and H1", berlin("2027-06-30T23:59")),
    ("Early shift starts", berlin("2027-05-12T06:00")),
    ("first minute of the Late shift", berlin("2027-05-12T14:01")),
    ("first minute of the Night shift", berlin("2027-05-12T22:01")),
    ("spring DST night: 01:55 CET, the hour after is skipped", utc("2027-03-28T00:55")),
    ("spring DST night: 03:30 CEST, just after the skip", utc("2027-03-28T01:30")),
    ("spring DST: 06:05 CEST, the 7-hour night shift has ended", utc("2027-03-28T04:05")),
    ("autumn DST night: 02:30 CEST, the first time", utc("2027-10-31T00:30")),
    ("autumn DST night: 02:30 CET, the second time", utc("2027-10-31T01:30")),
    ("autumn DST: 06:05 CET, the 9-hour night shift has ended", utc("2027-10-31T05:05")),
    ("29 February 2028 at noon", berlin("2028-02-29T12:00")),
    ("first minutes of March 2028, after the leap day", berlin("2028-03-01T00:03")),
    *_random_instants(4),
]


# ---- a headless renderer -----------------------------------------------------------------------------------


@dataclass
class Callback:
    """One server-side callback as the renderer knows it from ``/_dash-dependencies``."""

    key: str  # the "output" the renderer posts, e.g. "..a.children...b.data.."
    outputs: list[tuple[str, str]]  # (id, property as posted, which may carry an "@hash" for duplicates)
    inputs: list[tuple[str, str]]
    state: list[tuple[str, str]]
    prevent_initial_call: bool

    @property
    def multi(self) -> bool:
        """Several outputs: the renderer posts them as a list."""
        return self.key.startswith("..")

    def writes(self) -> set[tuple[str, str]]:
        """The (id, property) pairs it sets."""
        return {(i, p.split("@")[0]) for i, p in self.outputs}


def _split(key: str) -> list[tuple[str, str]]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    # a callback without outputs (a graph fitted to its canvas in the browser) is keyed by a hash, not "id.prop"
    return [tuple(part.rsplit(".", 1)) for part in parts if "." in part]  # type: ignore[misc]


def _is_component(value: Any) -> bool:
    return isinstance(value, dict) and {"type", "namespace", "props"} <= value.keys()


def _crawl(node: Any, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every component with an id under ``node``, by id (pattern-matching ids as Dash stringifies them)."""
    if isinstance(node, list):
        for item in node:
            _crawl(item, found)
    elif isinstance(node, dict):
        if _is_component(node):
            cid = node["props"].get("id")
            if cid is not None:
                found[cid if isinstance(cid, str) else json.dumps(cid, sort_keys=True, separators=(",", ":"))] = node
            _crawl(list(node["props"].values()), found)
        else:
            _crawl(list(node.values()), found)
    return found


def _components(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _components(item)
    elif isinstance(node, dict):
        if _is_component(node):
            yield node
        yield from _components(list(node.get("props", node).values()))


def _drawn_failures(node: Any) -> list[str]:
    """The texts of parts that say they could not be drawn (a callback that failed answers 200 with those)."""
    found = []
    for comp in _components(node):
        if "part-error" in str(comp["props"].get("className") or ""):
            found.append(str(comp["props"].get("children")))
    return found


def _has_component(node: Any) -> bool:
    if isinstance(node, list):
        return any(_has_component(item) for item in node)
    return _is_component(node)


def _held_in_browser(deps: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The props clientside callbacks may set while a page loads (those started by a click are left out)."""
    written = {(i, p.split("@")[0]) for dep in deps for i, p in _split(dep["output"])}
    written |= {(d["id"], d["property"]) for dep in deps for d in dep["inputs"]
                if d["property"] in ("pathname", "search", "hash", "href")}  # a dcc.Location sets them on mount
    return {(i, p.split("@")[0]) for dep in deps if dep.get("clientside_function")
            and (not dep.get("prevent_initial_call") or any((d["id"], d["property"]) in written
                                                             for d in dep["inputs"]))
            for i, p in _split(dep["output"])}


@dataclass
class PageLoad:
    """What one page load posted and what went wrong."""

    address: str
    calls: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    navigated_to: str | None = None


class HeadlessRenderer:
    """Loads an address and fires its callbacks as Dash's renderer does, over HTTP (clientside callbacks skipped)."""

    def __init__(self, client: FlaskClient, app: dash.Dash) -> None:
        self.client = client
        deps = client.get("/_dash-dependencies").get_json()
        written = {(i, p.split("@")[0]) for dep in deps for i, p in _split(dep["output"])}
        self.callbacks: list[Callback] = []
        for dep in deps:
            if dep.get("clientside_function"):
                continue  # runs in the browser; its outputs keep their layout values here (see _held_in_browser)
            assert dep["output"] in app.callback_map, dep["output"]
            cb = Callback(dep["output"], _split(dep["output"]), [(d["id"], d["property"]) for d in dep["inputs"]],
                          [(d["id"], d["property"]) for d in dep["state"]], bool(dep.get("prevent_initial_call")))
            ids_used = [i for i, _ in cb.outputs + cb.inputs + cb.state]
            if any(i.startswith("{") for i in ids_used):
                # Pattern-matching (ALL) callbacks here answer a person: a button drawn per key result, draft or
                # handover, one button reading fields drawn per machine, or a pick that fills fields drawn per why.
                # They never fire on a page load: no callback writes their inputs. Skipped, and this holds that:
                # one that could fire at load would need the renderer to expand wildcards.
                assert cb.prevent_initial_call and all(i.startswith("{") or prop == "n_clicks" or (i, prop) not in
                                                       written for i, prop in cb.inputs), cb.key
                continue
            self.callbacks.append(cb)
        waiting = [cb.key for cb in self.callbacks if _held_in_browser(deps) & set(cb.inputs)]
        assert not waiting, f"server-side callbacks fed by clientside ones, which this renderer does not run: {waiting}"
        self.root: dict[str, Any] = {}
        self.index: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, set[str]] = {}
        self.referer: dict[str, str] = {}
        self.address: dict[str, str] = {}

    # -- the layout the renderer holds --

    def _present(self, dep: tuple[str, str]) -> bool:
        return dep[0] in self.index

    def _spec(self, dep: tuple[str, str]) -> dict[str, Any]:
        cid, prop = dep
        spec: dict[str, Any] = {"id": cid, "property": prop}
        props = self.index[cid]["props"]
        if prop in props:  # a prop the layout never set is sent without a value, as the renderer does
            spec["value"] = props[prop]
        return spec

    # -- which callbacks fire --

    def _queue(self, cb: Callback, changed: set[str]) -> None:
        self.pending.setdefault(cb.key, set()).update(changed)

    def _new_chunk(self, chunk: Any, outputs_only: bool) -> None:
        """Callbacks a new piece of layout starts: those with an output in it (unless prevent_initial_call), and,
        after the first layout, those with an input in it and an output outside it."""
        inside = set(_crawl(chunk, {}))
        for cb in self.callbacks:
            if any(i in inside for i, _ in cb.outputs):
                if not cb.prevent_initial_call:
                    self._queue(cb, set())
            elif not outputs_only and any(i in inside for i, _ in cb.inputs):
                self._queue(cb, {f"{i}.{p}" for i, p in cb.inputs if i in inside})

    def _changed(self, changed: set[tuple[str, str]], by: Callback | None = None) -> None:
        """Callbacks whose inputs were just set (not the one that set them: a callback's own outputs among its
        inputs do not start it again)."""
        for cb in self.callbacks:
            if cb is by:
                continue
            hit = {f"{i}.{p}" for i, p in cb.inputs if (i, p) in changed}
            if hit:
                self._queue(cb, hit)

    def _next(self) -> str:
        """A pending callback none of whose inputs another pending callback is about to set."""
        by_key = {cb.key: cb for cb in self.callbacks}
        for key in self.pending:
            others = set().union(*(by_key[k].writes() for k in self.pending if k != key))
            if not any(dep in others for dep in by_key[key].inputs):
                return key
        return next(iter(self.pending))  # a cycle: the renderer would break it somewhere too

    # -- a page load --

    def load(self, address: str) -> PageLoad:
        """Open an address and run every callback its page fires on load."""
        result = PageLoad(address)
        page = self.client.get(address)
        if page.status_code >= 500:
            result.problems.append(f"GET {address}: {page.status_code}")
            return result
        self.referer = {"Referer": f"http://localhost{address}"}
        shell = self.client.get("/_dash-layout", headers=self.referer)
        if shell.status_code != 200:
            result.problems.append(f"/_dash-layout: {shell.status_code}")
            return result
        self.root = {"type": "Root", "namespace": "headless", "props": {"children": shell.get_json()}}
        self.index = _crawl(self.root, {})
        self.pending = {}
        self._new_chunk(self.root, outputs_only=True)
        parts = urlsplit(address)
        self.address = {"pathname": parts.path, "search": f"?{parts.query}" if parts.query else ""}
        mounted: set[tuple[str, str]] = set()
        for cid, comp in self.index.items():
            if comp["type"] == "Location":  # on mount each dcc.Location reports the address
                comp["props"].update(self.address, hash="",
                                     href=f"http://localhost{self.address['pathname']}{self.address['search']}")
                mounted |= {(cid, p) for p in ("pathname", "search", "hash", "href")}
        self._changed(mounted)
        fired: dict[str, int] = {}
        while self.pending:
            key = self._next()
            changed = self.pending.pop(key)
            cb = next(c for c in self.callbacks if c.key == key)
            if not all(self._present(d) for d in cb.inputs):
                continue  # an input is not on the page: the renderer does not fire it
            missing = [d for d in cb.state if not self._present(d)]
            if missing:
                result.problems.append(f"{key}: state {missing} is not in the layout")
                continue
            fired[key] = fired.get(key, 0) + 1
            if fired[key] > MAX_CALLS_PER_CALLBACK:
                result.problems.append(f"{key}: fired more than {MAX_CALLS_PER_CALLBACK} times (a callback loop)")
                break
            updates = self._post(cb, changed, result)
            if updates and self._apply(cb, updates):
                result.navigated_to = f"{self.address['pathname']}{self.address['search'] or ''}"
                return result
        result.problems += [f"drawn in place: {text}" for text in _drawn_failures(self.root)]
        return result

    def _post(self, cb: Callback, changed: set[str], result: PageLoad) -> dict[str, dict[str, Any]]:
        """Post one callback with the values the layout holds; its updates by component id."""
        outputs = [{"id": i, "property": p} for i, p in cb.outputs]
        body = {"output": cb.key, "outputs": outputs if cb.multi else outputs[0],
                "inputs": [self._spec(d) for d in cb.inputs], "state": [self._spec(d) for d in cb.state],
                "changedPropIds": sorted(changed)}
        answer = self.client.post("/_dash-update-component", json=body, headers=ORIGIN | self.referer)
        result.calls.append((cb.key, answer.status_code))
        if answer.status_code not in (200, 204):
            result.problems.append(f"{cb.key}: HTTP {answer.status_code} {answer.get_data(as_text=True)[:300]}")
        if answer.status_code != 200:
            return {}  # 204: PreventUpdate, nothing changes
        data = answer.get_json()
        updates: dict[str, dict[str, Any]] = {}
        for part in (data.get("response") or {}, data.get("sideUpdate") or {}):
            for cid, props in part.items():
                updates.setdefault(cid, {}).update(props)
        return updates

    def _apply(self, cb: Callback, updates: dict[str, dict[str, Any]]) -> bool:
        """Set the updated props, queue what they start; True when the browser would load another address."""
        changed: set[tuple[str, str]] = set()
        chunks = []
        navigates = False
        for cid, props in updates.items():
            comp = self.index.get(cid)
            if comp is None:
                continue  # its component left the page meanwhile
            for prop, value in props.items():
                old = comp["props"].get(prop)
                comp["props"][prop] = value
                changed.add((cid, prop))
                if _has_component(value):
                    chunks.append(value)
                if (comp["type"] == "Location" and prop in self.address and value != old
                        and comp["props"].get("refresh", True) is True):
                    self.address[prop] = value  # a dcc.Location that refreshes: the browser loads the new address
                    navigates = True
        if navigates:
            return True
        self.index = _crawl(self.root, {})
        for chunk in chunks:
            self._new_chunk(chunk, outputs_only=False)
        self._changed(changed, by=cb)
        return False


# ---- the sweep ---------------------------------------------------------------------------------------------


@dataclass
class Plant:
    """The demo plant as at one instant, served."""

    services: Any
    app: dash.Dash
    client: FlaskClient


@pytest.fixture
def plant_at(make_demo: Callable[..., Any], request: pytest.FixtureRequest) -> Plant:
    """The demo plant with its history up to the instant, its actions and OKRs, served; an admin signed in."""
    instant: datetime = request.param
    services = make_demo(instant, DAYS)
    demo_actions(services)
    demo_okrs(services)
    demo_baselines(services)
    services.accounts.add_user("cli", ADMIN[0], ADMIN[1], "admin", "Clock sweep")
    app = create_app(services.settings, services=services)
    client = app.server.test_client()
    signed_in = client.post("/login", data={"username": ADMIN[0], "password": ADMIN[1]}, headers=ORIGIN)
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:300]
    return Plant(services, app, client)


def api_addresses(app: dash.Dash) -> list[str]:
    """Every GET endpoint of the API with its default parameters (exports in each format; id routes left out), and
    the values of each grain's current period."""
    addresses = []
    for rule in app.server.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or "GET" not in (rule.methods or ()):
            continue
        if not rule.arguments:
            addresses.append(rule.rule)
        elif rule.arguments == {"ext"}:
            assert rule.rule in EXPORTS, f"{rule.rule}: list its formats in EXPORTS"
            addresses += [rule.rule.replace("<ext>", ext) for ext in EXPORTS[rule.rule]]
    # the current period of every grain, where week 53 and quarters begin and end
    addresses += [f"/api/v1/values?grain={grain}" for grain in GRAINS]
    return sorted(addresses)


def page_addresses() -> list[str]:
    """Every page's own address, and the extra ones."""
    return [page["relative_path"] for page in dash.page_registry.values()] + list(EXTRA_ADDRESSES)


@pytest.mark.parametrize("plant_at", [at for _, at in INSTANTS], ids=[label for label, _ in INSTANTS],
                         indirect=True)
def test_every_endpoint_and_page_at_the_instant(plant_at: Plant, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    problems: list[str] = []
    api = api_addresses(plant_at.app)
    assert {"/api/v1/board", "/api/v1/review.pdf", "/api/v1/okr/checkins.xlsx"} <= set(api)
    for address in api:
        answer = plant_at.client.get(address)
        if answer.status_code >= 500:
            problems.append(f"GET {address}: {answer.status_code} {answer.get_data(as_text=True)[:300]}")

    renderer = HeadlessRenderer(plant_at.client, plant_at.app)
    addresses = page_addresses()
    assert {"/", "/board", "/tree", "/review", "/okr", "/data", "/admin"} <= set(addresses)
    posted = 0
    for address in addresses:
        for _ in range(MAX_NAVIGATIONS + 1):
            load = renderer.load(address)
            posted += len(load.calls)
            problems += [f"{load.address}: {p}" for p in load.problems]
            if not load.navigated_to or load.navigated_to == address:
                break
            address = load.navigated_to
        else:
            problems.append(f"{address}: still rewriting its address after {MAX_NAVIGATIONS} loads")
    assert posted > 40  # the pages did run their callbacks
    logged = [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}"
              for r in caplog.records if r.levelno >= logging.ERROR]
    assert not problems and not logged, "\n".join(problems + logged)
