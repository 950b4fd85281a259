"""Databases for tests, migrated once a session and copied for each test.

Running the migrations into an empty database costs a few tenths of a second on SQLite and most of a second on
PostgreSQL, several hundred times a run. So the session migrates one template per backend with ``init_db``, just
as a test's own first start would, and each test gets a copy of it: a copy of the file on SQLite, a schema
replayed from the template's ``pg_dump`` on PostgreSQL. A copy holds exactly what ``init_db`` leaves in an empty
database, and the app's start finds it at the newest revision and migrates nothing.

A template lives as long as its session (in the session's temporary folder; a PostgreSQL schema named for the
session, dropped at its end), so it is always built by the migrations of the code under test, never stale.
Tests of the migrations themselves take ``empty_database_url`` (see tests/conftest.py), which is not copied."""

from __future__ import annotations

import shutil
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def migrated_sqlite_file(folder: Path) -> Path:
    """A SQLite file in ``folder`` that ``init_db`` has migrated to the newest revision."""
    from huddle.data.db import init_db, make_engine

    path = folder / "huddle.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    engine.dispose()  # the last connection closed: the write-ahead log is folded into the file
    return path


def copy_sqlite(template: Path, path: Path) -> str:
    """Copy the template to ``path`` (whose folder must exist) and return its URL."""
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


class PostgresTemplate:
    """A PostgreSQL schema migrated to the newest revision, and copies of it, one schema per test, in the database
    of ``base``.

    A copy replays the template's ``pg_dump`` (tables, sequences, indexes, the audit trigger and the rows
    ``init_db`` wrote) under the copy's name: a fraction of the migrations' cost, and unlike ``CREATE DATABASE
    ... TEMPLATE`` it needs no ``DROP DATABASE`` after, which forces a checkpoint of the whole server. Without a
    working ``pg_dump`` (none installed, or older than the server) each copy runs the migrations instead."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.name = f"huddle_template_{uuid.uuid4().hex[:12]}"
        # a connection of its own each time: a replayed dump leaves settings (search_path among them) behind
        self.admin: Engine = create_engine(base, poolclass=NullPool)
        self.script: str | None = None

    def url(self, schema: str) -> str:
        """The URL of ``base`` whose search path is ``schema``."""
        return f"{self.base}{'&' if '?' in self.base else '?'}options=-csearch_path%3D{schema}"

    def build(self) -> None:
        """Create the template, migrate it and take its dump."""
        self._migrated(self.name)
        self.script = dump_schema(self.base, self.name)

    def copy(self) -> str:
        """A new schema holding what the template holds; returns its name."""
        schema = f"t_{uuid.uuid4().hex[:12]}"
        if self.script is None:
            self._migrated(schema)
        else:
            with self.admin.begin() as conn:
                conn.exec_driver_sql(self.script.replace(self.name, schema))
        return schema

    def drop(self, schema: str) -> None:
        """Drop a schema and all it holds."""
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    def close(self) -> None:
        """Drop the template and let go of the server."""
        self.drop(self.name)
        self.admin.dispose()

    def _migrated(self, schema: str) -> None:
        from huddle.data.db import init_db, make_engine

        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(self.url(schema))
        init_db(engine)
        engine.dispose()


def dump_schema(base: str, schema: str) -> str | None:
    """``pg_dump`` of one schema (its definitions and rows) as SQL to run in one go, or None when ``pg_dump``
    cannot make it (with a warning: the tests then run the migrations for each database, slower)."""
    uri = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        done = subprocess.run(["pg_dump", "--dbname", uri, "--schema", schema, "--no-owner", "--no-privileges",
                               "--inserts"], capture_output=True, text=True, check=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        warnings.warn(f"no pg_dump of the migrated template ({exc}); each PostgreSQL test migrates its own schema",
                      stacklevel=1)
        return None
    # psql's meta-commands (\restrict, \unrestrict) are for psql, not the server
    return "\n".join(line for line in done.stdout.splitlines() if not line.startswith("\\"))


def postgres_copies(base: str) -> Iterator[PostgresTemplate]:
    """A session's template in the database of ``base``, built now and dropped when the session ends."""
    template = PostgresTemplate(base)
    try:
        template.build()
        yield template
    finally:
        template.close()
