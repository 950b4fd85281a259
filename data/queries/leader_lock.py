"""The scheduler's leadership on PostgreSQL: a session advisory lock, and who holds it.

Advisory locks are per database, so the key names the schema too (several sites share one database). The caller
owns the connection: a session lock lives as long as it does.
"""

from __future__ import annotations

from sqlalchemy import Connection, text


def current_schema(conn: Connection) -> str:
    """The schema the connection's search path puts first."""
    return conn.execute(text("SELECT current_schema()")).scalar_one()


def try_lock(conn: Connection, key: int) -> bool:
    """Take the advisory lock ``key`` for this connection's session, without waiting; True if taken."""
    return bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one())


def holder(conn: Connection, key: int) -> tuple[str, object] | None:
    """The application name and client address of the session holding the lock ``key``, or None."""
    row = conn.execute(text(
        "SELECT a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :key"), {"key": key}).first()
    return (row[0], row[1]) if row else None


def holds(conn: Connection, key: int) -> bool:
    """True when this connection's session holds the lock ``key``."""
    return conn.execute(text(
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = :key "
        "AND pid = pg_backend_pid()"), {"key": key}).first() is not None


def unlock(conn: Connection, key: int) -> None:
    """Give the lock ``key`` up."""
    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
