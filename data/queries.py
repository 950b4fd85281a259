"""Read queries: summed measures for a scope and period, direct KPI values, safety events, loader status.

Every roll-up is a SQL ``SUM`` of stored numerators and denominators over the matching ``shift_facts`` rows,
grouped as the caller needs (never a mean of ratios, never the whole history in memory).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from huddle.dashboard.core.kpi import MEASURES, PLAUSIBILITY
from huddle.data.models import KpiValue, LoadRun, Meta, QuarantinedRow, SafetyEvent, ShiftFact
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ScopeFilter:
    """Which facts belong to a scope: its lines, plus area- or plant-level facts (safety)."""

    lines: tuple[str, ...]
    areas: tuple[str, ...]  # areas whose area-level facts count
    plant: bool  # plant-level facts count


def _fact_filter(scope: ScopeFilter) -> ColumnElement[bool] | None:
    if scope.plant:
        return None  # every fact belongs to the plant: no filter lets the date index do the work
    parts = [ShiftFact.line.in_(scope.lines)]
    if scope.areas:
        parts.append(and_(ShiftFact.line == "", ShiftFact.area.in_(scope.areas)))
    return or_(*parts)


@cache
def _measure_sums() -> tuple[ColumnElement[float], ...]:
    """SUM(measure) for every measure, built once (rebuilding them was a quarter of a board's time), and how many
    line-shifts break each physical limit of ``dashboard.kpi.PLAUSIBILITY`` (``n_<key>``)."""
    f = ShiftFact
    broken = {
        # one second of slack per shift for rounding in the exports' times
        "over_performance": f.ideal_total_s > f.run_s * 1.000001 + 1,
        "good_over_total": f.good_count > f.total_count,
        "stops_over_time": f.unplanned_stop_s + f.changeover_s > f.ppt_s + 60,
        "rejects_over_total": and_(f.total_count > 0, f.scrap_qty + f.rework_qty > f.total_count),
    }
    assert set(broken) == {c.key for c in PLAUSIBILITY}, "every plausibility check is counted"
    return (*(func.sum(getattr(f, m)).label(m) for m in MEASURES),
            *(func.sum(case((condition, 1), else_=0)).label(f"n_{key}") for key, condition in broken.items()))


def sums_by(session: Session, scope: ScopeFilter, first: date, last: date, shift: str | None = None,
            group: tuple[str, ...] = ()) -> list[dict[str, object]]:
    """Summed measures (and the latest record time) per group over a scope and date range.

    ``group`` may name ``production_date``, ``shift`` and ``line``; an empty group gives one row.
    """
    cols = [getattr(ShiftFact, g) for g in group]
    stmt = (select(*cols, *_measure_sums(), func.max(ShiftFact.data_through_utc).label("data_through"),
                   func.count().label("facts"),
                   func.sum(case((ShiftFact.line != "", 1), else_=0)).label("line_shifts"))
            .where(ShiftFact.production_date >= first, ShiftFact.production_date <= last))
    scope_filter = _fact_filter(scope)
    if scope_filter is not None:
        stmt = stmt.where(scope_filter)
    if shift:
        stmt = stmt.where(ShiftFact.shift == shift)
    if cols:
        stmt = stmt.group_by(*cols).order_by(*cols)
    out = []
    for row in session.execute(stmt).mappings():
        item = dict(row)
        through = item.get("data_through")
        if isinstance(through, str):  # SQLite returns max() of a datetime as text
            item["data_through"] = datetime.fromisoformat(through)
        if isinstance(item.get("data_through"), datetime) and item["data_through"].tzinfo is None:
            from datetime import UTC

            item["data_through"] = item["data_through"].replace(tzinfo=UTC)
        out.append(item)
    return out


def direct_values(session: Session, kpi: str, locations: tuple[str, ...], first: date, last: date,
                  shift: str | None = None, group: tuple[str, ...] = ()) -> list[dict[str, object]]:
    """Sum and count of a direct KPI's values per group (the caller divides for a mean)."""
    cols = [getattr(KpiValue, g) for g in group]
    stmt = (select(*cols, func.sum(KpiValue.value).label("total"), func.count().label("n"),
                   func.max(KpiValue.production_date).label("last_date"))
            .where(KpiValue.kpi == kpi, KpiValue.location.in_(locations), KpiValue.production_date >= first,
                   KpiValue.production_date <= last))
    if shift:
        stmt = stmt.where(or_(KpiValue.shift == shift, KpiValue.shift == ""))
    if cols:
        stmt = stmt.group_by(*cols).order_by(*cols)
    return [dict(r) for r in session.execute(stmt).mappings()]


def last_recordable(session: Session, lines: tuple[str, ...], areas: tuple[str, ...], plant: bool,
                    until: datetime) -> datetime | None:
    """The latest recordable or lost-time case in a scope at or before ``until``."""
    where = [SafetyEvent.line.in_(lines)]
    if areas:
        where.append(and_(SafetyEvent.line == "", SafetyEvent.area.in_(areas)))
    if plant:
        where.append(and_(SafetyEvent.line == "", SafetyEvent.area == ""))
    return session.execute(
        select(func.max(SafetyEvent.at_utc))
        .where(SafetyEvent.kind.in_(("recordable", "lost_time")), SafetyEvent.at_utc <= until, or_(*where))
    ).scalar_one_or_none()


def first_record(session: Session, scope: ScopeFilter, until: datetime) -> datetime | None:
    """When a scope's data begins: the start of its earliest shift fact starting at or before ``until``."""
    stmt = select(ShiftFact.start_utc).where(ShiftFact.start_utc <= until)
    scope_filter = _fact_filter(scope)
    if scope_filter is not None:
        stmt = stmt.where(scope_filter)
    # by production date first, so the date indexes find the earliest rows without reading the rest
    return session.execute(stmt.order_by(ShiftFact.production_date, ShiftFact.start_utc).limit(1)).scalar_one_or_none()


def data_version(session: Session) -> int:
    """The data version (bumped by every load that stored rows)."""
    value = session.execute(select(Meta.value).where(Meta.key == "data_version")).scalar_one_or_none()
    return int(value or 0)


def latest_data(session: Session) -> datetime | None:
    """Latest record time over all shift facts."""
    return session.execute(select(func.max(ShiftFact.data_through_utc))).scalar_one_or_none()


def recent_runs(session: Session, limit: int = 50, source: str | None = None) -> list[LoadRun]:
    """The latest load runs, newest first."""
    stmt = select(LoadRun).order_by(LoadRun.started_at.desc(), LoadRun.id.desc()).limit(limit)
    if source:
        stmt = stmt.where(LoadRun.source == source)
    return list(session.execute(stmt).scalars())


def sources_read_through(session: Session) -> dict[str, datetime]:
    """Per source: when it was last read without failing (the end of its latest good run): its data is as complete
    as the source's own export up to that instant."""
    stmt = (select(LoadRun.source, func.max(LoadRun.finished_at))
            .where(LoadRun.status.in_(("ok", "idle", "partial")), LoadRun.finished_at.is_not(None))
            .group_by(LoadRun.source))
    out = {}
    for source, finished in session.execute(stmt):
        if isinstance(finished, str):  # SQLite returns max() of a datetime as text
            finished = datetime.fromisoformat(finished)
        if finished.tzinfo is None:
            finished = finished.replace(tzinfo=UTC)
        out[source] = finished
    return out


def source_status(session: Session) -> dict[str, dict[str, LoadRun | None]]:
    """Per source: its latest run, latest load (a run that read files or rows, whatever it made of them), latest
    successful run and latest failed run."""
    out: dict[str, dict[str, LoadRun | None]] = {}
    read_something = or_(LoadRun.rows_read > 0, LoadRun.files_loaded > 0, LoadRun.rows_rejected > 0)
    for status_group, where in (("last", None), ("last_load", read_something),
                                ("last_success", LoadRun.status.in_(("ok", "idle", "partial"))),
                                ("last_failure", LoadRun.status == "failed")):
        sub = select(LoadRun.source, func.max(LoadRun.id).label("id"))
        if where is not None:
            sub = sub.where(where)
        sub = sub.group_by(LoadRun.source).subquery()
        for run in session.execute(select(LoadRun).join(sub, LoadRun.id == sub.c.id)).scalars():
            out.setdefault(run.source, {"last": None, "last_load": None, "last_success": None, "last_failure": None})
            out[run.source][status_group] = run
    return out


def quarantine(session: Session, limit: int = 200) -> list[QuarantinedRow]:
    """The latest quarantined rows, newest first."""
    return list(session.execute(
        select(QuarantinedRow).order_by(QuarantinedRow.id.desc()).limit(limit)).scalars())
