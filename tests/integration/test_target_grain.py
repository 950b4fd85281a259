"""Every target is compared at the grain of the value beside it, on the demo plant: a month's total (downtime
minutes, near misses, scrap cost) is judged against its per-line-and-shift target times the line-shifts the month
worked (or the values it loaded), counted here straight from the stored rows; ratios keep their written target; an
empty month shows no per-shift limit as if it were the month's; a planned holiday adds no line-shift. The review,
the API's values and the tree's node panel at week and month grain all say so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from huddle.dashboard.core.periods import Period, parse_period
from huddle.dashboard.core.targets import TargetGrain, grain_dependent, target_grain
from huddle.dashboard.services.drilldown import node_detail
from huddle.dashboard.services.review import build_review
from sqlalchemy import text

from tests.conftest import SMALL_PLANT, client_for

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # November has ended; the demo's history begins in late October
DAYS = 40
NOVEMBER = parse_period("month", "2026-11")


@pytest.fixture
def demo(make_demo):  # type: ignore[no-untyped-def]
    """The demo plant with all of November and a few days of October."""
    return make_demo(now=NOW, days=DAYS)


def worked_units(services, kpi: str, scope_lines: list[str], period: Period) -> int:  # type: ignore[no-untyped-def]
    """What a grain-dependent target applies to, counted from the stored rows: line-shifts with records, or values
    loaded."""
    marks = ", ".join(f":l{i}" for i in range(len(scope_lines)))
    lines = {f"l{i}": ln for i, ln in enumerate(scope_lines)}
    with services.db.connect() as db:
        if target_grain(services.config.kpis[kpi]) is TargetGrain.PER_VALUE:
            return int(db.execute(text("SELECT count(*) FROM kpi_values WHERE kpi = :k AND production_date "
                                       "BETWEEN :a AND :b"), {"k": kpi, "a": period.first, "b": period.last}).scalar())
        return int(db.execute(text(f"SELECT count(*) FROM shift_facts WHERE line IN ({marks}) AND production_date "
                                   "BETWEEN :a AND :b"), {**lines, "a": period.first, "b": period.last}).scalar())


def test_every_grain_dependent_target_is_scaled_to_the_month_it_judges(demo) -> None:  # type: ignore[no-untyped-def]
    config = demo.config
    dependent = [k for k, d in config.kpis.items() if grain_dependent(d)]
    # the demo's catalogue has totals per line and shift and a summed loaded KPI: the loop below is not empty
    assert {"unplanned_downtime", "changeover_time", "near_misses"} <= set(dependent)
    assert any(target_grain(config.kpis[k]) is TargetGrain.PER_VALUE for k in dependent)
    review = build_review(demo, "plant", NOVEMBER)
    lines = config.scope_lines("plant")
    for row in review.rows:
        k = row.kpi
        november = row.cells[-1].reading
        assert november.period == "2026-11"
        written = k.target_on(NOVEMBER.last)
        if grain_dependent(k):
            units = worked_units(demo, k.key, lines, NOVEMBER)
            assert units > 4, k.key  # a month of several lines and shifts (or values), not one
            assert november.target == pytest.approx(written * units), k.key
            if k.direction == "lower":  # judged against the month's allowance, not one shift's
                assert november.value > written, k.key
        else:
            assert november.target == pytest.approx(written), k.key
        for cell in row.cells:  # months before the demo's history: nothing worked, so no target for a total
            r = cell.reading
            if r.value is None and grain_dependent(k):
                assert r.target is None, (k.key, r.period)


def test_the_api_and_the_tree_judge_weeks_and_months_alike(demo) -> None:  # type: ignore[no-untyped-def]
    config = demo.config
    client = client_for(demo)
    week = parse_period("week", "2026-W47")
    grains = {k["key"]: k["target_grain"] for k in client.get("/api/v1/kpis").get_json()["kpis"]}
    assert (grains["unplanned_downtime"], grains["scrap_cost"], grains["oee"]) == (
        "per line and shift", "per loaded value", "as written")  # what the catalogue's target covers
    for period in (NOVEMBER, week):
        body = client.get(f"/api/v1/values?kpi=unplanned_downtime,changeover_time,oee&scope=L1&grain={period.grain}"
                          f"&period={period.label}").get_json()
        by_kpi = {v["kpi"]: v for v in body["values"]}
        units = worked_units(demo, "unplanned_downtime", ["L1"], period)
        assert units >= 21  # a week of one line's three shifts
        for k in ("unplanned_downtime", "changeover_time"):
            assert by_kpi[k]["target"] == pytest.approx(config.kpis[k].target_on(period.last) * units)
        assert by_kpi["oee"]["target"] == pytest.approx(config.kpis["oee"].target_on(period.last))
        # the tree's node panel: the leaf's target and its what-if targets at the same grain
        detail = node_detail(demo, "oee", "unplanned_downtime", "L1", period)
        assert detail.reading.target == pytest.approx(by_kpi["unplanned_downtime"]["target"])
        assert detail.targets["changeover_time"] == pytest.approx(by_kpi["changeover_time"]["target"])


HOLIDAY_PLANT = SMALL_PLANT.replace("calendar:\n", "calendar:\n  planned: [{date: 2026-11-17, name: Plant holiday}]\n")
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-16 06:00,2026-11-16 14:00,,19271,18848,20000
L1,2026-11-18 06:00,2026-11-18 14:00,,19271,18848,20000
L2,2026-11-16 06:00,2026-11-16 14:00,,19271,18848,20000
"""
STOPS = """line;start;end;reason;category;equipment
L1;2026-11-16 07:00;2026-11-16 07:47;Filler jam;unplanned;Filler
L2;2026-11-16 07:00;2026-11-16 07:20;Filler jam;unplanned;Filler
"""


def test_a_planned_holiday_adds_no_line_shift(make_services, database_url, tmp_path, inbox) -> None:  # type: ignore[no-untyped-def]
    plant = tmp_path / "holiday-plant.yaml"
    plant.write_text(HOLIDAY_PLANT, encoding="utf-8")
    services = make_services(database_url, now=NOW, plant=plant)
    inbox.load(services, counts=COUNTS, stops=STOPS)
    holiday = services.readings.reading("unplanned_downtime", "plant", parse_period("day", "2026-11-17"))
    assert holiday.status == "planned" and holiday.target is None
    # three line-shifts worked in the month and in its week 47: the holiday between them adds none
    for period in (NOVEMBER, parse_period("week", "2026-W47")):
        month = services.readings.reading("unplanned_downtime", "plant", period)
        assert month.value == pytest.approx(67.0)
        assert month.target == pytest.approx(3 * 30.0)
        assert month.status == "green"  # 67 minutes against one shift's 30 would have read red
