"""The scheduler: runs every source's loader on its schedule, in exactly one process per data folder.

APScheduler 3 with ``coalesce=True``, ``max_instances=1`` and a misfire grace time, in the plant's time zone.
A lock file in the data folder keeps a second scheduler (another ``huddle scheduler`` or ``huddle demo`` on the
same data) from running the same loads; it waits and takes over when the first stops.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from dashboard.services import Services

log = logging.getLogger("huddle.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 120}


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
            return self.path.read_text().strip()
        except OSError:
            return ""

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
        if source.schedule.every_seconds:
            trigger = IntervalTrigger(seconds=source.schedule.every_seconds, timezone=tz)
        else:
            trigger = CronTrigger.from_crontab(source.schedule.cron or "* * * * *", timezone=tz)
        # first run at start-up, then on the schedule: a restarted scheduler catches up at once
        job = scheduler.add_job(services.loader.run_source, trigger, args=[key, trigger_name], id=f"source:{key}",
                                name=f"load {key}", replace_existing=True, next_run_time=datetime.now(tz))
        ids.append(job.id)
    return ids


def build_scheduler(services: Services, *, blocking: bool,
                    extra_jobs: list[tuple[Callable[[], object], int, str]] | None = None) -> BaseScheduler:
    """A scheduler with every source's job (and extra interval jobs such as the demo's live feed)."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=services.config.tz, job_defaults=JOB_DEFAULTS)
    add_source_jobs(scheduler, services)
    for func, seconds, name in extra_jobs or []:
        scheduler.add_job(func, IntervalTrigger(seconds=seconds, timezone=services.config.tz), id=name, name=name,
                          replace_existing=True)
    return scheduler


def lock_for(services: Services) -> SchedulerLock:
    """The scheduler lock of this process's data folder."""
    return SchedulerLock(services.settings.data_dir / "scheduler.lock")
