"""Engine and session factory for Huddle's database (SQLite by default, PostgreSQL supported)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data.models import SCHEMA_VERSION, Base, Meta


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
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def init_db(engine: Engine) -> str:
    """Create missing tables and record the schema version; returns what was done."""
    with engine.begin() as conn:
        existing = set(engine.dialect.get_table_names(conn))
    Base.metadata.create_all(engine)
    created = sorted(set(Base.metadata.tables) - existing)
    with Session(engine) as session, session.begin():
        row = session.get(Meta, "schema_version")
        if row is None:
            session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
        else:
            row.value = str(SCHEMA_VERSION)
        if session.get(Meta, "data_version") is None:
            session.add(Meta(key="data_version", value="0"))
    if not existing:
        return f"created a new database with {len(created)} tables (schema {SCHEMA_VERSION})"
    if created:
        return f"upgraded the database: added {', '.join(created)} (schema {SCHEMA_VERSION})"
    return f"database is up to date (schema {SCHEMA_VERSION})"


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
