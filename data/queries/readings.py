"""The readings' queries: summed measures of a scope and period, direct KPI values, and where a scope's data begins.

Every roll-up is a SQL ``SUM`` of stored numerators and denominators over the matching ``shift_facts`` rows (the
whole months of a range over their ``month_facts`` rows, the same rows summed by month), grouped as the caller
needs (never a mean of ratios, never the whole history in memory).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from huddle.dashboard.core.kpi import MEASURES, PLAUSIBILITY
from huddle.data.models import KpiValue, ShiftFact
from huddle.data.models_months import MONTH_FACTS
from huddle.data.queries.scope import ScopeFilter, in_scope_bound, scope_params, scope_shape
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class month_of(FunctionElement[str]):  # noqa: N801 - a SQL function, named as SQL names them
    """The calendar month of a date column as its period label, 'YYYY-MM', in the database's own words."""

    type = String()
    name = "month_of"
    inherit_cache = True


@compiles(month_of)
def _month_of_sqlite(element: month_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"  # SQLite keeps a date as 'YYYY-MM-DD'


@compiles(month_of, "postgresql")
def _month_of_postgresql(element: month_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class week_of(FunctionElement[int]):  # noqa: N801 - a SQL function, named as SQL names them
    """The ISO week of a date column as whole weeks since Monday 1970-01-05 (``WEEK_ZERO``), in the database's own
    words: the week's Monday is ``WEEK_ZERO`` plus that many weeks."""

    type = Integer()
    name = "week_of"
    inherit_cache = True


#: the Monday ``week_of`` counts weeks from
WEEK_ZERO = date(1970, 1, 5)


@compiles(week_of)
def _week_of_sqlite(element: week_of, compiler: SQLCompiler, **kw: object) -> str:
    # julianday of 1970-01-05 is 2440591.5; production dates are later, so the cast's truncation is a floor
    return f"CAST((julianday({compiler.process(element.clauses, **kw)}) - 2440591.5) / 7 AS INTEGER)"


@compiles(week_of, "postgresql")
def _week_of_postgresql(element: week_of, compiler: SQLCompiler, **kw: object) -> str:
    return f"(({compiler.process(element.clauses, **kw)} - DATE '1970-01-05') / 7)"


#: what ``sums_by`` may group by besides the columns of its name
_GROUPS = {"month": lambda: month_of(ShiftFact.production_date).label("month"),
           "week": lambda: week_of(ShiftFact.production_date).label("week")}


@cache
def _measure_sums(measures: frozenset[str] | None = None) -> tuple[ColumnElement[float], ...]:
    """SUM(measure) for every measure (or those of ``measures``), built once per set (rebuilding them was a quarter
    of a board's time), and how many line-shifts break each physical limit of ``dashboard.kpi.PLAUSIBILITY`` that
    concerns them (``n_<key>``)."""
    f = ShiftFact
    checked = {c.key for c in PLAUSIBILITY if measures is None or c.measures & measures}
    return (*(func.sum(getattr(f, m)).label(m) for m in MEASURES if measures is None or m in measures),
            *(func.sum(case((condition, 1), else_=0)).label(f"n_{key}") for key, condition in limit_breaks(f).items()
              if key in checked))


def limit_breaks(f: Any) -> dict[str, ColumnElement[bool]]:
    """Per physical limit of ``dashboard.kpi.PLAUSIBILITY``, when a fact row (``f``: ``shift_facts``' columns)
    breaks it."""
    broken = {
        # one second of slack per shift for rounding in the exports' times
        "over_performance": f.ideal_total_s > f.run_s * 1.000001 + 1,
        "good_over_total": f.good_count > f.total_count,
        "stops_over_time": f.unplanned_stop_s + f.changeover_s > f.ppt_s + 60,
        "rejects_over_total": and_(f.total_count > 0, f.scrap_qty + f.rework_qty > f.total_count),
    }
    assert set(broken) == {c.key for c in PLAUSIBILITY}, "every plausibility check is counted"
    return broken


@cache
def _sums_statement(group: tuple[str, ...], measures: frozenset[str] | None, lines: bool, areas: bool, shift: bool,
                    spans: int, through: bool = True, one_line: bool = False) -> Select[Any]:
    """The statement of ``sums_by`` for one shape of call, built once and run with bound parameters (``first``,
    ``last``, ``lines``, ``areas``, ``shift``, ``span_1`` …): building and keying a statement of 40 columns took
    longer than running it for a line's shift."""
    f = ShiftFact
    cols: list[ColumnElement[Any]] = [_GROUPS[g]() if g in _GROUPS else getattr(f, g) for g in group]
    if spans > 1:
        cols.append(case(*((f.production_date < bindparam(f"span_{i}"), i - 1) for i in range(1, spans)),
                         else_=spans - 1).label("span"))
    latest = (func.max(f.data_through_utc).label("data_through"),) if through else ()
    stmt = (select(*cols, *_measure_sums(measures), *latest,
                   func.count().label("facts"), func.sum(case((f.line != "", 1), else_=0)).label("line_shifts"))
            .where(f.production_date >= bindparam("first"), f.production_date <= bindparam("last")))
    if lines:  # the rows ``in_scope`` keeps: the scope's lines, and its areas' area-level facts
        # one line is compared as such: a list expanded into the statement is rewritten at every run
        inside = f.line == bindparam("line") if one_line else f.line.in_(bindparam("lines", expanding=True))
        stmt = stmt.where(or_(inside, and_(f.line == "", f.area.in_(bindparam("areas", expanding=True))))
                          if areas else inside)
    if shift:
        stmt = stmt.where(f.shift == bindparam("shift"))
    if cols:
        # a span by its name: PostgreSQL would not see the expression's parameters as the same ones twice
        named = [literal_column("span") if c.key == "span" else c for c in cols]
        stmt = stmt.group_by(*named).order_by(*named)
    return stmt


def sums_by(session: Session, scope: ScopeFilter, first: date, last: date, shift: str | None = None,
            group: tuple[str, ...] = (), measures: frozenset[str] | None = None,
            spans: tuple[date, ...] = (), through: bool = True, months: bool = True) -> list[dict[str, object]]:
    """Summed measures (and the latest record time) per group over a scope and date range.

    ``group`` may name ``production_date``, ``shift``, ``line``, ``month`` (the month's label, 'YYYY-MM': a
    month's rows summed by the database rather than day by day in Python) and ``week`` (the ISO week, as whole weeks
    since ``WEEK_ZERO``); an empty group gives one row.
    ``measures`` limits the sums to those measures (and the plausibility counts that concern them): a year of
    shifts summed for two KPIs reads a fraction of the columns. ``spans``, the first days of consecutive spans of
    dates, groups by span too: a row's ``span`` is the index of the last of them on or before its days.
    ``through=False`` leaves the latest record time out (None): what ended periods' statuses alone need (a red
    streak's year of shifts) does not depend on it, and finding it was a quarter of the query's time on SQLite.

    The whole calendar months of the range are read from ``month_facts`` (their shift rows already summed) when the
    groups allow it (by line, area, shift or month, without spans), the days before and after them from
    ``shift_facts``; the sums are the same (``months=False`` reads only ``shift_facts``).
    """
    whole = _whole_months(first, last) if months and not spans and set(group) <= _MONTHLY_GROUPS else None
    one_line = not scope.plant and not scope.areas and len(scope.lines) == 1
    if whole is None:
        stmt = _sums_statement(group, measures, not scope.plant, bool(scope.areas), bool(shift), len(spans),
                               through, one_line)
        params: dict[str, object] = {"first": first, "last": last, "shift": shift}
        params |= {f"span_{i}": day for i, day in enumerate(spans) if i}
    else:
        (first_month, last_month), (before_lo, before_hi), (after_lo, after_hi) = whole
        stmt = _months_statement(group, measures, not scope.plant, bool(scope.areas), bool(shift), through, one_line)
        params = {"first_month": first_month, "last_month": last_month, "before_lo": before_lo,
                  "before_hi": before_hi, "after_lo": after_lo, "after_hi": after_hi, "shift": shift}
    if one_line:
        params["line"] = scope.lines[0]
    elif not scope.plant:
        params |= {"lines": list(scope.lines), "areas": list(scope.areas)}
    # run as a plain statement on the session's connection: it selects columns, not objects, so the ORM's way of
    # running it (twice the time of the query itself for a line's shift) adds nothing
    result = session.connection().execute(stmt, params)
    keys = list(result.keys())
    out = []
    for values in result:
        item = dict(zip(keys, values, strict=True))
        latest = item.get("data_through")
        if isinstance(latest, str):  # SQLite returns max() of a datetime as text
            item["data_through"] = datetime.fromisoformat(latest)
        if isinstance(item.get("data_through"), datetime) and item["data_through"].tzinfo is None:
            item["data_through"] = item["data_through"].replace(tzinfo=UTC)
        out.append(item)
    return out


#: the groups a sum of whole months can be read by from ``month_facts``
_MONTHLY_GROUPS = frozenset({"line", "area", "shift", "month"})


def _whole_months(first: date, last: date) -> tuple[tuple[str, str], tuple[date, date], tuple[date, date]] | None:
    """The whole calendar months of a date range (first and last label) and the days before and after them (empty
    spans have their end before their start); None when the range holds no whole month."""
    start = first if first.day == 1 else _next_month(first)
    end = last if _next_month(last) - timedelta(days=1) == last else last.replace(day=1) - timedelta(days=1)
    if end < start:
        return None
    return ((start.strftime("%Y-%m"), end.strftime("%Y-%m")), (first, start - timedelta(days=1)),
            (end + timedelta(days=1), last))


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@cache
def _months_statement(group: tuple[str, ...], measures: frozenset[str] | None, lines: bool, areas: bool,
                      shift: bool, through: bool, one_line: bool) -> Select[Any]:
    """``sums_by``'s statement for a range holding whole months: those months' rows of ``month_facts`` (from
    ``first_month`` to ``last_month``) and the shift rows of the days before and after them (``before_lo`` …
    ``before_hi``, ``after_lo`` … ``after_hi``), summed together in one statement (one snapshot of the facts)."""
    checked = [c.key for c in PLAUSIBILITY if measures is None or c.measures & measures]
    summed = [name for name in MEASURES if measures is None or name in measures]
    m, f = MONTH_FACTS.c, ShiftFact.__table__.c
    breaks = limit_breaks(f)

    def where(table: Any, stmt: Select[Any]) -> Select[Any]:
        if lines:
            inside = (table.line == bindparam("line") if one_line
                      else table.line.in_(bindparam("lines", expanding=True)))
            stmt = stmt.where(or_(inside, and_(table.line == "", table.area.in_(bindparam("areas", expanding=True))))
                              if areas else inside)
        return stmt.where(table.shift == bindparam("shift")) if shift else stmt

    months = where(m, select(m.line, m.area, m.shift, m.month, *(m[name] for name in summed),
                             *(m[f"n_{key}"] for key in checked), m.data_through_utc, m.facts, m.line_shifts)
                   .where(m.month >= bindparam("first_month"), m.month <= bindparam("last_month")))
    days = [where(f, select(f.line, f.area, f.shift, month_of(f.production_date).label("month"),
                            *(f[name] for name in summed),
                            *(case((breaks[key], 1), else_=0).label(f"n_{key}") for key in checked),
                            f.data_through_utc, literal(1).label("facts"),
                            case((f.line != "", 1), else_=0).label("line_shifts"))
                      .where(f.production_date >= bindparam(lo), f.production_date <= bindparam(hi)))
            for lo, hi in (("before_lo", "before_hi"), ("after_lo", "after_hi"))]
    rows = union_all(months, *days).subquery("summed")
    cols = [rows.c[g] for g in group]
    latest = (func.max(rows.c.data_through_utc).label("data_through"),) if through else ()
    stmt = select(*cols, *(func.sum(rows.c[name]).label(name) for name in summed),
                  *(func.sum(rows.c[f"n_{key}"]).label(f"n_{key}") for key in checked), *latest,
                  func.coalesce(func.sum(rows.c.facts), 0).label("facts"),
                  func.coalesce(func.sum(rows.c.line_shifts), 0).label("line_shifts"))
    if cols:
        stmt = stmt.group_by(*cols).order_by(*cols)
    return stmt


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


@cache
def _first_record_statement(shape: tuple[bool, bool]) -> Select[Any]:
    """``first_record``'s statement for a scope's shape, built once and run with bound parameters (building it
    took longer than running it for a line)."""
    stmt = select(ShiftFact.start_utc).where(ShiftFact.start_utc <= bindparam("until"))
    where = in_scope_bound(ShiftFact, shape)
    if where is not None:
        stmt = stmt.where(where)
    # by production date first, so the date indexes find the earliest rows without reading the rest
    return stmt.order_by(ShiftFact.production_date, ShiftFact.start_utc).limit(1)


def first_record(session: Session, scope: ScopeFilter, until: datetime) -> datetime | None:
    """When a scope's data begins: the start of its earliest shift fact starting at or before ``until``."""
    return session.execute(_first_record_statement(scope_shape(scope)),
                           {"until": until} | scope_params(scope)).scalar_one_or_none()
