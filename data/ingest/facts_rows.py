"""The records the production and labour facts are built from, read for several lines and about a month at once
(one query each, not one per line and month); each line's share of a shorter window is then taken in memory.

The rows a file has just written need not be read back: a load whose rows were all new keeps them (``Written``,
up to ``WRITTEN_ROWS``) and the facts read only the rows stored before it, adding the file's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

import numpy as np
from huddle.data.ingest import bulk
from huddle.data.ingest.file_index import group_codes
from huddle.data.instants import micros_of_utc
from sqlalchemy.orm import Session

#: the longest a count interval may last (a count starting this long before a window may still belong to it)
COUNT_LONGEST = timedelta(hours=12)
#: the longest stop the windows look back for (a stop that started before a window and runs into it)
LOOKBACK = timedelta(days=7)
#: the most rows a file keeps for its facts (a chunk's, ``file_load.CHUNK_ROWS``); a longer file's are read back,
#: so its memory stays that of a chunk
WRITTEN_ROWS = 50_000
#: the columns of each record type the facts read, after the line and the two instants
_VALUES = {"production_counts": ("product", "total", "good", "planned_qty"), "stop_events": ("category",)}


@dataclass
class Written:
    """The rows one file wrote to a table (counts or stops), all new, as the facts read them: by line, starts and
    ends in microseconds, then the other values. Rows stored before the file have an ``id`` of at most ``below``;
    the file's own rows carry its run."""

    table: str
    below: int
    run_id: int
    parts: dict[str, list[list[Any]]] = field(default_factory=dict)
    rows: int = 0

    @classmethod
    def start(cls, session: Session, table: str, run_id: int, below: int | None = None) -> Written:
        """Keep the rows a file will write to ``table`` (a counts or stops table), whose highest ``id`` before the
        file is ``below`` (read when not given)."""
        if below is None:
            below = bulk.driver_rows(session, f"SELECT MAX(id) FROM {table}")[0][0] or 0
        return cls(table, below, run_id)

    def add(self, columns: dict[str, list[Any]], instants: dict[str, np.ndarray]) -> bool:
        """Keep a clean chunk's rows (given as the table's columns); False when there are more than the file may
        keep (then none are kept: they are read back)."""
        n = len(columns["line"])
        self.rows += n
        if self.rows > WRITTEN_ROWS:
            self.parts.clear()
            return False
        values = [instants["start_utc"], instants["end_utc"],
                  *(np.asarray(columns[c], dtype=object) for c in _VALUES[self.table])]
        for line, part in _by_line(columns["line"], values).items():
            self.parts.setdefault(line, []).append(part)
        return True

    def exclusion(self) -> str:
        """SQL keeping out of a read of the table the rows this file wrote (new rows of its run, after ``below``)."""
        return f" AND (run_id IS NULL OR run_id <> {int(self.run_id)} OR id <= {int(self.below)})"

    def merged(self, stored: dict[str, list[Any]], lines: list[str], times_only: bool = False) -> dict[str, list[Any]]:
        """The rows read (by line) with this file's own of the same lines."""
        out = dict(stored)
        for line in lines:
            parts = self.parts.get(line)
            if not parts:
                continue
            mine = [np.concatenate(column) for column in zip(*parts, strict=True)]
            if times_only:
                mine = mine[:2]
            before = out.get(line)
            out[line] = mine if before is None else [np.concatenate(pair) for pair in zip(before, mine, strict=True)]
        return out


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
    def read(cls, session: Session, lines: list[str], lo: datetime, hi: datetime, counts_kept: bool,
             written: Written | None = None) -> ProductionRows:
        """Read the lines' rows in the window (only the counts' times when ``counts_kept``); the rows a file has
        just written, when it kept them (``written``), are taken from it instead of read back."""
        marks = ", ".join(f":l{i}" for i in range(len(lines)))
        named = {f"l{i}": line for i, line in enumerate(lines)}
        values = "" if counts_kept else ", product, total, good, planned_qty"
        own = {written.table: written} if written is not None else {}
        by_counts, by_stops = _read_by_line(session, [
            ("production_counts", values, f"line IN ({marks}) AND start_utc >= :lo AND start_utc < :hi"
             + (own["production_counts"].exclusion() if "production_counts" in own else "")),
            ("stop_events", ", category", f"line IN ({marks}) AND start_utc >= :slo AND start_utc < :hi "
             "AND end_utc > :start" + (own["stop_events"].exclusion() if "stop_events" in own else ""))],
            lo=lo - COUNT_LONGEST, slo=lo - LOOKBACK, hi=hi, start=lo, **named)
        if "production_counts" in own:
            by_counts = own["production_counts"].merged(by_counts, lines, times_only=counts_kept)
        if "stop_events" in own:
            by_stops = own["stop_events"].merged(by_stops, lines)
        return cls(by_counts, by_stops)

    def counts_of(self, line: str, lo: datetime, hi: datetime) -> list[Any] | None:
        """A line's counts starting in [lo − 12 h, hi), as columns, or None when it has none."""
        return _window(self.counts.get(line), micros_of_utc(lo - COUNT_LONGEST), micros_of_utc(hi), None)

    def stops_of(self, line: str, lo: datetime, hi: datetime) -> list[Any] | None:
        """A line's stops starting in [lo − 7 days, hi) and ending after lo, as columns, or None."""
        return _window(self.stops.get(line), micros_of_utc(lo - LOOKBACK), micros_of_utc(hi), micros_of_utc(lo))


def _read_by_line(session: Session, parts: list[tuple[str, str, str]], **params: Any) -> list[dict[str, list[Any]]]:
    """For each (table, values, where) of ``parts``, the table's rows matching ``where``, as columns per line: the
    starts and ends in microseconds, then ``values`` (SQL, each column after a comma). On PostgreSQL all the
    parts come in one statement, each line's rows as one row: the instants as the text of their microseconds,
    parsed a whole column at once, the other values as arrays (no Python value made per instant)."""
    start_us, end_us = bulk.micros_sql(session, "start_utc"), bulk.micros_sql(session, "end_utc")
    if session.get_bind().dialect.name != "postgresql":
        return [_rows_by_line(bulk.driver_rows(
            session, f"SELECT line, {start_us}, {end_us}{values} FROM {table} WHERE {where}", **_used(where, params)))
            for table, values, where in parts]
    names = [[name.strip() for name in values.split(",")[1:]] for _table, values, _where in parts]
    offsets = np.cumsum([0, *map(len, names)]).tolist()
    selects = []
    for k, (table, _values, where) in enumerate(parts):
        # each part's values in columns of their own, NULL in the other parts' rows (UNION ALL needs one shape)
        arrays = ["NULL"] * offsets[-1]
        arrays[offsets[k]:offsets[k + 1]] = [f"array_agg({name} ORDER BY id)" for name in names[k]]
        selects.append(f"SELECT {k}, line, string_agg(CAST({start_us} AS text), ',' ORDER BY id), "
                       f"string_agg(CAST({end_us} AS text), ',' ORDER BY id){''.join(', ' + a for a in arrays)} "
                       f"FROM {table} WHERE {where} GROUP BY line")
    out: list[dict[str, list[Any]]] = [{} for _ in parts]
    for k, line, starts, ends, *rest in bulk.driver_rows(session, " UNION ALL ".join(selects), **params):
        out[k][line] = [np.fromstring(starts, dtype=np.int64, sep=","), np.fromstring(ends, dtype=np.int64, sep=","),
                        *(np.asarray(column, dtype=object) for column in rest[offsets[k]:offsets[k + 1]])]
    return out


def _used(where: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a statement names."""
    return {name: params[name] for name in re.findall(r":(\w+)", where)}


def _rows_by_line(rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """Rows whose first value is the line, as columns per line (the instants in microseconds)."""
    if not rows:
        return {}
    # a column at a time: much cheaper than zip(*rows) on many rows
    line, start, end, *rest = (list(map(itemgetter(i), rows)) for i in range(len(rows[0])))
    return _by_line(line, [_micros(start), _micros(end), *(np.asarray(col, dtype=object) for col in rest)])


def _by_line(line: list[str], columns: list[np.ndarray]) -> dict[str, list[Any]]:
    """Columns split by the rows' line."""
    codes, code = group_codes(line)
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
