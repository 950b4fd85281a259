"""Honest statuses from hand-made feeds, on each backend: a shift whose counts stop at 11:00 is *incomplete* (with
its coverage in words), never green or red; a count loaded twice makes OEE impossible and its readings say *check
data* with the likely cause, on the readings, the board, the tree, the review and the API alike."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services.board import board_readings
from huddle.dashboard.services.tree import tree_readings

from tests.conftest import client_for, write_past

EARLY = parse_period("shift", "2026-11-20/E")
# 14:10 plant time (Europe/Berlin, UTC+1 in November): ten minutes after the early shift ended
AFTER_THE_SHIFT = datetime(2026, 11, 20, 13, 10, tzinfo=UTC)

FULL_SHIFT = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,9600
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,9600
"""
STOPS = """line,start,end,category,reason
L1,2026-11-20 07:10,2026-11-20 07:57,unplanned,Filler jam
"""
# the exporter stopped at 11:00: 06:00-11:00 of a 06:00-14:00 shift
STOPPED_AT_11 = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 08:00,,5000,4900,4800
L1,2026-11-20 08:00,2026-11-20 11:00,,7000,6900,6800
"""


def _load(services: Any, tmp_path: Path, counts: str, *extra_counts: str) -> None:
    write_past(tmp_path / "inbox/counts/counts.csv", counts)
    for i, more in enumerate(extra_counts):
        write_past(tmp_path / f"inbox/counts/again-{i}.csv", more)
    write_past(tmp_path / "inbox/stops/stops.csv", STOPS)
    outcomes = services.loader.run_all()
    assert all(o.status != "failed" for o in outcomes), [o.message for o in outcomes]


def test_a_full_shift_is_complete_and_judged_against_its_target(make_services: Any, database_url: str,
                                                                 tmp_path: Path) -> None:
    services = make_services(database_url, now=AFTER_THE_SHIFT)
    _load(services, tmp_path, FULL_SHIFT)
    oee = services.readings.reading("oee", "L1", EARLY)
    assert round(oee.value, 2) == 74.79  # the worked example
    assert oee.complete is True and oee.coverage == pytest.approx(1.0)
    assert oee.status is Status.RED and oee.checks == () and oee.gaps == ()


def test_a_shift_whose_counts_stopped_at_11_is_incomplete_not_green(make_services: Any, database_url: str,
                                                                     tmp_path: Path) -> None:
    # loaded while the shift was running (10:59 UTC = 11:59 plant time): no data arrives after that
    loading = make_services(database_url, now=datetime(2026, 11, 20, 10, 1, tzinfo=UTC))
    _load(loading, tmp_path, STOPPED_AT_11)
    services = make_services(database_url, now=AFTER_THE_SHIFT)
    readings = services.readings.readings(["oee", "availability", "schedule_attainment", "unplanned_downtime"], "L1",
                                      EARLY)
    oee = readings["oee"]
    assert oee.value is not None
    assert oee.status is Status.INCOMPLETE and oee.complete is False
    # 06:00-11:00 less the 09:00 break is 285 of the shift's 420 min of production time
    assert oee.coverage == pytest.approx(285 / 420, abs=1e-4)
    assert oee.gaps[0] == "data to 11:00 · 68 % of the shift covered"
    assert oee.gaps[1:] == ("counts read to 11:01", "stops read to 11:01")  # nothing read since
    assert {r.status for r in readings.values()} == {Status.INCOMPLETE}
    attainment = readings["schedule_attainment"]
    assert attainment.value > 95  # the part that was reported ran to plan: it would have been green
    # the board, its JSON and the API say the same
    board = board_readings(services.readings, services.actions, "L1", EARLY)
    tiles = {k["kpi"]: k for c in board["columns"] for k in c["kpis"]}
    assert tiles["oee"]["status"] == "incomplete" and tiles["oee"]["complete"] is False
    assert tiles["oee"]["coverage"] == pytest.approx(0.6786, abs=1e-4)
    delivery = next(c for c in board["columns"] if c["category"] == "D")
    assert delivery["status"] != "green"


def test_a_live_shift_shows_its_coverage_so_far(make_services: Any, database_url: str, tmp_path: Path) -> None:
    services = make_services(database_url, now=datetime(2026, 11, 20, 10, 0, tzinfo=UTC))  # 11:00 plant time
    _load(services, tmp_path, STOPPED_AT_11.replace("08:00,2026-11-20 11:00", "08:00,2026-11-20 10:00"))
    oee = services.readings.reading("oee", "L1", EARLY)
    assert oee.complete is None  # a running shift is not incomplete
    assert oee.status is not Status.INCOMPLETE
    # 06:00-10:00 less the break, of the 285 min scheduled up to 11:00
    assert oee.coverage == pytest.approx(225 / 285, abs=1e-4)


def test_a_count_loaded_twice_says_check_data_everywhere(make_services: Any, database_url: str,
                                                          tmp_path: Path) -> None:
    services = make_services(database_url, now=AFTER_THE_SHIFT)
    # the same shift's counts again, exported as one row for the whole shift by a second report under another
    # product name (under the same one, the row would be refused for overlapping the hourly rows)
    whole_shift = "line,start,end,product,total,good,planned\nL1,2026-11-20 06:05,2026-11-20 13:55,all,19271,18848,\n"
    _load(services, tmp_path, FULL_SHIFT, whole_shift)
    readings = services.readings.readings(["oee", "performance", "availability", "quality"], "L1", EARLY)
    perf = readings["performance"]
    assert perf.value is not None and perf.value > 100
    assert perf.status is Status.CHECK
    assert "performance above 100 %" in perf.checks[0] and "counts loaded twice" in perf.checks[0]
    assert readings["oee"].status is Status.CHECK  # computed from the same counts
    # rolled up: the plant's and the area's readings are not to be trusted either
    assert services.readings.reading("oee", "plant", EARLY).status is Status.CHECK
    board = board_readings(services.readings, services.actions, "L1", EARLY)
    tiles = {k["kpi"]: k for c in board["columns"] for k in c["kpis"]}
    assert tiles["oee"]["status"] == "check" and tiles["oee"]["checks"]
    tree = tree_readings(services.readings, "oee", "L1", EARLY)
    assert {n["key"]: n["status"] for n in tree["nodes"]}["oee"] == "check"
    # a month's series sums only what its KPIs read, and still counts the line-shifts that break a limit
    month = parse_period("month", "2026-11")
    keys = ["performance", "oee", "availability"]
    series = services.readings.series_many(keys, "L1", "month", month.first, month.last)
    alone = services.readings.readings(keys, "L1", month)
    assert [series[k][0].as_dict() for k in keys] == [alone[k].as_dict() for k in keys]
    assert series["performance"][0].status is Status.CHECK and series["performance"][0].checks
    by_line = services.readings.series_by_line(keys, "a", "month", month.first, month.last)["L1"]
    assert [by_line[k][0].as_dict() for k in keys] == [alone[k].as_dict() for k in keys]


def test_the_api_and_the_review_say_incomplete_with_the_coverage(make_services: Any, database_url: str,
                                                                   tmp_path: Path) -> None:
    from huddle.dashboard.services.review import build_review

    # a day of October whose counts stopped at 11:00, read in November
    october = STOPPED_AT_11.replace("2026-11-20", "2026-10-30")
    write_past(tmp_path / "inbox/counts/october.csv", october)
    write_past(tmp_path / "inbox/stops/october.csv", STOPS.replace("2026-11-20", "2026-10-30"))
    services = make_services(database_url, now=datetime(2026, 10, 30, 10, 1, tzinfo=UTC))
    assert all(o.status == "ok" for o in services.loader.run_all())
    services = make_services(database_url, now=AFTER_THE_SHIFT)
    assert all(o.status in ("ok", "idle") for o in services.loader.run_all())  # read again since: nothing new
    client = client_for(services)
    board = client.get("/api/v1/board?scope=L1&date=2026-10-30&shift=E").get_json()
    oee = next(k for c in board["columns"] for k in c["kpis"] if k["kpi"] == "oee")
    assert (oee["status"], oee["complete"], round(oee["coverage"], 3)) == ("incomplete", False, 0.679)
    values = client.get("/api/v1/values?kpi=oee&scope=L1&grain=month&period=2026-10").get_json()["values"]
    assert values[0]["status"] == "incomplete" and values[0]["complete"] is False
    review = client.get("/api/v1/review?scope=L1&month=2026-10").get_json()
    october_oee = next(r for r in review["bowler"] if r["kpi"] == "oee")["months"][-1]
    assert october_oee["status"] == "incomplete" and october_oee["coverage"] == pytest.approx(0.6786, abs=1e-4)
    tree = client.get("/api/v1/tree?scope=L1&grain=day&period=2026-10-30").get_json()
    assert {n["key"]: n["status"] for n in tree["nodes"]}["oee"] == "incomplete"
    # the review page draws the month hatched, with its coverage in words
    from huddle.pages.review import bowler

    drawn = str(bowler(build_review(services, "L1", parse_period("month", "2026-10"))))
    assert "status-incomplete" in drawn and "◐ incomplete · 68 % covered" in drawn
