"""Tiers of daily management: which meeting looks at which scope, when it meets, its agenda, and how long it has
to answer an escalation.

Tier 1 is each line's huddle at shift start, tier 2 each area's meeting, tier 3 the plant's. A plant declares its
tiers in the plant file under ``tiers:`` (see docs/plant-config.md); a plant that does not gets ``default_tiers()``.
An escalation climbs one tier at a time: ``next_tier_scope`` says where a scope's problem goes next (a line's to its
area, an area's to the plant). Plain Python: nothing here reads a database or knows a web page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.i18n import N_, _

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

#: scope kinds from the narrowest to the broadest: a tier above another looks at a broader scope
SCOPE_KINDS = ("line", "area", "plant")
#: what a meeting's agenda may hold, with the words a huddle shows for each segment
AGENDA_WORDS = {"safety": N_("Safety"), "quality": N_("Quality"), "delivery": N_("Delivery"), "cost": N_("Cost"),
                "people": N_("People"), "actions": N_("Actions"), "escalations": N_("Escalations"),
                "handover": N_("Handover")}
DEFAULT_AGENDA = ("safety", "quality", "delivery", "cost", "people", "actions", "escalations")
SHIFT_START = "shift start"
DEFAULT_ANSWER_HOURS = 24.0
KNOWN_KEYS = ("number", "name", "scope", "meets", "minutes", "agenda", "answer_within_hours")


@dataclass(frozen=True)
class Tier:
    """One tier: its number, the kind of scope its meeting looks at, when it meets (``None``: at each shift's
    start), for how long, its agenda and how many hours it has to answer an escalation."""

    number: int
    scope_kind: str  # line | area | plant
    meets: time | None = None
    minutes: int = 15
    agenda: tuple[str, ...] = DEFAULT_AGENDA
    answer_hours: float = DEFAULT_ANSWER_HOURS
    name: str = ""  # as the plant calls it; empty: "Tier 2"

    @property
    def title(self) -> str:
        """How pages name the tier: the plant's name for it, else 'Tier 2'."""
        return self.name or _("Tier {n}").format(n=self.number)

    @property
    def answer_limit(self) -> timedelta:
        """How long an escalation may wait at this tier for its answer before it is overdue."""
        return timedelta(hours=self.answer_hours)

    def answer_by(self, arrived: datetime) -> datetime:
        """When an escalation that reached this tier at ``arrived`` is overdue without an answer."""
        return arrived + self.answer_limit

    def when_words(self) -> str:
        """When the meeting is held, in words: 'at shift start, 15 min' or '08:30, 20 min'."""
        at = _("at shift start") if self.meets is None else self.meets.strftime("%H:%M")
        return _("{at}, {n} min").format(at=at, n=self.minutes)

    def agenda_words(self) -> list[str]:
        """The agenda's segments in words, in order."""
        return [_(AGENDA_WORDS[item]) for item in self.agenda]


def default_tiers() -> tuple[Tier, ...]:
    """The tiers of a plant that declares none: each line at shift start, each area at 08:30, the plant at 10:00."""
    return (Tier(1, "line", None, 15), Tier(2, "area", time(8, 30), 20), Tier(3, "plant", time(10, 0), 30))


def read_tiers(raw: Any, problems: list[str]) -> tuple[Tier, ...]:
    """The ``tiers:`` section of a plant file (the defaults when it is absent), adding each problem with where it
    was found (``tiers[1].meets: ...``)."""
    if raw is None:
        return default_tiers()
    if not isinstance(raw, list) or not raw:
        problems.append("tiers: expected a list of tiers, e.g. [{number: 1, scope: line, meets: shift start}]")
        return default_tiers()
    tiers = [tier for i, entry in enumerate(raw) if (tier := _tier(entry, f"tiers[{i}]", problems)) is not None]
    numbers = [t.number for t in tiers]
    if len(set(numbers)) != len(numbers):
        problems.append(f"tiers: each tier needs its own number, got {numbers}")
    tiers.sort(key=lambda t: t.number)
    for lower, upper in pairwise(tiers):
        if SCOPE_KINDS.index(upper.scope_kind) <= SCOPE_KINDS.index(lower.scope_kind):
            problems.append(f"tiers: tier {upper.number} looks at {upper.scope_kind}s, tier {lower.number} at "
                            f"{lower.scope_kind}s; each tier must look at a broader scope than the one below it "
                            f"(line, then area, then plant)")
    return tuple(tiers)


def _tier(entry: Any, where: str, problems: list[str]) -> Tier | None:
    """One tier of the plant file (None when it cannot be used)."""
    if not isinstance(entry, Mapping):
        problems.append(f"{where}: expected a mapping like {{number: 2, scope: area, meets: \"08:30\"}}")
        return None
    before = len(problems)
    problems.extend(f"{where}.{key}: unknown setting; a tier has {', '.join(KNOWN_KEYS)}"
                    for key in entry if key not in KNOWN_KEYS)
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        problems.append(f"{where}.number: expected a whole number from 1, got {number!r}")
    kind = entry.get("scope")
    if kind not in SCOPE_KINDS:
        problems.append(f"{where}.scope: expected 'line', 'area' or 'plant', got {kind!r}")
    meets = _meets(entry.get("meets", SHIFT_START), f"{where}.meets", problems)
    minutes = entry.get("minutes", 15)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
        problems.append(f"{where}.minutes: expected a whole number of minutes from 1 to 240, got {minutes!r}")
    hours = entry.get("answer_within_hours", DEFAULT_ANSWER_HOURS)
    if not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
        problems.append(f"{where}.answer_within_hours: expected a number of hours above zero, got {hours!r}")
    agenda = _agenda(entry.get("agenda", list(DEFAULT_AGENDA)), f"{where}.agenda", problems)
    name = entry.get("name", "")
    if not isinstance(name, str):
        problems.append(f"{where}.name: expected text, got {name!r}")
    if len(problems) > before:
        return None
    return Tier(number, kind, meets, minutes, agenda, float(hours), name.strip())


def _meets(value: Any, where: str, problems: list[str]) -> time | None:
    """When a tier meets: 'shift start' (None) or a clock time such as "08:30"."""
    if value == SHIFT_START:
        return None
    if isinstance(value, int) and not isinstance(value, bool):  # YAML reads 08:30 unquoted as minutes (510)
        value = f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        h, m = (int(x) for x in value.split(":"))
        if h <= 23 and m <= 59:
            return time(h, m)
    problems.append(f"{where}: expected 'shift start' or a clock time like \"08:30\", got {value!r}")
    return None


def _agenda(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    """A meeting's agenda: known segments, each once, in the order given."""
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: expected a list such as [{', '.join(DEFAULT_AGENDA)}]")
        return DEFAULT_AGENDA
    unknown = [item for item in value if item not in AGENDA_WORDS]
    if unknown:
        problems.append(f"{where}: unknown segment(s) {', '.join(repr(u) for u in unknown)}; "
                        f"known: {', '.join(AGENDA_WORDS)}")
    if len(set(map(str, value))) != len(value):
        problems.append(f"{where}: each segment once")
    return tuple(str(v) for v in value)


# ---- tiers of a plant --------------------------------------------------------------------------------------------


def scope_key(plant: PlantConfig, scope: str) -> str:
    """A scope as escalations store it: a line or area key, or the site's key for the whole plant."""
    return plant.site_key if plant.scope_kind(scope) == "plant" else scope


def tier_for_scope(plant: PlantConfig, scope: str) -> Tier | None:
    """The tier whose meeting looks at a scope (a line: tier 1), or None when the plant has no tier there."""
    kind = plant.scope_kind(scope)
    return next((t for t in plant.tiers if t.scope_kind == kind), None)


def tier_by_number(plant: PlantConfig, number: int) -> Tier | None:
    """The plant's tier of a number, if it has one."""
    return next((t for t in plant.tiers if t.number == number), None)


def next_tier_scope(plant: PlantConfig, scope: str) -> tuple[Tier, str] | None:
    """Where a scope's problem goes when it climbs one tier: the next tier above the scope's kind and the scope it
    looks at there (a line's area, or the plant); None at the top."""
    kind = plant.scope_kind(scope)
    above = [t for t in plant.tiers if SCOPE_KINDS.index(t.scope_kind) > SCOPE_KINDS.index(kind)]
    if not above:
        return None
    tier = above[0]
    if tier.scope_kind == "area":
        return tier, plant.area_of(scope)
    return tier, plant.site_key


def tier_scopes(plant: PlantConfig, tier: Tier) -> list[str]:
    """Every scope a tier meets for: each line, each area, or the plant."""
    if tier.scope_kind == "line":
        return list(plant.lines)
    if tier.scope_kind == "area":
        return list(plant.areas)
    return [plant.site_key]


def contains(plant: PlantConfig, outer: str, inner: str) -> bool:
    """True when scope ``outer`` holds scope ``inner`` (the plant holds everything, an area its lines)."""
    outer_kind = plant.scope_kind(outer)
    if outer_kind == "plant":
        return True
    if outer_kind == "area":
        return inner == outer or (plant.scope_kind(inner) == "line" and plant.area_of(inner) == outer)
    return inner == outer
