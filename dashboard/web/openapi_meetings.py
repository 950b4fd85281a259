"""The OpenAPI description of the huddle's memory (``api_meetings``): the shift handovers, listed, written and
acknowledged, and the huddle records, listed, downloaded and recorded. ``openapi.describe_api`` adds these paths and
schemas to the document, and ``described_paths`` their paths, so the test holding every route described sees them.
"""

from __future__ import annotations

from typing import Any

from huddle.dashboard.web.address import NO, YES
from huddle.dashboard.web.openapi import (
    BOOL,
    DAY,
    DAY_OR_EMPTY,
    INSTANT,
    INT,
    NUM,
    STR,
    TEXTS,
    XLSX,
    Schema,
    _file,
    _json,
    _list,
    _obj,
    _or_null,
    _param,
    _ref,
    _use,
)

MACHINE: Schema = _obj({"machine": STR, "state": {"type": "string", "enum": ["running", "limited", "down"]}},
                       {"note": STR})
SCHEMAS: dict[str, Schema] = {
    "Handover": _obj({
        "id": INT, "line": STR, "line_name": STR, "production_date": DAY, "shift": STR, "shift_words": STR,
        "note": STR, "open_problems": STR, "machines": _list(MACHINE), "safety": STR, "written_by": STR,
        "written_by_name": STR, "written_at": INSTANT, "written_words": STR, "acknowledged_by": STR,
        "acknowledged_by_name": STR, "acknowledged_at": _or_null("string", format="date-time"),
        "acknowledged_words": STR, "acknowledged": BOOL, "version": INT}),
    "Handovers": _obj({"scope": STR, "handovers": _list(_ref("Handover"))}),
    "HandoverWrite": {"oneOf": [
        _obj({"line": STR}, {"note": STR, "open_problems": STR, "safety": STR, "machines": _list(MACHINE),
                             "date": DAY, "shift": STR},
             description="a line's handover of its outgoing shift (default: the shift now ending); at least one "
                         "of note, open_problems, machines and safety"),
        _obj({"acknowledge": INT}, description="the incoming leader has read handover `acknowledge`")]},
    "HuddleRecord": _obj({
        "id": INT, "tier": INT, "tier_title": STR, "scope": STR, "scope_name": STR, "production_date": DAY,
        "shift": STR, "shift_words": STR, "started_at": INSTANT, "ended_at": INSTANT, "minutes": NUM,
        "attendees": TEXTS, "red_kpis": _list(_obj({"kpi": STR, "name": STR, "value": STR})),
        "actions": _list(_obj({"id": INT, "what": STR, "owner": STR, "due": DAY, "status": STR})),
        "escalations": _list(_obj({"id": INT, "sentence": STR, "state": STR})), "notes": STR,
        "recorded_by": STR}),
    "HuddleRecords": _obj({"scope": STR, "from": DAY, "to": DAY, "huddles": _list(_ref("HuddleRecord"))}),
    "HuddleRecordWrite": _obj({"scope": STR, "attendees": TEXTS}, {"started_at": INSTANT, "notes": STR},
                              description="a huddle closed now: its scope, when it began (default: now), who "
                                          "attended and its notes; what was red, due and raised is read by the "
                                          "server"),
}
#: parameters by their component's name (``open`` is the actions' already, with its own meaning there)
PARAMETERS: dict[str, Schema] = {
    "open_handovers": _param("open", "`1`: only handovers not acknowledged yet; `0` (default): every one", "0",
                             enum=[*YES, *NO]),
    "huddle_date": _param("date", "a production date (default: today; or give `from` and `to`)", "2026-11-20",
                          **DAY_OR_EMPTY),
}
PATHS = {"/handovers": "handovers", "/huddles": "huddles", "/huddles.csv": "huddles_export",
         "/huddles.xlsx": "huddles_export"}
RECORDS = ("scope", "line", "area", "huddle_date", "from", "to")


def _write(operation: str, summary: str, body: str, answer: str, created: str, changed: str = "") -> Schema:
    """A POST of an editor's change from this site: its body, what it gives, and its refusals."""
    done = {"200": {"description": changed, "content": _json(answer)}} if changed else {}
    return {"operationId": operation, "summary": summary, "parameters": _use("site"),
            "requestBody": {"required": True, "content": _json(body)},
            "responses": done | {"201": {"description": created, "content": _json(answer)},
                          "400": {"description": "refused, nothing stored: what is wrong and where",
                                  "content": _json("Error") | {"text/plain": {"schema": STR}}},
                          "401": {"description": "nobody signed in", "content": _json("Error")},
                          "403": {"description": "not an editor covering the line, or the request does not come "
                                                 "from this site", "content": _json("Error")},
                          "413": {"description": "a body over `max_request_bytes`",
                                  "content": {"text/plain": {"schema": STR}}}}}


def meeting_paths(operation: Any) -> dict[str, Any]:
    """The described paths, each its GET (through ``openapi._operation``) and its POST."""
    paths: dict[str, Any] = operation(
        "handovers", "A scope's shift handovers, newest first, with who acknowledged them and when",
        ("scope", "line", "area", "open_handovers"), {"description": "the handovers", "content": _json("Handovers")},
        "/handovers")
    paths["/handovers"]["post"] = _write(
        "write_handover", "Write a line's handover (corrected while not acknowledged), or acknowledge one (editors "
        "covering the line; from this site: Origin)", "HandoverWrite", "Handover", "written", "acknowledged")
    paths |= operation("huddles", "The huddle records of a day (or from..to) at a scope and the scopes inside it",
                       RECORDS, {"description": "the records", "content": _json("HuddleRecords")}, "/huddles")
    paths["/huddles"]["post"] = _write(
        "record_huddle", "Record a huddle closed now (editors covering its scope; from this site: Origin)",
        "HuddleRecordWrite", "HuddleRecord", "recorded")
    for ext, media, what in (("csv", "text/csv", "comma-separated"), ("xlsx", XLSX, "a workbook")):
        paths |= operation(f"huddles_export_{ext}", f"The huddle records of a day (or from..to) as a download: "
                           f"{what}", RECORDS, _file(media, what), f"/huddles.{ext}")
    return paths
