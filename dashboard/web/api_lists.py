"""The API's list downloads: a scope's actions, the quarantine's problems and (for admins) the audit trail as CSV,
and the audit trail as JSON. The parameters are the JSON routes' own (``/actions``, ``/quarantine``); every text cell
is written as data (``exports.lists_csv``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.core.i18n import N_
from huddle.dashboard.exports.lists_csv import actions_csv, audit_csv, quarantine_csv
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.web.address import NO, YES, AddressError
from huddle.dashboard.web.api_query import ApiQuery
from huddle.dashboard.web.security import current_identity
from werkzeug.exceptions import Forbidden, NotFound

CSV = "text/csv; charset=utf-8"
QUARANTINE_STATUSES = ("open", "resolved", "dismissed", "all")


def _download(body: str, services: Services, what: str) -> Response:
    response = Response(body, mimetype=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="huddle-{services.config.site_key}-{what}.csv"'
    return response


def _whole(name: str, default: int, low: int, high: int) -> int:
    text = request.args.get(name) or ""
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not low <= int(text) <= high:
        raise AddressError(name, f"expected a whole number from {low} to {high}")
    return int(text)


def _people(services: Services, labels: set[str]) -> dict[str, str]:
    with services.sessions() as session:
        return {label: services.accounts.person(session, label) for label in labels if label}


def actions_export(services: Services, ext: str) -> ResponseReturnValue:
    """A scope's actions as CSV (open ones unless ``open=0``)."""
    if ext != "csv":
        raise NotFound(f"export: .{ext} is not offered (csv)")
    answer = request.args.get("open", "1")
    if answer not in YES + NO:
        raise AddressError("open", f"expected one of {', '.join(YES + NO)}")
    config = services.config
    listing = services.actions.listing(ApiQuery(request.args, config).scope(), open_only=answer in YES,
                                       kpi=request.args.get("kpi"))
    names = _people(services, {a.created_by for a in listing} | {a.updated_by for a in listing})

    def kpi_name(key: str) -> str:
        return config.kpis[key].name if key in config.kpis else key

    return _download(actions_csv(listing, config.scope_name, kpi_name, lambda label: names.get(label, label)),
                     services, "actions")


def quarantine_export(services: Services, ext: str) -> ResponseReturnValue:
    """The quarantine's problems of a status as CSV (open unless ``status`` says otherwise), up to ``limit``."""
    if ext != "csv":
        raise NotFound(f"export: .{ext} is not offered (csv)")
    status = request.args.get("status", "open")
    if status not in QUARANTINE_STATUSES:
        raise AddressError("status", "expected open, resolved, dismissed or all")
    listed = services.quarantine.problems(status, request.args.get("source") or None,
                                          _whole("limit", 10_000, 1, 100_000), 0)
    return _download(quarantine_csv(listed, services.config.tz), services, f"quarantine-{status}")


def _audit_entries(services: Services) -> list[Any]:
    try:
        current_identity().require("admin", N_("reading the audit trail"))
    except ForbiddenError as exc:
        raise Forbidden(str(exc)) from None
    return services.accounts.audit_trail(_whole("limit", 1000, 1, 100_000))


def audit(services: Services) -> ResponseReturnValue:
    """The latest audit entries (admins only), newest first: when, who by name, what, the target and details."""
    entries = _audit_entries(services)
    names = _people(services, {e.actor for e in entries})
    tz = services.config.tz
    return jsonify({"entries": [{"at": e.at.astimezone(tz).isoformat(), "who": names.get(e.actor, e.actor),
                                 "action": e.action, "target": e.target, "details": e.details or ""}
                                for e in entries]})


def audit_export(services: Services, ext: str) -> ResponseReturnValue:
    """The latest audit entries as CSV (admins only)."""
    if ext != "csv":
        raise NotFound(f"export: .{ext} is not offered (csv)")
    entries = _audit_entries(services)
    names = _people(services, {e.actor for e in entries})
    return _download(audit_csv(entries, services.config.tz, lambda label: names.get(label, label)), services,
                     "audit")
