"""The OKR page's words and pickers: a quarter without key results does not claim they are all checked in, and the
KPI picker offers the KPI whose name is typed before those that only contain it ("OEE" before "Quality (OEE)")."""

from __future__ import annotations

from dataclasses import replace

import yaml
from huddle.dashboard.core.plant import parse_plant
from huddle.dashboard.services.okrs import Meeting
from huddle.pages import okr as okr_page
from huddle.pages import okr_options

from tests.conftest import SMALL_PLANT
from tests.unit.test_renderers import quarter_model, text


def test_a_quarter_without_key_results_says_there_are_none_yet() -> None:
    view = quarter_model()
    objective = replace(view.objectives[0], key_results=[])
    empty = replace(view, objectives=[objective], meeting=Meeting("2026-W47", [], [], []))
    meeting = text(okr_page.render_meeting(empty))
    assert "Every key result has this week's check-in" not in meeting
    assert "Not checked in this week (0) No key results yet: there is nothing to check in." in meeting
    nothing = text(okr_page.render_meeting(replace(empty, objectives=[])))
    assert "No key results yet: there is nothing to check in." in nothing
    # with key results, all checked in, it says so
    done = text(okr_page.render_meeting(replace(view, meeting=Meeting("2026-W47", [], [], []))))
    assert "Not checked in this week (0) Every key result has this week's check-in." in done


def plant_with_kpis(names: list[tuple[str, str]]) -> object:
    raw = yaml.safe_load(SMALL_PLANT)
    raw["kpis"] = [{"key": key, "name": name, "formula": key.removeprefix("line_"), "category": "D", "target": 50,
                    "owner": "A", "data_source": "MES"} for key, name in names]
    raw["trees"] = []
    return parse_plant(raw)


def test_the_kpi_picker_offers_the_kpi_named_as_typed_first() -> None:
    # the demo plant defines Quality (OEE) before OEE: the picker lists by name, not in the plant file's order
    config = plant_with_kpis([("quality", "Quality (OEE)"), ("line_oee", "Line OEE"), ("oee", "OEE"),
                              ("availability", "availability")])
    options = okr_options.kpi_options(config)
    assert [o["value"] for o in options] == ["availability", "line_oee", "oee", "quality"]
    assert options[2]["label"] == "OEE (%, higher is better)"
    # as someone types: the exact name first, then the names starting with it, then those containing it
    assert [o["value"] for o in okr_options.kpi_options(config, "oee")] == ["oee", "line_oee", "quality",
                                                                          "availability"]
    assert [o["value"] for o in okr_options.kpi_options(config, "  Qual")] == ["quality", "availability", "line_oee",
                                                                             "oee"]
    assert okr_options.kpi_options(config, "") == options
