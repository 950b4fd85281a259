"""What a loader remembers of a file while it stores it chunk by chunk: the natural keys it has seen (a later row
with the same key is a duplicate of that line), with whether each row was kept; and the time spans of rows, for
finding the overlaps of counts and stops (a file's kept rows are in their table by the next chunk, so their spans
are read from there with the stored rows around a chunk, and the key index tells a file's rows from the others).

Memory stays flat on a file of millions of rows: a key is remembered as a 64-bit hash and its line number (12
bytes) for the first ``KEPT_IN_MEMORY`` keys, and beyond that in a temporary table of the file's transaction
(``bulk.stage_keys``). Two of a file's different keys share a hash with a chance of about n²/2^65 (one in ten
million for two million rows).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np
from huddle.data.instants import micros_of_utc


def key_hashes(keys: Sequence[Hashable]) -> np.ndarray:
    """A 64-bit hash per key (a key's instants given as their microseconds, ``micro_keys``: a clean chunk's keys
    are made from its columns of microseconds, so every other key is hashed in that form too)."""
    return np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))


def micro_keys(keys: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Keys with each instant as its microseconds since 1970, the form ``key_hashes`` hashes."""
    return [tuple(micros_of_utc(v) if isinstance(v, datetime) else v for v in key) for key in keys]


def group_codes(values: Sequence[Hashable]) -> tuple[dict[Hashable, int], np.ndarray]:
    """Each distinct value numbered in the order it first appears, and every value's number (looked up in C, no
    Python step per value)."""
    codes = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return codes, np.fromiter(map(codes.__getitem__, values), dtype=np.int64, count=len(values))


def series_codes(columns: Sequence[Sequence[Hashable]]) -> tuple[dict[tuple[Hashable, ...], int], np.ndarray]:
    """``group_codes`` of the rows of some columns (each row as a tuple), without a tuple made per row: each column
    is numbered on its own, the numbers combined into one per row, and the distinct ones turned back into tuples."""
    parts = [group_codes(values) for values in columns]
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for names, code in parts:
        combined = combined * len(names) + code
    numbers, code = group_codes(combined.tolist())
    named = [list(names) for names, _code in parts]
    out: dict[tuple[Hashable, ...], int] = {}
    for number, k in numbers.items():
        key = []
        for names in reversed(named):
            number, at = divmod(number, len(names))
            key.append(names[at])
        out[tuple(reversed(key))] = k
    return out, code


#: keys a file remembers in memory; a longer file's go to a temporary table of its transaction
KEPT_IN_MEMORY = 50_000


@dataclass
class KeyIndex:
    """The natural keys seen so far in a file, with the line each was first seen on (negative when that row was
    refused): one sorted part per chunk in memory (parts are searched in turn rather than merged, so the index
    never exists twice), moved to the database (``stage``) once there are more than ``KEPT_IN_MEMORY``."""

    stage: KeyStage | None = None
    _parts: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (sorted hashes, their lines)
    _kept: int = 0
    _staged: bool = False

    def first_lines(self, hashes: np.ndarray) -> np.ndarray:
        """For each key (its hashes), the line it was first seen on (negative: refused there), or 0."""
        found = np.zeros(len(hashes), dtype=np.int64)
        if not len(hashes):
            return found
        if self._staged and self.stage is not None:
            return self.stage.lines(hashes)
        for part, lines in self._parts:
            i = np.minimum(np.searchsorted(part, hashes), len(lines) - 1)
            hit = (found == 0) & (part[i] == hashes)
            found = np.where(hit, lines[i], found)
        return found

    def add(self, hashes: np.ndarray, lines: np.ndarray) -> None:
        """Remember keys first seen on these lines (negative: refused)."""
        if not len(lines):
            return
        if self._staged and self.stage is not None:
            self.stage.add(hashes, lines)
            return
        order = np.argsort(hashes, kind="stable")
        self._parts.append((hashes[order], lines[order].astype(np.int32)))
        self._kept += len(lines)
        if self._kept > KEPT_IN_MEMORY and self.stage is not None:
            self.stage.start()
            for part, part_lines in self._parts:
                self.stage.add(part, part_lines)
            self._parts.clear()
            self._staged = True


class KeyStage(Protocol):
    """Where a long file's keys go: a table of hashes and lines (``bulk.KeyTable``)."""

    def start(self) -> None:
        """Make the table, empty."""

    def add(self, hashes: np.ndarray, lines: np.ndarray) -> None:
        """Add keys and their lines."""

    def lines(self, hashes: np.ndarray) -> np.ndarray:
        """The line of each key, or 0."""


@dataclass
class Spans:
    """Time spans of one series (a line, or a line and product), sorted by start, for finding overlaps."""

    starts: np.ndarray
    ends: np.ndarray
    refs: np.ndarray  # what each span points back to (32 bits): a line of the file, or a stored row's position

    @classmethod
    def of(cls, starts: Sequence[int], ends: Sequence[int], refs: Sequence[int]) -> Spans:
        """Spans from unsorted lists."""
        s, e = (np.asarray(x, dtype=np.int64) for x in (starts, ends))
        order = np.argsort(s, kind="stable")
        return cls(s[order], e[order], np.asarray(refs, dtype=np.int32)[order])

    def overlapping(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """For each span [start, end), the index of one of these spans it overlaps (not counting a span with the
        same start: that is the same row), or -1."""
        n = len(self.starts)
        found = np.full(len(starts), -1, dtype=np.int64)
        if not n or not len(starts):
            return found
        # a span starting before: the longest reaching of those starting earlier
        reach = np.maximum.accumulate(self.ends)
        holder = _running_argmax(self.ends)
        before = np.searchsorted(self.starts, starts, side="left")
        has = before > 0
        idx = np.where(has, before - 1, 0)
        hit = has & (reach[idx] > starts)
        found[hit] = holder[idx[hit]]
        # a span starting inside (start, end)
        after = np.searchsorted(self.starts, starts, side="right")
        inside = np.searchsorted(self.starts, ends, side="left")
        hit2 = (found < 0) & (inside > after)
        found[hit2] = after[hit2]
        return found


def _running_argmax(values: np.ndarray) -> np.ndarray:
    """For each position, the index of the largest value up to it (the first such)."""
    reach = np.maximum.accumulate(values)
    is_new = np.empty(len(values), dtype=bool)
    is_new[0] = True
    is_new[1:] = values[1:] > reach[:-1]
    positions = np.where(is_new, np.arange(len(values)), 0)
    return np.maximum.accumulate(positions)


def chunk_overlaps(groups: Sequence[Hashable], starts: Sequence[int], ends: Sequence[int]) -> dict[int, int]:
    """Overlaps among one chunk's rows of the same series: {row position: position of the row it overlaps}. Rows
    are taken by start; a row overlapping one already kept is refused, the earlier one keeps its place."""
    by_group: dict[Hashable, list[int]] = {}
    for i, group in enumerate(groups):
        by_group.setdefault(group, []).append(i)
    refused: dict[int, int] = {}
    for members in by_group.values():
        members.sort(key=starts.__getitem__)
        reach, holder = None, -1
        for i in members:
            if reach is not None and reach > starts[i]:
                refused[i] = holder
                continue
            if reach is None or ends[i] > reach:
                reach, holder = ends[i], i
    return refused
