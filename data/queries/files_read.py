"""The files the loaders have seen, newest first, as the Data page lists them: one ledger entry per file with its
outcome in words."""

from __future__ import annotations

from huddle.data.models import LoadedFile
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def recent_files(session: Session, limit: int = 50, offset: int = 0, source: str | None = None) -> list[LoadedFile]:
    """The files read last (of one source, when given), newest first, a page at a time."""
    stmt = select(LoadedFile).order_by(LoadedFile.loaded_at.desc(), LoadedFile.id.desc())
    if source:
        stmt = stmt.where(LoadedFile.source == source)
    return list(session.execute(stmt.limit(limit).offset(offset)).scalars())


def count_files(session: Session, source: str | None = None) -> int:
    """How many files the ledger holds (of one source, when given)."""
    stmt = select(func.count()).select_from(LoadedFile)
    if source:
        stmt = stmt.where(LoadedFile.source == source)
    return int(session.execute(stmt).scalar_one())
