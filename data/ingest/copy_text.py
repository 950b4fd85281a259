"""Rows in PostgreSQL's ``COPY`` text format, built a column at a time: a loader's rows reach the server as one
block of text instead of one ``write_row`` call (and one value dumped at a time) per row; and a column as an
array literal (``array_text``), for statements that take many rows as one array per column.

Plain values only: text, whole and decimal numbers, days and naive (UTC) times, missing values. A column holding
anything else (a time with an offset, a boolean, a decimal) makes ``copy_text`` answer None, and the rows are
copied with ``write_row`` as before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = ("\\", "\t", "\n", "\r")
#: a column with at most one distinct value in this many has each written once
_REPEATED = 4


def copy_text(rows: Sequence[Sequence[Any]]) -> str | None:
    """The rows as COPY text (a line each), or None when a value is not of a plain kind."""
    return columns_text(list(zip(*rows, strict=True))) if rows else ""


def columns_text(columns: Sequence[Sequence[Any]]) -> str | None:
    """Rows given as columns (of equal length) as COPY text, a line each, or None when a value is not of a plain
    kind: the loaders hold their rows as columns, so they are turned into lines once, here."""
    if not columns or not len(columns[0]):
        return ""
    texts = []
    for values in columns:
        text = _column_text(values)
        if text is None:
            return None
        texts.append(text)
    if len(texts) == 1:
        return "\n".join(texts[0]) + "\n"
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def _column_text(values: Sequence[Any]) -> Sequence[str] | None:
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    kinds.discard(type(None))
    if not kinds:
        return [_NULL] * len(values)
    if len(kinds) > 1:
        return None
    kind = kinds.pop()
    distinct = set(values)
    if kind is str:
        joined = "\x00".join(distinct - {None})
        write = _escaped if any(c in joined for c in _SPECIAL) else None
    elif kind is int or kind is date:
        write = str
    elif kind is float:
        write = repr
    elif kind is datetime:
        if any(v.tzinfo is not None for v in values if v is not None):
            return None  # a timestamp column would drop the offset silently
        write = str
    else:
        return None
    if write is None:
        return [_NULL if v is None else v for v in values] if nulls else values
    if len(distinct) * _REPEATED <= len(values):  # a column of few values (a line, a run): each written once
        written = {v: _NULL if v is None else write(v) for v in distinct}
        return [written[v] for v in values]
    if not nulls:
        return list(map(write, values))
    return [_NULL if v is None else write(v) for v in values]


def array_text(values: Sequence[Any]) -> str | None:
    """A column as the text of a PostgreSQL array (``{…}``), for a parameter cast to an array of the column's
    type; None when a value is not of a plain kind (or a number is not finite)."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if len(kinds) > 1:
        return None
    kind = kinds.pop() if kinds else type(None)
    if kind is str:
        write = _quoted
    elif kind is int or kind is date or kind is type(None):
        write = str
    elif kind is float:
        write = repr
    elif kind is datetime:
        write = _quoted_str
    else:
        return None
    distinct = set(values)  # the checks look at each distinct value once: fact columns repeat theirs a lot
    if kind is float and not _finite(distinct):
        return None
    if kind is datetime and any(v.tzinfo is not None for v in distinct if v is not None):
        return None
    if len(distinct) * _REPEATED <= len(values):
        written = {v: "NULL" if v is None else write(v) for v in distinct}
        return "{" + ",".join(map(written.__getitem__, values)) + "}"
    if None in distinct:
        return "{" + ",".join(["NULL" if v is None else write(v) for v in values]) + "}"
    return "{" + ",".join(map(write, values)) + "}"


def _finite(values: set[Any]) -> bool:
    """Whether every number (None aside) is finite: their sum is finite only then (an infinity or a NaN carries
    through a sum), unless the sum overflowed, when each is looked at."""
    numbers = values - {None}
    return math.isfinite(sum(numbers)) or all(map(math.isfinite, numbers))


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quoted_str(value: Any) -> str:
    return f'"{value}"'


def _escaped(value: str) -> str:
    return value.translate(_ESCAPES)
