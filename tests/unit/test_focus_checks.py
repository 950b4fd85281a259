"""The focus checks across the KPI catalogue (huddle.dashboard.core.focus_checks) and the KPI stack's layers read
from the plant file (huddle.dashboard.core.layers): each rule fires on a small plant made to break it, names things
in words (never keys) and says what to do; a plant that follows the method has no finding; the demo plant shows a
finding for every rule."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.focus_checks import RULES, by_rule, focus_findings
from huddle.dashboard.core.layers import default_layers
from huddle.dashboard.core.plant import ConfigError, PlantConfig, load_plant, parse_plant

DEMO = Path(__file__).resolve().parents[2] / "dashboard" / "demo_plant.yaml"
# five per layer 2 (the tree's), one layer only: a plant that follows every rule
NAMES = {"oee": "OEE", "availability": "Availability", "performance": "Performance", "quality": "Quality",
         "scrap_rate": "Scrap rate"}


def kpi(key: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": NAMES.get(key, key.title()), "category": "D", "layer": 2, "target": 50,
            "owner": "Anna Roth", "data_source": "MES", "frequency": "hour", **extra}


BASE: dict[str, Any] = {
    "site": {"key": "ex", "name": "Example", "timezone": "Europe/Berlin"},
    "calendar": {"shifts": [{"key": "E", "start": "06:00", "end": "14:00"}, {"key": "L", "start": "14:00",
                                                                              "end": "22:00"}]},
    "areas": [{"key": "a", "name": "Area A", "lines": [{"key": "L1", "ideal_cycle_s": 1.0}]}],
    "kpis": [kpi("oee"), kpi("availability"), kpi("performance"), kpi("quality"), kpi("scrap_rate")],
    "trees": [{"key": "t", "name": "OEE tree", "root": "oee", "edges": [
        {"parent": "oee", "children": ["availability", "performance", "quality"], "formula": "product"},
        {"parent": "quality", "children": ["scrap_rate"]}]}],
    "sources": [],
}


def plant(change: Any = None) -> PlantConfig:
    raw = copy.deepcopy(BASE)
    if change:
        change(raw)
    return parse_plant(raw)


def test_a_plant_that_follows_the_method_has_no_focus_finding() -> None:
    assert focus_findings(plant(), ["Anna Roth"]) == []


def test_a_kpi_in_no_tree_is_an_orphan_named_with_what_to_do() -> None:
    found = focus_findings(plant(lambda r: r["kpis"].append(kpi("attendance", name="Attendance"))), ["Anna Roth"])
    orphans = [f for f in found if f.rule == "orphan"]
    assert [(f.subject, f.kpis) for f in orphans] == [("Attendance", ("attendance",))]
    assert "in no KPI tree" in orphans[0].problem and "connect it under the KPI it drives" in orphans[0].advice


def test_layers_with_fewer_than_5_or_more_than_10_kpis() -> None:
    def change(r: dict[str, Any]) -> None:
        r["kpis"] += [kpi(f"extra{i}", formula="direct", unit="x", name=f"Extra {i}") for i in range(6)]
        r["kpis"][0]["layer"] = 5  # OEE alone on layer 5
        r["trees"][0]["edges"].append({"parent": "quality", "children": [f"extra{i}" for i in range(6)]})

    found = [f for f in focus_findings(plant(change), ["Anna Roth"]) if f.rule == "layer_size"]
    assert [(f.subject, f.kpis) for f in found] == [("Layer 5 – Strategic / financial", ("oee",))]
    subjects = {f.subject: f for f in found}
    assert subjects["Layer 5 – Strategic / financial"].problem == "1 KPI: a layer needs 5 to 10"
    assert "Monthly business review" in subjects["Layer 5 – Strategic / financial"].advice
    # 4 + 6 = 10 on layer 2: still within the rule; one more makes 11
    assert "Layer 2 – Supervisor / shift" not in subjects

    def more(r: dict[str, Any]) -> None:
        change(r)
        r["kpis"].append(kpi("extra9", formula="direct", unit="x", name="Extra 9"))
        r["trees"][0]["edges"].append({"parent": "availability", "children": ["extra9"]})

    found = {f.subject: f for f in focus_findings(plant(more), ["Anna Roth"]) if f.rule == "layer_size"}
    assert found["Layer 2 – Supervisor / shift"].problem == "11 KPIs: more than the 10 one forum can follow"
    assert "Shift huddle" in found["Layer 2 – Supervisor / shift"].advice
    # a layer the plant does not use at all is not a finding
    assert not any(s.startswith(("Layer 1", "Layer 3", "Layer 4")) for s in found)


def test_a_leaf_measured_weekly_is_found_a_branch_measured_weekly_is_not() -> None:
    def change(r: dict[str, Any]) -> None:
        r["kpis"][4]["frequency"] = "week"  # scrap rate, a leaf
        r["kpis"][3]["frequency"] = "month"  # quality, a branch

    found = [f for f in focus_findings(plant(change), ["Anna Roth"]) if f.rule == "leaf_frequency"]
    assert [(f.subject, f.problem) for f in found] == [
        ("Scrap rate", "a leaf of the OEE tree measured weekly: a leaf is what teams move every day")]


def test_owners_who_are_not_users_are_named_once_with_their_kpis() -> None:
    def change(r: dict[str, Any]) -> None:
        r["kpis"][1]["owner"] = "Ben Ode"
        r["kpis"][2]["owner"] = "Ben Ode"

    found = [f for f in focus_findings(plant(change), ["anna roth ", "someone.else"]) if f.rule == "owner"]
    assert [(f.subject, f.problem, f.kpis) for f in found] == [
        ("Ben Ode", "owns Availability, Performance but has no account in Huddle", ("availability", "performance"))]
    # without the users' names the rule is left out, not guessed
    assert not [f for f in focus_findings(plant(change)) if f.rule == "owner"]


def test_trees_outside_2_to_4_branches_or_above_15_kpis() -> None:
    def one_branch(r: dict[str, Any]) -> None:
        r["trees"][0]["edges"] = [{"parent": "oee", "children": ["availability"]},
                                  {"parent": "availability", "children": ["performance", "quality", "scrap_rate"]}]

    found = [f for f in focus_findings(plant(one_branch), ["Anna Roth"]) if f.rule == "tree_shape"]
    assert [(f.subject, f.problem) for f in found] == [
        ("OEE tree", "1 branch under its root OEE: 2–4 is the rule")]
    assert "make the single branch the root" in found[0].advice

    def big(r: dict[str, Any]) -> None:
        r["kpis"] += [kpi(f"k{i}", formula="direct", unit="x", layer=1 + i % 5) for i in range(12)]
        r["trees"][0]["edges"].append({"parent": "scrap_rate", "children": [f"k{i}" for i in range(12)]})

    found = [f for f in focus_findings(plant(big), ["Anna Roth"]) if f.rule == "tree_shape"]
    assert [(f.subject, f.problem) for f in found] == [
        ("OEE tree", "17 KPIs: a tree people can use has at most 12–15")]


def test_the_demo_plant_shows_a_finding_for_every_rule_in_words(tmp_path: Path) -> None:
    config = load_plant(DEMO, tmp_path)
    found = focus_findings(config, ["Tom Becker", "tom.becker", "Demo admin", "admin"])
    assert {f.rule for f in found} == set(RULES)
    assert [heading for heading, _ in by_rule(found)] == list(RULES.values())
    keys = set(config.kpis) | set(config.trees)
    for f in found:  # KPI, tree and layer names, never their keys
        assert not set(f"{f.subject} {f.problem} {f.advice}".replace(",", " ").split()) & keys, f
    assert "Tom Becker" not in {f.subject for f in found if f.rule == "owner"}


def test_layers_come_from_the_plant_file_with_defaults_and_clear_errors() -> None:
    config = plant(lambda r: r.update(layers=[{"number": 2, "forum": "Shift huddle", "cadence": "shift"},
                                              {"number": 4, "name": "CI", "forum": "Weekly CI meeting",
                                               "cadence": "week"}]))
    assert [(layer.number, layer.title, layer.forum_words, layer.cadence_words) for layer in config.layers] == [
        (1, "Operator", "At the line", "every hour"), (2, "Supervisor / shift", "Shift huddle", "every shift"),
        (3, "Maintenance & reliability", "Maintenance meeting", "daily"), (4, "CI", "Weekly CI meeting", "weekly"),
        (5, "Strategic / financial", "Monthly business review", "monthly")]
    assert plant().layers == default_layers()
    with pytest.raises(ConfigError) as info:
        plant(lambda r: r.update(layers=[{"number": 6}, {"number": 2, "cadence": "fortnight", "room": 3},
                                         {"number": 3, "forum": 7}, {"number": 4}, {"number": 4}]))
    assert info.value.problems == [
        "layers[0].number: expected 1 to 5, got 6",
        "layers[1].room: unknown setting; a layer has number, name, forum, cadence",
        "layers[1].cadence: expected one of hour, shift, day, week, month, quarter, got 'fortnight'",
        "layers[2].forum: expected text, got 7",
        "layers[4].number: layer 4 is declared twice"]
    with pytest.raises(ConfigError) as info:
        plant(lambda r: r.update(layers={"2": "Shift huddle"}))
    assert info.value.problems == [
        "layers: expected a list of layers, e.g. [{number: 2, forum: Shift huddle, cadence: shift}]"]
