"""A file as it comes in, for the loaders: which part of it is complete, what is new since it was last read, and
the ledger entry every file gets with its outcome in words (``store`` then validates and stores the rows).

Plants' exporters do not write tidy files. A row is read once: a last line without its line break is not read
until it ends (or the file has been still for the source's ``final_seconds``; then it is refused as cut off), and a
file that grew is read from where the last read ended when the part read then is unchanged (a rewritten file is
read whole: rows replace their earlier versions by natural key). Empty and header-only files are reported as such
every time, and so is a refused file seen again unchanged while its problems are open (still refused, not a
duplicate); a duplicate is another file's very content, rows and all.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.plant import SourceDef
from huddle.dashboard.core.sentence import Sentence, payload
from huddle.dashboard.core.source_mapping import SourceMapping
from huddle.data.ingest.bulk import with_open_keys
from huddle.data.ingest.contract import RECORD_TYPES, FileError, RecordType
from huddle.data.ingest.file_bytes import OnDisk, load, prefix_sha, search
from huddle.data.ingest.mapped import map_table
from huddle.data.ingest.outcomes import (
    REFUSED_STATUSES,
    FileOutcome,
    cut_off_words,
    file_words,
    still_refused_words,
    waiting_words,
)
from huddle.data.ingest.readers import Table, UnfinishedFileError, decode, is_workbook, read_table
from huddle.data.models import LoadedFile, QuarantinedRow
from sqlalchemy import Row, bindparam, or_, select, update
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from huddle.data.ingest.loaders import Loader

#: how long a last line may stay unfinished when a file belongs to no source (a one-off import)
DEFAULT_FINAL_SECONDS: float = SourceDef.final_seconds
#: statuses of a file whose rows were read: a file with the same content is their duplicate
READ_STATUSES = ("loaded", "partial", "rejected", "cut off")
#: statuses after which a file that grew is read on from where that read ended
GROWS_FROM = ("loaded", "partial", "cut off", "header only")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
#: a byte that is not blank space
_TEXT = re.compile(rb"[^ \t\r\n\x00\x0b\x0c]")


def is_blank(data: bytes | OnDisk) -> bool:
    """Whether a file holds no text at all: no bytes, or only a byte-order mark and blank space (looked for in
    place: a long file is not copied to be stripped)."""
    start = next((len(bom) for bom in _BOMS if data.startswith(bom)), 0)
    return not search(_TEXT, data, start)


def line_break(data: bytes | OnDisk) -> bytes:
    """The file's line break: LF (and CRLF), or CR alone in a file that has no LF at all."""
    return b"\r" if b"\n" not in data and b"\r" in data else b"\n"


def complete_end(data: bytes | OnDisk) -> int:
    """The end of the file's last complete line (just after its line break; 0 when no line has ended); the whole
    file when it ends with a line break. Before a last line that has not ended, a line break inside a quoted value
    does not end a row: the end moves back to before the row it is in."""
    brk = line_break(data)
    if data.endswith(brk):
        return len(data)
    end = data.rfind(brk) + 1
    quotes = data.count(b'"', 0, end)
    while quotes % 2 and end > 0:
        before = data.rfind(brk, 0, end - 1) + 1
        quotes -= data.count(b'"', before, end)
        end = before
    return end


def line_at(data: bytes | OnDisk, offset: int) -> int:
    """The line number (from 1) of the line starting at byte ``offset``."""
    return data.count(line_break(data), 0, offset) + 1


def _by_parts(data: bytes | OnDisk) -> bool:
    """Whether the file can be read by its lines' bytes (not UTF-16, whose line breaks are two bytes)."""
    return not data.startswith((b"\xff\xfe", b"\xfe\xff"))


#: a ledger entry as read: the columns of ``loaded_files`` (a row, not an object of the session: only read)
Entry = Row[Any]
_LF = LoadedFile.__table__.c
#: the entries of a path and of a content, newest first: built once, run for every file
_ENTRIES = (select(*LoadedFile.__table__.c)
            .where(_LF.source == bindparam("source"),
                   or_(_LF.path == bindparam("path"), _LF.sha256 == bindparam("sha")))
            .order_by(_LF.id.desc()))


@dataclass
class Seen:
    """What the ledger knows of a file: the entry for this very content at this path, the latest entry for the
    path, and another file read with the same content."""

    same: Entry | None
    last: Entry | None
    twin: Entry | None


class IncomingFile:
    """Loads one file for a ``Loader``: its complete new rows, its ledger entry with the outcome in words."""

    def __init__(self, loader: Loader, path: Path, record: str, source: SourceDef | None, run_id: int,
                 ledger_source: str) -> None:
        self.loader = loader
        self.path = path
        self.record = record
        self.source = source
        self.run_id = run_id
        self.ledger_source = ledger_source
        self.final = source.final_seconds if source else DEFAULT_FINAL_SECONDS
        #: the session that read the file's ledger entries: the one its rows are then stored in
        self._session: Session | None = None

    def run(self) -> FileOutcome:
        """Read the file and store what is new in it."""
        try:
            return self._run()
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None

    def _handed_on(self) -> Session | None:
        """The session that read the ledger, for the store (which commits and closes it)."""
        session, self._session = self._session, None
        return session

    def _run(self) -> FileOutcome:
        path = self.path
        stat = path.stat()
        data, sha, n = load(path)  # a long file stays on disk: hashed and read block by block
        if n != stat.st_size or path.stat().st_mtime != stat.st_mtime:
            return FileOutcome(path.name, "waiting", note="written to while it was read; read next run")
        self.data, self.size, self.mtime, self.sha = data, n, stat.st_mtime, sha
        self.still = time.time() - stat.st_mtime  # the file system's clock, as the settle window reads it
        seen = self._seen()
        if seen.same is not None:
            return self._seen_again(seen.same)
        if is_blank(data):
            what = "0 bytes" if not data else f"{len(data)} bytes, no text"
            return self._entry_only("empty", f"empty file ({what}): nothing to load", read_to=len(data))
        if seen.twin is not None:
            return self._entry_only("duplicate", f"duplicate of {Path(seen.twin.path).name} (same content)")
        if is_workbook(path) or not _by_parts(data):
            return self._whole()
        return self._lines(seen.last)

    # ---- what the ledger knows ---------------------------------------------------------------------------

    def _seen(self) -> Seen:
        path = str(self.path)
        # one query for both: the entries of this path and of this content; its session (and transaction) then
        # stores the file's rows, so a file takes one connection and one transaction
        session = self._session = self.loader.sessions()
        # on PostgreSQL with what its load asks next (the open quarantine keys, the last count or stop id)
        spans = self.record if self.record in ("production_counts", "stop_events") else None
        found = with_open_keys(session, _ENTRIES, {"source": self.ledger_source, "path": path, "sha": self.sha},
                               self.record, spans)
        entries = [e for e in found if e.path == path]
        twin = next((e for e in reversed(found)
                     if e.path != path and e.sha256 == self.sha and e.status in READ_STATUSES), None)
        same = next((e for e in entries if e.sha256 == self.sha), None)
        return Seen(same, entries[0] if entries else None, twin)

    def _seen_again(self, same: Entry) -> FileOutcome:
        """This very content was seen at this path before (the file was touched, or imported again)."""
        name = self.path.name
        tail_waits = same.status in GROWS_FROM and same.status != "cut off" and same.prefix_sha != "" \
            and same.read_to < self.size
        if tail_waits and self.still >= self.final:
            return self._cut_off_now(same)
        with self.loader.sessions.begin() as session:
            session.execute(update(LoadedFile).where(LoadedFile.id == same.id).values(
                size=self.size, mtime=self.mtime))
        if same.status in ("empty", "header only"):
            return FileOutcome(name, same.status, note=same.note)
        if same.status in REFUSED_STATUSES:
            still = self._still_refused(same)
            if still is not None:
                return still
        if tail_waits:
            return FileOutcome(name, "waiting", note=f"{same.note} (read to byte {same.read_to:,})")
        return FileOutcome(name, "duplicate", note=f"same content already read ({name}: {same.note or same.status})")

    def _still_refused(self, same: Entry) -> FileOutcome | None:
        """A file refused (whole or in part) when this content was read, seen again unchanged: what was refused is
        still refused as long as its problems are open in the quarantine, and is reported again, with its reasons,
        every time (a job that runs over the same folder again must not see success); None once every problem of the
        file was resolved or dismissed."""
        with self.loader.sessions() as session:
            problems = [(r.row, r.column, r.value, r.reason) for r in session.execute(
                select(QuarantinedRow.row, QuarantinedRow.column, QuarantinedRow.value, QuarantinedRow.reason)
                .where(QuarantinedRow.source == self.ledger_source, QuarantinedRow.file == str(self.path),
                       QuarantinedRow.status == "open").order_by(QuarantinedRow.row, QuarantinedRow.id))]
        if not problems:
            return None
        status = "partial" if same.status == "partial" or same.rows_loaded else "rejected"
        return FileOutcome(self.path.name, status, problems=problems, note=still_refused_words(same.note, problems))

    # ---- reading -------------------------------------------------------------------------------------------

    def _read(self, byte_range: tuple[int, int] | None = None,
              first_line: int = 2) -> tuple[Table, RecordType, dict[str, int]]:
        source = self.source
        shape = source.mapping if source else SourceMapping()
        table = read_table(self.path, delimiter=source.delimiter if source else None,
                           encoding=source.encoding if source else None, sheet=source.sheet if source else None,
                           data=None if is_workbook(self.path) else self.data, byte_range=byte_range,
                           first_line=first_line, header_row=shape.header_row, first_column=shape.first_column)
        rt = RECORD_TYPES[self.record]
        table, positions = map_table(table, rt, source)  # the source's own formats, names and values, as the contract's
        return table, rt, positions

    def _whole(self) -> FileOutcome:
        """A workbook (or a UTF-16 text): read whole, once it is complete."""
        try:
            table, rt, positions = self._read()
        except UnfinishedFileError as exc:
            if self.still < self.final:
                return FileOutcome(self.path.name, "waiting",
                                   note="still being written (not a complete workbook yet); read once it is")
            return self.loader._reject_file(self.path, self.ledger_source, self.run_id, exc, sha=self.sha,
                                            record=self.record)
        except FileError as exc:
            return self.loader._reject_file(self.path, self.ledger_source, self.run_id, exc, sha=self.sha,
                                            record=self.record)
        if not table.rows and not table.broken:
            return self._entry_only("header only", "header only: no rows", read_to=self.size)
        return self.loader._store(self.path.name, str(self.path), table, rt, positions, self.ledger_source,
                                  self.run_id, self.sha, self.size, self.mtime, self._words_only, self._handed_on())

    @staticmethod
    def _words_only(outcome: FileOutcome) -> dict[str, Any]:
        words = file_words(outcome)
        outcome.note = f"{words} ({outcome.note})" if outcome.note else words
        return {"note": words}

    def _lines(self, last: Entry | None) -> FileOutcome:
        """A text file read by its complete lines: the new ones of a file that grew, all of another."""
        data, size = self.data, self.size
        end = complete_end(data)
        tail = bool(bytes(data[end:]).strip(b" \t\r\n"))
        if not tail:
            end = size
        elif end == 0 and self.still >= self.final:  # one line and no line break: its header, as it is
            end, tail = size, False
        cut = tail and self.still >= self.final
        start = 0
        if last is not None and last.status in GROWS_FROM and last.prefix_sha and 0 < last.read_to <= end \
                and prefix_sha(data, last.read_to) == last.prefix_sha:
            start = last.read_to
        if end == 0 and not cut:  # no line has ended yet, but bytes that are not text will never be a table
            try:
                decode(bytes(data), self.source.encoding if self.source else None)
            except FileError as exc:
                return self.loader._reject_file(self.path, self.ledger_source, self.run_id, exc, sha=self.sha,
                                                record=self.record)
        if start >= end and not cut:  # nothing complete beyond what was read: the last line is still being written
            if last is not None and start:
                with self.loader.sessions.begin() as session:
                    session.execute(update(LoadedFile).where(LoadedFile.id == last.id).values(
                        size=size, mtime=self.mtime, sha256=self.sha))
            return FileOutcome(self.path.name, "waiting", note=waiting_words(line_at(data, end)))
        first_line = line_at(data, start)
        try:
            table, rt, positions = self._read((start, end), first_line)
        except FileError as exc:
            return self.loader._reject_file(self.path, self.ledger_source, self.run_id, exc, sha=self.sha,
                                            record=self.record)
        tail_line = line_at(data, end)
        cut_words = cut_off_words(end, self.final) if cut else ""
        if cut:
            table.broken.append((tail_line, Sentence("{cut}: {line}", cut=cut_words, line=_shown(bytes(data[end:])))))
        if not table.rows and not table.broken and start == 0:
            words = "header only: no rows" + (f"; {waiting_words(tail_line)}" if tail else "")
            return self._entry_only("header only", words, read_to=end)
        lines = (table.rows[0][0], table.rows[-1][0]) if start and table.rows else None
        waiting_line = tail_line if tail and not cut else 0

        def fields(outcome: FileOutcome) -> dict[str, Any]:
            words = file_words(outcome, lines=lines, waiting_line=waiting_line, cut=cut_words)
            outcome.note = f"{words} ({table.note})" if table.note else words  # how it was read, for the import
            return {"read_to": end, "prefix_sha": prefix_sha(data, end), "note": words,
                    "status": "cut off" if cut else outcome.status}

        outcome = self.loader._store(self.path.name, str(self.path), table, rt, positions, self.ledger_source,
                                     self.run_id, self.sha, size, self.mtime, fields, self._handed_on())
        if start and last is not None and last.status == "cut off" and table.rows:
            self._cut_line_ended(first_line)
        return outcome

    # ---- ledger entries without rows -----------------------------------------------------------------------

    def _entry_only(self, status: str, note: str, read_to: int = 0) -> FileOutcome:
        """An entry for a file that stores no rows: empty, header only, a duplicate."""
        with self.loader.sessions.begin() as session:
            session.add(LoadedFile(source=self.ledger_source, path=str(self.path), size=self.size, mtime=self.mtime,
                                   sha256=self.sha, run_id=self.run_id, loaded_at=self.loader.clock(),
                                   status=status, read_to=read_to, prefix_sha=prefix_sha(self.data, read_to),
                                   note=note))
        return FileOutcome(self.path.name, status, note=note)

    def _cut_off_now(self, entry: Entry) -> FileOutcome:
        """A file read up to its last line, unchanged since, and still for ``final_seconds``: that line never
        ended. It is refused (quarantined) and the entry says so."""
        data, end = self.data, entry.read_to
        line = line_at(data, end)
        cut = cut_off_words(end, self.final)
        reason = Sentence("{cut}: {line}", cut=cut, line=_shown(bytes(data[end:])))
        before = entry.note.replace(f"; {waiting_words(line)}", "")
        words = f"{cut}; {before}" if entry.rows_read else cut
        now = self.loader.clock()
        with self.loader.sessions.begin() as session:
            session.add(QuarantinedRow(run_id=self.run_id, source=self.ledger_source, file=str(self.path), row=line,
                                       column="", value="", reason=reason, reason_message=payload(reason),
                                       created_at=now,
                                       record_type=self.record))
            session.execute(update(LoadedFile).where(LoadedFile.id == entry.id).values(
                size=self.size, mtime=self.mtime, status="cut off", note=words,
                rows_rejected=LoadedFile.rows_rejected + 1))
        return FileOutcome(self.path.name, "cut off", rows_rejected=1, problems=[(line, "", "", reason)], note=words)

    def _cut_line_ended(self, line: int) -> None:
        """The line refused as cut off has ended since and was read: its quarantine entry is resolved."""
        with self.loader.sessions.begin() as session:
            session.execute(update(QuarantinedRow).where(
                QuarantinedRow.source == self.ledger_source, QuarantinedRow.file == str(self.path),
                QuarantinedRow.row == line, QuarantinedRow.status == "open",
                QuarantinedRow.reason.like("cut off at byte %")).values(
                status="resolved", resolved_by=f"{self.path.name}: the line ended later and was read",
                resolved_at=self.loader.clock()))


def _shown(tail: bytes) -> str:
    """The cut-off line as the quarantine shows it (quoted, shortened)."""
    text = tail.decode("utf-8", "replace").strip()
    return repr(text if len(text) <= 80 else text[:77] + "…")
