"""Who is still running a load: each run in progress holds a lock of its own for as long as its process lives.

A run left "running" by a process that was killed or crashed is then told apart from one still going, in this
process or another, on this host or another, without trusting process ids (reused) or host names (containers).
On PostgreSQL the lock is a session advisory lock on a connection of its own, freed by the server when the
process's connection ends; on SQLite, whose database is one file on one host, it is a lock on a small file beside
the database, freed by the operating system when the process ends.

A load of a source holds the source's lock too, so two loads of one source never run at once: a scheduled run
waits for the load in progress, ``huddle import`` stops with ``LoadBusyError`` (who holds it, since when). The holder's
pid and start are written in the lock file (SQLite) or in the lock connection's application name (PostgreSQL).
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
import re
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger("huddle.loaders")

SOURCE_POLL_S = 0.25  # how often a run waiting for another load of its source tries the lock
HOLDER = re.compile(r"pid (\d+) since (\S+)")


class LoadBusyError(Exception):
    """Another load of the same source is running: which source, since when (UTC) and in which process."""

    def __init__(self, source: str, since: datetime | None, pid: int | None) -> None:
        super().__init__(source, since, pid)
        self.source, self.since, self.pid = source, since, pid

    def describe(self, tz: ZoneInfo) -> str:
        """In words, with the start in plant time: "a load of mes-counts is running since Fri 04 Dec 19:30:05,
        pid 4242"."""
        what = (f"an import of {self.source.removeprefix('import:')} files" if self.source.startswith("import:")
                else f"a load of {self.source}")
        since = f" since {self.since.astimezone(tz):%a %d %b %H:%M:%S}" if self.since else ""
        pid = f", pid {self.pid}" if self.pid else ""
        return f"{what} is running{since}{pid}"


class RunLocks:
    """The locks of the runs in progress of one database (one per process, shared by its threads)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._guard = threading.Lock()
        self._files: dict[int, IO[str]] = {}
        self._conns: dict[int, Connection] = {}
        self._lock_engine: Engine | None = None
        self._class_key: int | None = None
        self._sources: dict[str, IO[str] | Connection | threading.Lock] = {}
        self._memory: dict[str, threading.Lock] = {}  # an in-memory database: one process, so threading locks
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
        if self._lock_engine is not None and not self._conns and not self._sources:
            self._lock_engine.dispose()

    # ---- one load per source -----------------------------------------------------------------------------

    def hold_source(self, source: str, since: datetime, wait: bool,
                    waiting: Callable[[LoadBusyError], None] | None = None) -> None:
        """Take the source's lock for a load starting ``since``: with ``wait`` once the load in progress ends
        (``waiting`` is told of it once), else raise ``LoadBusyError`` naming it. A lock that cannot be taken for
        another reason (the database down, a folder not writable) is logged and the load goes on: its run's own
        start then reports the problem."""
        told = False
        gone = 0
        while True:
            try:
                if self._try_source(source, since):
                    return
            except Exception as exc:
                log.warning("source %s: could not take its lock (%s)", source, exc)
                return
            busy = self.source_holder(source)
            if busy.pid is None and gone < 3:  # no holder to be found: its load ended while we looked, try again
                gone += 1
                continue
            if not wait:
                raise busy
            if waiting is not None and not told:
                waiting(busy)
                told = True
            time.sleep(SOURCE_POLL_S)

    def _try_source(self, source: str, since: datetime) -> bool:
        stamp = f"pid {os.getpid()} since {since.astimezone(UTC).isoformat(timespec='seconds')}"
        if self.engine.dialect.name == "postgresql":
            conn = self._pg_engine().connect()
            try:
                conn.execute(text("SELECT set_config('application_name', :name, false)"),
                             {"name": f"huddle-load {stamp}"[:63]})
                got = conn.execute(text("SELECT pg_try_advisory_lock(CAST(:a AS integer), CAST(:b AS integer))"),
                                   self._source_keys(conn, source)).scalar_one()
                conn.commit()
            except BaseException:
                conn.close()
                raise
            if not got:
                conn.close()
                return False
            held: IO[str] | Connection | threading.Lock = conn
        elif self.folder is None:
            with self._guard:
                lock = self._memory.setdefault(source, threading.Lock())
            if not lock.acquire(blocking=False):
                return False
            held = lock
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            fh = self._source_file(source).open("a+")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                return False
            fh.seek(0)
            fh.truncate()
            fh.write(stamp + "\n")
            fh.flush()
            held = fh
        with self._guard:
            self._sources[source] = held
        return True

    def release_source(self, source: str) -> None:
        """Give the source's lock up (after its run's outcome is recorded)."""
        with self._guard:
            held = self._sources.pop(source, None)
        if isinstance(held, Connection):
            try:
                held.execute(text("SELECT pg_advisory_unlock(CAST(:a AS integer), CAST(:b AS integer))"),
                             self._source_keys(held, source))
                held.commit()
            except Exception as exc:  # a dead connection has released it already
                log.warning("source %s: releasing its lock: %s", source, exc)
            finally:
                held.close()
        elif isinstance(held, io.IOBase):
            with contextlib.suppress(OSError):
                held.seek(0)
                held.truncate()
                held.flush()
            held.close()
        elif held is not None:
            held.release()

    def source_holder(self, source: str) -> LoadBusyError:
        """Who holds the source's lock, as a ``LoadBusyError`` (its pid and start unknown when they cannot be read)."""
        stamp = ""
        for _ in range(20):  # the holder writes its stamp just after taking the lock
            if self.engine.dialect.name == "postgresql":
                with self._pg_engine().connect() as conn:
                    stamp = conn.execute(text(
                        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                        "AND l.classid = CAST(CAST(:a AS bigint) AS oid) AND l.objid = CAST(CAST(:b AS bigint) AS oid) "
                        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                        self._source_keys(conn, source)).scalar() or ""
            elif self.folder is not None:
                with contextlib.suppress(OSError):
                    stamp = self._source_file(source).read_text()
            else:
                stamp = f"pid {os.getpid()}"
            if stamp:
                break
            time.sleep(0.01)
        m = HOLDER.search(stamp)
        if m is None:
            pid = re.search(r"pid (\d+)", stamp)
            return LoadBusyError(source, None, int(pid.group(1)) if pid else None)
        try:
            since: datetime | None = datetime.fromisoformat(m.group(2))
        except ValueError:
            since = None
        return LoadBusyError(source, since, int(m.group(1)))

    def _source_keys(self, conn: Connection, source: str) -> dict[str, int]:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        return {"a": zlib.crc32(f"huddle-source:{schema}".encode()) & 0x7FFFFFFF,
                "b": zlib.crc32(source.encode()) & 0x7FFFFFFF}

    def _source_file(self, source: str) -> Path:
        assert self.folder is not None
        safe = re.sub(r"[^\w.-]", "_", source)[:60]
        return self.folder / f"source-{safe}-{zlib.crc32(source.encode()):08x}.lock"
