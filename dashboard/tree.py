"""KPI tree statuses: each node's own status and whether red lies below it, so red can be followed to a leaf."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.config import PlantConfig, TreeDef
from dashboard.engine import Reading
from dashboard.kpi import Status


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


def tree_statuses(tree: TreeDef, config: PlantConfig, readings: Mapping[str, Reading]) -> list[TreeNodeStatus]:
    """Every node reachable from the root, breadth first, with its reading and red-below mark."""
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
