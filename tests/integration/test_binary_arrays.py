"""The binary array parameters the facts refresh sends PostgreSQL read back as the numbers and instants they were
made from: NaN and infinities, NULLs among times, times before 2000, and empty arrays."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from huddle.data.ingest.binary_arrays import float8_array, register, timestamp_array

from tests.conftest import POSTGRES_ENV

EPOCH = datetime(1970, 1, 1)


@pytest.fixture
def connection() -> Iterator[Any]:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"binary arrays are read by PostgreSQL: these tests need {POSTGRES_ENV}")
    import psycopg

    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://")) as conn:
        register(conn)
        yield conn


def micros(when: datetime) -> int:
    delta = when - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds


def test_floats_read_back_bit_for_bit(connection: Any) -> None:
    values = np.array([0.0, -0.0, 1.5, -2.25, 1e-300, 1.7976931348623157e308, 0.1 + 0.2, math.inf, -math.inf,
                       math.nan])
    (back,) = connection.execute("SELECT %b::float8[]", [float8_array(values)]).fetchone()
    assert len(back) == len(values)
    assert np.array_equal(np.array(back), values, equal_nan=True)
    assert math.copysign(1, back[1]) == -1  # -0.0 keeps its sign


def test_times_read_back_with_their_nulls(connection: Any) -> None:
    times = [datetime(2026, 12, 6, 5, 59, 59, 999_999), datetime(1999, 12, 31, 23, 0), datetime(2000, 1, 1),
             datetime(1970, 1, 1, 0, 0, 0, 1), datetime(2027, 3, 28, 1, 30)]
    sent = np.array([micros(t) for t in times[:2]] + [-1] + [micros(t) for t in times[2:]] + [-1], dtype=np.int64)
    (back,) = connection.execute("SELECT %b::timestamp[]", [timestamp_array(sent, missing=-1)]).fetchone()
    assert back == [*times[:2], None, *times[2:], None]
    (plain,) = connection.execute("SELECT %b::timestamp[]", [timestamp_array(sent[:2])]).fetchone()
    assert plain == times[:2]


def test_empty_arrays_are_empty(connection: Any) -> None:
    row = connection.execute("SELECT %b::float8[], %b::timestamp[]",
                             [float8_array(np.array([], dtype=float)),
                              timestamp_array(np.array([], dtype=np.int64), missing=-1)]).fetchone()
    assert row == ([], [])
