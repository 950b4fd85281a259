"""The records the production and labour facts are built from, read for several lines and about a month at once
(one query each, not one per line and month); each line's share of a shorter window is then taken in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

import numpy as np
from huddle.data.ingest import bulk
from huddle.data.ingest.file_index import micros
from sqlalchemy.orm import Session

#: the longest a count interval may last (a count starting this long before a window may still belong to it)
COUNT_LONGEST = timedelta(hours=12)
#: the longest stop the windows look back for (a stop that started before a window and runs into it)
LOOKBACK = timedelta(days=7)


def _micros(values: list[Any]) -> np.ndarray:
    """Microseconds since 1970 of instants as the driver gives them (UTC text, naive UTC or microseconds)."""
    return np.asarray(values, dtype="datetime64[us]").astype(np.int64)


@dataclass
class ProductionRows:
    """Some lines' counts (starting in [lo − 12 h, hi)) and stops (starting in [lo − 7 days, hi), ending after
    lo), by line, as columns: starts and ends in microseconds, then the other values."""

    counts: dict[str, list[Any]] = field(default_factory=dict)
    stops: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, lines: list[str], lo: datetime, hi: datetime, counts_kept: bool
             ) -> ProductionRows:
        """Read the lines' rows in the window (only the counts' times when ``counts_kept``)."""
        start_us, end_us = bulk.micros_sql(session, "start_utc"), bulk.micros_sql(session, "end_utc")
        marks = ", ".join(f":l{i}" for i in range(len(lines)))
        named = {f"l{i}": line for i, line in enumerate(lines)}
        values = "" if counts_kept else ", product, total, good, planned_qty"
        counts = bulk.driver_rows(
            session, f"SELECT line, {start_us}, {end_us}{values} FROM production_counts "
            f"WHERE line IN ({marks}) AND start_utc >= :lo AND start_utc < :hi",
            lo=lo - COUNT_LONGEST, hi=hi, **named)
        stops = bulk.driver_rows(
            session, f"SELECT line, {start_us}, {end_us}, category FROM stop_events "
            f"WHERE line IN ({marks}) AND start_utc >= :lo AND start_utc < :hi AND end_utc > :start",
            lo=lo - LOOKBACK, hi=hi, start=lo, **named)
        return cls(_by_line(counts), _by_line(stops))

    def counts_of(self, line: str, lo: datetime, hi: datetime) -> list[Any] | None:
        """A line's counts starting in [lo − 12 h, hi), as columns, or None when it has none."""
        return _window(self.counts.get(line), micros(lo - COUNT_LONGEST), micros(hi), None)

    def stops_of(self, line: str, lo: datetime, hi: datetime) -> list[Any] | None:
        """A line's stops starting in [lo − 7 days, hi) and ending after lo, as columns, or None."""
        return _window(self.stops.get(line), micros(lo - LOOKBACK), micros(hi), micros(lo))


def _by_line(rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """Rows whose first value is the line, as columns per line (the instants in microseconds)."""
    if not rows:
        return {}
    # a column at a time: much cheaper than zip(*rows) on many rows
    line, start, end, *rest = (list(map(itemgetter(i), rows)) for i in range(len(rows[0])))
    columns = [_micros(start), _micros(end), *(np.asarray(col, dtype=object) for col in rest)]
    codes: dict[str, int] = {}
    code = np.fromiter((codes.setdefault(name, len(codes)) for name in line), dtype=np.int64, count=len(line))
    if len(codes) == 1:
        return {line[0]: columns}
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(len(codes) + 1))
    return {name: [col[order[bounds[k]:bounds[k + 1]]] for col in columns] for name, k in codes.items()}


def _window(columns: list[Any] | None, lo: int, hi: int, ending_after: int | None) -> list[Any] | None:
    if columns is None:
        return None
    s, e = columns[0], columns[1]
    keep = (s >= lo) & (s < hi)
    if ending_after is not None:
        keep &= e > ending_after
    if not keep.any():
        return None
    return [col[keep] for col in columns]


def labour_rows(session: Session, lines: list[str], first: date, last: date
                ) -> dict[str, list[tuple[date, str, float, float, float, float]]]:
    """The lines' labour rows of the production days [first, last], by line: (day, shift, planned and present
    headcount, hours worked, overtime)."""
    marks = ", ".join(f":l{i}" for i in range(len(lines)))
    rows = bulk.driver_rows(
        session, "SELECT line, production_date, shift, planned_headcount, present_headcount, hours_worked, "
        f"overtime_hours FROM labour WHERE line IN ({marks}) AND production_date >= :first "
        "AND production_date <= :last",
        first=first, last=last, **{f"l{i}": line for i, line in enumerate(lines)})
    out: dict[str, list[tuple[date, str, float, float, float, float]]] = {}
    for line, day, *rest in rows:  # SQLite gives the day as its ISO text
        out.setdefault(line, []).append((date.fromisoformat(day) if isinstance(day, str) else day, *rest))
    return out
