"""The OpenAPI description of the huddle's memory (``api_meetings``): the shift handovers, listed, written and
acknowledged. ``openapi.describe_api`` adds these paths and schemas to the document, and ``described_paths`` their
paths, so the test holding every route described sees them too.
"""

from __future__ import annotations

from typing import Any

from huddle.dashboard.web.address import NO, YES
from huddle.dashboard.web.openapi import (
    BOOL,
    DAY,
    INSTANT,
    INT,
    STR,
    Schema,
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
}
#: parameters by their component's name (``open`` is the actions' already, with its own meaning there)
PARAMETERS: dict[str, Schema] = {
    "open_handovers": _param("open", "`1`: only handovers not acknowledged yet; `0` (default): every one", "0",
                             enum=[*YES, *NO]),
}
PATHS = {"/handovers": "handovers"}


def _write(operation: str, summary: str, body: str, answer: str, created: str) -> Schema:
    """A POST of an editor's change from this site: its body, what it gives, and its refusals."""
    return {"operationId": operation, "summary": summary, "parameters": _use("site"),
            "requestBody": {"required": True, "content": _json(body)},
            "responses": {"200": {"description": "acknowledged", "content": _json(answer)},
                          "201": {"description": created, "content": _json(answer)},
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
        "covering the line; from this site: Origin)", "HandoverWrite", "Handover", "written")
    return paths
