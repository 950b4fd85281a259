"""Wiring of the Data page's Notifications section: channels, rules and the delivery log redrawn with the page (every
15 s) and after a change; a signed-in person subscribes and unsubscribes (the notifier checks who asks, on the
server). Drawn by ``pages.notifications_log``."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from dash import Dash, Input, Output, State, no_update
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.notify_rules import NotificationError
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity
from huddle.dashboard.web.sites import site_writer
from huddle.pages.notifications_log import (
    channels_view,
    log_view,
    mine_options,
    rule_options,
    rules_view,
    scope_options,
)


def refresh(services: Services, _n: int | None, _changed: int | None) -> tuple[Any, ...]:
    """Channels, rules, the delivery log, the rules one may subscribe to, the places, and one's subscriptions."""
    report = services.notifier.report()
    who = current_identity()
    try:
        mine = services.notifier.subscriptions(who) if who.kind == "user" else []
    except ForbiddenError:  # a person disabled since the page was drawn
        mine = []
    return (channels_view(report), rules_view(report), log_view(report, admin=who.may("admin")),
            rule_options(report), scope_options(services.config), mine_options(mine))


def subscribe(services: Services, _n: int, rule: str | None, scope: str | None, email: str | None,
              page_site: str | None) -> tuple[Any, Any]:
    """Subscribe the signed-in person (the notifier refuses anyone else) and say what was done."""
    try:
        who = site_writer(services, page_site)
        added = services.notifier.subscribe(who, rule or "", scope or "", email or "")
    except (ForbiddenError, NotificationError) as exc:
        return _("Not subscribed: {reason}").format(reason=exc), no_update
    words = _("Subscribed: you will get its e-mails.") if added else _("Already subscribed: the address is updated.")
    return words, time.time_ns()


def unsubscribe(services: Services, _n: int, picked: Any, page_site: str | None) -> tuple[Any, Any]:
    """Remove one of the signed-in person's own subscriptions (another person's is refused by the notifier)."""
    try:
        who = site_writer(services, page_site)
        if not isinstance(picked, int) or isinstance(picked, bool):  # a hand-made request may send anything
            raise NotificationError(_("Pick one of your subscriptions."))
        services.notifier.unsubscribe(who, picked)
    except (ForbiddenError, NotificationError) as exc:
        return _("Not unsubscribed: {reason}").format(reason=exc), no_update
    return _("Unsubscribed."), time.time_ns()


def register(app: Dash, services: Services) -> None:
    """Wire the Notifications section of the Data page."""
    app.callback(
        Output(ids.NOTIFY_CHANNELS, "children"), Output(ids.NOTIFY_RULES, "children"),
        Output(ids.NOTIFY_LOG, "children"), Output(ids.NOTIFY_RULE, "options"), Output(ids.NOTIFY_SCOPE, "options"),
        Output(ids.NOTIFY_MINE, "options"),
        Input(ids.DATA_REFRESH, "n_intervals"), Input(ids.NOTIFY_CHANGED, "data"),
    )(partial(refresh, services))
    app.callback(
        Output(ids.NOTIFY_MESSAGE, "children", allow_duplicate=True), Output(ids.NOTIFY_CHANGED, "data",
                                                                            allow_duplicate=True),
        Input(ids.NOTIFY_SUBSCRIBE, "n_clicks"), State(ids.NOTIFY_RULE, "value"), State(ids.NOTIFY_SCOPE, "value"),
        State(ids.NOTIFY_EMAIL, "value"), State(ids.PAGE_SITE, "data"), prevent_initial_call=True,
    )(partial(subscribe, services))
    app.callback(
        Output(ids.NOTIFY_MESSAGE, "children", allow_duplicate=True), Output(ids.NOTIFY_CHANGED, "data",
                                                                            allow_duplicate=True),
        Input(ids.NOTIFY_UNSUBSCRIBE, "n_clicks"), State(ids.NOTIFY_MINE, "value"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(unsubscribe, services))
