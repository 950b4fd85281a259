"""The KPI stack page's address and renderers, without a database: ``?layer=`` read into layers or refused in
words, the stack drawn top (layer 5) to bottom (layer 1) with each layer's forum and cadence, KPIs linked to their
tree node, trends as icons with their shifts in words, the filter's chip with its way out, and the focus findings
grouped by rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from dash import dcc
from huddle.dashboard.core.focus_checks import FocusFinding
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import parse_plant
from huddle.dashboard.services.kpi_stack import StackKpi, StackLayer, StackView
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.web.address import AddressError, StackAddress, read_layers, stack_href
from huddle.pages import stack as page
from huddle.pages.components import layer_chip, layer_options

from tests.unit.test_focus_checks import BASE
from tests.unit.test_renderers import text

SHIFT = parse_period("shift", "2026-11-30/L")


def config() -> Any:
    raw = copy.deepcopy(BASE)
    raw["areas"][0]["lines"][0]["name"] = "Line 1"
    for shift, name in zip(raw["calendar"]["shifts"], ("Early shift", "Late shift"), strict=True):
        shift["name"] = name
    raw["layers"] = [{"number": 2, "forum": "Shift huddle", "cadence": "shift"}]
    return parse_plant(raw)


def reading(kpi: str, status: Status, value: float | None, period: str = "2026-11-30/L") -> Reading:
    return Reading(kpi, "L1", period, value, None, None, 85.0, None, status, "%", None, None)


def test_the_address_reads_layers_and_refuses_what_is_not_one() -> None:
    plant = config()
    assert StackAddress.from_query({"scope": "L1", "layer": "2"}).resolve(plant) == ("L1", (2,))
    assert StackAddress.from_query({"layer": "4,1,4"}).resolve(plant) == ("plant", (1, 4))
    assert read_layers("") == ()
    for bad in ("6", "two", "0"):
        with pytest.raises(AddressError) as info:
            read_layers(bad)
        assert info.value.parameter == "layer" and "the layers are 1 to 5" in str(info.value)
    with pytest.raises(AddressError):
        StackAddress.from_query({"scope": "L9"}).resolve(plant)
    assert stack_href("L1", 2) == "/stack?scope=L1&layer=2"


def test_the_stack_is_drawn_top_down_with_forums_links_and_trends() -> None:
    plant = config()
    oee = StackKpi("oee", "OEE", "D", False, reading("oee", Status.RED, 61.2),
                   (reading("oee", Status.GREEN, 86.0, "2026-11-30/E"), reading("oee", Status.RED, 61.2)),
                   "Anna Roth", "t")
    weekly = StackKpi("performance", "Performance", "D", True, reading("performance", Status.GREY, None, "2026-W49"),
                      (), "", None)
    layers = tuple(StackLayer(layer, (oee, weekly) if layer.number == 2 else ())
                   for layer in reversed(plant.layers))
    view = StackView("L1", SHIFT, layers, ())
    drawn = page.render_stack(view, plant)
    said = text(drawn)
    order = [said.index(f"Layer {n} –") for n in (5, 4, 3, 2, 1)]
    assert order == sorted(order)  # layer 5 first on screen, layer 1 at the bottom
    assert "Layer 2 – Supervisor / shift Shift huddle, every shift 2 KPIs" in said
    assert "Layer 4 – Continuous improvement Continuous improvement meeting, weekly 0 KPIs No KPI on this layer." \
        in said
    assert "OEE Delivery · lagging ✗ off target 61.2 % 85.0 % ✓✗ Anna Roth" in said.replace("✓ ✗", "✓✗")
    assert "Performance Delivery · leading · in no tree – no data — Week 49 85.0 % read over its own period " \
           "no owner (a finding)" in said
    links = [c for c in _walk(drawn) if isinstance(c, dcc.Link)]
    assert [link.href for link in links] == ["/tree?tree=t&scope=L1&grain=shift&date=2026-11-30&node=oee&shift=L"]
    icons = [c for c in _walk(drawn) if getattr(c, "className", "") == "stack-trend"]
    assert icons[0].to_plotly_json()["props"]["aria-label"] == (
        "last 2 shifts: Early shift, Mon 30 Nov: on target; "
        "Late shift, Mon 30 Nov: off target")
    assert page.period_line(view, plant) == \
        "Statuses as the board reads them: the Late shift of Mon 30 Nov, Line 1 – Area A"
    assert page.period_line(StackView("L1", None, layers, ()), plant) == "No shift has ended yet."


def test_the_layer_filter_shows_a_chip_with_its_way_out() -> None:
    plant = config()
    assert layer_chip(plant, (), "/stack?scope=L1") is None
    chip = layer_chip(plant, (2, 4), "/stack?scope=L1")
    assert text(chip) == "Showing only Layer 2 – Supervisor / shift, Layer 4 – Continuous improvement " \
                         "✕ show every layer"
    assert [c.href for c in _walk(chip) if isinstance(c, dcc.Link)] == ["/stack?scope=L1"]
    assert [o["value"] for o in layer_options(plant)] == ["all", "1", "2", "3", "4", "5"]


def test_focus_findings_are_grouped_by_rule_with_what_to_do() -> None:
    found = (FocusFinding("owner", "Ben Ode", "owns OEE but has no account in Huddle", "add them as a user"),
             FocusFinding("orphan", "Scrap", "in no KPI tree", "connect it"))
    said = text(page.render_focus(found))
    assert said == "KPIs in no tree Scrap : in no KPI tree → connect it Owners who are not users Ben Ode : owns OEE " \
                   "but has no account in Huddle → add them as a user"
    assert text(page.render_focus(())).startswith("No focus findings")


def _walk(node: Any) -> list[Any]:
    out = [node]
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children] if children is not None else []:
        out += _walk(child)
    return out
