"""What each notification rule sees now: its causes, one per thing it is about, in the plant's language.

Each cause is read through the service the pages use, so a message says what the board says: a KPI red through
``board.board_readings`` (the API's board) on the last completed shift, an action overdue through ``Actions``, a
data feed stale through the loaders' liveness (``DataStatus.liveness``). A cause's key names what it is about
("oee@L1", "action:12", "source:counts"): the notifier tells it once, then again only after it has cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.names import due_words, kpi_name, person_name, scope_name, shift_name
from huddle.dashboard.core.notify_rules import Rule, covers
from huddle.dashboard.core.tiers import tier_by_number, tier_scopes
from huddle.dashboard.services.board import board_readings
from huddle.dashboard.services.liveness import when_words

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


@dataclass(frozen=True)
class Seen:
    """A cause as a rule sees it now: what it is about, where, and its words."""

    key: str
    scope: str
    title: str
    details: tuple[str, ...] = ()
    path: str = ""  # where in Huddle it is seen: "/board?scope=L1"


def rule_scopes(services: Services, rule: Rule) -> list[str]:
    """The scopes a rule watches: its scopes, its tier's scopes, or the whole plant."""
    config = services.config
    if rule.tier is not None and (tier := tier_by_number(config, rule.tier)) is not None:
        return [config.site_key if s == "plant" else s for s in tier_scopes(config, tier)]
    return [config.site_key if s == "plant" else s for s in rule.scopes] or [config.site_key]


def kpi_red(services: Services, rule: Rule) -> list[Seen]:
    """Headline KPIs (or the rule's KPIs) red on the last completed shift, per scope, as the board reads them."""
    config, readings = services.config, services.readings
    period = readings.last_completed_shift()
    if period is None:
        return []
    today = services.clock().astimezone(config.tz).date()
    shift = shift_name(config, period.first, period.shift or "", today)
    watched = set(rule.kpis) or {k for k, d in config.kpis.items() if d.headline}
    seen = []
    for scope in rule_scopes(services, rule):
        board = board_readings(readings, services.actions, scope, period)
        for column in board["columns"]:
            for item in column["kpis"]:
                if item["kpi"] not in watched or item["status"] != "red":
                    continue
                place, name = scope_name(config, scope), kpi_name(config, item["kpi"])
                value, target = format_value(item["value"], item["unit"]), format_value(item["target"], item["unit"])
                seen.append(Seen(f"{item['kpi']}@{scope}", scope,
                                 _("{kpi} is red on {place}").format(kpi=name, place=place),
                                 (_("{kpi}: {value} against a target of {target}, {shift}.").format(
                                     kpi=name, value=value, target=target, shift=shift),),
                                 f"/board?scope={scope}"))
    return seen


def action_overdue(services: Services, rule: Rule) -> list[Seen]:
    """Open actions past their due date, in the scopes the rule watches."""
    config = services.config
    today = services.actions.today()
    names = services.accounts.people()
    seen: dict[int, Seen] = {}
    for scope in rule_scopes(services, rule):
        for action in services.actions.listing(scope):
            if not action.overdue or action.id in seen:
                continue
            place = scope_name(config, action.scope)
            details = [_("“{what}”, owned by {owner}, was due {due}.").format(
                what=action.what, owner=person_name(action.owner, names) or action.owner,
                due=due_words(action.due, today))]
            if action.kpi:
                details.append(_("It answers {kpi}.").format(kpi=kpi_name(config, action.kpi)))
            seen[action.id] = Seen(f"action:{action.id}", action.scope,
                                   _("An action is overdue on {place}").format(place=place), tuple(details),
                                   f"/board?scope={action.scope}")
    return list(seen.values())


def feed_stale(services: Services, rule: Rule) -> list[Seen]:
    """The loaders stopped, or a source (of the rule's) is late by more than twice its interval."""
    config = services.config
    live = services.data_status.liveness()
    now = services.clock()
    if live.stopped and live.heartbeat is not None:
        return [Seen("scheduler", config.site_key, _("The loaders have stopped"),
                     (_("No loader has run since {time}: new data is not being read.").format(
                         time=when_words(live.heartbeat.at, config.tz, now)),), "/data")]
    watched = set(rule.sources) or set(config.sources)
    return [Seen(f"source:{s.key}", config.site_key, _("The data feed {source} is late").format(source=s.key),
                 (_("It was due {time} and has not been read since {last}.").format(
                     time=when_words(s.due_by, config.tz, now), last=when_words(s.last_check, config.tz, now)),),
                 "/data")
            for s in live.sources if s.late and s.key in watched]


def escalation_unanswered(services: Services, rule: Rule) -> list[Seen]:
    """Escalations still without an answer past their tier's limit, held in the scopes the rule watches; one
    passed up to the next tier is a new cause there."""
    config = services.config
    areas = {k: a.lines for k, a in config.areas.items()}
    scopes = rule_scopes(services, rule)
    seen = []
    for e in services.escalations.overdue(services.clock()):
        if not any(covers(s, e.scope, areas, (config.site_key,)) for s in scopes):
            continue
        seen.append(Seen(f"escalation:{e.id}@{e.scope}", e.scope,
                         _("An escalation to {place} is unanswered").format(place=e.scope_name),
                         (f"“{e.sentence}”",
                          _("From {origin}, raised by {who} ({shift}); waiting {age}, its answer was due {time}.")
                          .format(origin=e.origin_name, who=e.raised_by, shift=e.shift_words, age=e.age_words(),
                                  time=when_words(e.answer_by, config.tz, services.clock()))),
                         f"/board?scope={e.scope}"))
    return seen


def handover_unacknowledged(services: Services, rule: Rule) -> list[Seen]:
    """Shift handovers leading a line's board that nobody has acknowledged (for the rule's ``after_minutes``)."""
    seen: dict[int, Seen] = {}
    for scope in rule_scopes(services, rule):
        for h in services.handovers.leading(scope):
            note = h.note if len(h.note) <= 200 else h.note[:199] + "…"
            written = _("{who} wrote it at the end of the {shift}, {time}.").format(
                who=h.written_by_name, shift=h.shift_words, time=h.written_words)
            seen.setdefault(h.id, Seen(
                f"handover:{h.id}", h.line, _("The handover on {line} is not acknowledged").format(line=h.line_name),
                (written, f"“{note}”") if note else (written,), f"/board?scope={h.line}"))
    return list(seen.values())


#: how each cause is seen
SEERS: dict[str, Callable[[Services, Rule], list[Seen]]] = {
    "kpi_red": kpi_red, "action_overdue": action_overdue, "feed_stale": feed_stale,
    "escalation_unanswered": escalation_unanswered, "handover_unacknowledged": handover_unacknowledged}
