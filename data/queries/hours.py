"""Hours worked: as recorded above line and shift (payroll, HR) for one location, and the labour hours per line and
shift a scope's readings fall back on for the days no recorded period covers."""

from __future__ import annotations

from datetime import date

from huddle.dashboard.core.hours import RecordedHours
from huddle.data.models import ShiftFact
from huddle.data.models_feeds import HoursWorked
from huddle.data.queries.scope import ScopeFilter, in_scope
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

_HOURS = HoursWorked.__table__.c
#: built once on the table: the safety tiles read it on every board
_RECORDED = (select(_HOURS.grain, _HOURS.period_start, _HOURS.period_end, _HOURS.hours)
             .where(_HOURS.location == bindparam("location")).order_by(_HOURS.period_start, _HOURS.grain))


def recorded_hours(session: Session, location: str) -> list[RecordedHours]:
    """Every day, week and month of hours recorded for exactly this location (the site key, an area or a line),
    in order (a location holds a few rows a month: years of them are read at once)."""
    return [RecordedHours(r.grain, r.period_start, r.period_end, float(r.hours))
            for r in session.execute(_RECORDED, {"location": location})]


def labour_days(session: Session, scope: ScopeFilter) -> tuple[date, date] | None:
    """The first and last production dates with labour hours (per line and shift) in a scope; None without any."""
    stmt = select(func.min(ShiftFact.production_date), func.max(ShiftFact.production_date)).where(
        ShiftFact.hours_worked > 0)
    where = in_scope(ShiftFact, scope)
    if where is not None:
        stmt = stmt.where(where)
    first, last = session.execute(stmt).one()
    if first is None:
        return None
    return (date.fromisoformat(first) if isinstance(first, str) else first,
            date.fromisoformat(last) if isinstance(last, str) else last)


def labour_by_day(session: Session, scope: ScopeFilter, first: date, last: date,
                  shift: str | None = None) -> dict[date, float]:
    """Labour hours (per line and shift, summed) of each production date of a scope between two dates."""
    stmt = (select(ShiftFact.production_date, func.sum(ShiftFact.hours_worked))
            .where(ShiftFact.production_date >= first, ShiftFact.production_date <= last)
            .group_by(ShiftFact.production_date))
    where = in_scope(ShiftFact, scope)
    if where is not None:
        stmt = stmt.where(where)
    if shift:
        stmt = stmt.where(ShiftFact.shift == shift)
    out = {}
    for day, hours in session.execute(stmt):
        out[date.fromisoformat(day) if isinstance(day, str) else day] = float(hours or 0.0)
    return out
