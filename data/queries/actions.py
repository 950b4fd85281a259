"""Actions as the actions service reads them: a scope's list, and one action locked for a change."""

from __future__ import annotations

from collections.abc import Iterable

from huddle.data.models import Action
from sqlalchemy import select
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


def action_for_change(session: Session, action_id: int) -> Action | None:
    """One action, its row locked for the rest of the transaction where the database can (SELECT ... FOR UPDATE)."""
    return session.get(Action, action_id, with_for_update=True)
