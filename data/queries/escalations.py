"""Escalations as the escalations service reads and changes them: those a scope's meeting holds, those a scope raised,
those still without an answer, one by id, and the compare-and-set that moves one on from the version a form saw.

The compare-and-set is one UPDATE naming the version, run as a change's first statement, so of two changes from the
same version exactly one passes, across processes, on SQLite and PostgreSQL (as for actions).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from huddle.data.models_tiers import Escalation
from sqlalchemy import select, update
from sqlalchemy.orm import Session


def held_by(session: Session, scopes: Iterable[str], states: Iterable[str]) -> list[Escalation]:
    """Escalations whose meeting is one of ``scopes`` now, in the given states, oldest first."""
    return list(session.execute(
        select(Escalation).where(Escalation.scope.in_(list(scopes)), Escalation.state.in_(list(states)))
        .order_by(Escalation.raised_at, Escalation.id)).scalars())


def raised_from(session: Session, scopes: Iterable[str], states: Iterable[str]) -> list[Escalation]:
    """Escalations raised by the meetings of ``scopes``, in the given states, oldest first."""
    return list(session.execute(
        select(Escalation).where(Escalation.origin_scope.in_(list(scopes)), Escalation.state.in_(list(states)))
        .order_by(Escalation.raised_at, Escalation.id)).scalars())


def in_states(session: Session, states: Iterable[str]) -> list[Escalation]:
    """Every escalation in the given states, oldest first."""
    return list(session.execute(
        select(Escalation).where(Escalation.state.in_(list(states))).order_by(Escalation.raised_at, Escalation.id))
        .scalars())


def escalation(session: Session, escalation_id: int) -> Escalation | None:
    """One escalation by id."""
    return session.get(Escalation, escalation_id)


def take_escalation_version(session: Session, escalation_id: int, seen: int, by: str, at: datetime) -> bool:
    """Compare-and-set: move an escalation on from the version a form saw, naming who and when; False when it had
    moved on already (or is not there). Run it as the transaction's first statement."""
    return bool(session.execute(
        update(Escalation).where(Escalation.id == escalation_id, Escalation.version == seen)
        .values(version=Escalation.version + 1, updated_by=by, updated_at=at)
        .execution_options(synchronize_session=False)).rowcount)
