"""Huddle mode's read model: the board of a scope and shift laid out as its tier's agenda, one segment per item
(safety, quality, delivery, cost, people, actions, escalations, handover), with the tier's timebox and the people
whose attendance is taken. JSON-ready, from the same services as the board, so the huddle shows the board's numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.names import due_words, shift_name
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.tiers import AGENDA_WORDS
from huddle.dashboard.services.board import board_view

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

#: the agenda's KPI segments and the board column (SQDCM letter) each shows
CATEGORY_OF = {"safety": "S", "quality": "Q", "delivery": "D", "cost": "C", "people": "M"}


def _escalation(e: Any) -> dict[str, Any]:
    return {"id": e.id, "sentence": e.sentence, "context": e.context_words(), "state": e.state_words,
            "overdue": e.overdue, "answer": e.answer_line if e.answer else "", "owner": e.owner,
            "from": e.origin_name, "to": e.scope_name}


def huddle_view(services: Services, scope: str, period: Period) -> dict[str, Any]:
    """A scope's huddle over a shift: its tier, timebox and agenda segments with what each shows."""
    tier = services.huddles.tier(scope)
    board = board_view(services, scope, period)
    columns = {c["category"]: c for c in board["columns"]}  # type: ignore[union-attr, index]
    today = services.huddles.today()
    held_in = services.huddles.shift_at(services.clock())
    segments = []
    for key in tier.agenda:
        segment: dict[str, Any] = {"key": key, "title": _(AGENDA_WORDS[key])}
        if key in CATEGORY_OF:
            column = columns.get(CATEGORY_OF[key], {"kpis": [], "status": "grey"})
            segment |= {"kind": "kpis", "status": column["status"],
                        "kpis": [{k: x[k] for k in ("kpi", "name", "value", "target", "gap", "status", "repeat",
                                                    "needs_action")} for x in column["kpis"]]}
        elif key == "actions":
            segment |= {"kind": "actions", "actions": [
                {"what": a.what, "owner": a.owner, "due": due_words(a.due, today), "overdue": a.overdue}
                for a in services.huddles.actions_due(scope)]}
        elif key == "escalations":
            segment |= {"kind": "escalations",
                        "received": [_escalation(e) for e in services.escalations.received(scope)],
                        "waiting": [_escalation(e) for e in services.escalations.raised_from(scope)],
                        "answers": [_escalation(e) for e in services.escalations.answers_waiting(scope)]}
        else:  # the handovers leading the board
            segment |= {"kind": "handover", "handovers": [
                {"line": h.line_name, "from": h.shift_words, "by": h.written_by_name, "note": h.note,
                 "open_problems": h.open_problems, "safety": h.safety,
                 "machines": "; ".join(f"{m.machine}: {m.state_words}" for m in h.machines)}
                for h in services.handovers.leading(scope)]}
        segments.append(segment)
    return {"scope": scope, "scope_name": board["scope_name"], "tier": tier.number, "tier_title": tier.title,
            "minutes": tier.minutes, "looks_back": board["period_words"],
            "held_in": shift_name(services.config, held_in.production_date, held_in.shift_key, today)
            if held_in else "", "segments": segments, "people": services.huddles.people_of(scope)}
