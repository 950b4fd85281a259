"""Huddle records as the huddle service reads and writes them: one by its tier, scope and shift, and those of some
scopes over a span of production dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from huddle.data.models_huddles import HuddleRecord
from sqlalchemy import select
from sqlalchemy.orm import Session


def record_of(session: Session, tier: int, scope: str, production_date: date, shift: str) -> HuddleRecord | None:
    """The record of one tier's huddle at a scope in one shift, if it was held."""
    return session.execute(select(HuddleRecord).where(
        HuddleRecord.tier == tier, HuddleRecord.scope == scope, HuddleRecord.production_date == production_date,
        HuddleRecord.shift == shift)).scalar_one_or_none()


def records_between(session: Session, first: date, last: date,
                    scopes: Iterable[str] | None = None) -> list[HuddleRecord]:
    """Records of production dates first..last (of some scopes when named), in the order they were held."""
    stmt = select(HuddleRecord).where(HuddleRecord.production_date >= first, HuddleRecord.production_date <= last)
    if scopes is not None:
        stmt = stmt.where(HuddleRecord.scope.in_(list(scopes)))
    return list(session.execute(stmt.order_by(HuddleRecord.started_at, HuddleRecord.id)).scalars())
