"""The plant: site, calendar, areas and lines, KPI definitions, KPI trees and loader sources, as Huddle knows them
once the plant file is read.

``load_plant`` reads the YAML file (see ``docs/plant-config.md`` and the annotated ``dashboard/demo_plant.yaml``);
``plant_file.py`` reads it section by section, collecting every problem with the place it was found
(``kpis[3].direction: ...``) into one ``ConfigError``; ``plant_checks.findings()`` adds the method warnings (tree
rules, calendar gaps, KPIs without owner or data source).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from huddle.dashboard.core import names
from huddle.dashboard.core.calendar import ShiftCalendar
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.kpi import Band
from huddle.dashboard.core.layers import Layer, default_layers, read_layers
from huddle.dashboard.core.notify_rules import Notifications
from huddle.dashboard.core.plant_calendar import PlantCalendar
from huddle.dashboard.core.reason_tree import read_stop_groups
from huddle.dashboard.core.source_mapping import SourceMapping
from huddle.dashboard.core.tiers import Tier, default_tiers, read_tiers

CATEGORIES = ("S", "Q", "D", "C", "M")
CATEGORY_NAMES = {"S": N_("Safety"), "Q": N_("Quality"), "D": N_("Delivery"), "C": N_("Cost"), "M": N_("Morale")}
LAYERS = {1: "operator", 2: "supervisor / shift", 3: "maintenance & reliability", 4: "continuous improvement",
          5: "strategic / financial"}
FREQUENCIES = {"hour": 3600, "shift": 8 * 3600, "day": 86400, "week": 7 * 86400, "month": 31 * 86400}
#: how often a KPI is read, as people say it (translated where shown)
FREQUENCY_WORDS = {"hour": N_("hourly"), "shift": N_("every shift"), "day": N_("daily"), "week": N_("weekly"),
                   "month": N_("monthly")}
RECORD_TYPES = ("production_counts", "stop_events", "quality_events", "safety_events", "labour", "kpi_values",
                "hours_worked", "work_orders")
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


class Unit(str):
    """A unit the plant file writes (``ideas``), knowing its singular when the file gives it (``unit_one: idea``):
    '1 Idee' in a German plant, where no rule makes 'Idee' of 'Ideen'."""

    one: str

    def __new__(cls, plural: str, one: str = "") -> Unit:
        """The unit as written, with its singular ("" when the file gives none)."""
        unit = super().__new__(cls, plural)
        unit.one = one
        return unit

    def __reduce__(self) -> tuple[object, ...]:  # a str subclass with an attribute: pickle both
        return (Unit, (str(self), self.one))


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
            return _("cron {cron}").format(cron=self.cron)
        seconds = self.every_seconds
        if seconds % 3600 == 0:
            return _("every {n} h").format(n=seconds // 3600)
        return (_("every {n} min").format(n=seconds // 60) if seconds % 60 == 0
                else _("every {n} s").format(n=seconds))


@dataclass(frozen=True)
class SourceDef:
    """A place the loaders read: a folder of exported files, a SQL query against another database, or an MQTT
    broker whose messages a subscriber stores as they come (``kind: mqtt``)."""

    key: str
    kind: str  # "files" | "sql" | "mqtt"
    record: str
    schedule: Schedule
    path: str | None = None
    patterns: tuple[str, ...] = ("*.csv", "*.xlsx")
    settle_seconds: float = 5.0
    final_seconds: float = 120.0  # a last line without its newline, still this long, is refused as cut off
    require_ok_marker: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    url: str | None = None
    query: str | None = None
    description: str = ""
    topics: dict[str, str] = field(default_factory=dict)  # mqtt: "counts"/"state" -> topic, {line} for the line
    payload: dict[str, str] = field(default_factory=dict)  # mqtt: the plant's JSON key -> Huddle's field name
    states: dict[str, str] = field(default_factory=dict)  # mqtt: the plant's state value -> running|stopped|...
    reasons: dict[str, str] = field(default_factory=dict)  # mqtt: the plant's stop code -> a stop reason
    counts: str = "totals"  # mqtt: counts arrive as counter totals or as increments
    mapping: SourceMapping = field(default_factory=SourceMapping)  # the export's own shape (files, sql)


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
    plant_calendar: PlantCalendar = field(default_factory=PlantCalendar)  # holidays, shutdowns, go-live
    language: str = "en"  # the language its pages, exports and e-mails speak (core.i18n)
    tiers: tuple[Tier, ...] = field(default_factory=default_tiers)  # its meetings, line to plant (core.tiers)
    notifications: Notifications = field(default_factory=Notifications)  # rules and channels (core.notify_rules)
    layers: tuple[Layer, ...] = field(default_factory=default_layers)  # the KPI stack, 1 to 5 (core.layers)
    stop_groups: dict[str, str] = field(default_factory=dict)  # reason → group, where given (core.reason_tree)

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
        """Display name of a scope, as ``core.names`` says it ('Line 2 – Filling')."""
        self.scope_kind(scope)  # an unknown scope still raises here
        return names.scope_name(self, scope)

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


def parse_plant(raw: Any, path: Path | None = None) -> PlantConfig:
    """Validate a parsed YAML document into a ``PlantConfig``; raises ``ConfigError`` listing every problem."""
    from huddle.dashboard.core.plant_file import build_plant  # it builds this module's classes: imported on use

    problems: list[str] = []
    tiers = read_tiers(raw.get("tiers") if isinstance(raw, dict) else None, problems)
    layers = read_layers(raw.get("layers") if isinstance(raw, dict) else None, problems)
    stop_groups = read_stop_groups(raw.get("stop_reasons") if isinstance(raw, dict) else None, problems)
    try:
        plant = build_plant(raw, path)
    except ConfigError as exc:
        raise ConfigError(exc.problems + problems, path) from None
    if problems:
        raise ConfigError(problems, path)
    plant.tiers = tiers
    plant.layers = layers
    plant.stop_groups = stop_groups
    return plant
