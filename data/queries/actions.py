"""Actions as the actions service reads and changes them: a scope's list, one action, and the compare-and-set that
moves an action on from the version a form saw.

The compare-and-set is one UPDATE naming the version, run as the change's first statement: it takes the write lock
(SQLite) or the row lock (PostgreSQL) before anything is read, so of two saves from the same version exactly one
passes, across processes, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from huddle.data.models import Action
from sqlalchemy import Row, Select, bindparam, select, update
from sqlalchemy.orm import Session


@cache
def _actions_statement(statuses: bool, kpi: bool) -> Select[Any]:
    """``actions_in``'s statement for one shape of call, built once on the table (every board reads it)."""
    c = Action.__table__.c
    stmt = select(Action.__table__).where(c.scope.in_(bindparam("scopes", expanding=True)))
    if statuses:
        stmt = stmt.where(c.status.in_(bindparam("statuses", expanding=True)))
    return stmt.where(c.kpi == bindparam("kpi")) if kpi else stmt


def actions_in(session: Session, scopes: Iterable[str], statuses: Iterable[str] | None = None,
               kpi: str | None = None) -> list[Row[Any]]:
    """The actions of some scopes, only those in the given statuses and of one KPI when named: rows with the
    columns of ``Action`` (read, not changed: no ORM objects to build)."""
    params = {"scopes": list(scopes), "statuses": list(statuses or ()), "kpi": kpi}
    return list(session.execute(_actions_statement(statuses is not None, bool(kpi)), params).all())


def action(session: Session, action_id: int) -> Action | None:
    """One action by id."""
    return session.get(Action, action_id)


def take_action_version(session: Session, action_id: int, seen: int, by: str, at: datetime) -> bool:
    """Compare-and-set: move an action on from the version a form saw, naming who and when; False when it had
    moved on already (or is not there). Run it as the transaction's first statement."""
    return bool(session.execute(
        update(Action).where(Action.id == action_id, Action.version == seen)
        .values(version=Action.version + 1, updated_by=by, updated_at=at)
        .execution_options(synchronize_session=False)).rowcount)
