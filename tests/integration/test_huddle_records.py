"""Huddle records: closing a huddle stores its tier, scope, shift, attendance, the KPIs red at the time, the actions
due and the escalations raised during it; editors only, once per tier, scope and shift; listed by day and scope;
counted per line for the monthly review, a planned holiday neither held nor missed."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.exports.review_xlsx import review_workbook
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.huddles import HuddleError
from huddle.dashboard.services.review import as_dict, build_review
from openpyxl import load_workbook

from tests.conftest import SMALL_PLANT, write_past

LEADER = Identity("user", "tina", "editor", "Tina Leader")
VIEWER = Identity("user", "vera", "viewer")
START = datetime(2026, 11, 20, 5, 5, tzinfo=UTC)  # 06:05 in Berlin: the early shift's huddle
END = START + timedelta(minutes=12)
#: the night shift into Friday: OEE far below its 85 % target, so the Friday early huddle sees it red
COUNTS = ("line,start,end,product,total,good,planned\n"
          "L1,2026-11-19 22:00,2026-11-20 06:00,cola,10000,9000,12000\n")


@pytest.fixture
def plant(tmp_path: Path) -> Path:
    """The small plant with a holiday on Wednesday 18 November."""
    path = tmp_path / "holiday-plant.yaml"
    path.write_text(SMALL_PLANT.replace("calendar:\n", "calendar:\n  planned:\n"
                                        "    - {date: 2026-11-18, name: Plant holiday}\n"), encoding="utf-8")
    return path


@pytest.fixture
def at_start(make_services, database_url: str, plant: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The services as the huddle starts, with Thursday's late shift loaded."""
    services = make_services(database_url, now=START, plant=plant)
    write_past(tmp_path / "inbox" / "counts" / "counts.csv", COUNTS)
    services.loader.run_source("counts")
    services.accounts.add_user("admin", "tina", "a long enough pass phrase", "editor", display_name="Tina Leader")
    return services


def test_closing_a_huddle_records_what_it_saw(at_start, make_services, database_url: str,  # type: ignore[no-untyped-def]
                                             plant: Path) -> None:
    late = at_start.actions.raise_action(LEADER, "L1", "Fix the filler star wheel", "Tom", date(2026, 11, 19),
                                         raised_for=date(2026, 11, 18))
    at_start.actions.raise_action(LEADER, "L1", "Order spare belts", "Ann", date(2026, 11, 30))
    at_end = make_services(database_url, now=END, plant=plant)
    raised = at_end.escalations.raise_escalation(LEADER, "L1", "Filler motor needs replacing", kpi="oee")
    record = at_end.huddles.close(LEADER, "L1", started_at=START, attendees=["Tina Leader", " Tom ", "Tom", ""],
                                  notes="<b>motor</b> ordered")
    assert (record.tier, record.tier_title, record.scope_name, record.shift_words) == (
        1, "Tier 1", "Line 1 – Area A", "Early shift, Fri 20 Nov")
    assert (record.started_at, record.ended_at, record.minutes) == (START, END, 12.0)
    assert record.attendees == ("Tina Leader", "Tom")
    assert "oee" in [k["kpi"] for k in record.red_kpis]
    assert [a["id"] for a in record.actions] == [late.id]  # overdue; the one due on the 30th is not due yet
    assert [e["id"] for e in record.escalations] == [raised.id]
    assert (record.notes, record.recorded_by) == ("<b>motor</b> ordered", "Tina Leader")
    assert [r.id for r in at_end.huddles.listing(date(2026, 11, 20), scope="a")] == [record.id]
    assert at_end.huddles.listing(date(2026, 11, 20), scope="L2") == []
    assert ("tina", "huddle.record") in [(e.actor, e.action) for e in at_end.accounts.audit_trail()]
    with pytest.raises(HuddleError, match="Tier 1 of Line 1 – Area A in Early shift, Fri 20 Nov was recorded "
                                          "already by Tina Leader at 06:17"):
        at_end.huddles.close(LEADER, "L1", started_at=START, attendees=["Tom"])


def test_refusals_store_nothing(at_start) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ForbiddenError, match="recording a huddle needs the editor role"):
        at_start.huddles.close(VIEWER, "L1", started_at=START, attendees=["Tom"])
    refusals = [
        ({"attendees": []}, "take the attendance"),
        ({"attendees": "Tom", "started_at": START + timedelta(minutes=5)}, "began at most 3 hours ago"),
        ({"attendees": "Tom", "started_at": START - timedelta(hours=4)}, "began at most 3 hours ago"),
        ({"attendees": [1, 2]}, "attendees: expected a list of names"),
        ({"attendees": "Tom", "notes": "x" * 4001}, "notes: at most 4000 characters"),
    ]
    for asked, why in refusals:
        with pytest.raises(HuddleError, match=why):
            at_start.huddles.close(LEADER, "L1", **{"started_at": START, **asked})
    with pytest.raises(HuddleError, match="unknown scope"):
        at_start.huddles.close(LEADER, "L7", started_at=START, attendees="Tom")
    assert at_start.huddles.listing(date(2026, 11, 1), date(2026, 11, 30)) == []


def test_the_month_counts_held_and_missed_per_line(at_start) -> None:  # type: ignore[no-untyped-def]
    at_start.huddles.close(LEADER, "L1", started_at=START - timedelta(minutes=3), attendees="Tina Leader, Tom")
    area = at_start.huddles.close(LEADER, "a", started_at=START - timedelta(minutes=3), attendees="Tina Leader")
    assert area.tier == 2  # the area's meeting is not a line's huddle
    counts = {c.line: c for c in at_start.huddles.counts(date(2026, 11, 16), date(2026, 11, 20))}
    # Mon 16 to Fri 20 November, 3 shifts a day, the holiday on Wednesday planned, Friday's night and late shifts
    # not begun yet at 06:05: 3 + 3 + 3 + 1 = 10 production shifts per line
    assert [(c.line_name, c.shifts, c.held, c.missed) for c in counts.values()] == [
        ("Line 1 – Area A", 10, 1, 9), ("Line 2 – Area A", 10, 0, 10)]
    # a line's review counts its own line alone, as the plant's counts it
    assert at_start.huddles.counts(date(2026, 11, 16), date(2026, 11, 20), ["L1"]) == [counts["L1"]]


def test_the_people_of_a_scope_are_listed_by_name(at_start) -> None:  # type: ignore[no-untyped-def]
    at_start.accounts.add_user("admin", "ann", "a long enough pass phrase", "viewer", display_name="Ann Operator")
    at_start.accounts.add_user("admin", "old", "a long enough pass phrase", "viewer", display_name="Gone")
    at_start.accounts.set_disabled("admin", "old", True)
    at_start.accounts.add_user("admin", "otto", "a long enough pass phrase", "operator", display_name="Otto Two",
                               scope="L2")
    at_start.accounts.add_user("admin", "alex", "a long enough pass phrase", "editor", display_name="Alex Area",
                               scope="a")
    assert at_start.huddles.people_of("L1") == ["Alex Area", "Ann Operator", "Tina Leader"]
    assert at_start.huddles.people_of("L2") == ["Alex Area", "Ann Operator", "Otto Two", "Tina Leader"]
    assert at_start.huddles.people_of("plant") == ["Ann Operator", "Tina Leader"]


def test_the_monthly_review_and_its_workbook_count_the_lines_huddles(at_start) -> None:  # type: ignore[no-untyped-def]
    at_start.huddles.close(LEADER, "L2", started_at=START - timedelta(minutes=3), attendees="Tina Leader")
    review = build_review(at_start, "L2", parse_period("month", "2026-11"))
    # 1..20 November: 19 days of 3 shifts and Friday's early one begun, less the holiday's 3; one held
    assert [c.__dict__ for c in review.huddles] == [
        {"line": "L2", "line_name": "Line 2 – Area A", "shifts": 55, "held": 1, "missed": 54}]
    assert as_dict(review)["huddles"][0]["missed"] == 54
    sheet = load_workbook(io.BytesIO(review_workbook(review)))["Huddles"]
    assert list(sheet.iter_rows(values_only=True)) == [("Line", "Production shifts", "Held", "Missed"),
                                                       ("Line 2 – Area A", 55, 1, 54)]


def test_a_leader_of_another_line_cannot_record_its_huddle(at_start) -> None:  # type: ignore[no-untyped-def]
    elsewhere = Identity("user", "lena", "editor", "Lena", scope="L2")
    with pytest.raises(ForbiddenError, match="recording a huddle: Lena works for another part of the plant"):
        at_start.huddles.close(elsewhere, "L1", started_at=START, attendees="Lena")
    assert at_start.huddles.close(elsewhere, "L2", started_at=START, attendees="Lena").scope == "L2"
