"""Engine, session factory and schema migrations (Alembic) for Huddle's database (SQLite by default, PostgreSQL
supported)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data.models import SCHEMA_VERSION, Meta

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA_OF_REVISION = {"0001": 3, "0002": 4}  # the schema version each migration revision leaves
WAL_ATTEMPTS = 100  # 10 s of retries to switch a new SQLite file to WAL
MIGRATION_LOCK = 7_246_001  # PostgreSQL advisory lock key held while one process migrates


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL mode and a busy timeout so the web app and the scheduler both write."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
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
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _alembic(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None before any)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


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
