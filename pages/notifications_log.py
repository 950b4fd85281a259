"""The Data page's Notifications section: the plant's channels (on, or off and why: no error), its rules with the
causes they are telling now, a signed-in person's own subscriptions (subscribe to a rule's e-mails for a scope,
unsubscribe), and the delivery log of the latest messages with their tries. The section's skeleton and its
renderers; the data arrives through ``callbacks.notifications``. Text from the plant file and from people is passed
as text, which Dash escapes.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from huddle.dashboard.core.i18n import N_, _, number
from huddle.dashboard.core.notify_rules import CHANNEL_KINDS
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity, has_request_context
from huddle.pages.components import scroll_box, table

#: a message's state in words (the log stores the code)
DELIVERY_WORDS = {"pending": N_("to try again"), "sent": N_("sent"), "failed": N_("given up")}
#: what a message said
KIND_WORDS = {"raised": N_("raised"), "cleared": N_("cleared")}


def section() -> html.Section:
    """The section's skeleton: channels and rules, the subscription form, the delivery log."""
    person = current_identity().kind == "user" if has_request_context() else True
    hint = (_("Get a rule's messages by e-mail: pick the rule, where, and your address. Only you see and change "
              "your subscriptions.") if person else _("Sign in to subscribe to notifications by e-mail."))
    field = "manual-field"
    return html.Section([
        html.H2(_("Notifications")),
        html.P(_("What Huddle tells people without being asked: each rule of the plant file watches a cause and "
                 "tells it once on its channels, until it clears."), className="hint"),
        html.H3(_("Channels")), scroll_box(_("Channels"), id=ids.NOTIFY_CHANNELS),
        html.H3(_("Rules")), scroll_box(_("Rules"), id=ids.NOTIFY_RULES),
        html.H3(_("Your subscriptions")), html.P(hint, className="hint"),
        html.Div([html.Div([
            html.Label([_("Rule"), dcc.Dropdown(id=ids.NOTIFY_RULE, clearable=False)], className=field),
            html.Label([_("Where"), dcc.Dropdown(id=ids.NOTIFY_SCOPE, clearable=False)], className=field),
            html.Label([_("E-mail address"), dcc.Input(id=ids.NOTIFY_EMAIL, type="email", maxLength=254)],
                       className=field),
            html.Button(_("Subscribe"), id=ids.NOTIFY_SUBSCRIBE, n_clicks=0, className="primary",
                        disabled=not person),
        ], className="form-row"),
        html.Div([
            html.Label([_("Your subscription"), dcc.Dropdown(id=ids.NOTIFY_MINE)], className="manual-field wide"),
            html.Button(_("Unsubscribe"), id=ids.NOTIFY_UNSUBSCRIBE, n_clicks=0, className="primary",
                        disabled=not person),
        ], className="form-row"),
        html.P(id=ids.NOTIFY_MESSAGE, className="form-message", role="status")], hidden=not person),
        html.H3(_("Delivery log")),
        scroll_box(_("Delivery log"), id=ids.NOTIFY_LOG),
        dcc.Store(id=ids.NOTIFY_CHANGED, data=0),
    ], id=ids.NOTIFY_SECTION, className="card")


def channels_view(report: dict[str, Any]) -> Any:
    """Each channel, its kind, and whether it sends (off says why, as a fact, not an error)."""
    rows = [{"name": c["name"], "kind": _(CHANNEL_KINDS[c["kind"]]),
             "state": c["off"] or _("on")} for c in report["channels"]]
    return table([("name", _("Channel")), ("kind", _("Kind")), ("state", _("Sends"))], rows,
                 empty=N_("The plant file declares no notification channels."))


def rules_view(report: dict[str, Any]) -> Any:
    """Each rule, its cause, its channels and what it is telling now."""
    rows = [{"name": r["name"], "cause": r["cause_words"], "channels": ", ".join(r["channels"]),
             "open": "; ".join(r["open"]) or _("nothing now")} for r in report["rules"]]
    return table([("name", _("Rule")), ("cause", _("Watches")), ("channels", _("Tells")),
                  ("open", _("Seen now"))], rows, empty=N_("The plant file declares no notification rules."))


def log_view(report: dict[str, Any], *, admin: bool) -> list[Any]:
    """How many messages were sent, are to try again and were given up; the latest, newest first (the addresses
    they went to for admins only)."""
    counts = report["counts"]
    summary = html.P(_("{sent} sent, {pending} to try again, {failed} given up.").format(
        sent=number(counts["sent"]), pending=number(counts["pending"]), failed=number(counts["failed"])),
        className="summary")
    rows = []
    for d in report["deliveries"]:
        state = _(DELIVERY_WORDS.get(d["status"], d["status"]))
        if d["status"] == "pending" and d["next_attempt"]:
            state = _("{state} at {time}").format(state=state, time=d["next_attempt"])
        rows.append({"when": d["when"], "subject": d["subject"], "what": _(KIND_WORDS.get(d["kind"], d["kind"])),
                     "channel": d["channel_name"] + (f" → {d['recipient']}" if admin and d["recipient"] else ""),
                     "state": state, "tries": number(d["attempts"]), "error": d["error"],
                     "class": "failed" if d["status"] == "failed" else "partial" if d["status"] == "pending" else ""})
    return [summary, table([("when", _("When")), ("subject", _("Message")), ("what", _("Raised or cleared")),
                            ("channel", _("Channel")), ("state", _("State")), ("tries", _("Tries")),
                            ("error", _("Last problem"))], rows, empty=N_("No message has been sent yet."),
                           row_class="class")]


def rule_options(report: dict[str, Any]) -> list[dict[str, str]]:
    """The rules a person may subscribe to: those that send e-mail."""
    return [{"label": r["name"], "value": r["key"]} for r in report["rules"] if r["emails"]]


def scope_options(config: Any) -> list[dict[str, str]]:
    """Where a subscription applies: everywhere the rule watches, the plant, each area and its lines."""
    places = [{"label": _("everywhere it watches"), "value": ""}, {"label": config.site_name,
                                                                     "value": config.site_key}]
    for area in config.areas.values():
        places.append({"label": area.name, "value": area.key})
        places.extend({"label": f"  {config.lines[ln].name}", "value": ln} for ln in area.lines)
    return places


def mine_options(subscriptions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A person's subscriptions, each in words: rule, where, address."""
    return [{"label": f"{s['rule_name']} · {s['scope_name']} · {s['email']}", "value": s["id"]}
            for s in subscriptions]
