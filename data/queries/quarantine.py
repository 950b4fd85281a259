"""The quarantine's lifecycle in SQL: a refused row stays open until a later row with the same natural key is
stored (resolved by that file) or a person dismisses it with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from huddle.data.models import QuarantinedRow
from sqlalchemy import update
from sqlalchemy.orm import Session

_CHUNK = 500  # keys per statement: well under SQLite's and PostgreSQL's bound-parameter limits


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
