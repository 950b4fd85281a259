"""Tiers in the plant file (huddle.dashboard.core.tiers): the defaults of a plant that declares none, a declared
section read with its meeting times and agendas, every mistake refused with its place, and where a scope's problem
climbs to (a line's to its area, an area's to the plant, nothing above the top)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.plant import ConfigError, load_plant, parse_plant
from huddle.dashboard.core.tiers import (
    DEFAULT_AGENDA,
    Tier,
    contains,
    next_tier_scope,
    read_tiers,
    scope_key,
    tier_by_number,
    tier_for_scope,
    tier_scopes,
)

from tests.unit.test_core_config import BASE

DEMO = Path(__file__).resolve().parents[2] / "dashboard" / "demo_plant.yaml"
TWO_AREAS = {**copy.deepcopy(BASE), "areas": [
    {"key": "a", "name": "Area A", "lines": [{"key": "L1", "ideal_cycle_s": 1.0}, {"key": "L2", "ideal_cycle_s": 1}]},
    {"key": "b", "name": "Area B", "lines": [{"key": "L3", "ideal_cycle_s": 1.0}]}]}


def plant_with(tiers: Any = None) -> Any:
    raw = copy.deepcopy(TWO_AREAS)
    if tiers is not None:
        raw["tiers"] = tiers
    return parse_plant(raw)


def test_a_plant_without_tiers_gets_line_area_and_plant_meetings() -> None:
    tiers = plant_with().tiers
    assert [(t.number, t.scope_kind, t.meets, t.minutes) for t in tiers] == [
        (1, "line", None, 15), (2, "area", time(8, 30), 20), (3, "plant", time(10, 0), 30)]
    assert all(t.agenda == DEFAULT_AGENDA for t in tiers)
    assert DEFAULT_AGENDA == ("safety", "quality", "delivery", "cost", "people", "actions", "escalations")
    assert [t.title for t in tiers] == ["Tier 1", "Tier 2", "Tier 3"]
    assert tiers[0].when_words() == "at shift start, 15 min" and tiers[1].when_words() == "08:30, 20 min"
    assert tiers[0].answer_limit == timedelta(hours=24)


def test_declared_tiers_are_read_in_number_order() -> None:
    tiers = plant_with([
        {"number": 2, "name": "Area meeting", "scope": "area", "meets": 510, "agenda": ["safety", "escalations"],
         "answer_within_hours": 8},  # YAML reads 08:30 unquoted as 510 minutes
        {"number": 1, "name": " Line huddle ", "scope": "line", "meets": "shift start", "minutes": 10},
    ]).tiers
    assert [(t.number, t.title, t.meets, t.minutes, t.answer_hours) for t in tiers] == [
        (1, "Line huddle", None, 10, 24.0), (2, "Area meeting", time(8, 30), 15, 8.0)]
    assert tiers[1].agenda_words() == ["Safety", "Escalations"]
    arrived = datetime(2026, 12, 1, 8, 40, tzinfo=UTC)
    assert tiers[1].answer_by(arrived) == datetime(2026, 12, 1, 16, 40, tzinfo=UTC)


def test_the_demo_plant_declares_its_three_tiers() -> None:
    plant = load_plant(DEMO, "/tmp/unused")
    assert [(t.number, t.name, t.scope_kind) for t in plant.tiers] == [
        (1, "Line huddle", "line"), (2, "Area meeting", "area"), (3, "Plant meeting", "plant")]
    assert plant.tiers[2].answer_hours == 48


@pytest.mark.parametrize(("tiers", "problem"), [
    ([], "tiers: expected a list of tiers"),
    ({"number": 1}, "tiers: expected a list of tiers"),
    (["tier 1"], "tiers[0]: expected a mapping"),
    ([{"number": 0, "scope": "line"}], "tiers[0].number: expected a whole number from 1, got 0"),
    ([{"number": True, "scope": "line"}], "tiers[0].number: expected a whole number from 1, got True"),
    ([{"number": 1, "scope": "cell"}], "tiers[0].scope: expected 'line', 'area' or 'plant', got 'cell'"),
    ([{"number": 1, "scope": "line", "meets": "8.30"}],
     "tiers[0].meets: expected 'shift start' or a clock time like \"08:30\", got '8.30'"),
    ([{"number": 1, "scope": "line", "meets": "25:00"}], "tiers[0].meets: expected 'shift start'"),
    ([{"number": 1, "scope": "line", "minutes": 0}], "tiers[0].minutes: expected a whole number of minutes"),
    ([{"number": 1, "scope": "line", "answer_within_hours": -2}],
     "tiers[0].answer_within_hours: expected a number of hours above zero, got -2"),
    ([{"number": 1, "scope": "line", "agenda": ["safety", "gossip"]}],
     "tiers[0].agenda: unknown segment(s) 'gossip'; known: safety, quality"),
    ([{"number": 1, "scope": "line", "agenda": ["safety", "safety"]}], "tiers[0].agenda: each segment once"),
    ([{"number": 1, "scope": "line", "agenda": []}], "tiers[0].agenda: expected a list such as [safety"),
    ([{"number": 1, "scope": "line", "name": 3}], "tiers[0].name: expected text, got 3"),
    ([{"number": 1, "scope": "line", "meet": "06:00"}], "tiers[0].meet: unknown setting; a tier has number"),
    ([{"number": 1, "scope": "line"}, {"number": 1, "scope": "area"}],
     "tiers: each tier needs its own number, got [1, 1]"),
    ([{"number": 1, "scope": "area"}, {"number": 2, "scope": "line"}],
     "tiers: tier 2 looks at lines, tier 1 at areas; each tier must look at a broader scope"),
    ([{"number": 1, "scope": "area"}, {"number": 2, "scope": "area"}], "tiers: tier 2 looks at areas, tier 1 at areas"),
])
def test_a_wrong_tier_is_refused_with_its_place(tiers: Any, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        plant_with(tiers)
    assert any(p.startswith(problem) for p in refused.value.problems), refused.value.problems


def test_tier_problems_come_with_the_rest_of_the_file() -> None:
    raw = copy.deepcopy(TWO_AREAS)
    raw["site"]["timezone"] = "Mars/Olympus"
    raw["tiers"] = [{"number": 1, "scope": "cell"}]
    with pytest.raises(ConfigError) as refused:
        parse_plant(raw)
    problems = refused.value.problems
    assert any(p.startswith("site.timezone") for p in problems) and any(p.startswith("tiers[0].scope") for p in
                                                                      problems)


def test_read_tiers_keeps_good_tiers_and_reports_bad_ones() -> None:
    problems: list[str] = []
    tiers = read_tiers([{"number": 1, "scope": "line"}, {"number": 2, "scope": "moon"}], problems)
    assert [t.number for t in tiers] == [1] and problems == [
        "tiers[1].scope: expected 'line', 'area' or 'plant', got 'moon'"]


def test_a_problem_climbs_one_tier_at_a_time() -> None:
    plant = plant_with()
    assert tier_for_scope(plant, "L3").number == 1
    assert tier_for_scope(plant, "b").number == 2 and tier_for_scope(plant, "plant").number == 3
    assert next_tier_scope(plant, "L3") == (plant.tiers[1], "b")
    assert next_tier_scope(plant, "a") == (plant.tiers[2], "ex")
    assert next_tier_scope(plant, "plant") is None and next_tier_scope(plant, "ex") is None
    assert scope_key(plant, "plant") == "ex" and scope_key(plant, "L1") == "L1"
    assert tier_scopes(plant, plant.tiers[0]) == ["L1", "L2", "L3"]
    assert tier_scopes(plant, plant.tiers[1]) == ["a", "b"] and tier_scopes(plant, plant.tiers[2]) == ["ex"]
    assert tier_by_number(plant, 2) is plant.tiers[1] and tier_by_number(plant, 4) is None


def test_a_plant_without_an_area_tier_sends_a_line_s_problem_to_the_plant() -> None:
    plant = plant_with([{"number": 1, "scope": "line"}, {"number": 2, "scope": "plant", "meets": "09:00"}])
    assert next_tier_scope(plant, "L1") == (Tier(2, "plant", time(9, 0)), "ex")
    assert tier_for_scope(plant, "a") is None
    assert next_tier_scope(plant, "a") == (plant.tiers[1], "ex")


def test_an_unknown_scope_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="unknown scope 'L9'"):
        next_tier_scope(plant_with(), "L9")


def test_which_scope_holds_which() -> None:
    plant = plant_with()
    assert contains(plant, "ex", "L3") and contains(plant, "a", "L1") and contains(plant, "a", "a")
    assert not contains(plant, "a", "L3") and not contains(plant, "L1", "a") and not contains(plant, "b", "ex")
