"""Maintenance and escapes on the demo plant's pages, and MTBF and MTTR per asset through the loaders.

The demo's maintenance system exports preventive orders (some late, some missed) and corrective ones; PM compliance
sits on the maintenance layer of the KPI stack, in the board's Delivery column and under MTBF in the OEE tree, whose
quality branch now holds the internal and customer escapes. A supervisor drilling into MTBF or MTTR sees each
asset's failures, MTBF and MTTR, which add up to the line's. The asset figures follow DOMAIN.md's worked example
(MTBF = operating time / failures, MTTR = repair time / failures) on the OEE example's shift, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services.assets import asset_reliability
from huddle.dashboard.services.board import board_readings
from huddle.dashboard.services.drilldown import as_dict, node_detail
from huddle.dashboard.services.kpi_stack import stack_view
from huddle.dashboard.services.tree import build_tree_view
from huddle.data.models_feeds import WorkOrder
from huddle.pages import tree as tree_page
from sqlalchemy import event, select

from tests.integration.test_loaders_worked_examples import OEE_COUNTS, Env, make_env, write_counts_xlsx
from tests.unit.test_renderers import text

DAY = parse_period("day", "2026-11-19")
TODAY = date(2026, 11, 20)  # the demo's clock (tests.conftest.DEMO_NOW), plant day


def test_the_demo_exports_late_and_missed_pms_and_corrective_orders(demo_services: Any) -> None:
    with demo_services.sessions() as session:
        orders = session.scalars(select(WorkOrder)).all()
    pms = [o for o in orders if o.kind == "preventive"]
    repairs = [o for o in orders if o.kind == "corrective"]
    assert pms and repairs and all(o.done_at_utc is not None for o in repairs)
    late = [o for o in pms if o.done_at_utc is not None and not o.on_time]
    missed = [o for o in pms if o.done_at_utc is None and o.scheduled_date < DAY.first]
    assert late and missed, (len(late), len(missed))
    weeks = parse_period("month", "2026-11")
    by_line = {line: demo_services.readings.reading("pm_compliance", line, weeks) for line in ("L1", "L2")}
    assert by_line["L2"].value < by_line["L1"].value  # Line 2's PMs slip while its filler is repaired
    plant = demo_services.readings.reading("pm_compliance", "plant", weeks)
    # the month is running: a PM still open on today's date or a later one is not late yet, and not counted
    due = [o for o in pms if o.scheduled_date.month == 11 and (o.done_at_utc is not None or o.scheduled_date < TODAY)]
    assert plant.denominator == len(due) < sum(1 for o in pms if o.scheduled_date.month == 11)
    assert plant.numerator == sum(1 for o in pms if o.scheduled_date.month == 11 and o.on_time)


def test_pm_compliance_is_on_the_maintenance_layer_and_the_board(demo_services: Any) -> None:
    view = stack_view(demo_services, "plant", (3,))
    assert [k.key for layer in view.layers for k in layer.kpis] == ["mtbf", "mttr", "pm_compliance"]
    board = board_readings(demo_services.readings, demo_services.actions, "L2", parse_period("shift", "2026-11-19/E"))
    delivery = next(c for c in board["columns"] if c["category"] == "D")
    pm = next(k for k in delivery["kpis"] if k["kpi"] == "pm_compliance")
    assert pm["period"] == "2026-11-19" and pm["value"] is not None and pm["denominator"] >= 1


def test_the_oee_tree_holds_pm_compliance_and_the_escapes(demo_services: Any) -> None:
    tree = demo_services.config.trees["oee"]
    assert tree.children("mtbf") == ["pm_compliance"]
    assert {"internal_escapes", "customer_escapes"} <= set(tree.children("quality"))
    assert len(tree.nodes()) <= 15 and len(tree.children("oee")) == 3
    view = build_tree_view(demo_services.readings, "oee", "plant", DAY, expanded=set(tree.nodes()))
    for key in ("pm_compliance", "internal_escapes", "customer_escapes"):
        assert view.nodes[key].reading.value is not None, key


def test_drilling_into_mtbf_shows_each_asset(demo_services: Any) -> None:
    detail = node_detail(demo_services, "oee", "mtbf", "L2", DAY)
    assets = detail.by_asset
    assert assets and assets[0].asset == "Filler"  # the degrading filler fails most
    assert sum(a.failures for a in assets) == detail.reading.denominator  # the line's failures, split by asset
    assert all(a.run_h == pytest.approx(detail.reading.numerator / 3600) for a in assets)
    assert as_dict(detail)["by_asset"][0]["asset"] == "Filler"
    panel = text(tree_page.render_panel(detail, demo_services.config, "oee"))
    assert "By asset" in panel and "Filler" in panel
    assert node_detail(demo_services, "oee", "oee", "L2", DAY).by_asset == []  # only on MTBF and MTTR


def test_a_plants_mtbf_panel_reads_its_stops_once_and_each_lines_run_time(demo_services: Any) -> None:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = demo_services.db
    event.listen(engine, "before_cursor_execute", seen)
    try:
        detail = node_detail(demo_services, "oee", "mtbf", "plant", DAY)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert sum("FROM stop_events" in s for s in statements) == 1  # events and assets from the same stops
    lines = {a.line for a in detail.by_asset}
    assert len(lines) > 1
    for a in detail.by_asset:  # each asset runs as long as its line, as the line's own reading says
        own = demo_services.readings.reading("mtbf", a.line, DAY)
        assert a.run_h == own.numerator / 3600
    assert sum(a.failures for a in detail.by_asset) == detail.reading.denominator


def test_drilling_into_pm_compliance_shows_each_assets_pms(demo_services: Any) -> None:
    month = parse_period("month", "2026-11")
    detail = node_detail(demo_services, "oee", "pm_compliance", "filling", month)
    pms = detail.pms
    assert sum(a.scheduled for a in pms) == detail.reading.denominator  # the same PMs as the KPI counts
    assert sum(a.on_time for a in pms) == detail.reading.numerator
    assert all(a.scheduled == a.on_time + a.late + a.not_done for a in pms)
    assert sum(a.late for a in pms) and sum(a.not_done for a in pms)
    behind = [a.scheduled - a.on_time for a in pms]
    assert behind == sorted(behind, reverse=True)  # the asset most behind first
    panel = text(tree_page.render_panel(detail, demo_services.config, "oee"))
    assert "Preventive work orders by asset" in panel and "Line 2 – Filler" in panel
    assert as_dict(detail)["pms_by_asset"][0]["scheduled"] >= 1


STOPS = ("line,start,end,reason,category,equipment\n"
         "L1,2026-06-10 07:10,2026-06-10 07:30,Filler jam,unplanned,Filler\n"  # 20 min
         "L1,2026-06-10 12:00,2026-06-10 12:27,Capper fault,unplanned,Capper\n")  # 27 min


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> Env:
    return make_env(tmp_path, database_url)


def test_asset_mtbf_and_mttr_follow_the_worked_formulas(env: Env) -> None:
    write_counts_xlsx(env.inbox / "counts" / "counts.xlsx", OEE_COUNTS)
    env.drop("stops", "stops.csv", STOPS)
    env.run("counts")
    env.run("stops")
    shift = parse_period("shift", "2026-06-10/E")
    line = env.readings.readings(["mtbf", "mttr"], "L1", shift)
    assert line["mtbf"].value == pytest.approx(373 / 60 / 2)  # 373 min run time over 2 failures
    assert line["mttr"].value == pytest.approx(23.5)  # 47 min down over 2 failures
    assets = {a.asset: a for a in asset_reliability(env.readings, "L1", shift)}
    assert set(assets) == {"Filler", "Capper"}
    for asset, minutes in (("Filler", 20), ("Capper", 27)):
        a: Any = assets[asset]
        assert (a.failures, a.repair_min) == (1, pytest.approx(minutes))
        assert a.mtbf == pytest.approx(373 / 60)  # the line ran 373 min; one failure each
        assert a.mttr == pytest.approx(minutes)
