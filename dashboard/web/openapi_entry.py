"""The OpenAPI description of the shop-floor entry (``api_entry``): what the entry page shows for a line, and the
POST that enters a stop, ends one, logs defects, reports safety or comments an hour. ``openapi.describe_api`` adds
these paths and schemas to the document, and ``described_paths`` their paths.
"""

from __future__ import annotations

from typing import Any

from huddle.dashboard.web.openapi import BOOL, INSTANT, INT, STR, Schema, _json, _list, _obj, _use

SCHEMAS: dict[str, Schema] = {
    "EntrySheet": _obj({
        "line": STR, "line_name": STR, "shift_words": STR, "may_write": BOOL, "why_not": STR,
        "reason_tree": _list(_obj({"group": STR, "reasons": _list(STR)})), "defect_types": _list(STR),
        "safety_types": _list(STR), "hours": _list(_obj({"start": INSTANT, "label": STR, "comment": STR})),
        "open_stops": _list(_obj({"id": INT, "words": STR})), "entered": _list(STR)}),
    "EntryWrite": _obj({"line": STR, "kind": {"type": "string", "enum": ["stop", "stop_end", "defects", "safety",
                                                                          "hour"]}},
                       {"reason": STR, "start": INSTANT, "end": {"type": ["string", "null"], "format": "date-time"},
                        "started_min_ago": INT, "lasted_min": INT, "still_stopped": BOOL, "stop": INT,
                        "defect": STR, "count": INT, "disposition": {"type": "string", "enum": ["scrap", "rework"]},
                        "type": {"type": "string", "enum": ["near_miss", "unsafe_condition", "unsafe_act",
                                                             "first_aid"]},
                        "text": STR, "hour": INSTANT},
                       description="one entry for a line: a stop (reason; start and end, end null while still "
                                   "stopped, or started_min_ago with lasted_min or still_stopped), the end of a "
                                   "running stop (stop), defects (defect, count, disposition), a safety report "
                                   "(type, text) or an hour's comment (hour, text)"),
    "Entered": _obj({"line": STR, "kind": STR, "message": STR}),
}
PATHS = {"/entry": "entry"}


def entry_paths(operation: Any) -> dict[str, Any]:
    """The described path: its GET (through ``openapi._operation``) and its POST."""
    paths: dict[str, Any] = operation(
        "entry", "What the shop-floor entry page shows for a line: the reason tree, the shift's hours, stops still "
        "running and this shift's entries", ("line",), {"description": "the line's sheet",
                                                        "content": _json("EntrySheet")}, "/entry")
    paths["/entry"]["post"] = {
        "operationId": "enter", "summary": "Enter a stop, end one, log defects, report safety or comment an hour "
        "(an operator of the line, or an editor covering it; from this site: Origin)", "parameters": _use("site"),
        "requestBody": {"required": True, "content": _json("EntryWrite")},
        "responses": {"201": {"description": "stored; the line's shift facts are refreshed",
                              "content": _json("Entered")},
                      "400": {"description": "refused, nothing stored: what is wrong and which part",
                              "content": _json("Error")},
                      "401": {"description": "nobody signed in", "content": _json("Error")},
                      "403": {"description": "not an operator of the line or an editor covering it, or the request "
                                             "does not come from this site", "content": _json("Error")}}}
    return paths
