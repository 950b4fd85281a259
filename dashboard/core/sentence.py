"""A sentence written down in English that can be said again in the plant's language: what the loaders write
when they refuse a row or a file (``not a number``, ``unknown shift (known: A, B)``).

A ``Sentence`` is a ``str`` (its English text, which the database's ``reason`` column, the CSV and the API keep,
for programs) that remembers its message (the catalogue's English msgid, marked with ``N_`` where it is written)
and the values that fill it. ``payload`` turns it into JSON stored beside the English text; ``say`` reads that
back in the language in effect. A value may itself be a Sentence (a reason inside a longer one); any other value is
the file's or the plant's own text and is shown as written.
"""

from __future__ import annotations

import json
from typing import Any

from huddle.dashboard.core.i18n import gettext


class Sentence(str):
    """English text that keeps its message and values, so it can be translated where it is shown."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, **values: Any) -> Sentence:
        """The sentence ``msgid`` filled with ``values`` (its English text is the str's)."""
        text = super().__new__(cls, msgid.format(**{k: str(v) for k, v in values.items()}))
        text.msgid = msgid
        text.values = values
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # a str subclass with attributes: pickle it by its message
        return (_rebuilt, (self.msgid, self.values))

    def tree(self) -> dict[str, Any]:
        """The message and its values as plain data (a value that is a Sentence as its own tree)."""
        return {"msgid": self.msgid,
                "values": {k: v.tree() if isinstance(v, Sentence) else str(v) for k, v in self.values.items()}}


def _rebuilt(msgid: str, values: dict[str, Any]) -> Sentence:
    return Sentence(msgid, **values)


def reason_of(exc: BaseException) -> str:
    """An exception's reason: the Sentence it was raised with, or its English text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Sentence) else str(exc)


def payload(text: str) -> str:
    """What to store beside a reason's English text to say it again in another language ("" for plain text)."""
    return json.dumps(text.tree(), ensure_ascii=False, sort_keys=True) if isinstance(text, Sentence) else ""


def say(stored: str | None, english: str) -> str:
    """A stored reason in the language in effect: its payload translated, or its English text when it has none
    (rows stored before reasons kept their message) or the payload cannot be read."""
    if not stored:
        return english
    try:
        return _said(json.loads(stored))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return english


def _said(tree: dict[str, Any]) -> str:
    values = {k: _said(v) if isinstance(v, dict) else str(v) for k, v in tree["values"].items()}
    return gettext(tree["msgid"]).format(**values)


def translated(text: str) -> str:
    """A reason formed just now, in the language in effect (plain text as it is)."""
    return say(payload(text), text)


def joined(items: list[str]) -> str:
    """Texts joined by commas, a Sentence among them said again in the language in effect ("" for none)."""
    if len(items) <= 1:
        return items[0] if items else ""
    return Sentence("{first}, {rest}", first=items[0], rest=joined(items[1:]))  # no words: nothing to translate
