"""The plant calendar: a holiday is planned, not missing and not judged; nothing before go-live is coloured; days
since the last recordable count from the last recordable before go-live; acknowledged check warnings are no longer
warnings.

The small plant (Europe/Berlin, early, late and night shifts every day) went live on Monday 9 November 2026; its
plant file plans Thanksgiving on Thursday 26 November and names 14 September as the last recordable before go-live.
The clock reads Friday 27 November 20:00 UTC. Line 1 and Line 2 made 98 good of 100 (first-pass yield 98 %, target
97 %) on every shift of 25 November and on the early shift of 27 November, nothing on the 26th; Line 1 made 90 of
100 (red) on the early shift of 5 November, before go-live.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.services import board, safety, trends
from huddle.dashboard.services.planned import set_last_recordable
from huddle.pages.board import render_board

from tests.conftest import SMALL_PLANT, Inbox

DAYS_SINCE = ("  - {key: days_since_recordable, name: Days since last recordable, category: S, target: 30, "
              "frequency: day, owner: A, data_source: EHS}\n")
FPY = "  - {key: fpy, name: First-pass yield, category: Q, target: 97, owner: A, data_source: MES}\n"
PLANT = (SMALL_PLANT
         .replace("timezone: Europe/Berlin}",
                  "timezone: Europe/Berlin, go_live: 2026-11-09, last_recordable: 2026-09-14}")
         .replace("calendar:\n", "calendar:\n  planned:\n    - {date: 2026-11-26, name: Thanksgiving}\n")
         .replace("kpis:\n", "kpis:\n" + FPY + DAYS_SINCE)
         + '  - {key: safety, kind: files, record: safety_events, path: "${data_dir}/inbox/safety", '
           "settle_seconds: 0}\n")
assert "go_live" in PLANT and "Thanksgiving" in PLANT and FPY in PLANT
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
HOLIDAY = parse_period("shift", "2026-11-26/E")
AFTER = parse_period("shift", "2026-11-27/E")


def _rows(line: str, first_start: datetime, results: list[tuple[int, int]]) -> list[str]:
    """One full-shift count row per 8 h shift from a local start."""
    return [f"{line},{first_start + timedelta(hours=8 * k):%Y-%m-%d %H:%M},"
            f"{first_start + timedelta(hours=8 * k + 8):%Y-%m-%d %H:%M},,{total},{good},"
            for k, (total, good) in enumerate(results)]


def _services(make_services: Any, database_url: str | None, tmp_path: Path, fpy_25: list[tuple[int, int]],
              safety_text: str = "", fpy_27: tuple[int, int] = (100, 98)) -> Any:
    rows = ["line,start,end,product,total,good,planned"]
    for line in ("L1", "L2"):
        rows += _rows(line, datetime(2026, 11, 25, 6), fpy_25)
        rows += _rows(line, datetime(2026, 11, 27, 6), [fpy_27])
    rows += _rows("L1", datetime(2026, 11, 5, 6), [(100, 90)])
    plant = tmp_path / "calendar_plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=NOW, plant=plant)
    files = {"counts": "\n".join(rows) + "\n"} | ({"safety": safety_text} if safety_text else {})
    outcomes = Inbox(tmp_path / "inbox").load(services, **files)
    assert all(o.status in ("ok", "idle") for o in outcomes), [o.message for o in outcomes]
    return services


def _texts(component: Any) -> list[str]:
    if component is None:
        return []
    if isinstance(component, str | int | float):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [t for c in component for t in _texts(c)]
    return _texts(getattr(component, "children", None))


def _column(view: dict[str, Any], category: str) -> dict[str, Any]:
    return next(c for c in view["columns"] if c["category"] == category)


def test_a_holiday_shift_without_data_reads_planned_on_the_board_and_the_safety_cross(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path, [(100, 98)] * 3)
    reading = services.readings.reading("fpy", "plant", HOLIDAY)
    assert reading.status == Status.PLANNED and reading.value is None
    assert reading.flags[0] == "planned: Thanksgiving"
    assert reading.complete is None and reading.gaps == ()  # not missing, not incomplete
    view = board.board_view(services, "plant", HOLIDAY)
    quality = _column(view, "Q")
    tile = next(k for k in quality["kpis"] if k["kpi"] == "fpy")
    assert tile["status"] == "planned" and tile["flags"][0] == "planned: Thanksgiving"
    assert quality["status"] == "planned"
    by_day = {c["day"]: c for c in quality["calendar"]}
    assert (by_day[26]["status"], by_day[26]["words"]) == ("planned", "planned: Thanksgiving")
    assert by_day[25]["status"] == "red"  # a worked day is judged: Quality's 98 % misses its 99.9 % target
    fpy_days = trends.month_calendar(services, "fpy", "plant", parse_period("month", "2026-11"))
    assert [c.status for c in fpy_days[24:26]] == ["green", "planned"]
    cross = {c["day"]: c for c in _column(view, "S")["cross"]}
    assert (cross[26]["worst"], cross[26]["words"]) == ("planned", "planned: Thanksgiving")
    assert cross[25]["worst"] == "none"  # a worked day without events: green
    texts = " ".join(_texts(render_board(view)))
    assert "planned: Thanksgiving" in texts and "◌ planned" in texts
    # the same shift of a day the plant ran is judged as ever
    assert services.readings.reading("fpy", "plant", AFTER).status == Status.GREEN


def test_a_trend_and_a_red_streak_leave_the_holiday_out(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path, [(100, 98), (100, 90), (100, 91)],
                         fpy_27=(100, 80))
    last4 = trends.trend(services, "fpy", "L1", AFTER, n=4)
    assert [r.period for r in last4] == ["2026-11-25/E", "2026-11-25/L", "2026-11-25/N", "2026-11-27/E"]
    assert [r.status for r in last4] == ["green", "red", "red", "red"]
    assert "2026-11-26/E" not in [r.period for r in trends.trend(services, "fpy", "L1", AFTER)]
    # the red shift after the holiday continues the red shifts before it
    assert trends.red_streak(services, "fpy", "L1", AFTER) == 3


def test_nothing_before_go_live_is_coloured(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path, [(100, 98)] * 3,
                         safety_text="time,location,type,description\n2026-11-04 10:00,L1,near_miss,trip\n")
    before = services.readings.reading("fpy", "L1", parse_period("shift", "2026-11-05/E"))
    assert before.value == 90 and before.status == Status.BEFORE_GO_LIVE  # 90 % would be red after go-live
    assert before.flags[0] == "before go-live (Mon 9 Nov 2026)" and before.gap is None
    view = board.board_view(services, "L1", AFTER)
    calendar = {c["day"]: c for c in _column(view, "Q")["calendar"]}
    cross = {c["day"]: c for c in _column(view, "S")["cross"]}
    for day in range(1, 9):
        assert calendar[day]["status"] == "before-go-live", day
        assert cross[day]["worst"] == "before-go-live", day  # the near miss of the 4th too
    assert calendar[9]["status"] == "grey" and cross[9]["worst"] == "none"


def test_days_since_the_last_recordable_count_from_the_date_before_go_live(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path, [(100, 98)] * 3)
    # 14 September 00:00 CEST (13 September 22:00 UTC) to the early shift's end (27 November 13:00 UTC): 74 days
    days = services.readings.reading("days_since_recordable", "L2", AFTER)
    assert days.value == 74 and days.status == Status.GREEN
    facts = safety.safety_facts(safety.safety_numbers(services, "plant", AFTER), services.config)
    assert facts["days_since"]["value"] == 74 and facts["days_since"]["last_recordable"] == "Mon 14 Sep"
    # the admin page's date for Line 1 wins over the plant file's for that line, and the plant counts from it
    set_last_recordable(services, "admin", "L1", date(2026, 10, 1))
    assert services.readings.reading("days_since_recordable", "L1", AFTER).value == 57
    assert services.readings.reading("days_since_recordable", "plant", AFTER).value == 57
    assert services.readings.reading("days_since_recordable", "L2", AFTER).value == 74
    # a recordable loaded after go-live counts from itself
    Inbox(tmp_path / "inbox").load(services, safety="time,location,type,description\n"
                                                    "2026-11-20 10:00,L1,recordable,cut\n")
    assert services.readings.reading("days_since_recordable", "L1", AFTER).value == 7


def test_an_acknowledged_check_warning_is_not_printed_as_a_warning(tmp_path: Path, capsys: Any) -> None:
    from huddle.dashboard.cli_check import cmd_check
    from huddle.dashboard.settings import Settings

    without_night = SMALL_PLANT.replace('    - key: N\n      name: Night\n      start: "22:00"\n      end: "06:00"\n',
                                        "")
    assert "key: N" not in without_night
    plant = tmp_path / "plant.yaml"
    plant.write_text(without_night, encoding="utf-8")
    cmd_check(Settings(data_dir=tmp_path, plant_config=plant, now="2026-11-20T08:00"))
    out = capsys.readouterr().out
    assert "warning: calendar: no shift covers 22:00–06:00" in out
    plant.write_text(without_night + 'acknowledge: ["no shift covers 22:00–06:00"]\n', encoding="utf-8")
    cmd_check(Settings(data_dir=tmp_path, plant_config=plant, now="2026-11-20T08:00"))
    out = capsys.readouterr().out
    assert "warning: calendar: no shift covers" not in out
    assert "acknowledged: calendar: no shift covers 22:00–06:00" in out
    assert "1 acknowledged" in out.splitlines()[-1]


def test_planned_days_imported_from_a_csv_file(tmp_path: Path, plant_file: Path, capsys: Any) -> None:
    from huddle.dashboard.cli import main

    base = ["--data-dir", str(tmp_path), "--plant-config", str(plant_file)]
    good = tmp_path / "holidays.csv"
    good.write_text("from,to,name,scope,kind\n2026-11-26,,Thanksgiving,,\n"
                    "2026-12-24,2027-01-01,Winter shutdown,a,shutdown\n", encoding="utf-8")
    assert main([*base, "calendar", "import", str(good)]) == 0
    assert "imported 2 planned entries (10 days)" in capsys.readouterr().out
    bad = tmp_path / "typo.csv"
    bad.write_text("date,name,scope\n2026-13-01,Typo,\n2026-12-31,New Year's Eve,hall9\n", encoding="utf-8")
    assert main([*base, "calendar", "import", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "line 2: expected a date" in out and "nothing imported" in out
    assert main([*base, "calendar", "list"]) == 0
    out = capsys.readouterr().out
    assert "Thu 26 Nov 2026: Thanksgiving (holiday, Example Plant)" in out
    assert "Thu 24 Dec 2026 – Fri 01 Jan 2027: Winter shutdown (shutdown, Area A)" in out


def test_the_review_shows_months_before_go_live_uncoloured(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    from huddle.dashboard.services.review import build_review
    from huddle.pages.review import bowler

    services = _services(make_services, database_url, tmp_path, [(100, 98)] * 3)
    review = build_review(services, "plant", parse_period("month", "2026-11"))
    row = next(r for r in review.rows if r.kpi.key == "fpy")
    by_month = {c.reading.period: c for c in row.cells}
    assert by_month["2026-10"].reading.status == Status.BEFORE_GO_LIVE and not by_month["2026-10"].red
    assert by_month["2026-11"].reading.status in (Status.GREEN, Status.RED)  # a month with live days is judged
    assert "before go-live (Mon 9 Nov 2026)" in " ".join(_texts(bowler(review)))


def test_expected_progress_of_the_quarter_leaves_the_holiday_out(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path, [(100, 98)] * 3)
    # 1 October to 27 November is 58 days of the quarter's 92; Thanksgiving counts in neither
    assert services.okrs.quarter("2026-Q4").expected == 57 / 91
