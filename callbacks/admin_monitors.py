"""Wiring of the Admin page's monitor tokens, for admins only: every callback checks the caller on the server
before it reads or changes anything (``callbacks.admin``'s ``is_admin`` and ``run_write``). Tokens are the home
site's, made and revoked through ``Monitors``, which audits them; ``pages.admin_monitors`` draws them."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output, State, no_update
from huddle.callbacks.admin import is_admin, outcome, run_write
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.services.accounts import AccountError, Identity
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.monitors import Monitors
from huddle.dashboard.web import ids
from huddle.pages.admin import admins_only
from huddle.pages.admin_monitors import monitor_options, monitor_token, monitors_table


def show_monitors(services: Services, monitors: Monitors, _n: int | None, _changed: Any) -> tuple[Any, ...]:
    """The monitor tokens table and the revoke picker's options."""
    if not is_admin(N_("the list of monitor tokens")):
        return admins_only(), []
    listed = monitors.listing()
    return monitors_table(listed, services.config.tz), monitor_options(listed)


def add_monitor(monitors: Monitors, _clicks: int | None, name: str | None) -> tuple[Any, ...]:
    """Add a monitor token and show it once."""
    made: list[str] = []

    def action(actor: Identity) -> str:
        made.append(monitors.add(actor, name or ""))
        return _("Added monitor {name}. Give the monitoring system this token (it is shown only now), sent as "
                 "'Authorization: Bearer <token>':").format(name=(name or "").strip())

    message, ok = run_write(N_("adding a monitor"), action)
    return *outcome(monitor_token(message, made[0]) if ok else message, ok), "" if ok else no_update


def revoke_monitor(monitors: Monitors, _clicks: int | None, name: str | None) -> tuple[Any, ...]:
    """Revoke the picked monitor token: its next request is refused."""
    def action(actor: Identity) -> str:
        if not name:
            raise AccountError(_("pick a monitor first"))
        monitors.revoke(actor, name)
        return _("Revoked monitor {name}: its next request is refused.").format(name=name)

    return outcome(*run_write(N_("revoking a monitor"), action))


def _message_outputs(message_id: str) -> list[Output]:
    return [Output(message_id, "children"), Output(message_id, "className"),
            Output(ids.ADMIN_CHANGED, "data", allow_duplicate=True)]


def register(app: Dash, services: Services) -> None:
    """Wire the monitor tokens card (the home site's tokens, as the app is built)."""
    monitors = Monitors(services.accounts)
    app.callback(Output(ids.ADMIN_MONITORS, "children"), Output(ids.ADMIN_MONITOR_PICK, "options"),
                 Input(ids.ADMIN_REFRESH, "n_intervals"), Input(ids.ADMIN_CHANGED, "data"),
                 )(partial(show_monitors, services, monitors))
    app.callback(*_message_outputs(ids.ADMIN_MONITOR_MESSAGE), Output(ids.ADMIN_MONITOR_NAME, "value"),
                 Input(ids.ADMIN_MONITOR_BUTTON, "n_clicks"), State(ids.ADMIN_MONITOR_NAME, "value"),
                 prevent_initial_call=True)(partial(add_monitor, monitors))
    app.callback(*_message_outputs(ids.ADMIN_MONITOR_REVOKE_MESSAGE),
                 Input(ids.ADMIN_MONITOR_REVOKE, "n_clicks"), State(ids.ADMIN_MONITOR_PICK, "value"),
                 prevent_initial_call=True)(partial(revoke_monitor, monitors))
