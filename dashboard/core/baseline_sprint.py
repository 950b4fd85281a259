"""The 48-hour baseline sprint, as plain rules: when a tree's definition changed (its fingerprint), what each KPI's
checklist item still lacks, how long the sprint has left, and what its closing record says was missing.

Within 48 hours of defining a tree every KPI in it gets a current value, a source and a frequency, or an explicit
"no data source" finding, and its owner signs that off. No Dash, no SQL: the service reads and writes the rows and
hands them here as ``SprintItem`` values.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from huddle.dashboard.core.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import TreeDef

SPRINT_HOURS = 48  # the method's window from defining a tree to a signed-off baseline for every KPI in it
#: how a sprint ended: every KPI signed off, the 48 hours ran out first, or the tree changed again meanwhile
OUTCOMES = ("complete", "timed_out", "replaced")
#: what a checklist item may lack, in the order the page and the closing record say it
MISSING_WORDS = {"value": N_("no current value"), "source": N_("no source"), "frequency": N_("no frequency"),
                 "sign_off": N_("not signed off by its owner")}


def tree_fingerprint(tree: TreeDef) -> str:
    """A short hash of what a tree measures and how its KPIs connect: the root and its causal edges (sorted).

    The tree's name, trade-off notes and the order edges are written in are left out: renaming a tree or editing a
    note asks no KPI for a new baseline, while adding a KPI, moving an edge or changing a formula does."""
    edges = sorted([e.parent, e.child, e.formula or ""] for e in tree.edges)
    text = json.dumps({"root": tree.root, "edges": edges}, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SprintItem:
    """One KPI's line of a sprint's checklist, as saved."""

    kpi: str
    value: float | None = None
    source: str = ""
    frequency: str = ""
    no_source: bool = False  # the explicit finding: nothing measures this KPI yet
    signed_by: str = ""
    signed_at: datetime | None = None
    version: int = 1

    def lacks(self) -> list[str]:
        """What the item still lacks before it can be signed off (``MISSING_WORDS`` keys), sign-off left out."""
        if self.no_source:  # the finding replaces value and source; how often it should be read is still asked
            return [] if self.frequency else ["frequency"]
        return [k for k, present in (("value", self.value is not None), ("source", bool(self.source.strip())),
                                     ("frequency", bool(self.frequency))) if not present]

    @property
    def ready(self) -> bool:
        """True when the owner can sign it off."""
        return not self.lacks()

    @property
    def signed(self) -> bool:
        """True when its owner signed it off."""
        return bool(self.signed_by)

    def missing(self) -> list[str]:
        """Everything it still lacks, the owner's sign-off included."""
        return self.lacks() + ([] if self.signed else ["sign_off"])


def due_at(opened_at: datetime) -> datetime:
    """When a sprint opened at ``opened_at`` runs out."""
    return opened_at + timedelta(hours=SPRINT_HOURS)


def hours_left(due: datetime, now: datetime) -> int:
    """Whole hours left before ``due`` (rounded up, so '1 h left' until the last minute; 0 once due)."""
    seconds = (due - now).total_seconds()
    return max(0, math.ceil(seconds / 3600))


def signed_count(items: list[SprintItem]) -> int:
    """How many items their owners signed off."""
    return sum(1 for i in items if i.signed)


def all_signed(items: list[SprintItem]) -> bool:
    """True when every item is signed off (an empty checklist is not)."""
    return bool(items) and signed_count(items) == len(items)


def closing_missing(items: list[SprintItem]) -> dict[str, list[str]]:
    """What each KPI not signed off still lacked when the sprint closed, by KPI (the closing record keeps it)."""
    return {i.kpi: i.missing() for i in items if not i.signed}


def missing_words(missing: list[str]) -> str:
    """'no current value, no source and not signed off by its owner'."""
    said = [_(MISSING_WORDS[m]) for m in missing if m in MISSING_WORDS]
    if len(said) < 2:
        return "".join(said)
    return _("{first} and {last}").format(first=", ".join(said[:-1]), last=said[-1])


def countdown_words(due: datetime, now: datetime, signed: int, total: int, where: str = "") -> str:
    """'Baseline sprint: 31 h left, 7 of 12 KPIs signed off' ('Baseline sprint for Line 2: …' at a named scope)."""
    left = hours_left(due, now)
    said = (_("Baseline sprint for {scope}: {left}, {signed} of {total} signed off") if where
            else _("Baseline sprint: {left}, {signed} of {total} signed off"))
    return said.format(scope=where, left=ngettext("{n} h left", "{n} h left", left).format(n=left),
                       signed=signed, total=ngettext("{n} KPI", "{n} KPIs", total).format(n=total))


def closing_words(outcome: str, missing: dict[str, list[str]], names: dict[str, str], total: int) -> str:
    """The closing record in one paragraph: how the sprint ended and, KPI by KPI, what was missing."""
    if outcome == "complete":
        return ngettext("{n} baseline recorded or finding made.",
                        "{n} baselines recorded or findings made.", total).format(n=total)
    head = (_("The tree changed before the sprint closed; a new sprint took over.") if outcome == "replaced"
            else _("The 48 hours ran out with {n} of {total} KPIs not signed off.").format(n=len(missing),
                                                                                             total=total))
    parts = [_("{kpi}: {missing}").format(kpi=names.get(k, k), missing=missing_words(m))
             for k, m in missing.items()]
    return head + (" " + "; ".join(parts) + "." if parts and outcome != "replaced" else "")
