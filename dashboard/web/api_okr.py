"""``POST /api/v1/okr``: a quarter's objectives and key results planned through the API, in the shape of an
``huddle okr import`` file (``core.okr_file``) as JSON. An editor's or admin's session only (the page's own rule),
from this site (the app's Origin check on every change); checked as the OKR page's form checks them and stored all
together or not at all: a refused plan stores nothing and every problem names its objective, key result and field.
A maintain key result (target equal to start) is stored, and the 201 answer's ``warnings`` say so with its place.
"""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.okr_file import plan_warnings, read_okr_plan
from huddle.dashboard.core.okr_scoring import OkrError
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.web.security import current_identity


def _refused(problems: list[str]) -> ResponseReturnValue:
    return jsonify({"error": problems[0], "problems": problems}), 400


def plan_okrs(services: Services) -> ResponseReturnValue:
    """Store the request's objectives with their key results; 201 with their ids, 400 naming every problem."""
    who = current_identity()
    try:
        who.require("editor", N_("planning objectives"))
    except ForbiddenError as exc:
        return jsonify({"error": str(exc)}), 403
    body = request.get_json(silent=True) if request.is_json else None
    if body is None:
        return _refused(["the request: expected a JSON body (Content-Type: application/json) with the quarter "
                         "and its objectives"])
    plan, problems = read_okr_plan(body, "the request")
    if plan is None:
        return _refused(problems)
    try:
        saved = services.okr_plans.save_plan(who, plan)
    except OkrError as exc:
        return _refused([str(exc).replace("the file:", "the request:")])
    view = services.okrs.quarter(plan.quarter)
    objectives = [{"id": o.id, "title": o.title, "scope": o.scope, "key_results": [k.id for k in o.key_results]}
                  for o in view.objectives if o.id in saved]
    return jsonify({"quarter": view.quarter.label, "objectives": objectives,
                    "warnings": [w.replace("the file:", "the request:") for w in plan_warnings(plan)]}), 201
