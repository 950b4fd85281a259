"""A source's mapping applied to a file read as a table, before any row reaches the row screens: value maps, the
source's date, time and number formats turned into the contract's plain text, constant columns, and a date column
joined with a time column into one timestamp.

Both screens (the row screen and the column screen of clean chunks) then see the same cells: the contract's own
forms, or a ``RefusedCell`` saying why the mapping could not read it, which both refuse with that reason. A file's
rows read lazily (a long CSV) stay lazy: each row is mapped as the store iterates it. See ``docs/data-contract.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.plant import Finding, SourceDef
from huddle.dashboard.core.sentence import Sentence, reason_of
from huddle.dashboard.core.source_mapping import SourceMapping
from huddle.data.ingest.contract import RECORD_TYPES, Column, FileError, RecordType, map_columns, normalise_header
from huddle.data.ingest.numbers import read_number
from huddle.data.ingest.readers import Table
from huddle.data.ingest.refused_cell import RefusedCell

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d")  # the contract's own, when the source names none
TIME_FORMATS = ("%H:%M:%S", "%H:%M")
_CANONICAL = "%Y-%m-%d %H:%M:%S"
_SAMPLE = datetime(2026, 11, 16, 14, 30)
Cell = Any
Convert = Callable[[Cell], Cell]


def map_table(table: Table, record: RecordType, source: SourceDef | None) -> tuple[Table, dict[str, int]]:
    """The table as the contract reads it, and the positions of the contract's columns in it; ``FileError`` when
    the file lacks a column the contract or the mapping needs."""
    if source is None:
        return table, map_columns(table.header, record, {})
    mapping = source.mapping
    try:
        if not mapping.changes_cells:
            return table, map_columns(table.header, record, source.columns)
        return _Mapper(table, record, source.columns, mapping).mapped()
    except FileError as exc:
        if mapping.header_row > 1 and exc.reason.startswith("missing column"):  # the header may be elsewhere
            raise FileError(Sentence(N_("{reason} (the header is read from line {row}, the source's header_row)"),
                                     reason=exc.reason, row=mapping.header_row), exc.column) from None
        raise


def mapping_findings(sources: dict[str, SourceDef]) -> list[Finding]:
    """Errors in the sources' mappings that every file would be refused for: a ``values``, ``constants`` or
    ``timestamps`` entry naming no column of the source's record type (for ``huddle check``)."""
    found = []
    for source in sources.values():
        record = RECORD_TYPES.get(source.record)
        if record is None or source.kind == "mqtt":
            continue
        names = {c.name for c in record.columns}
        m = source.mapping
        for setting, given in (("values", m.values), ("constants", m.constants), ("timestamps", m.timestamps)):
            for name in given:
                if name not in names:
                    found.append(Finding("error", f"source {source.key}", f"{setting}: {name!r} is no column of "
                                         f"{record.name} (its columns: {', '.join(names_in_order(record))}); every "
                                         f"file of the source would be refused"))
    return found


def names_in_order(record: RecordType) -> list[str]:
    """A record type's column names, in the contract's order."""
    return [c.name for c in record.columns]


class _Mapper:
    """One file's table through one source's mapping."""

    def __init__(self, table: Table, record: RecordType, renames: dict[str, str], mapping: SourceMapping) -> None:
        self.table, self.record, self.m = table, record, mapping
        self.columns = {c.name: c for c in record.columns}
        for setting, names in (("values", mapping.values), ("constants", mapping.constants),
                               ("timestamps", mapping.timestamps)):
            for name in names:
                if name not in self.columns:
                    raise FileError(Sentence(N_("the source's {setting} name {name}, which is no column of "
                                                "{record} (its columns: {columns})"), setting=setting,
                                             name=repr(name), record=record.name, columns=", ".join(self.columns)))
        self.width = len(table.header)
        made = [*mapping.timestamps, *mapping.constants]  # columns the mapping makes: the file's own are not read
        user = {normalise_header(k): v for k, v in renames.items()}
        header = ["" if _target(h, user, record) in made else h for h in table.header]
        self.header = header + made
        self.positions = map_columns(self.header, record, renames)
        names = [normalise_header(h) for h in table.header]
        self.joins: list[tuple[str, int, int]] = []
        for name, (day, clock) in mapping.timestamps.items():
            found = [names.index(normalise_header(c)) if normalise_header(c) in names else -1 for c in (day, clock)]
            for c, at in zip((day, clock), found, strict=True):
                if at < 0:
                    shown = ", ".join(repr(h) for h in table.header if str(h or "").strip())
                    raise FileError(Sentence(N_("missing column {column} (the source's timestamps: {name}: "
                                                "[{day}, {clock}]); the file has: {shown}"), column=repr(c),
                                             name=name, day=day, clock=clock, shown=shown), name)
            self.joins.append((name, found[0], found[1]))
        self.constants = list(mapping.constants.values())
        self.converts: list[tuple[int, Convert]] = []
        for name, at in self.positions.items():
            convert = self._convert(self.columns[name]) if at < self.width else None
            if convert is not None:
                self.converts.append((at, _cached(convert)))
        self.join_cache: dict[tuple[Cell, Cell], Cell] = {}
        self.parts: dict[tuple[str, str], Any] = {}

    def mapped(self) -> tuple[Table, dict[str, int]]:
        rows = self.table.rows
        mapped_rows: Any = [self.row(r) for r in rows] if isinstance(rows, list) else MappedRows(rows, self.row)
        notes = [n for n in (self.table.note, self._note()) if n]
        table = replace(self.table, header=self.header, rows=mapped_rows, note="; ".join(notes),
                        decimal_comma=False if self.m.numbers_set else self.table.decimal_comma)
        return table, self.positions

    def _note(self) -> str:
        m = self.m
        parts = []
        if m.date_format:
            parts.append(f"dates like {_SAMPLE.strftime(m.date_format)}")
        if m.time_format:
            parts.append(f"times like {_SAMPLE.strftime(m.time_format)}")
        if m.numbers_set:
            parts.append(f"numbers like {read_example(m)}")
        return ", ".join(parts)

    def row(self, numbered: tuple[int, list[Any]]) -> tuple[int, list[Any]]:
        """One numbered row as the contract reads it (cells past the header kept at the end, to be refused)."""
        number, cells = numbered
        w = self.width
        out = list(cells[:w])
        if len(out) < w:
            out += [""] * (w - len(out))
        for at, convert in self.converts:
            out[at] = convert(out[at])
        joined: dict[str, Cell] = {}
        for name, day, clock in self.joins:
            key = (cells[day] if day < len(cells) else "", cells[clock] if clock < len(cells) else "")
            found = self.join_cache.get(key) if _hashable(key) else None
            if found is None:
                found = self._join(name, key[0], key[1])
                if _hashable(key):
                    self.join_cache[key] = found
            joined[name] = found
        if "end" in joined and "start" in joined:
            joined["end"] = _after(joined["start"], joined["end"], self.m.timestamps)
        return number, out + list(joined.values()) + self.constants + list(cells[w:])

    # ---- cells -------------------------------------------------------------------------------------------------

    def _convert(self, col: Column) -> Convert | None:
        m = self.m
        table = m.values.get(col.name)
        kind: Convert | None = None
        if col.kind in ("int", "float") and m.numbers_set:
            kind = self._number
        elif col.kind == "datetime" and (m.date_format or m.time_format):
            kind = self._instant
        elif col.kind in ("date", "period") and m.date_format:
            kind = self._day if col.kind == "date" else self._period
        if table is None:
            return kind
        folded = {k.casefold(): v for k, v in table.items()}

        def convert(cell: Cell) -> Cell:
            text = _cell_text(cell)
            if text is not None:
                hit = table.get(text.strip())
                if hit is None:
                    hit = folded.get(text.strip().casefold())
                if hit is not None:
                    cell = hit
            return kind(cell) if kind else cell
        return convert

    def _number(self, cell: Cell) -> Cell:
        if type(cell) is not str or not cell.strip():
            return cell
        try:
            return read_number(cell, self.m.decimal_mark, self.m.thousands)
        except ValueError as exc:
            return RefusedCell(cell, reason_of(exc))

    def _instant(self, cell: Cell) -> Cell:
        if type(cell) is not str or not cell.strip():
            return cell
        text = cell.strip()
        for day in self._date_formats():
            for clock in self._time_formats():
                try:
                    return datetime.strptime(text, f"{day} {clock}").strftime(_CANONICAL)
                except ValueError:
                    continue
        if _iso(text):
            return cell
        example = _SAMPLE.strftime(f"{self._date_formats()[0]} {self._time_formats()[0]}")
        return RefusedCell(cell, Sentence(N_("not a date and time as this source writes them (like {example}: the "
                                             "source's date_format and time_format)"), example=example))

    def _day(self, cell: Cell) -> Cell:
        if type(cell) is not str or not cell.strip():
            return cell
        try:
            return datetime.strptime(cell.strip(), self._date_formats()[0]).date().isoformat()
        except ValueError:
            pass
        try:
            return date.fromisoformat(cell.strip()).isoformat()
        except ValueError:
            return RefusedCell(cell, Sentence(N_("not a date as this source writes them (like {example}: the "
                                                 "source's date_format)"),
                                              example=_SAMPLE.strftime(self._date_formats()[0])))

    def _period(self, cell: Cell) -> Cell:
        if type(cell) is not str or not cell.strip():
            return cell
        try:  # a day in the source's format; a week or a month (2026-W47, 2026-11) is read by the contract
            return datetime.strptime(cell.strip(), self._date_formats()[0]).date().isoformat()
        except ValueError:
            return cell

    def _join(self, name: str, day: Cell, clock: Cell) -> Cell:
        """A date cell and a time cell as one timestamp."""
        day_blank, clock_blank = _blank(day), _blank(clock)
        if day_blank and clock_blank:
            return ""
        day_col, clock_col = self.m.timestamps[name]
        if day_blank or clock_blank:
            missing = day_col if day_blank else clock_col
            return RefusedCell(f"{'' if day_blank else day} {'' if clock_blank else clock}".strip(),
                               Sentence(N_("missing value in {column} (the source joins {day} and {clock} into "
                                           "{name})"), column=repr(missing), day=repr(day_col), clock=repr(clock_col),
                                        name=name))
        on = self._part(day, self._date_part)
        at = self._part(clock, self._time_part)
        if on is None or at is None:
            wrong, shown, fmt = (day_col, day, self._date_formats()[0]) if on is None else \
                (clock_col, clock, self._time_formats()[0])
            said = N_("{column} {value} is not a date as this source writes them (like {example}: the source's "
                      "date_format)") if on is None else N_("{column} {value} is not a time as this source writes "
                                                            "them (like {example}: the source's time_format)")
            return RefusedCell(f"{day} {clock}", Sentence(said, column=wrong, value=repr(_cell_text(shown)),
                                                          example=_SAMPLE.strftime(fmt)))
        return datetime.combine(on, at).strftime(_CANONICAL)

    def _part(self, cell: Cell, read: Callable[[Cell], Any]) -> Any:
        """A date or time cell read once per distinct text (a day's date repeats on every row of the day)."""
        if type(cell) is not str:
            return read(cell)
        key = (read.__name__, cell)
        if key not in self.parts:
            if len(self.parts) > 20_000:
                self.parts.clear()
            self.parts[key] = read(cell)
        return self.parts[key]

    def _date_part(self, cell: Cell) -> date | None:
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        for fmt in self._date_formats():
            try:
                return datetime.strptime(str(cell).strip(), fmt).date()
            except ValueError:
                continue
        return None

    def _time_part(self, cell: Cell) -> time | None:
        if isinstance(cell, datetime):
            return cell.time()
        if isinstance(cell, time):
            return cell
        for fmt in self._time_formats():
            try:
                return datetime.strptime(str(cell).strip(), fmt).time()
            except ValueError:
                continue
        return None

    def _date_formats(self) -> tuple[str, ...]:
        return (self.m.date_format,) if self.m.date_format else DATE_FORMATS

    def _time_formats(self) -> tuple[str, ...]:
        return (self.m.time_format,) if self.m.time_format else TIME_FORMATS


class MappedRows:
    """A long file's rows, read lazily, each mapped as it is read (as ``csv_stream.StreamedRows`` is iterated)."""

    def __init__(self, rows: Any, row: Callable[[tuple[int, list[Any]]], tuple[int, list[Any]]]) -> None:
        self.rows, self.row = rows, row

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return (self.row(r) for r in self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> tuple[int, list[Any]]:
        return self.row(self.rows[index])


def read_example(m: SourceMapping) -> str:
    """How the source's numbers look, for messages: 1.026,5 or 1,026.5."""
    thousands = m.thousands or ""
    return f"1{thousands}026{m.decimal_mark}5"


def _target(name: Any, user: dict[str, str], record: RecordType) -> str | None:
    """The contract column a header name reads as (by the source's renames, the name or an alias)."""
    h = normalise_header(name)
    t = user.get(h, h)
    return next((c.name for c in record.columns if t == c.name or t in c.aliases), None)


def _after(start: Cell, end: Cell, timestamps: dict[str, tuple[str, str]]) -> Cell:
    """An end on the same date column as its start, with an earlier time: the next day (a stop across midnight)."""
    if timestamps["start"][0] != timestamps["end"][0] or type(start) is not str or type(end) is not str:
        return end
    try:
        a, b = datetime.strptime(start, _CANONICAL), datetime.strptime(end, _CANONICAL)
    except ValueError:
        return end
    return (b + timedelta(days=1)).strftime(_CANONICAL) if b < a else end


def _cached(convert: Convert) -> Convert:
    """A conversion done once per distinct text (export files repeat their values)."""
    seen: dict[str, Cell] = {}

    def cached(cell: Cell) -> Cell:
        if type(cell) is not str:
            return convert(cell)
        found = seen.get(cell)
        if found is None:
            if len(seen) > 20_000:
                seen.clear()
            found = seen[cell] = convert(cell)
        return found
    return cached


def _cell_text(cell: Cell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, float) and cell == int(cell):
        return str(int(cell))
    return str(cell)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _hashable(key: tuple[Cell, Cell]) -> bool:
    return all(isinstance(k, str) for k in key)


def _iso(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False
