"""Shift handovers as the handover service reads and writes them: one by its line and shift, the open ones of some
lines, a line's latest, and the compare-and-set that acknowledges one exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from huddle.data.models_huddles import Handover
from sqlalchemy import select, update
from sqlalchemy.orm import Session


def handover(session: Session, handover_id: int) -> Handover | None:
    """One handover by id."""
    return session.get(Handover, handover_id)


def handover_of_shift(session: Session, line: str, production_date: date, shift: str) -> Handover | None:
    """The handover a line's shift left, if any."""
    return session.execute(select(Handover).where(
        Handover.line == line, Handover.production_date == production_date, Handover.shift == shift,
    )).scalar_one_or_none()


def handovers_of(session: Session, lines: Iterable[str], *, open_only: bool = False, since: date | None = None,
                 limit: int = 200) -> list[Handover]:
    """Handovers of some lines, newest first: only those not yet acknowledged when asked, from a production date on."""
    stmt = select(Handover).where(Handover.line.in_(list(lines)))
    if open_only:
        stmt = stmt.where(Handover.acknowledged_at.is_(None))
    if since is not None:
        stmt = stmt.where(Handover.production_date >= since)
    stmt = stmt.order_by(Handover.written_at.desc(), Handover.id.desc()).limit(limit)
    return list(session.execute(stmt).scalars())


def take_acknowledgement(session: Session, handover_id: int, by: str, at: datetime) -> bool:
    """Acknowledge a handover not acknowledged yet, naming who and when; False when someone did already (or it is not
    there). Run it as the transaction's first statement, so of two acknowledgements exactly one is stored."""
    return bool(session.execute(
        update(Handover).where(Handover.id == handover_id, Handover.acknowledged_at.is_(None))
        .values(acknowledged_by=by, acknowledged_at=at, version=Handover.version + 1)
        .execution_options(synchronize_session=False)).rowcount)
