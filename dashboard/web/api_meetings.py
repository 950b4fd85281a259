"""The API of the huddle's memory: ``/handovers`` lists a scope's shift handovers, and a POST writes one or
acknowledges one. Writes need an editor's session (the services check the role) from this site (the app's Origin
check on every change); a refusal is a 400 naming what is wrong, or a 403 naming the role.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.handover import HandoverError
from huddle.dashboard.web.address import NO, YES, AddressError
from huddle.dashboard.web.api_query import ApiQuery
from huddle.dashboard.web.security import current_identity

#: the fields a handover is written with, as the API takes them
HANDOVER_FIELDS = ("line", "note", "open_problems", "machines", "safety", "date", "shift")


def _body() -> dict[str, Any] | None:
    body = request.get_json(silent=True) if request.is_json else None
    return body if isinstance(body, dict) else None


def _refused(message: str, status: int = 400) -> ResponseReturnValue:
    return jsonify({"error": message}), status


def _day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise HandoverError(f"{field}: expected a production date like 2026-11-20, not {str(value)[:40]!r}") from None


def handovers(services: Services) -> ResponseReturnValue:
    """A scope's handovers, newest first (only those not acknowledged when ``open=1``); a POST writes a line's
    handover, or acknowledges one (``{"acknowledge": id}``)."""
    if request.method == "POST":
        return _write_handover(services)
    answer = request.args.get("open", "0")
    if answer not in YES + NO:
        raise AddressError("open", f"expected one of {', '.join(YES + NO)}")
    scope = ApiQuery(request.args, services.config).scope()
    listed = services.handovers.listing(scope, open_only=answer in YES)
    return jsonify({"scope": scope, "handovers": [h.as_dict() for h in listed]})


def _write_handover(services: Services) -> ResponseReturnValue:
    body = _body()
    if body is None:
        return _refused("the request: expected a JSON object (Content-Type: application/json): a line's handover "
                        "or {\"acknowledge\": id}")
    who = current_identity()
    try:
        if "acknowledge" in body:
            handover_id = body["acknowledge"]
            if not isinstance(handover_id, int) or isinstance(handover_id, bool):
                raise HandoverError("acknowledge: expected the handover's id, a whole number")
            return jsonify(services.handovers.acknowledge(who, handover_id).as_dict()), 200
        unknown = sorted(set(body) - set(HANDOVER_FIELDS))
        if unknown:
            raise HandoverError(f"unknown fields {', '.join(unknown)} (a handover has {', '.join(HANDOVER_FIELDS)})")
        texts = {k: body.get(k) or "" for k in ("note", "open_problems", "safety")}
        if not all(isinstance(v, str) for v in (*texts.values(), body.get("line", ""), body.get("shift") or "")):
            raise HandoverError("line, shift, note, open_problems and safety are text")
        written = services.handovers.write(who, body.get("line", ""), machines=body.get("machines") or [],
                                           production_date=_day(body.get("date"), "date"),
                                           shift=body.get("shift") or None, **texts)
    except ForbiddenError as exc:
        return _refused(str(exc), 403)
    except HandoverError as exc:
        return _refused(str(exc))
    return jsonify(written.as_dict()), 201
