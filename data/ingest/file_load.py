"""One file's rows through the store, chunk by chunk: validated (the row screen), checked against the rest of the
file and the stored rows (a duplicate natural key in the file, a count or stop overlapping another of its line),
compared with the stored row of the same natural key (new, replaced with the change kept in ``row_changes``, or
unchanged and left alone), written in bulk, and the refused rows quarantined with their record type and key.

``RowStore.store`` (``store``) runs a ``FileLoad`` inside the file's one transaction; a chunk of rows is all the
memory a file takes, whatever its length: a long file's keys go to a temporary table, and the rows of its earlier
chunks are read back from their table for the overlaps (``file_index``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from pathlib import PurePath
from typing import Any

import numpy as np
from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.sentence import Sentence, payload
from huddle.data.ingest import bulk
from huddle.data.ingest.column_screen import ColumnChunk, screen_columns
from huddle.data.ingest.contract import RecordType, RowValidator, local_time_text, natural_key_text
from huddle.data.ingest.facts import Touched
from huddle.data.ingest.facts_rows import Written
from huddle.data.ingest.file_index import (
    KeyIndex,
    Spans,
    chunk_overlaps,
    group_codes,
    key_hashes,
    micro_keys,
    series_codes,
)
from huddle.data.ingest.screen import RowScreen, key_text
from huddle.data.instants import micros_of_utc, utc_of_micros
from huddle.data.queries.quarantine import resolve_open
from sqlalchemy import Table
from sqlalchemy.orm import Session

#: rows validated and written at a time: enough for the database's bulk paths, small enough for flat memory
CHUNK_ROWS = 50_000
#: record types whose rows may not overlap in time: (columns naming a series, the longest a row may last)
SPANS: dict[str, tuple[tuple[str, ...], timedelta]] = {
    "production_counts": (("line", "product"), timedelta(hours=12)),
    "stop_events": (("line",), timedelta(days=7)),
}
_OVERLAPS = N_("overlaps {span} (line {line} of {file})")
_WHAT = {"production_counts": N_("overlaps the stored count {span} from {where}"),
         "stop_events": N_("overlaps the stored stop {span} from {where}")}

#: a refused row: (line, column, value, reason, raw values, natural key text)
Refusal = tuple[int, str, str, str, dict[str, Any], str]


def chunks(rows: Iterable[tuple[int, list[Any]]], size: int | None = None) -> Iterator[list[tuple[int, list[Any]]]]:
    """A file's numbered rows, ``size`` (else ``CHUNK_ROWS``) at a time; the rows may be a list or read lazily."""
    size = size or CHUNK_ROWS
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


@dataclass
class FileLoad:
    """The state of one file being stored: what it has seen, what became of its rows."""

    session: Session
    record: RecordType
    validator: RowValidator
    target: Table
    key: tuple[str, ...]
    to_row: Callable[[dict[str, Any]], dict[str, Any]]
    name: str  # the file's name, for messages and the ledgers
    where: str  # its path, as the quarantine keeps it
    ledger_source: str
    run_id: int
    now: datetime
    #: contract column → table column, for record types whose rows are their clean values renamed (their clean
    #: chunks are stored a column at a time; the others go row by row)
    mapping: dict[str, str] | None = None
    #: what distinct cell values parse to, kept by the store between files (``RowScreen``)
    parsed: dict[str, dict[Any, Any]] | None = None
    read: int = 0
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    refused_lines: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.screen = RowScreen(self.validator, self.parsed)
        self.keys = KeyIndex(bulk.KeyTable(self.session))
        self.runs: dict[int, str] = {}
        #: the rows the file writes, for its facts, as long as they are all new and not too many (else read back)
        self.written: Written | None = None
        if self.target.name in ("production_counts", "stop_events"):
            self.open, below = bulk.open_keys_and_last_id(self.session, self.record.name, self.target.name)
            self.written = Written.start(self.session, self.target.name, self.run_id, below)
        else:
            self.open = bulk.open_keys(self.session, self.record.name)

    @property
    def accepted(self) -> int:
        """Rows stored or confirmed (new, replaced or unchanged)."""
        return self.new + self.replaced + self.unchanged

    def add(self, chunk: list[tuple[int, list[Any]]], positions: dict[str, int], width: int,
            touched: Touched, touch: Callable[[Touched, list[dict[str, Any]]], None]) -> None:
        """Store one chunk of the file's rows: a column at a time when every row is clean and new, else row by
        row (which names every problem)."""
        clean = screen_columns(self.screen, chunk, positions, width) if self.mapping is not None else None
        if clean is not None and self._add_clean(clean, touched, touch):
            return
        self._add_rows(chunk, positions, width, touched, touch)

    def _add_rows(self, chunk: list[tuple[int, list[Any]]], positions: dict[str, int], width: int,
                  touched: Touched, touch: Callable[[Touched, list[dict[str, Any]]], None]) -> None:
        refusals: list[Refusal] = []
        numbers: list[int] = []
        cleans: list[dict[str, Any]] = []
        for number, cells in chunk:
            self.read += 1
            raw = {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()}
            if len(cells) > width and any(str(x).strip() for x in cells[width:] if x is not None):
                many = Sentence(N_("{n} values but the header has {width} columns"), n=len(cells), width=width)
                refusals.append((number, "", "", many, raw, key_text(self.validator, raw)))
                continue
            clean, found = self.screen.validate(raw)
            if clean is None:
                text = key_text(self.validator, raw)
                refusals.extend((number, p.column, p.value, p.reason, raw, text) for p in found)
                continue
            numbers.append(number)
            cleans.append(clean)
        keep, hashes = self._duplicates(numbers, cleans, refusals, positions, chunk)
        cleans = [cleans[i] for i in keep]
        lines = np.asarray([numbers[i] for i in keep], dtype=np.int64)
        rows = [self.to_row(c) for c in cleans]
        if self.record.name in SPANS:
            kept = self._overlaps(rows, cleans, lines.tolist(), refusals, positions, chunk)
            refused = np.ones(len(rows), dtype=bool)
            refused[kept] = False
            lines[refused] = -lines[refused]  # a row refused as an overlap: a later one with its key is its duplicate
            rows, cleans = [rows[i] for i in kept], [cleans[i] for i in kept]
        self.keys.add(hashes, lines)
        written = self._write(rows, cleans)
        if written:
            self.written = None  # rows written one by one, some maybe replacing stored ones: the facts read them
            touch(touched, written)
        self._quarantine(refusals)

    # ---- a clean chunk, a column at a time ------------------------------------------------------------------

    def _add_clean(self, chunk: ColumnChunk, touched: Touched,
                   touch: Callable[[Touched, list[dict[str, Any]]], None]) -> bool:
        """Store a clean chunk whose rows are all new: no key seen before in the file or stored, no overlap.
        False (nothing done) when it is not so; the chunk then goes row by row."""
        assert self.mapping is not None
        key = self.record.natural_key
        # instants as their microseconds (no datetime made per row); a column missing some is turned per key
        naturals = list(zip(*(chunk.micros[k].tolist() if k in chunk.complete else chunk.values[k] for k in key),
                            strict=True))
        if any(k in chunk.micros and k not in chunk.complete for k in key):
            naturals = micro_keys(naturals)
        hashes = key_hashes(naturals)
        # distinct hashes are distinct keys: the keys themselves are compared only when two hashes meet
        ordered = np.sort(hashes)
        if bool((ordered[1:] == ordered[:-1]).any()) and len(set(naturals)) != len(naturals):
            return False
        if self.keys.first_lines(hashes).any():
            return False
        columns = {self.mapping[k]: v for k, v in chunk.values.items() if k in self.mapping}
        instants = {self.mapping[k]: v for k, v in chunk.micros.items() if k in self.mapping}
        if self.record.name in SPANS:  # one query of the stored rows around the chunk: for its keys and spans
            if not self._clean_spans(columns, instants):
                return False
        else:
            stored_keys = bulk.stored_keys(self.session, self.target, self.key, columns)
            if stored_keys and not stored_keys.isdisjoint(zip(*(columns[k] for k in self.key), strict=True)):
                return False
        n = len(chunk)
        columns["run_id"] = [self.run_id] * n
        bulk.write_columns(self.session, self.target, self.key, columns, new_only=True, instants=instants)
        if self.written is not None and not self.written.add(columns, instants):
            self.written = None
        self.keys.add(hashes, np.asarray(chunk.numbers, dtype=np.int64))
        self.read += n
        self.new += n
        if self.open:
            done = {natural_key_text(self.record, c) for c in chunk.rows()} & self.open
            if done:
                resolve_open(self.session, self.record.name, done, self.name, self.now)
                self.open -= done
        touch(touched, _bounds(columns, instants))
        return True

    def _clean_spans(self, columns: dict[str, list[Any]], instants: dict[str, np.ndarray]) -> bool:
        """Whether no row of the chunk overlaps another (of the chunk, of the file or stored) and none has a
        stored one."""
        series, longest = SPANS[self.record.name]
        codes, code = series_codes([columns[c] for c in series])
        starts, ends = instants["start_utc"], instants["end_utc"]
        # the first start and last end found among the microseconds (comparing aware times one by one costs more)
        first_start = columns["start_utc"][int(np.argmin(starts))]
        last_end = columns["end_utc"][int(np.argmax(ends))]
        # every stored row of a key of the chunk is among these (it starts in the chunk's range, so ends after it),
        # and so is every row of the file's earlier chunks that the chunk could overlap: they are stored by now
        stored = bulk.stored_rows(self.session, self.target, self.key, ["end_utc"], first_start - longest,
                                  last_end, {g[0] for g in codes}, ending_after=first_start)
        width = len(self.key)
        if stored and not {tuple(s[:width]) for s in stored}.isdisjoint(
                zip(*(columns[k] for k in self.key), strict=True)):
            return False
        if stored:  # a stored row with the key of a row the file refused is not one of its rows: no overlap
            hashes = key_hashes(micro_keys(tuple(getattr(s, k) for k in self.key) for s in stored))
            stored = [s for s, line in zip(stored, self.keys.first_lines(hashes), strict=True) if line >= 0]
        for group, number in codes.items():
            members = np.flatnonzero(code == number)
            fresh = Spans.of(starts[members], ends[members], members)
            if len(fresh.starts) > 1 and bool((fresh.starts[1:] < np.maximum.accumulate(fresh.ends)[:-1]).any()):
                return False
            mine = [s for s in stored if tuple(getattr(s, c) for c in series) == group]
            if mine:
                spans = Spans.of([micros_of_utc(s.start_utc) for s in mine], [micros_of_utc(s.end_utc) for s in mine],
                                 list(range(len(mine))))
                if bool((spans.overlapping(starts[members], ends[members]) >= 0).any()):
                    return False
        return True

    # ---- duplicates and overlaps -------------------------------------------------------------------------

    def _raw_of(self, chunk: list[tuple[int, list[Any]]], positions: dict[str, int]) -> dict[int, dict[str, Any]]:
        return {n: {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()} for n, cells in chunk}

    def _duplicates(self, numbers: list[int], cleans: list[dict[str, Any]], refusals: list[Refusal],
                    positions: dict[str, int], chunk: list[tuple[int, list[Any]]]) -> tuple[list[int], np.ndarray]:
        """Positions of the rows whose natural key no earlier row of the file had, and their keys' hashes; the
        others are refused."""
        key = self.record.natural_key
        naturals = [tuple(c.get(k) for k in key) for c in cleans]
        hashes = key_hashes(micro_keys(naturals))
        earlier = self.keys.first_lines(hashes)
        seen: dict[tuple[Any, ...], int] = {}
        keep: list[int] = []
        first: list[int] = []
        raws: dict[int, dict[str, Any]] | None = None
        for i, natural in enumerate(naturals):
            before = abs(int(earlier[i])) or seen.get(natural, 0)
            if before:
                raws = raws if raws is not None else self._raw_of(chunk, positions)
                twice = Sentence(N_("duplicate of line {line} (same {columns})"), line=before, columns=", ".join(key))
                refusals.append((numbers[i], ",".join(key), "", twice, raws[numbers[i]],
                                 natural_key_text(self.record, cleans[i])))
                continue
            seen[natural] = numbers[i]
            keep.append(i)
            first.append(i)
        return keep, hashes[first]

    def _overlaps(self, rows: list[dict[str, Any]], cleans: list[dict[str, Any]], numbers: list[int],
                  refusals: list[Refusal], positions: dict[str, int],
                  chunk: list[tuple[int, list[Any]]]) -> list[int]:
        """Positions of the rows overlapping no other row of their series (in the file or stored); the others are
        refused."""
        if not rows:
            return []
        series, _ = SPANS[self.record.name]
        groups = [tuple(r[c] for c in series) for r in rows]
        starts = [micros_of_utc(r["start_utc"]) for r in rows]
        ends = [micros_of_utc(r["end_utc"]) for r in rows]
        why: dict[int, str] = {}
        earlier, others = self._stored_near(rows)
        by_group: dict[tuple[Any, ...], list[int]] = {}
        for i, g in enumerate(groups):
            by_group.setdefault(g, []).append(i)
        for g, members in by_group.items():  # the file's earlier chunks (stored by now)
            theirs = [(s, line) for s, line in earlier if tuple(getattr(s, c) for c in series) == g]
            if not theirs:
                continue
            spans = Spans.of([micros_of_utc(s.start_utc) for s, _ in theirs],
                             [micros_of_utc(s.end_utc) for s, _ in theirs],
                             [line for _, line in theirs])
            found = spans.overlapping(np.asarray([starts[i] for i in members]),
                                      np.asarray([ends[i] for i in members]))
            for i, j in zip(members, found, strict=True):
                if j >= 0:
                    why[i] = Sentence(_OVERLAPS, span=self._span(spans.starts[j], spans.ends[j]),
                                      line=int(spans.refs[j]), file=self.name)
        for i, j in chunk_overlaps([g if i not in why else (None, i) for i, g in enumerate(groups)],
                                   starts, ends).items():
            why[i] = Sentence(_OVERLAPS, span=self._span(starts[j], ends[j]), line=numbers[j], file=self.name)
        self._stored_overlaps(others, groups, starts, ends, why)
        raws = self._raw_of(chunk, positions) if why else {}
        keep = [i for i in range(len(rows)) if i not in why]
        for i, reason in why.items():
            refusals.append((numbers[i], "start", local_time_text(rows[i]["start_utc"], self.validator.tz), reason,
                             raws[numbers[i]], natural_key_text(self.record, cleans[i])))
        return keep

    def _stored_near(self, rows: list[dict[str, Any]]) -> tuple[list[tuple[Any, int]], list[Any]]:
        """The stored rows the chunk's rows could overlap: those the file stored from its earlier chunks (with
        their lines), and the others. A stored row with the key of a row of this chunk is that row (or the one it
        replaces), and one with the key of a row the file refused is not the file's: neither is an overlap."""
        _, longest = SPANS[self.record.name]
        lo = min(r["start_utc"] for r in rows) - longest
        hi = max(r["end_utc"] for r in rows)
        stored = bulk.stored_rows(self.session, self.target, self.key, ["end_utc"], lo, hi,
                                  {r[self.key[0]] for r in rows}, ending_after=lo + longest)
        if not stored:
            return [], []
        keys = [tuple(getattr(s, k) for k in self.key) for s in stored]
        current = {tuple(r[k] for k in self.key) for r in rows}
        earlier: list[tuple[Any, int]] = []
        others: list[Any] = []
        lines = self.keys.first_lines(key_hashes(micro_keys(keys))).tolist()
        for s, key, line in zip(stored, keys, lines, strict=True):
            if line > 0:
                earlier.append((s, line))
            elif line == 0 and key not in current:
                others.append(s)
        return earlier, others

    def _stored_overlaps(self, others: list[Any], groups: list[tuple[Any, ...]], starts: list[int],
                         ends: list[int], why: dict[int, str]) -> None:
        if not others:
            return
        series, _ = SPANS[self.record.name]
        by_group: dict[tuple[Any, ...], list[int]] = {}
        for j, s in enumerate(others):
            by_group.setdefault(tuple(getattr(s, c) for c in series), []).append(j)
        mine: dict[tuple[Any, ...], list[int]] = {}
        for i, g in enumerate(groups):
            if i not in why and g in by_group:
                mine.setdefault(g, []).append(i)
        for g, members in mine.items():
            js = by_group[g]
            spans = Spans.of([micros_of_utc(others[j].start_utc) for j in js],
                             [micros_of_utc(others[j].end_utc) for j in js], js)
            found = spans.overlapping(np.asarray([starts[i] for i in members]), np.asarray([ends[i] for i in members]))
            for i, f in zip(members, found, strict=True):
                if f >= 0:
                    s = others[int(spans.refs[f])]
                    why[i] = Sentence(_WHAT[self.record.name], span=self._span(micros_of_utc(s.start_utc),
                                      micros_of_utc(s.end_utc)), where=self._run_file(s.run_id))

    def _span(self, start: int, end: int) -> str:
        lo = local_time_text(utc_of_micros(int(start)), self.validator.tz)
        hi = local_time_text(utc_of_micros(int(end)), self.validator.tz)
        return f"{lo}–{hi[11:]}" if lo[:10] == hi[:10] else f"{lo}–{hi}"

    def _run_file(self, run_id: int | None) -> str:
        """Where a stored row came from, in words: the file its run stored, or the run's files."""
        if run_id is None:
            return Sentence(N_("an earlier load"))
        if run_id not in self.runs:
            names = [PurePath(p).name or p for p in bulk.run_files(self.session, run_id)]
            if not names:
                self.runs[run_id] = Sentence(N_("an earlier load"))
            elif len(names) == 1:
                self.runs[run_id] = names[0]
            else:
                shown = ", ".join(names[:3])
                if len(names) > 3:
                    shown = Sentence(N_("{files} and {n} more"), files=shown, n=len(names) - 3)
                self.runs[run_id] = Sentence(N_("one of the files {files}"), files=shown)
        return self.runs[run_id]

    # ---- writing -----------------------------------------------------------------------------------------

    def _write(self, rows: list[dict[str, Any]], cleans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write the new and changed rows, ledger the changes; returns the rows written."""
        if not rows:
            return []
        key = self.key
        range_col = bulk.range_column(self.target, key)
        values = [c for c in rows[0] if c not in key and c not in bulk.BOOKKEEPING]
        lo = min(r[range_col] for r in rows)
        hi = max(r[range_col] for r in rows)
        stored = {tuple(getattr(s, k) for k in key): s for s in bulk.stored_rows(
            self.session, self.target, key, values, lo, hi, {r[key[0]] for r in rows})}
        written: list[dict[str, Any]] = []
        changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for r, clean in zip(rows, cleans, strict=True):
            old = stored.get(tuple(r[k] for k in key)) if stored else None
            if old is None:
                self.new += 1
                written.append(r)
                continue
            before = {c: getattr(old, c) for c in values}
            after = {c: r[c] for c in values}
            if before == after:
                self.unchanged += 1
                continue
            self.replaced += 1
            written.append(r)
            changes.append((natural_key_text(self.record, clean), before, after))
        bulk.write_rows(self.session, self.target, key, written)
        bulk.record_changes(self.session, self.run_id, self.record.name, self.where, self.now, changes)
        if self.open:
            done = {natural_key_text(self.record, c) for c in cleans} & self.open
            if done:
                resolve_open(self.session, self.record.name, done, self.name, self.now)
                self.open -= done
        return written

    def _quarantine(self, refusals: list[Refusal]) -> None:
        if not refusals:
            return
        self.problems.extend((n, c, v, r) for n, c, v, r, _raw, _key in refusals)
        self.refused_lines.update(n for n, *_ in refusals)
        bulk.quarantine(self.session, [
            {"run_id": self.run_id, "source": self.ledger_source, "file": self.where, "row": n, "column": c,
             "value": v, "reason": r, "reason_message": payload(r), "record": json.dumps(raw, default=str)[:2000],
             "created_at": self.now,
             "record_type": self.record.name, "natural_key": key[:400], "status": "open"}
            for n, c, v, r, raw, key in refusals])

    def broken(self, parts: list[tuple[int, str]]) -> None:
        """Parts of the file that could not be read as rows."""
        self._quarantine([(line, "", "", reason, {}, "") for line, reason in parts])


def _bounds(columns: dict[str, list[Any]], instants: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Rows standing for a clean chunk's in the shifts it touches: per line its first and last instants (or, for
    labour, each line, day and shift once)."""
    if "production_date" in columns:
        return [{"line": ln, "production_date": d, "shift": sh} for ln, d, sh in
                dict.fromkeys(zip(columns["line"], columns["production_date"], columns["shift"], strict=True))]
    lines = columns["line"]
    codes, code = group_codes(lines)
    first_col, last_col = ("start_utc", "end_utc") if "start_utc" in columns else ("at_utc", "at_utc")
    out = []
    for line, number in codes.items():
        members = np.flatnonzero(code == number)
        first = int(members[np.argmin(instants[first_col][members])])
        last = int(members[np.argmax(instants[last_col][members])])
        if first_col == "start_utc":
            out.append({"line": line, "start_utc": columns["start_utc"][first], "end_utc": columns["end_utc"][last]})
        else:
            out += [{"line": line, "at_utc": columns["at_utc"][i]} for i in (first, last)]
    return out

