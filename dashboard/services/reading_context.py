"""What every reading of one request shares, read once: the clock's instant, how far each source has been read,
the live sources that lost their broker, the recorded hours and the plant calendar; and, once per formula, which
measures and records a reading's completeness is judged by.

A page that asks the readings service many times (the board: its tiles, trends, red streaks, month calendars and
safety numbers) opens ``shared_context()`` around its work, so those few queries run once per page rather than
once per call, and every number on the page is judged against the same instant and the same calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, wraps
from typing import Any, ParamSpec, TypeVar

from huddle.dashboard.core.kpi import FORMULAS, TIMED_MEASURES, Kind
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.plant_calendar import PlantCalendar
from huddle.dashboard.services.people_hours import HoursCache
from huddle.data.ingest.facts import GROUPS, RECORD_GROUP
from huddle.data.queries import ledger as ledger_queries
from huddle.data.queries import liveness as liveness_queries
from huddle.data.queries import readings as reading_queries
from huddle.data.queries.liveness import HealthState
from huddle.data.queries.scope import ScopeFilter
from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class ReadingContext:
    """What every reading of one request shares: the clock's instant and when each source was last read."""

    now: datetime
    read_through: dict[str, datetime]
    live_down: dict[str, frozenset[str]] = field(default_factory=dict)  # live source lost -> the lines it feeds
    hours: HoursCache = field(default_factory=HoursCache)  # recorded hours per location, read once
    calendar: PlantCalendar = field(default_factory=PlantCalendar)  # holidays, shutdowns, go-live
    #: (scope, period) -> scheduled time still to come in the running shift (a running reading's coverage)
    scheduled_after: dict[tuple[str, str], float] = field(default_factory=dict)
    #: (production date, shift) -> line-shifts each line reported in that running shift, read once for every scope
    running_lines: dict[tuple[date, str], dict[str, float]] = field(default_factory=dict)
    #: the board's health strip, when read with the context (``reading_context(..., health=True)``)
    health: HealthState | None = None


#: The contexts of the ``shared_context()`` open in this thread or task, by (plant, session factory, clock).
_SHARED: ContextVar[dict[tuple[int, int, int], ReadingContext] | None] = ContextVar("huddle_reading_context",
                                                                                   default=None)
#: The sessions the readings of the open ``shared_context()`` read through, by session factory.
_SESSIONS: ContextVar[dict[Callable[[], Session], Session] | None] = ContextVar("huddle_reading_sessions", default=None)


@contextmanager
def shared_context() -> Iterator[None]:
    """Inside, readings of the same plant, database and clock share one context (nested calls share the outer),
    and read through one session of each database (``shared_session``), closed on the way out."""
    if _SHARED.get() is not None:
        yield
        return
    token, sessions = _SHARED.set({}), _SESSIONS.set({})
    try:
        yield
    finally:
        opened = _SESSIONS.get() or {}
        _SESSIONS.reset(sessions)
        _SHARED.reset(token)
        for session in opened.values():
            session.close()


@contextmanager
def shared_session(factory: Callable[[], Session]) -> Iterator[Session]:
    """A session of the factory: inside ``shared_context()`` the one its readings share (opened when first asked
    for: a page's twenty queries were as many sessions, each taking a connection and ending its transaction), else
    a new one closed on the way out."""
    shared = _SESSIONS.get()
    if shared is None:
        with factory() as session:
            yield session
        return
    if factory not in shared:
        shared[factory] = factory()
    yield shared[factory]


def sharing_context(fn: Callable[P, R]) -> Callable[P, R]:
    """The function's readings share one context (``shared_context`` around each call)."""
    @wraps(fn)
    def inside(*args: P.args, **kwargs: P.kwargs) -> R:
        with shared_context():
            return fn(*args, **kwargs)
    return inside


def reading_context(config: PlantConfig, session: Session, clock: Callable[[], datetime], key: int,
                    health: bool = False) -> ReadingContext:
    """The context of a reading: the shared one inside ``shared_context()``, else read now; read now with
    ``health``, the board's health strip is read in the same statement (a board asks for it first)."""
    shared = _SHARED.get()
    slot = (id(config), key, id(clock))
    if shared is not None and slot in shared:
        return shared[slot]
    now = clock()
    stored, state = (liveness_queries.context_and_health(session, now) if health
                     else (ledger_queries.context_rows(session, now), None))
    live = {k: v for k, v in stored.live_down.items() if k in config.sources and config.sources[k].kind == "mqtt"}
    ctx = ReadingContext(now, stored.read_through, live, calendar=config.plant_calendar.with_stored(*stored.calendar),
                         health=state)
    if shared is not None:
        shared[slot] = ctx
    return ctx


def running_line_shifts(ctx: ReadingContext, config: PlantConfig, session: Session, day: date,
                        shift: str) -> dict[str, float]:
    """Line-shifts each line has reported in a running shift (the plant's area-level facts under ""), from one
    query grouped by line read once per context for every scope a page reads."""
    if (day, shift) not in ctx.running_lines:
        plant = ScopeFilter(tuple(config.lines), tuple(config.areas), True)
        ctx.running_lines[(day, shift)] = {str(r["line"]): float(r["line_shifts"] or 0) for r in
                                           reading_queries.sums_by(session, plant, day, day, shift, ("line",))}
    return ctx.running_lines[(day, shift)]


@cache
def formula_sums(formula: Any) -> frozenset[str] | None:
    """The measures a reading of a formula reads from its sums: its numerator and denominator, and the production
    time scheduled and covered (its completeness); None for a formula not worked from summed measures."""
    if formula.kind not in (Kind.RATIO, Kind.TOTAL):
        return None
    return frozenset(m for m in (formula.numerator, formula.denominator, "scheduled_s", "covered_s") if m)


def measures_of(config: PlantConfig, kpis: Iterable[str]) -> frozenset[str] | None:
    """The measures readings of these KPIs are worked from (``formula_sums``); None when none is summed."""
    summed = [m for m in (formula_sums(FORMULAS[config.kpis[k].formula]) for k in kpis) if m is not None]
    return frozenset().union(*summed) if summed else None


def formula_inputs(formula: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The measures a formula reads and the record types they come from, which judge how complete a reading is
    (worked once per formula, found again by its key: hashing the whole formula cost more than the lookup)."""
    return _inputs_of(formula.key)


@cache
def _inputs_of(key: str) -> tuple[frozenset[str], frozenset[str]]:
    formula = FORMULAS[key]
    used = frozenset(m for m in (formula.numerator, formula.denominator) if m)
    if formula.kind is Kind.DIRECT:
        return used, frozenset({"kpi_values"})
    if formula.kind is Kind.PRODUCT:
        return frozenset(TIMED_MEASURES), frozenset({"production_counts", "stop_events"})
    groups = {g for g, members in GROUPS.items() if used & set(members)}
    return used, frozenset(r for r, g in RECORD_GROUP.items() if g in groups)
