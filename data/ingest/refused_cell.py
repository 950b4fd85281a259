"""A cell the source's mapping could not read (a date not in the source's format, an ambiguous number): it stays in
its row, and the row screens refuse the row with the mapping's reason, as they refuse any cell the contract cannot
read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RefusedCell:
    """A cell as the file wrote it and why the source's mapping could not read it."""

    text: str
    reason: str

    def __str__(self) -> str:
        return self.text
