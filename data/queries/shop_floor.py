"""Shop-floor entries: stops, defects and safety reports written to the loaders' own tables with who entered them,
comments on an hour of a line's shift, and the shift facts refreshed in the same transaction.

The shop-floor service decides what may be written; these functions write and read. ``hold_line`` is a write's first
statement: it takes the write lock (SQLite) or a lock on the line (PostgreSQL) so that a stop checked against the
line's other stops cannot be overlapped by another written at the same moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from huddle.dashboard.core.plant import PlantConfig
from huddle.data.ingest.facts import Touched, refresh_facts
from huddle.data.ingest.line_locks import lock_lines
from huddle.data.models import QualityEvent, SafetyEvent, StopEvent
from huddle.data.models_entry import HourComment
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def hold_line(session: Session, line: str) -> None:
    """Take the lock under which a line's entries are checked and written (the transaction's first statement)."""
    if session.get_bind().dialect.name == "postgresql":
        lock_lines(session, [line])  # the same lock a refresh of the line's facts takes
    else:  # a write that changes nothing still makes this transaction SQLite's one writer
        session.execute(update(StopEvent).where(StopEvent.id == -1).values(line=StopEvent.line)
                        .execution_options(synchronize_session=False))


def stops_against(session: Session, line: str, start_utc: datetime, end_utc: datetime) -> list[StopEvent]:
    """A line's stops that overlap [start, end), and those entered as still running (they run until told)."""
    return list(session.execute(
        select(StopEvent).where(StopEvent.line == line, StopEvent.start_utc < end_utc,
                                (StopEvent.end_utc > start_utc) | StopEvent.ongoing.is_(True))
        .order_by(StopEvent.start_utc)).scalars())


def ongoing_stops(session: Session, line: str) -> list[StopEvent]:
    """A line's stops entered as still running, oldest first."""
    return list(session.execute(select(StopEvent).where(StopEvent.line == line, StopEvent.ongoing.is_(True))
                                .order_by(StopEvent.start_utc)).scalars())


def stop(session: Session, stop_id: int) -> StopEvent | None:
    """A stop by id."""
    return session.get(StopEvent, stop_id)


def add_stop(session: Session, row: dict[str, Any]) -> StopEvent:
    """Store an entered stop."""
    event = StopEvent(**row, run_id=None)
    session.add(event)
    session.flush()
    return event


def add_defects(session: Session, row: dict[str, Any]) -> None:
    """Store entered defects; the same defect at the same instant adds to the count already there."""
    insert = _insert(session)
    stmt = insert(QualityEvent.__table__).values(**row, run_id=None)
    session.execute(stmt.on_conflict_do_update(index_elements=["line", "at_utc", "defect", "disposition"],
                                               set_={"quantity": QualityEvent.__table__.c.quantity
                                                     + stmt.excluded.quantity}))


def add_safety(session: Session, row: dict[str, Any]) -> bool:
    """Store an entered safety report; False when one of the same kind at the same place and second is there."""
    insert = _insert(session)
    stmt = (insert(SafetyEvent.__table__).values(**row, run_id=None)
            .on_conflict_do_nothing(index_elements=["at_utc", "location", "kind"]).returning(SafetyEvent.id))
    return session.execute(stmt).first() is not None


def put_hour_comment(session: Session, row: dict[str, Any]) -> None:
    """Store a line's comment on an hour, replacing the one there."""
    insert = _insert(session)
    stmt = insert(HourComment.__table__).values(**row)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["line", "hour_utc"],
        set_={c: stmt.excluded[c] for c in ("text", "entered_by", "origin", "entered_at")}))


_COMMENT = HourComment.__table__.c
#: built once: the board reads it on every refresh
_HOUR_COMMENTS = (select(HourComment.__table__).where(
    _COMMENT.line.in_(bindparam("lines", expanding=True)), _COMMENT.hour_utc >= bindparam("start"),
    _COMMENT.hour_utc < bindparam("end")).order_by(_COMMENT.hour_utc, _COMMENT.line))


def hour_comments(session: Session, lines: tuple[str, ...], start_utc: datetime,
                  end_utc: datetime) -> list[Row[Any]]:
    """Comments on the hours of some lines starting in [start, end), by hour and line: rows with the columns of
    ``HourComment``."""
    if not lines:
        return []
    return list(session.execute(_HOUR_COMMENTS, {"lines": list(lines), "start": start_utc, "end": end_utc}).all())


def entered_between(session: Session, line: str, start_utc: datetime, end_utc: datetime) -> list[Any]:
    """What was entered for a line in [start, end): its stops, defects and safety reports (entered ones only)."""
    stops = session.execute(select(StopEvent).where(
        StopEvent.line == line, StopEvent.entered_by.is_not(None), StopEvent.start_utc >= start_utc,
        StopEvent.start_utc < end_utc)).scalars()
    defects = session.execute(select(QualityEvent).where(
        QualityEvent.line == line, QualityEvent.entered_by.is_not(None), QualityEvent.at_utc >= start_utc,
        QualityEvent.at_utc < end_utc)).scalars()
    safety = session.execute(select(SafetyEvent).where(
        SafetyEvent.line == line, SafetyEvent.entered_by.is_not(None), SafetyEvent.at_utc >= start_utc,
        SafetyEvent.at_utc < end_utc)).scalars()
    return [*stops, *defects, *safety]


def changed(session: Session) -> None:
    """Tell pages that data changed (an entry that feeds no shift fact)."""
    bump_data_version(session)


def refresh(session: Session, config: PlantConfig, group: str, line: str, area: str, lo: datetime,
            hi: datetime, now: datetime) -> None:
    """Recompute the shift facts an entry touched (one measure group, one line) and tell pages data changed."""
    touched = Touched(groups={group}, counts_kept=group == "production")
    touched.add(line, area, lo, hi)
    refresh_facts(session, config, touched, now)
    bump_data_version(session)
