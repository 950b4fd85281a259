"""What is wrong with a plant, and what the method warns about.

``tree_errors`` are the problems that make a KPI tree unusable (unknown KPIs, cycles, a formula its children do not
multiply or add up to): reading the plant file refuses them. ``findings`` and ``tree_findings`` are the method's
warnings a loaded plant may still carry (a KPI without owner, data source or target; a tree too big, with too few or
too many branches, with KPIs not connected to the root, or with trade-offs nobody acknowledged; shift times on a
clock change, from ``plant_dst``); ``huddle check`` and the tree page show them.
"""

from __future__ import annotations

import random
from datetime import datetime

from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.kpi import FORMULAS, MEASURES, Kind, evaluate
from huddle.dashboard.core.plant import Finding, KpiDef, PlantConfig, TreeDef
from huddle.dashboard.core.plant_dst import dst_findings

MAX_TREE_KPIS = 15  # a tree people can use has at most 12–15 KPIs
BRANCHES = range(2, 5)  # 2–4 branches under the root


def findings(config: PlantConfig, since: datetime | None = None, *, shape: bool = True) -> list[Finding]:
    """Method warnings a good plant configuration avoids (the product warns, it does not forbid); with ``since``
    (an instant) also the shift and break times that fall in clock times skipped or repeated by the clock changes
    of the following year; without ``shape`` not the trees' size and branches (the focus checks say those)."""
    out: list[Finding] = []
    gaps = config.calendar.gaps()
    if gaps:
        out.append(Finding("warning", "calendar", _("no shift covers {times}: events then are not counted").format(
            times=", ".join(gaps))))
    if since is not None:
        out.extend(dst_findings(config.calendar, since))
    for k in config.kpis.values():
        out.extend(_owner_and_source(k))
        if not k.targets and FORMULAS[k.formula].kind is not Kind.GAUGE:
            out.append(Finding("warning", f"kpi {k.key}", _("no target: its status stays grey")))
    for t in config.trees.values():
        out.extend(tree_findings(config, t, kpi_checks=False, shape=shape))
    return out


def tree_findings(config: PlantConfig, tree: TreeDef, *, kpi_checks: bool = True, shape: bool = True) -> list[Finding]:
    """The method's checks on one tree: (with ``shape``) size and branches under the root, KPIs not connected to
    it, trade-offs not acknowledged and (with ``kpi_checks``) its KPIs without owner or data source."""
    out: list[Finding] = []
    nodes = tree.nodes()
    where = f"tree {tree.key}"
    too_many, branches = tree_shape(tree)
    if shape and too_many:
        out.append(Finding("warning", where, _("{n} KPIs: a tree people can use has at most 12–15").format(
            n=len(nodes))))
    if shape and branches is not None:
        out.append(Finding("warning", where, _("{n} branches under the root: 2–4 is the rule").format(
            n=branches)))
    reachable = _reachable(tree)
    out += [Finding("warning", where, _("{kpi} is not connected to the root {root}").format(kpi=n, root=tree.root))
            for n in nodes if n not in reachable]
    out += [Finding("warning", where, _("trade-off {a} ↔ {b} is not acknowledged").format(a=to.a, b=to.b))
            for to in tree.tradeoffs if not to.acknowledged]
    if kpi_checks:
        for n in nodes:
            if n in config.kpis:
                out.extend(_owner_and_source(config.kpis[n]))
    return out


def tree_shape(tree: TreeDef) -> tuple[bool, int | None]:
    """Whether a tree has more KPIs than people can use, and its number of branches under the root when that is
    not 2–4 (else None)."""
    branches = len(tree.children(tree.root))
    return len(tree.nodes()) > MAX_TREE_KPIS, None if branches in BRANCHES else branches


def _reachable(tree: TreeDef) -> set[str]:
    """The KPIs reached from the tree's root by following its edges down."""
    reachable = set()
    queue = [tree.root]
    while queue:
        n = queue.pop()
        if n not in reachable:
            reachable.add(n)
            queue.extend(tree.children(n))
    return reachable


def _owner_and_source(k: KpiDef) -> list[Finding]:
    """A KPI's warnings for a missing owner and a missing data source."""
    out = []
    if not k.owner:
        out.append(Finding("warning", f"kpi {k.key}", _("no owner: every KPI needs one named person")))
    if not k.data_source:
        out.append(Finding("warning", f"kpi {k.key}", _("no data source (a finding to resolve, not a blank)")))
    return out


def tree_errors(tree: TreeDef, kpis: dict[str, KpiDef]) -> list[str]:
    """Errors that make a tree unusable: unknown KPIs, cycles, formulas that do not match their children."""
    errors = _unknown_kpis(tree, kpis)
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


def _unknown_kpis(tree: TreeDef, kpis: dict[str, KpiDef]) -> list[str]:
    """The tree's nodes and trade-offs that name KPIs the plant does not define (each node once)."""
    errors = []
    for k in [tree.root] + [x for e in tree.edges for x in (e.parent, e.child)]:
        if k not in kpis and f"unknown KPI {k!r}" not in " ".join(errors):
            errors.append(f"unknown KPI {k!r} (define it under kpis)")
    for to in tree.tradeoffs:
        for k in (to.a, to.b):
            if k not in kpis:
                errors.append(f"trade-off names unknown KPI {k!r}")
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
    for _try in range(5):
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

