"""Schema migrations on each backend: migrating an empty database builds exactly what the models describe; a
database at the previous revision, with data in it, is upgraded by ``huddle init`` with its data intact; a database
made before migrations existed is recognised and upgraded; processes starting together migrate once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from huddle.dashboard.cli import main
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.container import build_services
from huddle.dashboard.settings import Settings
from huddle.data.db import SCHEMA_OF_REVISION, current_revision, init_db, make_engine
from huddle.data.models import SCHEMA_VERSION, Base
from sqlalchemy import text

from tests.conftest import SMALL_PLANT

AT = datetime(2026, 11, 20, 5, 0)  # naive UTC, as the tables store it
HEAD = max(SCHEMA_OF_REVISION)  # the newest revision, and the schema it leaves
HERE = f"schema {SCHEMA_VERSION}, revision {HEAD}"


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """An empty database on each backend, not a copy of the migrated template: these tests run the migrations."""
    return empty_database_url


def fill_schema_3(engine) -> None:  # type: ignore[no-untyped-def]
    """Rows in the tables of schema 3, written as that schema's Huddle wrote them."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO production_counts (line, start_utc, end_utc, product, total, good) "
                          "VALUES ('L1', :a, :b, 'cola', 10000, 9800)"), {"a": AT, "b": datetime(2026, 11, 20, 9)})
        conn.execute(text("INSERT INTO users (username, display_name, password_hash, role, disabled, created_at, "
                          "password_changed_at) VALUES ('eddie', 'Eddie', 'x', 'editor', false, :a, :a)"), {"a": AT})
        conn.execute(text("INSERT INTO actions (scope, kpi, raised_for, raised_shift, what, owner, due, status, "
                          "result, created_by, created_at, updated_by, updated_at, version) VALUES ('L1', 'oee', "
                          ":d, 'E', 'Fix the filler', 'Tom', :d, 'open', '', 'eddie', :a, 'eddie', :a, 1)"),
                     {"d": date(2026, 11, 20), "a": AT})
        conn.execute(text("INSERT INTO audit_log (at, actor, action, target, details) VALUES (:a, 'eddie', "
                          "'action.add', 'action 1', '')"), {"a": AT})
        conn.execute(text("UPDATE meta SET value = '17' WHERE key = 'data_version'"))


def check_schema_3_rows(engine, version_moved_on: bool = False) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT line, product, total, good FROM production_counts")).all() == [
            ("L1", "cola", 10000, 9800)]
        assert conn.execute(text("SELECT username, role FROM users")).all() == [("eddie", "editor")]
        assert conn.execute(text("SELECT what, status, version FROM actions")).all() == [("Fix the filler", "open", 1)]
        version = int(conn.execute(text("SELECT value FROM meta WHERE key = 'data_version'")).scalar_one())
        assert version > 17 if version_moved_on else version == 17  # huddle init moves it past every value seen
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one() == 1


def test_migrations_build_exactly_what_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    assert init_db(engine) == f"created a new database ({HERE})"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []
    assert init_db(engine) == f"database is up to date ({HERE})"
    engine.dispose()


def test_huddle_init_upgrades_the_previous_revision_and_keeps_the_data(database_url: str, tmp_path: Path,
                                                                       capsys) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    init_db(engine, revision="0001")  # the database as the previous release left it
    fill_schema_3(engine)
    with engine.connect() as conn:
        assert "okr_objectives" not in set(conn.dialect.get_table_names(conn))
    plant = tmp_path / "plant.yaml"
    plant.write_text(SMALL_PLANT, encoding="utf-8")
    assert main(["init", "--data-dir", str(tmp_path), "--database-url", database_url, "--plant", str(plant),
                 "--now", "2026-11-20T10:00"]) == 0
    assert f"upgraded the database from schema 3 to {SCHEMA_VERSION} (revision 0001 → {HEAD}); the data is kept" in (
        capsys.readouterr().out)
    assert current_revision(engine) == HEAD
    check_schema_3_rows(engine, version_moved_on=True)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one()
        assert stored == str(SCHEMA_VERSION)
    # the audit trail is still append-only, and the new tables work
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:  # the database refuses it
        conn.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    services = build_services(Settings(data_dir=tmp_path, database_url=database_url, plant_config=plant),
                              clock=lambda: datetime(2026, 11, 20, 9, tzinfo=UTC))
    objective = services.okr_plans.save_objective(Identity("user", "eddie", "editor"), "2026-Q4", "L1", "Fix it", "Tom")
    assert [o.id for o in services.okrs.quarter("2026-Q4").objectives] == [objective]
    assert [a.what for a in services.actions.listing("L1")] == ["Fix the filler"]
    services.dispose()
    engine.dispose()


def test_a_database_made_before_migrations_is_recognised_and_upgraded(database_url: str) -> None:
    engine = make_engine(database_url)
    init_db(engine, revision="0001")
    fill_schema_3(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))  # as the create_all of earlier releases left it
    assert current_revision(engine) is None
    assert init_db(engine) == (f"upgraded the database from schema 3 to {SCHEMA_VERSION} (revision 0001 → {HEAD}); "
                               "the data is kept")
    check_schema_3_rows(engine)
    engine.dispose()


def test_processes_starting_together_migrate_once(database_url: str) -> None:
    engine = make_engine(database_url)
    start = threading.Barrier(3)
    said: list[str] = []
    errors: list[BaseException] = []

    def start_up() -> None:
        start.wait()
        try:
            said.append(init_db(make_engine(database_url)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start_up) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(said) == [f"created a new database ({HERE})"] + [
            f"database is up to date ({HERE})"] * 2  # one created it; the others waited
    assert current_revision(engine) == HEAD
    engine.dispose()
