"""OKRs as the OKR services read and change them: objectives, key results, check-ins, closed quarters and adopted
baselines.

The version and check-in counters are compare-and-set: one UPDATE that names the value the form saw, so two saves
from forms that saw the same value cannot both pass, across processes, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import namedtuple
from functools import cache
from typing import Any

from huddle.data.models import AdoptedBaseline, CheckIn, KeyResult, Objective, OkrQuarter
from sqlalchemy import Select, String, bindparam, func, select, update
from sqlalchemy.orm import Session


def quarters_with_objectives(session: Session) -> set[str]:
    """Every quarter some objective belongs to."""
    return set(session.scalars(select(Objective.quarter).distinct()))


def closed_quarter(session: Session, quarter: str) -> OkrQuarter | None:
    """Who closed a quarter and when, or None while it is open."""
    return session.get(OkrQuarter, quarter)


def objective(session: Session, objective_id: int) -> Objective | None:
    """An objective by id."""
    return session.get(Objective, objective_id)


def count_objectives(session: Session, quarter: str, scope: str) -> int:
    """How many objectives a scope has in a quarter."""
    return session.scalar(select(func.count()).select_from(Objective).where(
        Objective.quarter == quarter, Objective.scope == scope)) or 0


def take_objective_version(session: Session, objective_id: int, version: int | None) -> bool:
    """Compare-and-set: move an objective on from the version a form saw; False when it had moved on already (or
    is not there). Run it as the transaction's first statement, before the row is read."""
    return bool(session.execute(update(Objective).where(Objective.id == objective_id, Objective.version == version)
                                .values(version=Objective.version + 1)
                                .execution_options(synchronize_session=False)).rowcount)


def key_result(session: Session, key_result_id: int) -> KeyResult | None:
    """A key result by id."""
    return session.get(KeyResult, key_result_id)


def count_key_results(session: Session, objective_id: int) -> int:
    """How many key results an objective has."""
    return session.scalar(select(func.count()).select_from(KeyResult).where(
        KeyResult.objective_id == objective_id)) or 0


def take_key_result_version(session: Session, key_result_id: int, version: int | None) -> bool:
    """Compare-and-set: move a key result on from the version a form saw; False when it had moved on already (or
    is not there). Run it as the transaction's first statement, before the row is read."""
    return bool(session.execute(update(KeyResult).where(KeyResult.id == key_result_id, KeyResult.version == version)
                                .values(version=KeyResult.version + 1)
                                .execution_options(synchronize_session=False)).rowcount)


def objective_binding(session: Session, quarter: str, kpi: str, scope: str) -> str | None:
    """The title of a quarter's objective with a key result bound to a KPI at a scope, if there is one."""
    return session.execute(
        select(Objective.title).join(KeyResult, KeyResult.objective_id == Objective.id)
        .where(Objective.quarter == quarter, KeyResult.kpi == kpi, KeyResult.kpi_scope == scope)
    ).scalars().first()


def take_check_in(session: Session, key_result_id: int, seen: int) -> bool:
    """Compare-and-set: count one more check-in on a key result whose form saw ``seen``; False when the count had
    moved on. Run it as the transaction's first statement: it takes the write lock (SQLite) or the row lock
    (PostgreSQL) before anything is read."""
    return bool(session.execute(update(KeyResult).where(KeyResult.id == key_result_id, KeyResult.checkins == seen)
                                .values(checkins=KeyResult.checkins + 1)).rowcount)


def check_in_count(session: Session, key_result_id: int) -> int:
    """How many check-ins a key result has saved."""
    return session.scalar(select(KeyResult.checkins).where(KeyResult.id == key_result_id)) or 0


def latest_check_in(session: Session, key_result_id: int, week: str | None = None) -> CheckIn | None:
    """A key result's newest check-in (of one week, when named)."""
    stmt = select(CheckIn).where(CheckIn.key_result_id == key_result_id)
    if week is not None:
        stmt = stmt.where(CheckIn.week == week)
    return session.scalars(stmt.order_by(CheckIn.id.desc()).limit(1)).first()


def score_key_result(session: Session, key_result_id: int, final_value: float | None, score: float) -> None:
    """Store a key result's value at its quarter's close and its score."""
    session.execute(update(KeyResult).where(KeyResult.id == key_result_id)
                    .values(final_value=final_value, score=score))


def adopted_baselines(session: Session, scope: str | None = None) -> list[AdoptedBaseline]:
    """Adopted baselines (of one scope when named), oldest adoption first."""
    stmt = select(AdoptedBaseline)
    if scope is not None:
        stmt = stmt.where(AdoptedBaseline.scope == scope).order_by(AdoptedBaseline.adopted_at, AdoptedBaseline.id)
    return list(session.scalars(stmt))


@cache
def _quarter_selects() -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The three selects of a quarter's rows, built once and run with the quarter as a parameter."""
    o, k, c = Objective.__table__, KeyResult.__table__, CheckIn.__table__
    quarter = bindparam("quarter", type_=String)
    of_quarter = k.join(o, k.c.objective_id == o.c.id)
    return (select(o).where(o.c.quarter == quarter).order_by(o.c.id),
            select(k).select_from(of_quarter).where(o.c.quarter == quarter).order_by(k.c.id),
            select(c).select_from(c.join(of_quarter, c.c.key_result_id == k.c.id)).where(o.c.quarter == quarter)
            .order_by(c.c.id))


@cache
def _plain_row(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A named tuple of a select's columns: its fields read in a few tens of nanoseconds where a ``Row``'s named
    attribute takes half a microsecond (a quarter's read asks its 3,000 check-ins for some 30,000)."""
    return namedtuple("StoredRow", names)  # type: ignore[return-value]


def quarter_rows(session: Session, quarter: str) -> tuple[list[Any], list[Any], list[Any]]:
    """A quarter's objectives, their key results and every check-in on them, each by id, as read-only named tuples
    with the models' attribute names (no ORM objects to build: a quarter has thousands of check-ins)."""
    out = []
    for stmt in _quarter_selects():
        result = session.execute(stmt, {"quarter": quarter})
        make = _plain_row(tuple(result.keys()))._make
        out.append([make(row) for row in result])
    return out[0], out[1], out[2]
