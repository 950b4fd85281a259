"""The JSON API under ``/api/v1``: health, KPI definitions, KPI values, the board, the tree, the review
and the OKRs, with their exports, the quarantine's problems and the escalations between the tiers; and its own
description (``openapi.py``). Two routes also write: a POST to ``/okr`` plans a quarter's objectives (``api_okr``)
and a POST to ``/escalations`` takes a step on an escalation (``api_escalations``), for editors and admins.

Every number comes from the same ``Readings`` service the pages use. The query is read by ``api_query``, the same checks
the pages' addresses go through: a bad parameter gets a 400 whose message names it (and ``parameter`` says
which); nothing else here writes. Each route is a function of the services and the request, mounted by ``make_api``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.core.periods import Period
from huddle.dashboard.exports.okr_checkins import checkins_csv, checkins_workbook
from huddle.dashboard.exports.review_html import review_html
from huddle.dashboard.exports.review_model import export_filename
from huddle.dashboard.exports.review_pdf import review_pdf
from huddle.dashboard.exports.review_xlsx import review_workbook
from huddle.dashboard.services.about import about
from huddle.dashboard.services.board import board_readings
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.drilldown import as_dict as drilldown_dict
from huddle.dashboard.services.drilldown import node_detail
from huddle.dashboard.services.review import Review, build_review, keep_layers, last_full_month
from huddle.dashboard.services.review import as_dict as review_dict
from huddle.dashboard.services.tree import tree_readings
from huddle.dashboard.web.address import API, NO, YES, AddressError
from huddle.dashboard.web.api_entry import entry
from huddle.dashboard.web.api_escalations import escalations
from huddle.dashboard.web.api_lists import actions_export, audit, audit_export, quarantine_export
from huddle.dashboard.web.api_meetings import handovers, huddles, huddles_export
from huddle.dashboard.web.api_notify import notifications
from huddle.dashboard.web.api_okr import plan_okrs
from huddle.dashboard.web.api_query import ApiQuery
from huddle.dashboard.web.openapi import describe_api
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, NotFound

log = logging.getLogger("huddle")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(services: Services) -> ApiQuery:
    """The request's query, read against the plant of the request's site."""
    return ApiQuery(request.args, services.config)


def _period(services: Services, query: ApiQuery, default_grain: str) -> Period:
    """The period asked for, else the grain's current one (for a shift: the one that ended last)."""
    grain = query.grain(default_grain)
    period = query.period(grain)
    if period is not None:
        return period
    if grain == "shift":
        last = services.readings.last_completed_shift()
        if last is None:
            raise AddressError("period", "no shift has ended yet")
        return last
    return services.readings.current_period(grain)


def _attachment(body: Any, mimetype: str, name: str) -> Response:
    """A download named ``name``."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _address_error(exc: AddressError) -> ResponseReturnValue:
    return jsonify({"error": exc.named(), "parameter": exc.parameter}), 400


def _unexpected(exc: Exception) -> ResponseReturnValue:
    if isinstance(exc, HTTPException):
        return jsonify({"error": exc.description}), exc.code or 500
    log.error("API request %s failed", request.full_path, exc_info=exc)
    return jsonify({"error": "the server could not answer this request (the error is logged)"}), 500


def health(services: Services) -> ResponseReturnValue:
    """Health as JSON whatever the database's state: 200 for "ok" and "degraded", 503 with the reason for "error"
    (the database failed its check at start, or cannot be reached now)."""
    try:
        answer = services.data_status.health()
    except SQLAlchemyError as exc:
        answer = services.data_status.unhealthy(exc)
    answer = {**answer, **about(services.db)}  # which Huddle and which schema answer
    return jsonify(answer), 503 if answer["status"] == "error" else 200


def kpis(services: Services) -> ResponseReturnValue:
    """Every KPI's definition (of the layers asked for)."""
    layers = _query(services).layers()
    return jsonify({"kpis": [d for d in services.catalogue.definitions() if not layers or d["layer"] in layers]})


def baselines(services: Services) -> ResponseReturnValue:
    """Every baseline recorded, newest first (of some KPIs, at a scope when asked), and each tree's newest sprint."""
    query = _query(services)
    keys = set(query.kpis()) if request.args.get("kpi") else None
    scope = query.scope() if request.args.get("scope") else None
    records = [r for r in services.baselines.records(scope=scope) if keys is None or r["kpi"] in keys]
    sprints = []
    for key in services.config.trees:
        sprint = services.baselines.view(key)
        if sprint is not None:
            sprints.append({"tree": key, "scope": sprint.scope, "opened_at": sprint.opened_at.isoformat(),
                            "due_at": sprint.due_at.isoformat(),
                            "closed_at": sprint.closed_at.isoformat() if sprint.closed_at else None,
                            "outcome": sprint.outcome or None, "kpis": len(sprint.items), "signed_off": sprint.signed,
                            "missing": sprint.missing})
    return jsonify({"baselines": records, "sprints": sprints})


def values(services: Services) -> ResponseReturnValue:
    """KPI values of a scope for a period, or their series between two production dates."""
    query = _query(services)
    scope, keys, span = query.scope(), query.kept(query.kpis()), query.date_range()
    if span is not None:
        grain = query.grain("day")
        series = {k: [r.as_dict() for r in services.readings.series(k, scope, grain, *span)] for k in keys}
        return jsonify({"scope": scope, "grain": grain, "from": request.args.get("from"),
                        "to": request.args.get("to"), "series": series})
    period = _period(services, query, "day")
    readings = services.readings.readings(keys, scope, period)
    return jsonify({"scope": scope, "grain": period.grain, "period": period.label,
                    "values": [r.as_dict() for r in readings.values()]})


def board(services: Services) -> ResponseReturnValue:
    """A scope's board for a shift."""
    query = _query(services)
    period = _period(services, query, "shift")
    answer = board_readings(services.readings, services.actions, query.scope(), period)
    kept = set(query.kept(list(services.config.kpis)))  # the columns' statuses still count every KPI
    answer["columns"] = [c | {"kpis": [k for k in c["kpis"] if k["kpi"] in kept]} for c in answer["columns"]]
    return jsonify(answer)


def actions(services: Services) -> ResponseReturnValue:
    """A scope's actions (open ones unless ``open=0``)."""
    answer = request.args.get("open", "1")
    if answer not in YES + NO:
        raise AddressError("open", f"expected one of {', '.join(YES + NO)}")
    open_only = answer in YES
    listing = services.actions.listing(_query(services).scope(), open_only=open_only, kpi=request.args.get("kpi"))
    return jsonify({"actions": [a.as_dict() for a in listing]})


def tree(services: Services) -> ResponseReturnValue:
    """A KPI tree of a scope for a period."""
    query = _query(services)
    key = query.tree()
    return jsonify(tree_readings(services.readings, key, query.scope(), _period(services, query, "day")))


def tree_node(services: Services) -> ResponseReturnValue:
    """One node's panel: definition, working, trend, breakdown, why it moved, events, actions."""
    query = _query(services)
    key = query.tree()
    kpi = query.node(key)
    return jsonify(drilldown_dict(node_detail(services, key, kpi, query.scope(), _period(services, query, "day"))))


def _review(services: Services) -> Review:
    query = _query(services)
    scope = query.scope()
    month, layers = query.month() or last_full_month(services.config, services.clock()), query.layers()
    return keep_layers(build_review(services, scope, month), layers)


def review(services: Services) -> ResponseReturnValue:
    """A scope's monthly review."""
    return jsonify(review_dict(_review(services)))


REVIEW_EXPORTS: dict[str, tuple[Callable[[Review], Any], str]] = {
    "pdf": (review_pdf, "application/pdf"), "html": (review_html, "text/html; charset=utf-8"),
    "xlsx": (review_workbook, XLSX)}


def review_export(services: Services, ext: str) -> ResponseReturnValue:
    """The monthly review as a PDF pack, an HTML copy or a workbook."""
    if ext not in REVIEW_EXPORTS:
        raise NotFound(f"export: .{ext} is not offered (pdf, html or xlsx)")
    made = _review(services)
    make, mimetype = REVIEW_EXPORTS[ext]
    return _attachment(make(made), mimetype, export_filename(made, ext, site=services.config.site_key))


def _quarter(services: Services, query: ApiQuery) -> str:
    return (query.quarter() or services.okrs.current_quarter()).label


def okr(services: Services) -> ResponseReturnValue:
    """A quarter's OKRs (of one scope and the levels above and below it, when asked); a POST plans objectives with
    their key results (``api_okr``)."""
    if request.method == "POST":
        return plan_okrs(services)
    query = _query(services)
    scope = query.okr_scope()
    return jsonify(services.okrs.quarter(_quarter(services, query), scope).as_dict())


def okr_checkins(services: Services, ext: str) -> ResponseReturnValue:
    """A quarter's check-ins as CSV or a workbook."""
    if ext not in ("csv", "xlsx"):
        raise NotFound(f"export: .{ext} is not offered (csv or xlsx)")
    quarter = _quarter(services, _query(services))
    rows = services.okrs.check_in_rows(quarter)
    name = f"huddle-{services.config.site_key}-okr-checkins-{quarter}.{ext}"
    if ext == "csv":
        return _attachment(checkins_csv(rows), "text/csv; charset=utf-8", name)
    return _attachment(checkins_workbook(services.okrs.quarter(quarter), rows), XLSX, name)


def _whole(name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within bounds (a 400 naming it otherwise)."""
    text = request.args.get(name, "")
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 12) or not low <= int(text) <= high:
        raise AddressError(name, f"expected a whole number from {low} to {high}")
    return int(text)


def quarantine(services: Services) -> ResponseReturnValue:
    """The quarantine's problems of a status (open unless ``status`` says resolved, dismissed or all), newest first,
    ``limit`` at a time from ``offset``, with how many there are of each status."""
    status = request.args.get("status", "open")
    if status not in ("open", "resolved", "dismissed", "all"):
        raise AddressError("status", "expected open, resolved, dismissed or all")
    source = request.args.get("source") or None
    limit, offset = _whole("limit", 100, 1, 1000), _whole("offset", 0, 0, 10**9)
    listed = services.quarantine.problems(status, source, limit, offset)
    counts = services.quarantine.counts(source)
    total = sum(counts.values()) if status == "all" else counts[status]
    return jsonify({"status": status, "source": source, "limit": limit, "offset": offset, "total": total,
                    "counts": counts, "problems": [p.as_dict(services.config.tz) for p in listed]})


def openapi(services: Services) -> ResponseReturnValue:
    """This API's OpenAPI 3.1 description (the same for every site: shapes, no plant data)."""
    return jsonify(describe_api(API))


#: every route: its rule under /api/v1 and the function answering it (its name is the endpoint's)
ROUTES: tuple[tuple[str, Callable[..., ResponseReturnValue]], ...] = (
    ("/health", health), ("/kpis", kpis), ("/baselines", baselines), ("/values", values), ("/board", board),
    ("/actions", actions),
    ("/tree", tree), ("/review", review), ("/review.<ext>", review_export), ("/okr", okr),
    ("/okr/checkins.<ext>", okr_checkins), ("/tree/node", tree_node), ("/quarantine", quarantine),
    ("/openapi.json", openapi), ("/actions.<ext>", actions_export), ("/quarantine.<ext>", quarantine_export),
    ("/audit", audit), ("/audit.<ext>", audit_export), ("/handovers", handovers), ("/escalations", escalations),
    ("/notifications", notifications), ("/huddles", huddles), ("/huddles.<ext>", huddles_export), ("/entry", entry))


#: the routes that also take a change (a POST), each checked by its handler for the role it needs
WRITES = frozenset({okr, handovers, escalations, notifications, huddles, entry})


def make_api(services: Services) -> Blueprint:
    """The API blueprint bound to one process's services."""
    api = Blueprint("api_v1", __name__, url_prefix=API)
    api.register_error_handler(AddressError, _address_error)
    api.register_error_handler(Exception, _unexpected)
    for rule, answer in ROUTES:
        api.add_url_rule(rule, answer.__name__, partial(answer, services),
                         methods=["GET", "POST"] if answer in WRITES else ["GET"])
    return api


def register_api(server: Flask, services: Services) -> None:
    """Mount the API on the Flask server."""
    server.register_blueprint(make_api(services))
