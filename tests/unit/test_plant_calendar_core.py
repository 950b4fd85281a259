"""The plant calendar's rules on their own: which periods are planned or before go-live for a scope, the last
recordable before go-live a scope counts from, acknowledged warnings, the CSV file's problems, and expected progress
that leaves planned days out."""

from __future__ import annotations

from datetime import date

import pytest
from huddle.dashboard.core.okr_scoring import expected_progress
from huddle.dashboard.core.plant_calendar import PlannedDays, PlantCalendar, days_of, read_planned_csv

AREA_OF = {"L1": "a", "L2": "a", "L3": "b"}
CAL = PlantCalendar(
    planned=(PlannedDays(date(2026, 11, 26), date(2026, 11, 26), "Thanksgiving"),
             PlannedDays(date(2026, 12, 21), date(2026, 12, 23), "Retooling", "a", "shutdown"),
             PlannedDays(date(2026, 12, 22), date(2026, 12, 22), "Inventory", "L3")),
    go_live=date(2026, 9, 21), line_go_live={"L3": date(2026, 10, 5)},
    last_recordable={"plant": date(2026, 9, 14), "L3": date(2026, 8, 2), "L2": date(2026, 9, 30)},
    acknowledge=("no shift covers 23:00–06:00",))


def test_a_period_is_planned_only_when_every_line_and_day_is() -> None:
    assert CAL.state([date(2026, 11, 26)], ["L1", "L2", "L3"], AREA_OF).words == "planned: Thanksgiving"
    assert CAL.state([date(2026, 12, 21)], ["L1", "L2"], AREA_OF).words == "planned: Retooling"
    assert CAL.state([date(2026, 12, 21)], ["L1", "L2", "L3"], AREA_OF) is None  # Line 3 runs
    assert CAL.state([date(2026, 12, 22)], ["L1", "L3"], AREA_OF).words == "planned: Retooling, Inventory"
    assert CAL.state(days_of(date(2026, 12, 21), date(2026, 12, 24)), ["L1"], AREA_OF) is None  # the 24th runs
    assert CAL.state([date(2026, 11, 25)], ["L1"], AREA_OF) is None


def test_before_go_live_per_plant_and_line() -> None:
    assert CAL.state([date(2026, 9, 20)], ["L1", "L3"], AREA_OF).status == "before-go-live"
    assert CAL.state([date(2026, 9, 20)], ["L1", "L3"], AREA_OF).words == "before go-live (Mon 21 Sep 2026)"
    assert CAL.state([date(2026, 10, 1)], ["L3"], AREA_OF).status == "before-go-live"
    assert CAL.state([date(2026, 10, 1)], ["L1", "L3"], AREA_OF) is None  # Line 1 is live
    assert PlantCalendar().state([date(2020, 1, 1)], ["L1"], AREA_OF) is None  # no go-live: always judged


def test_the_last_recordable_before_go_live_of_a_scope() -> None:
    assert CAL.last_recordable_of("line", "L1", ["L1"]) == date(2026, 9, 14)  # the plant's
    assert CAL.last_recordable_of("line", "L3", ["L3"]) == date(2026, 8, 2)  # its own, though older
    assert CAL.last_recordable_of("area", "a", ["L1", "L2"]) == date(2026, 9, 30)  # the latest
    assert CAL.last_recordable_of("plant", "plant", ["L1", "L2", "L3"]) == date(2026, 9, 30)
    assert PlantCalendar().last_recordable_of("plant", "plant", ["L1"]) is None


def test_acknowledged_warnings() -> None:
    assert CAL.acknowledged("no shift covers 23:00–06:00: events then are not counted")
    assert not CAL.acknowledged("no shift covers 22:00–06:00: events then are not counted")


def test_a_csv_file_of_planned_days_and_its_problems() -> None:
    entries, problems = read_planned_csv("\ufeffFrom,To,Name,Scope,Kind\n2026-11-26,,Thanksgiving,,\n"
                                         "2026-12-24,2027-01-01,Winter shutdown,a,shutdown\n")
    assert problems == []
    assert entries == [PlannedDays(date(2026, 11, 26), date(2026, 11, 26), "Thanksgiving"),
                       PlannedDays(date(2026, 12, 24), date(2027, 1, 1), "Winter shutdown", "a", "shutdown")]
    _, problems = read_planned_csv("date,name,kind\n11/26/2026,Thanksgiving,\n2026-12-24,,\n2026-12-25,Xmas,party\n")
    assert problems == ["line 2: expected a date like 2026-11-26, or from and to dates",
                        "line 3.name: missing (it is what the board shows, like Thanksgiving)",
                        "line 4.kind: expected holiday, shutdown, no orders, got 'party'"]
    assert read_planned_csv("day,what\n2026-11-26,x\n")[1] == [
        "the file needs a header with name and date (or from and to) columns"]


def test_expected_progress_leaves_planned_days_out() -> None:
    q4 = (date(2026, 10, 1), date(2026, 12, 31))
    off = frozenset(days_of(date(2026, 12, 21), date(2026, 12, 31)))  # an 11-day year-end shutdown
    assert expected_progress(*q4, date(2026, 11, 15), off) == pytest.approx(46 / 81)
    assert expected_progress(*q4, date(2026, 12, 20), off) == 1.0  # the last worked day ends the quarter
    assert expected_progress(*q4, date(2026, 11, 15)) == pytest.approx(46 / 92)
    assert expected_progress(*q4, date(2026, 11, 15), frozenset(days_of(*q4))) == 0.0
