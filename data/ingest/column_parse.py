"""A whole column of cell texts parsed at once, for the plain forms export files nearly always use: ISO 8601 times
with a UTC offset (``2026-11-20T06:00:00+01:00``) and whole numbers written as digits alone.

Each parser answers None as soon as one cell is written another way or is out of range; the column then goes
through the contract's own parsers value by value (``column_screen``), which accept every other form and name every
problem. For the cells they do accept, the answers are the contract's: the same UTC instant as ``parse_instant``,
the same number as ``parse_number`` (tests/unit/test_column_parse.py holds them to it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from operator import itemgetter, methodcaller
from typing import Any, overload

import numpy as np

#: an ISO 8601 time with seconds and an offset: positions of its digits and of its fixed characters
_ISO_LENGTH = 25
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24])
_FIXED = {4: "-", 7: "-", 13: ":", 16: ":", 22: ":"}
_LONGEST_DIGITS = 15  # whole numbers of up to 15 digits are exact as floats
_US_PER_MINUTE = 60 * 10**6
_AS_UTC = methodcaller("replace", tzinfo=UTC)


def _codes(column: list[Any], length: int | None) -> np.ndarray | None:
    """The column's texts as an (n, width) array of character codes (0 pads a shorter text), or None when a cell
    is not text or (with ``length``) not exactly that long."""
    if not column or set(map(type, column)) != {str}:
        return None
    arr = np.array(column)
    width = arr.dtype.itemsize // 4
    if length is not None and width != length:
        return None
    codes = arr.view(np.uint32).reshape(len(column), width)
    if int(np.count_nonzero(codes)) != sum(map(len, column)):  # a NUL in a text: not one of these forms
        return None
    if length is not None and not bool(codes[:, length - 1].all()):
        return None
    return codes


def iso_micros(column: list[Any]) -> np.ndarray | None:
    """UTC microseconds since 1970 of texts like ``2026-11-20T06:00:00+01:00`` (or with a space for the T), or None
    when a cell is written otherwise or names no real time."""
    codes = _codes(column, _ISO_LENGTH)
    if codes is None:
        return None
    digits = codes[:, _DIGITS].astype(np.int64) - 48
    if bool(((digits < 0) | (digits > 9)).any()):
        return None
    for at, char in _FIXED.items():
        if not bool((codes[:, at] == ord(char)).all()):
            return None
    if not bool(((codes[:, 10] == ord("T")) | (codes[:, 10] == ord(" "))).all()):
        return None
    plus, minus = codes[:, 19] == ord("+"), codes[:, 19] == ord("-")
    if not bool((plus | minus).all()):
        return None
    d = digits
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month, day = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    hour, minute, second = d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
    off_h, off_m = d[:, 14] * 10 + d[:, 15], d[:, 16] * 10 + d[:, 17]
    if bool(((year < 1000) | (year > 9000) | (month < 1) | (month > 12) | (day < 1) | (hour > 23) | (minute > 59)
             | (second > 59) | (off_h > 23) | (off_m > 59)).any()):
        return None
    first = (((year - 1970) * 12 + month - 1).astype("datetime64[M]")).astype("datetime64[D]").astype(np.int64)
    following = (((year - 1970) * 12 + month).astype("datetime64[M]")).astype("datetime64[D]").astype(np.int64)
    if bool((day > following - first).any()):
        return None
    local = ((first + day - 1) * 1440 + hour * 60 + minute) * _US_PER_MINUTE + second * 10**6
    offset = (off_h * 60 + off_m) * _US_PER_MINUTE
    return local - np.where(plus, offset, -offset)


def instants(us: np.ndarray) -> list[datetime]:
    """Aware UTC datetimes of microseconds since 1970 (each distinct one made once)."""
    if not len(us):
        return []
    distinct, where = np.unique(us, return_inverse=True)
    made = list(map(_AS_UTC, distinct.view("datetime64[us]").tolist()))
    if len(made) == 1:
        return made * len(us)
    return list(itemgetter(*where.tolist())(made))


class InstantColumn(Sequence[datetime]):
    """A column of instants held as microseconds since 1970, its aware UTC datetimes made when first asked for
    (``instants``): a clean chunk's steps mostly use the microseconds, and a datetime made for every row would cost
    more than the rest of its screening."""

    __slots__ = ("_made", "micros")

    def __init__(self, micros: np.ndarray) -> None:
        self.micros = micros
        self._made: list[datetime] | None = None

    def made(self) -> list[datetime]:
        """The datetimes, all made (once)."""
        if self._made is None:
            self._made = instants(self.micros)
        return self._made

    def __len__(self) -> int:
        return len(self.micros)

    @overload
    def __getitem__(self, i: int) -> datetime: ...

    @overload
    def __getitem__(self, i: slice) -> list[datetime]: ...

    def __getitem__(self, i: int | slice) -> datetime | list[datetime]:
        if isinstance(i, slice) or self._made is not None:
            return self.made()[i]
        return _AS_UTC(self.micros[i].astype("datetime64[us]").item())

    def __iter__(self) -> Iterator[datetime]:
        return iter(self.made())

    def __contains__(self, value: object) -> bool:
        return value is not None and value in self.made()

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, InstantColumn) else other)

    __hash__ = None  # type: ignore[assignment]


def stored_text(us: np.ndarray) -> list[str]:
    """Instants (microseconds since 1970) as SQLite stores them: ``2026-11-20 05:00:00.000000``, UTC."""
    text = np.datetime_as_string(us.view("datetime64[us]"), unit="us")
    text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    return text.tolist()


def whole_numbers(column: list[Any]) -> np.ndarray | None:
    """Floats of texts written as digits alone (``2550``), or None when a cell is written otherwise."""
    codes = _codes(column, None)
    if codes is None or codes.shape[1] > _LONGEST_DIGITS:
        return None
    digit = (codes >= 48) & (codes <= 57)
    if not bool(digit[:, 0].all()) or not bool((digit | (codes == 0)).all()):
        return None
    return np.array(column, dtype=np.float64)
