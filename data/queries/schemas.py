"""Each site's PostgreSQL schema, created when missing (several sites share one database)."""

from __future__ import annotations

from sqlalchemy import Connection, text


def create_schema(conn: Connection, schema: str) -> None:
    """Create a schema unless it exists."""
    conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
