"""KPI tree read model: each node's reading and whether red lies below it, which nodes open first (the paths to
red leaves), their positions, the change against the previous period split over the drivers, and the tree's
findings. Used by the tree page and the API; nothing here knows Dash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.names import period_words
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import Finding, PlantConfig, TradeOff, TreeDef
from huddle.dashboard.core.plant_checks import tree_findings
from huddle.dashboard.core.tree_layout import tree_layout
from huddle.dashboard.core.tree_math import Contribution, attribute
from huddle.dashboard.services.reading_context import sharing_context
from huddle.dashboard.services.readings import Reading, Readings


@dataclass(frozen=True)
class TreeNodeStatus:
    """One node of a tree for a scope and period."""

    key: str
    name: str
    parent: str | None
    depth: int
    reading: Reading
    red_below: bool  # some descendant is red
    formula: str | None  # how the children combine into this node, if they do

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"key": self.key, "name": self.name, "parent": self.parent, "depth": self.depth,
                "red_below": self.red_below, "formula": self.formula, **self.reading.as_dict()}


def rolled_up_checks(tree: TreeDef, config: PlantConfig, readings: Mapping[str, Reading]) -> dict[str, Reading]:
    """The readings with "check data" carried up the tree: a node computed from a child whose value is impossible
    (a formula edge) cannot be trusted either, and says which child it comes from."""
    out = dict(readings)

    def visit(key: str, path: tuple[str, ...]) -> Reading:
        reading = out[key]
        if tree.formula_of(key) is None or reading.value is None:
            for child in tree.children(key):
                if child not in path:
                    visit(child, (*path, child))
            return reading
        suspects = [child for child in tree.children(key)
                    if child not in path and visit(child, (*path, child)).status is Status.CHECK]
        if suspects and reading.status is not Status.CHECK:
            names = ", ".join(config.kpis[c].name for c in suspects)
            reading = replace(reading, status=Status.CHECK, checks=(*reading.checks, f"computed from {names}, "
                                                                    "whose value is impossible"))
            out[key] = reading
        return reading

    visit(tree.root, (tree.root,))
    return out


def tree_statuses(tree: TreeDef, config: PlantConfig, readings: Mapping[str, Reading]) -> list[TreeNodeStatus]:
    """Every node reachable from the root, breadth first, with its reading and red-below mark (check data carried
    up formula edges)."""
    readings = rolled_up_checks(tree, config, readings)
    red_below: dict[str, bool] = {}

    def below(key: str, path: tuple[str, ...]) -> bool:
        if key in red_below:
            return red_below[key]
        found = False
        for child in tree.children(key):
            if child in path:
                continue
            if readings[child].status is Status.RED or below(child, (*path, child)):
                found = True
        red_below[key] = found
        return found

    out: list[TreeNodeStatus] = []
    queue: list[tuple[str, str | None, int]] = [(tree.root, None, 0)]
    seen: set[str] = set()
    while queue:
        key, parent, depth = queue.pop(0)
        if key in seen:
            continue
        seen.add(key)
        out.append(TreeNodeStatus(key, config.kpis[key].name, parent, depth, readings[key],
                                  below(key, (key,)), tree.formula_of(key)))
        queue.extend((c, key, depth + 1) for c in tree.children(key))
    return out


def follow_the_red(tree: TreeDef, nodes: list[TreeNodeStatus]) -> set[str]:
    """The nodes opened when a tree is first shown: the root (so its branches show), every node with red below it
    (so each path from the root to a red leaf is already open) and every red node's drivers (where the red ends,
    what drives it shows, even when none of them is red)."""
    return {tree.root} | {n.key for n in nodes if n.red_below or (n.reading.status is Status.RED
                                                                   and tree.children(n.key))}


def tree_holding(config: PlantConfig, kpi: str) -> str | None:
    """The first configured tree with the KPI as a node (where its board tile or overview cell leads), or None."""
    return next((key for key, tree in config.trees.items() if kpi in tree.nodes()), None)


def last_complete_day(config: PlantConfig, now: datetime) -> date | None:
    """The latest production date whose shifts have all ended (what a tree opens on by default)."""
    last = config.calendar.last_completed(now)
    if last is None:
        return None
    day = last.production_date
    ends = [i.end_utc for i in config.calendar.instances_for_dates(day, day)]
    if ends and max(ends) > now:
        return date.fromordinal(day.toordinal() - 1)
    return day


@dataclass(frozen=True)
class TreeView:
    """One tree for a scope and period, as the page draws it."""

    tree: TreeDef
    scope: str
    period: Period
    previous: Period
    nodes: dict[str, TreeNodeStatus]  # every node of the tree, by key
    before: dict[str, Reading]  # the previous period's readings
    expanded: frozenset[str]
    visible: list[str]  # nodes drawn, breadth first
    positions: dict[str, tuple[float, float]]
    hidden_below: dict[str, int]  # for a drawn node that is folded: how many children it hides
    why: list[Contribution]  # the root's change against the previous period, split over its drivers
    findings: list[Finding] = field(default_factory=list)
    stacked: frozenset[str] = frozenset()  # leaves drawn one below the other under their parent (a wide tree)

    @property
    def root(self) -> TreeNodeStatus:
        """The root node."""
        return self.nodes[self.tree.root]

    def edges(self) -> list[tuple[str, str, str | None]]:
        """Driver edges between drawn nodes: (parent, child, formula)."""
        shown = set(self.visible)
        return [(e.parent, e.child, self.tree.formula_of(e.parent)) for e in self.tree.edges
                if e.parent in shown and e.child in shown and e.parent in self.expanded]

    def tradeoffs(self) -> list[TradeOff]:
        """Trade-offs whose two KPIs are both drawn."""
        shown = set(self.visible)
        return [t for t in self.tree.tradeoffs if t.a in shown and t.b in shown]

    def deepest_red(self) -> list[str]:
        """Drawn red nodes with nothing red below them: where each red path ends."""
        return [k for k in self.visible if self.nodes[k].reading.status is Status.RED and not self.nodes[k].red_below]

    def red_path(self) -> tuple[set[str], set[tuple[str, str]]]:
        """The nodes and edges on the way from the root down to every red node (empty when nothing is red)."""
        nodes = {k for k, n in self.nodes.items() if n.red_below or n.reading.status is Status.RED}
        edges = {(e.parent, e.child) for e in self.tree.edges if e.parent in nodes and e.child in nodes
                 and self.nodes[e.parent].red_below}
        return nodes, edges

    def biggest_driver_path(self) -> list[Contribution]:
        """From the root down formula edges, at each level the child that moved the root most in the direction it
        moved: the leaf that contributed most is the last."""
        by_key = {c.key: c for c in self.why}
        root = by_key.get(self.tree.root)
        if root is None or not root.contribution:
            return []
        sign = 1 if root.contribution > 0 else -1
        path = [root]
        key = self.tree.root
        while True:
            kids = [by_key[c] for c in self.tree.children(key) if c in by_key and by_key[c].contribution is not None]
            if not kids:
                return path
            best = max(kids, key=lambda c: sign * (c.contribution or 0.0))
            if sign * (best.contribution or 0.0) <= 0:
                return path
            path.append(best)
            key = best.key


@sharing_context
def build_tree_view(readings: Readings, tree_key: str, scope: str, period: Period,
                    expanded: set[str] | None = None) -> TreeView:
    """Read a tree for a scope and period; ``expanded`` None opens the root and the paths to red leaves."""
    config = readings.config
    tree = config.trees[tree_key]
    keys = tree.nodes()
    previous = period.previous()
    both = readings.readings_each(keys, scope, (period, previous))
    current, before = both[period], both[previous]
    statuses = tree_statuses(tree, config, current)
    opened = follow_the_red(tree, statuses) if expanded is None else ({tree.root} | set(expanded)) & set(keys)
    drawn = tree_layout(tree, opened)
    placed = drawn.positions
    by_key = {n.key: n for n in statuses}
    visible = [n.key for n in statuses if n.key in placed]
    hidden = {k: len(tree.children(k)) for k in visible if k not in opened and tree.children(k)}
    why = attribute(config, tree, {k: r.value for k, r in before.items()}, {k: r.value for k, r in current.items()})
    found = tree_findings(config, tree)
    missing = [config.kpis[k].name for k in keys if current[k].value is None]
    if missing:  # once for the tree, not once per node
        found.append(Finding("warning", _("no data"), _("{kpis} for {scope}, {period}").format(
            kpis=", ".join(missing), scope=config.scope_name(scope), period=period_words(config, period))))
    return TreeView(tree, scope, period, previous, by_key, before, frozenset(opened), visible, placed, hidden, why,
                    found, drawn.stacked)


def tree_readings(readings: Readings, tree_key: str, scope: str, period: Period) -> dict[str, Any]:
    """A KPI tree with each node's reading and whether red lies below it, what moved the root since the period
    before, and the tree's trade-offs: the API's tree, JSON-ready."""
    config = readings.config
    tree = config.trees[tree_key]
    previous = period.previous()
    both = readings.readings_each(tree.nodes(), scope, (period, previous))
    now, before = both[period], both[previous]
    nodes = tree_statuses(tree, config, now)
    why = attribute(config, tree, {k: r.value for k, r in before.items()}, {k: r.value for k, r in now.items()})
    return {"tree": tree.key, "name": tree.name, "scope": scope, "period": period.label,
            "nodes": [n.as_dict() for n in nodes],
            "why": {"against": previous.label,
                    "contributions": [{"kpi": c.key, "before": c.before, "after": c.after,
                                       "contribution": c.contribution} for c in why]},
            "tradeoffs": [{"between": [t.a, t.b], "note": t.note} for t in tree.tradeoffs]}
