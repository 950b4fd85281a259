"""Whether the loaders are alive, as the database tells it: the leading scheduler's heartbeat (a ``meta`` row it
rewrites every few seconds), when each source was last checked, and whether the schema's migrations are current.

The heartbeat is one row, ``scheduler_heartbeat``, holding JSON: when the leader last beat, when it began leading
and who it is (host and process). Only the leader writes it, so there is nothing to merge between schedulers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from huddle.data.db import MIGRATIONS
from huddle.data.models import AuditEntry, LoadRun, Meta, UTCDateTime
from huddle.data.queries.ledger import (
    CONTEXT_ROWS_SQL,
    LIVE_QUIET_S,
    SOURCES_SQL,
    ContextRows,
    context_of,
    each_source_sql,
)
from sqlalchemy import Engine, String, bindparam, func, select, text
from sqlalchemy.orm import Session

HEARTBEAT_KEY = "scheduler_heartbeat"


class Heartbeat(NamedTuple):
    """The leading scheduler's last beat: when, since when it leads, and who it is."""

    at: datetime
    since: datetime
    by: str


def _instant(value: object) -> datetime:
    """A stored time as an aware UTC datetime (SQLite returns text and naive values)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def beat(session: Session, at: datetime, since: datetime, by: str) -> None:
    """Write the leader's heartbeat (inside the caller's transaction)."""
    value = json.dumps({"at": at.astimezone(UTC).isoformat(), "since": since.astimezone(UTC).isoformat(),
                        "by": by[:100]})
    row = session.get(Meta, HEARTBEAT_KEY)
    if row is None:
        session.add(Meta(key=HEARTBEAT_KEY, value=value))
    else:
        row.value = value


#: built once on the table: every board reads it
_LAST_BEAT = select(Meta.__table__.c.value).where(Meta.__table__.c.key == HEARTBEAT_KEY)


def last_beat(session: Session) -> Heartbeat | None:
    """The latest heartbeat of any scheduler, or None when none has ever beaten here."""
    return _heartbeat(session.execute(_LAST_BEAT).scalar_one_or_none())


def _heartbeat(value: str | None) -> Heartbeat | None:
    """The heartbeat a stored value holds, or None (never beaten, or unreadable)."""
    if not value:
        return None
    try:
        data = json.loads(value)
        return Heartbeat(_instant(data["at"]), _instant(data.get("since") or data["at"]), str(data.get("by", "")))
    except (ValueError, KeyError, TypeError, AssertionError):
        return None


_LAST_CHECKS = text(each_source_sql(
    started="SELECT MAX(r.started_at) FROM load_runs r WHERE r.source = sources.source")
).columns(source=String(), started=UTCDateTime())


class RefreshState(NamedTuple):
    """What a wall TV's refresh compares before anything else: the data version, the leading scheduler's last beat
    and when each source was last checked."""

    data_version: int
    heartbeat: Heartbeat | None
    checks: dict[str, datetime]


_REFRESH_STATE = text(
    f"{SOURCES_SQL}"
    "SELECT 'check' AS kind, source AS name, CAST(NULL AS VARCHAR(200)) AS value, "
    "(SELECT MAX(r.started_at) FROM load_runs r WHERE r.source = sources.source) AS at "
    "FROM sources WHERE source IS NOT NULL "
    f"UNION ALL SELECT 'meta', \"key\", value, NULL FROM meta WHERE \"key\" IN ('data_version', '{HEARTBEAT_KEY}')"
).columns(kind=String(), name=String(), value=String(), at=UTCDateTime())


def refresh_state(session: Session) -> RefreshState:
    """``data_version``, ``last_beat`` and ``last_checks`` in one statement: every board refresh reads them."""
    checks, meta = {}, {}
    for row in session.execute(_REFRESH_STATE):
        if row.kind == "check":
            if row.at is not None:
                checks[row.name] = _instant(row.at)
        else:
            meta[row.name] = row.value
    return RefreshState(int(meta.get("data_version") or 0), _heartbeat(meta.get(HEARTBEAT_KEY)), checks)


class HealthState(NamedTuple):
    """What the board's health strip reads: each source's latest run's status, when each source was last checked,
    the leading scheduler's last beat and the latest record time over all shift facts."""

    last_statuses: dict[str, str]
    checks: dict[str, datetime]
    heartbeat: Heartbeat | None
    latest_data: datetime | None


#: The health strip's reads as rows of (kind, name, value, at) after ``SOURCES_SQL``: each source's latest status and
#: check ('source'), the heartbeat ('beat') and the latest record time ('facts').
_HEALTH_ROWS_SQL = (
    "SELECT 'source' AS kind, source AS name, "
    "(SELECT r.status FROM load_runs r WHERE r.source = sources.source ORDER BY r.id DESC LIMIT 1) AS value, "
    "(SELECT MAX(r.started_at) FROM load_runs r WHERE r.source = sources.source) AS at "
    "FROM sources WHERE source IS NOT NULL "
    f"UNION ALL SELECT 'beat', \"key\", value, NULL FROM meta WHERE \"key\" = '{HEARTBEAT_KEY}' "
    "UNION ALL SELECT 'facts', NULL, NULL, MAX(data_through_utc) FROM shift_facts")
_ROWS = {"kind": String(), "name": String(), "value": String(), "at": UTCDateTime()}
_HEALTH_STATE = text(f"{SOURCES_SQL}{_HEALTH_ROWS_SQL}").columns(**_ROWS)
_CONTEXT_AND_HEALTH = text(f"{SOURCES_SQL}{CONTEXT_ROWS_SQL} UNION ALL {_HEALTH_ROWS_SQL}").bindparams(
    bindparam("quiet_since", type_=UTCDateTime())).columns(**_ROWS)


def health_state(session: Session) -> HealthState:
    """Each source's latest run's status, ``last_checks``, ``last_beat`` and ``ledger.latest_data`` in one statement
    (a backward seek per source on (source, id)): every board reads them."""
    return _health_of(session.execute(_HEALTH_STATE))


def context_and_health(session: Session, now: datetime, quiet_s: float = LIVE_QUIET_S,
                       ) -> tuple[ContextRows, HealthState]:
    """``ledger.context_rows`` and ``health_state`` in one statement: a board reads both."""
    rows = list(session.execute(_CONTEXT_AND_HEALTH, {"quiet_since": now - timedelta(seconds=quiet_s)}))
    return context_of(rows), _health_of(rows)


def _health_of(rows: Iterable[Any]) -> HealthState:
    """The health state in rows of ``_HEALTH_ROWS_SQL`` (rows of other kinds left alone)."""
    statuses, checks, beat_value, latest = {}, {}, None, None
    for row in rows:
        if row.kind == "source":
            statuses[row.name] = row.value
            if row.at is not None:
                checks[row.name] = _instant(row.at)
        elif row.kind == "beat":
            beat_value = row.value
        elif row.kind == "facts":
            latest = row.at
    return HealthState(statuses, checks, _heartbeat(beat_value), latest)


def last_checks(session: Session) -> dict[str, datetime]:
    """Per source: when its latest run began, whatever it found (a run still going counts: the loader is alive)."""
    return {source: _instant(started) for source, started in session.execute(_LAST_CHECKS) if started is not None}


class LoaderTotals(NamedTuple):
    """A source's ledger summed up, for the metrics: rows loaded and refused, runs, and its latest finished run."""

    rows_loaded: int
    rows_refused: int
    runs: int
    failed_runs: int
    last_started: datetime | None
    last_seconds: float | None


def loader_totals(session: Session) -> dict[str, LoaderTotals]:
    """Per source: rows loaded and refused and runs over the whole ledger, and how long its latest finished run
    took (one read for every web worker alike, so the figures agree whichever worker is asked)."""
    sums = session.execute(select(
        LoadRun.source, func.coalesce(func.sum(LoadRun.rows_loaded), 0),
        func.coalesce(func.sum(LoadRun.rows_rejected), 0), func.coalesce(func.sum(LoadRun.runs), 0),
        func.count().filter(LoadRun.status == "failed")).group_by(LoadRun.source)).all()
    latest_ids = select(func.max(LoadRun.id)).where(LoadRun.finished_at.is_not(None)).group_by(LoadRun.source)
    latest = {r.source: r for r in session.execute(select(LoadRun).where(LoadRun.id.in_(latest_ids))).scalars()}
    out = {}
    for source, loaded, refused, runs, failed in sums:
        run = latest.get(source)
        seconds = None
        if run is not None and run.finished_at is not None:
            seconds = max(0.0, (_instant(run.finished_at) - _instant(run.started_at)).total_seconds())
        out[source] = LoaderTotals(int(loaded), int(refused), int(runs), int(failed),
                                   _instant(run.started_at) if run is not None else None, seconds)
    return out


def failed_sign_ins(session: Session) -> int:
    """How many sign-ins failed (wrong name or password, or a disabled user), from the audit trail."""
    return int(session.execute(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.action == "login.failed")).scalar_one())


def migrations(engine: Engine) -> tuple[str | None, str | None]:
    """The migration revision the database is at and the newest one this version of Huddle has."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        return MigrationContext.configure(conn).get_current_revision(), head
