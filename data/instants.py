"""Instants as whole microseconds since 1970-01-01 UTC: exact where a float timestamp is not, what numpy's arrays of
instants hold, and the one conversion the loaders' facts, their file index and the readings' stop columns share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

#: the instant the microseconds count from
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_NAIVE_EPOCH = EPOCH.replace(tzinfo=None)


def micros_of_utc(at: datetime) -> int:
    """Whole microseconds since 1970-01-01 UTC of an aware instant."""
    return (at - EPOCH) // MICROSECOND


def utc_of_micros(micros: int) -> datetime:
    """The aware UTC instant of whole microseconds since 1970-01-01 UTC (``micros_of_utc`` the other way)."""
    return EPOCH + timedelta(microseconds=micros)


def micros_of_stored(values: list[Any]) -> np.ndarray:
    """Instants as a database gives them back uncoerced (text on SQLite, naive UTC datetimes on PostgreSQL) as int64
    microseconds since 1970."""
    if not values:
        return np.empty(0, dtype=np.int64)
    if isinstance(values[0], str):
        return np.array(values, dtype="datetime64[us]").astype(np.int64)
    return np.fromiter(((v - _NAIVE_EPOCH) // MICROSECOND for v in values), dtype=np.int64, count=len(values))
