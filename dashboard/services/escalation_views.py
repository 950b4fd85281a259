"""Escalations as pages, the API and notifications read them: the request, its context and where it stands, in
people's words ('Tier 2: spare motor ordered, fitted Tue'; 'overdue: no answer after 26 h, the limit is 24 h'),
computed once here so the board, the huddle and an e-mail say the same."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from huddle.dashboard.core import names
from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.tiers import DEFAULT_ANSWER_HOURS, Tier, tier_by_number
from huddle.dashboard.services.tree import tree_holding
from huddle.data.models_tiers import Escalation

OPEN = ("raised", "accepted")  # waiting for their answer
STATES = (*OPEN, "answered", "acknowledged")
#: each state as people read it
STATE_WORDS = {"raised": N_("waiting for an owner"), "accepted": N_("accepted"), "answered": N_("answered"),
               "acknowledged": N_("answer heard")}
SOURCES = ("", "tile", "action", "note", "stop")
MAX_SENTENCE = 300
MAX_READING = 200
MAX_TEXT = 500


class EscalationError(ValueError):
    """An escalation step that cannot be taken as given, with the reason."""


class EscalationNotFoundError(EscalationError):
    """No escalation has the id given (a mistyped or forged one)."""


@dataclass(frozen=True)
class EscalationView:
    """An escalation with its context and where it stands, in words as well as values."""

    id: int
    version: int
    sentence: str
    kpi: str
    kpi_name: str
    reading: str
    origin_scope: str
    origin_name: str
    origin_tier: int
    scope: str
    scope_name: str
    tier: int
    tier_title: str
    production_date: date
    shift: str
    shift_words: str  # 'Early shift, Tue 1 Dec'
    source: str
    source_ref: str
    state: str
    state_words: str
    raised_by: str  # people by name
    raised_at: datetime
    arrived_at: datetime
    answer_by: datetime  # when it is overdue without an answer
    overdue: bool
    age_hours: float  # since it reached the tier that holds it
    owner: str
    due: date | None
    accepted_by: str
    answer: str
    answered_by: str
    answered_at: datetime | None
    answered_late: bool | None  # None while unanswered
    acknowledged_by: str
    acknowledged_at: datetime | None
    passed: tuple[tuple[str, str, str], ...]  # (scope's name, tier's title, who passed it up), oldest first
    tree: str | None = None  # the KPI tree holding its KPI, where its node links to

    @property
    def period_label(self) -> str:
        """The period it was raised for, as addresses write it: '2026-11-20/N' (a shift) or '2026-11-20'."""
        day = self.production_date.isoformat()
        return f"{day}/{self.shift}" if self.shift else day

    @property
    def answer_line(self) -> str:
        """How the origin's board shows the answer: 'Tier 2: spare motor ordered, fitted Tue'."""
        return f"{self.tier_title}: {self.answer}"

    def context_words(self) -> str:
        """Where and when it comes from, and the reading behind it: 'Line 1 – Filling · Early shift, Tue 1 Dec ·
        OEE 61 % (target 85 %)'."""
        return " · ".join(part for part in (self.origin_name, self.shift_words, self.reading) if part)

    def age_words(self) -> str:
        """How long it has waited at its tier: '40 min', '5 h', '2 days'."""
        return age_words(self.age_hours)

    def overdue_words(self, tier_hours: float) -> str:
        """Why it is red, in words (colour is never alone): 'overdue: no answer after 26 h, the limit is 24 h'."""
        return _("overdue: no answer after {age}, the limit is {limit}").format(
            age=age_words(self.age_hours), limit=age_words(tier_hours))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the answer line and the context in words."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            out[key] = value.isoformat() if isinstance(value, date | datetime) else value
        out["passed"] = [{"scope": s, "tier": t, "by": by} for s, t, by in self.passed]
        out["context"] = self.context_words()
        out["answer_line"] = self.answer_line if self.answer else ""
        return out


def age_words(hours: float) -> str:
    """A span as people say it: '40 min', '5 h', '2 days'."""
    minutes = max(0, round(hours * 60))
    if minutes < 90:
        return _("{n} min").format(n=minutes)
    if hours < 48:
        return _("{n} h").format(n=round(hours))
    return _("{n} days").format(n=round(hours / 24))


def tier_title(config: PlantConfig, number: int) -> str:
    """A tier's title by its number, also when the plant file no longer declares it."""
    tier = tier_by_number(config, number)
    return tier.title if tier is not None else _("Tier {n}").format(n=number)


def _tier(config: PlantConfig, number: int) -> Tier:
    return tier_by_number(config, number) or Tier(number, "plant", answer_hours=DEFAULT_ANSWER_HOURS)


def people_in(rows: list[Escalation]) -> set[str]:
    """Everyone the rows name (raised, accepted, answered, acknowledged, passed up), by login."""
    labels = {label for r in rows for label in (r.raised_by, r.accepted_by, r.answered_by, r.acknowledged_by)}
    labels.update(p["by"] for r in rows if r.passed for p in json.loads(r.passed))
    return {label for label in labels if label}


def view_of(config: PlantConfig, row: Escalation, now: datetime, people: Mapping[str, str]) -> EscalationView:
    """An escalation row as pages read it, as at ``now``."""
    tier = _tier(config, row.tier)
    answer_by = tier.answer_by(row.arrived_at)
    unanswered = row.state in OPEN
    trail = json.loads(row.passed) if row.passed else []
    today = now.astimezone(config.tz).date()
    return EscalationView(
        id=row.id, version=row.version, sentence=row.sentence, kpi=row.kpi, kpi_name=names.kpi_name(config, row.kpi),
        reading=row.reading, origin_scope=row.origin_scope, origin_name=scope_words(config, row.origin_scope),
        origin_tier=row.origin_tier, scope=row.scope, scope_name=scope_words(config, row.scope), tier=row.tier,
        tier_title=tier.title, production_date=row.production_date, shift=row.shift,
        shift_words=(names.shift_name(config, row.production_date, row.shift, today) if row.shift
                     else format_day(row.production_date, today)),
        source=row.source, source_ref=row.source_ref, state=row.state, state_words=_(STATE_WORDS[row.state]),
        raised_by=people.get(row.raised_by, row.raised_by), raised_at=row.raised_at, arrived_at=row.arrived_at,
        answer_by=answer_by, overdue=unanswered and now > answer_by,
        age_hours=((row.answered_at if not unanswered and row.answered_at else now) - row.arrived_at
                   ).total_seconds() / 3600,
        owner=row.owner, due=row.due, accepted_by=people.get(row.accepted_by, row.accepted_by), answer=row.answer,
        answered_by=people.get(row.answered_by, row.answered_by), answered_at=row.answered_at,
        answered_late=None if row.answered_at is None else row.answered_at > answer_by,
        acknowledged_by=people.get(row.acknowledged_by, row.acknowledged_by), acknowledged_at=row.acknowledged_at,
        passed=tuple((scope_words(config, p["scope"]), tier_title(config, p["tier"]), people.get(p["by"], p["by"]))
                     for p in trail),
        tree=tree_holding(config, row.kpi) if row.kpi else None,
    )


def scope_words(config: PlantConfig, scope: str) -> str:
    """A stored scope by name (the site's key is the plant)."""
    return names.scope_name(config, "plant" if scope == config.site_key else scope)
