"""Engine, session factory and schema migrations (Alembic) for Huddle's database (SQLite by default, PostgreSQL
supported)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from huddle.data.models import SCHEMA_VERSION, Meta
from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
#: the schema each revision leaves
SCHEMA_OF_REVISION = {
    "0001": 3, "0002": 4, "0003": 5, "0004": 6, "0005": 7, "0006": 8, "0007": 9, "0008": 10, "0009": 11,
    "0010": 12, "0011": 13, "0012": 14, "0013": 15, "0014": 16, "0015": 17, "0016": 18, "0017": 19, "0018": 20,
}
WAL_ATTEMPTS = 100  # 10 s of retries to switch a new SQLite file to WAL
MIGRATION_LOCK = 7_246_001  # PostgreSQL advisory lock key held while one process migrates
BUSY_TIMEOUT_S = 30.0  # how long SQLite waits for another writer's lock before answering "database is locked"
#: a pooled PostgreSQL connection left idle this long is tested before it is used again (a server restart or a
#: network cut may have ended it); one given back moments ago is not: a load of many files takes a connection
#: for every file, and a test on each would be a round trip each
PING_AFTER_IDLE_S = 5.0


_connection_name = "huddle"  # this process's application_name on PostgreSQL (name_connections)


def name_connections(name: str) -> None:
    """Name this process's PostgreSQL connections (``application_name``, as ``pg_stat_activity`` shows it):
    huddle-web, huddle-scheduler or huddle-cli, so a database administrator sees who holds which connection."""
    global _connection_name
    _connection_name = name[:63]  # PostgreSQL keeps 63 bytes


def make_engine(url: str, application_name: str | None = None) -> Engine:
    """Create an engine; SQLite gets WAL mode and a busy timeout so the web app and the scheduler both write;
    PostgreSQL connections carry ``application_name`` (the process's name unless one is given)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            for attempt in range(WAL_ATTEMPTS):
                try:  # SQLite answers "locked" at once, not after the busy timeout, while another process
                    cursor.execute("PRAGMA journal_mode=WAL")  # holds a brand-new file's first write lock
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                        raise
                    time.sleep(0.1)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    named = {} if "application_name" in parsed.query else {  # a name in the URL is the plant's choice
        "application_name": (application_name or _connection_name)[:63]}
    engine = create_engine(url, connect_args=named)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use when it was idle for ``PING_AFTER_IDLE_S`` (SQLAlchemy's pre-ping tests
    every checkout); a dead one is replaced by a fresh connection, as the pre-ping does."""

    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["huddle_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.pop("huddle_idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the test opened a transaction: the connection is handed out without one
        except DBAPIError as exc:
            alive = not engine.dialect.is_disconnect(exc.orig, dbapi_connection, None)
        except Exception:  # the driver's own error: the connection is unusable
            alive = False
        if not alive:
            raise DisconnectionError("the pooled connection was closed while idle")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read (the readings and the data status every page shows). On PostgreSQL their statements
    run without a transaction around them: at read committed each statement sees what was committed when it began
    either way, and each session saves two round trips (BEGIN and ROLLBACK: a board sends 4 where it sent 24, at
    0.15-0.2 ms each here). SQLite keeps its transaction, which there holds one snapshot for every statement of a
    session and costs no trip."""
    if engine.dialect.name == "postgresql":
        return sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)
    return make_session_factory(engine)


def _alembic(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None before any)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest migration revision this Huddle knows (what ``huddle init`` upgrades to)."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def schema_revision(engine: Engine) -> dict[str, Any]:
    """The database's schema as health and the Admin page show it: its migration revision, the schema number it
    stands for, the newest revision this Huddle knows and whether the database is at it (raises if unreachable)."""
    revision = current_revision(engine)
    head = head_revision()
    return {"schema_revision": revision, "schema_version": SCHEMA_OF_REVISION.get(revision or ""),
            "schema_head": head, "schema_current": revision == head}


def init_db(engine: Engine, revision: str = "head") -> str:
    """Create the database, or upgrade it, with the migrations in ``data/migrations``; returns what was done.

    A database made before migrations existed (tables but no revision) is first stamped with the revision its
    tables match. One process migrates while the others (web workers, the scheduler) wait, then find nothing to
    do: PostgreSQL holds an advisory lock, SQLite an exclusive transaction (which also makes its DDL atomic)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif conn.dialect.name == "sqlite":  # the driver begins lazily: take the write lock before reading anything
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        tables = set(inspect(conn).get_table_names())
        before = MigrationContext.configure(conn).get_current_revision()
        config = _alembic(conn)
        if before is None and tables:
            before = "0002" if "okr_objectives" in tables else "0001"
            command.stamp(config, before)
        command.upgrade(config, revision)
        after = MigrationContext.configure(conn).get_current_revision()
        schema = SCHEMA_OF_REVISION.get(after or "", SCHEMA_VERSION)
        # inside the same locked transaction, so processes starting together cannot both insert these
        if not conn.execute(update(Meta).where(Meta.key == "schema_version").values(value=str(schema))).rowcount:
            conn.execute(insert(Meta).values(key="schema_version", value=str(schema)))
        if conn.execute(select(Meta.value).where(Meta.key == "data_version")).first() is None:
            conn.execute(insert(Meta).values(key="data_version", value="0"))
    if not tables:
        return f"created a new database (schema {schema}, revision {after})"
    if before != after:
        return (f"upgraded the database from schema {SCHEMA_OF_REVISION.get(before or '', '?')} to {schema} "
                f"(revision {before} → {after}); the data is kept")
    return f"database is up to date (schema {schema}, revision {after})"


def schema_ready(engine: Engine) -> bool:
    """True when the database has Huddle's tables."""
    try:
        with engine.connect() as conn:
            conn.execute(select(Meta.value).where(Meta.key == "schema_version")).first()
        return True
    except Exception:
        return False


def ping(engine: Engine) -> None:
    """Raise if the database cannot be reached."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


class DatabaseUnusableError(Exception):
    """Huddle's database cannot be used: ``reason`` in a few words, ``message`` the one line a person acts on
    (which database, what is wrong, what to do)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def database_location(url: str) -> str:
    """The database as a person names it: the SQLite file's path, or PostgreSQL's host, port and database (never
    the password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(Path(parsed.database).resolve()) if parsed.database and parsed.database != ":memory:" else (
            "in memory")
    host = parsed.host or "a local socket"
    return f"{parsed.database or '(default)'} on {host}" + (f":{parsed.port}" if parsed.port else "")


def failure_reason(exc: BaseException) -> str:
    """What the database driver said went wrong, first line only (no SQL, no Python names)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(cause, OSError) and cause.strerror:
        return f"{cause.strerror}: {cause.filename}" if cause.filename else cause.strerror
    lines = [ln.strip() for ln in str(cause).splitlines() if ln.strip()]
    text_ = lines[0] if lines else type(cause).__name__
    return text_.removeprefix("connection failed: ")[:300]


def database_failure(url: str, exc: BaseException) -> DatabaseUnusableError:
    """Why the database at ``url`` cannot be used, as one line naming it and what to do."""
    reason = failure_reason(exc)
    low = reason.lower()
    if make_url(url).get_backend_name() != "sqlite":
        return DatabaseUnusableError(
            f"the PostgreSQL database {database_location(url)} cannot be reached ({reason}): start PostgreSQL or "
            "correct the database URL (--database-url or HUDDLE_DATABASE_URL)", reason)
    path = database_location(url)
    if "locked" in low or "busy" in low:
        return DatabaseUnusableError(
            f"the database {path} is locked by another program ({reason}): close the program holding it (an open "
            "sqlite3 shell, a copy or backup in progress) and start again", reason)
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return DatabaseUnusableError(
            f"the database {path} cannot be read ({reason}): restore it from a backup or move it away and run "
            "huddle init", reason)
    if isinstance(exc, OSError) or "unable to open" in low or "readonly" in low or "permission" in low:
        return DatabaseUnusableError(
            f"the database {path} cannot be opened ({reason}): check that it is a file Huddle's user may read and "
            "write, in a folder it may write to (--data-dir or HUDDLE_DATA_DIR)", reason)
    return DatabaseUnusableError(
        f"the database {path} cannot be used ({reason}): restore it from a backup or move it away and run "
        "huddle init", reason)


def check_database(engine: Engine) -> DatabaseUnusableError | None:
    """A cheap check at start: SQLite's ``PRAGMA quick_check`` (every page readable and well formed, no index
    cross-check), PostgreSQL a round trip. Returns what is wrong, or None."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                found = [line for row in conn.exec_driver_sql("PRAGMA quick_check(3)") for line in
                         str(row[0]).splitlines() if not line.startswith("***")]  # "*** in database main ***"
                if found != ["ok"]:
                    reason = "; ".join(found)[:300]
                    return DatabaseUnusableError(
                        f"the database {database_location(url)} is damaged (integrity check: {reason}): restore it "
                        "from a backup or move it away and run huddle init", reason)
            else:
                conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:  # a damaged page often makes quick_check raise rather than list it
        return database_failure(url, exc)
    return None
