"""Two people saving the same record at the same moment, on SQLite (a file database) and PostgreSQL: for every
versioned record (an action, an objective, a key result, a check-in, a value entered by hand, a user's role, a
quarantined problem) 20 rounds of two saves released together from two threads, each through its own services
(own engine, own sessions) on one database, both from the version a form showed. Every round exactly one is
saved, the other is told who saved (by name) and when, and the stored record is the saver's."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.accounts import AccountConflictError, Identity
from huddle.dashboard.services.actions import ActionConflictError
from huddle.dashboard.services.manual_values import ManualValueConflictError
from huddle.dashboard.services.okrs import OkrConflictError
from huddle.data.models import KpiValue
from sqlalchemy import select

from tests.conftest import SMALL_PLANT, Inbox

ROUNDS = 20
PASSWORD = "Tall-ladder-93-quiet"
ANNA = Identity("user", "anna", "editor")
BEN = Identity("user", "ben", "editor")
NAMES = ("Anna Weber", "Ben Okafor")
CONFLICTS = (ActionConflictError, OkrConflictError, ManualValueConflictError, AccountConflictError)
#: the small plant with one KPI entered by hand
IDEAS = """  - {key: ideas, name: Improvement ideas, formula: direct, unit: ideas, aggregation: sum, category: M,
     direction: higher, target: 5, owner: A}
"""
PLANT = SMALL_PLANT.replace("trees:", IDEAS + "trees:", 1)


@pytest.fixture
def pair(make_services, database_url: str, tmp_path: Path) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    """Two sets of services on one database, as two web workers; Anna Weber and Ben Okafor may edit."""
    plant = tmp_path / "plant-ideas.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    first = make_services(database_url, plant=plant)
    second = make_services(database_url, plant=plant)
    first.accounts.add_user("cli", "anna", PASSWORD, "admin", "Anna Weber")
    first.accounts.add_user("cli", "ben", PASSWORD, "admin", "Ben Okafor")
    first.accounts.add_user("cli", "tom", PASSWORD, "viewer", "Tom Brandt")
    return first, second


def race(first: Callable[[], Any], second: Callable[[], Any]) -> list[tuple[str, str]]:
    """Run two saves released at the same moment: ('saved', '') or ('told', the message) for each, in order."""
    start = threading.Barrier(2)
    outcomes: list[tuple[str, str]] = [("", ""), ("", "")]

    def run(i: int, call: Callable[[], Any]) -> None:
        start.wait()
        try:
            told = call()
            outcomes[i] = ("told", told) if isinstance(told, str) else ("saved", "")
        except CONFLICTS as exc:
            outcomes[i] = ("told", str(exc))
        except Exception as exc:  # a failure is an outcome the tally counts
            outcomes[i] = ("failed", f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


class LostRoundError(Exception):
    """A round that did not end with one save stored and the other told."""


def one_saved(outcomes: list[tuple[str, str]], tally: dict[str, int]) -> int:
    """Count a round: one saved and the other told by name who saved (returns the saver: 0 Anna, 1 Ben), or both
    saved, or a save failed (the round is counted and ``LostRoundError`` raised)."""
    kinds = [kind for kind, _ in outcomes]
    if sorted(kinds) != ["saved", "told"]:
        tally["both saved" if kinds == ["saved", "saved"] else "failed or both told"] += 1
        raise LostRoundError(str(outcomes))
    saver = kinds.index("saved")
    told = outcomes[1 - saver][1]
    assert told.startswith(NAMES[saver]) or f"by {NAMES[saver]}" in told, told
    tally["one saved, the other told"] += 1
    return saver


def rounds(name: str, play: Callable[[int, dict[str, int]], None]) -> None:
    """Play the rounds of one record type, report how they ended, and require every one to end well."""
    tally = {"one saved, the other told": 0, "both saved": 0, "failed or both told": 0}
    lost: list[str] = []
    for r in range(ROUNDS):
        try:
            play(r, tally)
        except LostRoundError as exc:
            lost.append(f"round {r}: {exc}")
    print(f"{name}: {ROUNDS} rounds: " + ", ".join(f"{n} {what}" for what, n in tally.items()))
    assert tally["one saved, the other told"] == ROUNDS, lost[:3]


def test_an_action_saved_twice_at_once_is_stored_once(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    action = a.actions.raise_action(ANNA, "L1", "Clean the capper", "Tom", date(2026, 11, 27))

    def play(r: int, tally: dict[str, int]) -> None:
        seen = a.actions.listing("L1")[0].version
        texts = (f"Anna's fix, round {r}", f"Ben's fix, round {r}")
        saver = one_saved(race(lambda: a.actions.change(ANNA, action.id, seen, what=texts[0]),
                               lambda: b.actions.change(BEN, action.id, seen, what=texts[1])), tally)
        now = a.actions.listing("L1")[0]
        assert (now.what, now.version, now.updated_by) == (texts[saver], seen + 1, ("anna", "ben")[saver])

    rounds("actions", play)


def test_an_objective_saved_twice_at_once_is_stored_once(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    objective = a.okr_plans.save_objective(ANNA, "2026-Q4", "L1", "Line 1 runs like spring", "Tom")

    def play(r: int, tally: dict[str, int]) -> None:
        seen = a.okrs.quarter("2026-Q4").objectives[0].version
        titles = (f"Anna's title {r}", f"Ben's title {r}")
        saver = one_saved(race(
            lambda: a.okr_plans.save_objective(ANNA, "2026-Q4", "L1", titles[0], "Tom", objective_id=objective,
                                               version=seen),
            lambda: b.okr_plans.save_objective(BEN, "2026-Q4", "L1", titles[1], "Tom", objective_id=objective,
                                               version=seen)), tally)
        now = a.okrs.quarter("2026-Q4").objectives[0]
        assert (now.title, now.version) == (titles[saver], seen + 1)

    rounds("objectives", play)


def _key_result(a: Any) -> tuple[int, int]:
    objective = a.okr_plans.save_objective(ANNA, "2026-Q4", "L1", "Line 1 runs like spring", "Tom")
    kr = a.okr_plans.save_key_result(ANNA, objective, title="Filler jams per week", kind="decrease", start=12,
                                     target=4, unit="jams", owner="Tom")
    return objective, kr


def test_a_key_result_saved_twice_at_once_is_stored_once(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    objective, kr = _key_result(a)

    def play(r: int, tally: dict[str, int]) -> None:
        seen = a.okrs.quarter("2026-Q4").key_results[0].version
        targets = (4 - r * 0.1, 3 - r * 0.1)
        saver = one_saved(race(*(
            lambda who=who, services=services, target=target: services.okr_plans.save_key_result(
                who, objective, title="Filler jams per week", kind="decrease", start=12, target=target,
                unit="jams", owner="Tom", key_result_id=kr, version=seen)
            for who, services, target in ((ANNA, a, targets[0]), (BEN, b, targets[1])))), tally)
        now = a.okrs.quarter("2026-Q4").key_results[0]
        assert (now.target, now.version) == (pytest.approx(targets[saver]), seen + 1)

    rounds("key results", play)


def test_a_check_in_saved_twice_at_once_is_stored_once(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    _objective, kr = _key_result(a)

    def play(r: int, tally: dict[str, int]) -> None:
        seen = a.okrs.quarter("2026-Q4").key_results[0].checkins
        values = (10 + r, 30 + r)
        saver = one_saved(race(
            lambda: a.okr_check_ins.check_in(ANNA, kr, seen, value=values[0], confidence=5, moved="guide rail"),
            lambda: b.okr_check_ins.check_in(BEN, kr, seen, value=values[1], confidence=6)), tally)
        now = a.okrs.quarter("2026-Q4").key_results[0]
        assert (now.checkins, now.latest.value, now.latest.author) == (seen + 1, values[saver], ("anna", "ben")[saver])

    rounds("check-ins", play)


def test_a_value_entered_twice_at_once_is_stored_once(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    seen: list[float | None] = [None]  # the first round: both forms saw no value yet

    def play(r: int, tally: dict[str, int]) -> None:
        values = (float(r), float(100 + r))
        saver = one_saved(race(*(
            lambda who=who, services=services, value=value: services.manual.set(
                who, "ideas", "L1", "2026-11-19", "", value, seen=seen[0])
            for who, services, value in ((ANNA, a, values[0]), (BEN, b, values[1])))), tally)
        entry = a.manual.set(ANNA, "ideas", "L1", "2026-11-19", "", values[saver], seen=values[saver])
        assert entry.replaced == values[saver]  # the value stored is the saver's
        seen[0] = values[saver]

    rounds("values entered by hand", play)


def test_a_value_entered_twice_at_once_without_a_seen_value_names_whose_it_replaced(pair) -> None:  # type: ignore[no-untyped-def]
    # the Data page's form shows no stored value: its save replaces whatever is there, read under the lock, and
    # says whose it replaced; of two at once, the later names the earlier (a first value, or one over Tom's)
    a, b = pair
    tally = {"both stored, the later naming the earlier": 0, "other": 0}
    for r in range(ROUNDS):
        day = date(2026, 11, 1 + r).isoformat()
        if r % 2:
            a.manual.set(Identity("user", "tom", "editor"), "ideas", "L2", day, "", 1.0)
        entries: dict[int, Any] = {}
        outcomes = race(*(lambda i=i, services=services, who=who, entries=entries, day=day, r=r: entries.__setitem__(
            i, services.manual.set(who, "ideas", "L2", day, "", float(100 * i + r)))
            for i, services, who in ((0, a, ANNA), (1, b, BEN))))
        with a.sessions() as session:
            stored = session.execute(select(KpiValue.value).where(
                KpiValue.kpi == "ideas", KpiValue.location == "L2", KpiValue.production_date == date.fromisoformat(
                    day))).scalar_one()
        later = next((i for i in entries if entries[i].value == stored), None)
        ok = ([k for k, _ in outcomes] == ["saved", "saved"] and later is not None
              and (entries[later].replaced, entries[later].replaced_by) == (entries[1 - later].value,
                                                                            NAMES[1 - later]))
        tally["both stored, the later naming the earlier" if ok else "other"] += 1
    print(f"values entered without a seen value: {ROUNDS} rounds: {tally}")
    assert tally["other"] == 0, tally


def test_a_users_role_set_twice_at_once_is_stored_once(pair) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    roles = ("viewer", "editor", "admin")

    def role_of(username: str) -> str:
        return next(u.role for u in a.accounts.users() if u.username == username)

    def play(r: int, tally: dict[str, int]) -> None:
        seen = role_of("tom")
        wanted = [x for x in roles if x != seen]
        saver = one_saved(race(lambda: a.accounts.set_role(ANNA, "tom", wanted[0], seen=seen),
                               lambda: b.accounts.set_role(BEN, "tom", wanted[1], seen=seen)), tally)
        assert role_of("tom") == wanted[saver]

    rounds("users", play)


def test_a_problem_dismissed_twice_at_once_is_dismissed_once(pair, inbox: Inbox) -> None:  # type: ignore[no-untyped-def]
    a, b = pair
    # one good row, then a row whose total is not a number every half hour: twenty problems to dismiss
    rows = "L1,2026-11-19 00:00,2026-11-19 00:30,,100,90,100\n" + "".join(
        f"L1,2026-11-19 {h:02d}:30,2026-11-19 {h + 1:02d}:00,,many,90,100\n" for h in range(ROUNDS))
    inbox.drop("counts", "line,start,end,product,total,good,planned\n" + rows)
    inbox.drop("stops", "line,start,end,reason,category\n")  # a header only: the stops source has its folder
    loaded = a.loader.run_all()
    problems = sorted(p.id for p in a.quarantine.problems("open"))
    assert len(problems) == ROUNDS, [o.message for o in loaded]

    def dismissal(services: Any, who: Identity, problem: int, reason: str) -> Callable[[], str | None]:
        def call() -> str | None:
            done = services.quarantine.dismiss(who, [problem], reason)
            return "; ".join(why for _p, why in done.skipped) if done.skipped else None
        return call

    def play(r: int, tally: dict[str, int]) -> None:
        reasons = (f"Anna: sent twice ({r})", f"Ben: a test row ({r})")
        saver = one_saved(race(dismissal(a, ANNA, problems[r], reasons[0]),
                               dismissal(b, BEN, problems[r], reasons[1])), tally)
        (closed,) = [p for p in a.quarantine.problems("dismissed") if p.id == problems[r]]
        assert (closed.dismissed_by, closed.dismiss_reason) == (("anna", "ben")[saver], reasons[saver])

    rounds("quarantine", play)
