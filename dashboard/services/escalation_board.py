"""The escalations a board shows beside its scope's numbers, and escalating from the board.

A line's board (tier 1) shows the answers its escalations got until its huddle acknowledges them, and what it is
still waiting for; an area's or the plant's board (tier 2, 3) shows besides the escalations its meeting received.
A board escalates from what it shows: one of its red tiles (the KPI and the reading as the board says it), one of
its open actions, or a note of the team's own. The request names only which (``tile:oee``, ``action:12``,
``note``): the KPI's reading and the action are looked up here again, so a forged request cannot put words in the
board's mouth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.tiers import Tier, next_tier_scope, scope_key, tier_for_scope
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.escalation_views import EscalationError, EscalationView, scope_words


@dataclass(frozen=True)
class EscalationPanel:
    """What a board at a scope shows of escalations, and where it escalates to."""

    scope: str
    tier: Tier | None  # the tier whose meeting looks at this scope
    up: tuple[Tier, str] | None  # the next tier and the scope it looks at; None at the top
    up_name: str  # 'Tier 2 – Area meeting (Area A)'
    received: list[EscalationView]  # held by this scope's meeting (not yet heard back)
    answers: list[EscalationView]  # answers to this scope's escalations, not yet acknowledged
    waiting: list[EscalationView]  # this scope's escalations still without an answer
    about: list[tuple[str, str]]  # (what the board can escalate from, in words; its value)
    now: datetime


def _reading_words(name: str, value: float | None, target: float | None, unit: str) -> str:
    return _("{kpi} {value} (target {target})").format(kpi=name, value=format_value(value, unit),
                                                       target=format_value(target, unit))


def red_tiles(services: Any, scope: str, period: Period) -> dict[str, str]:
    """The board's red headline KPIs for a scope and shift, each with its reading in words."""
    config = services.config
    headline = [k for k, d in config.kpis.items() if d.headline]
    shown = services.readings.readings_in_own_periods(headline, scope, period)
    return {k: _reading_words(config.kpis[k].name, r.value, r.target, r.unit)
            for k, r in shown.items() if r.status == Status.RED}


def up_words(services: Any, up: tuple[Tier, str] | None) -> str:
    """Where an escalation from a scope goes, in words: 'Tier 2 (Area A)', 'Area meeting (Area A)'."""
    if up is None:
        return ""
    tier, receiving = up
    return _("{tier} ({scope})").format(tier=tier.title, scope=scope_words(services.config, receiving))


def panel(services: Any, scope: str, period: Period) -> EscalationPanel:
    """Everything the board's escalation panel shows for a scope and shift."""
    config, esc = services.config, services.escalations
    key = scope_key(config, scope)
    up = next_tier_scope(config, key)
    about: list[tuple[str, str]] = []
    if up is not None:
        about += [(_("Red tile: {reading}").format(reading=words), f"tile:{k}")
                  for k, words in red_tiles(services, key, period).items()]
        about += [(_("Action: {what} ({owner})").format(what=a.what, owner=a.owner), f"action:{a.id}")
                  for a in services.actions.listing(key) if a.scope == key]
        about.append((_("Something else (a note of the team's)"), "note"))
    return EscalationPanel(key, tier_for_scope(config, key), up, up_words(services, up), esc.received(key),
                           esc.answers_waiting(key), esc.raised_from(key), about, services.clock())


def raise_from_board(services: Any, who: Identity, scope: str, period: Period, about: str | None,
                     sentence: str) -> EscalationView:
    """Escalate from the board: a red tile, an open action or a note of this scope, with one sentence; the context
    is read here again, so the request only says which."""
    config = services.config
    key = scope_key(config, scope)
    kind, _sep, ref = (about or "").partition(":")
    extra: dict[str, str] = {}
    if kind == "tile":
        tiles = red_tiles(services, key, period)
        if ref not in tiles:
            raise EscalationError(_("that tile is not red on this board any more: pick again"))
        extra = {"kpi": ref, "reading": tiles[ref]}
    elif kind == "action":
        action = next((a for a in services.actions.listing(key) if str(a.id) == ref and a.scope == key), None)
        if action is None:
            raise EscalationError(_("that action is not open on this board any more: pick again"))
        extra = {"kpi": action.kpi, "source_ref": str(action.id)}
    elif kind != "note":
        raise EscalationError(_("say what it is about: a red tile, an action or a note"))
    return services.escalations.raise_escalation(who, key, sentence, production_date=period.first,
                                                 shift=period.shift or "", source=kind, **extra)
