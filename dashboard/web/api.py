"""The read-only JSON API under ``/api/v1``: health, KPI definitions, KPI values, the board, the tree, the review
and the OKRs, with their exports.

Every number comes from the same ``KpiEngine`` the pages use. Bad parameters get a 400 with a message naming the
parameter; nothing here writes.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from huddle.dashboard.core.okr_scoring import OkrError
from huddle.dashboard.core.periods import GRAINS, PeriodError, parse_asked_period
from huddle.dashboard.exports.okr_checkins import checkins_csv, checkins_workbook
from huddle.dashboard.exports.review_html import review_html
from huddle.dashboard.exports.review_model import export_filename
from huddle.dashboard.exports.review_pdf import review_pdf
from huddle.dashboard.exports.review_xlsx import review_workbook
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.drilldown import as_dict as drilldown_dict
from huddle.dashboard.services.drilldown import node_detail
from huddle.dashboard.services.review import as_dict as review_dict
from huddle.dashboard.services.review import build_review, last_full_month
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("huddle")


class ApiError(Exception):
    """A request the API cannot answer, with the HTTP status to send."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _scope(services: Services) -> str:
    scope = request.args.get("scope") or request.args.get("line") or request.args.get("area") or "plant"
    try:
        services.config.scope_kind(scope)
    except KeyError as exc:
        raise ApiError(str(exc.args[0])) from None
    return scope


def _period(services: Services, default_grain: str = "day") -> Any:
    grain = request.args.get("grain", default_grain)
    if grain not in GRAINS:
        raise ApiError(f"grain: expected one of {', '.join(GRAINS)}")
    text, name = request.args.get("period"), "period"
    if grain == "shift" and not text and request.args.get("date") and request.args.get("shift"):
        _day("date", request.args["date"])  # a wrong date is named alone, without the shift glued to it
        text, name = f"{request.args['date']}/{request.args['shift']}", "shift"
    if not text:
        if grain == "shift":
            last = services.kpis.last_completed_shift()
            if last is None:
                raise ApiError("no shift has ended yet")
            return last
        return services.kpis.current_period(grain)
    try:
        period = parse_asked_period(grain, text)
    except PeriodError as exc:
        raise ApiError(f"{name}: {exc}") from None
    if period.shift and period.shift not in {s.key for s in services.config.calendar.shifts}:
        raise ApiError(f"shift {period.shift!r} is not a shift of this plant")
    return period


def _day(name: str, text: str) -> date:
    """The production date a parameter names, or a 400 naming the parameter."""
    try:
        return parse_asked_period("day", text).first
    except PeriodError as exc:
        raise ApiError(f"{name}: {exc}") from None


def _health_answer(services: Services) -> tuple[Response, int]:
    """Health as JSON whatever the database's state: 200 for "ok" and "degraded", 503 with the reason for "error"
    (the database failed its check at start, or cannot be reached now)."""
    try:
        answer = services.health()
    except SQLAlchemyError as exc:
        answer = services.unhealthy(exc)
    return jsonify(answer), 503 if answer["status"] == "error" else 200


def make_api(services: Services) -> Blueprint:
    """The API blueprint bound to one process's services."""
    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")

    @api.errorhandler(ApiError)
    def _api_error(exc: ApiError):  # type: ignore[no-untyped-def]
        return jsonify({"error": exc.message}), exc.status

    @api.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        if isinstance(exc, HTTPException):
            return jsonify({"error": exc.description}), exc.code
        log.error("API request %s failed", request.full_path, exc_info=exc)
        return jsonify({"error": "the server could not answer this request (the error is logged)"}), 500

    @api.get("/health")
    def health():  # type: ignore[no-untyped-def]
        return _health_answer(services)

    @api.get("/kpis")
    def kpis():  # type: ignore[no-untyped-def]
        return jsonify({"kpis": services.kpi_definitions()})

    @api.get("/values")
    def values():  # type: ignore[no-untyped-def]
        scope = _scope(services)
        keys = [k for k in request.args.get("kpi", "").split(",") if k] or list(services.config.kpis)
        unknown = [k for k in keys if k not in services.config.kpis]
        if unknown:
            raise ApiError(f"kpi: unknown {', '.join(unknown)} (known: {', '.join(services.config.kpis)})")
        grain = request.args.get("grain", "day")
        first, last = request.args.get("from"), request.args.get("to")
        if first or last:
            if not (first and last):
                raise ApiError("from and to: give both (production dates like 2026-11-01)")
            a, b = _day("from", first), _day("to", last)
            if b < a:
                raise ApiError(f"from: {first} comes after to ({last})")
            if grain not in GRAINS:
                raise ApiError(f"grain: expected one of {', '.join(GRAINS)}")
            if (b - a).days > 3700:
                raise ApiError("from–to spans more than ten years")
            series = {k: [r.as_dict() for r in services.kpis.series(k, scope, grain, a, b)] for k in keys}
            return jsonify({"scope": scope, "grain": grain, "from": first, "to": last, "series": series})
        period = _period(services, grain)
        readings = services.kpis.readings(keys, scope, period)
        return jsonify({"scope": scope, "grain": period.grain, "period": period.label,
                        "values": [r.as_dict() for r in readings.values()]})

    @api.get("/board")
    def board():  # type: ignore[no-untyped-def]
        return jsonify(services.board(_scope(services), _period(services, "shift")))

    @api.get("/actions")
    def actions():  # type: ignore[no-untyped-def]
        open_only = request.args.get("open", "1") not in ("0", "false", "no")
        listing = services.actions.listing(_scope(services), open_only=open_only, kpi=request.args.get("kpi"))
        return jsonify({"actions": [a.as_dict() for a in listing]})

    @api.get("/tree")
    def tree():  # type: ignore[no-untyped-def]
        key = request.args.get("tree") or next(iter(services.config.trees), None)
        if key is None or key not in services.config.trees:
            raise ApiError(f"tree: unknown {key!r} (known: {', '.join(services.config.trees) or 'none'})")
        return jsonify(services.tree(key, _scope(services), _period(services, "day")))

    def _review() -> Any:
        scope = _scope(services)
        text = request.args.get("month")
        if text:
            try:
                month = parse_asked_period("month", text)
            except PeriodError as exc:
                raise ApiError(f"month: {exc}") from None
        else:
            month = last_full_month(services.config, services.clock())
        return build_review(services, scope, month)

    @api.get("/review")
    def review():  # type: ignore[no-untyped-def]
        return jsonify(review_dict(_review()))

    @api.get("/review.<ext>")
    def review_export(ext: str):  # type: ignore[no-untyped-def]
        makers = {"pdf": (review_pdf, "application/pdf"), "html": (review_html, "text/html; charset=utf-8"),
                  "xlsx": (review_workbook,
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
        if ext not in makers:
            raise ApiError(f"export: .{ext} is not offered (pdf, html or xlsx)", 404)
        made = _review()
        make, mimetype = makers[ext]
        body = make(made)
        response = Response(body, mimetype=mimetype)
        name = export_filename(made, ext, site=services.config.site_key)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _quarter() -> str:
        quarter = request.args.get("quarter") or services.okrs.current_quarter().label
        try:
            return services.okrs.parse_quarter(quarter).label
        except OkrError as exc:
            raise ApiError(f"quarter: {exc}") from None

    @api.get("/okr")
    def okr():  # type: ignore[no-untyped-def]
        scope = request.args.get("scope") or None
        if scope:
            try:
                services.okrs.level_of(scope)
            except OkrError as exc:
                raise ApiError(f"scope: {exc}") from None
        return jsonify(services.okrs.quarter(_quarter(), scope).as_dict())

    @api.get("/okr/checkins.<ext>")
    def okr_checkins(ext: str):  # type: ignore[no-untyped-def]
        if ext not in ("csv", "xlsx"):
            raise ApiError(f"export: .{ext} is not offered (csv or xlsx)", 404)
        quarter = _quarter()
        rows = services.okrs.check_in_rows(quarter)
        if ext == "csv":
            response = Response(checkins_csv(rows), mimetype="text/csv; charset=utf-8")
        else:
            response = Response(checkins_workbook(services.okrs.quarter(quarter), rows),
                                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"huddle-{services.config.site_key}-okr-checkins-{quarter}.{ext}"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @api.get("/tree/node")
    def tree_node():  # type: ignore[no-untyped-def]
        key = request.args.get("tree") or next(iter(services.config.trees), None)
        if key is None or key not in services.config.trees:
            raise ApiError(f"tree: unknown {key!r} (known: {', '.join(services.config.trees) or 'none'})")
        kpi = request.args.get("kpi") or services.config.trees[key].root
        if kpi not in services.config.trees[key].nodes():
            raise ApiError(f"kpi: {kpi!r} is not a node of tree {key!r}")
        return jsonify(drilldown_dict(node_detail(services, key, kpi, _scope(services), _period(services, "day"))))

    return api


def register_api(server: Flask, services: Services) -> None:
    """Mount the API on the Flask server."""
    server.register_blueprint(make_api(services))
