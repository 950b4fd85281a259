"""The API of the huddle's memory: ``/handovers`` lists a scope's shift handovers, and a POST writes one or
acknowledges one; ``/huddles`` lists the huddle records of a day (or ``from``..``to``) and scope, as JSON or a
download (``/huddles.csv``, ``/huddles.xlsx``), and a POST records a huddle closed now. Writes need an editor's
session (the services check the role) from this site (the app's Origin check on every change); a refusal is a 400
naming what is wrong, or a 403 naming the role.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.exports.huddle_records import records_csv, records_workbook
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.handover import HandoverError
from huddle.dashboard.services.huddles import HuddleError, HuddleRecordView
from huddle.dashboard.web.address import NO, YES, AddressError, read_period
from huddle.dashboard.web.api_query import ApiQuery
from huddle.dashboard.web.security import current_identity
from werkzeug.exceptions import NotFound

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


HUDDLE_FIELDS = ("scope", "started_at", "attendees", "notes")
MAX_DAYS = 366
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _records(services: Services) -> tuple[str, date, date, list[HuddleRecordView]]:
    """The records the query asks for: of ``date`` (default today) or ``from``..``to``, of a scope and inside it."""
    query = ApiQuery(request.args, services.config)
    scope = query.scope()
    span = query.date_range()
    if span is None:
        text = request.args.get("date") or ""
        day = read_period("day", text, "date").first if text else services.huddles.today()
        span = (day, day)
    if (span[1] - span[0]).days > MAX_DAYS:
        raise AddressError("to", f"at most {MAX_DAYS} days after from")
    return scope, span[0], span[1], services.huddles.listing(span[0], span[1], scope)


def huddles(services: Services) -> ResponseReturnValue:
    """Huddle records of a day (or a span) and scope; a POST records a huddle closed now."""
    if request.method == "POST":
        return _record_huddle(services)
    scope, first, last, listed = _records(services)
    return jsonify({"scope": scope, "from": first.isoformat(), "to": last.isoformat(),
                    "huddles": [r.as_dict() for r in listed]})


def huddles_export(services: Services, ext: str) -> ResponseReturnValue:
    """Huddle records of a day (or a span) and scope as CSV or a workbook."""
    if ext not in ("csv", "xlsx"):
        raise NotFound(f"export: .{ext} is not offered (csv or xlsx)")
    scope, first, last, listed = _records(services)
    tz = services.config.tz
    body, mimetype = ((records_csv(listed, tz), "text/csv; charset=utf-8") if ext == "csv"
                      else (records_workbook(listed, tz), XLSX))
    response = Response(body, mimetype=mimetype)
    span = first.isoformat() if first == last else f"{first.isoformat()}-{last.isoformat()}"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="huddle-{services.config.site_key}-huddles-{scope}-{span}.{ext}"')
    return response


def _record_huddle(services: Services) -> ResponseReturnValue:
    body = _body()
    if body is None:
        return _refused("the request: expected a JSON object (Content-Type: application/json) with the scope, "
                        "started_at and attendees")
    try:
        unknown = sorted(set(body) - set(HUDDLE_FIELDS))
        if unknown:
            raise HuddleError(f"unknown fields {', '.join(unknown)} (a huddle record has {', '.join(HUDDLE_FIELDS)})")
        if not isinstance(body.get("scope", ""), str) or not isinstance(body.get("notes") or "", str):
            raise HuddleError("scope and notes are text")
        started = body.get("started_at")
        try:
            started_at = datetime.fromisoformat(started) if isinstance(started, str) and started else None
        except ValueError:
            raise HuddleError("started_at: expected an instant like 2026-11-20T05:05:00+00:00") from None
        if started not in (None, "") and started_at is None:
            raise HuddleError("started_at: expected an instant like 2026-11-20T05:05:00+00:00")
        record = services.huddles.close(current_identity(), body.get("scope") or "plant", started_at=started_at,
                                        attendees=body.get("attendees"), notes=body.get("notes") or "")
    except ForbiddenError as exc:
        return _refused(str(exc), 403)
    except HuddleError as exc:
        return _refused(str(exc))
    return jsonify(record.as_dict()), 201
