"""Actions as the actions service reads and changes them: a scope's list, one action, and the compare-and-set that
moves an action on from the version a form saw.

The compare-and-set is one UPDATE naming the version, run as the change's first statement: it takes the write lock
(SQLite) or the row lock (PostgreSQL) before anything is read, so of two saves from the same version exactly one
passes, across processes, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from huddle.data.models import Action
from sqlalchemy import select, update
from sqlalchemy.orm import Session


def actions_in(session: Session, scopes: Iterable[str], statuses: Iterable[str] | None = None,
               kpi: str | None = None) -> list[Action]:
    """The actions of some scopes, only those in the given statuses and of one KPI when named."""
    stmt = select(Action).where(Action.scope.in_(list(scopes)))
    if statuses is not None:
        stmt = stmt.where(Action.status.in_(list(statuses)))
    if kpi:
        stmt = stmt.where(Action.kpi == kpi)
    return list(session.execute(stmt).scalars())


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
