"""How a file would map through a source, before it is dropped in the inbox (``huddle check --source KEY FILE``):
how it was read, which of its columns (or which constant, which date and time columns) each contract column comes
from, its first rows as Huddle reads them and its first refusals, in the validator's own words. Nothing is stored;
what only the store can tell (a row already stored, an overlap with a stored stop) is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from huddle.dashboard.core.plant import PlantConfig, SourceDef
from huddle.data.ingest.contract import RECORD_TYPES, FileError, RowValidator, local_time_text
from huddle.data.ingest.mapped import map_table
from huddle.data.ingest.readers import read_table


@dataclass
class Preview:
    """A file as a source reads it: what it came to, and what would be refused."""

    note: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)  # (contract column, where its values come from)
    rows: list[tuple[int, list[tuple[str, str]]]] = field(default_factory=list)  # (line, [(column, value)])
    refusals: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, column, value, reason)
    read: int = 0
    refused: int = 0
    error: str = ""  # the file as a whole cannot be read: why


def preview_file(config: PlantConfig, source: SourceDef, path: Path, first: int = 5, problems: int = 10) -> Preview:
    """The first ``first`` rows of a file as the source maps them and its first ``problems`` refusals."""
    record = RECORD_TYPES[source.record]
    m = source.mapping
    try:
        raw = read_table(path, delimiter=source.delimiter, encoding=source.encoding, sheet=source.sheet,
                         header_row=m.header_row, first_column=m.first_column)
        table, positions = map_table(raw, record, source)
    except FileError as exc:
        return Preview(error=exc.reason)
    where = f"header on {'row' if path.suffix.lower() in ('.xlsx', '.xlsm') else 'line'} {m.header_row}" \
        if m.header_row > 1 else ""
    order = [c.name for c in record.columns if c.name in positions]
    preview = Preview(note="; ".join(n for n in (table.note, where) if n),
                      columns=_origins(raw.header, {c: positions[c] for c in order}, source))
    validator = RowValidator(record, config, decimal_comma=table.decimal_comma)
    width = len(table.header)
    for line, _reason in table.broken:
        preview.refusals.append((line, "", "", _reason))
        preview.refused += 1
    for number, cells in table.rows:
        preview.read += 1
        raw_row = {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()}
        if len(cells) > width and any(str(x).strip() for x in cells[width:] if x is not None):
            found = [(number, "", "", f"{len(cells) - len(table.header) + len(raw.header)} values but the header "
                                      f"has {len(raw.header)} columns")]
        else:
            clean, wrong = validator.validate(raw_row)
            found = [(number, p.column, p.value, p.reason) for p in wrong]
            if clean is not None and len(preview.rows) < first:
                preview.rows.append((number, [(c.name, _shown(clean.get(c.name), config)) for c in record.columns
                                              if c.name in positions or clean.get(c.name) not in (None, "")]))
        if found:
            preview.refused += 1
            preview.refusals.extend(found[:max(0, problems - len(preview.refusals))])
    return preview


def _origins(header: list[Any], positions: dict[str, int], source: SourceDef) -> list[tuple[str, str]]:
    """Where each contract column's values come from, in the file's own words."""
    m = source.mapping
    out = []
    for name, at in positions.items():
        if name in m.timestamps:
            day, clock = m.timestamps[name]
            where = f"{day!r} + {clock!r}"
        elif name in m.constants:
            where = f"always {m.constants[name]!r}"
        else:
            where = repr(str(header[at]).strip())
        if name in m.values:
            where += f" ({len(m.values[name])} values mapped)"
        out.append((name, where))
    return out


def _shown(value: Any, config: PlantConfig) -> str:
    if isinstance(value, datetime):
        return local_time_text(value, config.tz)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return "" if value is None else str(value)
