"""The plant configuration: site, calendar, areas and lines, KPI definitions, KPI trees and loader sources.

Read from a YAML file (see ``docs/plant-config.md`` and the annotated ``dashboard/demo_plant.yaml``). Loading
collects every problem with the place it was found (``kpis[3].direction: ...``) and raises one ``ConfigError``;
``findings()`` adds the method warnings (tree rules, calendar gaps, KPIs without owner or data source).
"""

from __future__ import annotations

import random
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from huddle.dashboard.core.calendar import Break, ShiftCalendar, ShiftDef
from huddle.dashboard.core.kpi import FORMULAS, MEASURES, Band, Kind, evaluate

CATEGORIES = ("S", "Q", "D", "C", "M")
CATEGORY_NAMES = {"S": "Safety", "Q": "Quality", "D": "Delivery", "C": "Cost", "M": "Morale"}
LAYERS = {1: "operator", 2: "supervisor / shift", 3: "maintenance & reliability", 4: "continuous improvement",
          5: "strategic / financial"}
FREQUENCIES = {"hour": 3600, "shift": 8 * 3600, "day": 86400, "week": 7 * 86400, "month": 31 * 86400}
RECORD_TYPES = ("production_counts", "stop_events", "quality_events", "safety_events", "labour", "kpi_values")
STOP_CATEGORIES = ("planned", "unplanned", "changeover")


class ConfigError(Exception):
    """The plant configuration cannot be used; ``problems`` lists each one with where it was found."""

    def __init__(self, problems: list[str], path: Path | None = None) -> None:
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(where + f"{len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Finding:
    """Something ``huddle check`` reports: an error stops Huddle, a warning is shown and tolerated."""

    level: str  # "error" | "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


@dataclass(frozen=True)
class Line:
    """A production line with its ideal cycle time (seconds per unit), per product where given."""

    key: str
    name: str
    area: str
    ideal_cycle_s: float
    product_cycle_s: dict[str, float] = field(default_factory=dict)
    downtime_cost_per_hour: float | None = None  # what an hour of lost time costs on this line, where known

    def cycle_for(self, product: str | None) -> float:
        """Ideal cycle time of a product on this line (the line's default when the product has none)."""
        if product and product in self.product_cycle_s:
            return self.product_cycle_s[product]
        return self.ideal_cycle_s


@dataclass(frozen=True)
class Area:
    """An area groups lines; ``flow`` lists lines in series (process steps for rolled throughput yield)."""

    key: str
    name: str
    lines: tuple[str, ...]
    flow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Baseline:
    """Where a KPI started: value, date and where the number came from."""

    value: float
    on: date
    source: str


@dataclass(frozen=True)
class KpiDef:
    """A KPI as the plant defines it."""

    key: str
    name: str
    formula: str
    unit: str
    category: str
    layer: int
    direction: str
    targets: tuple[tuple[date, float], ...]  # (effective from, target), sorted
    amber: float | None
    owner: str | None
    data_source: str | None
    frequency: str
    leading: bool
    baseline: Baseline | None = None
    aggregation: str = "mean"  # for direct KPIs: "sum" or "mean"
    headline: bool = True
    description: str = ""

    def target_on(self, day: date) -> float | None:
        """The target in force on a day (targets may change during the year)."""
        current = None
        for since, value in self.targets:
            if since <= day:
                current = value
        if current is None and self.targets:
            current = self.targets[0][1]
        return current

    def band(self, day: date) -> Band:
        """Target, direction and amber band in force on a day."""
        return Band(self.target_on(day), self.direction, self.amber)

    @property
    def frequency_s(self) -> int:
        """Seconds the KPI's data may age before it is stale."""
        return FREQUENCIES[self.frequency]


@dataclass(frozen=True)
class Edge:
    """A causal edge from a child KPI to its parent; ``formula`` says how children combine, if they do."""

    parent: str
    child: str
    formula: str | None = None  # "product" | "sum" | None


@dataclass(frozen=True)
class TradeOff:
    """Improving one KPI can hurt the other; drawn differently and never rolled up."""

    a: str
    b: str
    note: str = ""
    acknowledged: bool = False


@dataclass(frozen=True)
class TreeDef:
    """A KPI driver tree: one root, causal edges, trade-offs."""

    key: str
    name: str
    root: str
    edges: tuple[Edge, ...]
    tradeoffs: tuple[TradeOff, ...] = ()

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        by_parent: dict[str, list[str]] = {}
        for e in self.edges:
            by_parent.setdefault(e.parent, []).append(e.child)
        return by_parent

    @cached_property
    def _formulas(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.edges:
            if e.formula and e.parent not in out:
                out[e.parent] = e.formula
        return out

    def children(self, key: str) -> list[str]:
        """Direct children of a node, in configured order."""
        return list(self._children.get(key, ()))

    def formula_of(self, key: str) -> str | None:
        """How a node's children combine into it, if they do."""
        return self._formulas.get(key)

    @cached_property
    def _nodes(self) -> tuple[str, ...]:
        order, seen, queue = [self.root], {self.root}, deque([self.root])
        while queue:
            for c in self._children.get(queue.popleft(), ()):
                if c not in seen:
                    seen.add(c)
                    order.append(c)
                    queue.append(c)
        for e in self.edges:
            for k in (e.parent, e.child):
                if k not in seen:
                    seen.add(k)
                    order.append(k)
        return tuple(order)

    def nodes(self) -> list[str]:
        """Every KPI in the tree, root first, breadth first."""
        return list(self._nodes)


@dataclass(frozen=True)
class Schedule:
    """When a source is read: every N seconds, or a cron expression, in the plant's time zone."""

    every_seconds: int | None = None
    cron: str | None = None

    def describe(self) -> str:
        """Human description of the schedule."""
        if not self.every_seconds:
            return f"cron {self.cron}"
        seconds = self.every_seconds
        if seconds % 3600 == 0:
            return f"every {seconds // 3600} h"
        return f"every {seconds // 60} min" if seconds % 60 == 0 else f"every {seconds} s"


@dataclass(frozen=True)
class SourceDef:
    """A place the loaders read: a folder of exported files or a SQL query against another database."""

    key: str
    kind: str  # "files" | "sql"
    record: str
    schedule: Schedule
    path: str | None = None
    patterns: tuple[str, ...] = ("*.csv", "*.xlsx")
    settle_seconds: float = 5.0
    require_ok_marker: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    url: str | None = None
    query: str | None = None
    description: str = ""


@dataclass
class PlantConfig:
    """Everything Huddle knows about a plant, validated."""

    site_key: str
    site_name: str
    timezone: str
    calendar: ShiftCalendar
    areas: dict[str, Area]
    lines: dict[str, Line]
    kpis: dict[str, KpiDef]
    trees: dict[str, TreeDef]
    sources: dict[str, SourceDef]
    stop_reasons: dict[str, str]  # reason → category; empty means any reason is accepted
    defect_types: tuple[str, ...]
    stale_grace_s: int = 3600
    path: Path | None = None
    currency: str = ""
    company: str = "Company"  # the level above the plant in the OKR cascade

    @property
    def tz(self) -> ZoneInfo:
        """The plant's time zone."""
        return self.calendar.tz

    def area_of(self, line: str) -> str:
        """The area a line belongs to."""
        return self.lines[line].area

    def scope_lines(self, scope: str) -> list[str]:
        """Lines in a scope: ``plant``, an area key or a line key."""
        if scope in ("plant", "", self.site_key):
            return list(self.lines)
        if scope in self.areas:
            return list(self.areas[scope].lines)
        if scope in self.lines:
            return [scope]
        raise KeyError(f"unknown scope {scope!r}: use 'plant', an area ({', '.join(self.areas)}) "
                       f"or a line ({', '.join(self.lines)})")

    def scope_kind(self, scope: str) -> str:
        """``plant``, ``area`` or ``line``."""
        if scope in ("plant", "", self.site_key):
            return "plant"
        if scope in self.areas:
            return "area"
        if scope in self.lines:
            return "line"
        self.scope_lines(scope)  # raises with the known scopes
        return "line"

    def scope_name(self, scope: str) -> str:
        """Display name of a scope."""
        kind = self.scope_kind(scope)
        if kind == "plant":
            return self.site_name
        return self.areas[scope].name if kind == "area" else self.lines[scope].name

    def flow_for(self, scope: str) -> list[str]:
        """Process steps in series for a scope (rolled throughput yield), from area flows."""
        kind = self.scope_kind(scope)
        if kind == "line":
            return [scope]
        areas = [self.areas[scope]] if kind == "area" else list(self.areas.values())
        steps: list[str] = []
        for a in areas:
            steps.extend(a.flow)
        return steps


class _Reader:
    """Collects problems while reading nested YAML values."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, obj: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
        place = f"{where}.{key}" if where else key
        if not isinstance(obj, dict) or key not in obj or obj[key] is None:
            self.problems.append(f"{place}: missing")
            return None
        value = obj[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.problems.append(f"{place}: expected {_kind_name(kind)}, got {value!r}")
            return None
        return value

    def opt(self, obj: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if not isinstance(obj, dict) or obj.get(key) is None:
            return default
        return self.need(obj, key, where, kind)

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        """The value when it is a mapping; otherwise a problem and an empty mapping."""
        if isinstance(value, dict):
            return value
        if value is not None:
            self.problems.append(f"{where}: expected a mapping (key: value entries), got {value!r}")
        return {}

    def items(self, value: Any, where: str) -> list[Any]:
        """The value when it is a list; otherwise a problem and an empty list."""
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.problems.append(f"{where}: expected a list, got {value!r}")
        return []

    def clock(self, text: Any, where: str) -> time | None:
        if isinstance(text, int):  # YAML reads 06:00 unquoted as a sexagesimal int
            text = f"{text // 60:02d}:{text % 60:02d}"
        if not isinstance(text, str) or not re.fullmatch(r"\d{1,2}:\d{2}", text):
            self.problems.append(f"{where}: expected a clock time like \"06:00\", got {text!r}")
            return None
        h, m = (int(x) for x in text.split(":"))
        if h > 23 or m > 59:
            self.problems.append(f"{where}: {text!r} is not a clock time")
            return None
        return time(h, m)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", float: "a number", int: "a whole number", bool: "true or false", list: "a list",
             dict: "a mapping"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _parse_schedule(r: _Reader, raw: Any, where: str) -> Schedule:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Schedule(every_seconds=int(raw))
    if isinstance(raw, str):
        m = re.fullmatch(r"\s*every\s+(\d+)\s*(s|sec|seconds|m|min|minutes|h|hours)\s*", raw)
        if m:
            factor = {"s": 1, "sec": 1, "seconds": 1, "m": 60, "min": 60, "minutes": 60, "h": 3600, "hours": 3600}
            return Schedule(every_seconds=int(m.group(1)) * factor[m.group(2)])
        if len(raw.split()) == 5:
            return Schedule(cron=raw.strip())
    r.problems.append(f"{where}: expected 'every 60 s', 'every 5 min' or a 5-field cron expression, got {raw!r}")
    return Schedule(every_seconds=60)


def parse_plant(raw: Any, path: Path | None = None) -> PlantConfig:
    """Validate a parsed YAML document into a ``PlantConfig``; raises ``ConfigError`` listing every problem."""
    r = _Reader()
    if not isinstance(raw, dict):
        raise ConfigError(["the file must be a YAML mapping with site, calendar, areas, kpis, trees, sources"], path)
    site = r.mapping(raw.get("site"), "site")
    site_key = r.need(site, "key", "site") or "site"
    site_name = r.need(site, "name", "site") or site_key
    tz_name = r.need(site, "timezone", "site")
    try:
        if tz_name is not None:
            ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        r.problems.append(f"site.timezone: {tz_name!r} is not an IANA time zone name (e.g. Europe/Berlin)")
        tz_name = None
    tz_name = tz_name or "UTC"

    cal_raw = r.mapping(raw.get("calendar"), "calendar")
    rule = cal_raw.get("production_date", "start")
    if rule not in ("start", "end"):
        r.problems.append(f"calendar.production_date: expected 'start' or 'end', got {rule!r}")
        rule = "start"
    shifts: list[ShiftDef] = []
    raw_shifts = cal_raw.get("shifts")
    if not isinstance(raw_shifts, list) or not raw_shifts:
        r.problems.append("calendar.shifts: at least one shift is needed")
        raw_shifts = []
    day_names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for i, s in enumerate(raw_shifts):
        w = f"calendar.shifts[{i}]"
        key = r.need(s, "key", w)
        start = r.clock(s.get("start") if isinstance(s, dict) else None, f"{w}.start")
        end = r.clock(s.get("end") if isinstance(s, dict) else None, f"{w}.end")
        breaks = []
        for j, b in enumerate((s.get("breaks") or []) if isinstance(s, dict) else []):
            bw = f"{w}.breaks[{j}]"
            b_start = r.clock(b.get("start") if isinstance(b, dict) else None, f"{bw}.start")
            minutes = r.need(b, "minutes", bw, float)
            if b_start and minutes is not None:
                breaks.append(Break(b_start, minutes, str(b.get("label", "break"))))
        weekdays = frozenset(range(7))
        if isinstance(s, dict) and s.get("days"):
            try:
                weekdays = frozenset(day_names.index(str(d).lower()[:3]) for d in s["days"])
            except ValueError:
                r.problems.append(f"{w}.days: use day names like mon, tue... got {s['days']!r}")
        if key and start and end:
            shifts.append(ShiftDef(key, str(s.get("name", key)), start, end, tuple(breaks),
                                   str(s.get("crew", "")), weekdays))
    if len({s.key for s in shifts}) != len(shifts):
        r.problems.append("calendar.shifts: shift keys must be unique")
    calendar = ShiftCalendar(tz_name, shifts, rule)
    r.problems.extend(f"calendar: {p}" for p in calendar.check())

    areas: dict[str, Area] = {}
    lines: dict[str, Line] = {}
    for i, a in enumerate(r.items(raw.get("areas"), "areas")):
        w = f"areas[{i}]"
        a = r.mapping(a, w)
        akey = r.need(a, "key", w)
        if not akey:
            continue
        line_keys = []
        for j, ln in enumerate(r.items(a.get("lines"), f"{w}.lines")):
            lw = f"{w}.lines[{j}]"
            ln = r.mapping(ln, lw)
            lkey = r.need(ln, "key", lw)
            cycle = r.need(ln, "ideal_cycle_s", lw, float)
            if cycle is not None and cycle <= 0:
                r.problems.append(f"{lw}.ideal_cycle_s: must be above zero, got {cycle}")
            products = {}
            for prod, c in r.mapping(ln.get("products"), f"{lw}.products").items():
                if not isinstance(c, int | float) or c <= 0:
                    r.problems.append(f"{lw}.products.{prod}: ideal cycle time must be a positive number")
                else:
                    products[str(prod)] = float(c)
            if lkey in lines:
                r.problems.append(f"{lw}.key: line {lkey!r} is defined twice")
            cost = r.opt(ln, "downtime_cost_per_hour", lw, float, None)
            if lkey and cycle:
                lines[lkey] = Line(lkey, str(ln.get("name", lkey)), akey, cycle, products, cost)
                line_keys.append(lkey)
        flow = tuple(str(x) for x in r.items(a.get("flow"), f"{w}.flow"))
        for step in flow:
            if step not in line_keys:
                r.problems.append(f"{w}.flow: {step!r} is not a line of area {akey!r}")
        areas[akey] = Area(akey, str(a.get("name", akey)), tuple(line_keys), flow)
    if not lines:
        r.problems.append("areas: at least one area with one line is needed")

    stop_reasons: dict[str, str] = {}
    for i, sr in enumerate(raw.get("stop_reasons") or []):
        reason = r.need(sr, "reason", f"stop_reasons[{i}]")
        cat = r.need(sr, "category", f"stop_reasons[{i}]")
        if cat and cat not in STOP_CATEGORIES:
            r.problems.append(f"stop_reasons[{i}].category: expected one of {', '.join(STOP_CATEGORIES)}")
        if reason and cat:
            stop_reasons[reason] = cat
    defect_types = tuple(str(d) for d in raw.get("defect_types") or ())

    kpis: dict[str, KpiDef] = {}
    for i, k in enumerate(raw.get("kpis") or []):
        w = f"kpis[{i}]"
        key = r.need(k, "key", w)
        if not key:
            continue
        w = f"kpis[{i}] ({key})"
        formula_key = k.get("formula", key)
        formula = FORMULAS.get(formula_key)
        if formula is None:
            r.problems.append(f"{w}.formula: unknown formula {formula_key!r}; known: {', '.join(FORMULAS)}")
            continue
        category = r.need(k, "category", w)
        if category and category not in CATEGORIES:
            r.problems.append(f"{w}.category: expected one of S, Q, D, C, M, got {category!r}")
        layer = r.opt(k, "layer", w, int, 2)
        if layer not in LAYERS:
            r.problems.append(f"{w}.layer: expected 1–5, got {layer!r}")
        direction = k.get("direction", formula.direction)
        if direction not in ("higher", "lower"):
            r.problems.append(f"{w}.direction: expected 'higher' or 'lower', got {direction!r}")
        frequency = k.get("frequency", "shift")
        if frequency not in FREQUENCIES:
            r.problems.append(f"{w}.frequency: expected one of {', '.join(FREQUENCIES)}, got {frequency!r}")
            frequency = "shift"
        targets: list[tuple[date, float]] = []
        if isinstance(k.get("target"), int | float) and not isinstance(k.get("target"), bool):
            targets.append((date.min, float(k["target"])))
        elif k.get("target") is not None:
            r.problems.append(f"{w}.target: expected a number, got {k['target']!r}")
        for j, t in enumerate(k.get("targets") or []):
            since = _as_date(t.get("from")) if isinstance(t, dict) else None
            value = t.get("target") if isinstance(t, dict) else None
            if since is None or not isinstance(value, int | float):
                r.problems.append(f"{w}.targets[{j}]: expected {{from: YYYY-MM-DD, target: number}}")
            else:
                targets.append((since, float(value)))
        targets.sort()
        amber = r.opt(k, "amber", w, float, None)
        baseline = None
        if isinstance(k.get("baseline"), dict):
            b = k["baseline"]
            on = _as_date(b.get("date"))
            if not isinstance(b.get("value"), int | float) or on is None:
                r.problems.append(f"{w}.baseline: expected {{value: number, date: YYYY-MM-DD, source: text}}")
            else:
                baseline = Baseline(float(b["value"]), on, str(b.get("source", "")))
        leading = k.get("leading", "lagging")
        if leading not in ("leading", "lagging"):
            r.problems.append(f"{w}.leading: expected 'leading' or 'lagging', got {leading!r}")
        aggregation = k.get("aggregation", "mean")
        if aggregation not in ("sum", "mean"):
            r.problems.append(f"{w}.aggregation: expected 'sum' or 'mean', got {aggregation!r}")
        if key in kpis:
            r.problems.append(f"{w}.key: KPI {key!r} is defined twice")
        kpis[key] = KpiDef(
            key=key, name=str(k.get("name", key)), formula=formula_key, unit=str(k.get("unit", formula.unit)),
            category=category or "D", layer=layer if layer in LAYERS else 2, direction=direction,
            targets=tuple(targets), amber=amber, owner=k.get("owner") or None,
            data_source=k.get("data_source") or None, frequency=frequency, leading=leading == "leading",
            baseline=baseline, aggregation=aggregation, headline=bool(k.get("headline", True)),
            description=str(k.get("description", formula.description)),
        )

    trees: dict[str, TreeDef] = {}
    for i, t in enumerate(raw.get("trees") or []):
        w = f"trees[{i}]"
        tkey = r.need(t, "key", w)
        root = r.need(t, "root", w)
        if not tkey or not root:
            continue
        edges: list[Edge] = []
        for j, e in enumerate(t.get("edges") or []):
            ew = f"{w}.edges[{j}]"
            parent = r.need(e, "parent", ew)
            children = r.need(e, "children", ew, list) or []
            formula = e.get("formula") if isinstance(e, dict) else None
            if formula not in (None, "product", "sum"):
                r.problems.append(f"{ew}.formula: expected 'product', 'sum' or nothing, got {formula!r}")
                formula = None
            for c in children:
                edges.append(Edge(parent, str(c), formula))
        tradeoffs = []
        for j, to in enumerate(t.get("tradeoffs") or []):
            between = to.get("between") if isinstance(to, dict) else None
            if not isinstance(between, list) or len(between) != 2:
                r.problems.append(f"{w}.tradeoffs[{j}].between: expected two KPI keys")
                continue
            tradeoffs.append(TradeOff(str(between[0]), str(between[1]), str(to.get("note", "")),
                                      bool(to.get("acknowledged", False))))
        tree = TreeDef(tkey, str(t.get("name", tkey)), root, tuple(edges), tuple(tradeoffs))
        r.problems.extend(f"{w} ({tkey}): {p}" for p in _tree_errors(tree, kpis))
        trees[tkey] = tree

    sources: dict[str, SourceDef] = {}
    for i, s in enumerate(r.items(raw.get("sources"), "sources")):
        w = f"sources[{i}]"
        s = r.mapping(s, w)
        skey = r.need(s, "key", w)
        kind = r.need(s, "kind", w)
        record = r.need(s, "record", w)
        if kind and kind not in ("files", "sql"):
            r.problems.append(f"{w}.kind: expected 'files' or 'sql', got {kind!r}")
        if record and record not in RECORD_TYPES:
            r.problems.append(f"{w}.record: expected one of {', '.join(RECORD_TYPES)}, got {record!r}")
        if kind == "files" and not s.get("path"):
            r.problems.append(f"{w}.path: a files source needs the folder it reads")
        if kind == "sql" and not (s.get("url") and s.get("query")):
            r.problems.append(f"{w}: a sql source needs url and query")
        schedule = _parse_schedule(r, s.get("schedule", "every 60 s"), f"{w}.schedule")
        if skey in sources:
            r.problems.append(f"{w}.key: source {skey!r} is defined twice")
        patterns = r.items(s.get("patterns", ["*.csv", "*.xlsx"]), f"{w}.patterns")
        if not all(isinstance(p, str) for p in patterns):
            r.problems.append(f"{w}.patterns: expected file name patterns like \"*.csv\"")
        settle = r.opt(s, "settle_seconds", w, float, 5.0)
        if skey and kind and record:
            sources[skey] = SourceDef(
                key=skey, kind=kind, record=record, schedule=schedule, path=s.get("path"),
                patterns=tuple(str(p) for p in patterns), settle_seconds=settle or 0.0,
                require_ok_marker=bool(s.get("require_ok_marker", False)),
                columns={str(a): str(b) for a, b in (s.get("columns") or {}).items()},
                delimiter=s.get("delimiter"), encoding=s.get("encoding"), sheet=s.get("sheet"),
                url=s.get("url"), query=s.get("query"), description=str(s.get("description", "")),
            )

    grace = r.opt(raw, "stale_grace_seconds", "", int, 3600)
    if r.problems:
        raise ConfigError(r.problems, path)
    return PlantConfig(site_key, site_name, tz_name, calendar, areas, lines, kpis, trees, sources, stop_reasons,
                       defect_types, grace, path, str(site.get("currency", "")),
                       str(site.get("company") or "Company"))


def load_plant(path: Path | str, data_dir: Path | str | None = None) -> PlantConfig:
    """Read and validate a plant configuration file; ``${data_dir}`` in it becomes the data folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"file not found: {path}"], path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"not UTF-8 text ({exc.reason} at byte {exc.start})"], path) from None
    if data_dir is not None:
        text = text.replace("${data_dir}", Path(data_dir).resolve().as_posix())
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError([f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"], path) from None
    return parse_plant(raw, path)


def _tree_errors(tree: TreeDef, kpis: dict[str, KpiDef]) -> list[str]:
    """Errors that make a tree unusable: unknown KPIs, cycles, formulas that do not match their children."""
    errors = []
    for k in [tree.root] + [x for e in tree.edges for x in (e.parent, e.child)]:
        if k not in kpis and f"unknown KPI {k!r}" not in " ".join(errors):
            errors.append(f"unknown KPI {k!r} (define it under kpis)")
    for to in tree.tradeoffs:
        for k in (to.a, to.b):
            if k not in kpis:
                errors.append(f"trade-off names unknown KPI {k!r}")
    parents: dict[str, list[str]] = {}
    for e in tree.edges:
        parents.setdefault(e.parent, []).append(e.child)
    cycle = _find_cycle(parents)
    if cycle:
        errors.append("cycle: " + " → ".join(cycle))
    for parent, children in parents.items():
        formulas = {e.formula for e in tree.edges if e.parent == parent}
        if len(formulas) > 1:
            errors.append(f"{parent}: its child edges disagree on the formula ({formulas})")
            continue
        formula = formulas.pop()
        if formula and all(k in kpis for k in [parent, *children]):
            mismatch = _formula_mismatch(formula, kpis[parent], [kpis[c] for c in children])
            if mismatch:
                errors.append(mismatch)
    return errors


def _find_cycle(parents: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for child in parents.get(node, []):
            if state.get(child) == 1:
                return [*stack[stack.index(child):], child]
            if state.get(child) is None:
                found = visit(child)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for n in list(parents):
        if state.get(n) is None:
            found = visit(n)
            if found:
                return found
    return None


def _formula_mismatch(formula: str, parent: KpiDef, children: list[KpiDef]) -> str | None:
    """Check on random measures that the parent equals the product (or sum) of its children."""
    involved = [parent, *children]
    if any(FORMULAS[k.formula].kind not in (Kind.RATIO, Kind.TOTAL) for k in involved):
        return None  # direct values and gauges cannot be checked; tree findings report it
    rng = random.Random(7)
    for _ in range(5):
        sums = {m: rng.uniform(1, 1000) for m in MEASURES}
        p = evaluate(FORMULAS[parent.formula], sums).value or 0.0
        values = [(evaluate(FORMULAS[c.formula], sums).value or 0.0) / FORMULAS[c.formula].scale for c in children]
        combined = 1.0
        if formula == "product":
            for v in values:
                combined *= v
        else:
            combined = sum(values)
        combined *= FORMULAS[parent.formula].scale
        if abs(p - combined) > 1e-6 * max(1.0, abs(p)):
            names = (" × " if formula == "product" else " + ").join(c.key for c in children)
            return f"{parent.key} is not the {formula} of its children ({names}): check the edge's formula"
    return None


def findings(config: PlantConfig) -> list[Finding]:
    """Method warnings a good plant configuration avoids (the product warns, it does not forbid)."""
    out: list[Finding] = []
    gaps = config.calendar.gaps()
    if gaps:
        out.append(Finding("warning", "calendar", f"no shift covers {', '.join(gaps)}: events then are not counted"))
    for k in config.kpis.values():
        if not k.owner:
            out.append(Finding("warning", f"kpi {k.key}", "no owner: every KPI needs one named person"))
        if not k.data_source:
            out.append(Finding("warning", f"kpi {k.key}", "no data source (a finding to resolve, not a blank)"))
        if not k.targets and FORMULAS[k.formula].kind is not Kind.GAUGE:
            out.append(Finding("warning", f"kpi {k.key}", "no target: its status stays grey"))
    for t in config.trees.values():
        out.extend(tree_findings(config, t, kpi_checks=False))
    return out


def tree_findings(config: PlantConfig, tree: TreeDef, *, kpi_checks: bool = True) -> list[Finding]:
    """The method's checks on one tree: size, branches under the root, KPIs not connected to it, trade-offs not
    acknowledged and (with ``kpi_checks``) its KPIs without owner or data source."""
    out: list[Finding] = []
    nodes = tree.nodes()
    where = f"tree {tree.key}"
    if len(nodes) > 15:
        out.append(Finding("warning", where, f"{len(nodes)} KPIs: a tree people can use has at most 12–15"))
    branches = tree.children(tree.root)
    if not 2 <= len(branches) <= 4:
        out.append(Finding("warning", where, f"{len(branches)} branches under the root: 2–4 is the rule"))
    reachable = set()
    queue = [tree.root]
    while queue:
        n = queue.pop()
        if n not in reachable:
            reachable.add(n)
            queue.extend(tree.children(n))
    for n in nodes:
        if n not in reachable:
            out.append(Finding("warning", where, f"{n} is not connected to the root {tree.root}"))
    for to in tree.tradeoffs:
        if not to.acknowledged:
            out.append(Finding("warning", where, f"trade-off {to.a} ↔ {to.b} is not acknowledged"))
    if kpi_checks:
        for n in nodes:
            k = config.kpis.get(n)
            if k is None:
                continue
            if not k.owner:
                out.append(Finding("warning", f"kpi {n}", "no owner: every KPI needs one named person"))
            if not k.data_source:
                out.append(Finding("warning", f"kpi {n}", "no data source (a finding to resolve, not a blank)"))
    return out
