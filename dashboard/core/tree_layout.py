"""Where the nodes of a KPI tree drawn top-down sit (computed on the server, so nothing jumps on the page): leaves
side by side, parents centred over their children; and when that is wider than a laptop's canvas holds at readable
labels, the leaves of a parent one below the other under it, as an organisation chart draws its last level, until
the tree fits. Nothing here touches the database or Dash.
"""

from __future__ import annotations

from dataclasses import dataclass

from huddle.dashboard.core.plant import TreeDef

#: how far apart, in the graph's pixels, side-by-side nodes and levels are (a node is 164 × 92)
GAP_X, GAP_Y = 178.0, 135.0
#: the most columns of nodes drawn side by side: seven fit the canvas of a 1366-px laptop at readable labels
MAX_COLUMNS = 7
#: a stacked leaf below the one before it, and to the right of its parent's centre (the line runs down its left)
STACK_GAP_Y, STACK_INDENT = 112.0, 44.0


@dataclass(frozen=True)
class TreeLayout:
    """The drawn nodes' positions, and the leaves drawn one below the other under their parent."""

    positions: dict[str, tuple[float, float]]
    stacked: frozenset[str]


def _visible_children(tree: TreeDef, expanded: set[str], key: str, path: tuple[str, ...]) -> list[str]:
    return [c for c in tree.children(key) if c not in path] if key in expanded else []


def _place(tree: TreeDef, expanded: set[str], stack: set[str]) -> tuple[dict[str, tuple[float, float]], float]:
    """Positions with the children of the ``stack`` parents stacked, and the width the tree takes."""
    placed: dict[str, tuple[float, float]] = {}
    next_x = [0.0]

    def place(key: str, depth: int, path: tuple[str, ...]) -> float:
        kids = _visible_children(tree, expanded, key, path)
        y = depth * GAP_Y
        if key in stack:
            x = next_x[0]
            next_x[0] += GAP_X + STACK_INDENT
            for i, kid in enumerate(kids):
                placed[kid] = (x + STACK_INDENT, y + GAP_Y + i * STACK_GAP_Y)
        elif not kids:
            x = next_x[0]
            next_x[0] += GAP_X
        else:
            xs = [place(c, depth + 1, (*path, c)) for c in kids]
            x = (xs[0] + xs[-1]) / 2
        placed[key] = (x, y)
        return x

    place(tree.root, 0, (tree.root,))
    return placed, next_x[0]


def _leaf_groups(tree: TreeDef, expanded: set[str]) -> list[tuple[int, int, str]]:
    """Parents whose drawn children are two or more leaves: (minus their number, order met, parent)."""
    groups: list[tuple[int, int, str]] = []

    def walk(key: str, path: tuple[str, ...]) -> None:
        kids = _visible_children(tree, expanded, key, path)
        if len(kids) >= 2 and all(not _visible_children(tree, expanded, c, (*path, c)) for c in kids):
            groups.append((-len(kids), len(groups), key))
        for c in kids:
            walk(c, (*path, c))

    walk(tree.root, (tree.root,))
    return sorted(groups)


def tree_layout(tree: TreeDef, expanded: set[str], columns: int = MAX_COLUMNS) -> TreeLayout:
    """Where each drawn node sits; wider than ``columns`` nodes side by side, the largest groups of leaves are
    stacked under their parents, one group after another, until the tree fits (or every group is stacked). The same
    expanded set always gives the same layout."""
    placed, width = _place(tree, expanded, set())
    stack: set[str] = set()
    for _size, _order, parent in _leaf_groups(tree, expanded):
        if width <= columns * GAP_X:
            break
        stack.add(parent)
        placed, width = _place(tree, expanded, stack)
    return TreeLayout(placed, frozenset(c for p in stack for c in tree.children(p) if c in placed))


def positions(tree: TreeDef, expanded: set[str]) -> dict[str, tuple[float, float]]:
    """Positions (x, y) of the visible nodes, root on top (the layout's, stacking included)."""
    return tree_layout(tree, expanded).positions
