"""The row screen a column at a time, for a chunk of rows that is clean: what export files nearly always are.

A chunk's cells are taken column by column; each column's distinct values are parsed once with the contract's own
parsers (``RowScreen``'s), and the record type's row checks (end after start, good ≤ total, a known stop reason,
...) run over the columns. When every cell parses and every row passes, the chunk's clean values come back as
columns; when any row does not, the answer is None and the chunk goes row by row through ``RowScreen``, which names
every problem in the validator's words. Both give the same clean values for a clean row (the normalisations of the
row checks included: an empty product or equipment is "", a stop's category is its reason's, missing overtime is
0); tests/integration/test_fast_chunks.py holds the two paths to the same stored rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import gt, itemgetter
from typing import Any

import numpy as np
from huddle.data.ingest.column_parse import InstantColumn, iso_micros, whole_numbers
from huddle.data.ingest.screen import _BLANK, _CACHE_SIZE, _FAILED, RowScreen
from huddle.data.instants import micros_of_utc

#: a column with more than one distinct value in this many is parsed a column at a time (``column_parse``); one
#: with fewer parses each distinct value once, through the screen's cache
_MOSTLY_DISTINCT = 4
#: the longest a count interval and a stop may last, in microseconds (as the row checks say)
_COUNT_LONGEST = 12 * 3600 * 10**6
_STOP_LONGEST = 7 * 86400 * 10**6


@dataclass
class ColumnChunk:
    """A clean chunk: its line numbers, its clean values by contract column, its instants in microseconds."""

    numbers: list[int]
    values: dict[str, Sequence[Any]]
    micros: dict[str, np.ndarray]
    #: the instant columns with a time in every row (their microseconds say all their values do)
    complete: set[str] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.numbers)

    def rows(self) -> list[dict[str, Any]]:
        """The clean rows as the row screen gives them (for the rare steps that need them one by one)."""
        names = list(self.values)
        return [dict(zip(names, vals, strict=True)) for vals in zip(*self.values.values(), strict=True)]


def screen_columns(screen: RowScreen, chunk: list[tuple[int, list[Any]]], positions: dict[str, int],
                   width: int) -> ColumnChunk | None:
    """The chunk's clean values as columns, or None when a row is not clean (or not plain text, as workbook cells
    are) and the chunk must go row by row."""
    check = _CHECKS.get(screen.record.name)
    if check is None or not chunk:
        return None
    cells = [c for _n, c in chunk]
    if set(map(len, cells)) != {width}:
        return None
    values: dict[str, Sequence[Any]] = {}
    instants_us: dict[str, np.ndarray] = {}
    complete: set[str] = set()
    for name, kind, required, is_instant, cache in screen._plan:
        at = positions.get(name)
        if at is None:
            if required:
                return None
            values[name] = [None] * len(cells)
            continue
        column = list(map(itemgetter(at), cells))  # a column at a time, looked up in C
        # instants parsed all at once whenever they are plain ISO 8601 with an offset: a file's times seldom recur
        # in the next file, so parsing each distinct one (an hour's, for each of an area's lines) gains nothing
        if is_instant and (us := iso_micros(column)) is not None:
            values[name], instants_us[name] = InstantColumn(us), us
            complete.add(name)
            continue
        distinct = set(column)
        # numbers parsed all at once when mostly distinct (else each distinct value once)
        if (len(distinct) * _MOSTLY_DISTINCT > len(column) and kind in ("int", "float")
                and (numbers := whole_numbers(column)) is not None):
            values[name] = numbers.astype(np.int64).tolist() if kind == "int" else numbers.tolist()
            continue
        parsed: dict[Any, Any] = {}
        for value in distinct:
            if type(value) is not str:
                return None
            found = cache.get(value, None)
            if found is None:
                if len(cache) >= _CACHE_SIZE:  # as the row screen: all-distinct columns would grow with the file
                    cache.clear()
                found = cache[value] = _BLANK if not value.strip() else screen._parse(name, kind, value)
            if found is _FAILED or (found is _BLANK and required):
                return None
            parsed[value] = None if found is _BLANK else found
        values[name] = list(map(parsed.__getitem__, column))
        if is_instant:
            as_micros = {v: (micros_of_utc(p) if p is not None else 0) for v, p in parsed.items()}
            instants_us[name] = np.fromiter(map(as_micros.__getitem__, column), dtype=np.int64, count=len(column))
            if None not in parsed.values():
                complete.add(name)
    out = ColumnChunk([n for n, _c in chunk], values, instants_us, complete)
    if not check(screen, out):
        return None
    _remember_latest(screen, out, cells, positions)
    return out


def _remember_latest(screen: RowScreen, chunk: ColumnChunk, cells: list[list[Any]], positions: dict[str, int]) -> None:
    """What the validator remembers of a series' last row, for a later time in the hour that repeats when clocks
    go back (as the row screen does for every row it accepts; a series is the row's line or location as written)."""
    names = [n for n, _k, _r, is_instant, _c in screen._plan if is_instant]
    if not names:
        return
    line, location = positions.get("line"), positions.get("location")
    if line is not None and location is None:  # the line as written: every cell of a clean chunk is text
        series = list(map(itemgetter(line), cells))
    else:
        series = [str((c[line] if line is not None else None) or (c[location] if location is not None else None)
                      or "") for c in cells]
    latest = screen.validator._latest
    # each series' last row (its instants alone are made)
    last = dict(zip(series, range(len(series)), strict=True))
    for name in names:
        column = chunk.values[name]
        for key, i in last.items():
            at = column[i]
            if at is not None:
                latest[(key, name)] = at


# ---- the record types' row checks, over columns --------------------------------------------------------------
# Each answers whether every row passes the record type's check in RowValidator (contract.py), and applies the
# same normalisations to the columns.


def _counts(screen: RowScreen, c: ColumnChunk) -> bool:
    span = c.micros["end"] - c.micros["start"]
    if bool(((span <= 0) | (span > _COUNT_LONGEST)).any()):
        return False
    if any(map(gt, c.values["good"], c.values["total"])):  # the columns are of one chunk: of one length
        return False
    c.values["product"] = [p or "" for p in c.values["product"]]
    return True


def _stops(screen: RowScreen, c: ColumnChunk) -> bool:
    span = c.micros["end"] - c.micros["start"]
    if bool(((span <= 0) | (span > _STOP_LONGEST)).any()):
        return False
    catalogue = screen.validator.config.stop_reasons
    categories = c.values["category"]
    if catalogue:
        reasons = c.values["reason"]
        for reason, category in set(zip(reasons, categories, strict=True)):
            known = catalogue.get(reason)
            if known is None or (category and category != known):
                return False
        categories = c.values["category"] = [catalogue[r] for r in reasons]
    if not all(categories):
        return False
    c.values["equipment"] = [e or "" for e in c.values["equipment"]]
    return True


def _quality(screen: RowScreen, c: ColumnChunk) -> bool:
    c.values["escape"] = [e or "" for e in c.values["escape"]]
    types = screen.validator.config.defect_types
    return not types or all(d in types for d in set(c.values["defect"]))


def _labour(screen: RowScreen, c: ColumnChunk) -> bool:
    overtime = c.values["overtime_hours"] = [o or 0.0 for o in c.values["overtime_hours"]]
    for hours, present, extra in zip(c.values["hours_worked"], c.values["present_headcount"], overtime,
                                     strict=True):
        if hours > 24 * max(present, 1) or extra > hours:
            return False
    return True


_CHECKS: dict[str, Callable[[RowScreen, ColumnChunk], bool]] = {
    "production_counts": _counts, "stop_events": _stops, "quality_events": _quality, "labour": _labour,
}
