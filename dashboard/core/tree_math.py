"""KPI tree arithmetic: why a node moved (its change split exactly over its children), and what-if and goal seek on
formula edges (where the nodes sit when drawn: ``tree_layout``).

Values are in each KPI's display unit; a formula combines the children's values as fractions of their scale
(OEE % = A % × P % × Q % / 100²). A product's change is split with logarithmic (LMDI) weights, which add up to
the parent's change exactly even when factors move in opposite directions; a sum's change is the children's
changes. Nothing here touches the database or Dash.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from huddle.dashboard.core.kpi import FORMULAS
from huddle.dashboard.core.plant import PlantConfig, TreeDef


def _scale(config: PlantConfig, key: str) -> float:
    return FORMULAS[config.kpis[key].formula].scale


def combine(config: PlantConfig, tree: TreeDef, parent: str, values: Mapping[str, float | None]) -> float | None:
    """The parent's value from its children's values through the edge formula (None if any child has none)."""
    formula = tree.formula_of(parent)
    children = tree.children(parent)
    if formula is None or any(values.get(c) is None for c in children):
        return None
    fractions = [float(values[c]) / _scale(config, c) for c in children]  # type: ignore[arg-type]
    combined = math.prod(fractions) if formula == "product" else sum(fractions)
    return combined * _scale(config, parent)


def _log_mean(a: float, b: float) -> float:
    """The logarithmic mean of two positive numbers (a when they are equal)."""
    if a <= 0 or b <= 0:
        return 0.0
    return a if math.isclose(a, b, rel_tol=1e-12) else (a - b) / (math.log(a) - math.log(b))


@dataclass(frozen=True)
class Contribution:
    """How much of the root's change a node accounts for, in the root's unit."""

    key: str
    before: float | None
    after: float | None
    contribution: float | None  # None where the change cannot be split (no formula, or missing values)


def attribute(config: PlantConfig, tree: TreeDef, before: Mapping[str, float | None],
              after: Mapping[str, float | None], node: str | None = None) -> list[Contribution]:
    """Split a node's change (root by default) over its descendants through formula edges, depth first.

    Each child's contribution is in the split node's unit; a child's own children split that contribution in turn,
    so leaf contributions add up to the root's change.
    """
    start = node or tree.root
    out: list[Contribution] = []
    total = None
    if before.get(start) is not None and after.get(start) is not None:
        total = float(after[start]) - float(before[start])  # type: ignore[arg-type]
    out.append(Contribution(start, before.get(start), after.get(start), total))
    _split(config, tree, start, total, before, after, out)
    return out


def _split(config: PlantConfig, tree: TreeDef, parent: str, amount: float | None,
           before: Mapping[str, float | None], after: Mapping[str, float | None], out: list[Contribution]) -> None:
    children = tree.children(parent)
    formula = tree.formula_of(parent)
    shares: dict[str, float | None] = dict.fromkeys(children)
    if amount is not None and formula and all(before.get(c) is not None and after.get(c) is not None
                                              for c in children):
        if formula == "sum":
            changes = {c: (float(after[c]) - float(before[c])) / _scale(config, c)  # type: ignore[arg-type]
                       for c in children}
            total = sum(changes.values())
            shares = {c: (amount * changes[c] / total) if total else 0.0 for c in children}
        else:
            p0, p1 = combine(config, tree, parent, before), combine(config, tree, parent, after)
            logs = {c: math.log(float(after[c]) / float(before[c]))  # type: ignore[arg-type]
                    if float(before[c]) > 0 and float(after[c]) > 0 else None  # type: ignore[arg-type]
                    for c in children}
            if p0 and p1 and all(v is not None for v in logs.values()):
                weight = _log_mean(p1, p0)
                raw = {c: weight * logs[c] for c in children}  # type: ignore[operator]
                total = sum(raw.values())
                # the formula's parent equals the stored parent; scale so the split is exactly the stored change
                shares = {c: (amount * raw[c] / total) if total else 0.0 for c in children}
    for c in children:
        out.append(Contribution(c, before.get(c), after.get(c), shares[c]))
        _split(config, tree, c, shares[c], before, after, out)


def what_if(config: PlantConfig, tree: TreeDef, values: Mapping[str, float | None], node: str,
            new_value: float) -> dict[str, float | None]:
    """Set a node's value and recompute every ancestor joined by formula edges; returns the changed values."""
    current = dict(values)
    current[node] = new_value
    changed: dict[str, float | None] = {node: new_value}
    child = node
    while True:
        parent = next((e.parent for e in tree.edges if e.child == child and e.formula), None)
        if parent is None:
            return changed
        current[parent] = combine(config, tree, parent, current)
        changed[parent] = current[parent]
        child = parent


@dataclass(frozen=True)
class GoalSeek:
    """What a child must reach for its parent to hit a target, or why it cannot."""

    child: str
    needed: float | None
    possible: bool
    reason: str = ""


def goal_seek(config: PlantConfig, tree: TreeDef, values: Mapping[str, float | None], parent: str, child: str,
              target: float) -> GoalSeek:
    """The child's value that makes the parent equal the target, the other children unchanged."""
    formula = tree.formula_of(parent)
    if formula is None or child not in tree.children(parent):
        return GoalSeek(child, None, False, f"{parent} is not a formula of {child}")
    others = [c for c in tree.children(parent) if c != child]
    if any(values.get(c) is None for c in others):
        return GoalSeek(child, None, False, "a sibling has no data")
    target_fraction = target / _scale(config, parent)
    other_fractions = [float(values[c]) / _scale(config, c) for c in others]  # type: ignore[arg-type]
    if formula == "product":
        rest = math.prod(other_fractions)
        if rest == 0:
            return GoalSeek(child, None, False, "another factor is zero: no value of this one reaches the target")
        needed_fraction = target_fraction / rest
    else:
        needed_fraction = target_fraction - sum(other_fractions)
    needed = needed_fraction * _scale(config, child)
    unit = config.kpis[child].unit
    if unit == "%" and needed > 100 + 1e-9:
        return GoalSeek(child, needed, False,
                        f"{config.kpis[child].name} would need {needed:.1f} %, above 100 %: impossible "
                        f"with the other factors where they are")
    if needed < 0:
        return GoalSeek(child, needed, False, f"{config.kpis[child].name} would need a negative value: impossible")
    return GoalSeek(child, needed, True)
