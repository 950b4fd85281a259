"""The demo's untidy files: one of each thing a plant's exporters do, beside the history in the counts inbox, so the
Data page shows every outcome a file can have.

An empty file, a header with no rows, a day's file sent again under another name, a file with one bad value, a file
without its ``good`` column, a file whose exporter stopped mid-row long ago (cut off) and one it is still writing:
``write_samples`` leaves that last one mid-row and, called again by the live feed a minute later, finishes the row
and adds two more (the file grew). The rows are copies of the history's first day, so no reading changes.
"""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path

PREFIX = "sample_"
#: how long ago the cut-off sample's exporter stopped (longer than any source's final_seconds of the demo)
STALLED_S = 3600


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, path)


def _first_day(folder: Path) -> Path | None:
    """The history's first day of counts (the samples copy its rows)."""
    days = sorted(folder.glob("counts_2*.csv"))
    return days[0] if days else None


def write_samples(folder: Path | None) -> list[Path]:
    """Write the sample files into the counts folder once, and grow the growing one the next time; returns the
    paths written or grown (none when there is no counts history to copy from)."""
    day = _first_day(folder) if folder is not None else None
    if folder is None or day is None:
        return []
    text = day.read_text(encoding="utf-8")
    header, *rows = text.splitlines(keepends=True)
    if len(rows) < 12:
        return []
    growing = folder / f"{PREFIX}growing.csv"
    if growing.exists():
        return _grow(growing, rows)
    written = [folder / f"{PREFIX}empty.csv", folder / f"{PREFIX}header_only.csv",
               folder / f"{PREFIX}resent_{day.name}", folder / f"{PREFIX}partly_refused.csv",
               folder / f"{PREFIX}refused_no_good_column.csv", folder / f"{PREFIX}cut_off.csv", growing]
    empty, header_only, resent, partly, refused, cut_off, _ = written
    _atomic(empty, "")
    _atomic(header_only, header)
    _atomic(resent, text)
    _atomic(partly, header + "".join(rows[0:3]) + _with_value(header, rows[3], "good", "n/a"))
    _atomic(refused, _without_column(header, rows[:2], "good"))
    _atomic(cut_off, header + "".join(rows[4:6]) + _half(rows[6]))
    stalled = time.time() - STALLED_S  # the file system's clock, as the loaders' final window reads it
    os.utime(cut_off, (stalled, stalled))
    _atomic(growing, header + "".join(rows[7:9]) + _half(rows[9]))
    _written_now(growing)
    return written


def _grow(growing: Path, rows: list[str]) -> list[Path]:
    """The exporter goes on: the row it stopped in ends, and two more follow (once)."""
    if growing.read_bytes().endswith(b"\n"):
        return []
    with growing.open("a", encoding="utf-8", newline="") as fh:
        fh.write(rows[9][len(_half(rows[9])):] + "".join(rows[10:12]))
    _written_now(growing)
    return [growing]


def _written_now(path: Path) -> None:
    """Date a file the exporter is writing by the clock the loaders' windows read, as the cut-off sample is dated:
    the file system's own time on a plant's machine, and the same where the process runs on a clock of its own
    (a test's shifted clock), so the file still being written is never taken for one abandoned long ago."""
    now = time.time()
    os.utime(path, (now, now))


def _half(row: str) -> str:
    """A row cut where the exporter stopped: in its middle, without its line break."""
    return row.rstrip("\r\n")[: len(row) // 2]


def _cells(line: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")]))


def _line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def _with_value(header: str, row: str, column: str, value: str) -> str:
    cells = _cells(row)
    cells[_cells(header).index(column)] = value
    return _line(cells)


def _without_column(header: str, rows: list[str], column: str) -> str:
    at = _cells(header).index(column)
    return "".join(_line([c for i, c in enumerate(_cells(line)) if i != at]) for line in [header, *rows])
