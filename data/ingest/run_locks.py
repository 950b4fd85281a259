"""Who is still running a load: each run in progress holds a lock of its own for as long as its process lives.

A run left "running" by a process that was killed or crashed is then told apart from one still going, in this
process or another, on this host or another, without trusting process ids (reused) or host names (containers).
On PostgreSQL the lock is a session advisory lock on a connection of its own, freed by the server when the
process's connection ends; on SQLite, whose database is one file on one host, it is a lock on a small file beside
the database, freed by the operating system when the process ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
import zlib
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger("huddle.loaders")


class RunLocks:
    """The locks of the runs in progress of one database (one per process, shared by its threads)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._guard = threading.Lock()
        self._files: dict[int, IO[str]] = {}
        self._conns: dict[int, Connection] = {}
        self._lock_engine: Engine | None = None
        self._class_key: int | None = None
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.folder = (Path(database).resolve().parent / f"{Path(database).name}-runs"
                       if database and database != ":memory:" else None)

    # ---- PostgreSQL --------------------------------------------------------------------------------------

    def _pg_engine(self) -> Engine:
        if self._lock_engine is None:  # outside the pool: a lock connection must close when its run ends
            self._lock_engine = create_engine(
                self.engine.url, poolclass=NullPool,
                connect_args={"application_name": "huddle-load-run", "keepalives": 1, "keepalives_idle": 10,
                              "keepalives_interval": 5, "keepalives_count": 3})
        return self._lock_engine

    def _keys(self, conn: Connection, run_id: int) -> dict[str, int]:
        if self._class_key is None:  # advisory locks are per database: one key space per schema
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            self._class_key = zlib.crc32(f"huddle-run:{schema}".encode()) & 0x7FFFFFFF
        return {"a": self._class_key, "b": run_id}

    # ---- the three operations ----------------------------------------------------------------------------

    def hold(self, run_id: int) -> None:
        """Take the run's lock for as long as this process runs it (a lock that cannot be taken is logged: the
        run goes on, and may be marked cut off by a process starting meanwhile)."""
        try:
            if self.engine.dialect.name == "postgresql":
                conn = self._pg_engine().connect()
                conn.execute(text("SELECT pg_advisory_lock(CAST(:a AS integer), CAST(:b AS integer))"),
                             self._keys(conn, run_id))
                conn.commit()  # a session lock outlives the transaction; nothing stays open on the server
                with self._guard:
                    self._conns[run_id] = conn
            elif self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                fh = (self.folder / f"{run_id}.lock").open("a+")
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                with self._guard:
                    self._files[run_id] = fh
        except Exception as exc:
            log.warning("run %s: could not take its lock (%s)", run_id, exc)

    def release(self, run_id: int) -> None:
        """Give the run's lock up (after its outcome is recorded)."""
        with self._guard:
            conn = self._conns.pop(run_id, None)
            fh = self._files.pop(run_id, None)
        if conn is not None:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(CAST(:a AS integer), CAST(:b AS integer))"),
                             self._keys(conn, run_id))
                conn.commit()
            except Exception as exc:  # a dead connection has released it already
                log.warning("run %s: releasing its lock: %s", run_id, exc)
            finally:
                conn.close()
        if fh is not None:
            assert self.folder is not None
            with contextlib.suppress(OSError):  # removed while still locked: nobody mistakes it for a dead run's
                (self.folder / f"{run_id}.lock").unlink()
            fh.close()

    def held(self, run_id: int) -> bool:
        """True while some process (this one included) holds the run's lock, or when it cannot be told."""
        if self.engine.dialect.name == "postgresql":
            with self._pg_engine().connect() as conn:
                return conn.execute(text(
                    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 "
                    "AND classid = CAST(CAST(:a AS bigint) AS oid) AND objid = CAST(CAST(:b AS bigint) AS oid) "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                    self._keys(conn, run_id)).first() is not None
        if self.folder is None:
            return True  # an in-memory database lives and dies with its one process
        path = self.folder / f"{run_id}.lock"
        try:
            fh = path.open("r")
        except FileNotFoundError:
            return False
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
        return False

    def forget(self, run_id: int) -> None:
        """Remove what a run cut off left behind (its lock file)."""
        if self.folder is not None and run_id not in self._files:
            with contextlib.suppress(OSError):
                (self.folder / f"{run_id}.lock").unlink()

    def dispose(self) -> None:
        """Close the lock engine (the locks of runs still going stay held)."""
        if self._lock_engine is not None and not self._conns:
            self._lock_engine.dispose()
