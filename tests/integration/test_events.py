"""The events behind a KPI on real records: CSV files dropped in the inbox, read by the loaders, then drilled into."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.periods import Period, parse_period
from huddle.dashboard.services.events import EVENT_KINDS, EventReport, event_kind_for, events_behind
from huddle.dashboard.services.losses import top_losses

from tests.conftest import SMALL_PLANT, Inbox

L1 = "{key: L1, name: Line 1, ideal_cycle_s: 1.0}"
L2 = "{key: L2, name: Line 2, ideal_cycle_s: 1.0}"
AREA_B = """  - key: b
    name: Area B
    lines: [{key: B1, name: Line B1, ideal_cycle_s: 1.0}]
"""
KPIS = """\
  - {key: fpy, name: First-pass yield, category: Q, target: 97, owner: A, data_source: MES}
  - {key: scrap_rate, name: Scrap rate, category: Q, target: 1, owner: A, data_source: MES}
  - {key: rework_rate, name: Rework rate, category: Q, target: 1, owner: A, data_source: MES}
  - {key: changeover_time, name: Changeover time, category: D, target: 20, owner: A, data_source: MES}
  - {key: mtbf, name: MTBF, category: D, target: 4, owner: A, data_source: MES}
  - {key: mttr, name: MTTR, category: D, target: 10, owner: A, data_source: MES}
  - {key: near_misses, name: Near misses, category: S, target: 1, owner: A, data_source: EHS}
  - {key: first_aid_cases, name: First-aid cases, category: S, target: 0, owner: A, data_source: EHS}
  - {key: dsr, name: Days since recordable, formula: days_since_recordable, category: S, owner: A, data_source: EHS}
  - {key: attendance, name: Attendance, category: M, target: 95, owner: A, data_source: HR}
  - {key: ideas, name: Ideas, formula: direct, aggregation: sum, category: M, target: 5, owner: A, data_source: HR}
"""
SOURCES = """\
  - {key: quality, kind: files, record: quality_events, path: "${data_dir}/inbox/quality", settle_seconds: 0}
  - {key: safety, kind: files, record: safety_events, path: "${data_dir}/inbox/safety", settle_seconds: 0}
"""
#: The small plant with downtime costs on L1 (600 an hour, 10 a minute) and L2 (1200 an hour, 20 a minute), a
#: second area b with B1 (no cost), KPIs with events behind them and some without, quality and safety sources.
PLANT = (SMALL_PLANT
         .replace(L1, L1[:-1] + ", downtime_cost_per_hour: 600}")
         .replace(L2, L2[:-1] + ", downtime_cost_per_hour: 1200}")
         .replace("kpis:\n", AREA_B + "kpis:\n" + KPIS) + SOURCES)
assert "downtime_cost_per_hour: 600" in PLANT and "downtime_cost_per_hour: 1200" in PLANT and AREA_B in PLANT

# Early shift of 2026-11-20: 06:00–14:00 CET, breaks 09:00+15, 11:00+30, 12:45+15 min. Sensor fault starts in the
# night shift before (10 of its 20 min fall in the early shift, and it is not counted as started there); Conveyor
# runs across the 09:00 break (15 of its 30 min are lost, the rest is planned); Label jam runs 20 min into the late
# shift; Cleaning is planned and never a loss; the 19 November Filler jam is another day.
STOPS = """line,start,end,reason,category,equipment
L1,2026-11-19 07:00,2026-11-19 07:05,Filler jam,unplanned,Filler
L1,2026-11-20 05:50,2026-11-20 06:10,Sensor fault,unplanned,Sensor
L1,2026-11-20 07:00,2026-11-20 07:30,Filler jam,unplanned,Filler
B1,2026-11-20 07:10,2026-11-20 07:50,Starved,unplanned,Infeed
L2,2026-11-20 08:00,2026-11-20 08:10,Filler jam,unplanned,Capper
L1,2026-11-20 08:50,2026-11-20 09:20,Conveyor,unplanned,Conveyor
L2,2026-11-20 09:20,2026-11-20 09:30,Cleaning,planned,
L1,2026-11-20 10:00,2026-11-20 10:17,Filler jam,unplanned,Filler
L1,2026-11-20 12:00,2026-11-20 12:25,Product change,changeover,
L2,2026-11-20 13:40,2026-11-20 14:20,Label jam,unplanned,Labeller
"""
# Early shift: the rework inside the 09:00 break counts (facts do not leave breaks out for defects); 05:59 is in the
# night shift before, 14:00 in the late shift.
QUALITY = """line,time,defect,quantity,disposition
L1,2026-11-20 05:59,Scratch,9,scrap
L1,2026-11-20 07:15,Scratch,5,scrap
B1,2026-11-20 08:00,Dent,4,rework
L1,2026-11-20 09:05,Scratch,3,rework
L2,2026-11-20 10:30,Dent,12,scrap
L1,2026-11-20 13:59,Label,2,scrap
L1,2026-11-20 14:00,Label,7,scrap
"""
# Locations: lines, areas a and b, and the plant (site key ex). 05:00 and 14:30 are outside the early shift.
SAFETY = """time,location,type,description
2026-11-20 05:00,L2,near_miss,night shift
2026-11-20 07:30,L1,near_miss,forklift too close
2026-11-20 08:00,L2,first_aid,cut finger
2026-11-20 09:30,a,near_miss,wet floor
2026-11-20 10:00,ex,recordable,fall in the car park
2026-11-20 11:00,B1,lost_time,crushed hand
2026-11-20 12:00,b,near_miss,blocked exit
2026-11-20 14:30,L1,recordable,burn
"""
EARLY = parse_period("shift", "2026-11-20/E")
WEEK = parse_period("week", "2026-W47")
#: The early shifts of the week, as the readings' breakdown by shift reads them.
EARLY_WEEK = Period("week", date(2026, 11, 16), date(2026, 11, 22), "E")


def _readings(make_services: Callable[..., Any], tmp_path: Path, database_url: str) -> Any:
    """The readings service of the test plant after the loaders read the stop, quality and safety files."""
    plant = tmp_path / "events_plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=datetime(2026, 11, 20, 20, 0, tzinfo=UTC), plant=plant)
    files = {"stops": STOPS, "quality": QUALITY, "safety": SAFETY}
    outcomes = Inbox(tmp_path / "inbox").load(services, **files)
    assert all(o.status in ("ok", "idle") for o in outcomes), [o.message for o in outcomes]
    assert sum(o.rows_loaded for o in outcomes) == sum(t.count("\n") - 1 for t in files.values())
    return services.readings


def _report(readings: Any, kpi: str, scope: str, period: Any = EARLY, **kw: Any) -> EventReport:
    report = events_behind(readings, kpi, scope, period, **kw)
    assert report is not None
    return report


def _rows(report: EventReport, field: str) -> list[tuple[str, Any]]:
    return [(r.label, getattr(r, field)) for r in report.pareto]


def test_unplanned_stop_pareto_adds_up_to_the_kpi(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    report = _report(readings, "unplanned_downtime", "plant")
    assert (report.kind, report.measure, report.title) == ("stops", "minutes", "Unplanned stops by reason")
    # ranked by minutes: Starved (40, one line) before Label jam (20) though later in the alphabet
    assert _rows(report, "minutes") == [
        ("Filler jam", pytest.approx(57)), ("Starved", pytest.approx(40)), ("Label jam", pytest.approx(20)),
        ("Conveyor", pytest.approx(15)), ("Sensor fault", pytest.approx(10))]
    assert _rows(report, "count") == [("Filler jam", 3), ("Starved", 1), ("Label jam", 1), ("Conveyor", 1),
                                      ("Sensor fault", 0)]
    assert [r.quantity for r in report.pareto] == [None] * 5
    assert _rows(report, "lines") == [("Filler jam", ("L1", "L2")), ("Starved", ("B1",)), ("Label jam", ("L2",)),
                                      ("Conveyor", ("L1",)), ("Sensor fault", ("L1",))]
    assert report.total == pytest.approx(142)
    assert [r.share for r in report.pareto] == pytest.approx([57 / 142, 40 / 142, 20 / 142, 15 / 142, 10 / 142])
    assert [r.cumulative for r in report.pareto] == pytest.approx([57 / 142, 97 / 142, 117 / 142, 132 / 142, 1])
    # cost: L1 10 a minute (47 min), L2 20 a minute (10 min); B1 has no cost configured
    assert _rows(report, "cost") == [("Filler jam", pytest.approx(670)), ("Starved", None),
                                     ("Label jam", pytest.approx(400)), ("Conveyor", pytest.approx(150)),
                                     ("Sensor fault", pytest.approx(100))]

    # the same minutes as the KPI and the board's top losses
    assert readings.reading("unplanned_downtime", "plant", EARLY).value == pytest.approx(report.total)
    top = top_losses(readings, "plant", EARLY, n=10)
    assert {x.reason: x.minutes for x in top.losses if x.category == "unplanned"} == {
        r.label: pytest.approx(r.minutes) for r in report.pareto}
    assert top.unplanned_minutes == pytest.approx(report.total)

    # every record, newest first, minutes clipped to the shift without the break, cost per record
    assert report.total_records == 7
    assert [(r.at_utc.astimezone(readings.config.tz).strftime("%H:%M"), r.line, r.label, r.detail) for r in
            report.records] == [("13:40", "L2", "Label jam", "Labeller"), ("10:00", "L1", "Filler jam", "Filler"),
                                ("08:50", "L1", "Conveyor", "Conveyor"), ("08:00", "L2", "Filler jam", "Capper"),
                                ("07:10", "B1", "Starved", "Infeed"), ("07:00", "L1", "Filler jam", "Filler"),
                                ("05:50", "L1", "Sensor fault", "Sensor")]
    assert [r.minutes for r in report.records] == pytest.approx([20, 17, 15, 10, 40, 30, 10])
    assert [r.cost for r in report.records] == [pytest.approx(400), pytest.approx(170), pytest.approx(150),
                                                pytest.approx(200), None, pytest.approx(300), pytest.approx(100)]
    first = report.records[0]
    assert (first.at_utc, first.end_utc, first.quantity) == (
        datetime(2026, 11, 20, 12, 40, tzinfo=UTC), datetime(2026, 11, 20, 13, 20, tzinfo=UTC), None)


def test_stops_filtered_by_label_and_capped(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    whole = _report(readings, "unplanned_downtime", "plant")
    jams = _report(readings, "unplanned_downtime", "plant", label="Filler jam")
    assert jams.pareto == whole.pareto and jams.total == whole.total  # the Pareto stays whole
    assert {r.label for r in jams.records} == {"Filler jam"}
    assert [(r.line, r.minutes) for r in jams.records] == [("L1", pytest.approx(17)), ("L2", pytest.approx(10)),
                                                          ("L1", pytest.approx(30))]
    assert jams.total_records == 3
    assert sum(r.minutes or 0 for r in jams.records) == pytest.approx(whole.pareto[0].minutes)
    capped = _report(readings, "unplanned_downtime", "plant", label="Filler jam", limit=2)
    assert (len(capped.records), capped.total_records) == (2, 3)
    assert capped.records == jams.records[:2]
    unknown = _report(readings, "unplanned_downtime", "plant", label="Nothing like it")
    assert (unknown.records, unknown.total_records) == ([], 0)


def test_stops_by_scope(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    expected = {
        "L1": [("Filler jam", 47), ("Conveyor", 15), ("Sensor fault", 10)],
        "L2": [("Label jam", 20), ("Filler jam", 10)],
        "a": [("Filler jam", 57), ("Label jam", 20), ("Conveyor", 15), ("Sensor fault", 10)],
        "b": [("Starved", 40)],
    }
    for scope, rows in expected.items():
        report = _report(readings, "unplanned_downtime", scope)
        assert _rows(report, "minutes") == [(label, pytest.approx(m)) for label, m in rows], scope
        assert report.total == pytest.approx(sum(m for _, m in rows)), scope
        assert report.total == pytest.approx(readings.reading("unplanned_downtime", scope, EARLY).value), scope
        assert {r.line for r in report.records} == set(readings.config.scope_lines(scope)), scope
    # L2's Filler jam costs 20 a minute, L1's 10
    assert _rows(_report(readings, "unplanned_downtime", "L2"), "cost") == [
        ("Label jam", pytest.approx(400)), ("Filler jam", pytest.approx(200))]


def test_stops_over_longer_periods_and_none(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    # the week: the 19 November Filler jam counts, Label jam's 20 late-shift minutes too, and Sensor fault's 10
    # night-shift minutes of 19 November (where it started); Label jam and Starved tie on minutes and count
    report = _report(readings, "unplanned_downtime", "plant", WEEK)
    assert [(r.label, r.minutes, r.count) for r in report.pareto] == [
        ("Filler jam", pytest.approx(62), 4), ("Label jam", pytest.approx(40), 1), ("Starved", pytest.approx(40), 1),
        ("Sensor fault", pytest.approx(20), 1), ("Conveyor", pytest.approx(15), 1)]
    assert report.total == pytest.approx(177)
    assert readings.reading("unplanned_downtime", "plant", WEEK).value == pytest.approx(177)
    assert report.total_records == 8

    empty = _report(readings, "unplanned_downtime", "plant", parse_period("shift", "2026-11-18/E"))
    assert (empty.pareto, empty.records, empty.total_records, empty.total) == ([], [], 0, 0)


def test_other_stop_kpis(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    changeovers = _report(readings, "changeover_time", "plant")
    assert (changeovers.title, _rows(changeovers, "minutes")) == (
        "Changeovers by reason", [("Product change", pytest.approx(25))])
    assert changeovers.total == pytest.approx(readings.reading("changeover_time", "plant", EARLY).value)
    assert [(r.label, r.detail, r.cost) for r in changeovers.records] == [("Product change", "", pytest.approx(250))]

    # availability loses run time to unplanned stops and changeovers alike
    availability = _report(readings, "availability", "plant")
    assert availability.total == pytest.approx(142 + 25)
    reading = readings.reading("availability", "plant", EARLY)
    assert (reading.denominator - reading.numerator) / 60 == pytest.approx(availability.total)
    assert [r.label for r in availability.pareto] == [
        "Filler jam", "Starved", "Product change", "Label jam", "Conveyor", "Sensor fault"]

    # MTBF ranks by failures (stops started in the shift), ties by minutes; the failures are MTBF's denominator
    mtbf = _report(readings, "mtbf", "plant")
    assert (mtbf.measure, _rows(mtbf, "count")) == ("count", [
        ("Filler jam", 3), ("Starved", 1), ("Label jam", 1), ("Conveyor", 1), ("Sensor fault", 0)])
    assert mtbf.total == readings.reading("mtbf", "plant", EARLY).denominator == 6
    assert [r.share for r in mtbf.pareto] == pytest.approx([3 / 6, 1 / 6, 1 / 6, 1 / 6, 0])
    mttr = _report(readings, "mttr", "L1")
    assert (mttr.measure, mttr.total) == ("minutes", pytest.approx(72))
    assert mttr.total * 60 == pytest.approx(readings.reading("mttr", "L1", EARLY).numerator)


def test_defects_split_by_disposition(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    fpy = _report(readings, "fpy", "plant")
    assert (fpy.kind, fpy.measure, fpy.title) == ("defects", "quantity", "Defective units by defect")
    assert [(r.label, r.quantity, r.count, r.lines) for r in fpy.pareto] == [
        ("Dent", 16, 2, ("L2", "B1")), ("Scratch", 8, 2, ("L1",)),
        ("Label", 2, 1, ("L1",))]
    assert [(r.minutes, r.cost) for r in fpy.pareto] == [(None, None)] * 3
    assert fpy.total == 26
    assert [r.share for r in fpy.pareto] == pytest.approx([16 / 26, 8 / 26, 2 / 26])
    assert [r.cumulative for r in fpy.pareto] == pytest.approx([16 / 26, 24 / 26, 1])
    assert [(r.at_utc.astimezone(readings.config.tz).strftime("%H:%M"), r.line, r.label, r.detail, r.quantity)
            for r in fpy.records] == [
        ("13:59", "L1", "Label", "scrap", 2), ("10:30", "L2", "Dent", "scrap", 12),
        ("09:05", "L1", "Scratch", "rework", 3), ("08:00", "B1", "Dent", "rework", 4),
        ("07:15", "L1", "Scratch", "scrap", 5)]
    assert all(r.end_utc is None and r.minutes is None and r.cost is None for r in fpy.records)
    assert _report(readings, "quality", "plant").pareto == fpy.pareto

    scrap = _report(readings, "scrap_rate", "plant")
    assert (scrap.title, [(r.label, r.quantity) for r in scrap.pareto]) == (
        "Scrapped units by defect", [("Dent", 12), ("Scratch", 5), ("Label", 2)])
    assert {r.detail for r in scrap.records} == {"scrap"}
    assert scrap.total == readings.reading("scrap_rate", "plant", EARLY).numerator == 19
    rework = _report(readings, "rework_rate", "plant")
    assert (rework.title, [(r.label, r.quantity) for r in rework.pareto]) == (
        "Reworked units by defect", [("Dent", 4), ("Scratch", 3)])
    assert rework.total == readings.reading("rework_rate", "plant", EARLY).numerator == 7

    # by scope, and by label
    assert [(r.label, r.quantity) for r in _report(readings, "scrap_rate", "L1").pareto] == [("Scratch", 5),
                                                                                            ("Label", 2)]
    assert [(r.label, r.quantity) for r in _report(readings, "rework_rate", "a").pareto] == [("Scratch", 3)]
    assert _report(readings, "rework_rate", "a").total == readings.reading("rework_rate", "a", EARLY).numerator
    dents = _report(readings, "fpy", "plant", label="Dent")
    assert ([(r.line, r.quantity) for r in dents.records], dents.total_records) == ([("L2", 12), ("B1", 4)], 2)

    # the week adds the night shift's 9 and the late shift's 7 scrapped units; its early shifts only do not
    for period, scrapped, defective in ((WEEK, 35, 42), (EARLY_WEEK, 19, 26)):
        assert _report(readings, "fpy", "plant", period).total == defective, period
        assert _report(readings, "scrap_rate", "plant", period).total == scrapped, period
        assert readings.reading("scrap_rate", "plant", period).numerator == scrapped, period


def test_safety_events_by_kind_and_scope(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    trir = _report(readings, "trir", "plant")
    assert (trir.kind, trir.measure) == ("safety", "count")
    # a tie on count: the more severe kind first
    assert [(r.label, r.count, r.lines) for r in trir.pareto] == [("lost_time", 1, ("B1",)),
                                                                  ("recordable", 1, ("ex",))]
    assert [(r.minutes, r.quantity, r.cost) for r in trir.pareto] == [(None, None, None)] * 2
    assert [r.cumulative for r in trir.pareto] == pytest.approx([0.5, 1])
    assert trir.total == readings.reading("trir", "plant", EARLY).numerator == 2
    assert [(r.line, r.label, r.detail) for r in trir.records] == [
        ("B1", "lost_time", "crushed hand"), ("ex", "recordable", "fall in the car park")]
    assert _report(readings, "dsr", "plant").pareto == trir.pareto

    # near misses: lines in scope, plus the area's own events for an area, everything for the plant
    expected = {"plant": [("L1", "forklift too close"), ("a", "wet floor"), ("b", "blocked exit")],
                "a": [("L1", "forklift too close"), ("a", "wet floor")], "b": [("b", "blocked exit")],
                "L1": [("L1", "forklift too close")], "L2": []}
    for scope, records in expected.items():
        report = _report(readings, "near_misses", scope)
        assert sorted((r.line, r.detail) for r in report.records) == records, scope
        assert {r.label for r in report.records} <= {"near_miss"}, scope
        assert report.total == len(records), scope
        value = readings.reading("near_misses", scope, EARLY).value
        assert (value or 0) == report.total, scope
    assert _rows(_report(readings, "near_misses", "plant"), "lines") == [("near_miss", ("L1", "a", "b"))]
    assert _rows(_report(readings, "first_aid_cases", "a"), "count") == [("first_aid", 1)]
    assert _report(readings, "first_aid_cases", "L1").pareto == []
    assert _report(readings, "trir", "a").pareto == []  # the lost-time case is in area b, the recordable plant-wide

    # the week adds the late shift's recordable and the night shift's near miss; its early shifts only do not
    for period, recordables, near_misses in ((WEEK, 3, 4), (EARLY_WEEK, 2, 3)):
        assert _report(readings, "trir", "plant", period).total == recordables, period
        assert readings.reading("trir", "plant", period).numerator == recordables, period
        assert _report(readings, "near_misses", "plant", period).total == near_misses, period
        assert readings.reading("near_misses", "plant", period).value == near_misses, period


def test_kpis_without_events_behind_them(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readings = _readings(make_services, tmp_path, database_url)
    for kpi in ("oee", "performance", "schedule_attainment", "attendance", "ideas"):
        assert event_kind_for(readings.config, kpi) is None, kpi
        assert events_behind(readings, kpi, "plant", EARLY) is None, kpi
    assert event_kind_for(readings.config, "scrap_rate") == EVENT_KINDS["scrap_rate"]
    assert event_kind_for(readings.config, "dsr") == EVENT_KINDS["trir"]
    with pytest.raises(KeyError, match="unknown KPI"):
        event_kind_for(readings.config, "nonsense")
