"""A test's database copied from the session's migrated template is what the migrations build: the newest
revision, the models' tables exactly, the rows ``init_db`` writes, and nothing for the app's start to migrate."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from huddle.data.db import SCHEMA_OF_REVISION, current_revision, init_db, make_engine
from huddle.data.models import SCHEMA_VERSION, Base
from sqlalchemy import text

HEAD = max(SCHEMA_OF_REVISION)


def test_a_copied_database_is_the_migrated_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) == HEAD
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []
        assert dict(conn.execute(text("SELECT key, value FROM meta")).all()) == {
            "schema_version": str(SCHEMA_VERSION), "data_version": "0"}
    assert init_db(engine) == f"database is up to date (schema {SCHEMA_VERSION}, revision {HEAD})"
    engine.dispose()


def test_the_audit_trail_of_a_copy_is_append_only_and_its_ids_start_at_one(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_log (at, actor, action, target, details) "
                          "VALUES ('2026-11-20 05:00', 'eddie', 'action.add', 'action 1', '')"))
        assert conn.execute(text("SELECT id FROM audit_log")).scalar_one() == 1
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:  # the database refuses it
        conn.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    engine.dispose()
