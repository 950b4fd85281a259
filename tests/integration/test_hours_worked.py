"""Hours worked at any level: payroll's hours for the site, an area or a line per day, ISO week or month are TRIR's
hours at that scope, prorated by calendar days when coarser than the period read; a scope without them keeps the
labour hours per line and shift.

Hand-made records of the small plant (site ``ex``, Area A of lines L1 and L2; times local, Europe/Berlin):
- payroll: the site worked 410,000 h in November 2026, Area A 9,000 h in week 47 (16–22 November);
- recordables on Wednesday 18 November 10:00 on Line 1 and on Friday 20 November 10:00 at site level (the early
  shift, 06:00–14:00 of three eight-hour shifts);
- labour per line and shift: Line 1 worked 1,000 h on 5 October, 2,000 h on 18 November, 1,200 h on 10 December.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.periods import Period, parse_period
from huddle.dashboard.services import board, safety
from huddle.dashboard.services.drilldown import own_working
from huddle.data.ingest.contract import RECORD_TYPES, natural_key_text
from huddle.data.models_feeds import HoursWorked
from huddle.pages import board as board_page
from sqlalchemy import select

from tests.conftest import SMALL_PLANT, Inbox

PLANT = SMALL_PLANT + """\
  - {key: safety, kind: files, record: safety_events, path: "${data_dir}/inbox/safety", settle_seconds: 0}
  - {key: labour, kind: files, record: labour, path: "${data_dir}/inbox/labour", settle_seconds: 0}
  - {key: hours, kind: files, record: hours_worked, path: "${data_dir}/inbox/hours", settle_seconds: 0,
     description: payroll}
"""
SAFETY = """time,location,type,description
2026-11-18 10:00,L1,recordable,cut
2026-11-20 10:00,ex,recordable,fall in the yard
"""
LABOUR = """line,date,shift,planned_headcount,present_headcount,hours_worked
L1,2026-10-05,E,100,100,1000
L1,2026-11-18,E,100,100,2000
L1,2026-12-10,E,100,100,1200
"""
HOURS = """site,period,hours
ex,2026-11,410000
a,2026-W47,9000
"""
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
WEEK_47 = parse_period("week", "2026-W47")


def _services(make_services: Any, database_url: str, tmp_path: Path, now: datetime = NOW, **files: str) -> Any:
    plant = tmp_path / "hours_plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=now, plant=plant)
    Inbox(tmp_path / "inbox").load(services, **({"safety": SAFETY, "labour": LABOUR, "hours": HOURS} | files))
    return services


def test_site_trir_of_a_week_prorates_the_months_payroll_hours(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    week = services.readings.reading("trir", "plant", WEEK_47)
    # 2 recordables × 200,000 / (410,000 h × 7 of November's 30 days = 95,666.67 h) = 4.18
    assert week.numerator == 2
    assert week.denominator == pytest.approx(410_000 * 7 / 30)
    assert week.value == pytest.approx(4.1812, abs=1e-4)
    assert week.parts["hours_worked"] == "hours worked: site payroll, November 2026 prorated 7 of 30 days"
    assert week.parts["hours_worked"] in week.flags  # prorated: the tile says so beside its number
    assert week.complete is True and week.gaps == ()

    month = services.readings.reading("trir", "plant", parse_period("month", "2026-11"))
    assert (month.numerator, month.denominator) == (2, 410_000)
    assert month.value == pytest.approx(0.9756, abs=1e-4)
    assert month.parts["hours_worked"] == "hours worked: site payroll, November 2026" and month.flags == ()


def test_area_reads_its_own_hours_and_a_line_without_any_keeps_its_labour_hours(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    area = services.readings.reading("trir", "a", WEEK_47)
    # the area's own week, not the site's month: Line 1's recordable × 200,000 / 9,000 h
    assert (area.numerator, area.denominator) == (1, 9_000)
    assert area.value == pytest.approx(22.222, abs=1e-3)
    assert area.parts["hours_worked"] == "hours worked: Area A payroll, week 2026-W47"

    line = services.readings.reading("trir", "L1", WEEK_47)
    # nothing recorded for Line 1: its labour hours per line and shift, as before (1 × 200,000 / 2,000 h)
    assert (line.numerator, line.denominator, line.value) == (1, 2_000, 100)
    assert line.parts["hours_worked"] == "hours worked: labour hours per line and shift"
    assert line.flags == ()


def test_a_shift_counts_its_share_of_the_day(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    early = services.readings.reading("trir", "plant", parse_period("shift", "2026-11-20/E"))
    # 410,000 h / 30 days × 8 of the day's 24 shift hours = 4,555.56 h; the site's recordable × 200,000 / that
    assert early.numerator == 1
    assert early.denominator == pytest.approx(410_000 / 30 / 3)
    assert early.value == pytest.approx(43.902, abs=1e-3)
    assert early.parts["hours_worked"] == ("hours worked: site payroll, November 2026 prorated 1 of 30 days, "
                                           "the Early shift's 8 of the day's 24 shift hours")


def test_mixed_coverage_falls_back_day_by_day_and_says_which_days_have_no_hours(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path, now=datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
    quarter = services.readings.reading("trir", "plant", parse_period("quarter", "2026-Q4"))
    # November from payroll; October and December from labour where labour records run (5 October to
    # 10 December), nothing for 1–4 October and 11–31 December: 2 × 200,000 / (410,000 + 1,000 + 1,200 h)
    assert (quarter.numerator, quarter.denominator) == (2, 412_200)
    assert quarter.value == pytest.approx(0.97040, abs=1e-5)
    assert quarter.parts["hours_worked"] == (
        "hours worked: site payroll, November 2026; labour hours per line and shift for Mon 5 Oct–Sat 31 Oct, "
        "Tue 1 Dec–Thu 10 Dec; none for Thu 1 Oct–Sun 4 Oct, Fri 11 Dec–Thu 31 Dec")
    assert quarter.complete is False and str(quarter.status) == "incomplete"
    assert "no hours worked for Thu 1 Oct–Sun 4 Oct, Fri 11 Dec–Thu 31 Dec" in quarter.gaps

    # December has no payroll yet: its labour hours, and the days after labour's last record are missing
    december = services.readings.reading("trir", "plant", parse_period("month", "2026-12"))
    assert (december.numerator, december.denominator, december.value) == (0, 1_200, 0)
    assert december.gaps == ("no hours worked for Fri 11 Dec–Thu 31 Dec",) and december.complete is False

    # November alone is fully covered by payroll: complete
    assert services.readings.reading("trir", "plant", parse_period("month", "2026-11")).complete is True


def test_a_running_period_names_only_the_days_whose_hours_are_due(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)  # Friday 4 December: the quarter runs
    quarter = services.readings.reading("trir", "plant", parse_period("quarter", "2026-Q4"))
    # 1–4 October have no hours; 11–31 December are not due yet, and a running period is not incomplete
    assert quarter.parts["hours_worked"].endswith("; none for Thu 1 Oct–Sun 4 Oct")
    assert quarter.complete is None and quarter.gaps == ()


def test_the_safety_numbers_show_the_hours_they_divide_by(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path, now=datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    numbers = safety.safety_numbers(services, "plant", Period("day", date(2026, 11, 30), date(2026, 11, 30)))
    assert numbers.trir_month.parts["hours_worked"] == "hours worked: site payroll, November 2026"
    assert numbers.trir_month.value == pytest.approx(0.9756, abs=1e-4)
    # the rolling year: November's payroll, Line 1's labour from 5 October, nothing before (a running period)
    assert numbers.trir_12m.denominator == pytest.approx(410_000 + 1_000)
    assert numbers.trir_12m.parts["hours_worked"].startswith("hours worked: site payroll, November 2026; labour "
                                                             "hours per line and shift for Mon 5 Oct–Sat 31 Oct;")


def test_a_file_of_days_weeks_and_months_loads_each_with_its_grain(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    mixed = ("location,period,hours\n"
             "ex,2026-10,400000\n"         # a month
             "a,2026-W45,8800\n"           # an ISO week (2–8 November)
             "L1,2026-11-20,1500.5\n"      # a day
             "plant,11.2026,410000\n")     # the site under its other name, a month written month.year
    services = _services(make_services, database_url, tmp_path, hours=mixed)
    with services.sessions() as session:
        rows = {(r.location, r.grain, r.period_start, r.period_end, r.hours, r.line, r.area)
                for r in session.execute(select(HoursWorked)).scalars()}
    assert rows == {
        ("ex", "month", date(2026, 10, 1), date(2026, 11, 1), 400_000, "", ""),
        ("a", "week", date(2026, 11, 2), date(2026, 11, 9), 8_800, "", "a"),
        ("L1", "day", date(2026, 11, 20), date(2026, 11, 21), 1_500.5, "L1", "a"),
        ("ex", "month", date(2026, 11, 1), date(2026, 12, 1), 410_000, "", ""),
    }
    # a grain column lets a first day name its week or month; a corrected value replaces the stored one
    Inbox(tmp_path / "inbox").drop("hours", "location,period,grain,hours\nex,2026-11-01,month,420000\n"
                                   "a,2026-11-16,week,9100\n", name="hours_fix.csv")
    services.loader.run_all()
    with services.sessions() as session:
        stored = {(r.location, r.period_start): r.hours for r in session.execute(select(HoursWorked)).scalars()}
    assert stored[("ex", date(2026, 11, 1))] == 420_000 and stored[("a", date(2026, 11, 16))] == 9_100
    assert len(stored) == 5
    assert natural_key_text(RECORD_TYPES["hours_worked"], {"location": "ex", "period": "2026-11"}) == (
        "location=ex|period=2026-11")


def test_bad_periods_are_refused_with_words(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    Inbox(tmp_path / "inbox").drop("hours", "\n".join([
        "location,period,grain,hours",
        "ex,2026-13,,1000",            # row 2
        "ex,2026-W54,,1000",           # row 3
        "ex,2026-11-18,week,1000",     # row 4: a Wednesday
        "ex,2026-11-15,month,1000",    # row 5
        "ex,2026-11,day,1000",         # row 6
        "ex,November,,1000",           # row 7
        "L9,2026-11,,1000",            # row 8
        "ex,2026-12,,-5",              # row 9
        "ex,2026-12,,1000",            # row 10: good
        "ex,2026-12-01,month,1000",    # row 11: the same month again
    ]) + "\n", name="bad_hours.csv")
    outcome = next(o for o in services.loader.run_all() if o.source == "hours")
    problems = {row: (column, value, reason) for f in outcome.files for row, column, value, reason in f.problems}
    assert problems[2] == ("period", "2026-13", "there is no month 13")
    assert problems[3] == ("period", "2026-W54", "2026 has no ISO week 54")
    assert problems[4] == ("period", "2026-11-18", "2026-11-18 is a Wednesday: with grain week give the week's "
                                                   "Monday (2026-11-16) or write 2026-W47")
    assert problems[5] == ("period", "2026-11-15", "2026-11-15 is not the first day of a month: with grain month "
                                                   "give 2026-11-01 or write 2026-11")
    assert problems[6] == ("period", "2026-11", "2026-11 is a month, but the grain says day")
    assert problems[7] == ("period", "November", "not a day, week or month (use 2026-11-20, 2026-W47 or 2026-11)")
    assert problems[8][0:2] == ("location", "L9") and problems[8][2].startswith("unknown line or area")
    assert problems[9] == ("hours", "-5", "must not be negative")
    assert problems[11][2] == "duplicate of line 10 (same location, period)"
    assert 10 not in problems
    assert outcome.rows_loaded == 1


def test_the_board_and_the_panel_say_where_the_hours_came_from(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    services = _services(make_services, database_url, tmp_path)
    reading = services.readings.reading("trir", "plant", WEEK_47)
    assert own_working(services.config.kpis["trir"], reading) == (
        "2.00 / 95,667 × 200,000 = 4.18 (hours worked: site payroll, November 2026 prorated 7 of 30 days)")

    view = board.board_view(services, "plant", parse_period("shift", "2026-11-30/E"))
    column = next(c for c in view["columns"] if c["category"] == "S")
    assert column["safety"]["trir_month"]["parts"]["hours_worked"] == "hours worked: site payroll, November 2026"
    facts = [f for f in _walk(board_page.letter(column)) if "cross-fact" in (getattr(f, "className", "") or "").split()]
    assert facts[1].title == "hours worked: site payroll, November 2026"  # TRIR of the month, its hours on hover


def _walk(component: Any) -> list[Any]:
    """A rendered component and every component inside it."""
    if isinstance(component, list | tuple):
        return [c for child in component for c in _walk(child)]
    if component is None or isinstance(component, str | int | float):
        return []
    return [component, *_walk(getattr(component, "children", None))]


def test_a_refused_row_keeps_the_key_its_correction_will_have(  # type: ignore[no-untyped-def]
        make_services, database_url: str, tmp_path: Path) -> None:
    from huddle.data.ingest.contract import RowValidator
    from huddle.data.ingest.screen import key_text

    services = _services(make_services, database_url, tmp_path)
    validator = RowValidator(RECORD_TYPES["hours_worked"], services.config)
    refused = {"location": "ex", "period": "11.2026", "grain": "", "hours": "-1"}
    clean, problems = validator.validate(refused)
    assert clean is None and [p.column for p in problems] == ["hours"]
    good, _ = validator.validate({"location": "ex", "period": "2026-11", "grain": "", "hours": "410000"})
    assert good is not None
    assert key_text(validator, refused) == natural_key_text(RECORD_TYPES["hours_worked"], good) == (
        "location=ex|period=2026-11")
