"""The API's OpenAPI 3.1 description, served at ``/api/v1/openapi.json``.

Each operation is declared here once, by the name of the function in ``api.ROUTES`` that answers it: its
parameters and the schema of every answer. ``describe_api`` builds the document; a test holds that every route of
the API is described and every described path is a route, so the two cannot drift apart. The document describes
shapes only (parameter names, formats, answer fields), never a plant's lines, KPIs or numbers, so it is the same
for every site and anyone may read it.
"""

from __future__ import annotations

from typing import Any

from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.okr_scoring import KINDS
from huddle.dashboard.core.periods import GRAINS
from huddle.dashboard.web.address import NO, YES

Schema = dict[str, Any]

VERSION = "1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_COOKIE = "huddle_session"
QUARANTINE_STATUSES = ("open", "resolved", "dismissed", "all")


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _or_null(kind: str | list[str], **more: Any) -> Schema:
    kinds = [kind] if isinstance(kind, str) else kind
    return {"type": [*kinds, "null"], **more}


def _obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None, **more: Any) -> Schema:
    """An object with these fields (the required ones always present); more fields may come in later versions."""
    return {"type": "object", "required": list(required), "properties": required | (optional or {}), **more}


def _list(items: Schema) -> Schema:
    return {"type": "array", "items": items}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
DAY: Schema = {"type": "string", "format": "date"}
DAY_OR_EMPTY: Schema = {"anyOf": [{"format": "date"}, {"maxLength": 0}]}  # an empty parameter is one not given
INSTANT: Schema = {"type": "string", "format": "date-time"}
TEXTS: Schema = _list(STR)

READING_FIELDS: dict[str, Schema] = {
    "kpi": STR, "scope": STR, "period": STR, "value": _or_null("number"), "numerator": _or_null("number"),
    "denominator": _or_null("number"), "target": _or_null("number"), "gap": _or_null("number"),
    "status": {"type": "string", "enum": [str(s) for s in Status]}, "unit": STR,
    "data_through": _or_null("string", format="date-time"), "age_seconds": _or_null("integer"),
    "coverage": _or_null("number", minimum=0), "complete": _or_null("boolean"), "checks": TEXTS, "gaps": TEXTS,
    "flags": TEXTS}
PARTS: Schema = {"type": "object", "description": "what the value is made of (per line, hours worked, ...)"}


def _reading(**extra: Schema) -> Schema:
    return _obj(READING_FIELDS | extra, {"parts": PARTS})


RUN = _or_null("object", required=["at", "finished", "status", "files", "rows_read", "rows_loaded",
                                   "rows_rejected", "message"],
               properties={"at": INSTANT, "finished": _or_null("string", format="date-time"), "status": STR,
                           "files": INT, "rows_read": INT, "rows_loaded": INT, "rows_rejected": INT,
                           "message": STR})
BASELINE = _or_null("object", required=["value", "date", "source"],
                    properties={"value": NUM, "date": DAY, "source": STR,
                                "scope": {"type": ["string", "null"],
                                          "description": "where it was recorded (null: the plant file)"}})
PARETO = _obj({"label": STR, "minutes": _or_null("number"), "count": INT, "quantity": _or_null("integer"),
               "cost": _or_null("number"), "share": NUM, "cumulative": NUM, "lines": TEXTS})
CONTRIBUTION = _obj({"kpi": STR, "before": _or_null("number"), "after": _or_null("number"),
                     "contribution": _or_null("number")})
CHECK_IN = _obj({"id": INT, "key_result_id": INT, "week": STR, "value": _or_null("number"), "confidence": INT,
                 "moved": STR, "blocks": STR, "author": STR, "at": INSTANT, "replaces_id": _or_null("integer"),
                 "replaced": BOOL, "unit": STR, "band": STR})
KEY_RESULT = _obj({
    "id": INT, "objective_id": INT, "title": STR, "kind": STR, "start": _or_null("number"), "target": NUM,
    "unit": STR, "weight": NUM, "owner": STR, "kpi": _or_null("string"), "kpi_scope": _or_null("string"),
    "kpi_window": _or_null("string"), "rule": STR, "current": _or_null("number"), "source": STR,
    "progress": _or_null("number", description="null for a maintain key result (target equal to start)"),
    "expected": NUM,
    "status": {"type": "string", "enum": ["on track", "needs attention", "off track", "no data", "holding",
                                          "slipping"], "description": "holding or slipping: a maintain key result"},
    "maintain": BOOL, "kpi_status": _or_null("string"),
    "confidence": _or_null("integer"), "confidence_band": _or_null("string"), "checked_in_this_week": BOOL,
    "disagreement": _or_null("string"),
    "history": _list(_obj({"week": STR, "value": _or_null("number"), "confidence": _or_null("integer"),
                           "path": _or_null("number")})),
    "check_ins": _list(_ref("CheckIn")), "final_value": _or_null("number"), "score": _or_null("number"),
    "months": _or_null("array", items=_obj({"month": STR, "value": _or_null("number"), "status": STR,
                                            "to_date": BOOL}),
                       description="a bound key result's KPI per month of the quarter, with the KPI's own status"),
    "red_months": _or_null("array", items=STR, description="red months the reading over the key result's window "
                                                           "hides (a red month inside a green quarter)")})

#: a quarter's objectives with their key results, as ``huddle okr import`` reads them from a YAML file
OKR_PLAN: Schema = _obj({"quarter": {"type": "string", "example": "2027-Q1"}, "objectives": {
    "type": "array", "minItems": 1, "items": _obj(
        {"title": STR, "scope": {"type": "string", "description": "company, plant, an area key or a line key"},
         "owner": STR},
        {"parent": {"type": "string", "description": "the title of the objective above it, in the quarter or "
                                                     "earlier in the request"},
         "key_results": _list(_obj(
             {"title": STR, "kind": {"type": "string", "enum": list(KINDS)}, "owner": STR},
             {"start": _or_null("number"), "target": _or_null("number"), "unit": STR,
              "weight": {"type": "number", "exclusiveMinimum": 0}, "kpi": STR, "kpi_scope": STR,
              "kpi_window": {"type": "string", "enum": ["quarter", "month", "week"]}}))})}})

#: the loaders' liveness in the health answer: the leading scheduler's heartbeat and each source's due time
SCHEDULER: Schema = _obj({
    "state": {"type": "string", "enum": ["running", "stopped", "never seen"]},
    "last_beat": _or_null("string", format="date-time"), "leading_since": _or_null("string", format="date-time"),
    "leader": _or_null("string"), "silent_seconds": _or_null("integer"), "down_after_seconds": INT,
    "words": {"type": "string", "description": "the strip's sentence, or empty when all is well"},
    "due": _list(_obj({"key": STR, "interval_seconds": INT, "last_check": _or_null("string", format="date-time"),
                       "due_by": _or_null("string", format="date-time"), "overdue_seconds": INT, "late": BOOL}))})

ESCALATION: Schema = _obj({
    "id": INT, "version": INT, "sentence": STR, "kpi": STR, "kpi_name": STR, "reading": STR, "origin_scope": STR,
    "origin_name": STR, "origin_tier": INT, "scope": STR, "scope_name": STR, "tier": INT, "tier_title": STR,
    "production_date": DAY, "shift": STR, "shift_words": STR, "source": STR, "source_ref": STR,
    "state": {"type": "string", "enum": ["raised", "accepted", "answered", "acknowledged"]}, "state_words": STR,
    "raised_by": STR, "raised_at": INSTANT, "arrived_at": INSTANT, "answer_by": INSTANT, "overdue": BOOL,
    "age_hours": NUM, "owner": STR, "due": _or_null("string", format="date"), "accepted_by": STR, "answer": STR,
    "answered_by": STR, "answered_at": _or_null("string", format="date-time"),
    "answered_late": _or_null("boolean"), "acknowledged_by": STR,
    "acknowledged_at": _or_null("string", format="date-time"),
    "passed": _list(_obj({"scope": STR, "tier": STR, "by": STR})), "context": STR, "answer_line": STR,
    "tree": _or_null("string"), "tree_link": _or_null("string")},
    description="a request for help from one tier's meeting to the next, with its context and its answer; "
                "people by name, places and shifts in words")
#: a step on an escalation: ``raise`` names the scope and the sentence, the others the escalation and its version
ESCALATION_STEP: Schema = _obj(
    {"step": {"type": "string", "enum": ["raise", "accept", "answer", "pass_up", "acknowledge"]}},
    {"scope": STR, "sentence": STR, "kpi": STR, "reading": STR, "date": {"type": "string", "format": "date"},
     "shift": STR, "source": {"type": "string", "enum": ["", "tile", "action", "note", "stop"]}, "source_ref": STR,
     "id": INT, "version": INT, "owner": STR, "due": {"type": "string", "format": "date"}, "answer": STR,
     "why": STR})

SCHEMAS: dict[str, Schema] = {
    "Error": _obj({"error": STR}, {"parameter": STR, "problems": TEXTS},
                  description="why the request was not answered (`problems`: every problem of a refused plan)"),
    "OkrPlan": OKR_PLAN,
    "OkrPlanned": _obj({"quarter": STR, "objectives": _list(_obj({"id": INT, "title": STR, "scope": STR,
                                                                  "key_results": _list(INT)})),
                        "warnings": TEXTS},
                       description="the objectives stored, with their key results' ids, and what they were "
                                   "warned about (a maintain key result), each with its place"),
    "Reading": _reading(),
    "Action": _obj({"id": INT, "scope": STR, "kpi": STR, "raised_for": DAY, "raised_shift": STR, "what": STR,
                    "owner": STR, "due": DAY, "status": STR, "result": STR, "created_by": STR, "updated_by": STR,
                    "version": INT, "overdue": BOOL}),
    "Escalation": ESCALATION,
    "Escalations": _obj({"scope": _or_null("string"), "state": _or_null("string"),
                         "escalations": _list(_ref("Escalation"))}),
    "EscalationStep": ESCALATION_STEP,
    "EscalationTaken": _obj({"escalation": _ref("Escalation")}),
    "Health": _obj({"status": {"type": "string", "enum": ["ok", "degraded", "error"]}, "failing_sources": TEXTS,
                    "now": INSTANT, "data_through": _or_null("string", format="date-time"),
                    "data_age_seconds": _or_null("integer"), "data_version": _or_null("integer"),
                    "sources": _list(_obj({"key": STR, "kind": STR, "record": STR, "schedule": STR,
                                           "last_run": RUN, "last_load": RUN, "last_success": RUN,
                                           "last_failure": RUN}))},
                   {"reason": STR, "version": STR, "schema_revision": _or_null("string"),
                    "schema_version": _or_null("integer"), "schema_head": _or_null("string"),
                    "schema_current": _or_null("boolean"), "late_sources": TEXTS, "scheduler": SCHEDULER}),
    "Baselines": _obj({"baselines": _list(_obj({
        "kpi": STR, "scope": STR, "value": NUM, "date": DAY, "source": STR, "frequency": _or_null("string"),
        "signed_off_by": STR, "signed_off_at": INSTANT, "sprint": _or_null("integer")})),
        "sprints": _list(_obj({"tree": STR, "scope": STR, "opened_at": INSTANT, "due_at": INSTANT,
                               "closed_at": _or_null("string", format="date-time"), "outcome": _or_null("string"),
                               "kpis": INT, "signed_off": INT,
                               "missing": {"type": "object", "description": "KPI → what it lacked at closing"}}))}),
    "Kpis": _obj({"kpis": _list(_obj({
        "key": STR, "name": STR, "unit": STR, "category": STR, "layer": INT, "direction": STR,
        "target": _or_null("number"), "amber": _or_null("number"), "owner": STR, "data_source": _or_null("string"),
        "frequency": STR, "leading": {"type": "string", "enum": ["leading", "lagging"]}, "formula": STR,
        "formula_text": STR, "baseline": BASELINE,
        "target_grain": {"type": "string", "enum": ["as written", "per line and shift", "per loaded value"],
                         "description": "what the target covers: a total's is multiplied by the line-shifts a "
                                        "period worked, a summed loaded KPI's by its values"}}))}),
    "Values": {"oneOf": [
        _obj({"scope": STR, "grain": STR, "period": STR, "values": _list(_ref("Reading"))},
             description="the KPIs' values for one period"),
        _obj({"scope": STR, "grain": STR, "from": DAY, "to": DAY,
              "series": {"type": "object", "additionalProperties": _list(_ref("Reading"))}},
             description="each KPI's series, one reading per period from `from` to `to`")]},
    "Board": _obj({"scope": STR, "scope_name": STR, "period": STR, "actions": _list(_ref("Action")),
                   "columns": _list(_obj(
                       {"category": STR, "status": STR,
                        "kpis": _list(_reading(name=STR, headline=BOOL, needs_action=BOOL))},
                       {"safety": _obj({"as_of": INSTANT,
                                        "days_since": _reading(label=STR, text=STR, target_text=STR,
                                                               last_recordable=_or_null("string")),
                                        "trir_month": _reading(label=STR, text=STR, target_text=STR),
                                        "trir_12m": _reading(label=STR, text=STR, target_text=STR, first=DAY,
                                                             last=DAY)})}))}),
    "Actions": _obj({"actions": _list(_ref("Action"))}),
    "Audit": _obj({"entries": _list(_obj({"at": INSTANT, "who": STR, "action": STR, "target": STR,
                                          "details": STR}))}),
    "Tree": _obj({"tree": STR, "name": STR, "scope": STR, "period": STR,
                  "nodes": _list(_reading(key=STR, name=STR, parent=_or_null("string"), depth=INT, red_below=BOOL,
                                          formula=_or_null("string"))),
                  "why": _obj({"against": STR, "contributions": _list(CONTRIBUTION)}),
                  "tradeoffs": _list(_obj({"between": TEXTS, "note": STR}))}),
    "TreeNode": _obj({
        "kpi": STR, "name": STR, "scope": STR, "period": STR, "reading": _ref("Reading"),
        "previous": _ref("Reading"),
        "definition": _obj({"owner": STR, "data_source": _or_null("string"), "frequency": STR, "unit": STR,
                            "direction": STR, "formula": STR, "baseline": BASELINE}),
        "working": _obj({"own": _or_null("string"), "children": _or_null("string")}),
        "trend": _list(_ref("Reading")),
        "control_limits": _or_null("object", required=["centre", "lower", "upper", "baseline_points"],
                                   properties={"centre": NUM, "lower": NUM, "upper": NUM, "baseline_points": INT}),
        "signals": _list(_obj({"period": STR, "rule": STR, "adverse": BOOL, "text": STR})), "drifting": TEXTS,
        "by_line": _list(_ref("Reading")), "by_shift": _list(_ref("Reading")), "why": _list(CONTRIBUTION),
        "goal_seek": _or_null("object", required=["parent", "needed", "possible", "reason"],
                              properties={"parent": _or_null("string"), "needed": _or_null("number"),
                                          "possible": BOOL, "reason": STR}),
        "events": _or_null("object", required=["kind", "title", "measure", "total", "total_records", "pareto"],
                           properties={"kind": STR, "title": STR, "measure": STR, "total": NUM,
                                       "total_records": INT, "pareto": _list(PARETO)}),
        "actions": _list(_ref("Action"))}),
    "Review": _obj({
        "scope": STR, "month": STR, "months": TEXTS,
        "bowler": _list(_obj({"kpi": STR, "name": STR, "category": STR, "unit": STR, "owner": STR,
                              "baseline": _or_null("number"), "trend": STR, "red_streak": INT,
                              "ytd": _ref("Reading"),
                              "months": _list(_reading(countermeasures=_list(INT), missing_countermeasure=BOOL))})),
        "stops": _list(PARETO), "defects": _list(PARETO),
        "okr_candidates": _list(_obj({"kpi": STR, "red_months": INT})), "actions": _list(_ref("Action"))}),
    "CheckIn": CHECK_IN,
    "Okr": _obj({
        "quarter": STR, "today": DAY, "week": STR, "expected_progress": NUM, "closed": BOOL,
        "closed_by": _or_null("string"), "closed_at": _or_null("string", format="date-time"),
        "objectives": _list(_obj({"id": INT, "quarter": STR, "scope": STR, "level": STR, "scope_name": STR,
                                  "parent_id": _or_null("integer"), "title": STR, "owner": STR,
                                  "progress": _or_null("number"), "status": STR, "warnings": TEXTS,
                                  "key_results": _list(KEY_RESULT)})),
        "meeting": _obj({"week": STR, "missing": _list(INT),
                         "disagreements": _list(_obj({"key_result": INT, "question": _or_null("string")})),
                         "blocked": _list(_obj({"key_result": INT, "blocks": STR}))}),
        "baseline_proposals": _list(_obj({"key_result": INT, "kpi": STR, "scope": STR, "value": NUM,
                                          "adopted": BOOL}))}),
    "Quarantine": _obj({
        "status": {"type": "string", "enum": list(QUARANTINE_STATUSES)}, "source": _or_null("string"),
        "limit": INT, "offset": INT, "total": INT,
        "counts": _obj({"open": INT, "resolved": INT, "dismissed": INT}),
        "problems": _list(_obj({
            "problem": INT, "status": STR, "state": STR, "source": STR, "file": STR, "path": STR,
            "row": {"type": "integer", "description": "0: the whole file"}, "column": STR, "value": STR,
            "reason": STR, "record_type": STR, "found_at": INSTANT, "resolved_by": STR,
            "closed_at": _or_null("string", format="date-time"), "dismissed_by": STR, "dismiss_reason": STR}))}),
}


def _param(name: str, description: str, example: str | None = None, **schema: Any) -> Schema:
    described: Schema = {"name": name, "in": "query", "required": False, "description": description,
                         "schema": {"type": "string", **schema}}
    return described | ({"example": example} if example is not None else {})


PARAMETERS: dict[str, Schema] = {p["name"]: p for p in (
    _param("site", "the site, when several plants are served (default: the first); an unknown one gets a 400",
           "lake"),
    _param("scope", "the plant (`plant`), an area or a line (default: the plant)", "L2"),
    _param("line", "a line: the same as `scope`, when `scope` is not given", "L2"),
    _param("area", "an area: the same as `scope`, when neither `scope` nor `line` is given", "packing"),
    _param("grain", "the length of the period", "day", enum=list(GRAINS)),
    _param("period", "a period of the grain: 2026-11-20/N (shift), 2026-11-20 (day), 2026-W47, 2026-11, 2026-Q4 or "
           "2026; default the current one (for a shift: the one that ended last)", "2026-11-20"),
    _param("date", "instead of `period`: a production date; the period of the grain containing it (with grain "
           "`shift`, give `shift` too)", "2026-11-20", **DAY_OR_EMPTY),
    _param("shift", "with `date` and grain `shift`: the key of one of the plant's shifts", "N"),
    _param("kpi", "KPI keys separated by commas (default: every KPI)", "oee,fpy"),
    _param("layer", "the KPI stack's layers whose KPIs are listed, 1 to 5, several separated by commas (default: "
           "every layer); the numbers are the same with or without it", "2", pattern=r"^([1-5](,[1-5])*)?$"),
    _param("from", "with `to`: the first production date of a series (at most about ten years long)",
           "2026-09-01", **DAY_OR_EMPTY),
    _param("to", "with `from`: the last production date of the series", "2026-11-20", **DAY_OR_EMPTY),
    _param("tree", "a KPI tree's key (default: the first configured)", "oee"),
    _param("month", "a month like 2026-10 (default: the last full month)", "2026-10"),
    _param("quarter", "a quarter like 2026-Q4 (default: the current one)", "2026-Q4"),
    _param("open", "`1` (default): open actions only; `0`: every action", "1", enum=[*YES, *NO]),
    _param("status", "the problems' status (default: open)", "open", enum=list(QUARANTINE_STATUSES)),
    _param("source", "a source's key: only its problems", "counts"),
    _param("state", "escalations in one state, or `open` (waiting for their answer); default every state", "open",
           enum=["raised", "accepted", "answered", "acknowledged", "open", ""]),
    _param("limit", "how many at most: problems 1 to 1000 (default 100); downloads up to 100,000", "100",
           pattern=r"^([0-9]{1,12})?$"),
    _param("offset", "how many to skip first, up to 10⁹ (default 0)", "0", pattern=r"^([0-9]{1,12})?$"),
)}


def _use(*names: str) -> list[Schema]:
    return [{"$ref": f"#/components/parameters/{n}"} for n in names]


SCOPE = ("scope", "line", "area")
WHEN = ("grain", "period", "date", "shift")


def _json(name: str) -> Schema:
    return {"application/json": {"schema": _ref(name)}}


def _file(media: str, what: str) -> Schema:
    return {"description": what, "headers": {"Content-Disposition": {"schema": STR}},
            "content": {media: {"schema": {"type": "string", "contentMediaType": media}}}}


#: every operation, by the name of the function answering it: (its path, summary, parameters, 200 answer)
OPERATIONS: dict[str, tuple[str, str, tuple[str, ...], Schema]] = {
    "health": ("/health", "Each loader's last run, load, success and failure; whether the loaders are alive; how "
               "old the newest data is", (),
               {"description": "ok, or degraded (200 all the same: a loader failing, or a source overdue by more "
                              "than twice its interval; `failing_sources` and `late_sources` name them)",
                "content": _json("Health")}),
    "kpis": ("/kpis", "Every KPI's definition", ("layer",),
             {"description": "the definitions", "content": _json("Kpis")}),
    "baselines": ("/baselines", "Every baseline recorded (dated, per KPI and scope, never overwritten), newest first, "
                  "and each tree's newest baseline sprint", ("kpi", "scope"),
                  {"description": "the baselines and sprints", "content": _json("Baselines")}),
    "values": ("/values", "KPI values of a scope for a period, or their series between two dates",
               ("kpi", "layer", *SCOPE, *WHEN, "from", "to"),
               {"description": "values or series", "content": _json("Values")}),
    "board": ("/board", "A scope's board for a shift: every KPI grouped S Q D C M, with the open actions",
              (*SCOPE, *WHEN, "layer"), {"description": "the board", "content": _json("Board")}),
    "actions": ("/actions", "A scope's actions (and those of the scopes inside it), overdue first",
                (*SCOPE, "open", "kpi"), {"description": "the actions", "content": _json("Actions")}),
    "tree": ("/tree", "A KPI tree of a scope for a period: each node's reading, whether red lies below, why it moved",
             ("tree", *SCOPE, *WHEN), {"description": "the tree", "content": _json("Tree")}),
    "tree_node": ("/tree/node", "One node's panel: definition, working, trend, breakdown, why it moved, events",
                  ("tree", "kpi", *SCOPE, *WHEN), {"description": "the node", "content": _json("TreeNode")}),
    "review": ("/review", "A scope's monthly review", (*SCOPE, "month", "layer"),
               {"description": "the review", "content": _json("Review")}),
    "okr": ("/okr", "A quarter's objectives in cascade order with their key results, and the meeting view",
            ("quarter", "scope"), {"description": "the quarter's OKRs", "content": _json("Okr")}),
    "quarantine": ("/quarantine", "The quarantine's problems of a status, newest first, a page at a time",
                   ("status", "source", "limit", "offset"),
                   {"description": "the problems", "content": _json("Quarantine")}),
    "audit": ("/audit", "The latest entries of the audit trail, newest first (admins only)", ("limit",),
              {"description": "the entries", "content": _json("Audit")}),
    "escalations": ("/escalations", "Escalations held by or raised from a scope's meeting (every scope's when none "
                    "is given), oldest first", (*SCOPE, "state"),
                    {"description": "the escalations", "content": _json("Escalations")}),
    "openapi": ("/openapi.json", "This description of the API", (),
                {"description": "an OpenAPI 3.1 document", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["openapi", "paths"]}}}}),
}
#: the downloads, by the name of the function answering them: {extension: (media type, what it is)}
EXPORTS: dict[str, tuple[str, str, tuple[str, ...], dict[str, tuple[str, str]]]] = {
    "review_export": ("/review.{ext}", "The monthly review as a download", (*SCOPE, "month", "layer"),
                      {"pdf": ("application/pdf", "the printed pack"),
                       "html": ("text/html", "a self-contained HTML copy"), "xlsx": (XLSX, "the workbook")}),
    "okr_checkins": ("/okr/checkins.{ext}", "Every check-in of a quarter, corrections included", ("quarter",),
                     {"csv": ("text/csv", "comma-separated"), "xlsx": (XLSX, "a workbook")}),
    "actions_export": ("/actions.{ext}", "A scope's actions as a download", (*SCOPE, "open", "kpi"),
                       {"csv": ("text/csv", "comma-separated")}),
    "quarantine_export": ("/quarantine.{ext}", "The quarantine's problems of a status as a download",
                          ("status", "source", "limit"), {"csv": ("text/csv", "comma-separated")}),
    "audit_export": ("/audit.{ext}", "The latest entries of the audit trail as a download (admins only)",
                     ("limit",), {"csv": ("text/csv", "comma-separated")}),
}
#: operations only admins may read: others signed in get 403
ADMIN_ONLY = frozenset({"audit", "audit_export_csv"})
PUBLIC = frozenset({"openapi"})  # described shapes hold no plant data


def _refused(public: bool) -> dict[str, Schema]:
    """The answers every operation may give instead: a bad parameter, or nobody signed in."""
    answers = {"400": {"description": "a parameter cannot be answered (`parameter` names it); or a host this "
                                      "Huddle is not published at",
                       "content": _json("Error") | {"text/plain": {"schema": STR}}}}
    if not public:
        answers["401"] = {"description": "nobody signed in, and anonymous reading is off", "content": _json("Error")}
    return answers


def _operation(name: str, summary: str, params: tuple[str, ...], ok: Schema, path: str) -> Schema:
    public = name in PUBLIC
    described: Schema = {"operationId": name, "summary": summary, "parameters": _use(*(() if public else ("site",)),
                                                                                     *params),
                         "responses": {"200": ok} | _refused(public)}
    if name == "health":
        described["responses"]["503"] = {"description": "status error and the reason: the database cannot be used, "
                                                        "or no scheduler has beaten for `scheduler_down_after_s` "
                                                        "(the loaders stopped)", "content": _json("Health")}
        described["security"] = [{"session": []}, {"monitor": []}]  # a monitor's token reads health too
    if name in ADMIN_ONLY:
        described["responses"]["403"] = {"description": "signed in, but not as an admin", "content": _json("Error")}
    if public:
        described["security"] = []
    return {path: {"get": described}}


def _plan_okrs() -> Schema:
    """POST /okr: plan a quarter's objectives and key results (editors and admins, from this site)."""
    return {"operationId": "plan_okrs", "summary": "Plan a quarter's objectives with their key results, all or "
            "nothing (editors and admins; the request must come from this site: Origin)",
            "parameters": _use("site"),
            "requestBody": {"required": True, "content": _json("OkrPlan")},
            "responses": {"201": {"description": "stored", "content": _json("OkrPlanned")},
                          "400": {"description": "refused, nothing stored: every problem with its objective, key "
                                                 "result and field (or a bad parameter)",
                                  "content": _json("Error") | {"text/plain": {"schema": STR}}},
                          "401": {"description": "nobody signed in", "content": _json("Error")},
                          "403": {"description": "not an editor or admin, or the request does not come from this "
                                                 "site", "content": _json("Error")},
                          "413": {"description": "a body over `max_request_bytes`",
                                  "content": {"text/plain": {"schema": STR}}}}}


def _escalate() -> Schema:
    """POST /escalations: one step on an escalation (editors and admins whose scope covers it, from this site)."""
    answer = {"content": _json("EscalationTaken")}
    refused = {"content": _json("Error")}
    return {"operationId": "escalation_step", "summary": "Raise an escalation to the tier above a scope, or accept "
            "(owner and due date), answer, pass up or acknowledge one from the version seen (editors and admins "
            "whose home scope covers the meeting that owns the step; the request must come from this site)",
            "parameters": _use("site"), "requestBody": {"required": True, "content": _json("EscalationStep")},
            "responses": {"201": {"description": "raised", **answer}, "200": {"description": "taken", **answer},
                          "400": {"description": "a body that cannot be read, or a step that cannot be taken, and "
                                                 "why", "content": _json("Error") | {"text/plain": {"schema": STR}}},
                          "401": {"description": "nobody signed in", **refused},
                          "403": {"description": "not an editor or admin, a home scope that does not cover the "
                                                 "meeting, or not from this site", **refused},
                          "404": {"description": "no escalation has this id", **refused},
                          "409": {"description": "someone moved it on since that version: who, when, and "
                                                 "`current`", "content": {"application/json": {"schema": _obj(
                                                     {"error": STR, "current": _ref("Escalation")})}}},
                          "413": {"description": "a body over `max_request_bytes`",
                                  "content": {"text/plain": {"schema": STR}}}}}


def described_paths() -> dict[str, str]:
    """Every described path under /api/v1, with the name of the function answering it."""
    from huddle.dashboard.web import (  # they build on this module's parts
        openapi_entry,
        openapi_meetings,
        openapi_notify,
    )

    out = ({path: name for name, (path, *_rest) in OPERATIONS.items()} | openapi_meetings.PATHS | openapi_notify.PATHS
           | openapi_entry.PATHS)
    for name, (path, _summary, _params, kinds) in EXPORTS.items():
        out |= {path.replace("{ext}", ext): name for ext in kinds}
    return out


def describe_api(prefix: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API mounted at ``prefix``."""
    paths: dict[str, Any] = {}
    for name, (path, summary, params, ok) in OPERATIONS.items():
        paths |= _operation(name, summary, params, ok, path)
    for name, (path, summary, params, kinds) in EXPORTS.items():
        for ext, (media, what) in kinds.items():
            ok = _file(media, what)
            paths |= _operation(f"{name}_{ext}", f"{summary}: {what}", params, ok, path.replace("{ext}", ext))
    paths["/okr"]["post"] = _plan_okrs()
    from huddle.dashboard.web import openapi_meetings, openapi_notify  # they build on this module's parts

    paths |= openapi_meetings.meeting_paths(_operation) | openapi_notify.notification_paths(_operation)
    paths["/escalations"]["post"] = _escalate()
    from huddle.dashboard.web import openapi_entry

    paths |= openapi_entry.entry_paths(_operation)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Huddle API", "version": VERSION,
                 "description": "The numbers the pages show, as JSON, and the review's and the OKR "
                                "check-ins' downloads; read-only but for planning OKRs (POST /okr), shift "
                                "handovers (POST /handovers), the steps of an escalation (POST /escalations) and "
                                "one's own notification subscriptions (POST /notifications). Sign in first (the "
                                "session cookie), unless the site lets anyone read. An empty parameter is one not "
                                "given. No value is ever invented: a period without data is null and grey."},
        "servers": [{"url": prefix}],
        "security": [{"session": []}],
        "paths": paths,
        "components": {"schemas": SCHEMAS | openapi_meetings.SCHEMAS | openapi_notify.SCHEMAS | openapi_entry.SCHEMAS,
                       "parameters": PARAMETERS | openapi_meetings.PARAMETERS | openapi_notify.PARAMETERS,
                       "securitySchemes": {"session": {
                           "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                           "description": "the cookie signing in at /login gives (or a wall-TV display link)"},
                           "monitor": {"type": "http", "scheme": "bearer", "description": "a monitor token (huddle "
                                       "monitor add, or the Admin page): reads /health (and /metrics) only"}}},
    }
