"""The raw records behind the board and the drill-down: counts, stops, defects and safety events in a time range.

Each function is one indexed range query (``production_counts``, ``stop_events`` and ``quality_events`` by line
and time, ``safety_events`` by time), whatever the number of lines in the scope; the caller attributes the rows to
hours, shift windows or local days (that needs the plant's calendar and time zone, which SQL does not have). The
readings' summed measures come from ``readings``; both filter by scope with ``scope.in_scope``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
from huddle.data.instants import micros_of_stored
from huddle.data.models import ProductionCount, QualityEvent, SafetyEvent, StopEvent
from huddle.data.models_feeds import WorkOrder
from huddle.data.queries.scope import ScopeFilter, in_scope_bound, scope_params, scope_shape
from sqlalchemy import Select, String, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

# The board and the drill-down read these on every refresh: each statement is built once (per shape of call) on the
# tables' columns and run with bound parameters, since building, keying and ORM-loading a statement took longer
# than running it.
_COUNTS, _STOPS, _SAFETY = ProductionCount.__table__.c, StopEvent.__table__.c, SafetyEvent.__table__.c
_LINES = bindparam("lines", expanding=True)

_COUNTS_BETWEEN = (
    select(_COUNTS.line, _COUNTS.start_utc, _COUNTS.end_utc, _COUNTS.total, _COUNTS.good, _COUNTS.planned_qty)
    .where(_COUNTS.line.in_(_LINES), _COUNTS.start_utc >= bindparam("since"), _COUNTS.start_utc < bindparam("end"))
    .order_by(_COUNTS.start_utc, _COUNTS.line))


@cache
def _stops_statement(excluding: bool) -> Select[Any]:
    # the instants come as the driver gives them (text on SQLite, naive datetimes on PostgreSQL), not one aware
    # datetime each: a month of a plant reads thousands of stops, and they are worked on as numbers
    stmt = (select(_STOPS.line, type_coerce(_STOPS.start_utc, String), type_coerce(_STOPS.end_utc, String),
                   _STOPS.reason, _STOPS.category, _STOPS.equipment)
            .where(_STOPS.line.in_(_LINES), _STOPS.start_utc >= bindparam("since"),
                   _STOPS.start_utc < bindparam("end"), _STOPS.end_utc > bindparam("start"))
            .order_by(_STOPS.start_utc, _STOPS.line))
    return stmt.where(_STOPS.category.not_in(bindparam("excluded", expanding=True))) if excluding else stmt


@cache
def _safety_statement(shape: tuple[bool, bool], kinds: bool) -> Select[Any]:
    stmt = (select(_SAFETY.at_utc, _SAFETY.kind, _SAFETY.line, _SAFETY.area, _SAFETY.description)
            .where(_SAFETY.at_utc >= bindparam("start"), _SAFETY.at_utc < bindparam("end"))
            .order_by(_SAFETY.at_utc, _SAFETY.location))
    where = in_scope_bound(_SAFETY, shape)
    if where is not None:
        stmt = stmt.where(where)
    return stmt.where(_SAFETY.kind.in_(bindparam("kinds", expanding=True))) if kinds else stmt


@cache
def _last_recordable_statement(shape: tuple[bool, bool]) -> Select[Any]:
    stmt = select(func.max(_SAFETY.at_utc)).where(_SAFETY.kind.in_(("recordable", "lost_time")),
                                                   _SAFETY.at_utc <= bindparam("until"))
    where = in_scope_bound(_SAFETY, shape)
    return stmt if where is None else stmt.where(where)


#: How far before a window a count interval may start and still have its midpoint inside it (as ingest/facts.py).
COUNT_LOOKBACK = timedelta(hours=12)
#: Longest stop looked back for: one that started before a window and runs into it (as ingest/facts.py).
STOP_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class CountRow:
    """One production count interval."""

    line: str
    start_utc: datetime
    end_utc: datetime
    total: int
    good: int
    planned_qty: float

    @property
    def midpoint(self) -> datetime:
        """The instant that decides which shift and hour the count belongs to."""
        return self.start_utc + (self.end_utc - self.start_utc) / 2


@dataclass(frozen=True)
class QualityRow:
    """One quality event: defective units found on a line, scrapped or reworked."""

    line: str
    at_utc: datetime
    defect: str
    quantity: int
    disposition: str


@dataclass(frozen=True)
class SafetyRow:
    """One safety event with what happened ("" line and area: plant level; "" line only: area level)."""

    at_utc: datetime
    kind: str
    line: str
    area: str
    description: str


def counts_between(session: Session, lines: tuple[str, ...], start_utc: datetime,
                   end_utc: datetime) -> list[CountRow]:
    """Count intervals of some lines that may have their midpoint in [start, end), ordered by start."""
    if not lines:
        return []
    rows = session.execute(_COUNTS_BETWEEN, {"lines": list(lines), "since": start_utc - COUNT_LOOKBACK,
                                             "end": end_utc}).all()
    return [CountRow(line, start, end, int(total), int(good), float(planned or 0.0))
            for line, start, end, total, good, planned in rows]


@dataclass(frozen=True)
class StopColumns:
    """Stop events as columns, one list per field in the query's order (by start, then line); instants as whole
    microseconds since 1970-01-01 UTC, so a month of a plant's stops is clipped to its shifts with array arithmetic."""

    line: list[str]
    start_us: np.ndarray  # int64
    end_us: np.ndarray  # int64
    reason: list[str]
    category: list[str]
    equipment: list[str]  # "" where none was recorded

    def __len__(self) -> int:
        return len(self.line)

    def take(self, index: list[int]) -> StopColumns:
        """The stops at the given positions, ascending (every position: these stops themselves)."""
        if len(index) == len(self):
            return self
        return StopColumns([self.line[i] for i in index], self.start_us[index], self.end_us[index],
                           [self.reason[i] for i in index], [self.category[i] for i in index],
                           [self.equipment[i] for i in index])


def stop_columns(session: Session, lines: tuple[str, ...], start_utc: datetime, end_utc: datetime,
                 exclude_categories: tuple[str, ...] = ("planned",)) -> StopColumns:
    """Stops of some lines that overlap [start, end), except the given categories, ordered by start, as columns."""
    rows: list[Any] = []
    if lines:
        params = {"lines": list(lines), "since": start_utc - STOP_LOOKBACK, "end": end_utc, "start": start_utc,
                  "excluded": list(exclude_categories)}
        rows = session.execute(_stops_statement(bool(exclude_categories)), params).all()
    line, start, end, reason, category, equipment = (list(c) for c in zip(*rows, strict=True)) if rows else \
        ([], [], [], [], [], [])
    return StopColumns(line, micros_of_stored(start), micros_of_stored(end), reason, category,
                       [e or "" for e in equipment])


def quality_events_between(session: Session, lines: tuple[str, ...], start_utc: datetime, end_utc: datetime,
                           dispositions: tuple[str, ...] = ()) -> list[QualityRow]:
    """Quality events of some lines in [start, end), only the given dispositions when some are named, by time."""
    if not lines:
        return []
    stmt = (select(QualityEvent.line, QualityEvent.at_utc, QualityEvent.defect, QualityEvent.quantity,
                   QualityEvent.disposition)
            .where(QualityEvent.line.in_(lines), QualityEvent.at_utc >= start_utc, QualityEvent.at_utc < end_utc)
            .order_by(QualityEvent.at_utc, QualityEvent.line))
    if dispositions:
        stmt = stmt.where(QualityEvent.disposition.in_(dispositions))
    return [QualityRow(line, at, defect, int(quantity), disposition)
            for line, at, defect, quantity, disposition in session.execute(stmt).all()]


@dataclass(frozen=True)
class PmRow:
    """A preventive work order as its shift's facts count it: due at ``at_utc`` (its scheduled day's first shift)."""

    line: str
    at_utc: datetime
    asset: str
    on_time: bool
    done: bool
    scheduled: date  # the day it is scheduled for (its plant day)


def pms_due_between(session: Session, lines: tuple[str, ...], start_utc: datetime, end_utc: datetime) -> list[PmRow]:
    """Preventive work orders of some lines falling due in [start, end), by due time."""
    if not lines:
        return []
    stmt = (select(WorkOrder.line, WorkOrder.due_utc, WorkOrder.asset, WorkOrder.on_time, WorkOrder.done_at_utc,
                   WorkOrder.scheduled_date)
            .where(WorkOrder.line.in_(lines), WorkOrder.kind == "preventive", WorkOrder.due_utc >= start_utc,
                   WorkOrder.due_utc < end_utc)
            .order_by(WorkOrder.due_utc, WorkOrder.line, WorkOrder.asset))
    return [PmRow(line, due, asset, bool(on_time), done is not None, scheduled)
            for line, due, asset, on_time, done, scheduled in session.execute(stmt).all()]


def pms_open_from(session: Session, scope: ScopeFilter, first: date, last: date) -> int:
    """Preventive work orders of a scope scheduled from ``first`` to ``last`` and not done (yet)."""
    stmt = (select(func.count()).select_from(WorkOrder)
            .where(WorkOrder.kind == "preventive", WorkOrder.done_at_utc.is_(None),
                   WorkOrder.scheduled_date >= first, WorkOrder.scheduled_date <= last))
    if not scope.plant:
        stmt = stmt.where(WorkOrder.line.in_(scope.lines))
    return int(session.execute(stmt).scalar_one())


def safety_events_between(session: Session, scope: ScopeFilter, start_utc: datetime, end_utc: datetime,
                          kinds: tuple[str, ...] = ()) -> list[SafetyRow]:
    """Safety events of a scope in [start, end) with their descriptions, only the given kinds when some are named,
    ordered by time."""
    stmt = _safety_statement(scope_shape(scope), bool(kinds))
    params = scope_params(scope) | {"start": start_utc, "end": end_utc, "kinds": list(kinds)}
    return [SafetyRow(at, kind, line or "", area or "", description or "")
            for at, kind, line, area, description in session.execute(stmt, params).all()]


def last_recordable(session: Session, scope: ScopeFilter, until: datetime) -> datetime | None:
    """The latest recordable or lost-time case of a scope at or before ``until``."""
    return session.execute(_last_recordable_statement(scope_shape(scope)),
                           scope_params(scope) | {"until": until}).scalar_one_or_none()
