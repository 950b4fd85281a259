"""Failures said in place: a Dash callback that raises shows a short message in its own panel (or, when it has no
panel, in the page's message area) and is logged with its request; a malformed callback request gets a 400 with
the reason; an address that is not a page answers 404 while the app still shows its not-found page.

A failing part never blanks the page: outputs that cannot hold a message (figures, stores, options) keep what they
show, so the rest of the page stays current.
"""

from __future__ import annotations

import json
import logging
import re
from fnmatch import fnmatch
from typing import Any
from urllib.parse import urlsplit

import dash
from dash import Dash, Output, html, no_update
from flask import Response, jsonify, request
from huddle.dashboard.web import html_pane, ids
from huddle.dashboard.web.html_pane import pane_html
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("huddle")

PART_FAILED = "This part could not be drawn: {reason} — the rest of the page is current"
PAGE_PART_FAILED = "Part of this page could not be updated: {reason} — the rest of the page is current"
PART_FAILED_TOO = "This part could not be drawn."  # the other panels of one failing callback: the reason once is enough
UNEXPECTED = "an unexpected error on the server (it is logged)"
REASON_CHARS = 160
LOGGED_VALUE_CHARS = 200
SECRET_WORDS = re.compile(r"password|secret|token", re.IGNORECASE)  # never written to the log
NOT_A_PAGE = {"not_found_404"}  # Dash Pages' own not-found page answers 404 at its address too


def short_reason(exc: BaseException) -> str:
    """What went wrong in words a person can read: the message of errors Huddle words itself, never a
    database statement or a Python representation."""
    if isinstance(exc, SQLAlchemyError):
        return "the database did not answer as expected (the error is logged)"
    # messages of these are written for people (KeyError and friends print reprs; others may carry paths)
    if isinstance(exc, ValueError | ArithmeticError | RuntimeError | PermissionError) and not isinstance(
            exc, UnicodeError):
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if text:
            return text if len(text) <= REASON_CHARS else text[:REASON_CHARS - 1].rstrip() + "…"
    return UNEXPECTED


def part_message(reason: str | None, whole_page: bool = False) -> html.Div:
    """The message shown where a failing part would have been drawn (without a reason: a short one, for the
    further panels of a callback whose first panel gives the reason)."""
    if reason is None:
        return html.Div(PART_FAILED_TOO, className="part-error")
    words = PAGE_PART_FAILED if whole_page else PART_FAILED
    return html.Div(words.format(reason=reason), className="part-error", role="alert")


def _name(spec: Any) -> str:
    """``id.property`` of one output or input in a callback request (wildcard ids as their JSON)."""
    ident = spec.get("id")
    ident = json.dumps(ident, sort_keys=True) if isinstance(ident, dict) else str(ident)
    return f"{ident}.{spec.get('property')}"


def _flat(specs: Any) -> list[dict[str, Any]]:
    """Every output or input of a request, wildcard groups spread out."""
    out: list[dict[str, Any]] = []
    for spec in specs if isinstance(specs, list) else [specs]:
        out.extend(s for s in (spec if isinstance(spec, list) else [spec]) if isinstance(s, dict))
    return out


def _logged_value(spec: dict[str, Any]) -> str:
    if SECRET_WORDS.search(_name(spec)):
        return "(not logged)"
    text = json.dumps(spec.get("value"), default=str)
    return text if len(text) <= LOGGED_VALUE_CHARS else text[:LOGGED_VALUE_CHARS] + "…"


def _describe(ctx: Any) -> str:
    """The failing callback's request for the log: where, which outputs, which inputs with their values."""
    page = urlsplit(request.headers.get("Referer") or "")
    where = (page.path + (f"?{page.query}" if page.query else "")) or "unknown page"
    outputs = ", ".join(_name(s) for s in _flat(ctx.outputs_list)) or "none"
    inputs = ", ".join(f"{_name(s)}={_logged_value(s)}"
                       for s in _flat(list(ctx.inputs_list or []) + list(ctx.states_list or [])))
    return f"{request.method} {request.path} from page {where}; outputs: {outputs}; inputs: {inputs or 'none'}"


def on_callback_error(exc: Exception) -> Any:
    """Dash's ``on_error`` for every callback: log the failure with its request and traceback, put a message into
    the callback's ``children`` outputs and HTML panes and leave its other outputs as they are (with neither, the
    page's message area says so)."""
    ctx = dash.callback_context
    log.error("a callback failed: %s", _describe(ctx), exc_info=exc)
    reason = short_reason(exc)
    specs = ctx.outputs_list
    body = request.get_json(silent=True)
    # Dash names a callback of a list of outputs "..a.x...b.y.." (dots inside ids are escaped)
    multi = isinstance(body, dict) and str(body.get("output", "")).startswith("..")
    values: list[Any] = []
    shown = False
    for spec in (specs if multi else [specs]) if specs else []:
        if isinstance(spec, list):  # a wildcard output: one value per matching component, none changed
            values.append([no_update] * len(spec))
        elif isinstance(spec, dict) and str(spec.get("property", "")).split("@")[0] == "children":
            values.append(part_message(None if shown else reason))
            shown = True
        elif isinstance(spec, dict) and html_pane.is_pane_store(spec.get("id"), str(spec.get("property", ""))):
            values.append(pane_html(part_message(None if shown else reason)))  # a pane shows what its store holds
            shown = True
        else:
            values.append(no_update)
    if not shown:
        dash.set_props(ids.PAGE_MESSAGE, {"children": part_message(reason, whole_page=True)})
    if not specs:
        return None  # a callback without outputs must answer nothing
    return values if multi else values[0]


def _is_spec(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), str | dict) and isinstance(item.get("property"), str)


def _specs_ok(items: Any) -> bool:
    """A list of inputs/states as the renderer sends them: each ``{id, property, value}`` or a list of them."""
    return isinstance(items, list) and all(
        _is_spec(i) or (isinstance(i, list) and all(_is_spec(j) for j in i)) for i in items)


def _output_matches(spec: Any, wanted: Any) -> bool:
    specs = spec if isinstance(spec, list) else [spec]
    try:
        return all(_is_spec(s) and Output(s["id"], s["property"].split("@")[0]) == wanted for s in specs)
    except Exception:  # an id Dash cannot even compare is simply not this callback's output
        return False


def callback_request_problem(app: Dash, body: Any) -> str | None:
    """Why a callback request's body cannot be a call of one of ``app``'s callbacks, or None when it can."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or not output:
        return "'output' is missing or not text"
    callback = app.callback_map.get(output)
    if callback is None or "callback" not in callback:  # a callback run in the browser has nothing to call here
        return "'output' names no callback of this app"
    if "inputs" not in body:
        return "'inputs' is missing"
    problem = _inputs_problem(body, callback)
    if problem is not None or callback.get("no_output"):
        return problem
    return _outputs_problem(body, callback)


def _inputs_problem(body: dict[str, Any], callback: dict[str, Any]) -> str | None:
    """Why a request's inputs, states or changed properties cannot be the callback's, or None when they can."""
    for key, wanted in (("inputs", callback["inputs"]), ("state", callback["state"])):
        items = body.get(key, [])
        if not _specs_ok(items):
            return f"'{key}' must be a list of {{id, property, value}} objects"
        if len(items) != len(wanted):
            return f"'{key}' has {len(items)} entries; this callback takes {len(wanted)}"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' must be a list of texts"
    return None


def _outputs_problem(body: dict[str, Any], callback: dict[str, Any]) -> str | None:
    """Why a request's outputs are not the callback's, or None when they are."""
    defined = callback["output"]
    outputs = body.get("outputs")
    if isinstance(defined, list | tuple):
        if not isinstance(outputs, list) or len(outputs) != len(defined):
            return f"'outputs' must list this callback's {len(defined)} outputs"
        pairs = list(zip(outputs, defined, strict=True))
    else:
        pairs = [(outputs, defined)]
    if not all(_output_matches(spec, wanted) for spec, wanted in pairs):
        return "'outputs' do not match this callback's outputs"
    return None


def _known_page(app: Dash, path: str) -> bool:
    """True when an address is one of the app's pages (the not-found page itself is not)."""
    wanted = (app.strip_relative_path(path) or "").strip("/")
    for page in dash.page_registry.values():
        if page.get("module") in NOT_A_PAGE:
            continue
        if wanted == str(page.get("path", "")).strip("/"):
            return True
        template = page.get("path_template")
        if template and fnmatch(wanted, re.sub("<.*?>", "*", template.strip("/"))):
            return True
    return False


def install_error_handling(app: Dash) -> None:
    """Refuse malformed callback requests with a 400, answer unknown addresses with 404 (the shell still shows
    the not-found page) and unknown API addresses with a JSON 404."""
    server = app.server
    prefix = app.config.routes_pathname_prefix
    update_path = prefix + "_dash-update-component"
    shell_endpoints = {prefix, prefix + "<path:path>"}  # Dash serves every page address from these two rules

    @server.before_request
    def _check_callback_request() -> Any:
        if request.path.startswith("/api/") and request.endpoint in shell_endpoints:
            return jsonify({"error": f"no such API address: {request.path}"}), 404
        if request.method != "POST" or request.path != update_path:
            return None
        raw = request.get_data(cache=True)
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python reads
            problem: str | None = "the body is not valid JSON"
        else:
            problem = callback_request_problem(app, body)
        if problem is None and not request.is_json:
            problem = "send the body as application/json"
        if problem is not None:
            log.warning("refused a callback request from %s: %s", request.remote_addr, problem)
            return jsonify({"error": f"bad callback request: {problem}"}), 400
        return None

    @server.after_request
    def _not_found_status(response: Response) -> Response:
        if (request.method in ("GET", "HEAD") and response.status_code == 200 and request.endpoint in shell_endpoints
                and not _known_page(app, request.path)):
            response.status_code = 404
        return response
