"""Alembic's environment for Huddle: migrations run on the connection ``data.db.migrate`` hands over (the same
engine the app uses), SQLite in batch mode so later revisions can alter tables."""

from __future__ import annotations

from alembic import context
from huddle.data.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
