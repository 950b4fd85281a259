"""Escalations in the huddles of both tiers: the line's huddle record holds the escalation it raised, the area's
holds the one it received and answered while it ran; a huddle left for the board (to escalate from it) is taken up
again with its start, so what was raised meanwhile is its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from huddle.callbacks.huddle_mode import start
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.web.address import BoardAddress

LEADER = Identity("user", "tom", "editor", "Tom Leader", "L1")
SUPERVISOR = Identity("user", "anna", "editor", "Anna Supervisor", "a")
LINE_HUDDLE = datetime(2026, 11, 20, 5, 5, tzinfo=UTC)  # 06:05 in Berlin
AREA_HUDDLE = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 08:30


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _services(make_services: Any, database_url: str) -> tuple[Any, Clock]:
    services = make_services(database_url, now=LINE_HUDDLE)
    clock = Clock(LINE_HUDDLE)
    for service in (services.escalations, services.huddles, services.accounts):
        service.clock = clock
    services.clock = clock
    return services, clock


def test_both_tiers_huddle_records_hold_the_escalation(make_services, database_url: str) -> None:  # type: ignore[no-untyped-def]
    services, clock = _services(make_services, database_url)
    clock.now = LINE_HUDDLE + timedelta(minutes=6)
    raised = services.escalations.raise_escalation(LEADER, "L1", "The filler motor keeps tripping: need a spare")
    clock.now = LINE_HUDDLE + timedelta(minutes=12)
    line = services.huddles.close(LEADER, "L1", started_at=LINE_HUDDLE, attendees=["Tom Leader"])
    assert line.escalations == ({"id": raised.id, "sentence": raised.sentence, "state": "raised"},)

    clock.now = AREA_HUDDLE + timedelta(minutes=5)
    accepted = services.escalations.accept(SUPERVISOR, raised.id, 1, "Max", date(2026, 11, 24))
    services.escalations.answer(SUPERVISOR, raised.id, accepted.version, "spare motor ordered, fitted Tue")
    clock.now = AREA_HUDDLE + timedelta(minutes=18)
    area = services.huddles.close(SUPERVISOR, "a", started_at=AREA_HUDDLE, attendees=["Anna Supervisor"])
    assert area.escalations == ({"id": raised.id, "sentence": raised.sentence, "state": "answered",
                                 "from": "Line 1 – Area A", "answer": "spare motor ordered, fitted Tue"},)
    # the plant's meeting received nothing
    clock.now = AREA_HUDDLE + timedelta(hours=2)
    plant = services.huddles.close(Identity("user", "pia", "editor", "Pia"), "plant",
                                   started_at=clock.now - timedelta(minutes=10), attendees=["Pia"])
    assert plant.escalations == ()


def test_a_huddle_left_for_the_board_is_taken_up_again_with_its_start(make_services, database_url: str) -> None:  # type: ignore[no-untyped-def]
    services, clock = _services(make_services, database_url)
    view = BoardAddress.from_query({"scope": "L1"}).as_view()
    first = start(services, 1, view)[4]
    assert first["started"] == LINE_HUDDLE.isoformat()
    clock.now = LINE_HUDDLE + timedelta(minutes=7)
    assert start(services, 2, view, first)[4]["started"] == LINE_HUDDLE.isoformat()  # taken up again
    assert start(services, 2, view, {**first, "closed": True})[4]["started"] == clock.now.isoformat()
    other = BoardAddress.from_query({"scope": "L2"}).as_view()
    assert start(services, 2, other, first)[4]["started"] == clock.now.isoformat()  # another line's huddle
    clock.now = LINE_HUDDLE + timedelta(hours=4)
    assert start(services, 3, view, first)[4]["started"] == clock.now.isoformat()  # too long ago to be this one
    assert start(services, 3, view, {**first, "started": "yesterday"})[4]["started"] == clock.now.isoformat()
