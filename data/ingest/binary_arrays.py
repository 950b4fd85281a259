"""(PostgreSQL) Columns of numbers and instants held as ``numpy`` arrays, sent as binary array parameters: the
bytes PostgreSQL's ``array_recv`` reads are built a whole column at once, so neither this process writes a text
per value nor the server parses one.

A parameter made here is bound with ``%b`` on a connection that ``register`` has prepared.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

#: PostgreSQL's type oids: float8 and timestamp (without time zone), and arrays of them
_FLOAT8, _FLOAT8_ARRAY = 701, 1022
_TIMESTAMP, _TIMESTAMP_ARRAY = 1114, 1115
#: microseconds from 1970-01-01 to 2000-01-01, where PostgreSQL's binary timestamps count from
_PG_EPOCH_US = 946_684_800 * 10**6
#: each element: its length (8 bytes, or -1 for NULL) and its value, big-endian
_FLOATS = np.dtype([("length", ">i4"), ("value", ">f8")])
_INTEGERS = np.dtype([("length", ">i4"), ("value", ">i8")])


class BinaryArray:
    """An array parameter's binary form and the oid of its array type."""

    __slots__ = ("data", "oid")

    def __init__(self, data: bytes, oid: int) -> None:
        self.data = data
        self.oid = oid


def float8_array(values: np.ndarray) -> BinaryArray:
    """A ``float8[]`` of floats."""
    cells = np.empty(len(values), dtype=_FLOATS)
    cells["length"] = 8
    cells["value"] = values
    return BinaryArray(_header(len(values), False, _FLOAT8) + cells.tobytes(), _FLOAT8_ARRAY)


def timestamp_array(micros: np.ndarray, missing: int | None = None) -> BinaryArray:
    """A ``timestamp[]`` (naive UTC) of microseconds since 1970; the value ``missing`` stands for NULL."""
    cells = np.empty(len(micros), dtype=_INTEGERS)
    cells["value"] = micros - _PG_EPOCH_US
    nulls = micros == missing if missing is not None else None
    if nulls is not None and bool(nulls.any()):
        cells["length"] = np.where(nulls, -1, 8)
        data = cells.tobytes()
        # a NULL element has its length alone: the 8 value bytes after each such length are left out
        keep = np.ones((len(micros), 12), dtype=bool)
        keep[nulls, 4:] = False
        data = np.frombuffer(data, dtype=np.uint8).reshape(len(micros), 12)[keep].tobytes()
        return BinaryArray(_header(len(micros), True, _TIMESTAMP) + data, _TIMESTAMP_ARRAY)
    cells["length"] = 8
    return BinaryArray(_header(len(micros), False, _TIMESTAMP) + cells.tobytes(), _TIMESTAMP_ARRAY)


def _header(n: int, nulls: bool, element: int) -> bytes:
    if not n:
        return struct.pack(">iii", 0, 0, element)
    return struct.pack(">iiiii", 1, int(nulls), element, n, 1)


def register(connection: Any) -> None:
    """Let a psycopg connection bind ``BinaryArray`` parameters (with ``%b``)."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    if getattr(connection, "_huddle_binary_arrays", False):
        return

    class _Dumper(Dumper):
        format = Format.BINARY

        def dump(self, obj: BinaryArray) -> bytes:
            return obj.data

        def get_key(self, obj: BinaryArray, format: Any) -> Any:
            return (BinaryArray, obj.oid)

        def upgrade(self, obj: BinaryArray, format: Any) -> Dumper:
            dumper = _Dumper(BinaryArray)
            dumper.oid = obj.oid
            return dumper

    connection.adapters.register_dumper(BinaryArray, _Dumper)
    connection._huddle_binary_arrays = True
