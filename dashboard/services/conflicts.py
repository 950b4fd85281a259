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
from huddle.dashboard.core.i18n import N_, _, pgettext

#: how the refusal says what the other person did, by the verb the service names
_DID = {"changed": N_("{who} changed {what} at {when}"), "entered": N_("{who} entered {what} at {when}"),
        "checked in on": N_("{who} checked in on {what} at {when}")}


def field_word(field: str) -> str:
    """A field of a saved version as the refusal names it ('owner'), in the plant's language."""
    words = {"what": pgettext("field", "what"), "owner": pgettext("field", "owner"), "due": pgettext("field", "due"),
             "status": pgettext("field", "status"), "result": pgettext("field", "result"),
             "title": pgettext("field", "title"), "for": pgettext("field", "for"),
             "start": pgettext("field", "start"), "target": pgettext("field", "target"),
             "value": pgettext("field", "value"), "confidence": pgettext("field", "confidence"),
             "moved": pgettext("field", "moved"), "role": pgettext("field", "role"),
             "state": pgettext("field", "state"), "answer": pgettext("field", "answer")}
    return words.get(field, field)


@dataclass(frozen=True)
class ChangedSince:
    """Who changed a record since a form read it, when, and their version's values in words (``what``, ``by`` and
    the values already in the plant's language; the fields are named in it as the refusal is written)."""

    what: str  # "this action", "the value of OEE for Line 1 on Fri 20 Nov"
    by: str  # the person's name as people know it
    at: datetime | None
    theirs: tuple[tuple[str, str], ...]  # (field, value) of the version now stored
    verb: str = "changed"  # changed | entered | checked in on

    def when(self, tz: Any, today: date | None = None) -> str:
        """The moment in plant time: '14:05' today, 'Fri 4 Dec 14:05' another day."""
        return format_moment(self.at, tz, today) if self.at is not None else _("a moment ago")

    def words(self, tz: Any, today: date | None = None) -> str:
        """'Anna Weber changed this action at 14:05 — here is their version: status done; result “…”.'"""
        did = _(_DID.get(self.verb, _DID["changed"])).format(who=self.by, what=self.what, when=self.when(tz, today))
        values = "; ".join(f"{field_word(field)} {value}" for field, value in self.theirs)
        version = _(" — here is their version: {values}").format(values=values) if values else ""
        return f"{did}{version}."


def conflict_message(changed: ChangedSince, tz: Any, today: date | None = None, again: str | None = None) -> str:
    """The refusal a form shows: what happened, their version, and that the person's own text is still there."""
    return _("{what_happened} Nothing was overwritten and your entry is still in the form: look at theirs, then "
             "{again} to put yours over it.").format(what_happened=changed.words(tz, today),
                                                     again=again or _("save again"))


def quoted(text: str | None, limit: int = 120) -> str:
    """A person's text in quotes, shortened when long ('“guide rail changed”', '(none)')."""
    text = " ".join((text or "").split())
    if not text:
        return _("(none)")
    return f"“{text[:limit - 1]}…”" if len(text) > limit else f"“{text}”"
