"""Shift handover: the outgoing leader's note for a line leads the next shift's board until the incoming leader
acknowledges it; editors only, never twice, corrected only before it was read, every step in the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.handover import HandoverError

OUTGOING = Identity("user", "olga", "editor", "Olga Outgoing")
INCOMING = Identity("user", "ivan", "editor", "Ivan Incoming")
VIEWER = Identity("user", "vera", "viewer")
DISPLAY = Identity("display", "hall-tv", "display")
LATE_ENDING = datetime(2026, 11, 20, 20, 50, tzinfo=UTC)  # 21:50 in Berlin: the late shift's last minutes
NIGHT_STARTED = datetime(2026, 11, 20, 21, 5, tzinfo=UTC)  # 22:05: the night shift has taken over


@pytest.fixture
def built(make_services, database_url: str):  # type: ignore[no-untyped-def]
    """Two clocks on one database: the outgoing leader's at 21:50 and the incoming one's at 22:05."""
    late = make_services(database_url, now=LATE_ENDING)
    for login, name in (("olga", "Olga Outgoing"), ("ivan", "Ivan Incoming")):
        late.accounts.add_user("admin", login, "a long enough pass phrase", "editor", display_name=name)
    return late, make_services(database_url, now=NIGHT_STARTED)


def test_a_handover_leads_the_next_shift_until_acknowledged(built) -> None:  # type: ignore[no-untyped-def]
    late, night = built
    written = late.handovers.write(
        OUTGOING, "L1", note="Good shift, 2 pallets short", open_problems="Label printer jams on roll change",
        machines=[{"machine": "Filler", "state": "limited", "note": "runs at 80 %"},
                  {"machine": "", "state": "", "note": ""}, {"machine": "Capper", "state": "running"}],
        safety="Oil on the floor at the palletiser, cleaned")
    assert (written.production_date, written.shift, written.shift_words) == (date(2026, 11, 20), "L",
                                                                             "Late shift, Fri 20 Nov")
    assert [(m.machine, m.state_words) for m in written.machines] == [("Filler", "running with limits"),
                                                                      ("Capper", "running")]
    assert (written.written_by_name, written.written_words, written.acknowledged) == ("Olga Outgoing", "21:50", False)
    assert [h.id for h in night.handovers.leading("L1")] == [written.id]
    assert [h.id for h in night.handovers.leading("a")] == [written.id]  # the area's board leads with it too
    assert night.handovers.leading("L2") == []
    read = night.handovers.acknowledge(INCOMING, written.id)
    assert (read.acknowledged_by_name, read.acknowledged_words, read.acknowledged) == ("Ivan Incoming", "22:05", True)
    assert night.handovers.leading("L1") == []
    assert [h.acknowledged_by for h in night.handovers.listing("L1")] == ["ivan"]
    trail = [(e.actor, e.action, e.target) for e in night.accounts.audit_trail()]
    assert ("olga", "handover.write", f"handover {written.id}") in trail
    assert ("ivan", "handover.acknowledge", f"handover {written.id}") in trail


def test_corrected_before_it_is_read_and_kept_after(built) -> None:  # type: ignore[no-untyped-def]
    late, night = built
    first = late.handovers.write(OUTGOING, "L2", note="Capper slow")
    again = late.handovers.write(OUTGOING, "L2", note="Capper slow, maintenance called")
    assert (again.id, again.version, again.note) == (first.id, 2, "Capper slow, maintenance called")
    night.handovers.acknowledge(INCOMING, first.id)
    with pytest.raises(HandoverError, match="Late shift, Fri 20 Nov was acknowledged by Ivan Incoming at 22:05"):
        late.handovers.write(OUTGOING, "L2", note="rewritten after it was read")
    with pytest.raises(HandoverError, match="already acknowledged by Ivan Incoming at 22:05"):
        night.handovers.acknowledge(Identity("user", "erin", "editor"), first.id)
    assert night.handovers.listing("L2")[0].note == "Capper slow, maintenance called"


@pytest.mark.parametrize("who", [VIEWER, DISPLAY, Identity("anonymous", "anonymous", "anonymous")])
def test_below_editor_nothing_is_written_or_acknowledged(built, who: Identity) -> None:  # type: ignore[no-untyped-def]
    late, night = built
    with pytest.raises(ForbiddenError, match="writing a handover needs the editor role"):
        late.handovers.write(who, "L1", note="x")
    written = late.handovers.write(OUTGOING, "L1", note="real note")
    with pytest.raises(ForbiddenError, match="acknowledging a handover needs the editor role"):
        night.handovers.acknowledge(who, written.id)
    assert [h.id for h in night.handovers.leading("L1")] == [written.id]


def test_bad_handovers_are_refused_naming_what(built) -> None:  # type: ignore[no-untyped-def]
    late, night = built
    refusals = [
        ({"line": "a", "note": "x"}, "a handover is written for a line; a is not one"),
        ({"line": "L1"}, "say something to hand over"),
        ({"line": "L1", "note": "x" * 2001}, "handover note: at most 2000 characters"),
        ({"line": "L1", "machines": [{"machine": "Filler", "state": "broken"}]},
         "Filler: say whether it is running, running with limits, down"),
        ({"line": "L1", "machines": "Filler down"}, "machines: expected a list"),
        ({"line": "L1", "note": "x", "production_date": date(2026, 11, 21), "shift": "E"},
         "Early shift, Sat 21 Nov has not started yet"),
        ({"line": "L1", "note": "x", "production_date": date(2026, 11, 20), "shift": "Z"}, "has no shift Z"),
    ]
    for asked, why in refusals:
        line = asked.pop("line")
        with pytest.raises(HandoverError, match=why):
            late.handovers.write(OUTGOING, line, **asked)
    assert night.handovers.listing("a") == []
    written = late.handovers.write(OUTGOING, "L1", note="x")
    with pytest.raises(HandoverError, match="the incoming leader acknowledges a handover, not the one who wrote it"):
        night.handovers.acknowledge(OUTGOING, written.id)
    with pytest.raises(HandoverError, match="no handover 999"):
        night.handovers.acknowledge(INCOMING, 999)


def test_written_at_the_change_it_hands_over_the_shift_that_ended(make_services, database_url: str) -> None:
    at_the_change = make_services(database_url, now=datetime(2026, 11, 20, 21, 10, tzinfo=UTC))  # 22:10, night began
    written = at_the_change.handovers.write(OUTGOING, "L1", note="late shift's note, written at the change")
    assert written.shift_words == "Late shift, Fri 20 Nov"
    later = make_services(database_url, now=datetime(2026, 11, 20, 22, 0, tzinfo=UTC))  # 23:00, into the night
    assert later.handovers.write(OUTGOING, "L2", note="night").shift_words == "Night shift, Fri 20 Nov"


def test_an_editor_of_another_line_is_refused(built) -> None:  # type: ignore[no-untyped-def]
    late, night = built
    elsewhere = Identity("user", "lena", "editor", "Lena", scope="L2")
    with pytest.raises(ForbiddenError, match="writing a handover: Lena works for another part of the plant than "
                                             "Line 1 – Area A"):
        late.handovers.write(elsewhere, "L1", note="not mine")
    written = late.handovers.write(Identity("user", "area", "editor", "Area Lead", scope="a"), "L1", note="mine")
    with pytest.raises(ForbiddenError, match="acknowledging a handover: Lena works for another part"):
        night.handovers.acknowledge(elsewhere, written.id)
    assert [h.id for h in night.handovers.leading("L1")] == [written.id]
