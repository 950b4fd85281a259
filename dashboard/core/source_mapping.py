"""How a source's files map onto the data contract, as the plant file says it: where the header is, the date, time
and number formats the exporting system writes, and the columns and values it names its own way.

A plant's MES, QMS, EHS and HR systems export what they export: US dates, a date column beside a time column,
decimal commas with thousands separators, a title row above the header, their own words for event types and their
own names for areas. A source's mapping (keys of a ``sources[]`` entry, read by ``read_mapping``) turns those files
into the contract's columns and values before any row is validated; ``data/ingest/mapped.py`` applies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: the keys of a source entry that belong to its mapping
MAPPING_KEYS = ("header_row", "header_cell", "date_format", "time_format", "decimal", "thousands", "values",
                "constants", "timestamps")
SEPARATORS = {".": "dot", ",": "comma", " ": "space", "'": "apostrophe"}
_TOKENS = re.compile(r"YYYY|YY|MM|M|DD|D|HH|H|hh|h|mm|ss|AM|PM|am|pm")
_CELL = re.compile(r"([A-Za-z]{1,3})(\d+)")


@dataclass(frozen=True)
class SourceMapping:
    """A source's own export shape: header position, formats, renamed values, constant and joined columns."""

    header_row: int = 1  # the CSV line or sheet row holding the header; the rows above it are skipped
    first_column: int = 1  # a sheet's first column read (``header_cell: B3`` starts at column 2)
    date_format: str | None = None  # a strptime pattern, e.g. "%m/%d/%Y"
    time_format: str | None = None  # a strptime pattern, e.g. "%I:%M %p"
    decimal: str | None = None  # the decimal separator the source writes ("." or ",")
    thousands: str | None = None  # its thousands separator ("" when it writes none)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # contract column → their value → Huddle's
    constants: dict[str, str] = field(default_factory=dict)  # contract column → the value of every row
    timestamps: dict[str, tuple[str, str]] = field(default_factory=dict)  # contract column → (date col, time col)

    @property
    def numbers_set(self) -> bool:
        """Whether the source says how it writes numbers."""
        return self.decimal is not None or self.thousands is not None

    @property
    def changes_cells(self) -> bool:
        """Whether rows are rewritten before validation (formats, value maps, constants, joined columns)."""
        return bool(self.date_format or self.time_format or self.numbers_set or self.values or self.constants
                    or self.timestamps)

    @property
    def decimal_mark(self) -> str:
        """The decimal separator in effect once the source sets either separator."""
        if self.decimal is not None:
            return self.decimal
        return "," if self.thousands == "." else "."


def strptime_pattern(text: str) -> str:
    """A date or time format as ``strptime`` reads it: given with ``%`` codes as is, else from the tokens people
    write (``MM/DD/YYYY``, ``DD.MM.YYYY``, ``HH:mm``, ``h:mm AM``); ``ValueError`` when it has no date or time part."""
    if "%" in text:
        pattern = text
    else:
        twelve = bool(re.search(r"AM|PM|am|pm", text))
        codes = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "M": "%m", "DD": "%d", "D": "%d", "HH": "%H", "H": "%H",
                 "hh": "%I" if twelve else "%H", "h": "%I" if twelve else "%H", "mm": "%M", "ss": "%S",
                 "AM": "%p", "PM": "%p", "am": "%p", "pm": "%p"}
        pattern = _TOKENS.sub(lambda m: codes[m.group(0)], text)
    if not re.search(r"%[YymdHIMS]", pattern):
        raise ValueError("no date or time part in it")
    datetime(2026, 11, 16, 14, 30, 5).strftime(pattern)  # a code strftime does not know raises ValueError
    return pattern


def read_mapping(raw: dict[str, Any], where: str, problems: list[str]) -> SourceMapping:
    """A source entry's mapping keys as a ``SourceMapping``; what is wrong goes to ``problems`` with its place."""
    header_row, first_column = 1, 1
    if raw.get("header_row") is not None:
        value = raw["header_row"]
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            header_row = value
        else:
            problems.append(f"{where}.header_row: expected the line (or sheet row) of the header, 1 or more; "
                            f"got {value!r}")
    if raw.get("header_cell") is not None:
        m = _CELL.fullmatch(str(raw["header_cell"]).strip())
        if m and int(m.group(2)) >= 1:
            header_row, first_column = int(m.group(2)), _column_number(m.group(1))
            if raw.get("header_row") is not None and raw["header_row"] != header_row:
                problems.append(f"{where}.header_cell: {raw['header_cell']} is on row {header_row}, "
                                f"but header_row says {raw['header_row']}: give one of them")
        else:
            problems.append(f"{where}.header_cell: expected the sheet cell of the header's first name, like B3; "
                            f"got {raw['header_cell']!r}")
    formats: dict[str, str | None] = {}
    for key in ("date_format", "time_format"):
        value = raw.get(key)
        formats[key] = None
        if value is None:
            continue
        try:
            formats[key] = strptime_pattern(str(value))
        except ValueError as exc:
            problems.append(f"{where}.{key}: {value!r} is not a format Huddle can read ({exc}); "
                            f"write it like MM/DD/YYYY, DD.MM.YYYY or HH:mm")
    decimal = _separator(raw, "decimal", where, problems, (".", ","))
    thousands = _separator(raw, "thousands", where, problems, (".", ",", " ", "'", ""))
    if decimal is not None and decimal == thousands:
        problems.append(f"{where}.thousands: the same as decimal ({decimal!r}); a number cannot use one mark "
                        f"for both")
    values: dict[str, dict[str, str]] = {}
    for column, table in _mapping(raw.get("values"), f"{where}.values", problems).items():
        entries = _mapping(table, f"{where}.values.{column}", problems)
        values[str(column)] = {str(a).strip(): _text(b) for a, b in entries.items()}
    constants = {str(k): _text(v) for k, v in _mapping(raw.get("constants"), f"{where}.constants",
                                                        problems).items()}
    timestamps: dict[str, tuple[str, str]] = {}
    for column, pair in _mapping(raw.get("timestamps"), f"{where}.timestamps", problems).items():
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) and p.strip() for p in pair):
            timestamps[str(column)] = (pair[0], pair[1])
        else:
            problems.append(f"{where}.timestamps.{column}: expected [date column, time column], got {pair!r}")
    both = set(constants) & set(timestamps)
    if both:
        problems.append(f"{where}: {', '.join(sorted(both))} is given both as a constant and from timestamps")
    return SourceMapping(header_row, first_column, formats["date_format"], formats["time_format"], decimal,
                         thousands, values, constants, timestamps)


def _separator(raw: dict[str, Any], key: str, where: str, problems: list[str], allowed: tuple[str, ...]
               ) -> str | None:
    if key not in raw:
        return None
    value = raw[key]
    value = "" if value is None or (isinstance(value, str) and value.strip().lower() == "none") else value
    if isinstance(value, str) and value in allowed:
        return value
    shown = ", ".join(repr(a) if a else "none" for a in allowed)
    problems.append(f"{where}.{key}: expected one of {shown}, got {value!r}")
    return None


def _mapping(value: Any, where: str, problems: list[str]) -> dict[Any, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    problems.append(f"{where}: expected a mapping (their name: Huddle's), got {value!r}")
    return {}


def _text(value: Any) -> str:
    """A YAML value as the text a file would hold (YAML reads ``1`` as a number, ``2026-11-01`` as a date)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def separator_words(mark: str | None) -> str:
    """A separator as a person names it: "comma", "dot", "none"."""
    return SEPARATORS.get(mark or "", "none") if mark else "none"
