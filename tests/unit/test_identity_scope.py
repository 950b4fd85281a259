"""Roles and home scopes, without a database: an operator reads like a viewer and ranks below an editor; a home
scope covers itself, an area covers its lines, the whole site covers everything."""

from __future__ import annotations

import pytest
from huddle.dashboard.core.plant import parse_plant
from huddle.dashboard.services.identity import ROLES, ForbiddenError, Identity

from tests.conftest import SMALL_PLANT

TWO_AREAS = SMALL_PLANT.replace("kpis:\n", """  - key: b
    name: Area B
    lines: [{key: L3, name: Line 3, ideal_cycle_s: 1.0}]
kpis:
""", 1)


@pytest.fixture(scope="module")
def plant():  # type: ignore[no-untyped-def]
    import yaml

    return parse_plant(yaml.safe_load(TWO_AREAS))


def test_roles_weakest_first() -> None:
    assert ROLES == ("viewer", "operator", "editor", "admin")


def test_an_operator_reads_but_holds_no_editor_right() -> None:
    olga = Identity("user", "olga", "operator", scope="L1")
    assert olga.may("viewer") and olga.may("operator")
    assert not olga.may("editor")
    with pytest.raises(ForbiddenError, match="needs the editor role; this request comes from Olga \\(operator\\)"):
        olga.require("editor", "raising an action")
    assert not Identity("user", "vic", "viewer").may("operator")
    assert Identity("user", "ed", "editor").may("operator")
    assert not Identity("display", "Hall TV", "display").may("operator")


def test_the_whole_site_covers_every_scope(plant) -> None:  # type: ignore[no-untyped-def]
    anna = Identity("user", "anna", "editor")
    assert all(anna.covers(plant, s) for s in ("plant", "a", "b", "L1", "L2", "L3"))


def test_a_line_covers_only_itself(plant) -> None:  # type: ignore[no-untyped-def]
    olga = Identity("user", "olga", "operator", scope="L1")
    assert olga.covers(plant, "L1")
    assert [s for s in ("plant", "a", "b", "L2", "L3") if olga.covers(plant, s)] == []


def test_an_area_covers_itself_and_its_lines(plant) -> None:  # type: ignore[no-untyped-def]
    tom = Identity("user", "tom", "editor", scope="a")
    assert [s for s in ("plant", "a", "b", "L1", "L2", "L3") if tom.covers(plant, s)] == ["a", "L1", "L2"]
