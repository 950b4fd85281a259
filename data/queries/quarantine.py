"""The quarantine's lifecycle in SQL: a refused row stays open until a later row with the same natural key is
stored (resolved by that file) or a person dismisses it with a reason.

Listing (open problems first), counting by status, dismissing, resolving the rows a retry loaded, and the run a
retry is recorded under in the loaders' ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from huddle.data.models import LoadRun, QuarantinedRow
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

_CHUNK = 500  # keys per statement: well under SQLite's and PostgreSQL's bound-parameter limits
STATUSES = ("open", "resolved", "dismissed")


def resolve_open(session: Session, record_type: str, keys: Iterable[str], by: str, at: datetime) -> int:
    """Mark the open quarantined rows of these natural keys as resolved by ``by`` (a file, or "retry"); returns how
    many."""
    wanted = sorted({k for k in keys if k})
    resolved = 0
    for start in range(0, len(wanted), _CHUNK):
        resolved += session.execute(
            update(QuarantinedRow)
            .where(QuarantinedRow.status == "open", QuarantinedRow.record_type == record_type,
                   QuarantinedRow.natural_key.in_(wanted[start:start + _CHUNK]))
            .values(status="resolved", resolved_by=by, resolved_at=at)
            .execution_options(synchronize_session=False)).rowcount or 0
    return resolved


def resolve_rows(session: Session, ids: Iterable[int], by: str, at: datetime) -> int:
    """Mark these quarantined rows, those still open, as resolved by ``by``; returns how many."""
    return _close(session, ids, status="resolved", resolved_by=by, resolved_at=at)


def dismiss_rows(session: Session, ids: Iterable[int], by: str, reason: str, at: datetime) -> set[int]:
    """Mark these quarantined rows, those still open, as dismissed by a person with a reason (``resolved_at`` is
    when they left the open list); returns the ids it dismissed. A compare-and-set on the open status: of two
    dismissals at once, each row goes to one of them."""
    wanted = sorted(set(ids))
    dismissed: set[int] = set()
    for start in range(0, len(wanted), _CHUNK):
        dismissed.update(session.execute(
            update(QuarantinedRow)
            .where(QuarantinedRow.status == "open", QuarantinedRow.id.in_(wanted[start:start + _CHUNK]))
            .values(status="dismissed", dismissed_by=by, dismiss_reason=reason, resolved_at=at)
            .returning(QuarantinedRow.id).execution_options(synchronize_session=False)).scalars())
    return dismissed


def _close(session: Session, ids: Iterable[int], **values: object) -> int:
    wanted = sorted(set(ids))
    closed = 0
    for start in range(0, len(wanted), _CHUNK):
        closed += session.execute(
            update(QuarantinedRow)
            .where(QuarantinedRow.status == "open", QuarantinedRow.id.in_(wanted[start:start + _CHUNK]))
            .values(**values).execution_options(synchronize_session=False)).rowcount or 0
    return closed


def listing(session: Session, status: str | None = "open", source: str | None = None, limit: int = 100,
            offset: int = 0) -> list[QuarantinedRow]:
    """Quarantined rows of a status (None: all of them, the open ones first), newest first, a page at a time."""
    stmt = select(QuarantinedRow)
    if status is not None:
        stmt = stmt.where(QuarantinedRow.status == status).order_by(QuarantinedRow.id.desc())
    else:
        stmt = stmt.order_by(case((QuarantinedRow.status == "open", 0), else_=1), QuarantinedRow.id.desc())
    if source:
        stmt = stmt.where(QuarantinedRow.source == source)
    return list(session.execute(stmt.limit(limit).offset(offset)).scalars())


def closed_lately(session: Session, limit: int = 20) -> list[QuarantinedRow]:
    """The rows that left the open list last (resolved or dismissed), latest first."""
    return list(session.execute(
        select(QuarantinedRow).where(QuarantinedRow.status != "open")
        .order_by(QuarantinedRow.resolved_at.desc(), QuarantinedRow.id.desc()).limit(limit)).scalars())


def counts(session: Session, source: str | None = None) -> dict[str, int]:
    """How many quarantined rows there are of each status (every status present, zero when none)."""
    stmt = select(QuarantinedRow.status, func.count()).group_by(QuarantinedRow.status)
    if source:
        stmt = stmt.where(QuarantinedRow.source == source)
    found = {status: 0 for status in STATUSES}
    found.update({status: n for status, n in session.execute(stmt)})
    return found


def rows_by_id(session: Session, ids: Iterable[int]) -> list[QuarantinedRow]:
    """These quarantined rows (those that exist), by id."""
    wanted = sorted(set(ids))
    found: list[QuarantinedRow] = []
    for start in range(0, len(wanted), _CHUNK):
        found.extend(session.execute(select(QuarantinedRow).where(
            QuarantinedRow.id.in_(wanted[start:start + _CHUNK])).order_by(QuarantinedRow.id)).scalars())
    return found


def open_rows(session: Session, source: str | None = None) -> list[QuarantinedRow]:
    """Every open quarantined row (of one source, when given), oldest first."""
    stmt = select(QuarantinedRow).where(QuarantinedRow.status == "open").order_by(QuarantinedRow.id)
    if source:
        stmt = stmt.where(QuarantinedRow.source == source)
    return list(session.execute(stmt).scalars())


def start_retry_run(session: Session, source: str, trigger: str, at: datetime) -> int:
    """A run in the loaders' ledger for a retry of quarantined rows; recorded as finished at once, so no start of
    Huddle takes it for a run cut off mid-way. Returns its id."""
    run = LoadRun(source=source, trigger=trigger, started_at=at, finished_at=at, status="ok")
    session.add(run)
    session.flush()
    return run.id


def finish_retry_run(session: Session, run_id: int, at: datetime, status: str, files: int, rows_read: int,
                     rows_loaded: int, message: str) -> None:
    """What a retry did, in its ledger run."""
    session.execute(update(LoadRun).where(LoadRun.id == run_id).values(
        finished_at=at, status=status, files_loaded=files, rows_read=rows_read, rows_loaded=rows_loaded,
        rows_rejected=rows_read - rows_loaded, message=message[:4000]))


def forget_run_refusals(session: Session, run_id: int) -> int:
    """Remove the rows a retry's own run quarantined: the problems it retried stay open with their file and row,
    rather than coming back as new problems of no file. Returns how many."""
    return session.execute(delete(QuarantinedRow).where(QuarantinedRow.run_id == run_id)
                            .execution_options(synchronize_session=False)).rowcount or 0
