"""Rows in PostgreSQL's ``COPY`` text format, built a column at a time: a loader's rows reach the server as one
block of text instead of one ``write_row`` call (and one value dumped at a time) per row.

Plain values only: text, whole and decimal numbers, days and naive (UTC) times, missing values. A column holding
anything else (a time with an offset, a boolean, a decimal) makes ``copy_text`` answer None, and the rows are
copied with ``write_row`` as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = ("\\", "\t", "\n", "\r")


def copy_text(rows: Sequence[Sequence[Any]]) -> str | None:
    """The rows as COPY text (a line each), or None when a value is not of a plain kind."""
    if not rows:
        return ""
    texts = []
    for values in zip(*rows, strict=True):
        text = _column_text(values)
        if text is None:
            return None
        texts.append(text)
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def _column_text(values: tuple[Any, ...]) -> list[str] | None:
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    kinds.discard(type(None))
    if not kinds:
        return [_NULL] * len(values)
    if len(kinds) > 1:
        return None
    kind = kinds.pop()
    if kind is str:
        joined = "\x00".join([v for v in values if v is not None] if nulls else values)
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
    if not nulls:
        return list(values) if write is None else list(map(write, values))
    if write is None:
        return [_NULL if v is None else v for v in values]
    return [_NULL if v is None else write(v) for v in values]


def _escaped(value: str) -> str:
    return value.translate(_ESCAPES)
