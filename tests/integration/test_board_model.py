"""The shift board's read model on real records: CSV files dropped in the inbox, read by the loaders, then asked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services import board, losses, safety, trends

from tests.conftest import SMALL_PLANT, Inbox

TRIR_LINE = "  - {key: trir, name: TRIR, category: S, target: 2, frequency: month, owner: A, data_source: EHS}\n"
FPY_LINE = "  - {key: fpy, name: First-pass yield, category: Q, target: 97, owner: A, data_source: MES}\n"
EXTRA_SOURCES = """\
  - {key: safety, kind: files, record: safety_events, path: "${data_dir}/inbox/safety", settle_seconds: 0}
  - {key: labour, kind: files, record: labour, path: "${data_dir}/inbox/labour", settle_seconds: 0}
"""
#: The small plant with a first-pass yield KPI (target 97 %) and safety and labour sources.
PLANT = SMALL_PLANT.replace("kpis:\n", "kpis:\n" + FPY_LINE) + EXTRA_SOURCES
assert TRIR_LINE in PLANT and FPY_LINE in PLANT

# Early shift of 2026-11-20 (06:00–14:00 CET, breaks 09:00+15, 11:00+30, 12:45+15). The first L1 row's midpoint
# (05:55) is in the night shift before, the last one's (14:10) in the late shift: neither belongs to the early
# shift. L2's 06:30–07:40 row has its midpoint at 07:05, so it counts in the 07:00 hour. No count for 09:00. The
# first row is another product's (a count may not overlap another of its line and product).
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 05:30,2026-11-20 06:20,P2,50,50,50
L1,2026-11-20 06:00,2026-11-20 07:00,,120,100,120
L1,2026-11-20 07:00,2026-11-20 08:00,,112,110,120
L1,2026-11-20 08:00,2026-11-20 09:00,,95,90,120
L1,2026-11-20 10:00,2026-11-20 11:00,,121,120,120
L1,2026-11-20 11:00,2026-11-20 12:00,,62,60,60
L1,2026-11-20 12:00,2026-11-20 13:00,,101,100,90
L1,2026-11-20 13:00,2026-11-20 13:50,,100,100,100
L1,2026-11-20 13:50,2026-11-20 14:30,,40,40,40
L2,2026-11-20 06:30,2026-11-20 07:40,,70,70,60
"""
# Sensor fault starts in the night shift before (10 of its 20 min fall in the early shift); Conveyor runs across
# the 09:00 break (15 of its 30 min are lost, the rest is planned); Label jam runs 20 min past the shift's end;
# Cleaning is planned and never a loss.
STOPS = """line,start,end,reason,category,equipment
L1,2026-11-20 05:50,2026-11-20 06:10,Sensor fault,unplanned,Sensor
L1,2026-11-20 07:00,2026-11-20 07:30,Filler jam,unplanned,Filler
L2,2026-11-20 08:00,2026-11-20 08:10,Filler jam,unplanned,Capper
L1,2026-11-20 08:50,2026-11-20 09:20,Conveyor,unplanned,Conveyor
L2,2026-11-20 09:20,2026-11-20 09:30,Cleaning,planned,
L1,2026-11-20 10:00,2026-11-20 10:17,Filler jam,unplanned,Filler
L1,2026-11-20 12:00,2026-11-20 12:25,Product change,changeover,
L2,2026-11-20 13:40,2026-11-20 14:20,Label jam,unplanned,Labeller
"""
EARLY = parse_period("shift", "2026-11-20/E")


def _services(make_services: Callable[..., Any], tmp_path: Path, files: dict[str, str], *,
              database_url: str | None = None, now: datetime = datetime(2026, 11, 20, 20, 0, tzinfo=UTC),
              plant_text: str = PLANT) -> Any:
    """Services on the test plant after the loaders read the given inbox files (folder → CSV text)."""
    plant = tmp_path / "board_plant.yaml"
    plant.write_text(plant_text, encoding="utf-8")
    services = make_services(database_url, now=now, plant=plant)
    outcomes = Inbox(tmp_path / "inbox").load(services, **files)
    assert all(o.status in ("ok", "idle") for o in outcomes), [o.message for o in outcomes]
    assert sum(o.rows_loaded for o in outcomes) == sum(t.count("\n") - 1 for t in files.values())
    return services


def _shift_rows(line: str, first_start: datetime, results: list[tuple[int, int] | None]) -> str:
    """One full-shift count row per 8 h shift from a local start: (total, good), or None for a shift without data."""
    rows = []
    for k, result in enumerate(results):
        if result is not None:
            start = first_start + timedelta(hours=8 * k)
            end = start + timedelta(hours=8)
            rows.append(f"{line},{start:%Y-%m-%d %H:%M},{end:%Y-%m-%d %H:%M},,{result[0]},{result[1]},")
    return "line,start,end,product,total,good,planned\n" + "\n".join(rows) + "\n"


# ---- hour by hour ----------------------------------------------------------------------------------------


def test_hour_by_hour_rows_and_cumulative_sums(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = _services(make_services, tmp_path, {"counts": COUNTS}, database_url=database_url)
    rows = board.hour_by_hour(services.readings, "plant", EARLY)
    assert [r.label for r in rows] == ["06:00", "07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "13:00"]
    assert [r.planned for r in rows] == [120, 180, 120, 0, 120, 60, 90, 100]
    assert [r.actual for r in rows] == [100, 180, 90, 0, 120, 60, 100, 100]
    assert [r.cum_planned for r in rows] == [120, 300, 420, 420, 540, 600, 690, 790]
    assert [r.cum_actual for r in rows] == [100, 280, 370, 370, 490, 550, 650, 750]
    assert [r.has_data for r in rows] == [True, True, True, False, True, True, True, True]
    assert [r.status for r in rows] == ["red", "green", "red", "grey", "green", "green", "green", "green"]
    assert rows[0].start_utc == datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert rows[-1].end_utc == datetime(2026, 11, 20, 13, 0, tzinfo=UTC)
    assert not any(r.future for r in rows)

    # one line only, and the same rows from services as from the readings service
    line = board.hour_by_hour(services, "L1", EARLY)
    assert [r.actual for r in line] == [100, 110, 90, 0, 120, 60, 100, 100]
    assert line[-1].cum_planned == 730 and line[-1].cum_actual == 680

    # during the shift (11:30 local) the hours from 12:00 on have not started
    during = make_services(database_url, now=datetime(2026, 11, 20, 10, 30, tzinfo=UTC),
                           plant=tmp_path / "board_plant.yaml")
    assert [r.future for r in board.hour_by_hour(during.readings, "plant", EARLY)] == [False] * 6 + [True] * 2


def test_hour_by_hour_on_dst_nights(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # clocks go back at 03:00 CEST on 2026-10-25: the 02:00 hour happens twice (offsets tell the two apart)
    counts = """line,start,end,product,total,good,planned
L1,2026-10-24 22:00,2026-10-24 23:00,,5,5,6
L1,2026-10-25T02:00:00+02:00,2026-10-25T02:00:00+01:00,,10,10,6
L1,2026-10-25T02:00:00+01:00,2026-10-25T03:00:00+01:00,,20,20,6
"""
    services = _services(make_services, tmp_path, {"counts": counts}, now=datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
    rows = board.hour_by_hour(services.readings, "L1", parse_period("shift", "2026-10-24/N"))
    assert len(rows) == 9
    assert [r.label for r in rows] == ["22:00", "23:00", "00:00", "01:00", "02:00 CEST", "02:00 CET", "03:00",
                                       "04:00", "05:00"]
    assert [r.actual for r in rows] == [5, 0, 0, 0, 10, 20, 0, 0, 0]
    assert [r.cum_actual for r in rows][-1] == 35 and rows[-1].cum_planned == 18
    assert rows[0].start_utc == datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    assert rows[-1].end_utc == datetime(2026, 10, 25, 5, 0, tzinfo=UTC)
    # clocks go forward at 02:00 CET on 2026-03-29: that night has 7 hours and no 02:00
    spring = board.hour_by_hour(services.readings, "L1", parse_period("shift", "2026-03-28/N"))
    assert [r.label for r in spring] == ["22:00", "23:00", "00:00", "01:00", "03:00", "04:00", "05:00"]
    assert [r.actual for r in spring] == [0] * 7


def test_hour_by_hour_needs_a_shift(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = _services(make_services, tmp_path, {})
    with pytest.raises(ValueError, match="a shift period is needed"):
        board.hour_by_hour(services.readings, "plant", parse_period("day", "2026-11-20"))


# ---- losses and the summary ------------------------------------------------------------------------------


def test_top_losses_rank_and_clip_to_the_shift(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = _services(make_services, tmp_path, {"counts": COUNTS, "stops": STOPS}, database_url=database_url)
    report = losses.top_losses(services.readings, "plant", EARLY)
    assert [(x.reason, x.category, round(x.minutes, 6), x.count, x.equipment, round(x.equipment_minutes, 6),
             x.lines) for x in report.losses] == [
        ("Filler jam", "unplanned", 57, 3, "Filler", 47, ("L1", "L2")),
        ("Product change", "changeover", 25, 1, "", 25, ("L1",)),
        ("Label jam", "unplanned", 20, 1, "Labeller", 20, ("L2",)),  # 13:40–14:20 clipped at 14:00
    ]
    # Sensor fault 10 (started before the shift), Conveyor 15 (the break is planned time), Label jam 20
    assert round(report.unplanned_minutes, 6) == 57 + 20 + 15 + 10
    assert round(report.changeover_minutes, 6) == 25
    assert round(report.total_minutes, 6) == 127
    assert {k: round(v, 6) for k, v in report.by_line.items()} == {"L1": 97, "L2": 30}
    # the same minutes as the KPIs the board's tiles show
    readings = services.readings.readings(["unplanned_downtime"], "plant", EARLY)
    assert round(readings["unplanned_downtime"].value, 6) == round(report.unplanned_minutes, 6)

    everything = losses.top_losses(services, "plant", EARLY, n=10)
    assert [(x.reason, round(x.minutes, 6), x.count) for x in everything.losses[3:]] == [
        ("Conveyor", 15, 1), ("Sensor fault", 10, 0)]

    # the whole day: Label jam's 20 min in the late shift count too; Sensor fault's first 10 min belong to the
    # night shift of 2026-11-19, and it started there
    day = losses.top_losses(services.readings, "plant", parse_period("day", "2026-11-20"), n=10)
    assert [(x.reason, round(x.minutes, 6), x.count) for x in day.losses] == [
        ("Filler jam", 57, 3), ("Label jam", 40, 1), ("Product change", 25, 1), ("Conveyor", 15, 1),
        ("Sensor fault", 10, 0)]
    month = losses.top_losses(services.readings, "L2", parse_period("month", "2026-11"))
    assert [(x.reason, round(x.minutes, 6)) for x in month.losses] == [("Label jam", 40), ("Filler jam", 10)]
    assert round(month.changeover_minutes, 6) == 0

    none = losses.top_losses(services.readings, "plant", parse_period("shift", "2026-11-18/E"))
    assert (none.losses, none.total_minutes, none.by_line) == ([], 0, {})


def test_summary_sentences(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = _services(make_services, tmp_path, {"counts": COUNTS, "stops": STOPS}, database_url=database_url)
    # L1: 711 started, 680 good first time (95.6 %), 730 planned; 72 min unplanned, 47 at the filler
    assert losses.shift_summary(services.readings, "L1", EARLY) == (
        "Line 1 – Area A lost 72 min to unplanned stops, 47 of them at Filler (Filler jam), and 25 min to changeovers; "
        "first-pass yield 95.6 % against 97.0 %. Good output 680 of 730 units planned (93.2 %).")
    # the plant names the line that lost the most; yield and output are the plant's (750 of 781, 790 planned)
    assert losses.shift_summary(services, "plant", EARLY) == (
        "Example Plant lost 127 min to unplanned stops and changeovers, the most on Line 1: 72 min to unplanned "
        "stops, 47 of them at Filler (Filler jam), and 25 min to changeovers; first-pass yield 96.0 % against "
        "97.0 %. Good output 750 of 790 units planned (94.9 %).")
    assert losses.shift_summary(services.readings, "L2", EARLY) == (
        "Line 2 – Area A lost 30 min to unplanned stops, 20 of them at Labeller (Label jam); first-pass yield 100.0 % "
        "against 97.0 %. Good output 70 of 60 units planned (116.7 %).")
    assert losses.shift_summary(services.readings, "L2", parse_period("shift", "2026-11-18/E")) == (
        "No production recorded for Line 2 – Area A in the Early shift of Wed 18 Nov.")
    assert losses.shift_summary(services.readings, "plant", parse_period("month", "2026-10")) == (
        "No production recorded for Example Plant in October 2026.")


def test_summary_without_stops_names_no_loss(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    counts = "line,start,end,product,total,good,planned\nL2,2026-11-20 06:00,2026-11-20 14:00,,200,190,\n"
    services = _services(make_services, tmp_path, {"counts": counts})
    assert losses.shift_summary(services.readings, "a", EARLY) == (
        "Area A lost no time to unplanned stops or changeovers; first-pass yield 95.0 % against 97.0 %. "
        "Good output 190 units.")


# ---- trend and red streak --------------------------------------------------------------------------------


def test_trend_over_shifts_with_a_gap(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 2026-11-19 E 98 %, L 90 %, N no data, 2026-11-20 E 99 %
    counts = _shift_rows("L1", datetime(2026, 11, 19, 6), [(100, 98), (100, 90), None, (100, 99)])
    services = _services(make_services, tmp_path, {"counts": counts}, database_url=database_url)
    last4 = trends.trend(services.readings, "fpy", "L1", EARLY, n=4)
    assert [r.period for r in last4] == ["2026-11-19/E", "2026-11-19/L", "2026-11-19/N", "2026-11-20/E"]
    assert [r.value for r in last4] == [98, 90, None, 99]
    assert [r.status for r in last4] == ["green", "red", "grey", "green"]
    fortnight = trends.trend(services, "fpy", "L1", EARLY)
    assert len(fortnight) == 14
    assert fortnight[0].period == "2026-11-15/N" and fortnight[-1].period == "2026-11-20/E"
    assert [r.status for r in fortnight[:10]] == ["grey"] * 10
    assert [r.value for r in fortnight[10:]] == [98, 90, None, 99]


def test_red_streak_counts_consecutive_red_shifts(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # L1: 2026-11-19 E green, then L, N and 2026-11-20 E red; L2: one green shift, then 20 red ones up to 20/E
    l1 = _shift_rows("L1", datetime(2026, 11, 19, 6), [(100, 98), (100, 90), (100, 91), (100, 92)])
    l2_start = datetime(2026, 11, 20, 6) - timedelta(hours=8 * 20)
    l2 = _shift_rows("L2", l2_start, [(100, 99)] + [(100, 80)] * 20)
    services = _services(make_services, tmp_path, {"counts": l1 + l2.split("\n", 1)[1]})
    assert trends.red_streak(services.readings, "fpy", "L1", EARLY) == 3
    assert trends.red_streak(services.readings, "fpy", "L1", parse_period("shift", "2026-11-19/N")) == 2
    assert trends.red_streak(services.readings, "fpy", "L1", parse_period("shift", "2026-11-19/E")) == 0
    assert trends.red_streak(services.readings, "fpy", "L1", parse_period("shift", "2026-11-20/L")) == 0  # no data
    assert trends.red_streak(services, "fpy", "L2", EARLY) == 20  # longer than the first look back of 14


def test_a_red_streak_is_counted_up_to_a_month_of_shifts(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # L1 red for 100 shifts up to 20/E, and green before: the streak stops at the shifts counted, the board says so
    start = datetime(2026, 11, 20, 6) - timedelta(hours=8 * 100)
    services = _services(make_services, tmp_path, {"counts": _shift_rows("L1", start, [(100, 99)] + [(100, 80)] * 100)})
    assert trends.MAX_SHIFTS == 90
    assert trends.red_streak(services.readings, "fpy", "L1", EARLY) == 90
    fpy = next(k for c in board.board_view(services, "L1", EARLY)["columns"] for k in c["kpis"] if k["kpi"] == "fpy")
    assert (fpy["streak"], fpy["streak_longer"]) == (90, True)
    # eleven shifts earlier it was 89 shifts long, counted whole
    assert trends.red_streak(services.readings, "fpy", "L1", parse_period("shift", "2026-11-16/L")) == 89


# ---- month calendar --------------------------------------------------------------------------------------


def test_month_calendar_statuses_and_future_days(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # 2 November all three shifts 98 %, 3 November 90 %, 20 November (today) the early shift and most of the late
    counts = (_shift_rows("L1", datetime(2026, 11, 2, 6), [(100, 98)] * 3 + [(100, 90)] * 3)
              + "L1,2026-11-20 06:00,2026-11-20 14:00,,100,99,\nL1,2026-11-20 14:00,2026-11-20 20:00,,100,99,\n")
    services = _services(make_services, tmp_path, {"counts": counts}, database_url=database_url)
    cells = trends.month_calendar(services.readings, "fpy", "L1", parse_period("month", "2026-11"))
    assert [c.day for c in cells] == [date(2026, 11, d) for d in range(1, 31)]
    by_day = {c.day.day: c for c in cells}
    assert (by_day[2].status, by_day[2].value, by_day[2].text) == ("green", 98, "98.0 %")
    assert (by_day[3].status, by_day[3].value, by_day[3].text) == ("red", 90, "90.0 %")
    assert (by_day[20].status, by_day[20].value, by_day[20].future) == ("green", 99, False)
    assert (by_day[1].status, by_day[1].value, by_day[1].future) == ("grey", None, False)
    assert (by_day[4].status, by_day[4].value, by_day[4].text) == ("grey", None, "—")
    assert [(c.status, c.value, c.future) for c in cells[20:]] == [("grey", None, True)] * 10
    assert sum(c.future for c in cells) == 10
    future_month = trends.month_calendar(services.readings, "fpy", "L1", parse_period("month", "2026-12"))
    assert len(future_month) == 31 and all(c.future and c.value is None for c in future_month)


# ---- safety cross ----------------------------------------------------------------------------------------

SAFETY = """time,location,type,description
2025-11-01 08:00,L1,recordable,older than twelve months
2026-01-15 08:00,L1,recordable,cut
2026-10-01 08:00,L1,recordable,burn
2026-11-03 10:00,L1,near_miss,forklift
2026-11-03 15:00,L2,recordable,strain
2026-11-05 09:00,a,first_aid,plaster
2026-11-11 00:30,L1,near_miss,wet floor just after midnight
2026-11-12 10:00,L2,lost_time,fall
"""
LABOUR = """line,date,shift,planned_headcount,present_headcount,hours_worked
L1,2025-10-01,E,4000,4000,50000
L1,2026-06-01,E,4000,4000,90000
L2,2026-11-02,E,4000,4000,90000
"""


def test_safety_cross_worst_of_day_and_days_since(make_services, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = _services(make_services, tmp_path, {"safety": SAFETY, "labour": LABOUR}, database_url=database_url)
    now = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    november = parse_period("month", "2026-11")
    cross = safety.safety_cross(services, services.config, "plant", november, now)
    worst = {d.day.day: d.worst for d in cross.days}
    assert len(cross.days) == 30
    assert worst[3] == "recordable"  # a near miss and a recordable that day
    assert cross.days[2].events == {"near_miss": 1, "recordable": 1}
    assert (worst[5], worst[10], worst[11], worst[12], worst[1]) == (
        "first_aid", "none", "near_miss", "lost_time", "none")  # 00:30 local on the 11th is the 11th
    assert [d.day.day for d in cross.days if d.worst != "none"] == [3, 5, 11, 12]
    assert [d.future for d in cross.days] == [False] * 20 + [True] * 10
    # the lost-time case on 12 November 10:00 CET counts as recordable: 8 whole days before now (November runs)
    numbers = cross.numbers
    assert numbers.as_of == now
    assert numbers.last_recordable == datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
    assert numbers.days_since.value == 8
    # 4 recordables in the 12 months to 2026-11-30 over 180,000 h (the older case and hours are outside)
    assert (numbers.trir_first, numbers.trir_last) == (date(2025, 12, 1), date(2026, 11, 30))
    trir = numbers.trir_12m
    assert (trir.numerator, trir.denominator) == (4, 180_000)
    assert round(trir.value, 2) == 4.44
    assert (trir.target, trir.status) == (2, Status.RED)

    line = safety.safety_cross(services.sessions, services.config, "L1", november, now)
    assert [(d.day.day, d.worst) for d in line.days if d.worst != "none"] == [(3, "near_miss"), (11, "near_miss")]
    assert line.numbers.last_recordable == datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
    assert line.numbers.days_since.value == 50
    trir = line.numbers.trir_12m
    assert (trir.numerator, trir.denominator, round(trir.value, 2)) == (2, 90_000, 4.44)
    area = safety.safety_cross(services, services.config, "a", november, now)
    assert [(d.day.day, d.worst) for d in area.days if d.worst != "none"] == [
        (3, "recordable"), (5, "first_aid"), (11, "near_miss"), (12, "lost_time")]


def test_safety_cross_without_a_trir_kpi(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = _services(make_services, tmp_path, {"safety": SAFETY, "labour": LABOUR},
                         plant_text=PLANT.replace(TRIR_LINE, ""))
    assert not any(k.formula == "trir" for k in services.config.kpis.values())
    now = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    cross = safety.safety_cross(services.sessions, services.config, "plant", parse_period("month", "2026-11"), now)
    trir = cross.numbers.trir_12m
    assert (trir.numerator, trir.denominator, round(trir.value, 2)) == (4, 180_000, 4.44)
    assert (trir.target, trir.status) == (None, Status.GREY)
    october = safety.safety_cross(services.sessions, services.config, "L2", parse_period("month", "2026-10"), now)
    assert all(d.worst == "none" and not d.future for d in october.days) and len(october.days) == 31
    # October is read as at its end, when Line 2 had no records yet: no data, not November's 8 days
    assert october.numbers.days_since.value is None
    assert october.numbers.as_of == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
