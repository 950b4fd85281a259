"""Escalations on SQLite and PostgreSQL: a line's huddle asks its area for help with the board's context; the area
accepts it with an owner and a date, answers it or passes it up to the plant; the answer waits on the line's board
until the line acknowledges it. Never closed without an answer, overdue past its tier's limit, every step audited,
refused for the wrong role, the wrong scope, a forged id and a stale version."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.escalations import EscalationConflictError, EscalationError

from tests.conftest import SMALL_NOW


def person(name: str, role: str = "editor", scope: str | None = None) -> Identity:
    return Identity("user", name, role, name.capitalize(), scope)


LEADER = person("tom", scope="L1")  # team leader of Line 1
SUPERVISOR = person("anna", scope="a")  # supervisor of area a
MANAGER = person("pia")  # the plant manager: the whole site
OTHER_LEADER = person("lea", scope="L2")
VIEWER = person("vera", role="viewer")


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(make_services, database_url: str) -> Any:  # type: ignore[no-untyped-def]
    services = make_services(database_url)
    clock = Clock(SMALL_NOW)
    services.escalations.clock = clock
    services.accounts.clock = clock
    return services, clock


def raise_one(esc, **extra: Any):  # type: ignore[no-untyped-def]
    return esc.raise_escalation(LEADER, "L1", "Filler motor keeps tripping, need a spare motor", kpi="oee",
                                reading="OEE 61 % (target 85 %)", production_date=date(2026, 11, 20), shift="L",
                                source="tile", **extra)


def test_a_line_asks_its_area_and_hears_the_answer(world) -> None:  # type: ignore[no-untyped-def]
    services, clock = world
    esc = services.escalations
    raised = raise_one(esc)
    assert (raised.origin_scope, raised.scope, raised.tier, raised.state, raised.version) == ("L1", "a", 2,
                                                                                             "raised", 1)
    assert raised.context_words() == "Line 1 – Area A · Late shift, Fri 20 Nov · OEE 61 % (target 85 %)"
    assert (raised.raised_by, raised.kpi_name, raised.tier_title, raised.scope_name) == ("Tom", "OEE", "Tier 2",
                                                                                          "Area A")
    assert [v.id for v in esc.received("a")] == [raised.id] and esc.received("L1") == []
    assert [v.id for v in esc.raised_from("L1")] == [raised.id] and esc.answers_waiting("L1") == []

    clock.now += timedelta(hours=12)
    accepted = esc.accept(SUPERVISOR, raised.id, 1, "Max Maintenance", date(2026, 11, 24))
    assert (accepted.state, accepted.owner, accepted.due, accepted.accepted_by) == ("accepted", "Max Maintenance",
                                                                                   date(2026, 11, 24), "Anna")
    answered = esc.answer(SUPERVISOR, raised.id, 2, "spare motor ordered, fitted Tue")
    assert answered.answer_line == "Tier 2: spare motor ordered, fitted Tue" and answered.answered_late is False
    assert [v.answer_line for v in esc.answers_waiting("L1")] == ["Tier 2: spare motor ordered, fitted Tue"]
    assert esc.raised_from("L1") == [] and [v.state for v in esc.received("a")] == ["answered"]

    heard = esc.acknowledge(LEADER, raised.id, 3)
    assert (heard.state, heard.acknowledged_by, heard.version) == ("acknowledged", "Tom", 4)
    assert esc.answers_waiting("L1") == [] and esc.received("a") == []
    trail = [(e.actor, e.action, e.target) for e in services.accounts.audit_trail()]
    for actor, action in (("tom", "escalation.raise"), ("anna", "escalation.accept"), ("anna", "escalation.answer"),
                          ("tom", "escalation.acknowledge")):
        assert (actor, action, f"escalation {raised.id}") in trail


def test_passed_up_it_keeps_its_chain_and_its_answer_comes_back_to_the_line(world) -> None:  # type: ignore
    services, clock = world
    esc = services.escalations
    raised = raise_one(esc)
    esc.accept(SUPERVISOR, raised.id, 1, "Anna", date(2026, 11, 21))
    clock.now += timedelta(hours=1)
    passed = esc.pass_up(SUPERVISOR, raised.id, 2, "needs capital spend")
    assert (passed.scope, passed.tier, passed.state, passed.owner, passed.due) == ("ex", 3, "raised", "", None)
    assert passed.passed == (("Area A", "Tier 2", "Anna"),) and passed.arrived_at == clock.now
    assert esc.received("a") == [] and [v.id for v in esc.received("plant")] == [raised.id]
    with pytest.raises(ForbiddenError, match="answering an escalation at Example Plant needs someone whose scope "
                                             "covers it; Anna's does not"):
        esc.answer(SUPERVISOR, raised.id, 3, "not ours to say")
    with pytest.raises(EscalationError, match="Example Plant is the top tier"):
        esc.pass_up(MANAGER, raised.id, 3)
    esc.answer(MANAGER, raised.id, 3, "new motor approved")
    assert [v.answer_line for v in esc.answers_waiting("L1")] == ["Tier 3: new motor approved"]


def test_it_is_never_closed_without_an_answer(world) -> None:  # type: ignore[no-untyped-def]
    esc = world[0].escalations
    raised = raise_one(esc)
    with pytest.raises(EscalationError, match="closed only once it has an answer"):
        esc.acknowledge(LEADER, raised.id, 1)
    assert esc.get(raised.id).state == "raised" and esc.get(raised.id).version == 1
    esc.answer(SUPERVISOR, raised.id, 1, "done")
    esc.acknowledge(LEADER, raised.id, 2)
    with pytest.raises(EscalationError, match="already acknowledged"):
        esc.acknowledge(LEADER, raised.id, 3)
    with pytest.raises(EscalationError, match="already answered"):
        esc.answer(SUPERVISOR, raised.id, 3, "again")
    with pytest.raises(EscalationError, match="answer: say it in a few words"):
        esc.answer(SUPERVISOR, raise_one(esc).id, 1, "   ")


def test_an_answer_by_a_user_of_the_wrong_tier_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    services, _clock = world
    esc = services.escalations
    raised = raise_one(esc)
    for who in (LEADER, OTHER_LEADER):  # tier 1 people cannot answer for tier 2
        with pytest.raises(ForbiddenError, match="answering an escalation at Area A needs someone whose scope"):
            esc.answer(who, raised.id, 1, "fixed it ourselves")
        with pytest.raises(ForbiddenError, match="accepting an escalation at Area A"):
            esc.accept(who, raised.id, 1, "Tom", date(2026, 11, 25))
        with pytest.raises(ForbiddenError, match="passing an escalation up at Area A"):
            esc.pass_up(who, raised.id, 1)
    with pytest.raises(ForbiddenError, match="escalating a problem at Line 1 – Area A needs someone whose scope"):
        esc.raise_escalation(OTHER_LEADER, "L1", "Not my line")
    esc.answer(SUPERVISOR, raised.id, 1, "spare motor ordered")
    with pytest.raises(ForbiddenError, match="acknowledging an answer at Line 1 – Area A"):
        esc.acknowledge(OTHER_LEADER, raised.id, 2)
    view = esc.get(raised.id)
    assert (view.state, view.answer, view.answered_by, view.version) == ("answered", "spare motor ordered", "Anna", 2)
    assert [e.action for e in services.accounts.audit_trail()].count("escalation.answer") == 1


@pytest.mark.parametrize("who", [VIEWER, person("olga", "operator", "L1"), Identity("display", "hall-tv", "display"),
                                 Identity("anonymous", "anonymous", "anonymous")])
def test_below_editor_nothing_is_written(world, who: Identity) -> None:  # type: ignore[no-untyped-def]
    esc = world[0].escalations
    with pytest.raises(ForbiddenError, match="escalating a problem needs the editor role"):
        esc.raise_escalation(who, "L1", "help")
    raised = raise_one(esc)
    with pytest.raises(ForbiddenError, match="answering an escalation needs the editor role"):
        esc.answer(who, raised.id, 1, "x")
    assert esc.get(raised.id).state == "raised"


def test_forged_ids_and_stale_versions_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    esc = world[0].escalations
    with pytest.raises(EscalationError, match="no escalation 999"):
        esc.answer(MANAGER, 999, 1, "x")
    with pytest.raises(EscalationError, match="no escalation 999"):
        esc.get(999)
    raised = raise_one(esc)
    esc.accept(SUPERVISOR, raised.id, 1, "Max", date(2026, 11, 22))
    with pytest.raises(EscalationConflictError, match="Anna changed this escalation at 21:00") as refused:
        esc.answer(MANAGER, raised.id, 1, "from an old page")
    assert (refused.value.current.state, refused.value.current.version) == ("accepted", 2)
    assert esc.get(raised.id).answer == ""


@pytest.mark.parametrize(("scope", "extra", "refusal"), [
    ("ex", {}, "Example Plant is the top tier: there is no tier above it to escalate to"),
    ("L9", {}, "unknown scope 'L9'"),
    ("L1", {"kpi": "nonsense"}, "unknown KPI 'nonsense'"),
    ("L1", {"shift": "Z"}, "unknown shift 'Z'"),
    ("L1", {"source": "rumour"}, "comes from a tile, an action, a note or a stop"),
])
def test_a_wrong_escalation_is_refused(world, scope: str, extra: dict[str, str],  # type: ignore[no-untyped-def]
                                       refusal: str) -> None:
    esc = world[0].escalations
    with pytest.raises(EscalationError, match=refusal):
        esc.raise_escalation(MANAGER, scope, "help", **extra)
    with pytest.raises(EscalationError, match="what is needed: say it in a few words"):
        esc.raise_escalation(MANAGER, "L1", "  ")
    with pytest.raises(EscalationError, match="at most 300 characters"):
        esc.raise_escalation(MANAGER, "L1", "x" * 301)
    assert esc.listing() == []


def test_unanswered_past_its_tier_s_limit_it_is_overdue(world) -> None:  # type: ignore[no-untyped-def]
    services, clock = world
    esc = services.escalations
    raised = raise_one(esc)
    late = esc.raise_escalation(SUPERVISOR, "a", "Two lines short of operators tomorrow")  # to tier 3
    clock.now += timedelta(hours=23, minutes=59)
    assert esc.overdue() == []
    clock.now += timedelta(minutes=2)
    overdue = esc.overdue()
    assert [v.id for v in overdue] == [raised.id, late.id]
    assert overdue[0].overdue_words(24) == "overdue: no answer after 24 h, the limit is 24 h"
    assert esc.received("a")[0].overdue and esc.received("a")[0].age_words() == "24 h"
    esc.answer(SUPERVISOR, raised.id, 1, "late, but here")
    assert [v.id for v in esc.overdue()] == [late.id]
    assert esc.answers_waiting("L1")[0].answered_late is True
    # a plant whose tier 3 allows 48 hours: the area's escalation to it is not overdue yet
    services.config.tiers = (*services.config.tiers[:2], replace(services.config.tiers[2], answer_hours=48))
    assert esc.overdue() == [] and esc.overdue(clock.now + timedelta(hours=25))[0].id == late.id


def test_the_listing_for_programs_names_people_and_places(world) -> None:  # type: ignore[no-untyped-def]
    esc = world[0].escalations
    raised = raise_one(esc, source_ref="")
    data = esc.listing("L1")[0].as_dict()
    assert data["id"] == raised.id and data["raised_by"] == "Tom" and data["origin_name"] == "Line 1 – Area A"
    assert data["production_date"] == "2026-11-20" and data["state_words"] == "waiting for an owner"
    assert data["context"].startswith("Line 1 – Area A") and data["answer_line"] == ""
    assert [v.id for v in esc.listing("a")] == [raised.id] and esc.listing("L2") == []


def test_the_demo_plant_starts_with_an_answer_to_hear_one_overdue_and_one_passed_to_the_plant(world) -> None:  # type: ignore[no-untyped-def]
    from huddle.dashboard.demo import demo_escalations

    services, _clock = world
    assert demo_escalations(services) == 3 and demo_escalations(services) == 0  # once
    esc = services.escalations
    assert [v.answer_line for v in esc.answers_waiting("L2")] == [
        "Tier 2: Spare star wheel ordered; fitted Tuesday on the early shift"]
    [overdue] = esc.overdue()
    assert overdue.sentence.startswith("Cartons from the new supplier") and overdue.scope == "a"
    [staffing] = esc.received("plant")
    assert staffing.sentence == "Area A is two operators short on the late shift all next week"
