"""Actions: raised, changed and closed by editors only, listed per scope with overdue first, never overwritten
by a stale form, every change in the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from huddle.dashboard.services.accounts import ForbiddenError, Identity
from huddle.dashboard.services.actions import ActionConflictError, ActionError

EDITOR = Identity("user", "eddie", "editor")
OTHER_EDITOR = Identity("user", "erin", "editor")
VIEWER = Identity("user", "vera", "viewer")
DISPLAY = Identity("display", "hall-tv", "display")


@pytest.fixture
def actions(make_services, database_url: str):  # type: ignore[no-untyped-def]
    """Actions on the small plant; today is 2026-11-20 in the plant."""
    return make_services(database_url).actions


def test_an_editor_raises_and_closes_an_action(actions) -> None:  # type: ignore[no-untyped-def]
    raised = actions.raise_action(EDITOR, "L1", "Replace filler star wheel", "Tom Becker", date(2026, 11, 22),
                                  kpi="oee", raised_for=date(2026, 11, 20), raised_shift="E")
    assert (raised.status, raised.version, raised.overdue, raised.created_by) == ("open", 1, False, "eddie")
    assert actions.has_open_action("oee", "L1") and not actions.has_open_action("oee", "L2")
    with pytest.raises(ActionError, match="say what was done"):
        actions.change(EDITOR, raised.id, 1, status="done")
    closed = actions.change(EDITOR, raised.id, 1, status="done", result="Star wheel replaced, jams gone")
    assert (closed.status, closed.version) == ("done", 2)
    assert not actions.has_open_action("oee", "L1")
    assert [a.id for a in actions.listing("L1", open_only=False)] == [raised.id]
    trail = [(e.actor, e.action) for e in actions.accounts.audit_trail()]
    assert ("eddie", "action.add") in trail and ("eddie", "action.change") in trail


@pytest.mark.parametrize("who", [VIEWER, DISPLAY, Identity("anonymous", "anonymous", "anonymous")])
def test_below_editor_nothing_is_written(actions, who: Identity) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ForbiddenError, match="raising an action needs the editor role"):
        actions.raise_action(who, "L1", "x", "y", date(2026, 11, 22))
    existing = actions.raise_action(EDITOR, "L1", "Check sensor", "Tom", date(2026, 11, 21))
    with pytest.raises(ForbiddenError):
        actions.change(who, existing.id, 1, status="cancelled")
    assert actions.listing("L1")[0].status == "open"


def test_two_editors_at_once_lose_nothing(actions) -> None:  # type: ignore[no-untyped-def]
    a = actions.raise_action(EDITOR, "L2", "Clean capper", "Tom", date(2026, 11, 25))
    actions.change(EDITOR, a.id, a.version, owner="Anna")  # both opened version 1
    with pytest.raises(ActionConflictError, match="Eddie changed this action at 21:00 — here is their version: "
                       "what “Clean capper”; owner Anna; due Wed 25 Nov") as refused:
        actions.change(OTHER_EDITOR, a.id, a.version, due=date(2026, 11, 30))
    assert (refused.value.current.owner, refused.value.current.version) == ("Anna", 2)
    now = actions.listing("L2")[0]
    assert (now.owner, now.due, now.version) == ("Anna", date(2026, 11, 25), 2)


def test_listing_includes_inner_scopes_overdue_first(actions) -> None:  # type: ignore[no-untyped-def]
    later = actions.raise_action(EDITOR, "L1", "Later", "A", date(2026, 11, 28), raised_for=date(2026, 11, 1))
    overdue = actions.raise_action(EDITOR, "L2", "Overdue", "B", date(2026, 11, 10), raised_for=date(2026, 11, 1))
    plant = actions.raise_action(EDITOR, "plant", "Plant-wide", "C", date(2026, 11, 21))
    assert plant.scope == "ex"
    assert [v.id for v in actions.listing("plant")] == [overdue.id, plant.id, later.id]
    assert actions.listing("plant")[0].overdue is True
    assert [v.id for v in actions.listing("L1")] == [later.id]
    assert {v.id for v in actions.listing("a")} == {later.id, overdue.id}


@pytest.mark.parametrize("kwargs, message", [
    ({"scope": "L9"}, "unknown scope 'L9'"),
    ({"kpi": "nope"}, "unknown KPI 'nope'"),
    ({"what": "  "}, "what: say it in a few words"),
    ({"owner": ""}, "owner: say it in a few words"),
    ({"due": date(2026, 11, 1)}, "is before the day it answers"),
    ({"what": "x" * 501}, "at most 500 characters"),
])
def test_bad_actions_are_refused_with_the_reason(actions, kwargs: dict, message: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    args = {"scope": "L1", "what": "Fix", "owner": "Tom", "due": date(2026, 11, 25)} | kwargs
    with pytest.raises(ActionError, match=message):
        actions.raise_action(EDITOR, args.pop("scope"), args.pop("what"), args.pop("owner"), args.pop("due"),
                             raised_for=date(2026, 11, 20), **args)
    assert actions.listing("plant", open_only=False) == []


FIVE_WHY = {"method": "5why", "whys": ["Filler jammed", "Seal worn", "", "", ""], "root": "Seal not on the PM plan"}


def test_a_cause_is_stored_versioned_and_audited(actions) -> None:  # type: ignore[no-untyped-def]
    raised = actions.raise_action(EDITOR, "L1", "Replace filler seal", "Tom", date(2026, 11, 22), kpi="oee",
                                  raised_for=date(2026, 11, 12))
    assert raised.cause is None and raised.root_cause == ""
    changed = actions.change(EDITOR, raised.id, raised.version, cause=FIVE_WHY)
    assert (changed.version, changed.root_cause) == (2, "Seal not on the PM plan")
    assert changed.cause == {"method": "5why", "whys": ["Filler jammed", "Seal worn"],
                             "root": "Seal not on the PM plan"}
    assert actions.listing("L1")[0].as_dict()["cause"]["root"] == "Seal not on the PM plan"
    assert any(e.action == "action.change" and "Seal not on the PM plan" in e.details
               for e in actions.accounts.audit_trail())
    with pytest.raises(ActionError, match="why it happened: answer the whys in order"):
        actions.change(EDITOR, raised.id, 2, cause={"method": "5why", "whys": ["a", "", "c"], "root": "r"})
    with pytest.raises(ForbiddenError):
        actions.change(VIEWER, raised.id, 2, cause=FIVE_WHY)
    assert actions.listing("L1")[0].version == 2  # nothing half-written


def test_a_repeat_red_names_the_earlier_actions_and_their_causes(actions) -> None:  # type: ignore[no-untyped-def]
    first = actions.raise_action(EDITOR, "L2", "Filler jam", "Tom", date(2026, 11, 13), kpi="oee",
                                 raised_for=date(2026, 11, 12), cause={"method": "a3", "problem": "OEE red",
                                                                       "cause": "Worn seal",
                                                                       "countermeasure": "New seal"})
    actions.raise_action(EDITOR, "L1", "Other line", "Tom", date(2026, 11, 13), kpi="oee",
                         raised_for=date(2026, 11, 12))
    actions.raise_action(EDITOR, "L2", "Other KPI", "Tom", date(2026, 11, 13), kpi="availability",
                         raised_for=date(2026, 11, 12))
    again = actions.raise_action(EDITOR, "L2", "Filler jam again", "Tom", date(2026, 11, 21), kpi="oee",
                                 raised_for=date(2026, 11, 19))
    assert [a.id for a in actions.earlier("oee", "L2", exclude=again.id)] == [first.id]
    note = actions.red_again("oee", "L2", exclude=again.id)
    assert note.startswith("Red again: earlier actions on this KPI at ")
    assert "Thu 12 Nov “Filler jam” (cause: Worn seal)" in note and "Other" not in note
    assert actions.red_again("oee", "L2", before=date(2026, 11, 11)) == ""
    assert actions.red_again("", "L2") == ""


def test_the_tree_panel_says_a_node_was_red_here_before(make_services, database_url: str) -> None:  # type: ignore[no-untyped-def]
    from huddle.callbacks.tree import earlier_actions
    services = make_services(database_url)
    services.actions.raise_action(EDITOR, "L2", "Filler jam", "Tom", date(2026, 11, 13), kpi="oee",
                                  raised_for=date(2026, 11, 12), cause=FIVE_WHY)
    view = {"scope": "L2", "grain": "day", "date": "2026-11-19"}
    said = earlier_actions(services, "oee", 0, view)
    assert "Red again: earlier actions on this KPI at " in said and "(cause: Seal not on the PM plan)" in said
    assert earlier_actions(services, "availability", 0, view) == ""
    assert earlier_actions(services, "oee", 0, view | {"date": "2026-11-11"}) == ""  # not yet raised then
    assert earlier_actions(services, None, 0, view) == ""
