"""The naming module: counts, gaps, shifts, periods, scopes, people and audit entries in words, on fixed dates
(year ends, the ISO week 53, both DST nights of the demo plant's Europe/Berlin)."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest
import yaml
from huddle.dashboard.core import names
from huddle.dashboard.core.format import format_value, plural, signed
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import PlantConfig, parse_plant


@pytest.fixture(scope="module")
def config() -> PlantConfig:
    """The demo plant (Europe/Berlin; shifts E, L and N, the night crossing midnight), parsed without a database."""
    text = resources.files("huddle.dashboard").joinpath("demo_plant.yaml").read_text(encoding="utf-8")
    return parse_plant(yaml.safe_load(text))


@pytest.mark.parametrize(("count", "word", "expected"), [
    (1, "idea", "1 idea"), (0, "idea", "0 ideas"), (2, "report", "2 reports"), (1.5, "day", "1.5 days"),
    (1200, "row", "1,200 rows"), (1, "entry", "1 entry"), (3, "entry", "3 entries")])
def test_counts_take_the_plural_only_when_not_one(count: float, word: str, expected: str) -> None:
    many = "entries" if word == "entry" else None
    assert plural(count, word, many) == expected


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1, "ideas", "1 idea"), (7, "ideas", "7 ideas"), (1, "reports", "1 report"), (0.32, "reports", "0.32 reports"),
    (1, "days", "1 day"), (40, "days", "40 days"), (1, "units/h", "1 units/h"), (1, "h", "1 h"),
    (97.66, "%", "97.7 %"), (None, "%", "—")])
def test_a_value_reads_with_its_unit_in_the_right_number(value: float | None, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(("gap", "unit", "expected"), [
    (-2.3, "%", "−2.3 pts"), (0.7, "%", "+0.7 pts"), (0.04, "%", "0.0 pts"), (-0.04, "%", "0.0 pts"),
    (10, "days", "+10 days"), (-1, "ideas", "−1 idea"), (4.51, "units/h", "+4.51 units/h"), (None, "%", "—"),
    (-27, "min", "−27 min")])
def test_a_gap_has_a_true_sign_and_points_for_percentages(gap: float | None, unit: str, expected: str) -> None:
    assert signed(gap, unit) == expected


def test_shift_names_say_the_shift_and_its_production_date(config: PlantConfig) -> None:
    assert names.shift_name(config, date(2026, 11, 30), "N") == "Night shift, Mon 30 Nov"
    assert names.shift_name(config, date(2026, 12, 31), "N", date(2026, 12, 31)) == "Night shift, Thu 31 Dec"
    # seen from the new year, the old year's last night says its year
    assert names.shift_name(config, date(2026, 12, 31), "N", date(2027, 1, 1)) == "Night shift, Thu 31 Dec 2026"
    assert names.shift_name(config, date(2026, 11, 30), "E") == "Early shift, Mon 30 Nov"
    assert names.shift_name(config, date(2026, 11, 30), "X") == "shift X, Mon 30 Nov"


def test_a_shift_window_crossing_a_clock_change_says_its_real_length(config: PlantConfig) -> None:
    assert names.shift_window(config, date(2026, 11, 30), "E") == "Mon 30 Nov 06:00–14:00"
    assert names.shift_window(config, date(2026, 12, 31), "N") == "Thu 31 Dec 22:00–Fri 1 Jan 06:00"
    # Europe/Berlin: back one hour in the night of 24-25 Oct 2026, forward in the night of 28-29 Mar 2026
    assert names.shift_window(config, date(2026, 10, 24), "N") == \
        "Sat 24 Oct 22:00–Sun 25 Oct 06:00 (9 h, clocks went back)"
    assert names.shift_window(config, date(2026, 3, 28), "N") == \
        "Sat 28 Mar 22:00–Sun 29 Mar 06:00 (7 h, clocks went forward)"
    assert names.shift_window(config, date(2026, 10, 25), "N") == "Sun 25 Oct 22:00–Mon 26 Oct 06:00"


@pytest.mark.parametrize(("grain", "text", "reference", "expected"), [
    ("shift", "2026-11-30/N", date(2026, 12, 1), "Night shift, Mon 30 Nov"),
    ("day", "2026-11-30", date(2026, 12, 1), "Mon 30 Nov"),
    ("day", "2026-12-31", date(2027, 1, 1), "Thu 31 Dec 2026"),
    ("week", "2026-W48", date(2026, 12, 1), "Week 48"),
    ("week", "2026-W53", date(2027, 1, 2), "Week 53"),  # 2 Jan 2027 is still in ISO year 2026
    ("week", "2026-W53", date(2027, 1, 4), "Week 53 2026"),
    ("week", "2027-W01", date(2026, 12, 31), "Week 1 2027"),
    ("week", "2026-W48", None, "Week 48 2026"),
    ("month", "2026-11", date(2026, 12, 1), "Nov 2026"),
    ("month", "2026-12", date(2027, 1, 1), "Dec 2026"),
    ("quarter", "2026-Q4", None, "Q4 2026"),
    ("year", "2026", None, "2026")])
def test_period_labels_name_periods_as_people_do(config: PlantConfig, grain: str, text: str,
                                                  reference: date | None, expected: str) -> None:
    assert names.period_label(config, parse_period(grain, text), reference) == expected
    assert names.period_id_words(config, text, reference) == expected


def test_period_words_fit_in_a_sentence(config: PlantConfig) -> None:
    assert names.period_words(config, parse_period("shift", "2026-11-20/E")) == "the Early shift of Fri 20 Nov"
    assert names.period_words(config, parse_period("month", "2026-11")) == "November 2026"
    assert names.period_words(config, parse_period("week", "2026-W47"), date(2026, 11, 20)) == "week 47"
    assert names.period_id_words(config, "not a period") == "not a period"
    assert names.range_words(date(2025, 12, 1), date(2026, 11, 30)) == "1 Dec 2025 – 30 Nov 2026"
    assert names.range_words(date(2026, 11, 3), date(2026, 11, 9)) == "3–9 Nov 2026"


def test_scopes_kpis_and_people_read_by_name(config: PlantConfig) -> None:
    assert names.scope_name(config, "L2") == "Line 2 – Filling"
    assert names.scope_name(config, "filling") == "Filling"
    assert names.scope_name(config, "plant") == "Riverside Plant"
    assert config.scope_name("L3") == "Line 3 – Packing"
    assert names.kpi_name(config, "scrap_rate") == "Scrap rate"
    assert names.kpi_name(config, "gone_kpi") == "Gone kpi"
    people = {"maria.lopez": "Maria Lopez"}
    assert names.person_name("maria.lopez", people) == "Maria Lopez"
    assert names.person_name("system", people) == "Huddle itself"
    assert names.person_name("tom.becker", people) == "Tom Becker"  # no account: the login read as a name
    assert names.person_name("display:hall-tv", people) == "the display hall-tv"
    assert names.record_type_name("production_counts") == "production counts"


def test_dates_due_and_clean_records(config: PlantConfig) -> None:
    assert names.clean_record(date(2025, 3, 12)) == "No recordable since 12 Mar 2025"
    today = date(2026, 12, 31)
    assert names.due_words(date(2026, 12, 31), today) == "today"
    assert names.due_words(date(2027, 1, 1), today) == "tomorrow"
    assert names.due_words(date(2026, 12, 30), today) == "1 day overdue"
    assert names.due_words(date(2026, 12, 29), today) == "2 days overdue"
    assert names.due_words(date(2027, 1, 4), today) == "Mon 4 Jan 2027"


def test_the_audit_log_says_what_changed_in_words(config: PlantConfig) -> None:
    people = {"anna": "Anna Schmidt"}
    change = json.dumps({"kpi": "oee", "before": {"target": 95, "owner": "anna"}, "after": {"target": 96,
                                                                                          "owner": "anna"}})
    assert names.audit_details(config, change, people) == "target 95 → 96 %; KPI OEE"
    added = json.dumps({"scope": "L2", "kpi": "scrap_rate", "owner": "anna", "due": "2026-12-04"})
    assert names.audit_details(config, added, people) == \
        "scope Line 2 – Filling; KPI Scrap rate; owner Anna Schmidt; due Fri 4 Dec"
    assert names.audit_details(config, json.dumps({"before": "viewer", "after": "editor"})) == "viewer → editor"
    assert names.audit_details(config, json.dumps({"sessions_ended": 2})) == "sign-ins ended 2"
    assert names.audit_action("user.add") == "user added"
    assert names.audit_action("something.new_here") == "something new here"
    assert "{" not in names.audit_details(config, json.dumps({"after": {"status": "in_progress"}}))


@pytest.mark.parametrize(("language", "value", "unit", "expected"), [
    ("de", 1, "units", "1 Stück"), ("de", 1, "days", "1 Tag"), ("de", 3, "days", "3 Tage"),
    ("de", 1, "cases", "1 Fall"),
    ("de", 2.5, "reports", "2,50 Meldungen"), ("es", 1, "days", "1 día"), ("es", 1, "units", "1 unidad"),
    ("es", 1200, "units", "1.200 unidades"), ("es", 1, "reports", "1 reporte"), ("de", 1, "min", "1 min")])
def test_built_in_units_count_as_the_language_counts(language: str, value: float, unit: str, expected: str) -> None:
    from huddle.dashboard.core.i18n import use_language

    with use_language(language):
        assert format_value(value, unit) == expected


def test_a_unit_the_plant_writes_takes_the_singular_the_plant_gives() -> None:
    from huddle.dashboard.core.i18n import use_language
    from huddle.dashboard.core.plant import Unit
    from huddle.dashboard.demo_words import name_demo_plant

    raw = yaml.safe_load(resources.files("huddle.dashboard").joinpath("demo_plant.yaml").read_text(encoding="utf-8"))
    name_demo_plant(raw, "de")
    german = parse_plant(raw)
    ideas = german.kpis["improvement_ideas"].unit
    with use_language("de"):
        assert format_value(1, ideas) == "1 Idee" and format_value(3, ideas) == "3 Ideen"
        assert signed(-1, ideas) == "−1 Idee"
        assert format_value(1, Unit("Ideen")) == "1 Ideen"  # the file gives no singular: shown as written
    assert format_value(1, Unit("ideas", "idea")) == "1 idea" and format_value(1, "ideas") == "1 idea"


@pytest.mark.parametrize(("language", "week", "expected"), [
    ("en", "2026-W47", "Week 47, 16–22 Nov"), ("en", "2026-W49", "Week 49, 30 Nov – 6 Dec"),
    ("en", "2026-W53", "Week 53, 28 Dec 2026 – 3 Jan 2027"), ("de", "2026-W47", "KW 47, 16.–22. Nov."),
    ("es", "2026-W49", "Semana 49, 30 nov – 6 dic"), ("en", "not a week", "not a week")])
def test_a_week_names_its_days(language: str, week: str, expected: str) -> None:
    from huddle.dashboard.core.i18n import use_language

    with use_language(language):
        assert names.week_words(week) == expected
