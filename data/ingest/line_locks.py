"""Locks on lines while their shift facts are recomputed (PostgreSQL).

Loads of different sources run at the same time (the scheduler's jobs, the live MQTT subscriber, entries from the
shop floor), and on PostgreSQL each statement reads what was committed when it began. So a refresh of facts first
takes a lock on each line it recomputes, held to its commit: a load that read a line's records before another load
committed its own could otherwise write facts without them after that load, and they would be lost from the facts
until the line's shift was loaded again. The second load waits, then reads both. Shop-floor entries take the same
lock before they check and write. SQLite has one writer at a time, and a refresh comes after its load's first write.
"""

from __future__ import annotations

import zlib

from huddle.data.ingest import bulk
from huddle.data.ingest.copy_text import array_text
from sqlalchemy.orm import Session

#: PostgreSQL advisory lock keys of lines start here (db.py's migration lock is 7_246_001)
LINE_LOCK = 7_246_100


def line_lock_key(line: str) -> int:
    """The PostgreSQL advisory lock key of a line (or of an area, as ``"area <name>"``)."""
    return LINE_LOCK + zlib.crc32(line.encode()) % 1_000_000


def lock_lines(session: Session, lines: list[str]) -> None:
    """(PostgreSQL) Lock lines until the transaction ends, in one order so two loads never wait on each other."""
    if session.get_bind().dialect.name != "postgresql" or not lines:
        return
    keys = sorted({line_lock_key(line) for line in lines})
    # one round trip: the set function yields the keys in the array's order, and each row takes its lock (sent
    # through the driver: the ORM's statement handling cost more than the round trip, once per file)
    bulk.driver_rows(session, "SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k",
                     keys=array_text(keys))
