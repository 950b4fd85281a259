"""The scheduler: runs every source's loader on its schedule, in exactly one process per plant database.

APScheduler 3 with ``coalesce=True``, ``max_instances=1`` and a misfire grace time, in the plant's time zone.
Only the leader runs loads. On PostgreSQL leadership is a session advisory lock, so it holds across hosts: the
server frees it when the leader's connection ends (a killed process at once; a host that vanished once TCP
keepalives give up, about 25 s). On SQLite, whose database is one file on one host, it is a lock file in the data
folder. A second scheduler stands by, polls, and takes over when the leader goes; a leader that finds it no longer
holds the lock stops running loads. Every scheduler running loads writes a heartbeat every ``HEARTBEAT_S``
seconds, so a stopped one is seen (``services.liveness``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN, EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.liveness import HEARTBEAT_S, Heart
from huddle.data.ingest.mqtt import LiveSubscriber
from huddle.data.queries import leader_lock
from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger("huddle.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 120}
LEADER_POLL_S = 5.0  # how often a standing-by scheduler tries the lock: the longest a takeover waits
LEADER_CHECK_S = 15  # how often the leader makes sure it still holds the lock
NOTIFY_EVERY_S = 60  # how often notification rules are watched and due messages tried


class SchedulerLock:
    """An exclusive lock file: only its holder runs the loaders for a data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def acquire(self, wait: bool = False, poll_s: float = 5.0) -> bool:
        """Take the lock; with ``wait`` block until the holder goes away."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fh.seek(0)
                fh.truncate()
                fh.write(f"{os.getpid()}\n")
                fh.flush()
                self._fh = fh
                return True
            except BlockingIOError:
                if not wait:
                    fh.close()
                    return False
                time.sleep(poll_s)

    def holder(self) -> str:
        """The pid written by the current holder, if any."""
        try:
            pid = self.path.read_text().strip()
        except OSError:
            return ""
        return f"pid {pid}" if pid else ""

    def still_held(self) -> bool:
        """True while this process holds the lock file."""
        return self._fh is not None

    def release(self) -> None:
        """Give the lock up."""
        if self._fh:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def add_source_jobs(scheduler: BaseScheduler, services: Services, trigger_name: str = "schedule") -> list[str]:
    """Add one job per configured source; returns the job ids."""
    tz = services.config.tz
    ids = []
    for key, source in services.config.sources.items():
        if source.kind == "mqtt":  # a live source has its subscriber (add_live_sources), not a load job
            continue
        if source.schedule.every_seconds:
            trigger = IntervalTrigger(seconds=source.schedule.every_seconds, timezone=tz)
        else:
            trigger = CronTrigger.from_crontab(source.schedule.cron or "* * * * *", timezone=tz)
        # first run at start-up, then on the schedule: a restarted scheduler catches up at once
        job = scheduler.add_job(services.loader.run_source, trigger, args=[key, trigger_name], id=f"source:{key}",
                                name=f"load {key}", replace_existing=True, next_run_time=datetime.now(tz))
        ids.append(job.id)
    return ids


def add_live_sources(scheduler: BaseScheduler, services: Services) -> list[LiveSubscriber]:
    """A subscriber per MQTT source, connected while the scheduler runs: started with it, stopped with it (so only
    the leading scheduler stores live messages)."""
    subscribers = [LiveSubscriber(services.config, source, services.sessions, services.clock)
                   for source in services.config.sources.values() if source.kind == "mqtt"]

    def follow(event: SchedulerEvent) -> None:
        for subscriber in subscribers:
            try:
                subscriber.start() if event.code == EVENT_SCHEDULER_STARTED else subscriber.stop()
            except Exception:  # one source's trouble (its database row, its broker URL) must not stop the others
                log.exception("live source %s could not %s", subscriber.source.key,
                              "start" if event.code == EVENT_SCHEDULER_STARTED else "stop")

    if subscribers:
        scheduler.add_listener(follow, EVENT_SCHEDULER_STARTED | EVENT_SCHEDULER_SHUTDOWN)
    return subscribers


def build_scheduler(services: Services, *, blocking: bool,
                    extra_jobs: list[tuple[Callable[[], object], int, str]] | None = None) -> BaseScheduler:
    """A scheduler with every source's job (and extra interval jobs such as the demo's live feed)."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=services.config.tz, job_defaults=JOB_DEFAULTS)
    add_source_jobs(scheduler, services)
    add_live_sources(scheduler, services)
    heart = Heart(services.sessions, services.clock, f"huddle-scheduler {socket.gethostname()} pid {os.getpid()}")
    # the heartbeat says the loaders are alive: health turns "error" when it stops (``liveness``)
    scheduler.add_job(heart.beat, IntervalTrigger(seconds=HEARTBEAT_S, timezone=services.config.tz), id="heartbeat",
                      name="heartbeat", replace_existing=True, next_run_time=datetime.now(services.config.tz))
    # the notification rules are watched and their messages sent every minute, by the leading scheduler only
    if services.config.notifications.rules:
        scheduler.add_job(services.notifier.run, IntervalTrigger(seconds=NOTIFY_EVERY_S, timezone=services.config.tz),
                          id="notifications", name="notifications", replace_existing=True)
    for func, seconds, name in extra_jobs or []:
        scheduler.add_job(func, IntervalTrigger(seconds=seconds, timezone=services.config.tz), id=name, name=name,
                          replace_existing=True)
    return scheduler


class PostgresLeaderLock:
    """Leadership of the loaders as a PostgreSQL session advisory lock on a connection of its own."""

    def __init__(self, url: str, scope: str) -> None:
        self.name = f"huddle-scheduler {socket.gethostname()} pid {os.getpid()}"
        self.engine = create_engine(url, poolclass=NullPool, connect_args={
            "application_name": self.name[:63], "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
            "keepalives_count": 3})
        self.scope = scope
        self._key: int | None = None
        self._conn: Connection | None = None

    def key(self, conn: Connection) -> int:
        """The lock's key: one per plant and database schema (advisory locks are per database)."""
        if self._key is None:
            schema = leader_lock.current_schema(conn)
            self._key = zlib.crc32(f"huddle-scheduler:{schema}:{self.scope}".encode()) & 0x7FFFFFFF
        return self._key

    def acquire(self, wait: bool = False, poll_s: float = 5.0) -> bool:
        """Take the lock; with ``wait`` keep trying until the holder goes away."""
        while True:
            try:
                conn = self.engine.connect()
                got = leader_lock.try_lock(conn, self.key(conn))
                conn.commit()  # a session lock outlives the transaction; nothing stays open on the server
            except Exception as exc:  # the database is down: stand by and try again
                log.warning("scheduler lock: %s", exc)
                got, conn = False, None
            if got:
                self._conn = conn
                return True
            if conn is not None:
                conn.close()
            if not wait:
                return False
            time.sleep(poll_s)

    def holder(self) -> str:
        """Who holds the lock: the other scheduler's host and pid, as its connection names them."""
        with self.engine.connect() as conn:
            row = leader_lock.holder(conn, self.key(conn))
        return f"{row[0]} from {row[1] or 'a local socket'}" if row else ""

    def still_held(self) -> bool:
        """True while this process's connection is alive and holds the lock."""
        if self._conn is None:
            return False
        try:
            held = leader_lock.holds(self._conn, self.key(self._conn))
            self._conn.commit()
            return held
        except Exception:
            return False

    def release(self) -> None:
        """Give the lock up."""
        if self._conn is not None:
            try:
                leader_lock.unlock(self._conn, self.key(self._conn))
                self._conn.commit()
                self._conn.close()
            except Exception as exc:  # a dead connection has released it already
                log.warning("scheduler lock release: %s", exc)
            self._conn = None
        self.engine.dispose()


def lock_for(services: Services) -> SchedulerLock | PostgresLeaderLock:
    """The scheduler lock of this plant: in PostgreSQL when the database is there, else in the data folder."""
    if services.db.dialect.name == "postgresql":
        return PostgresLeaderLock(services.settings.db_url, services.config.site_key)
    return SchedulerLock(services.settings.data_dir / "scheduler.lock")
