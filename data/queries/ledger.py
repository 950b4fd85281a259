"""The loaders' ledger as the pages read it: the data version, load runs, what each source last did, the
quarantine, and how fresh the newest data is.

Every load that stores rows, and every edit people make (actions, OKRs, entered values), bumps the data version in
its own transaction, so a page can compare one number before recomputing anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from huddle.dashboard.core.plant_calendar import PlannedDays
from huddle.data.models import LoadRun, Meta, QuarantinedRow, ShiftFact, UTCDateTime
from huddle.data.queries.plant_calendar import CALENDAR_KEYS_SQL, calendar_of
from sqlalchemy import Connection, Insert, String, bindparam, cast, func, select, text, update
from sqlalchemy.orm import Session

# Core statements built once: every page reads these, and building an ORM statement cost more than running it
_DATA_VERSION = select(Meta.__table__.c.value).where(Meta.__table__.c.key == "data_version")
_LATEST_DATA = select(func.max(ShiftFact.__table__.c.data_through_utc))
#: a live source whose subscriber has not written for this long has lost its process
LIVE_QUIET_S = 120.0


def data_version(session: Session | Connection) -> int:
    """The data version (bumped by every load that stored rows and every edit)."""
    value = session.execute(_DATA_VERSION).scalar_one_or_none()
    return int(value or 0)


#: BIGINT: the version holds milliseconds after an init
_BUMP = (update(Meta.__table__).where(Meta.__table__.c.key == "data_version")
         .values(value=text("CAST(CAST(value AS BIGINT) + 1 AS VARCHAR(200))")))


def with_bump(statement: Insert) -> Insert:
    """An insert that also bumps the data version (PostgreSQL: both in one statement, one round trip)."""
    return statement.add_cte(_BUMP.cte("bump"))


def bump_data_version(session: Session) -> None:
    """Increase the data version so pages know something changed (cheap to compare on every refresh)."""
    # a Core statement on the session's connection: no ORM bulk-update work and no flush for one row of meta
    session.connection().execute(_BUMP)


def advance_data_version(session: Session | Connection) -> int:
    """Move the data version past every value it can have had, in this database or in one it was restored from:
    to the database clock's milliseconds since 1970, or one more than now if that is higher; returns it.

    ``huddle init`` does this, so after a restore (which brings back an older version) no page, browser or render
    cache keyed by the data version can take the restored data for a board it drew before. Every earlier value was
    an init's milliseconds plus one per change since, which stays below the clock unless changes came faster than
    a thousand a second since that init."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    if bind.dialect.name == "postgresql":
        clock, larger = text("CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)"), func.greatest
    else:  # SQLite: julianday of 1970-01-01 is 2440587.5; a day has 86,400,000 ms
        clock, larger = text("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"), func.max
    moved = larger(text("CAST(value AS BIGINT) + 1"), clock)  # one statement: a load bumping meanwhile is counted
    session.execute(update(Meta).where(Meta.key == "data_version").values(value=cast(moved, String(200))))
    return data_version(session)


def latest_data(session: Session) -> datetime | None:
    """Latest record time over all shift facts."""
    return session.execute(_LATEST_DATA).scalar_one_or_none()


def recent_runs(session: Session, limit: int = 50, source: str | None = None) -> list[LoadRun]:
    """The latest load runs, newest first."""
    stmt = select(LoadRun).order_by(LoadRun.started_at.desc(), LoadRun.id.desc()).limit(limit)
    if source:
        stmt = stmt.where(LoadRun.source == source)
    return list(session.execute(stmt).scalars())


GOOD = ("ok", "idle", "partial")  # a run that read its source through without failing

#: the ledger's sources as a CTE ``sources(source)`` that a statement goes on from (its last row is NULL), by a
#: loose index scan: each next source is one seek on an index led by ``source``, so listing them costs a seek per
#: source, not a read of every run
SOURCES_SQL = ("WITH RECURSIVE sources(source) AS ("
               "SELECT MIN(source) FROM load_runs UNION ALL "
               "SELECT (SELECT MIN(source) FROM load_runs WHERE source > sources.source) FROM sources "
               "WHERE sources.source IS NOT NULL) ")


def each_source_sql(**columns: str) -> str:
    """SQL of one row per source of the ledger: its name and these columns, each a subquery of ``load_runs r`` for the
    source (``r.source = sources.source``) that an index answers with a seek."""
    picked = ", ".join(f"({sql}) AS {name}" for name, sql in columns.items())
    return f"{SOURCES_SQL}SELECT source, {picked} FROM sources WHERE source IS NOT NULL"


def _latest_id(where: str = "") -> str:
    """The id of the source's latest run (that meets ``where``)."""
    return f"SELECT MAX(r.id) FROM load_runs r WHERE r.source = sources.source{' AND ' + where if where else ''}"


_READ_THROUGH_SQL = ("SELECT r.finished_at FROM load_runs r WHERE r.source = sources.source AND r.finished_at IS NOT "
                     f"NULL AND r.status IN ({', '.join(repr(s) for s in GOOD)}) ORDER BY r.finished_at DESC LIMIT 1")
_READ_THROUGH = text(each_source_sql(read_through=_READ_THROUGH_SQL)).columns(source=String(),
                                                                                read_through=UTCDateTime())

_LATEST_IDS = text(each_source_sql(
    last=_latest_id(),
    last_load=("SELECT r.id FROM load_runs r WHERE r.source = sources.source AND "
               "(r.rows_read > 0 OR r.files_loaded > 0 OR r.rows_rejected > 0) ORDER BY r.id DESC LIMIT 1"),
    **{status: _latest_id(f"r.status = '{status}'") for status in (*GOOD, "failed")}))


def sources_read_through(session: Session) -> dict[str, datetime]:
    """Per source: when it was last read without failing (the end of its latest good run): its data is as complete
    as the source's own export up to that instant."""
    return {source: finished for source, finished in session.execute(_READ_THROUGH) if finished is not None}


def _lines_fed(rows: Iterable[Any]) -> dict[str, frozenset[str]]:
    """Per live source of (source, machine state) rows: the lines its messages have fed."""
    out = {}
    for source, machine_state in rows:
        try:
            lines = json.loads(machine_state or "{}").get("lines") or ()
        except (ValueError, AttributeError):
            lines = ()
        out[source] = frozenset(str(line) for line in lines)
    return out


class ContextRows(NamedTuple):
    """What every reading of a request shares, as stored: when each source was last read through, the live sources
    whose broker is lost (and the lines they feed), and the plant calendar's stored rows."""

    read_through: dict[str, datetime]
    live_down: dict[str, frozenset[str]]
    calendar: tuple[list[PlannedDays], dict[str, date]]


class _KeyValue(NamedTuple):
    """A stored key and value (a calendar row of ``meta``)."""

    key: str
    value: str


#: A page's reading context as rows of (kind, name, value, at) after ``SOURCES_SQL``: each source's read-through time
#: ('read'), the live sources lost ('live', bound ``quiet_since``) and the stored calendar ('meta'); other reads of
#: the same shape may follow it in one statement (``liveness.context_and_health``).
CONTEXT_ROWS_SQL = (
    "SELECT 'read' AS kind, source AS name, CAST(NULL AS VARCHAR(200)) AS value, "
    f"({_READ_THROUGH_SQL}) AS at FROM sources WHERE source IS NOT NULL "
    "UNION ALL SELECT 'live', source, machine_state, NULL FROM live_sources "
    "WHERE state = 'disconnected' OR updated_at < :quiet_since "
    f"UNION ALL SELECT 'meta', \"key\", value, NULL FROM meta WHERE {CALENDAR_KEYS_SQL}")
_CONTEXT = text(f"{SOURCES_SQL}{CONTEXT_ROWS_SQL}").bindparams(bindparam("quiet_since", type_=UTCDateTime())).columns(
    kind=String(), name=String(), value=String(), at=UTCDateTime())


def context_rows(session: Session, now: datetime, quiet_s: float = LIVE_QUIET_S) -> ContextRows:
    """``sources_read_through``, the live sources lost and the stored plant calendar in one statement: every page's
    readings start with them. A live source is lost when its broker connection is, or when its subscriber has not
    written for ``quiet_s`` seconds (its process is gone); its lines' tiles read stale until it is back."""
    return context_of(session.execute(_CONTEXT, {"quiet_since": now - timedelta(seconds=quiet_s)}))


def context_of(rows: Iterable[Any]) -> ContextRows:
    """The reading context in rows of ``CONTEXT_ROWS_SQL`` (rows of other kinds left alone)."""
    read, live, meta = {}, [], []
    for row in rows:
        if row.kind == "read":
            if row.at is not None:
                read[row.name] = row.at
        elif row.kind == "live":
            live.append((row.name, row.value))
        elif row.kind == "meta":
            meta.append(_KeyValue(row.name, row.value))
    return ContextRows(read, _lines_fed(live), calendar_of(meta))


def _latest_runs(session: Session) -> dict[str, dict[str, int | None]]:
    """Per source: the ids of its latest run, latest load, latest run of each good status and latest failure."""
    return {row.source: dict(row._mapping) for row in session.execute(_LATEST_IDS)}


def source_status(session: Session) -> dict[str, dict[str, LoadRun | None]]:
    """Per source: its latest run, latest load (a run that read files or rows, whatever it made of them), latest
    successful run and latest failed run."""
    ids = _latest_runs(session)
    groups = {source: {"last": found["last"], "last_load": found["last_load"],
                       "last_success": max((found[s] for s in GOOD if found[s] is not None), default=None),
                       "last_failure": found["failed"]} for source, found in ids.items()}
    wanted = {i for group in groups.values() for i in group.values() if i is not None}
    runs = {run.id: run for run in session.execute(select(LoadRun).where(LoadRun.id.in_(wanted))).scalars()}
    return {source: {name: runs.get(i) if i is not None else None for name, i in group.items()}
            for source, group in groups.items()}


def quarantine(session: Session, limit: int = 200) -> list[QuarantinedRow]:
    """The latest quarantined rows, newest first."""
    return list(session.execute(
        select(QuarantinedRow).order_by(QuarantinedRow.id.desc()).limit(limit)).scalars())
