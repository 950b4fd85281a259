"""Where a KPI tree's nodes sit (dashboard/core/tree_layout.py): side by side while seven columns hold the tree;
wider, the largest groups of leaves stacked under their parents until it fits, no two nodes on top of each other."""

from __future__ import annotations

from itertools import combinations

from huddle.dashboard.core.plant import Edge, TreeDef
from huddle.dashboard.core.tree_layout import GAP_X, MAX_COLUMNS, tree_layout

NODE_W, NODE_H = 164, 92  # as the graph draws a node (pages/tree_graph.py)


def _tree(groups: dict[str, int]) -> TreeDef:
    """A root over one parent per group, each with that many leaves."""
    edges = [Edge("root", parent, None) for parent in groups]
    edges += [Edge(parent, f"{parent}_{i}", None) for parent, n in groups.items() for i in range(n)]
    return TreeDef("t", "T", "root", tuple(edges))


def _overlapping(placed: dict[str, tuple[float, float]]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in combinations(placed, 2)
            if abs(placed[a][0] - placed[b][0]) < NODE_W and abs(placed[a][1] - placed[b][1]) < NODE_H]


def test_a_tree_of_seven_leaves_stays_side_by_side() -> None:
    tree = _tree({"a": 4, "b": 1, "c": 2})
    drawn = tree_layout(tree, {"root", "a", "b", "c"})
    assert drawn.stacked == frozenset()
    leaves = [k for k in drawn.positions if "_" in k]
    assert len(leaves) == 7 and len({drawn.positions[k][1] for k in leaves}) == 1
    assert max(x for x, _y in drawn.positions.values()) - min(x for x, _y in drawn.positions.values()) == 6 * GAP_X


def test_a_wider_tree_stacks_its_largest_groups_of_leaves_until_it_fits() -> None:
    tree = _tree({"a": 2, "b": 5, "c": 2})  # nine leaves side by side would need nine columns
    drawn = tree_layout(tree, {"root", "a", "b", "c"})
    assert drawn.stacked == {f"b_{i}" for i in range(5)}  # the largest group stacked is enough: 5 columns
    xs = [x for x, _y in drawn.positions.values()]
    assert max(xs) - min(xs) + NODE_W <= MAX_COLUMNS * GAP_X
    assert _overlapping(drawn.positions) == []
    b = drawn.positions["b"]
    stack = [drawn.positions[f"b_{i}"] for i in range(5)]
    assert all(x > b[0] for x, _y in stack) and [y for _x, y in stack] == sorted(y for _x, y in stack)
    assert tree_layout(tree, {"root", "a", "b", "c"}) == drawn  # the same expanded set, the same layout


def test_a_very_wide_tree_stacks_every_group() -> None:
    tree = _tree({f"p{i}": 3 for i in range(5)})  # 15 leaves
    drawn = tree_layout(tree, {"root", *(f"p{i}" for i in range(5))})
    assert len(drawn.stacked) == 15 and _overlapping(drawn.positions) == []
    xs = [x for x, _y in drawn.positions.values()]
    assert max(xs) - min(xs) + NODE_W <= MAX_COLUMNS * GAP_X
    six = _tree({f"p{i}": 3 for i in range(6)})  # six stacks are as narrow as the tree gets: wider than 7 columns
    assert len(tree_layout(six, {"root", *(f"p{i}" for i in range(6))}).stacked) == 18
