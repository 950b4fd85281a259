"""The plant's stop reasons as a tree to tap through: a group (the machine or kind of trouble: "Filler") and the
reasons under it ("Filler jam"). The plant file's ``stop_reasons`` may give each reason a ``group``; reasons
without one are grouped by their category (unplanned stop, changeover, planned stop).

Plain Python: read with the plant file (``read_stop_groups``), drawn by the shop-floor entry page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from huddle.dashboard.core.i18n import N_

MAX_GROUP = 60  # characters of a group's name: it is a button on a tablet
#: the branch of reasons without a group, by their category
CATEGORY_BRANCH = {"unplanned": N_("Unplanned stop"), "changeover": N_("Changeover"), "planned": N_("Planned stop")}


@dataclass(frozen=True)
class ReasonBranch:
    """One branch of the tree: its name, whether that name is a category's word (to translate), its reasons."""

    name: str
    reasons: tuple[str, ...]
    category_word: bool = False  # the name is one of CATEGORY_BRANCH's words, not the plant's


def read_stop_groups(raw_reasons: Any, problems: list[str]) -> dict[str, str]:
    """Each grouped stop reason's group, from the plant file's ``stop_reasons`` (problems appended)."""
    groups: dict[str, str] = {}
    if not isinstance(raw_reasons, list):
        return groups
    for i, entry in enumerate(raw_reasons):
        if not isinstance(entry, dict) or entry.get("group") is None:
            continue
        group = entry["group"]
        if not isinstance(group, str) or not group.strip() or len(group.strip()) > MAX_GROUP:
            problems.append(f"stop_reasons[{i}].group: a name of 1–{MAX_GROUP} characters, like 'Filler'")
        elif entry.get("reason"):
            groups[str(entry["reason"])] = group.strip()
    return groups


def reason_tree(stop_reasons: dict[str, str], groups: dict[str, str]) -> tuple[ReasonBranch, ...]:
    """The branches in the order the plant file names them first; each branch's reasons in file order."""
    order: dict[tuple[str, bool], list[str]] = {}
    for reason, category in stop_reasons.items():
        key = (groups[reason], False) if reason in groups else (CATEGORY_BRANCH.get(category, category), True)
        order.setdefault(key, []).append(reason)
    return tuple(ReasonBranch(name, tuple(reasons), word) for (name, word), reasons in order.items())
