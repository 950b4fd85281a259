"""Reading exported files: CSV (any common delimiter and encoding) and Excel .xlsx, as header + numbered rows.

A file that cannot be read as a table raises ``FileError`` with a reason a person can act on; rows keep the
line (CSV) or row (Excel) number the user sees in their editor. A CSV file can be read in part (``byte_range``):
the rows of a file that grew, or all but a last line that has not ended yet; its header is still its first line.
A workbook that is not a complete .xlsx yet raises ``UnfinishedFileError``: it may still be being written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.sentence import Sentence
from huddle.data.ingest.contract import FileError
from huddle.data.ingest.file_bytes import OnDisk, search

#: a CSV's part the csv module cannot split: the rows before it are kept
MALFORMED = N_("malformed CSV from this line on ({error}); the rows after it were not read")

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = ",;\t|"
#: a byte that is not blank space (as ``bytes.strip`` sees it)
_TEXT = re.compile(rb"\S")


@dataclass
class Table:
    """A file read as a table."""

    header: list[Any]
    rows: list[tuple[int, Any]]  # (line or row number as the user sees it, cell values: a list or tuple)
    decimal_comma: bool
    note: str = ""  # e.g. the encoding or delimiter that was detected
    broken: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): parts that could not be read


class UnfinishedFileError(FileError):
    """The file is not a complete file of its kind yet (a workbook cut short): it may still be being written."""


def is_workbook(path: Path) -> bool:
    """Whether the file is read as an Excel workbook (whole, never in part)."""
    return path.suffix.lower() in (".xlsx", ".xlsm", ".xls")


def read_table(path: Path, *, delimiter: str | None = None, encoding: str | None = None,
               sheet: str | None = None, data: bytes | OnDisk | None = None, byte_range: tuple[int, int] | None = None,
               first_line: int = 2, header_row: int = 1, first_column: int = 1) -> Table:
    """Read a CSV or XLSX file; raise ``FileError`` when it is not a readable table.

    ``data`` is the file's content when the caller has read it already (so the table is the content it hashed), or
    the file on disk (``file_bytes.OnDisk``: a long file, read block by block).
    ``byte_range`` (CSV only) reads the data rows from byte ``start`` up to ``stop`` (exclusive), the header still
    from the first line; ``first_line`` is then the line number of the row at ``start``, for the messages.
    ``header_row`` is the line (or sheet row) of the header when the export writes titles above it, and
    ``first_column`` a sheet's first column read."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if byte_range is not None:
            raise ValueError("a workbook is read whole")
        return _read_xlsx(path, sheet, header_row, first_column)
    if suffix == ".xls":
        raise FileError(Sentence(N_("old Excel .xls files are not read: save the sheet as .xlsx or CSV")))
    data = path.read_bytes() if data is None else data
    if header_row > 1 and data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: its lines, not its bytes
        text = bytes(data).decode("utf-16")
        lines = text.splitlines(keepends=True)
        if len(lines) < header_row:
            raise FileError(_short(header_row, len(lines)))
        return _read_csv("".join(lines[header_row - 1:]).encode("utf-16"), delimiter, encoding,
                         row_line=header_row + 1)
    brk = b"\n" if b"\n" in data or b"\r" not in data else b"\r"  # CR alone: old Mac line ends
    pre = 0
    for done in range(header_row - 1):  # the title lines above the header
        pre = data.find(brk, pre) + 1
        if not pre or pre >= len(data):
            raise FileError(_short(header_row, done + 1))
    if byte_range is None:
        return _read_csv(data[pre:], delimiter, encoding, row_line=header_row + 1)
    start, stop = byte_range
    header_end = data.find(brk, pre) + 1 or len(data)
    if start <= header_end:  # from the top: the line numbers are the file's own
        return _read_csv(data[pre:stop], delimiter, encoding, row_line=header_row + 1)
    return _read_csv(data[pre:header_end] + data[start:stop], delimiter, encoding, row_line=first_line)


def _short(header_row: int, lines: int) -> str:
    if not lines:
        return Sentence(N_("the header is to be on line {row} (the source's header_row) but the file has 0 lines"),
                        row=header_row)
    said = N_("the header is to be on line {row} (the source's header_row) but the file has only 1 line") \
        if lines == 1 else N_("the header is to be on line {row} (the source's header_row) but the file has only "
                              "{n} lines")
    return Sentence(said, row=header_row, n=lines)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """A text file's bytes as text and the encoding used (its byte-order mark, UTF-8, Windows-1252, or the one
    given); ``FileError`` when they are not text."""
    return _decode(data, encoding)


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise FileError(Sentence(N_("the file contains NUL bytes: it is binary, or UTF-16 without a byte-order "
                                    "mark")))
    for enc in ([encoding] if encoding else ENCODINGS):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            if encoding:
                raise FileError(Sentence(N_("not valid {encoding} (byte {byte} at offset {offset})"),
                                         encoding=encoding, byte=f"0x{data[exc.start]:02x}",
                                         offset=exc.start)) from None
    raise FileError(Sentence(N_("the file is neither UTF-8 nor Windows-1252 text: export it as UTF-8 CSV")))


def _read_csv(data: bytes | OnDisk, delimiter: str | None, encoding: str | None, row_line: int = 2) -> Table:
    if not search(_TEXT, data):  # only blank space (looked for in place: a long text is not copied)
        raise FileError(Sentence(N_("the file is empty")))
    from huddle.data.ingest import csv_stream  # a long text's rows are read as they are stored

    if len(data) > csv_stream.STREAM_BYTES and (streamed := csv_stream.stream_csv(data, delimiter, encoding, row_line)):
        return streamed
    data = bytes(data)
    text, used = _decode(data, encoding)
    if not text.lstrip("\ufeff").strip():
        raise FileError(Sentence(N_("the file is empty")))
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if delimiter is None:
        delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileError(Sentence(N_("the file is empty"))) from None
    except csv.Error as exc:
        raise FileError(Sentence(N_("line {line}: malformed CSV ({error})"), line=1, error=exc)) from None
    shift = row_line - 2  # a part of a file: its first row is line ``row_line`` of the file, not line 2
    rows: list[tuple[int, Any]] | None = None
    if '"' not in text:  # no quoted field: every record is one line, numbered by its place (no step per row)
        rows = _plain_rows(text, delimiter, row_line)
    if rows is None and '"' not in text:
        try:
            rows = [(number, tuple(values)) for number, values in enumerate(reader, start=row_line)
                    if values and (values[0].strip() or any(v.strip() for v in values))]
        except csv.Error:  # a NUL, say: read again row by row, keeping the rows before it
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            next(reader)
            rows = None
    broken: list[tuple[int, str]] = []
    if rows is None:
        rows = _csv_rows(reader, shift, broken)
    if broken and not rows:
        line, reason = broken[0]
        raise FileError(Sentence(N_("line {line}: {reason}"), line=line, reason=reason))
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    return Table(header, rows, decimal_comma=delimiter != ",",
                 note=f"{used}, {names.get(delimiter, delimiter)}-delimited", broken=broken)


def _plain_rows(text: str, delimiter: str, row_line: int) -> list[tuple[int, Any]] | None:
    """The non-blank rows after the header of a text with no quoted field, split at its line ends and delimiters
    as the csv module splits such a text; None when it holds what that module reads otherwise (a carriage return
    alone, a NUL, a line longer than a field may be, a blank first line). A row's cells are a tuple: a tuple of
    texts is soon no more the garbage collector's concern, where a file's thousands of lists would make it go
    over the whole heap again and again (every CSV read gives its cells so)."""
    if "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the end of the last line
    if not lines or not lines[0] or max(map(len, lines)) > csv.field_size_limit():
        return None
    split = list(map(tuple, map(str.split, lines[1:], repeat(delimiter))))
    # a line that is empty or whose first cell starts blank may be a blank row: only then is each row looked at
    body = len(lines[0]) + 1
    if _BLANK_START[delimiter].search(text, body, len(text) - text.endswith("\n")) is None:
        return list(zip(range(row_line, row_line + len(split)), split, strict=True))
    return [(number, values) for number, values in enumerate(split, start=row_line)
            if values[0].strip() or any(v.strip() for v in values)]


#: per delimiter, the start of a line that is empty or whose first cell starts with blank space
_BLANK_START = {d: re.compile(rf"^(?:$|[\s{re.escape(d)}])", re.M) for d in DELIMITERS}


def _csv_rows(reader: Any, shift: int, broken: list[tuple[int, str]]) -> list[tuple[int, tuple[Any, ...]]]:
    """The non-blank rows of a reader past its header with the line each starts on, up to a row that cannot be
    split into fields (added to ``broken``)."""
    rows: list[tuple[int, tuple[Any, ...]]] = []
    while True:
        record_starts = reader.line_num + 1 + shift
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # the rest of the file cannot be split into fields reliably: keep the rows before it
            broken.append((record_starts, Sentence(MALFORMED, error=exc)))
            break
        if values and (values[0].strip() or any(v.strip() for v in values)):  # the first cell decides most rows
            rows.append((record_starts, tuple(values)))
    return rows


def sniff_delimiter(header_line: str) -> str:
    """The delimiter a header line uses most (comma, semicolon, tab or pipe); ``FileError`` when it has none."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise FileError(Sentence(N_("no column delimiter found in the header line {line} (expected one of comma, "
                                    "semicolon, tab, |)"), line=repr(header_line[:80])))
    return delimiter


def _read_xlsx(path: Path, sheet: str | None, header_row: int = 1, first_column: int = 1) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:  # a zip's directory is written last: a workbook being saved has none yet
        raise UnfinishedFileError(Sentence(N_("not a readable .xlsx workbook (not a complete file: {error})"),
                                           error=exc)) from None
    except (KeyError, OSError, ValueError) as exc:
        raise FileError(Sentence(N_("not a readable .xlsx workbook ({error})"),
                                 error=f"{type(exc).__name__}: {exc}")) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise FileError(Sentence(N_("no sheet named {sheet} (sheets: {sheets})"), sheet=repr(sheet),
                                         sheets=", ".join(book.sheetnames)))
        ws = book[sheet] if sheet else book.worksheets[0]
        it: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)
        header = None
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(it, start=1):
            cells = list(values)[first_column - 1:]
            if number < header_row:  # titles above the header the source names
                continue
            if header is None and header_row > 1:
                if not any(c is not None and str(c).strip() for c in cells):
                    raise FileError(Sentence(N_("row {row} of sheet {sheet} (the source's header_row) is empty: "
                                                "give the row of the column names"), row=header_row,
                                             sheet=repr(ws.title)))
                header = cells
                continue
            if header is None:
                if any(c is not None and str(c).strip() for c in cells):
                    header = cells
                continue
            if any(c is not None and str(c).strip() for c in cells):
                rows.append((number, cells))
        if header is None:
            raise FileError(Sentence(N_("the workbook's first sheet is empty")))
        return Table(header, rows, decimal_comma=False, note=f"sheet {ws.title!r}")
    finally:
        book.close()
