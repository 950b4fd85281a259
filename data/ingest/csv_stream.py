"""Reading a long CSV file's rows as they are stored, instead of all at once: the same rows, line numbers, encoding
and refusals as ``readers`` gives, while only a block of the text and a chunk of rows are in memory.

``readers.read_table`` hands a CSV text longer than ``STREAM_BYTES`` here. Its rows are then a ``StreamedRows``:
iterated (once, by the store, chunk by chunk), asked whether there are any (the first row is read for that), its
first or last row. The bytes themselves stay as the caller read them (it hashed them), or on disk: a long file's
blocks are read from it as its rows are (``file_bytes.OnDisk``).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import Any

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.sentence import Sentence
from huddle.data.ingest.contract import FileError
from huddle.data.ingest.file_bytes import OnDisk, raw_blocks
from huddle.data.ingest.readers import ENCODINGS, MALFORMED, Table, sniff_delimiter

#: texts longer than this are read row by row as they are stored
STREAM_BYTES = 4 << 20
#: bytes decoded at a time (cut after a line break, so no character or line is split)
BLOCK = 1 << 20
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class _UndecodableError(ValueError):
    """A byte the encoding cannot decode, at its offset in the text."""

    def __init__(self, byte: int, offset: int) -> None:
        super().__init__(byte, offset)
        self.byte, self.offset = byte, offset


def _blocks(data: bytes | OnDisk, encoding: str) -> Iterator[str]:
    """The text, a block at a time (each cut after a line break; a long file is read from disk as it goes)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    carry, done = b"", 0
    for raw in raw_blocks(data, BLOCK):
        buf = carry + raw if carry else raw
        cut = buf.rfind(b"\n") + 1
        if not cut:
            carry = buf
            continue
        yield _decoded(decoder, buf[:cut], done, final=False)
        done += cut
        carry = buf[cut:]
    if carry or done == 0:
        yield _decoded(decoder, carry, done, final=True)
    else:
        decoder.decode(b"", final=True)


def _decoded(decoder: codecs.IncrementalDecoder, raw: bytes, done: int, final: bool) -> str:
    try:
        return decoder.decode(raw, final=final)
    except UnicodeDecodeError as exc:
        raise _UndecodableError(raw[exc.start] if exc.start < len(raw) else 0, done + exc.start) from None


def _encoding(data: bytes | OnDisk, encoding: str | None) -> str:
    """The encoding the whole text decodes with (as ``readers`` chooses it), checked block by block."""
    for enc in [encoding] if encoding else ENCODINGS:
        try:
            for _ in _blocks(data, enc):
                pass
            return enc
        except _UndecodableError as exc:
            if encoding:
                raise FileError(Sentence(N_("not valid {encoding} (byte {byte} at offset {offset})"),
                                         encoding=encoding, byte=f"0x{exc.byte:02x}", offset=exc.offset)) from None
    raise FileError(Sentence(N_("the file is neither UTF-8 nor Windows-1252 text: export it as UTF-8 CSV")))


class StreamedRows:
    """A CSV text's numbered rows, read as they are iterated; a part that cannot be read is added to ``broken``."""

    def __init__(self, data: bytes | OnDisk, encoding: str, delimiter: str, row_line: int,
                 broken: list[tuple[int, str]]) -> None:
        self.data, self.encoding, self.delimiter, self.row_line = data, encoding, delimiter, row_line
        self.broken = broken
        self._broken_seen = False
        self._first: tuple[int, list[Any]] | None = None
        self._last: tuple[int, list[Any]] | None = None
        self._count: int | None = None
        for row in self._rows(record=False):
            self._first = row
            break
        else:
            if self._failure is not None:  # nothing but a part that cannot be read: as ``readers`` refuses it
                line, reason = self._failure
                raise FileError(Sentence(N_("line {line}: {reason}"), line=line, reason=reason))

    def _lines(self) -> Iterator[str]:
        for block in _blocks(self.data, self.encoding):
            yield from io.StringIO(block, newline="")

    def _rows(self, record: bool = True) -> Iterator[tuple[int, tuple[Any, ...]]]:
        self._failure: tuple[int, str] | None = None
        reader = csv.reader(self._lines(), delimiter=self.delimiter, strict=True)
        next(reader)  # the header, read by ``stream_csv``
        shift = self.row_line - 2
        while True:
            record_starts = reader.line_num + 1 + shift
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self._failure = (record_starts, Sentence(MALFORMED, error=exc))
                if record and not self._broken_seen:
                    self.broken.append(self._failure)
                    self._broken_seen = True
                break
            if any(v.strip() for v in values):
                yield record_starts, tuple(values)  # as ``readers`` gives a row's cells

    def __iter__(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        return self._rows()

    def __bool__(self) -> bool:
        return self._first is not None

    def _scan(self) -> None:
        count, last = 0, None
        for row in self._rows():
            count, last = count + 1, row
        self._count, self._last = count, last

    def __len__(self) -> int:
        if self._count is None:
            self._scan()
        return self._count or 0

    def __getitem__(self, index: int) -> tuple[int, list[Any]]:
        if index == 0 and self._first is not None:
            return self._first
        if index == -1:
            if self._count is None:
                self._scan()
            if self._last is not None:
                return self._last
        raise IndexError("a streamed file's rows are read in order: only the first and the last are at hand")


def stream_csv(data: bytes | OnDisk, delimiter: str | None, encoding: str | None, row_line: int = 2) -> Table | None:
    """A long CSV text as a table whose rows are read as they are iterated; None when the text is not one to
    stream (UTF-16, NUL bytes, or no text in its first block: ``readers`` then reads it whole and says why)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in bytes(data[:4096]):
        return None
    used = _encoding(data, encoding)
    first_block = next(_blocks(data, used), "")
    if not first_block.lstrip("\ufeff").strip():
        return None
    first_line = first_block.lstrip("\ufeff").splitlines()[0]
    if delimiter is None:
        delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(first_block, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileError(Sentence(N_("line {line}: malformed CSV ({error})"), line=1, error=exc)) from None
    broken: list[tuple[int, str]] = []
    rows = StreamedRows(data, used, delimiter, row_line, broken)
    return Table(header, rows, decimal_comma=delimiter != ",",  # type: ignore[arg-type]
                 note=f"{used}, {_NAMES.get(delimiter, delimiter)}-delimited", broken=broken)
