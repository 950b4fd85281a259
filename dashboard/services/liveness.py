"""Are the loaders alive? The leading scheduler beats every ``HEARTBEAT_S`` seconds; every source is due again one
interval (or its cron's next time) after its latest check.

- ``error``: a scheduler has beaten here and none has for ``scheduler_down_after_s`` (a setting): the loaders
  stopped, and new files are not being read.
- ``degraded``: a scheduler beats but a source is overdue by more than twice its interval (its job is stuck, or
  never ran).
- A plant where no scheduler has ever run (loads by ``huddle import`` only) is judged by its runs alone.

Plain Python over ``data.queries.liveness``: the health answer, the Data page, the board's strip, ``/readyz`` and
the metrics all read the same ``Liveness``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.plant import PlantConfig, Schedule
from huddle.data.queries import liveness as liveness_queries
from huddle.data.queries.liveness import Heartbeat
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("huddle.scheduler")

HEARTBEAT_S = 15  # how often the leading scheduler writes its heartbeat
LATE_FACTOR = 2  # a source is late once overdue by more than this many of its intervals


@dataclass(frozen=True)
class SourceDue:
    """When a source was last checked, when it is due again, and whether it is late."""

    key: str
    interval_s: float
    last_check: datetime | None
    due_by: datetime | None
    overdue_s: float  # how long past its due time (0 when not yet due)
    late: bool

    def as_dict(self) -> dict[str, Any]:
        """For the health answer."""
        return {"key": self.key, "interval_seconds": round(self.interval_s),
                "last_check": self.last_check.isoformat() if self.last_check else None,
                "due_by": self.due_by.isoformat() if self.due_by else None,
                "overdue_seconds": round(self.overdue_s), "late": self.late}


@dataclass(frozen=True)
class Liveness:
    """The scheduler's heartbeat and every scheduled source's due time, as at ``now``."""

    now: datetime
    heartbeat: Heartbeat | None
    down_after_s: float
    sources: tuple[SourceDue, ...]

    @property
    def silent_s(self) -> float | None:
        """Seconds since the last heartbeat (None when no scheduler ever beat here)."""
        return None if self.heartbeat is None else max(0.0, (self.now - self.heartbeat.at).total_seconds())

    @property
    def stopped(self) -> bool:
        """True when a scheduler beat here once and none has for ``down_after_s``."""
        silent = self.silent_s
        return silent is not None and silent > self.down_after_s

    @property
    def late(self) -> list[str]:
        """The sources overdue by more than twice their interval."""
        return [s.key for s in self.sources if s.late]

    @property
    def status(self) -> str:
        """"error" when the loaders stopped, "degraded" when a source is late, else "ok"."""
        return "error" if self.stopped else "degraded" if self.late else "ok"

    def scheduler_state(self) -> str:
        """"running", "stopped" or "never seen"."""
        return "never seen" if self.heartbeat is None else "stopped" if self.stopped else "running"

    def words(self, tz: tzinfo) -> str:
        """The strip's sentence when the loaders stopped or a source is late ("" when all is well)."""
        if self.stopped and self.heartbeat is not None:
            return _("Loaders stopped since {time} — new files are not being read").format(
                time=when_words(self.heartbeat.at, tz, self.now))
        late = [s for s in self.sources if s.late]
        if late:
            named = ", ".join(_("{source} (due {time})").format(source=s.key, time=when_words(s.due_by, tz, self.now))
                              for s in late if s.due_by)
            return (_("Loaders late: {sources} — its newest files are not read yet") if len(late) == 1 else
                    _("Loaders late: {sources} — their newest files are not read yet")).format(sources=named)
        return ""

    def as_dict(self, tz: tzinfo) -> dict[str, Any]:
        """For the health answer: the scheduler's state, its last beat and who beat, and every source's due."""
        beat = self.heartbeat
        return {"state": self.scheduler_state(), "last_beat": beat.at.isoformat() if beat else None,
                "leading_since": beat.since.isoformat() if beat else None, "leader": beat.by if beat else None,
                "silent_seconds": round(self.silent_s) if self.silent_s is not None else None,
                "down_after_seconds": round(self.down_after_s), "words": self.words(tz),
                "due": [s.as_dict() for s in self.sources]}


def when_words(instant: datetime | None, tz: tzinfo, now: datetime) -> str:
    """An instant in plant time: "18:33" today, "Thu 3 Dec 18:33" another day."""
    if instant is None:
        return "—"
    local = instant.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M}"
    return f"{format_day(local.date(), now.astimezone(tz).date())} {local:%H:%M}"


def due_after(schedule: Schedule, last: datetime, tz: tzinfo) -> tuple[datetime, float]:
    """When a source checked at ``last`` is due again, and its interval in seconds (a cron's: the gap between its
    next two times)."""
    if schedule.every_seconds:
        return last + timedelta(seconds=schedule.every_seconds), float(schedule.every_seconds)
    trigger = CronTrigger.from_crontab(schedule.cron or "* * * * *", timezone=tz)
    first = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    if first is None or second is None:  # a schedule that never fires again: never due
        return last + timedelta(days=3650), 3650 * 86400.0
    return first, (second - first).total_seconds()


def assess(config: PlantConfig, heartbeat: Heartbeat | None, checks: dict[str, datetime], now: datetime,
           down_after_s: float) -> Liveness:
    """Liveness from the heartbeat and each source's latest check. A source never checked is due from when the
    scheduler began leading; sources are judged only once a scheduler has beaten here."""
    sources = []
    for key, source in config.sources.items():
        if source.kind == "mqtt":  # a live source has its own watch (ledger.context_rows), not a schedule
            continue
        last = checks.get(key)
        start = last or (heartbeat.since if heartbeat else None)
        if start is None:
            sources.append(SourceDue(key, 0.0, None, None, 0.0, False))
            continue
        if last:
            due, interval = due_after(source.schedule, last, config.tz)
        else:  # a scheduler runs every source at start-up: due the moment it began leading
            due, interval = start, due_after(source.schedule, start, config.tz)[1]
        overdue = max(0.0, (now - due).total_seconds())
        sources.append(SourceDue(key, interval, last, due, overdue,
                                 heartbeat is not None and overdue > LATE_FACTOR * interval))
    return Liveness(now, heartbeat, float(down_after_s), tuple(sources))


def read_liveness(session: Session, config: PlantConfig, now: datetime, down_after_s: float) -> Liveness:
    """Liveness as the database tells it now."""
    return assess(config, liveness_queries.last_beat(session), liveness_queries.last_checks(session), now,
                  down_after_s)


def read_version_and_liveness(session: Session, config: PlantConfig, now: datetime,
                              down_after_s: float) -> tuple[int, Liveness]:
    """The data version and liveness as the database tells them now, from one statement."""
    state = liveness_queries.refresh_state(session)
    return state.data_version, assess(config, state.heartbeat, state.checks, now, down_after_s)


class Heart:
    """The leading scheduler's heartbeat: who it is, since when it leads, and a beat written on each call."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime], by: str) -> None:
        self.sessions = sessions
        self.clock = clock
        self.by = by
        self.since = clock()

    def beat(self) -> bool:
        """Write a beat now; False (and one warning line) when the database cannot take it."""
        try:
            with self.sessions.begin() as session:
                liveness_queries.beat(session, self.clock(), self.since, self.by)
            return True
        except SQLAlchemyError as exc:
            log.warning("scheduler heartbeat not written: %s", str(exc).splitlines()[0][:200])
            return False

