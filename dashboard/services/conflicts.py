"""Two people saving the same record: the second save is refused with who saved first, when, and what they saved.

Every versioned record (actions, objectives, key results, check-ins, values entered by hand, users, the
quarantine's problems) is written with a compare-and-set: one UPDATE that names the version the form saw, so of
two saves from the same version exactly one is stored. The other is told with a ``ChangedSince``: the person's
name, the moment in plant time and their version's values in words, for the form to show beside the text the
person typed (which it keeps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from huddle.dashboard.core.format import format_moment


@dataclass(frozen=True)
class ChangedSince:
    """Who changed a record since a form read it, when, and their version's values in words."""

    what: str  # "this action", "the value of OEE for Line 1 on Fri 20 Nov"
    by: str  # the person's name as people know it
    at: datetime | None
    theirs: tuple[tuple[str, str], ...]  # (field, value) of the version now stored
    verb: str = "changed"

    def when(self, tz: Any, today: date | None = None) -> str:
        """The moment in plant time: '14:05' today, 'Fri 4 Dec 14:05' another day."""
        return format_moment(self.at, tz, today) if self.at is not None else "a moment ago"

    def words(self, tz: Any, today: date | None = None) -> str:
        """'Anna Weber changed this action at 14:05 — here is their version: status done; result “…”.'"""
        values = "; ".join(f"{field} {value}" for field, value in self.theirs)
        version = f" — here is their version: {values}" if values else ""
        return f"{self.by} {self.verb} {self.what} at {self.when(tz, today)}{version}."


def conflict_message(changed: ChangedSince, tz: Any, today: date | None = None, again: str = "save again") -> str:
    """The refusal a form shows: what happened, their version, and that the person's own text is still there."""
    return (f"{changed.words(tz, today)} Nothing was overwritten and your entry is still in the form: look at "
            f"theirs, then {again} to put yours over it.")


def quoted(text: str | None, limit: int = 120) -> str:
    """A person's text in quotes, shortened when long ('“guide rail changed”', '(none)')."""
    text = " ".join((text or "").split())
    if not text:
        return "(none)"
    return f"“{text[:limit - 1]}…”" if len(text) > limit else f"“{text}”"
