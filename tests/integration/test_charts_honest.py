"""Charts that do not mislead: a bar's height is its value from zero (a 91.5 % yield is nine tenths of a full bar, not
an empty sliver beside full ones); the tree's trend leaves out shifts and days nobody worked or was planned to work
and names each point in full ("Fri 20 Nov E"), never a cut "2026-1…".

The small plant, with its early, late and night shifts worked Monday to Friday and Thanksgiving (Thursday 26
November) planned off. Line 1 ran the early shift of every weekday from 16 to 27 November but the holiday; the
shift of Monday 23 November lost 85 of 1,000 (quality 91.5 %).
The clock reads Friday 27 November 20:00 UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services.board import board_view
from huddle.dashboard.services.drilldown import node_detail
from huddle.dashboard.services.events import events_behind
from huddle.pages.board import sparkline
from huddle.pages.components import pareto_figure
from huddle.pages.tree import trend_figure

from tests.conftest import SMALL_PLANT, Inbox

WEEKDAYS = "      days: [mon, tue, wed, thu, fri]\n"
PLANT = SMALL_PLANT.replace("calendar:\n", "calendar:\n  planned:\n    - {date: 2026-11-26, name: Thanksgiving}\n")
for _name in ("Early", "Late", "Night"):
    PLANT = PLANT.replace(f"      name: {_name}\n", f"      name: {_name}\n{WEEKDAYS}")
assert PLANT.count(WEEKDAYS) == 3 and "Thanksgiving" in PLANT
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
FRIDAY_EARLY = parse_period("shift", "2026-11-27/E")
WORKED = [date(2026, 11, 16) + timedelta(days=i) for i in range(12)]
WORKED = [d for d in WORKED if d.weekday() < 5 and d != date(2026, 11, 26)]
LABEL = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Oct|Nov)( [ELN])?")


@pytest.fixture
def services(make_services, database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The weekday plant with Line 1's early shifts loaded."""
    rows = ["line,start,end,product,total,good,planned"]
    for day in sorted(WORKED):
        good = 915 if day == date(2026, 11, 23) else 1000
        rows.append(f"L1,{day} 06:00,{day} 14:00,,1000,{good},")
    stops = "line;start;end;reason;category;equipment\nL1;2026-11-27 07:00;2026-11-27 07:30;Filler jam;unplanned;F\n"
    plant = tmp_path / "weekday_plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    built = make_services(database_url, now=NOW, plant=plant)
    outcomes = Inbox(tmp_path / "inbox").load(built, counts="\n".join(rows) + "\n", stops=stops)
    assert all(o.status in ("ok", "idle") for o in outcomes), [o.message for o in outcomes]
    return built


def _heights(bars: Any) -> list[float]:
    return [float(b.style["height"].rstrip("%")) for b in _bars(bars)]


def _bars(spark: Any) -> list[Any]:
    """The bars of a sparkline (the target line and the icons under them left out)."""
    return [b for b in spark.children[0].children if "bar" in b.className.split()]


def test_the_boards_trend_bars_stand_on_zero(services) -> None:  # type: ignore[no-untyped-def]
    view = board_view(services, "L1", FRIDAY_EARLY)
    tile = next(k for c in view["columns"] for k in c["kpis"] if k["kpi"] == "quality")
    values = [t["value"] for t in tile["trend"]]
    assert 91.5 in values and values.count(100.0) >= 3
    bars = sparkline(tile["trend"], tile["target_raw"])
    titles = [b.title for b in _bars(bars)]
    assert titles[-1].startswith("Early shift, Fri 27 Nov: ")
    assert any(t.startswith("Early shift, Mon 23 Nov: ") for t in titles)
    heights = dict(zip(values, _heights(bars), strict=False))
    # from zero, against the tallest of the bars and the target: 91.5 % is 91.5 % of 100 %
    assert heights[100.0] == 100 and heights[91.5] == pytest.approx(91.5, abs=0.5)


def test_a_sparkline_of_values_below_zero_keeps_zero_as_its_base() -> None:
    trend = [{"status": "green", "value": v, "period": f"2026-11-{20 + i}/E"} for i, v in enumerate((4.0, -2.0))]
    assert _heights(sparkline(trend, None)) == pytest.approx([100 * 4 / 6, 100 * 2 / 6], abs=0.5)


def test_the_tree_trend_leaves_out_unworked_shifts_and_names_each_point_in_full(services) -> None:  # type: ignore[no-untyped-def]
    detail = node_detail(services, "oee", "quality", "L1", FRIDAY_EARLY)
    fig = trend_figure(detail)
    xs = list(fig["data"][0]["x"])
    assert all(LABEL.fullmatch(x) for x in xs), xs  # no "2026-1…", no "2026-11-21/E"
    assert xs[-1] == "Fri 27 Nov E"
    # weekend shifts and the holiday's are left out
    assert not [x for x in xs if x.startswith(("Sat", "Sun"))]
    assert not [x for x in xs if x.startswith("Thu 26 Nov")]
    assert {"Mon 23 Nov L", "Fri 20 Nov N", "Wed 25 Nov E"} <= set(xs)  # worked, without data: grey, shown
    axis = fig["layout"]["xaxis"]
    assert axis["type"] == "category" and axis["automargin"] is True  # labels push the margin, never cut
    assert set(axis["tickvals"]) <= set(xs) and axis["ticktext"] == axis["tickvals"]


def test_the_tree_trend_by_day_leaves_out_weekends_nobody_worked(services) -> None:  # type: ignore[no-untyped-def]
    detail = node_detail(services, "oee", "quality", "L1", parse_period("day", "2026-11-27"))
    xs = list(trend_figure(detail)["data"][0]["x"])
    assert all(LABEL.fullmatch(x) for x in xs) and xs[-1] == "Fri 27 Nov"
    assert not [x for x in xs if x.startswith(("Sat", "Sun"))]
    assert "Thu 26 Nov" not in xs and xs[0] == "Mon 19 Oct"


def test_the_pareto_bars_stand_on_zero(services) -> None:  # type: ignore[no-untyped-def]
    report = events_behind(services.readings, "unplanned_downtime", "L1", FRIDAY_EARLY)
    assert report is not None and report.pareto
    layout = pareto_figure(report)["layout"]
    assert layout["yaxis"]["rangemode"] == "tozero"
