"""Keeping ``month_facts``, the shift facts summed per line (or area), month and shift: after the facts of some
lines' months change, their month rows are deleted and summed again from the shift rows, in the same transaction
(a month's sums are never adjusted, so they cannot drift from the shift rows they sum).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from huddle.data.models import ShiftFact
from huddle.data.models_months import FACT_MEASURES, MONTH_FACTS
from huddle.data.queries.readings import limit_breaks, month_of
from sqlalchemy import bindparam, case, delete, func, insert, select, tuple_
from sqlalchemy.orm import Session


def refresh_month_facts(session: Session, months: set[tuple[str, str, str]]) -> None:
    """Sum ``month_facts`` again from the shift facts for some lines' (or areas') months, each (line, area,
    'YYYY-MM'): every month from the first to the last of them, for each of their lines, deleted and summed anew
    (a month's sums are always its shift rows', whatever changed in them)."""
    if not months:
        return
    first, last = min(m for _l, _a, m in months), max(m for _l, _a, m in months)
    end = date.fromisoformat(f"{last}-01") + timedelta(days=31)
    params = {"pairs": sorted({(line, area) for line, area, _month in months}), "first": first, "last": last,
              "first_day": date.fromisoformat(f"{first}-01"), "end_day": end.replace(day=1)}
    clear, fill = _month_statements()
    session.execute(clear, params)
    session.execute(fill, params)


@cache
def _month_statements() -> tuple[Any, Any]:
    """``refresh_month_facts``' two statements, built once (building them cost as much as running them)."""
    t, f = MONTH_FACTS.c, ShiftFact.__table__.c
    pairs = bindparam("pairs", expanding=True)
    clear = delete(MONTH_FACTS).where(t.month >= bindparam("first"), t.month <= bindparam("last"),
                                      tuple_(t.line, t.area).in_(pairs))
    month = month_of(f.production_date)
    breaks = limit_breaks(f)  # the readings' own conditions
    summed = (select(f.line, f.area, month, f.shift, *(func.sum(f[m]) for m in FACT_MEASURES),
                     *(func.sum(case((broken, 1), else_=0)) for broken in breaks.values()),
                     func.max(f.data_through_utc), func.count(), func.sum(case((f.line != "", 1), else_=0)))
              .where(f.production_date >= bindparam("first_day"), f.production_date < bindparam("end_day"),
                     tuple_(f.line, f.area).in_(bindparam("pairs", expanding=True)))
              .group_by(f.line, f.area, month, f.shift))
    names = ["line", "area", "month", "shift", *FACT_MEASURES, *(f"n_{key}" for key in breaks), "data_through_utc",
             "facts", "line_shifts"]
    return clear, insert(MONTH_FACTS).from_select(names, summed)
