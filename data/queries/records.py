"""The raw records behind the board and the drill-down: counts, stops, defects and safety events in a time range.

Each function is one indexed range query (``production_counts``, ``stop_events`` and ``quality_events`` by line
and time, ``safety_events`` by time), whatever the number of lines in the scope; the caller attributes the rows to
hours, shift windows or local days (that needs the plant's calendar and time zone, which SQL does not have). The
readings' summed measures come from ``readings``; both filter by scope with ``scope.in_scope``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from huddle.data.models import ProductionCount, QualityEvent, SafetyEvent, StopEvent
from huddle.data.models_feeds import WorkOrder
from huddle.data.queries.scope import ScopeFilter, in_scope
from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
class StopRow:
    """One stop event."""

    line: str
    start_utc: datetime
    end_utc: datetime
    reason: str
    category: str
    equipment: str


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
    rows = session.execute(
        select(ProductionCount.line, ProductionCount.start_utc, ProductionCount.end_utc, ProductionCount.total,
               ProductionCount.good, ProductionCount.planned_qty)
        .where(ProductionCount.line.in_(lines), ProductionCount.start_utc >= start_utc - COUNT_LOOKBACK,
               ProductionCount.start_utc < end_utc)
        .order_by(ProductionCount.start_utc, ProductionCount.line)
    ).all()
    return [CountRow(line, start, end, int(total), int(good), float(planned or 0.0))
            for line, start, end, total, good, planned in rows]


def stops_overlapping(session: Session, lines: tuple[str, ...], start_utc: datetime, end_utc: datetime,
                      exclude_categories: tuple[str, ...] = ("planned",)) -> list[StopRow]:
    """Stops of some lines that overlap [start, end), except the given categories, ordered by start."""
    if not lines:
        return []
    stmt = (select(StopEvent.line, StopEvent.start_utc, StopEvent.end_utc, StopEvent.reason, StopEvent.category,
                   StopEvent.equipment)
            .where(StopEvent.line.in_(lines), StopEvent.start_utc >= start_utc - STOP_LOOKBACK,
                   StopEvent.start_utc < end_utc, StopEvent.end_utc > start_utc)
            .order_by(StopEvent.start_utc, StopEvent.line))
    if exclude_categories:
        stmt = stmt.where(StopEvent.category.not_in(exclude_categories))
    return [StopRow(line, start, end, reason, category, equipment or "")
            for line, start, end, reason, category, equipment in session.execute(stmt).all()]


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
    stmt = (select(SafetyEvent.at_utc, SafetyEvent.kind, SafetyEvent.line, SafetyEvent.area, SafetyEvent.description)
            .where(SafetyEvent.at_utc >= start_utc, SafetyEvent.at_utc < end_utc)
            .order_by(SafetyEvent.at_utc, SafetyEvent.location))
    where = in_scope(SafetyEvent, scope)
    if where is not None:
        stmt = stmt.where(where)
    if kinds:
        stmt = stmt.where(SafetyEvent.kind.in_(kinds))
    return [SafetyRow(at, kind, line or "", area or "", description or "")
            for at, kind, line, area, description in session.execute(stmt).all()]


def last_recordable(session: Session, scope: ScopeFilter, until: datetime) -> datetime | None:
    """The latest recordable or lost-time case of a scope at or before ``until``."""
    stmt = select(func.max(SafetyEvent.at_utc)).where(SafetyEvent.kind.in_(("recordable", "lost_time")),
                                                      SafetyEvent.at_utc <= until)
    where = in_scope(SafetyEvent, scope)
    if where is not None:
        stmt = stmt.where(where)
    return session.execute(stmt).scalar_one_or_none()
