"""Why a red happened, as an action records it: a 5-why (up to five whys, then the root cause) or a short A3
(problem, cause, countermeasure, check, result).

Plain Python: the actions service checks a cause with :func:`read_cause` before storing it as JSON, and pages,
the review and the API read it back with :func:`cause_from_json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from huddle.dashboard.core.i18n import N_, _

FIVE_WHY = "5why"
A3 = "a3"
METHODS = (FIVE_WHY, A3)
#: each method as people read it
METHOD_WORDS = {FIVE_WHY: N_("5-why"), A3: N_("A3")}
MAX_WHYS = 5
MAX_TEXT = 500
#: the A3's boxes in the order it is read, with their words
A3_FIELDS = ("problem", "cause", "countermeasure", "check", "result")
A3_WORDS = {"problem": N_("Problem"), "cause": N_("Cause"), "countermeasure": N_("Countermeasure"),
            "check": N_("Check"), "result": N_("Result")}


class CauseError(ValueError):
    """A cause that cannot be stored as given, with what is wrong and where."""


@dataclass(frozen=True)
class Cause:
    """A 5-why or an A3 behind an action."""

    method: str
    whys: tuple[str, ...] = ()
    root: str = ""
    problem: str = ""
    cause: str = ""
    countermeasure: str = ""
    check: str = ""
    result: str = ""

    @property
    def root_cause(self) -> str:
        """The cause in one phrase: a 5-why's root cause, an A3's cause."""
        return self.root if self.method == FIVE_WHY else self.cause

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, only the method's own fields."""
        if self.method == FIVE_WHY:
            return {"method": FIVE_WHY, "whys": list(self.whys), "root": self.root}
        return {"method": A3, **{f: getattr(self, f) for f in A3_FIELDS}}

    def to_json(self) -> str:
        """As stored on the action."""
        return json.dumps(self.as_dict(), ensure_ascii=False)


def _text(value: Any, where: str) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise CauseError(_("{field}: at most {n} characters").format(field=where, n=MAX_TEXT))
    return text


def read_cause(data: dict[str, Any] | None) -> Cause | None:
    """A cause from a form or the API, checked; None when every box is empty (no cause recorded)."""
    if not data:
        return None
    method = data.get("method")
    if method not in METHODS:
        raise CauseError(_("say whether the cause is a 5-why or an A3"))
    if method == FIVE_WHY:
        raw = data.get("whys") or []
        if not isinstance(raw, list | tuple):
            raise CauseError(_("the whys are a list of up to five answers"))
        whys = [_text(w, _("why {n}").format(n=i)) for i, w in enumerate(raw, start=1)]
        while whys and not whys[-1]:
            whys.pop()
        if len(whys) > MAX_WHYS:
            raise CauseError(_("at most five whys; the fifth leads to the root cause"))
        if not all(whys):
            raise CauseError(_("answer the whys in order, without gaps"))
        filled = whys
        root = _text(data.get("root"), _("root cause"))
        if not filled and not root:
            return None
        if not filled:
            raise CauseError(_("a root cause needs at least the first why"))
        if not root:
            raise CauseError(_("root cause: say it in a few words"))
        return Cause(FIVE_WHY, tuple(filled), root)
    boxes = {f: _text(data.get(f), _(A3_WORDS[f])) for f in A3_FIELDS}
    if not any(boxes.values()):
        return None
    for needed in ("problem", "cause", "countermeasure"):
        if not boxes[needed]:
            raise CauseError(_("{field}: say it in a few words").format(field=_(A3_WORDS[needed])))
    return Cause(A3, **boxes)


def cause_from_json(stored: str | None) -> Cause | None:
    """The cause stored on an action; None when there is none (or it cannot be read)."""
    if not stored:
        return None
    try:
        return read_cause(json.loads(stored))
    except (ValueError, TypeError, AttributeError):
        return None
