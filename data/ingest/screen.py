"""The row screen: the data contract's validation of a file's rows, fast, with RowValidator's own words for every
row it refuses.

Export files repeat their cell values (the same line key, shift, reason, hour on every line of an area), so the
screen parses each distinct value of a column once, with the contract's own parsers, and keeps the result. A row
whose every cell parsed cleanly goes through the record type's own row checks (end after start, good ≤ total, ...)
and is accepted; any other row — a cell that did not parse, a missing value, a local time in the hour that repeats
when clocks go back (its meaning depends on the rows before it) — goes through ``RowValidator.validate`` itself,
in file order, so a refused row gets exactly the validator's problems, and the screen accepts exactly the rows the
validator would, with the same values (tests/integration/test_feeds_store.py holds this over random rows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from huddle.data.ingest.contract import RecordType, RowProblem, RowValidator, natural_key_text, parse_instant
from huddle.data.ingest.refused_cell import RefusedCell

_FAILED = object()  # a cell value the contract refuses
_MISSING = object()
_BLANK = object()  # an empty cell
_CACHE_SIZE = 20_000  # distinct values kept per column
_OFFSET_END = re.compile(r"([+-]\d\d:?\d\d|Z)\s*$")


class RowScreen:
    """Validates rows of one record type in file order: distinct cell values parsed once, refused rows described
    by ``RowValidator``."""

    def __init__(self, validator: RowValidator, cache: dict[str, dict[Any, Any]] | None = None) -> None:
        self.validator = validator
        self.record: RecordType = validator.record
        self.columns = validator.record.columns
        #: per column, what each distinct cell value parses to; ``cache`` shares it between the files a loader
        #: reads with the same plant file and number format (parsing depends on nothing else)
        self._cache: dict[str, dict[Any, Any]] = cache if cache is not None else {}
        for c in self.columns:
            self._cache.setdefault(c.name, {})
        self._check = validator._checks.get(self.record.name)
        #: per column: name, kind, required, whether an instant, its cache
        self._plan = [(c.name, c.kind, c.required, c.kind == "datetime", self._cache[c.name]) for c in self.columns]

    def validate(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[RowProblem]]:
        """The clean record, or None with the problems found: the same answer as ``RowValidator.validate``."""
        clean: dict[str, Any] = {}
        instants: list[tuple[str, datetime]] = []
        for name, kind, required, instant, cache in self._plan:
            value = raw.get(name)
            if type(value) is str:  # text cells (every CSV cell) are kept by their text, a blank one as _BLANK
                parsed = cache.get(value, _MISSING)
                if parsed is _MISSING:
                    if len(cache) >= _CACHE_SIZE:  # all-distinct columns (a stop's start) would grow with the file
                        cache.clear()
                    parsed = cache[value] = _BLANK if not value.strip() else self._parse(name, kind, value)
            elif value is None:
                parsed = _BLANK
            else:  # workbook cells: 1, 1.0 and True are equal keys but not equal values to the contract
                parsed = self._parse(name, kind, value)
            if parsed is _BLANK:
                if required:
                    return self.validator.validate(raw)
                clean[name] = None
                continue
            if parsed is _FAILED:
                return self.validator.validate(raw)
            if instant:
                instants.append((name, parsed))
            clean[name] = parsed
        if instants:  # what the validator remembers of this row for a later time in the repeated hour
            series = str(raw.get("line") or raw.get("location") or "")
            latest = self.validator._latest
            for name, at in instants:
                latest[(series, name)] = at
        if self._check is not None:
            problems: list[RowProblem] = []
            self._check(clean, problems)
            if problems:
                return None, problems
        return clean, []

    def _parse(self, name: str, kind: str, value: Any) -> Any:
        """A cell's value as the validator parses it, or _FAILED (the validator then says why)."""
        if isinstance(value, RefusedCell):  # the source's mapping could not read it
            return _FAILED
        try:
            if kind == "datetime":
                instant = parse_instant(value, self.validator.tz)
                # a text that parsed and ends in an offset (only ISO 8601 with one parses so) is an instant already
                if (type(value) is str and _OFFSET_END.search(value)) or _unambiguous(value, instant, self.validator):
                    return instant
                return _FAILED
            col = next(c for c in self.columns if c.name == name)
            return self.validator._parse(col, value)
        except ValueError:
            return _FAILED


def _unambiguous(value: Any, instant: datetime, validator: RowValidator) -> bool:
    """Whether a parsed time means the same instant whatever rows came before it: it has an offset, or its local
    time is not in the hour that repeats when clocks go back."""
    if isinstance(value, datetime):
        naive = value.tzinfo is None
    else:
        try:
            naive = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).tzinfo is None
        except ValueError:
            naive = True  # the contract's other formats carry no offset
    if not naive:
        return True
    tz = validator.tz
    local = instant.astimezone(tz).replace(tzinfo=None)
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC) == local.replace(tzinfo=tz, fold=1).astimezone(UTC)


def key_values(validator: RowValidator, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The natural key's values of a row as far as they parse (for a refused row's place in the quarantine); the
    optional key columns take the values a stored row would have."""
    record = validator.record
    columns = {c.name: c for c in record.columns}
    values: dict[str, Any] = {}
    for name in record.natural_key:
        col, value = columns[name], raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            values[name] = None
            continue
        try:
            values[name] = validator._parse(col, value)
        except ValueError:
            values[name] = None
            if col.required or name not in ("product", "line", "shift"):
                return {}
    if record.name == "kpi_values" and values.get("line") is None:
        values["line"] = validator.config.site_key
    return values


def key_text(validator: RowValidator, raw: Mapping[str, Any]) -> str:
    """A refused row's natural key as text ("" when a key value does not parse)."""
    values = key_values(validator, raw)
    return natural_key_text(validator.record, values) if values else ""
