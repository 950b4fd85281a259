"""Wiring of the Admin page: users, display links and the audit trail, for admins only.

Every callback checks the caller on the server (``current_identity().require("admin", ...)``) before it reads or
changes anything: a Dash callback is a POST endpoint anyone who reaches the server can call with any inputs. Writes
go through ``services.accounts`` only, which audits them; outcomes are shown as text.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import flask
from dash import Dash, Input, Output, State, ctx, html, no_update
from huddle.dashboard.core.format import format_time
from huddle.dashboard.services.accounts import AccountError, ForbiddenError, Identity
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity
from huddle.pages.components import table

log = logging.getLogger("huddle.admin")

ADMINS_ONLY = "Admins only: sign in as an admin to manage users and display screens."
AUDIT_ROWS = 200


def run_write(what: str, action: Callable[[Identity], str]) -> tuple[str, bool]:
    """Run ``action`` as the caller if they are an admin: (message, whether something changed)."""
    identity = current_identity()
    try:
        identity.require("admin", what)
        return action(identity), True
    except ForbiddenError as exc:
        log.warning("refused: %s", exc)
        return str(exc), False
    except AccountError as exc:
        return str(exc), False


def outcome(message: Any, ok: bool) -> tuple[Any, str, Any]:
    """The message, its style and the change signal that refreshes the tables (only when something changed)."""
    return message, f"admin-message {'ok' if ok else 'error'}", time.time_ns() if ok else no_update


def is_admin(what: str) -> bool:
    """True when the caller is an admin; a refused read is logged."""
    try:
        current_identity().require("admin", what)
    except ForbiddenError as exc:
        log.info("refused: %s", exc)
        return False
    return True


def audit_details(details: str) -> str:
    """An audit entry's JSON details as ``key: value`` text."""
    if not details:
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return str(data)
    return ", ".join(f"{k}: {v}" for k, v in data.items())


def users_view(services: Services) -> tuple[Any, list[dict[str, str]]]:
    """The users table and the user picker's options."""
    tz = services.config.tz
    users = services.accounts.users()
    rows = [{"username": u.username, "name": u.display_name, "role": u.role,
             "state": "disabled" if u.disabled else "active", "last": format_time(u.last_login_at, tz)}
            for u in users]
    options = [{"label": f"{u.username} ({u.display_name})" if u.display_name else u.username, "value": u.username}
               for u in users]
    return table([("username", "User name"), ("name", "Name"), ("role", "Role"), ("state", "State"),
                  ("last", "Last sign-in")], rows, empty="No users yet.", row_class="state"), options


def displays_view(services: Services) -> tuple[Any, list[dict[str, str]]]:
    """The displays table and the revoke picker's options (live displays only)."""
    tz = services.config.tz
    screens = services.accounts.displays()
    rows = [{"name": d.name, "state": "revoked" if d.revoked_at else "live", "seen": format_time(d.last_seen_at, tz),
             "start": d.start_path, "added": format_time(d.created_at, tz),
             "revoked": format_time(d.revoked_at, tz) if d.revoked_at else ""} for d in screens]
    options = [{"label": d.name, "value": d.name} for d in screens if d.revoked_at is None]
    return table([("name", "Name"), ("state", "State"), ("seen", "Last seen"), ("start", "Start page"),
                  ("added", "Added"), ("revoked", "Revoked")], rows, empty="No display screens yet.",
                 row_class="state"), options


def audit_view(services: Services) -> Any:
    """The latest audit entries, newest first, in plant time."""
    tz = services.config.tz
    rows = [{"at": format_time(e.at, tz), "actor": e.actor, "action": e.action, "target": e.target,
             "details": audit_details(e.details)} for e in services.accounts.audit_trail(AUDIT_ROWS)]
    return table([("at", "When"), ("actor", "Who"), ("action", "Action"), ("target", "Target"),
                  ("details", "Details")], rows, empty="Nothing has been audited yet.")


def register(app: Dash, services: Services) -> None:
    """Wire the Admin page."""
    accounts = services.accounts
    refresh = [Input(ids.ADMIN_REFRESH, "n_intervals"), Input(ids.ADMIN_CHANGED, "data")]

    def message_outputs(message_id: str) -> list[Output]:
        return [Output(message_id, "children"), Output(message_id, "className"),
                Output(ids.ADMIN_CHANGED, "data", allow_duplicate=True)]

    # ---- reads -----------------------------------------------------------------------------------------------

    @app.callback(
        Output(ids.ADMIN_NOTICE, "children"), Output(ids.ADMIN_BODY, "hidden"), Output(ids.ADMIN_USERS, "children"),
        Output(ids.ADMIN_USER, "options"), *refresh,
    )
    def show_users(_n: int | None, _changed: Any) -> tuple[Any, ...]:
        if not is_admin("the list of users"):
            return ADMINS_ONLY, True, html.P(ADMINS_ONLY, className="empty"), []
        return "", False, *users_view(services)

    @app.callback(Output(ids.ADMIN_DISPLAYS, "children"), Output(ids.ADMIN_REVOKE_NAME, "options"), *refresh)
    def show_displays(_n: int | None, _changed: Any) -> tuple[Any, ...]:
        if not is_admin("the list of display screens"):
            return html.P(ADMINS_ONLY, className="empty"), []
        return displays_view(services)

    @app.callback(Output(ids.ADMIN_AUDIT, "children"), *refresh)
    def show_audit(_n: int | None, _changed: Any) -> Any:
        if not is_admin("the audit trail"):
            return html.P(ADMINS_ONLY, className="empty")
        return audit_view(services)

    # ---- writes ----------------------------------------------------------------------------------------------

    @app.callback(
        *message_outputs(ids.ADMIN_ADD_MESSAGE),
        Output(ids.ADMIN_ADD_USERNAME, "value"), Output(ids.ADMIN_ADD_NAME, "value"),
        Output(ids.ADMIN_ADD_PASSWORD, "value"), Output(ids.ADMIN_ADD_REPEAT, "value"),
        Input(ids.ADMIN_ADD_BUTTON, "n_clicks"),
        State(ids.ADMIN_ADD_USERNAME, "value"), State(ids.ADMIN_ADD_NAME, "value"), State(ids.ADMIN_ADD_ROLE, "value"),
        State(ids.ADMIN_ADD_PASSWORD, "value"), State(ids.ADMIN_ADD_REPEAT, "value"),
        prevent_initial_call=True,
    )
    def add_user(_clicks: int | None, username: str | None, name: str | None, role: str | None,
                 password: str | None, repeat: str | None) -> tuple[Any, ...]:
        def action(actor: Identity) -> str:
            if (password or "") != (repeat or ""):
                raise AccountError("the two passwords differ")
            user = accounts.add_user(actor, username or "", password or "", role or "", name or "")
            return f"Added {user.username} as {user.role}."

        message, ok = run_write("adding a user", action)
        return *outcome(message, ok), *(("", "", "", "") if ok else (no_update,) * 4)

    @app.callback(
        *message_outputs(ids.ADMIN_ROLE_MESSAGE),
        Input(ids.ADMIN_ROLE_BUTTON, "n_clicks"), State(ids.ADMIN_USER, "value"), State(ids.ADMIN_ROLE, "value"),
        prevent_initial_call=True,
    )
    def set_role(_clicks: int | None, username: str | None, role: str | None) -> tuple[Any, ...]:
        def action(actor: Identity) -> str:
            accounts.set_role(actor, _picked(username, "user"), role or "")
            return f"{username} is now {role}."

        return outcome(*run_write("changing a user's role", action))

    @app.callback(
        *message_outputs(ids.ADMIN_STATE_MESSAGE),
        Input(ids.ADMIN_DISABLE_BUTTON, "n_clicks"), Input(ids.ADMIN_ENABLE_BUTTON, "n_clicks"),
        State(ids.ADMIN_USER, "value"),
        prevent_initial_call=True,
    )
    def set_disabled(_disable: int | None, _enable: int | None, username: str | None) -> tuple[Any, ...]:
        disable = ctx.triggered_id == ids.ADMIN_DISABLE_BUTTON

        def action(actor: Identity) -> str:
            accounts.set_disabled(actor, _picked(username, "user"), disable)
            return f"{username} is {'disabled' if disable else 'active again'}."

        return outcome(*run_write("disabling a user" if disable else "enabling a user", action))

    @app.callback(
        *message_outputs(ids.ADMIN_PASSWORD_MESSAGE),
        Output(ids.ADMIN_PASSWORD, "value"), Output(ids.ADMIN_PASSWORD_REPEAT, "value"),
        Input(ids.ADMIN_PASSWORD_BUTTON, "n_clicks"), State(ids.ADMIN_USER, "value"),
        State(ids.ADMIN_PASSWORD, "value"), State(ids.ADMIN_PASSWORD_REPEAT, "value"),
        prevent_initial_call=True,
    )
    def set_password(_clicks: int | None, username: str | None, password: str | None,
                     repeat: str | None) -> tuple[Any, ...]:
        def action(actor: Identity) -> str:
            if (password or "") != (repeat or ""):
                raise AccountError("the two passwords differ")
            accounts.set_password(actor, _picked(username, "user"), password or "")
            return f"New password set for {username}; their open sessions end."

        message, ok = run_write("setting a password", action)
        return *outcome(message, ok), *(("", "") if ok else (no_update, no_update))

    @app.callback(
        *message_outputs(ids.ADMIN_DISPLAY_MESSAGE), Output(ids.ADMIN_DISPLAY_NAME, "value"),
        Input(ids.ADMIN_DISPLAY_BUTTON, "n_clicks"), State(ids.ADMIN_DISPLAY_NAME, "value"),
        State(ids.ADMIN_DISPLAY_START, "value"),
        prevent_initial_call=True,
    )
    def add_display(_clicks: int | None, name: str | None, start: str | None) -> tuple[Any, ...]:
        link: list[str] = []

        def action(actor: Identity) -> str:
            token = accounts.add_display(actor, name or "", (start or "").strip() or "/?kiosk=1")
            base = services.settings.public_url or flask.request.host_url  # behind a proxy: the public address
            link.append(f"{base.rstrip('/')}/display/{token}")
            return f"Added display {(name or '').strip()}. Open this link once on the screen (it is shown only now; "\
                   "opening it here signs this browser in as the display):"

        message, ok = run_write("adding a display", action)
        shown: Any = [message, html.Code(link[0], className="admin-link")] if ok else message
        return *outcome(shown, ok), "" if ok else no_update

    @app.callback(
        *message_outputs(ids.ADMIN_REVOKE_MESSAGE),
        Input(ids.ADMIN_REVOKE_BUTTON, "n_clicks"), State(ids.ADMIN_REVOKE_NAME, "value"),
        prevent_initial_call=True,
    )
    def revoke_display(_clicks: int | None, name: str | None) -> tuple[Any, ...]:
        def action(actor: Identity) -> str:
            accounts.revoke_display(actor, _picked(name, "display"))
            return f"Revoked display {name}: the screen is signed out at its next request."

        return outcome(*run_write("revoking a display", action))


def _picked(value: str | None, what: str) -> str:
    if not value:
        raise AccountError(f"pick a {what} first")
    return value
