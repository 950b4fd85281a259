"""Wiring of the Admin page: users, sign-in sessions, display links and the audit trail, for admins only.

Every callback checks the caller on the server (``current_identity().require("admin", ...)``) before it reads or
changes anything: a Dash callback is a POST endpoint anyone who reaches the server can call with any inputs. Writes
go through the home site's ``Accounts`` only (people, roles and display links are the home site's), which audits
them; outcomes are shown as text. ``pages.admin`` draws the tables.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import flask
from dash import Dash, Input, Output, State, ctx, no_update
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import person_name, role_word
from huddle.dashboard.services.about import about, about_words
from huddle.dashboard.services.accounts import AccountConflictError, AccountError, Accounts, ForbiddenError, Identity
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity, current_session_token
from huddle.pages.admin import (
    ADMINS_ONLY,
    admins_only,
    audit_table,
    display_link,
    display_options,
    displays_table,
    session_options,
    sessions_table,
    user_options,
    users_table,
)
from huddle.pages.admin_scope import SITE

log = logging.getLogger("huddle.admin")

AUDIT_ROWS = 200


def run_write(what: str, action: Callable[[Identity], str]) -> tuple[str, bool]:
    """Run ``action`` as the caller if they are an admin: (message, whether something changed)."""
    identity = current_identity()
    try:
        identity.require("admin", what)
        return action(identity), True
    except ForbiddenError as exc:
        log.warning("refused: %s", exc.english)
        return str(exc), False
    except AccountConflictError:
        raise  # changed_since answers it
    except AccountError as exc:
        return str(exc), False


def outcome(message: Any, ok: bool) -> tuple[Any, str, Any]:
    """The message, its style and the change signal that refreshes the tables (only when something changed)."""
    return message, f"admin-message {'ok' if ok else 'error'}", time.time_ns() if ok else no_update


def changed_since(what: str, action: Callable[[Identity], str]) -> tuple[Any, str, Any]:
    """``run_write`` for a change made from what the users table showed: refused because another admin changed
    the user since, the message names them and the table redraws with their version (the next press is made from
    it)."""
    try:
        return outcome(*run_write(what, action))
    except AccountConflictError as exc:
        return str(exc), "admin-message error", time.time_ns()


def shown(users_shown: Any, username: str | None, field: str) -> Any:
    """A user's role or state as the table showed it (None when not known: the change is then made from
    whatever is stored)."""
    row = users_shown.get(username) if isinstance(users_shown, dict) and username else None
    value = row.get(field) if isinstance(row, dict) else None
    return value if isinstance(value, str | bool) else None


def is_admin(what: str) -> bool:
    """True when the caller is an admin; a refused read is logged."""
    try:
        current_identity().require("admin", what)
    except ForbiddenError as exc:
        log.info("refused: %s", exc.english)
        return False
    return True


def _picked(value: str | None, refusal: str) -> str:
    if not value:
        raise AccountError(refusal)
    return value


def _same(password: str | None, repeat: str | None) -> str:
    if (password or "") != (repeat or ""):
        raise AccountError(_("the two passwords differ"))
    return password or ""


# ---- reads -------------------------------------------------------------------------------------------------


def show_users(services: Services, _n: int | None, _changed: Any) -> tuple[Any, ...]:
    """The notice, whether the page's body hides, the users table and the user picker's options."""
    if not is_admin(N_("the list of users")):
        return _(ADMINS_ONLY), True, admins_only(), [], {}
    users = services.accounts.users()
    return "", False, users_table(users, services.config.tz, services.config), user_options(users), {
        u.username: {"role": u.role, "disabled": u.disabled} for u in users}


def show_displays(services: Services, _n: int | None, _changed: Any) -> tuple[Any, ...]:
    """The displays table and the revoke picker's options."""
    if not is_admin(N_("the list of display screens")):
        return admins_only(), []
    screens = services.accounts.displays()
    return displays_table(screens, services.config.tz), display_options(screens)


def show_sessions(services: Services, accounts: Accounts, _n: int | None, _changed: Any) -> tuple[Any, ...]:
    """The live sign-in sessions (the home site's, where everyone signs in) and the revoke picker's options."""
    if not is_admin(N_("the list of sessions")):
        return admins_only(), []
    live = accounts.signed_in()
    people = accounts.people()
    return sessions_table(live, services.config.tz, people), session_options(live, services.config.tz, people)


def show_about(services: Services, _n: int | None, _changed: Any) -> str:
    """Which Huddle and which database schema run: 'Huddle 0.1.0 · database schema 7 (revision 0005)'."""
    if not is_admin(N_("the version")):
        return ""
    return about_words(about(services.db))


def show_audit(services: Services, _n: int | None, _changed: Any) -> Any:
    """The latest audit entries, newest first."""
    if not is_admin(N_("the audit trail")):
        return admins_only()
    return audit_table(services.accounts.audit_trail(AUDIT_ROWS), services.config.tz, services.config,
                       services.accounts.people())


# ---- writes ------------------------------------------------------------------------------------------------


def add_user(accounts: Accounts, _clicks: int | None, username: str | None, name: str | None, role: str | None,
             password: str | None, repeat: str | None, scope: str | None = None) -> tuple[Any, ...]:
    """Add a user with their home line or area; the form empties when it worked."""
    def action(actor: Identity) -> str:
        user = accounts.add_user(actor, username or "", _same(password, repeat), role or "", name or "",
                                 None if scope in (None, "", SITE) else scope)
        return _("Added {person} as {role}.").format(person=_person(accounts, user.username),
                                                      role=role_word(user.role))

    message, ok = run_write(N_("adding a user"), action)
    return *outcome(message, ok), *(("", "", "", "") if ok else (no_update,) * 4)


def set_role(accounts: Accounts, _clicks: int | None, username: str | None, role: str | None,
             users_shown: Any = None) -> tuple[Any, ...]:
    """Give the picked user another role, from the role the table showed."""
    def action(actor: Identity) -> str:
        picked = _picked(username, _("pick a user first"))
        accounts.set_role(actor, picked, role or "", seen=shown(users_shown, username, "role"))
        return _("{person} is now {role}.").format(person=_person(accounts, picked), role=role_word(role or ""))

    return changed_since(N_("changing a user's role"), action)


def set_disabled(accounts: Accounts, _disable: int | None, _enable: int | None,
                 username: str | None, users_shown: Any = None) -> tuple[Any, ...]:
    """Disable the picked user, or enable them again, from the state the table showed."""
    disable = ctx.triggered_id == ids.ADMIN_DISABLE_BUTTON

    def action(actor: Identity) -> str:
        picked = _picked(username, _("pick a user first"))
        accounts.set_disabled(actor, picked, disable, seen=shown(users_shown, username, "disabled"))
        said = _("{person} is disabled.") if disable else _("{person} is active again.")
        return said.format(person=_person(accounts, picked))

    return changed_since(N_("disabling a user") if disable else N_("enabling a user"), action)


def set_password(accounts: Accounts, _clicks: int | None, username: str | None, password: str | None,
                 repeat: str | None) -> tuple[Any, ...]:
    """Set the picked user's password; the fields empty when it worked."""
    def action(actor: Identity) -> str:
        new = _same(password, repeat)
        own = username == actor.name  # an admin changing their own password stays signed in here
        picked = _picked(username, _("pick a user first"))
        accounts.set_password(actor, picked, new, current_session_token() if own else "")
        said = _("New password set for {person}; their other open sessions end.") if own else _(
            "New password set for {person}; their open sessions end.")
        return said.format(person=_person(accounts, picked))

    message, ok = run_write(N_("setting a password"), action)
    return *outcome(message, ok), *(("", "") if ok else (no_update, no_update))


def add_display(services: Services, accounts: Accounts, _clicks: int | None, name: str | None,
                start: str | None) -> tuple[Any, ...]:
    """Add a display screen and show its one-time sign-in link."""
    link: list[str] = []

    def action(actor: Identity) -> str:
        token = accounts.add_display(actor, name or "", (start or "").strip() or "/?kiosk=1")
        base = services.settings.public_url or flask.request.host_url  # behind a proxy: the public address
        link.append(f"{base.rstrip('/')}/display/{token}")
        return _("Added display {name}. Open this link once on the screen (it is shown only now; opening it here "
                 "signs this browser in as the display):").format(name=(name or "").strip())

    message, ok = run_write(N_("adding a display"), action)
    return *outcome(display_link(message, link[0]) if ok else message, ok), "" if ok else no_update


def revoke_display(accounts: Accounts, _clicks: int | None, name: str | None) -> tuple[Any, ...]:
    """Revoke the picked display: the screen is signed out at its next request."""
    def action(actor: Identity) -> str:
        accounts.revoke_display(actor, _picked(name, _("pick a display first")))
        return _("Revoked display {name}: the screen is signed out at its next request.").format(name=name)

    return outcome(*run_write(N_("revoking a display"), action))


def revoke_session(accounts: Accounts, _clicks: int | None, session_id: str | None) -> tuple[Any, ...]:
    """End the picked sign-in session: that browser is signed out at its next request."""
    def action(actor: Identity) -> str:
        ended = accounts.revoke_session(actor, _picked(session_id, _("pick a session first")))
        who, where = person_name(ended.username, accounts.people()), ended.address or _("an unknown address")
        return _("Ended the session of {person} from {address}: that browser is signed out at its next "
                 "request.").format(person=who, address=where)

    return outcome(*run_write(N_("revoking a session"), action))


def _person(accounts: Accounts, username: str) -> str:
    """A user as people know them: their display name, else their login read as a name."""
    return person_name(username, accounts.people())


def _message_outputs(message_id: str) -> list[Output]:
    return [Output(message_id, "children"), Output(message_id, "className"),
            Output(ids.ADMIN_CHANGED, "data", allow_duplicate=True)]


def register(app: Dash, services: Services) -> None:
    """Wire the Admin page."""
    accounts = services.accounts  # the home site's, as the app is built: writes go there whatever page asks
    refresh = [Input(ids.ADMIN_REFRESH, "n_intervals"), Input(ids.ADMIN_CHANGED, "data")]
    app.callback(
        Output(ids.ADMIN_NOTICE, "children"), Output(ids.ADMIN_BODY, "hidden"), Output(ids.ADMIN_USERS, "children"),
        Output(ids.ADMIN_USER, "options"), Output(ids.ADMIN_USERS_SHOWN, "data"), *refresh,
    )(partial(show_users, services))
    app.callback(Output(ids.ADMIN_DISPLAYS, "children"), Output(ids.ADMIN_REVOKE_NAME, "options"),
                 *refresh)(partial(show_displays, services))
    app.callback(Output(ids.ADMIN_AUDIT, "children"), *refresh)(partial(show_audit, services))
    app.callback(Output(ids.ADMIN_ABOUT, "children"), *refresh)(partial(show_about, services))
    app.callback(Output(ids.ADMIN_SESSIONS, "children"), Output(ids.ADMIN_SESSION_PICK, "options"),
                 *refresh)(partial(show_sessions, services, accounts))
    _register_writes(app, services, accounts)


def _register_writes(app: Dash, services: Services, accounts: Accounts) -> None:
    """The forms that add and change users and displays: each answers in its message and refreshes the tables."""
    app.callback(
        *_message_outputs(ids.ADMIN_ADD_MESSAGE),
        Output(ids.ADMIN_ADD_USERNAME, "value"), Output(ids.ADMIN_ADD_NAME, "value"),
        Output(ids.ADMIN_ADD_PASSWORD, "value"), Output(ids.ADMIN_ADD_REPEAT, "value"),
        Input(ids.ADMIN_ADD_BUTTON, "n_clicks"),
        State(ids.ADMIN_ADD_USERNAME, "value"), State(ids.ADMIN_ADD_NAME, "value"), State(ids.ADMIN_ADD_ROLE, "value"),
        State(ids.ADMIN_ADD_PASSWORD, "value"), State(ids.ADMIN_ADD_REPEAT, "value"),
        State(ids.ADMIN_ADD_SCOPE, "value"), prevent_initial_call=True,
    )(partial(add_user, accounts))
    app.callback(
        *_message_outputs(ids.ADMIN_ROLE_MESSAGE),
        Input(ids.ADMIN_ROLE_BUTTON, "n_clicks"), State(ids.ADMIN_USER, "value"), State(ids.ADMIN_ROLE, "value"),
        State(ids.ADMIN_USERS_SHOWN, "data"), prevent_initial_call=True,
    )(partial(set_role, accounts))
    app.callback(
        *_message_outputs(ids.ADMIN_STATE_MESSAGE),
        Input(ids.ADMIN_DISABLE_BUTTON, "n_clicks"), Input(ids.ADMIN_ENABLE_BUTTON, "n_clicks"),
        State(ids.ADMIN_USER, "value"), State(ids.ADMIN_USERS_SHOWN, "data"),
        prevent_initial_call=True,
    )(partial(set_disabled, accounts))
    app.callback(
        *_message_outputs(ids.ADMIN_PASSWORD_MESSAGE),
        Output(ids.ADMIN_PASSWORD, "value"), Output(ids.ADMIN_PASSWORD_REPEAT, "value"),
        Input(ids.ADMIN_PASSWORD_BUTTON, "n_clicks"), State(ids.ADMIN_USER, "value"),
        State(ids.ADMIN_PASSWORD, "value"), State(ids.ADMIN_PASSWORD_REPEAT, "value"),
        prevent_initial_call=True,
    )(partial(set_password, accounts))
    app.callback(
        *_message_outputs(ids.ADMIN_DISPLAY_MESSAGE), Output(ids.ADMIN_DISPLAY_NAME, "value"),
        Input(ids.ADMIN_DISPLAY_BUTTON, "n_clicks"), State(ids.ADMIN_DISPLAY_NAME, "value"),
        State(ids.ADMIN_DISPLAY_START, "value"),
        prevent_initial_call=True,
    )(partial(add_display, services, accounts))
    app.callback(
        *_message_outputs(ids.ADMIN_REVOKE_MESSAGE),
        Input(ids.ADMIN_REVOKE_BUTTON, "n_clicks"), State(ids.ADMIN_REVOKE_NAME, "value"),
        prevent_initial_call=True,
    )(partial(revoke_display, accounts))
    app.callback(
        *_message_outputs(ids.ADMIN_SESSION_MESSAGE),
        Input(ids.ADMIN_SESSION_REVOKE, "n_clicks"), State(ids.ADMIN_SESSION_PICK, "value"),
        prevent_initial_call=True,
    )(partial(revoke_session, accounts))
