"""The OpenAPI description of notifications (``api_notify``): channels, rules, the delivery log and the caller's
subscriptions, and the POST that changes those subscriptions. ``openapi.describe_api`` adds these paths and schemas
to the document, and ``described_paths`` their paths, so the test holding every route described sees them too.
"""

from __future__ import annotations

from typing import Any

from huddle.dashboard.web.openapi import BOOL, INSTANT, INT, STR, Schema, _json, _list, _obj, _or_null, _param, _use

TEXTS = _list(STR)
SUBSCRIPTION = _obj({"id": INT, "rule": STR, "rule_name": STR, "scope": STR, "scope_name": STR, "email": STR})
SCHEMAS: dict[str, Schema] = {
    "Notifications": _obj({
        "channels": _list(_obj({"key": STR, "name": STR, "kind": {"type": "string", "enum": [
            "email", "webhook", "teams", "slack"]}, "off": STR})),
        "rules": _list(_obj({"key": STR, "name": STR, "cause": STR, "cause_words": STR, "channels": TEXTS,
                             "emails": BOOL, "open": TEXTS})),
        "counts": _obj({"pending": INT, "sent": INT, "failed": INT}),
        "deliveries": _list(_obj({
            "id": INT, "at": INSTANT, "when": STR, "rule": STR, "rule_name": STR,
            "kind": {"type": "string", "enum": ["raised", "cleared"]}, "subject": STR, "channel": STR,
            "channel_name": STR, "recipient": STR, "status": {"type": "string", "enum": ["pending", "sent", "failed"]},
            "attempts": INT, "next_attempt": STR, "next_attempt_at": _or_null("string", format="date-time"),
            "sent_at": _or_null("string", format="date-time"), "error": STR})),
        "subscriptions": _list(SUBSCRIPTION)}),
    "Subscriptions": _obj({"subscriptions": _list(SUBSCRIPTION)}),
    "SubscriptionChange": {"oneOf": [
        _obj({"subscribe": _obj({"rule": STR, "email": STR}, {"scope": STR})},
             description="subscribe the signed-in person to a rule's e-mails for a scope (\"\": everywhere the "
                         "rule watches)"),
        _obj({"unsubscribe": INT}, description="remove one of the signed-in person's subscriptions")]},
}
PARAMETERS: dict[str, Schema] = {
    "log_limit": _param("limit", "how many of the latest messages (1–500, default 50)", "50", pattern="^[0-9]+$"),
}
PATHS = {"/notifications": "notifications"}


def notification_paths(operation: Any) -> dict[str, Any]:
    """The described path: its GET (through ``openapi._operation``) and its POST."""
    paths: dict[str, Any] = operation(
        "notifications", "The notification channels and rules, the delivery log (addresses for admins only) and the "
        "caller's subscriptions", ("log_limit",), {"description": "notifications", "content": _json("Notifications")},
        "/notifications")
    paths["/notifications"]["post"] = {
        "operationId": "change_subscription", "summary": "Subscribe the signed-in person to a rule's e-mails, or "
        "remove one of their subscriptions (from this site: Origin)", "parameters": _use("site"),
        "requestBody": {"required": True, "content": _json("SubscriptionChange")},
        "responses": {"200": {"description": "unsubscribed, or already subscribed (the address updated)",
                              "content": _json("Subscriptions")},
                      "201": {"description": "subscribed", "content": _json("Subscriptions")},
                      "400": {"description": "refused, nothing stored: what is wrong",
                              "content": _json("Error") | {"text/plain": {"schema": STR}}},
                      "401": {"description": "nobody signed in", "content": _json("Error")},
                      "403": {"description": "not a signed-in person, or the request does not come from this site",
                              "content": _json("Error")},
                      "413": {"description": "a body over `max_request_bytes`",
                              "content": {"text/plain": {"schema": STR}}}}}
    return paths
