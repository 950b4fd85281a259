"""A trend's, a calendar's and a red streak's cells over ended periods are judged by a shorter way than a reading
(``ended_points.judge_ended``: no words for the checks and gaps, the KPI's plan worked out once). Every cell must have
the value and status the reading's own judging (``Readings._judged``) gives it: here on the demo plant's three
weeks, at every grain and scope, and on shifts whose data stopped early, were read short or were loaded twice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.services import readings as readings_module
from huddle.dashboard.services.container import build_services
from huddle.dashboard.services.ended_points import judge_ended
from huddle.dashboard.services.readings import Readings
from huddle.dashboard.services.readings_over import Point

from tests.conftest import DEMO_NOW, write_past
from tests.integration.test_completeness import AFTER_THE_SHIFT, FULL_SHIFT, STOPPED_AT_11, STOPS


@contextmanager
def counting_ended_points() -> Iterator[list[int]]:
    """Counts the cells judged the short way while inside."""
    taken = [0]

    def counted(*args: Any) -> Any:
        taken[0] += 1
        return judge_ended(*args)

    with patch.object(readings_module, "judge_ended", counted):
        yield taken


def judged_both_ways(readings: Readings, scope: str, grain: str, first: Any, last: Any,
                     ) -> tuple[dict[str, list[Point]], dict[str, list[Point]], int]:
    """Every KPI's cells over the periods of a grain, judged the short way where it applies and by ``_judged``
    alone, and how many cells took the short way."""
    kpis = list(readings.config.kpis)
    with counting_ended_points() as taken:
        short = readings.points_many(kpis, scope, grain, first, last)
    with patch.object(readings, "ended_plans", dict.fromkeys(kpis)):
        judged = readings.points_many(kpis, scope, grain, first, last)
    return short, judged, taken[0]


def test_every_cell_of_the_demo_plant_is_judged_as_its_reading_is(demo_services: Any) -> None:
    readings = demo_services.readings
    today = DEMO_NOW.astimezone(readings.config.tz).date()
    first = today - timedelta(days=20)
    statuses: set[Status] = set()
    short_cells = 0
    for scope in ("plant", "filling", "L1", "L4"):
        for grain in ("shift", "day", "week", "month"):
            short, judged, taken = judged_both_ways(readings, scope, grain, first, today)
            assert short == judged, (scope, grain)
            short_cells += taken
            statuses |= {p.status for points in short.values() for p in points}
    # the short way was taken for most cells, and the cells it judged hold the statuses a plant sees
    assert short_cells > 2000
    assert {Status.GREEN, Status.RED, Status.GREY} <= statuses


def test_periods_ended_after_the_sources_were_last_read_are_incomplete_either_way(demo_services: Any) -> None:
    # three days on, nothing read since: the demo's last day and its week have ended with part of their data
    later = build_services(demo_services.settings, clock=lambda: DEMO_NOW + timedelta(days=3))
    try:
        readings = later.readings
        today = DEMO_NOW.astimezone(readings.config.tz).date()
        statuses: dict[str, Status] = {}
        for grain in ("day", "week"):
            short, judged, taken = judged_both_ways(readings, "L1", grain, today - timedelta(days=1), today)
            assert short == judged, grain
            assert taken > 0
            statuses |= {k: points[-1].status for k, points in short.items() if points[-1].value is not None}
        # KPIs whose records carry no production time (defects, near misses): incomplete, their sources read short
        assert statuses["internal_escapes"] is statuses["near_misses"] is Status.INCOMPLETE
    finally:
        later.dispose()


def _load(services: Any, tmp_path: Path, *counts: str) -> None:
    for i, text in enumerate(counts):
        write_past(tmp_path / f"inbox/counts/counts-{i}.csv", text)
    write_past(tmp_path / "inbox/stops/stops.csv", STOPS)
    outcomes = services.loader.run_all()
    assert all(o.status != "failed" for o in outcomes), [o.message for o in outcomes]


def test_a_shift_whose_data_stopped_early_and_was_read_short_is_incomplete_either_way(
        make_services: Any, database_url: str, tmp_path: Path) -> None:
    # loaded while the shift ran: its counts stop at 11:00, and nothing was read after 11:01
    _load(make_services(database_url, now=datetime(2026, 11, 20, 10, 1, tzinfo=UTC)), tmp_path, STOPPED_AT_11)
    readings = make_services(database_url, now=AFTER_THE_SHIFT).readings
    day = AFTER_THE_SHIFT.date()
    for scope in ("plant", "L1"):
        short, judged, taken = judged_both_ways(readings, scope, "shift", day - timedelta(days=1), day)
        assert short == judged
        assert taken > 0
    early = {k: points[3] for k, points in short.items()}  # the day before's three shifts, then this early shift
    assert early["oee"].period == "2026-11-20/E"
    assert early["oee"].status is Status.INCOMPLETE and early["oee"].value is not None


def test_a_count_loaded_twice_says_check_data_either_way(make_services: Any, database_url: str,
                                                         tmp_path: Path) -> None:
    whole_shift = "line,start,end,product,total,good,planned\nL1,2026-11-20 06:05,2026-11-20 13:55,all,19271,18848,\n"
    services = make_services(database_url, now=AFTER_THE_SHIFT)
    _load(services, tmp_path, FULL_SHIFT, whole_shift)
    day = AFTER_THE_SHIFT.date()  # the early shift has ended, its day has not
    short, judged, taken = judged_both_ways(services.readings, "L1", "shift", day, day)
    assert short == judged
    assert taken > 0
    assert short["performance"][0].status is Status.CHECK and short["oee"][0].status is Status.CHECK


@pytest.mark.parametrize("kpi", ["trir", "days_since_recordable", "scrap_cost", "rty"])
def test_kpis_read_by_hours_records_a_gauge_a_value_or_steps_are_judged_the_long_way(demo_services: Any,
                                                                                      kpi: str) -> None:
    readings = demo_services.readings
    today = DEMO_NOW.astimezone(readings.config.tz).date()
    with counting_ended_points() as taken:
        points = readings.points_many([kpi], "L1", "day", today - timedelta(days=7), today)
    assert len(points[kpi]) == 8
    assert taken[0] == 0


def test_a_running_periods_cells_have_their_readings_values_and_statuses(demo_services: Any) -> None:
    # a running period's coverage so far is shown on a reading, never judged: its cells do not read it
    readings = demo_services.readings
    today = DEMO_NOW.astimezone(readings.config.tz).date()
    kpis = list(readings.config.kpis)
    for grain in ("day", "week", "month"):
        period = period_containing(grain, today)
        cells = readings.points_many(kpis, "L1", grain, period.first, period.last)
        read = readings.readings(kpis, "L1", period)
        assert {k: (cells[k][-1].value, cells[k][-1].status) for k in kpis} == \
            {k: (r.value, r.status) for k, r in read.items()}, grain
        assert any(r.coverage is not None for r in read.values())
