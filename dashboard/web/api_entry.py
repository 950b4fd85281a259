"""The API of the shop-floor entry (``/entry``): ``GET /entry?line=L1`` gives what the page shows for a line (the
reason tree, the shift's hours, stops still running, what was entered this shift), and a POST enters a stop, ends
one, logs defects, reports safety or comments an hour, through the same service as the page. Writes need an
operator's, editor's or admin's session for the line (the service checks) from this site (the app's Origin check);
a refusal is a 400 naming what is wrong, or a 403 naming who may.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.shop_floor import SAFETY_TYPES, EntryError
from huddle.dashboard.web.address import AddressError
from huddle.dashboard.web.security import current_identity

#: what a POST enters (its ``kind``) and the fields each takes besides ``line`` and ``kind``
KINDS = {"stop": ("reason", "start", "end", "started_min_ago", "lasted_min", "still_stopped"),
         "stop_end": ("stop",), "defects": ("defect", "count", "disposition"), "safety": ("type", "text"),
         "hour": ("hour", "text")}


def entry(services: Services) -> ResponseReturnValue:
    """What the entry page shows for a line; a POST enters something for it."""
    if request.method == "POST":
        return _enter(services)
    line = request.args.get("line") or ""
    if line not in services.config.lines:
        raise AddressError("line", f"expected one of {', '.join(services.config.lines)}")
    sheet = services.shop_floor.sheet(current_identity(), line)
    return jsonify({
        "line": sheet.line, "line_name": sheet.line_name, "shift_words": sheet.shift_words,
        "may_write": not sheet.why_not, "why_not": sheet.why_not,
        "reason_tree": [{"group": b.name, "reasons": list(b.reasons)} for b in sheet.branches],
        "defect_types": list(sheet.defect_types), "safety_types": list(SAFETY_TYPES),
        "hours": [{"start": h.start_utc.isoformat(), "label": h.label, "comment": h.comment} for h in sheet.hours],
        "open_stops": [asdict(s) for s in sheet.open_stops], "entered": list(sheet.entered)})


def _instant(value: Any, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise EntryError(f"{field}: expected an instant like 2026-11-20T13:05:00Z, not {str(value)[:40]!r}",
                         field) from None
    if instant.tzinfo is None:
        raise EntryError(f"{field}: give the instant with its zone (Z or +01:00)", field)
    return instant


def _enter(services: Services) -> ResponseReturnValue:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        return jsonify({"error": "the request: expected a JSON object (Content-Type: application/json) with line "
                                 f"and kind ({', '.join(KINDS)})"}), 400
    who, shop = current_identity(), services.shop_floor
    kind, line = body.get("kind"), body.get("line")
    try:
        if kind not in KINDS:
            raise EntryError(f"kind: expected one of {', '.join(KINDS)}", "kind")
        if not isinstance(line, str):
            raise EntryError("line: expected a line's key, like L1", "line")
        unknown = sorted(set(body) - {"line", "kind", *KINDS[kind]})
        if unknown:
            raise EntryError(f"unknown fields {', '.join(unknown)} (a {kind} entry takes "
                             f"{', '.join(KINDS[kind])})", "kind")
        message = _write(shop, who, kind, line, body)
    except ForbiddenError as exc:
        return jsonify({"error": str(exc)}), 403
    except EntryError as exc:
        return jsonify({"error": str(exc), "part": exc.part}), 400
    return jsonify({"line": line, "kind": kind, "message": message}), 201


def _write(shop: Any, who: Any, kind: str, line: str, body: dict[str, Any]) -> str:
    """Enter one thing through the shop-floor service; its confirmation in words."""
    if kind == "stop":
        if "start" in body:
            start = _instant(body["start"], "start")
            if start is None:
                raise EntryError("start: expected an instant", "start")
            return shop.record_stop(who, line, body.get("reason") or "", start, _instant(body.get("end"), "end"))
        start, end = shop.stop_times(body.get("started_min_ago", 0), body.get("lasted_min"),
                                     bool(body.get("still_stopped")))
        return shop.record_stop(who, line, body.get("reason") or "", start, end)
    if kind == "stop_end":
        stop = body.get("stop")
        if not isinstance(stop, int) or isinstance(stop, bool):
            raise EntryError("stop: expected the running stop's id, a whole number", "stop")
        return shop.end_stop(who, line, stop)
    if kind == "defects":
        return shop.record_defects(who, line, str(body.get("defect") or ""), body.get("count", ""),
                                   str(body.get("disposition") or "scrap"))
    if kind == "safety":
        return shop.report_safety(who, line, str(body.get("type") or ""), str(body.get("text") or ""))
    hour = _instant(body.get("hour"), "hour")
    if hour is None:
        raise EntryError("hour: expected the instant the hour starts", "hour")
    return shop.comment_hour(who, line, hour, str(body.get("text") or ""))
