"""KPI tree arithmetic on the demo plant's OEE tree: the change split exactly over A × P × Q, what-if up to the
root, goal seek (and when it is impossible), and stable top-down positions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from huddle.dashboard.core.plant import load_plant
from huddle.dashboard.core.tree_layout import positions
from huddle.dashboard.core.tree_math import attribute, combine, goal_seek, what_if
from huddle.dashboard.settings import DEMO_PLANT

BEFORE = {"oee": 74.79365, "availability": 88.80952, "performance": 86.10813, "quality": 97.80499}


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo plant's configuration and its OEE tree."""
    config = load_plant(DEMO_PLANT, Path(tmp_path_factory.mktemp("data")))
    return config, config.trees["oee"]


def test_combine_reproduces_the_published_oee(plant) -> None:  # type: ignore[no-untyped-def]
    config, tree = plant
    assert round(combine(config, tree, "oee", BEFORE) or 0, 2) == 74.79  # 88.81 % × 86.11 % × 97.80 %


def test_a_change_is_split_exactly_over_the_factors_even_when_they_move_apart(plant) -> None:  # type: ignore[no-untyped-def]
    config, tree = plant
    after = {"availability": 83.0, "performance": 87.0, "quality": 97.0}
    after["oee"] = combine(config, tree, "oee", after)
    parts = {c.key: c.contribution for c in attribute(config, tree, BEFORE, after)}
    assert math.isclose(sum(parts[k] for k in ("availability", "performance", "quality")),  # type: ignore[misc]
                        after["oee"] - BEFORE["oee"], rel_tol=1e-9)
    assert parts["availability"] < 0 < parts["performance"] and parts["quality"] < 0  # type: ignore[operator]
    assert min(parts, key=lambda k: parts[k] if parts[k] is not None else 0) == "availability"  # the biggest drop
    assert parts["unplanned_downtime"] is None  # a causal edge without formula is not split


def test_what_if_recomputes_the_root(plant) -> None:  # type: ignore[no-untyped-def]
    config, tree = plant
    changed = what_if(config, tree, BEFORE, "availability", 95.0)
    assert round(changed["oee"] or 0, 2) == round(95.0 * 86.10813 * 97.80499 / 10_000, 2)


def test_goal_seek_says_what_a_factor_needs_or_that_it_is_impossible(plant) -> None:  # type: ignore[no-untyped-def]
    config, tree = plant
    reachable = goal_seek(config, tree, BEFORE, "oee", "availability", 65.0)
    assert reachable.possible and round(reachable.needed or 0, 2) == round(65.0 / (0.8610813 * 0.9780499), 2)
    impossible = goal_seek(config, tree, BEFORE, "oee", "availability", 85.0)
    assert not impossible.possible and "above 100 %" in impossible.reason
    assert not goal_seek(config, tree, BEFORE, "availability", "mttr", 90).possible  # no formula edge


def test_positions_are_stable_and_parents_sit_over_their_children(plant) -> None:  # type: ignore[no-untyped-def]
    _config, tree = plant
    opened = positions(tree, {"oee", "availability"})
    assert set(opened) == {"oee", "availability", "performance", "quality", "unplanned_downtime",
                           "changeover_time", "mttr", "mtbf"}
    assert opened["oee"][1] == 0 and opened["availability"][1] == opened["quality"][1] > 0
    assert opened["oee"][0] == (opened["availability"][0] + opened["quality"][0]) / 2
    assert positions(tree, {"oee", "availability"}) == opened
    assert set(positions(tree, {"oee"})) == {"oee", "availability", "performance", "quality"}
