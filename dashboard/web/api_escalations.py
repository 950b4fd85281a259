"""``/api/v1/escalations``: the requests for help between the tiers' meetings, and their answers.

A GET lists them (those a scope's meeting holds or raised, when ``scope`` is given; in some states, when ``state``
is). A POST takes one step, named in its JSON body (``step``): ``raise`` from a scope to the tier above it,
``accept`` with an owner and a due date, ``answer``, ``pass_up`` or ``acknowledge``, each but ``raise`` naming the
escalation's ``id`` and the ``version`` the caller saw. The service checks the caller's role and scope (an editor
whose home scope covers the meeting that owns the step) and the version; the app's Origin check guards every POST.
Refusals are JSON: 400 (a bad body or a step that cannot be taken, saying why), 403, 404 (no such escalation) and
409 (someone moved it on since; ``current`` is the escalation as it is now).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.core.i18n import N_
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.escalation_views import STATES, EscalationView
from huddle.dashboard.services.escalations import (
    EscalationConflictError,
    EscalationError,
    EscalationNotFoundError,
)
from huddle.dashboard.web.address import AddressError, node_href
from huddle.dashboard.web.api_query import ApiQuery
from huddle.dashboard.web.security import current_identity

STEPS = ("raise", "accept", "answer", "pass_up", "acknowledge")
#: the ``state`` parameter: one state, or ``open`` (waiting for an answer)
STATE_CHOICES = {**{s: (s,) for s in STATES}, "open": ("raised", "accepted")}


def tree_link(view: EscalationView, site_key: str) -> str | None:
    """The address of the escalation's KPI in its tree, at the scope and shift it was raised for (None without)."""
    if not view.kpi:
        return None
    scope = "plant" if view.origin_scope == site_key else view.origin_scope
    return node_href(view.tree, view.kpi, scope, view.period_label)


def as_json(view: EscalationView, site_key: str) -> dict[str, Any]:
    """An escalation as the API gives it, with the link to its tree node."""
    return {**view.as_dict(), "tree_link": tree_link(view, site_key)}


class BodyError(ValueError):
    """The request's body cannot be read as a step: which field, and why."""


def list_escalations(services: Services) -> ResponseReturnValue:
    """Escalations held by or raised from a scope (every scope when none is given), in a state when asked."""
    state = request.args.get("state") or None
    if state is not None and state not in STATE_CHOICES:
        raise AddressError("state", f"expected one of {', '.join(STATE_CHOICES)}")
    given = any(request.args.get(k) for k in ("scope", "line", "area"))
    scope = ApiQuery(request.args, services.config).scope() if given else None
    listed = services.escalations.listing(scope, STATE_CHOICES[state] if state else None)
    return jsonify({"scope": scope, "state": state, "escalations": [as_json(e, services.config.site_key)
                                                                    for e in listed]})


def escalation_step(services: Services) -> ResponseReturnValue:
    """Take the step the body names; 201 with the new escalation for ``raise``, 200 with it for the others."""
    who = current_identity()
    try:
        who.require("editor", N_("escalating, accepting, answering or acknowledging"))
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            raise BodyError("the request: expected a JSON object (Content-Type: application/json) naming its step")
        step = body.get("step")
        if step not in STEPS:
            raise BodyError(f"step: expected one of {', '.join(STEPS)}")
        esc = services.escalations
        if step == "raise":
            made = esc.raise_escalation(
                who, _text(body, "scope", required=True), _text(body, "sentence", required=True),
                kpi=_text(body, "kpi"), reading=_text(body, "reading"), production_date=_day(body, "date"),
                shift=_text(body, "shift"), source=_text(body, "source"), source_ref=_text(body, "source_ref"))
            return jsonify({"escalation": as_json(made, services.config.site_key)}), 201
        ident, version = _whole(body, "id"), _whole(body, "version")
        if step == "accept":
            due = _day(body, "due")
            if due is None:
                raise BodyError("due: missing; give the date the answer is due, like 2026-11-24")
            done = esc.accept(who, ident, version, _text(body, "owner", required=True), due)
        elif step == "answer":
            done = esc.answer(who, ident, version, _text(body, "answer", required=True))
        elif step == "pass_up":
            done = esc.pass_up(who, ident, version, _text(body, "why"))
        else:
            done = esc.acknowledge(who, ident, version)
        return jsonify({"escalation": as_json(done, services.config.site_key)}), 200
    except ForbiddenError as exc:
        return jsonify({"error": str(exc)}), 403
    except EscalationNotFoundError as exc:
        return jsonify({"error": str(exc)}), 404
    except EscalationConflictError as exc:
        return jsonify({"error": str(exc), "current": as_json(exc.current, services.config.site_key)}), 409
    except (BodyError, EscalationError) as exc:
        return jsonify({"error": str(exc)}), 400


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise BodyError(f"{name}: missing")
        return ""
    if not isinstance(value, str):
        raise BodyError(f"{name}: expected text, got {type(value).__name__}")
    return value


def _whole(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise BodyError(f"{name}: expected a whole number from 1 (the escalation's {name}, as listed)")
    return value


def _day(body: dict[str, Any], name: str) -> date | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad_day(name)
    except ValueError:
        return _bad_day(name)


def _bad_day(name: str) -> date:
    raise BodyError(f"{name}: expected a date like 2026-11-24")


def escalations(services: Services) -> ResponseReturnValue:
    """GET lists escalations; POST takes a step on one."""
    if request.method == "POST":
        return escalation_step(services)
    return list_escalations(services)
