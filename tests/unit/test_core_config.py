"""The plant configuration (huddle.dashboard.core.plant): parse_plant on small dict configs, load_plant on YAML files.

A valid configuration loads; each broken one is refused with one ConfigError whose problems name the place
(``site.timezone``, ``trees[0] (t)``, ``kpis[0] (oee).category``...); ``findings()`` warns about method rules
(owner, data source, tree size, branches, trade-offs); the demo plant loads clean.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.kpi import Kind
from huddle.dashboard.core.plant import ConfigError, Finding, PlantConfig, load_plant, parse_plant
from huddle.dashboard.core.plant_checks import findings

DEMO = Path(__file__).resolve().parents[2] / "dashboard" / "demo_plant.yaml"


def kpi(key: str, category: str = "D", **extra: Any) -> dict[str, Any]:
    return {"key": key, "category": category, "target": 50, "owner": "Anna", "data_source": "MES", **extra}


BASE: dict[str, Any] = {
    "site": {"key": "ex", "name": "Example", "timezone": "Europe/Berlin"},
    "calendar": {"shifts": [
        {"key": "E", "start": "06:00", "end": "14:00",
         "breaks": [{"start": "09:00", "minutes": 15}, {"start": "11:00", "minutes": 30, "label": "meal"}]},
        {"key": "L", "start": "14:00", "end": "22:00"},
        {"key": "N", "start": "22:00", "end": "06:00"},
    ]},
    "areas": [{"key": "a", "name": "Area A", "flow": ["L1", "L2"],
               "lines": [{"key": "L1", "ideal_cycle_s": 1.0, "products": {"SKU-1": 0.8}},
                         {"key": "L2", "ideal_cycle_s": 2}]}],
    "stop_reasons": [{"reason": "Jam", "category": "unplanned"}],
    "kpis": [kpi("oee"), kpi("availability"), kpi("performance"), kpi("quality", "Q"),
             kpi("trir", "S", direction="lower", frequency="month")],
    "trees": [{"key": "t", "root": "oee", "edges": [
        {"parent": "oee", "children": ["availability", "performance", "quality"], "formula": "product"}]}],
    "sources": [{"key": "counts", "kind": "files", "record": "production_counts", "path": "/tmp/inbox",
                 "schedule": "every 5 min", "settle_seconds": 0}],
}


def config(change: Any = None) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    if change:
        change(raw)
    return raw


def problems_of(raw: Any) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_plant(raw)
    return info.value.problems


def test_valid_config_loads() -> None:
    cfg = parse_plant(config())
    assert isinstance(cfg, PlantConfig)
    assert cfg.site_key == "ex"
    assert cfg.tz.key == "Europe/Berlin"
    assert [s.key for s in cfg.calendar.shifts] == ["E", "L", "N"]
    assert cfg.calendar.shifts[0].breaks[1].minutes == 30
    assert cfg.lines["L1"].cycle_for("SKU-1") == 0.8
    assert cfg.lines["L1"].cycle_for("other") == 1.0
    assert cfg.lines["L2"].ideal_cycle_s == 2.0
    assert cfg.areas["a"].flow == ("L1", "L2")
    assert cfg.flow_for("a") == ["L1", "L2"]
    assert cfg.scope_kind("a") == "area"
    assert cfg.scope_lines("plant") == ["L1", "L2"]
    assert cfg.kpis["trir"].direction == "lower"
    assert cfg.kpis["oee"].band(cfg.kpis["oee"].targets[0][0]).target == 50
    assert cfg.trees["t"].children("oee") == ["availability", "performance", "quality"]
    assert cfg.trees["t"].formula_of("oee") == "product"
    assert cfg.sources["counts"].schedule.every_seconds == 300
    assert cfg.sources["counts"].settle_seconds == 0
    assert cfg.stop_reasons == {"Jam": "unplanned"}


def test_valid_config_reads_unquoted_yaml_clock_times() -> None:
    # YAML 1.1 reads 06:00 unquoted as the sexagesimal number 360
    raw = config(lambda r: r["calendar"]["shifts"][0].update(start=360, end=840))
    cfg = parse_plant(raw)
    assert cfg.calendar.shifts[0].start.hour == 6
    assert cfg.calendar.shifts[0].end.hour == 14


def test_the_plant_speaks_its_language() -> None:
    assert parse_plant(config()).language == "en"  # unless the file says otherwise
    assert parse_plant(config(lambda r: r["site"].update(language="de"))).language == "de"


def test_targets_change_during_the_year() -> None:
    from datetime import date

    raw = config(lambda r: r["kpis"][0].update(
        target=None, targets=[{"from": "2026-07-01", "target": 70}, {"from": "2026-01-01", "target": 60}]))
    k = parse_plant(raw).kpis["oee"]
    assert k.target_on(date(2026, 3, 1)) == 60
    assert k.target_on(date(2026, 7, 1)) == 70
    assert k.target_on(date(2025, 12, 31)) == 60  # before the first: the first target


@pytest.mark.parametrize(
    ("change", "place", "text"),
    [
        pytest.param(lambda r: r["site"].update(timezone="Europe/Nowhere"), "site.timezone",
                     "'Europe/Nowhere' is not an IANA time zone", id="unknown-timezone"),
        pytest.param(lambda r: r["trees"][0]["edges"].append({"parent": "availability", "children": ["oee"]}),
                     "trees[0] (t)", "cycle: oee → availability → oee", id="tree-cycle"),
        pytest.param(lambda r: r["trees"][0]["edges"].append({"parent": "availability",
                                                               "children": ["mtbf"]}),
                     "trees[0] (t)", "unknown KPI 'mtbf'", id="tree-unknown-kpi"),
        pytest.param(lambda r: r["trees"][0].update(root="nope"),
                     "trees[0] (t)", "unknown KPI 'nope'", id="tree-unknown-root"),
        pytest.param(lambda r: r["trees"][0]["edges"][0].update(children=["availability", "performance"]),
                     "trees[0] (t)", "oee is not the product of its children (availability × performance)",
                     id="product-mismatch"),
        pytest.param(lambda r: r["trees"][0]["edges"][0].update(formula="sum"),
                     "trees[0] (t)", "oee is not the sum of its children", id="sum-mismatch"),
        pytest.param(lambda r: r["calendar"]["shifts"].append({"key": "X", "start": "13:00", "end": "15:00"}),
                     "calendar", "shifts E and X overlap", id="overlapping-shifts"),
        pytest.param(lambda r: r["kpis"][0].update(category="X"),
                     "kpis[0] (oee).category", "expected one of S, Q, D, C, M, got 'X'",
                     id="unknown-category"),
        pytest.param(lambda r: r["sources"][0].update(kind="ftp"),
                     "sources[0].kind", "expected 'files' or 'sql' or 'mqtt', got 'ftp'", id="bad-source-kind"),
        pytest.param(lambda r: r["sources"][0].update(record="invoices"),
                     "sources[0].record", "got 'invoices'", id="bad-record-type"),
        pytest.param(lambda r: r["kpis"][0].update(formula="magic"),
                     "kpis[0] (oee).formula", "unknown formula 'magic'", id="unknown-formula"),
        pytest.param(lambda r: r["kpis"][0].update(direction="up"),
                     "kpis[0] (oee).direction", "expected 'higher' or 'lower'", id="bad-direction"),
        pytest.param(lambda r: r["kpis"].append(kpi("oee")),
                     "kpis[5] (oee).key", "defined twice", id="duplicate-kpi"),
        pytest.param(lambda r: r["areas"][0].update(flow=["L1", "L9"]),
                     "areas[0].flow", "'L9' is not a line of area 'a'", id="flow-unknown-line"),
        pytest.param(lambda r: r["areas"][0]["lines"][1].update(ideal_cycle_s=-1),
                     "areas[0].lines[1].ideal_cycle_s", "must be above zero", id="negative-cycle"),
        pytest.param(lambda r: r["calendar"]["shifts"][1].update(start="25:00"),
                     "calendar.shifts[1].start", "'25:00' is not a clock time", id="bad-clock"),
        pytest.param(lambda r: r["calendar"].update(production_date="middle"),
                     "calendar.production_date", "expected 'start' or 'end'", id="bad-date-rule"),
        pytest.param(lambda r: r["stop_reasons"].append({"reason": "Nap", "category": "sleep"}),
                     "stop_reasons[1].category", "planned, unplanned, changeover", id="bad-stop-category"),
        pytest.param(lambda r: r["sources"][0].update(schedule="sometimes"),
                     "sources[0].schedule", "'sometimes'", id="bad-schedule"),
        pytest.param(lambda r: r["sources"][0].update(path=None),
                     "sources[0].path", "needs the folder", id="files-without-path"),
        pytest.param(lambda r: r["site"].update(language="fr"),
                     "site.language", "'fr' is not a language Huddle speaks: use one of en, de, es",
                     id="language-without-catalogue"),
    ],
)
def test_broken_config_is_refused_with_the_place(change: Any, place: str, text: str) -> None:
    problems = problems_of(config(change))
    assert any(p.startswith(place) and text in p for p in problems), problems


def test_all_problems_are_collected_in_one_error() -> None:
    def change(r: dict[str, Any]) -> None:
        r["site"]["timezone"] = "Mars/Olympus"
        r["kpis"][0]["category"] = "X"
        r["sources"][0]["kind"] = "ftp"

    with pytest.raises(ConfigError) as info:
        parse_plant(config(change), Path("plant.yaml"))
    assert len(info.value.problems) == 3
    assert str(info.value).startswith("plant.yaml: 3 problem(s):")


def test_not_a_mapping_is_refused() -> None:
    assert problems_of(["site"]) == [
        "the file must be a YAML mapping with site, calendar, areas, kpis, trees, sources"]


@pytest.mark.parametrize(
    ("change", "place"),
    [
        pytest.param(lambda r: r["kpis"].append("trir"), "kpis[5]", id="kpi-not-a-mapping"),
        pytest.param(lambda r: r["calendar"]["shifts"].append("X"), "calendar.shifts[3]",
                     id="shift-not-a-mapping"),
        pytest.param(lambda r: r["areas"][0]["lines"].append("L3"), "areas[0].lines[2]",
                     id="line-not-a-mapping"),
        pytest.param(lambda r: r["sources"].append("s"), "sources[1]", id="source-not-a-mapping"),
        pytest.param(lambda r: r.update(calendar="3 shifts"), "calendar", id="calendar-not-a-mapping"),
        pytest.param(lambda r: r["sources"][0].update(settle_seconds="soon"), "sources[0].settle_seconds",
                     id="settle-seconds-text"),
        pytest.param(lambda r: r.update(stale_grace_seconds="an hour"), "stale_grace_seconds",
                     id="stale-grace-text"),
        pytest.param(lambda r: r["areas"][0]["lines"][0].update(products=["SKU-1"]), "areas[0].lines[0]",
                     id="products-not-a-mapping"),
        pytest.param(lambda r: r["site"].update(timezone=""), "site.timezone", id="empty-timezone"),
        pytest.param(lambda r: r["sources"][0].update(patterns="*.csv"), "sources[0].patterns",
                     id="patterns-not-a-list"),
    ],
)
def test_malformed_values_give_a_config_error_not_a_crash(change: Any, place: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_plant(config(change))
    assert any(p.startswith(place) for p in info.value.problems), info.value.problems


def test_config_error_problems_are_a_list_with_places() -> None:
    problems = problems_of(config(lambda r: r["kpis"][0].update(category="X", layer=9)))
    assert "kpis[0] (oee).category: expected one of S, Q, D, C, M, got 'X'" in problems
    assert "kpis[0] (oee).layer: expected 1–5, got 9" in problems


def warnings_of(raw: dict[str, Any]) -> list[Finding]:
    return findings(parse_plant(raw))


def test_clean_config_has_no_findings() -> None:
    assert warnings_of(config()) == []


def test_findings_kpi_without_owner_or_data_source() -> None:
    def change(r: dict[str, Any]) -> None:
        del r["kpis"][1]["owner"]
        r["kpis"][2]["data_source"] = ""

    found = warnings_of(config(change))
    assert Finding("warning", "kpi availability", "no owner: every KPI needs one named person") in found
    assert Finding("warning", "kpi performance",
                   "no data source (a finding to resolve, not a blank)") in found
    assert all(f.level == "warning" for f in found)
    assert len(found) == 2


def test_findings_kpi_without_target() -> None:
    found = warnings_of(config(lambda r: r["kpis"][4].update(target=None)))
    assert [(f.where, f.message) for f in found] == [("kpi trir", "no target: its status stays grey")]


def test_findings_more_than_15_kpis_in_a_tree() -> None:
    extra = [f"ideas_{i}" for i in range(12)]  # 4 + 12 = 16 KPIs

    def change(r: dict[str, Any]) -> None:
        r["kpis"] += [kpi(k, "M", formula="direct") for k in extra]
        r["trees"][0]["edges"].append({"parent": "quality", "children": extra})

    found = warnings_of(config(change))
    assert any(f.where == "tree t" and f.message.startswith("16 KPIs") for f in found), found

    def fifteen(r: dict[str, Any]) -> None:
        r["kpis"] += [kpi(k, "M", formula="direct") for k in extra[:11]]
        r["trees"][0]["edges"].append({"parent": "quality", "children": extra[:11]})

    assert not any("KPIs:" in f.message for f in warnings_of(config(fifteen)))


def test_findings_fewer_than_two_branches() -> None:
    def change(r: dict[str, Any]) -> None:
        r["trees"][0]["edges"] = [{"parent": "oee", "children": ["availability"]}]

    found = warnings_of(config(change))
    assert Finding("warning", "tree t", "1 branches under the root: 2–4 is the rule") in found


def test_findings_more_than_four_branches() -> None:
    def change(r: dict[str, Any]) -> None:
        r["kpis"] += [kpi("fpy", "Q")]
        r["trees"][0]["edges"] = [{"parent": "oee",
                                   "children": ["availability", "performance", "quality", "trir", "fpy"]}]

    found = warnings_of(config(change))
    assert Finding("warning", "tree t", "5 branches under the root: 2–4 is the rule") in found


def test_findings_unacknowledged_tradeoff() -> None:
    def change(r: dict[str, Any]) -> None:
        r["trees"][0]["tradeoffs"] = [{"between": ["performance", "quality"], "note": "speed hurts quality"},
                                      {"between": ["availability", "quality"], "acknowledged": True}]

    found = warnings_of(config(change))
    assert [f.message for f in found] == ["trade-off performance ↔ quality is not acknowledged"]


def test_findings_node_not_connected_to_root() -> None:
    def change(r: dict[str, Any]) -> None:
        r["kpis"] += [kpi("fpy", "Q")]
        r["trees"][0]["edges"].append({"parent": "trir", "children": ["fpy"]})

    messages = [f.message for f in warnings_of(config(change))]
    assert "trir is not connected to the root oee" in messages
    assert "fpy is not connected to the root oee" in messages


def test_findings_calendar_gap() -> None:
    found = warnings_of(config(lambda r: r["calendar"]["shifts"].pop()))
    assert len(found) == 1
    assert found[0].where == "calendar"
    assert found[0].message.startswith("no shift covers ")
    assert "22:00" in found[0].message and "06:00" in found[0].message
    assert "14:00" not in found[0].message


def test_load_plant_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plant.yaml"
    path.write_text("site:\n  key: x\n  name: [unclosed\ncalendar:\n  shifts: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_plant(path)
    assert info.value.path == path
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith("line 4, column 9: not valid YAML")
    assert str(path) in str(info.value)


def test_load_plant_bad_indentation_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plant.yaml"
    path.write_text("site:\n  key: x\n   name: y\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_plant(path)
    assert info.value.problems[0].startswith("line 3, column 8: not valid YAML")


def test_load_plant_missing_file_and_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_plant(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("site: {name: Müller}\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_plant(bad)


def test_load_plant_substitutes_data_dir(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "plant.yaml"
    raw = config(lambda r: r["sources"][0].update(path="${data_dir}/inbox"))
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    cfg = load_plant(path, data_dir=tmp_path / "data")
    assert cfg.sources["counts"].path == (tmp_path / "data").resolve().as_posix() + "/inbox"
    assert cfg.path == path


def test_demo_plant_loads_without_error_findings(tmp_path: Path) -> None:
    cfg = load_plant(DEMO, data_dir=tmp_path)
    assert cfg.site_key == "riverside"
    assert cfg.tz.key == "Europe/Berlin"
    assert [s.key for s in cfg.calendar.shifts] == ["E", "L", "N"]
    assert set(cfg.lines) == {"L1", "L2", "L3", "L4"}
    assert cfg.flow_for("packing") == ["L3", "L4"]
    assert list(cfg.trees) == ["oee", "delivery", "safety"]
    assert cfg.sources["mes-counts"].path == tmp_path.resolve().as_posix() + "/inbox/counts"
    assert "${data_dir}" not in (cfg.sources["erp-cost"].url or "")
    found = findings(cfg)
    assert [f for f in found if f.level == "error"] == []
    # the documented findings: a KPI without data source shows as a finding, not a blank, the delivery tree's
    # trade-off has not been acknowledged yet, and the safety tree has one branch (a focus finding too)
    assert [str(f) for f in found] == [
        "warning: kpi improvement_ideas: no data source (a finding to resolve, not a blank)",
        "warning: tree delivery: trade-off changeover_time ↔ schedule_attainment is not acknowledged",
        "warning: tree safety: 1 branches under the root: 2–4 is the rule"]
    # the OEE tree's product edge checks out (else parse_plant would have raised)
    assert cfg.trees["oee"].formula_of("oee") == "product"
    assert cfg.kpis["scrap_cost"].formula == "direct"
    from huddle.dashboard.core.kpi import FORMULAS

    assert FORMULAS[cfg.kpis["rty"].formula].kind is Kind.PRODUCT
