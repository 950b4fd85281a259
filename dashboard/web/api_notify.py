"""The API of notifications: ``/notifications`` gives the plant's channels (on, or off and why), its rules with what
they see now, the delivery log (with the addresses messages went to for admins only) and the caller's own
subscriptions; a POST subscribes the signed-in person to a rule's e-mails, or removes one of their subscriptions.
The notifier checks who asks; a refusal is a 400 naming what is wrong, or a 403.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from huddle.dashboard.core.notify_rules import NotificationError
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.web.address import AddressError
from huddle.dashboard.web.security import current_identity

MAX_LOG = 500


def _limit() -> int:
    raw = request.args.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LOG:
        raise AddressError("limit", f"expected a whole number from 1 to {MAX_LOG}")
    return int(raw)


def notifications(services: Services) -> ResponseReturnValue:
    """Channels, rules, delivery counts and log, and the caller's subscriptions; a POST changes the caller's own
    subscriptions (``{"subscribe": {"rule", "scope", "email"}}`` or ``{"unsubscribe": id}``)."""
    if request.method == "POST":
        return _change(services)
    who = current_identity()
    report = services.notifier.report(_limit())
    if not who.may("admin"):  # where messages went is personal: admins see the addresses
        report["deliveries"] = [d | {"recipient": ""} for d in report["deliveries"]]
    report["subscriptions"] = services.notifier.subscriptions(who) if who.kind == "user" else []
    return jsonify(report)


def _change(services: Services) -> ResponseReturnValue:
    body = request.get_json(silent=True) if request.is_json else None
    who = current_identity()
    try:
        if not isinstance(body, dict) or len(body) != 1 or not ({"subscribe", "unsubscribe"} & set(body)):
            raise NotificationError("the request: expected a JSON object, {\"subscribe\": {\"rule\": ..., "
                                    "\"scope\": ..., \"email\": ...}} or {\"unsubscribe\": id}")
        if "unsubscribe" in body:
            gone = body["unsubscribe"]
            if not isinstance(gone, int) or isinstance(gone, bool):
                raise NotificationError("unsubscribe: expected the subscription's id, a whole number")
            services.notifier.unsubscribe(who, gone)
            return jsonify({"subscriptions": services.notifier.subscriptions(who)}), 200
        wanted: Any = body["subscribe"]
        if not isinstance(wanted, dict) or not all(isinstance(wanted.get(k, ""), str)
                                                   for k in ("rule", "scope", "email")):
            raise NotificationError("subscribe: expected {\"rule\": text, \"scope\": text, \"email\": text}")
        added = services.notifier.subscribe(who, wanted.get("rule", ""), wanted.get("scope", ""),
                                            wanted.get("email", ""))
    except ForbiddenError as exc:
        return jsonify({"error": str(exc)}), 403
    except NotificationError as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify({"subscriptions": services.notifier.subscriptions(who)}), 201 if added else 200
