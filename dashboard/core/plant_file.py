"""Reading the plant file: one function per section (site, calendar and shifts, areas and lines, stop reasons, KPIs,
trees, sources, notifications), each adding the problems it finds, with where (``kpis[3] (oee).direction``), to one
list; ``build_plant`` raises them together as one ``ConfigError`` or returns the ``PlantConfig``.

The classes it builds are in ``plant.py``; what makes a tree unusable, and the method's warnings, in
``plant_checks.py``. Callers use ``plant.load_plant`` (a file) or ``plant.parse_plant`` (a parsed document).
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from huddle.dashboard.core.calendar import Break, ShiftCalendar, ShiftDef
from huddle.dashboard.core.i18n import read_language
from huddle.dashboard.core.kpi import FORMULAS
from huddle.dashboard.core.notify_rules import read_notifications
from huddle.dashboard.core.plant import (
    CATEGORIES,
    FREQUENCIES,
    LAYERS,
    RECORD_TYPES,
    STOP_CATEGORIES,
    Area,
    Baseline,
    ConfigError,
    Edge,
    KpiDef,
    Line,
    PlantConfig,
    Schedule,
    SourceDef,
    TradeOff,
    TreeDef,
    Unit,
)
from huddle.dashboard.core.plant_calendar import read_plant_calendar
from huddle.dashboard.core.plant_checks import tree_errors
from huddle.dashboard.core.plant_paths import resolve_sources
from huddle.dashboard.core.source_mapping import read_mapping

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY = re.compile(r"\s*every\s+(\d+)\s*(s|sec|seconds|m|min|minutes|h|hours)\s*")
SECONDS_PER = {"s": 1, "sec": 1, "seconds": 1, "m": 60, "min": 60, "minutes": 60, "h": 3600, "hours": 3600}


class _Reader:
    """Collects problems while reading nested YAML values."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, obj: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
        """The value at ``key``, of the kind asked for; a problem and None when it is missing or of another kind."""
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
        """The value at ``key`` when given (checked as ``need`` does), else the default."""
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

    def either(self, value: Any, allowed: tuple[str, ...], place: str) -> bool:
        """Whether a value is one of the allowed words; a problem naming them when it is not."""
        if value in allowed:
            return True
        self.problems.append(f"{place}: expected {' or '.join(repr(a) for a in allowed)}, got {value!r}")
        return False

    def clock(self, text: Any, where: str) -> time | None:
        """A clock time such as "06:00"; a problem and None for anything else."""
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
    """How a problem names a YAML kind: text, a number, a list..."""
    names = {str: "text", float: "a number", int: "a whole number", bool: "true or false", list: "a list",
             dict: "a mapping"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _as_date(value: Any) -> date | None:
    """A date from YAML (a date or ISO text), or None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def build_plant(raw: Any, path: Path | None = None) -> PlantConfig:
    """A parsed YAML document as a ``PlantConfig``, or ``ConfigError`` listing every problem of every section."""
    r = _Reader()
    if not isinstance(raw, dict):
        raise ConfigError(["the file must be a YAML mapping with site, calendar, areas, kpis, trees, sources"], path)
    site = r.mapping(raw.get("site"), "site")
    site_key, site_name, tz_name, language = _site(r, site)
    calendar = _calendar(r, r.mapping(raw.get("calendar"), "calendar"), tz_name)
    areas, lines = _areas(r, raw.get("areas"))
    stop_reasons = _stop_reasons(r, raw.get("stop_reasons"))
    defect_types = tuple(str(d) for d in raw.get("defect_types") or ())
    kpis = _kpis(r, raw.get("kpis"))
    trees = _trees(r, raw.get("trees"), kpis)
    sources = resolve_sources(_sources(r, raw.get("sources")), path)  # relative paths: the plant file's folder's
    grace = r.opt(raw, "stale_grace_seconds", "", int, 3600)
    plant_calendar = read_plant_calendar(raw, r.problems)
    notifications = read_notifications(raw, r.problems, site_key, areas, lines, kpis, sources)
    if r.problems:
        raise ConfigError(r.problems, path)
    return PlantConfig(site_key, site_name, tz_name, calendar, areas, lines, kpis, trees, sources, stop_reasons,
                       defect_types, grace, path, str(site.get("currency", "")), str(site.get("company") or "Company"),
                       plant_calendar, language, notifications=notifications)


# ---- site and calendar -----------------------------------------------------------------------------------------


def _site(r: _Reader, site: dict[str, Any]) -> tuple[str, str, str, str]:
    """The site's key, name, time zone (UTC when missing or unknown, with a problem) and language."""
    site_key = r.need(site, "key", "site") or "site"
    site_name = r.need(site, "name", "site") or site_key
    tz_name = r.need(site, "timezone", "site")
    try:
        if tz_name is not None:
            ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        r.problems.append(f"site.timezone: {tz_name!r} is not an IANA time zone name (e.g. Europe/Berlin)")
        tz_name = None
    return site_key, site_name, tz_name or "UTC", read_language(site, r.problems)


def _calendar(r: _Reader, cal_raw: dict[str, Any], tz_name: str) -> ShiftCalendar:
    """The shift calendar: its shifts and the rule that dates a shift crossing midnight."""
    rule = cal_raw.get("production_date", "start")
    if not r.either(rule, ("start", "end"), "calendar.production_date"):
        rule = "start"
    raw_shifts = cal_raw.get("shifts")
    if not isinstance(raw_shifts, list) or not raw_shifts:
        r.problems.append("calendar.shifts: at least one shift is needed")
        raw_shifts = []
    shifts = [shift for i, s in enumerate(raw_shifts) if (shift := _shift(r, s, f"calendar.shifts[{i}]")) is not None]
    if len({s.key for s in shifts}) != len(shifts):
        r.problems.append("calendar.shifts: shift keys must be unique")
    calendar = ShiftCalendar(tz_name, shifts, rule)
    r.problems.extend(f"calendar: {p}" for p in calendar.check())
    return calendar


def _shift(r: _Reader, s: Any, w: str) -> ShiftDef | None:
    """One shift: key, start and end, breaks, crew and the weekdays it runs (None when it cannot be used)."""
    key = r.need(s, "key", w)
    start = r.clock(s.get("start") if isinstance(s, dict) else None, f"{w}.start")
    end = r.clock(s.get("end") if isinstance(s, dict) else None, f"{w}.end")
    breaks = _breaks(r, s, w)
    weekdays = _weekdays(r, s, w)
    if key and start and end:
        return ShiftDef(key, str(s.get("name", key)), start, end, breaks, str(s.get("crew", "")), weekdays)
    return None


def _breaks(r: _Reader, s: Any, w: str) -> tuple[Break, ...]:
    """A shift's breaks."""
    breaks = []
    for j, b in enumerate((s.get("breaks") or []) if isinstance(s, dict) else []):
        bw = f"{w}.breaks[{j}]"
        b_start = r.clock(b.get("start") if isinstance(b, dict) else None, f"{bw}.start")
        minutes = r.need(b, "minutes", bw, float)
        if b_start and minutes is not None:
            breaks.append(Break(b_start, minutes, str(b.get("label", "break"))))
    return tuple(breaks)


def _weekdays(r: _Reader, s: Any, w: str) -> frozenset[int]:
    """The weekdays a shift runs (0 is Monday); every day unless it names them."""
    if not (isinstance(s, dict) and s.get("days")):
        return frozenset(range(7))
    try:
        return frozenset(DAY_NAMES.index(str(d).lower()[:3]) for d in s["days"])
    except ValueError:
        r.problems.append(f"{w}.days: use day names like mon, tue... got {s['days']!r}")
        return frozenset(range(7))


# ---- areas, lines, stop reasons ----------------------------------------------------------------------------------


def _areas(r: _Reader, raw_areas: Any) -> tuple[dict[str, Area], dict[str, Line]]:
    """The areas and, through them, the lines."""
    areas: dict[str, Area] = {}
    lines: dict[str, Line] = {}
    for i, a in enumerate(r.items(raw_areas, "areas")):
        w = f"areas[{i}]"
        a = r.mapping(a, w)
        akey = r.need(a, "key", w)
        if not akey:
            continue
        line_keys = []
        for j, ln in enumerate(r.items(a.get("lines"), f"{w}.lines")):
            line = _line(r, ln, f"{w}.lines[{j}]", akey, lines)
            if line is not None:
                lines[line.key] = line
                line_keys.append(line.key)
        flow = tuple(str(x) for x in r.items(a.get("flow"), f"{w}.flow"))
        r.problems.extend(f"{w}.flow: {step!r} is not a line of area {akey!r}" for step in flow
                          if step not in line_keys)
        areas[akey] = Area(akey, str(a.get("name", akey)), tuple(line_keys), flow)
    if not lines:
        r.problems.append("areas: at least one area with one line is needed")
    return areas, lines


def _line(r: _Reader, ln: Any, lw: str, area: str, known: dict[str, Line]) -> Line | None:
    """One line of an area: its ideal cycle time (per product where given) and downtime cost."""
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
    if lkey in known:
        r.problems.append(f"{lw}.key: line {lkey!r} is defined twice")
    cost = r.opt(ln, "downtime_cost_per_hour", lw, float, None)
    if lkey and cycle:
        return Line(lkey, str(ln.get("name", lkey)), area, cycle, products, cost)
    return None


def _stop_reasons(r: _Reader, raw_reasons: Any) -> dict[str, str]:
    """Each stop reason's category (planned, unplanned, changeover)."""
    stop_reasons: dict[str, str] = {}
    for i, sr in enumerate(raw_reasons or []):
        reason = r.need(sr, "reason", f"stop_reasons[{i}]")
        cat = r.need(sr, "category", f"stop_reasons[{i}]")
        if cat and cat not in STOP_CATEGORIES:
            r.problems.append(f"stop_reasons[{i}].category: expected one of {', '.join(STOP_CATEGORIES)}")
        if reason and cat:
            stop_reasons[reason] = cat
    return stop_reasons


# ---- KPIs --------------------------------------------------------------------------------------------------------


def _kpis(r: _Reader, raw_kpis: Any) -> dict[str, KpiDef]:
    """The KPI definitions, by key."""
    kpis: dict[str, KpiDef] = {}
    for i, k in enumerate(raw_kpis or []):
        kdef = _kpi(r, k, i, kpis)
        if kdef is not None:
            kpis[kdef.key] = kdef
    return kpis


def _kpi(r: _Reader, k: Any, i: int, known: dict[str, KpiDef]) -> KpiDef | None:
    """One KPI: its formula from the catalogue, category, layer, direction, targets, owner and source."""
    key = r.need(k, "key", f"kpis[{i}]")
    if not key:
        return None
    w = f"kpis[{i}] ({key})"
    formula_key = k.get("formula", key)
    formula = FORMULAS.get(formula_key)
    if formula is None:
        r.problems.append(f"{w}.formula: unknown formula {formula_key!r}; known: {', '.join(FORMULAS)}")
        return None
    category = r.need(k, "category", w)
    if category and category not in CATEGORIES:
        r.problems.append(f"{w}.category: expected one of S, Q, D, C, M, got {category!r}")
    layer = r.opt(k, "layer", w, int, 2)
    if layer not in LAYERS:
        r.problems.append(f"{w}.layer: expected 1–5, got {layer!r}")
    direction = k.get("direction", formula.direction)
    r.either(direction, ("higher", "lower"), f"{w}.direction")
    frequency = k.get("frequency", "shift")
    if frequency not in FREQUENCIES:
        r.problems.append(f"{w}.frequency: expected one of {', '.join(FREQUENCIES)}, got {frequency!r}")
        frequency = "shift"
    targets = _targets(r, k, w)
    amber = r.opt(k, "amber", w, float, None)
    baseline = _baseline(r, k, w)
    leading = k.get("leading", "lagging")
    r.either(leading, ("leading", "lagging"), f"{w}.leading")
    aggregation = k.get("aggregation", "mean")
    r.either(aggregation, ("sum", "mean"), f"{w}.aggregation")
    if key in known:
        r.problems.append(f"{w}.key: KPI {key!r} is defined twice")
    return KpiDef(
        key=key, name=str(k.get("name", key)), formula=formula_key,
        unit=Unit(str(k.get("unit", formula.unit)), str(k.get("unit_one") or "")),
        category=category or "D", layer=layer if layer in LAYERS else 2, direction=direction,
        targets=targets, amber=amber, owner=k.get("owner") or None,
        data_source=k.get("data_source") or None, frequency=frequency, leading=leading == "leading",
        baseline=baseline, aggregation=aggregation, headline=bool(k.get("headline", True)),
        description=str(k.get("description", formula.description)),
    )


def _targets(r: _Reader, k: dict[str, Any], w: str) -> tuple[tuple[date, float], ...]:
    """A KPI's targets by the day they take effect, sorted: one ``target`` for all time and/or dated ``targets``."""
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
    return tuple(sorted(targets))


def _baseline(r: _Reader, k: dict[str, Any], w: str) -> Baseline | None:
    """Where a KPI started, when the file says."""
    if not isinstance(k.get("baseline"), dict):
        return None
    b = k["baseline"]
    on = _as_date(b.get("date"))
    if not isinstance(b.get("value"), int | float) or on is None:
        r.problems.append(f"{w}.baseline: expected {{value: number, date: YYYY-MM-DD, source: text}}")
        return None
    return Baseline(float(b["value"]), on, str(b.get("source", "")))


# ---- trees -------------------------------------------------------------------------------------------------------


def _trees(r: _Reader, raw_trees: Any, kpis: dict[str, KpiDef]) -> dict[str, TreeDef]:
    """The KPI trees, each checked against the KPIs (``tree_errors``)."""
    trees: dict[str, TreeDef] = {}
    for i, t in enumerate(raw_trees or []):
        w = f"trees[{i}]"
        tree = _tree(r, t, w)
        if tree is None:
            continue
        r.problems.extend(f"{w} ({tree.key}): {p}" for p in tree_errors(tree, kpis))
        trees[tree.key] = tree
    return trees


def _tree(r: _Reader, t: Any, w: str) -> TreeDef | None:
    """One tree: key, root, the edges from each parent to its children, and trade-offs."""
    tkey = r.need(t, "key", w)
    root = r.need(t, "root", w)
    if not tkey or not root:
        return None
    edges = [edge for j, e in enumerate(t.get("edges") or []) for edge in _edges(r, e, f"{w}.edges[{j}]")]
    tradeoffs = [to for j, raw in enumerate(t.get("tradeoffs") or [])
                 if (to := _tradeoff(r, raw, f"{w}.tradeoffs[{j}]")) is not None]
    return TreeDef(tkey, str(t.get("name", tkey)), root, tuple(edges), tuple(tradeoffs))


def _edges(r: _Reader, e: Any, ew: str) -> list[Edge]:
    """A parent's edges to its children, with how the children combine (product, sum or not at all)."""
    parent = r.need(e, "parent", ew)
    children = r.need(e, "children", ew, list) or []
    formula = e.get("formula") if isinstance(e, dict) else None
    if formula not in (None, "product", "sum"):
        r.problems.append(f"{ew}.formula: expected 'product', 'sum' or nothing, got {formula!r}")
        formula = None
    return [Edge(parent, str(c), formula) for c in children]


def _tradeoff(r: _Reader, to: Any, where: str) -> TradeOff | None:
    """A trade-off between two KPIs."""
    between = to.get("between") if isinstance(to, dict) else None
    if not isinstance(between, list) or len(between) != 2:
        r.problems.append(f"{where}.between: expected two KPI keys")
        return None
    return TradeOff(str(between[0]), str(between[1]), str(to.get("note", "")), bool(to.get("acknowledged", False)))


# ---- sources -----------------------------------------------------------------------------------------------------


def _sources(r: _Reader, raw_sources: Any) -> dict[str, SourceDef]:
    """The places the loaders read, by key."""
    sources: dict[str, SourceDef] = {}
    for i, s in enumerate(r.items(raw_sources, "sources")):
        source = _source(r, s, f"sources[{i}]", sources)
        if source is not None:
            sources[source.key] = source
    return sources


def _source(r: _Reader, s: Any, w: str, known: dict[str, SourceDef]) -> SourceDef | None:
    """One source (a folder of files, a SQL query or an MQTT broker), its record type and when it is read."""
    s = r.mapping(s, w)
    skey = r.need(s, "key", w)
    kind = r.need(s, "kind", w)
    record = s.get("record", "production_counts") if kind == "mqtt" else r.need(s, "record", w)  # counts and stops
    live = _source_kind(r, s, w, kind, record)
    schedule = _schedule(r, s.get("schedule", "every 5 s" if kind == "mqtt" else "every 60 s"), f"{w}.schedule")
    if skey in known:
        r.problems.append(f"{w}.key: source {skey!r} is defined twice")
    patterns = r.items(s.get("patterns", ["*.csv", "*.xlsx"]), f"{w}.patterns")
    if not all(isinstance(p, str) for p in patterns):
        r.problems.append(f"{w}.patterns: expected file name patterns like \"*.csv\"")
    settle = r.opt(s, "settle_seconds", w, float, 5.0)
    final = r.opt(s, "final_seconds", w, float, 120.0)
    if not (skey and kind and record):
        return None
    return SourceDef(
        key=skey, kind=kind, record=record, schedule=schedule, path=s.get("path"),
        patterns=tuple(str(p) for p in patterns), settle_seconds=settle or 0.0,
        final_seconds=120.0 if final is None else final,
        require_ok_marker=bool(s.get("require_ok_marker", False)),
        columns={str(a): str(b) for a, b in (s.get("columns") or {}).items()},
        delimiter=s.get("delimiter"), encoding=s.get("encoding"), sheet=s.get("sheet"),
        url=s.get("url"), query=s.get("query"), description=str(s.get("description", "")), **live,
        mapping=read_mapping(s, w, r.problems),
    )


def _source_kind(r: _Reader, s: dict[str, Any], w: str, kind: str | None, record: str | None) -> dict[str, Any]:
    """A source's kind and record type are known and it has what its kind needs (a folder; a URL and query; a
    broker); an MQTT source's topics, payload mapping and counts are returned for its ``SourceDef``."""
    if kind:
        r.either(kind, ("files", "sql", "mqtt"), f"{w}.kind")
    if record and record not in RECORD_TYPES:
        r.problems.append(f"{w}.record: expected one of {', '.join(RECORD_TYPES)}, got {record!r}")
    if kind == "files" and not s.get("path"):
        r.problems.append(f"{w}.path: a files source needs the folder it reads")
    if kind == "sql" and not (s.get("url") and s.get("query")):
        r.problems.append(f"{w}: a sql source needs url and query")
    if kind != "mqtt":
        return {}
    if not str(s.get("url") or "").startswith(("mqtt://", "mqtts://")):
        r.problems.append(f"{w}.url: an mqtt source needs its broker, as mqtt://host:1883")
    live = {k: {str(a): str(b) for a, b in r.mapping(s.get(k), f"{w}.{k}").items()}
            for k in ("topics", "payload", "states", "reasons")}
    for topic in live["topics"]:
        r.either(topic, ("counts", "state"), f"{w}.topics")
    for value in live["states"].values():
        r.either(value, ("running", "stopped", "planned_stop"), f"{w}.states")
    live["counts"] = s.get("counts", "totals") if r.either(s.get("counts", "totals"), ("totals", "increments"),
                                                         f"{w}.counts") else "totals"
    return live


def _schedule(r: _Reader, raw: Any, where: str) -> Schedule:
    """When a source is read: seconds, 'every 5 min' or a 5-field cron (else every 60 s, with a problem)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Schedule(every_seconds=int(raw))
    if isinstance(raw, str):
        m = EVERY.fullmatch(raw)
        if m:
            return Schedule(every_seconds=int(m.group(1)) * SECONDS_PER[m.group(2)])
        if len(raw.split()) == 5:
            return Schedule(cron=raw.strip())
    r.problems.append(f"{where}: expected 'every 60 s', 'every 5 min' or a 5-field cron expression, got {raw!r}")
    return Schedule(every_seconds=60)
