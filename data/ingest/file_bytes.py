"""A long file's bytes read from disk a block at a time, never held whole: ``OnDisk`` answers the few questions the
loaders ask of a file's bytes (its hash, a byte's count or place, whether it holds text, a part of it) as ``bytes``
does, so the same code reads a short file held in memory and a long one left on disk.

A part of an ``OnDisk`` (``data[a:b]``, ``part + part``) is another ``OnDisk`` over the same file: the header line
and the new rows of a file that grew are read from where they are, not copied together.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

#: files up to this size are read whole (one read, one hash); longer ones are read from disk block by block
WHOLE_BYTES = 4 << 20
#: bytes read at a time
BLOCK = 1 << 20


class OnDisk:
    """Parts of a file on disk, seen as one sequence of bytes (the parts one after the other)."""

    def __init__(self, path: Path, parts: tuple[tuple[int, int], ...]) -> None:
        self.path = path
        self.parts = tuple((a, b) for a, b in parts if b > a)
        self._len = sum(b - a for a, b in self.parts)

    @classmethod
    def of(cls, path: Path, size: int) -> OnDisk:
        """The first ``size`` bytes of a file."""
        return cls(path, ((0, size),))

    def __len__(self) -> int:
        return self._len

    def _physical(self, lo: int, hi: int) -> Iterator[tuple[int, int]]:
        """The file ranges holding bytes ``lo`` to ``hi`` of this sequence."""
        at = 0
        for a, b in self.parts:
            n = b - a
            s, e = max(lo, at), min(hi, at + n)
            if s < e:
                yield a + s - at, a + e - at
            at += n

    def read(self, lo: int = 0, hi: int | None = None) -> bytes:
        """Bytes ``lo`` to ``hi`` of the sequence (a part meant to be small)."""
        hi = self._len if hi is None else min(hi, self._len)
        out = []
        with self.path.open("rb") as fh:
            for a, b in self._physical(max(lo, 0), hi):
                fh.seek(a)
                out.append(fh.read(b - a))
        return b"".join(out)

    def blocks(self, lo: int = 0, hi: int | None = None, size: int | None = None) -> Iterator[bytes]:
        """Bytes ``lo`` to ``hi``, ``size`` (else ``BLOCK``) at a time."""
        size = size or BLOCK
        hi = self._len if hi is None else min(hi, self._len)
        with self.path.open("rb") as fh:
            for a, b in self._physical(max(lo, 0), hi):
                fh.seek(a)
                while a < b:
                    block = fh.read(min(size, b - a))
                    if not block:
                        return
                    a += len(block)
                    yield block

    def _bounds(self, start: int | None, end: int | None) -> tuple[int, int]:
        n = self._len
        lo = 0 if start is None else (start if start >= 0 else max(n + start, 0))
        hi = n if end is None else (min(end, n) if end >= 0 else max(n + end, 0))
        return lo, hi

    # ---- as bytes does -----------------------------------------------------------------------------------

    def __bytes__(self) -> bytes:
        return self.read()

    def __getitem__(self, index: slice) -> OnDisk:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a file on disk is read by parts (data[a:b])")
        lo, hi = self._bounds(index.start, index.stop)
        return OnDisk(self.path, tuple(self._physical(lo, hi)))

    def __add__(self, other: OnDisk) -> OnDisk:
        if other.path != self.path:
            raise ValueError("parts of two files")
        return OnDisk(self.path, self.parts + other.parts)

    def __contains__(self, sub: bytes) -> bool:
        return self.find(sub) >= 0

    def startswith(self, prefix: bytes | tuple[bytes, ...]) -> bool:
        """As ``bytes.startswith``."""
        prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
        return self.read(0, max(map(len, prefixes))).startswith(prefixes)

    def endswith(self, suffix: bytes) -> bool:
        """As ``bytes.endswith``."""
        return self.read(self._len - len(suffix)).endswith(suffix) if len(suffix) <= self._len else False

    def count(self, sub: bytes, start: int | None = None, end: int | None = None) -> int:
        """As ``bytes.count``, for one byte."""
        _one(sub)
        lo, hi = self._bounds(start, end)
        return sum(block.count(sub) for block in self.blocks(lo, hi))

    def find(self, sub: bytes, start: int | None = None, end: int | None = None) -> int:
        """As ``bytes.find``, for one byte."""
        _one(sub)
        lo, hi = self._bounds(start, end)
        at = lo
        for block in self.blocks(lo, hi):
            i = block.find(sub)
            if i >= 0:
                return at + i
            at += len(block)
        return -1

    def rfind(self, sub: bytes, start: int | None = None, end: int | None = None) -> int:
        """As ``bytes.rfind``, for one byte (read backwards from ``end``)."""
        _one(sub)
        lo, hi = self._bounds(start, end)
        while hi > lo:
            a = max(lo, hi - BLOCK)
            i = self.read(a, hi).rfind(sub)
            if i >= 0:
                return a + i
            hi = a
        return -1

    def strip(self, chars: bytes | None = None) -> bytes:
        """As ``bytes.strip`` (of a part meant to be small)."""
        return self.read().strip(chars)


def _one(sub: bytes) -> None:
    if len(sub) != 1:
        raise ValueError("a file on disk is searched for one byte at a time")


def load(path: Path) -> tuple[bytes | OnDisk, str, int]:
    """A file's content (held whole when short, else on disk), its SHA-256 and the bytes read (compared by the
    caller with its size: a file written to while it was read is read again later)."""
    size = path.stat().st_size
    if size <= WHOLE_BYTES:
        data = path.read_bytes()
        return data, hashlib.sha256(data).hexdigest(), len(data)
    digest, n = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
            n += len(block)
    return OnDisk.of(path, n), digest.hexdigest(), n


def prefix_sha(data: bytes | OnDisk, end: int) -> str:
    """The hex SHA-256 of the first ``end`` bytes."""
    if not isinstance(data, OnDisk):
        return hashlib.sha256(data[:end]).hexdigest()
    digest = hashlib.sha256()
    for block in data.blocks(0, end):
        digest.update(block)
    return digest.hexdigest()


def search(pattern: re.Pattern[bytes], data: bytes | OnDisk, start: int = 0) -> bool:
    """Whether a pattern of one byte (a character class) is found from ``start`` on."""
    if not isinstance(data, OnDisk):
        return pattern.search(data, start) is not None
    return any(pattern.search(block) for block in data.blocks(start))


def raw_blocks(data: bytes | OnDisk, size: int) -> Iterator[bytes]:
    """The bytes, ``size`` at a time."""
    if isinstance(data, OnDisk):
        yield from data.blocks(size=size)
        return
    for pos in range(0, len(data), size):
        yield data[pos:pos + size]
