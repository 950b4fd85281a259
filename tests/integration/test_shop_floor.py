"""Shop-floor entries on each backend: who may write for which line, what is refused and why, and that an entry
lands in the loaders' tables with its author and origin and in the line's shift facts in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.shop_floor import EntryError
from huddle.data.models import QualityEvent, SafetyEvent, ShiftFact, StopEvent
from huddle.data.models_entry import HourComment
from sqlalchemy import select

from tests.conftest import SMALL_PLANT

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 21:00 in Berlin: the late shift (14:00–22:00) runs
SHIFT_START = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)
PLANT = SMALL_PLANT.replace("kpis:\n", """  - key: b
    name: Area B
    lines: [{key: L3, name: Line 3, ideal_cycle_s: 1.0}]
stop_reasons:
  - {reason: Filler jam, category: unplanned, group: Filler}
  - {reason: Capper fault, category: unplanned, group: Filler}
  - {reason: Conveyor blockage, category: unplanned}
  - {reason: Format change, category: changeover}
defect_types: [Underfill, Cap defect]
kpis:
""", 1)
OLGA = Identity("user", "olga", "operator", "Olga Novak", "L1")
TOM = Identity("user", "tom", "editor", "Tom Becker", "a")


@pytest.fixture
def services(make_services, database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    plant = tmp_path / "plant_entry.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=NOW, plant=plant)
    services.accounts.add_user("cli", "olga", "operator-password-1", "operator", "Olga Novak", "L1")
    return services


def _stops(services):  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return [(s.line, s.start_utc, s.end_utc, s.reason, s.category, s.equipment, s.entered_by, s.origin,
                 s.ongoing) for s in session.execute(select(StopEvent).order_by(StopEvent.start_utc)).scalars()]


def _facts(services, line: str):  # type: ignore[no-untyped-def]
    with services.sessions() as session:
        return session.execute(select(ShiftFact).where(ShiftFact.line == line, ShiftFact.shift == "L")).scalars().all()


def test_an_operator_codes_a_stop_and_the_shift_facts_have_it(services) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    start, end = shop.stop_times(10, 8)
    said = shop.record_stop(OLGA, "L1", "Filler jam", start, end)
    assert said == "Stop stored: Filler jam, 20:50–20:58 on Line 1"
    assert _stops(services) == [("L1", NOW - timedelta(minutes=10), NOW - timedelta(minutes=2), "Filler jam",
                                 "unplanned", "Filler", "olga", "entered on /entry by Olga Novak", None)]
    [fact] = _facts(services, "L1")
    assert fact.unplanned_stop_s == 8 * 60
    [entry] = [e for e in services.accounts.audit_trail() if e.action == "entry.stop"]
    assert (entry.actor, entry.target) == ("olga", "L1")


def test_a_stop_still_running_is_ended_later(services) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    start, end = shop.stop_times(5, still=True)
    assert end is None
    assert shop.record_stop(OLGA, "L1", "Capper fault", start, None) == (
        "Line 1 stopped since 20:55: Capper fault. Tap 'runs again' when it does.")
    sheet = shop.sheet(OLGA, "L1")
    [running] = sheet.open_stops
    assert running.words == "Capper fault since 20:55"
    with pytest.raises(EntryError, match="Line 1 is still stopped since 20:55 \\(Capper fault\\): end that stop"):
        shop.record_stop(OLGA, "L1", "Filler jam", *shop.stop_times(2))
    later = NOW + timedelta(minutes=7)
    services.shop_floor.clock = lambda: later
    assert shop.end_stop(OLGA, "L1", running.id) == "Line 1 runs again: Capper fault lasted 12 min"
    assert _stops(services)[0][2:3] == (later,) and _stops(services)[0][-1] is None
    assert _facts(services, "L1")[0].unplanned_stop_s == 12 * 60
    with pytest.raises(EntryError, match="no longer running"):
        shop.end_stop(OLGA, "L1", running.id)


@pytest.mark.parametrize(("ago", "lasted", "why", "part"), [
    (480, 5, "before this shift began at 14:00", "start"),
    (10, 20, "which has not come yet: tap 'still stopped' instead", "end"),
    (10, 0, "a stop lasts at least one minute", "end"),
    (-5, 2, "started how many minutes ago cannot be negative", "start"),
    ("ten", 2, "started how many minutes ago is a whole number", "start"),
])
def test_stop_times_outside_the_shift_or_in_the_future_are_refused(services, ago, lasted, why, part) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    with pytest.raises(EntryError, match=why) as refused:
        shop.record_stop(OLGA, "L1", "Filler jam", *shop.stop_times(ago, lasted))
    assert refused.value.part == part
    assert _stops(services) == []


def test_a_stop_cannot_overlap_another_of_its_line(services) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    shop.record_stop(OLGA, "L1", "Filler jam", *shop.stop_times(30, 10))
    with pytest.raises(EntryError, match="Line 1 was already stopped from 20:30 to 20:40 \\(Filler jam\\)"):
        shop.record_stop(OLGA, "L1", "Format change", *shop.stop_times(35, 10))
    shop.record_stop(OLGA, "L1", "Format change", *shop.stop_times(20, 5))  # right after: no overlap
    shop.record_stop(TOM, "L2", "Filler jam", *shop.stop_times(30, 10))  # another line: no overlap
    assert [s[0] for s in _stops(services)] == ["L1", "L2", "L1"]


def test_unknown_reasons_defects_and_kinds_are_refused(services) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    with pytest.raises(EntryError, match="'Coffee' is not one of the plant's stop reasons"):
        shop.record_stop(OLGA, "L1", "Coffee", *shop.stop_times(5, 2))
    with pytest.raises(EntryError, match="'Dent' is not one of the plant's defect types"):
        shop.record_defects(OLGA, "L1", "Dent", 2)
    with pytest.raises(EntryError, match="pick what happened"):
        shop.report_safety(OLGA, "L1", "recordable")


@pytest.mark.parametrize(("count", "why"), [(-3, "the count cannot be negative"), (0, "nothing to log"),
                                            (2.5, "the count is a whole number"), ("", "the count is a whole")])
def test_counts_are_whole_and_positive(services, count, why) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EntryError, match=why) as refused:
        services.shop_floor.record_defects(OLGA, "L1", "Underfill", count)
    assert refused.value.part == "count"


def test_defects_and_safety_reports_are_stored_with_their_author(services) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    assert shop.record_defects(OLGA, "L1", "Underfill", 7) == "Logged 7 × Underfill, scrapped, on Line 1"
    assert shop.record_defects(OLGA, "L1", "Underfill", 2) == "Logged 2 × Underfill, scrapped, on Line 1"
    assert shop.report_safety(OLGA, "L1", "unsafe_condition", "Oil on the floor by the capper") == (
        "Reported: Unsafe condition on Line 1. Thank you.")
    with services.sessions() as session:
        [defects] = session.execute(select(QualityEvent)).scalars().all()
        assert (defects.quantity, defects.entered_by, defects.origin) == (9, "olga", "entered on /entry by Olga Novak")
        [report] = session.execute(select(SafetyEvent)).scalars().all()
        assert (report.kind, report.location, report.area, report.description) == (
            "near_miss", "L1", "a", "Unsafe condition: Oil on the floor by the capper")
    [fact] = _facts(services, "L1")
    assert fact.scrap_qty == 9
    sheet = shop.sheet(OLGA, "L1")
    assert sorted(sheet.entered) == ["21:00: 9 × Underfill, scrapped (Olga Novak)",
                                     "21:00: Unsafe condition: Oil on the floor by the capper (Olga Novak)"]


def test_an_hour_is_commented_once_and_replaced(services) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    hour = SHIFT_START + timedelta(hours=5)
    assert shop.comment_hour(OLGA, "L1", hour, "Waiting for material") == (
        "The 19:00 hour of Line 1 now says: Waiting for material")
    shop.comment_hour(OLGA, "L1", hour, "Short of people")
    with pytest.raises(EntryError, match="pick an hour of this shift that has begun"):
        shop.comment_hour(OLGA, "L1", NOW + timedelta(hours=1), "Later")
    with pytest.raises(EntryError, match="pick a phrase or type"):
        shop.comment_hour(OLGA, "L1", hour, "  ")
    with services.sessions() as session:
        assert [(c.text, c.entered_by) for c in session.execute(select(HourComment)).scalars()] == [
            ("Short of people", "olga")]
    slots = shop.sheet(OLGA, "L1").hours
    assert [s.label for s in slots] == ["14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00", "21:00"]
    assert slots[5].comment == "Short of people"


def test_an_operator_writes_for_their_own_line_only(services) -> None:  # type: ignore[no-untyped-def]
    shop = services.shop_floor
    assert shop.lines_for(OLGA) == ["L1"]
    assert shop.lines_for(TOM) == ["L1", "L2"]
    assert shop.lines_for(Identity("user", "anna", "editor")) == ["L1", "L2", "L3"]
    assert shop.lines_for(Identity("user", "vic", "viewer")) == []
    with pytest.raises(ForbiddenError, match="Olga Novak enters data for Line 1 – Area A, not for Line 2"):
        shop.record_stop(OLGA, "L2", "Filler jam", *shop.stop_times(5, 2))
    with pytest.raises(ForbiddenError, match="Tom Becker enters data for Area A, not for Line 3"):
        shop.record_defects(TOM, "L3", "Underfill", 1)
    with pytest.raises(ForbiddenError, match="needs an operator, an editor or an admin"):
        shop.report_safety(Identity("user", "vic", "viewer"), "L1", "near_miss")
    with pytest.raises(ForbiddenError, match="needs an operator"):
        shop.report_safety(Identity("display", "Hall TV", "display"), "L1", "near_miss")
    with pytest.raises(EntryError, match="there is no line 'L9' here"):
        shop.record_defects(OLGA, "L9", "Underfill", 1)
    assert _stops(services) == []
    assert "Olga Novak enters data for" in shop.sheet(OLGA, "L2").why_not



def test_the_board_shows_an_hours_comment_and_the_stop(services) -> None:  # type: ignore[no-untyped-def]
    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.services.board import board_view

    shop = services.shop_floor
    shop.comment_hour(OLGA, "L1", SHIFT_START + timedelta(hours=6), "Waiting for material")
    shop.record_stop(OLGA, "L1", "Filler jam", *shop.stop_times(12, 7))
    shift = Period("shift", NOW.date(), NOW.date(), "L")
    line = board_view(services, "L1", shift)
    assert [(h["label"], h["comment"]) for h in line["hours"] if h["comment"]] == [("20:00", "Waiting for material")]
    assert [(x["reason"], x["minutes"]) for x in line["losses"]] == [("Filler jam", 7)]
    area = board_view(services, "a", shift)
    assert [h["comment"] for h in area["hours"] if h["comment"]] == ["Line 1: Waiting for material"]
