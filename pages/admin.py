"""The Admin page: users and their roles, who is signed in (with revoke), wall-TV display links, and the audit trail
(admins only).

The layout is the same for everyone and holds no data: the admin callbacks fill it, check the caller's role on the
server, and keep the forms hidden from anyone who is not an admin. The renderers below draw the users, displays and
audit entries the accounts service lists, in the plant's time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

import dash
from dash import dcc, html
from huddle.dashboard.core.causes import METHOD_WORDS
from huddle.dashboard.core.format import format_time
from huddle.dashboard.core.i18n import N_, _, ngettext, pgettext
from huddle.dashboard.core.names import audit_action, audit_details, audit_target, person_name, role_word, state_word
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.accounts import MIN_PASSWORD, ROLES
from huddle.dashboard.services.actions import STATUS_WORDS as ACTION_STATUS_WORDS
from huddle.dashboard.services.escalation_views import STATE_WORDS as ESCALATION_STATE_WORDS
from huddle.dashboard.services.okrs import KIND_WORDS
from huddle.dashboard.web import ids
from huddle.pages.admin_calendar import calendar_card
from huddle.pages.admin_monitors import monitors_card
from huddle.pages.admin_scope import scope_change_row, scope_picker, scope_words
from huddle.pages.components import scroll_box, table

REFRESH_MS = 30_000
#: stored values the audit trail names in words: an action's status, a key result's kind and the window its KPI is
#: read over
AUDIT_VALUE_WORDS = {**ACTION_STATUS_WORDS, **KIND_WORDS, **METHOD_WORDS, **ESCALATION_STATE_WORDS,
                     "quarter": N_("quarter"), "month": N_("month"), "week": N_("week")}
ADMINS_ONLY = N_("Admins only: sign in as an admin to manage users and display screens.")


def _field(label: str, control: Any) -> html.Label:
    return html.Label([html.Span(label), control], className="admin-field")


def _text(component_id: str, placeholder: str = "", kind: str = "text", autocomplete: str = "off") -> dcc.Input:
    return dcc.Input(id=component_id, type=kind, value="", placeholder=placeholder, autoComplete=autocomplete,
                     debounce=False, className="admin-input")


def _button(component_id: str, label: str, extra: str = "") -> html.Button:
    return html.Button(label, id=component_id, n_clicks=0, type="button", className=f"primary {extra}".strip())


def _message(component_id: str) -> html.P:
    return html.P(id=component_id, className="admin-message", role="status", **{"aria-live": "polite"})


def _roles(component_id: str) -> dcc.Dropdown:
    return dcc.Dropdown(id=component_id, options=[{"label": role_word(r), "value": r} for r in ROLES], value="viewer",
                        clearable=False, searchable=False,
                        className="admin-dropdown")


def _users_card() -> html.Section:
    at_least = ngettext("at least {n} character", "at least {n} characters", MIN_PASSWORD).format(n=MIN_PASSWORD)
    return html.Section([
        html.H2(_("Users")),
        html.P(_("Everyone who may sign in. Viewers read, operators also enter their own line's stops, defects and "
                 "safety reports, editors also enter data, admins also manage this page. Home is the line or area a "
                 "person works in. Last sign-in is in plant time."), className="hint"),
        scroll_box(_("Users"), id=ids.ADMIN_USERS),
        html.Div([
            html.Div([
                html.H3(_("Add a user")),
                html.Div([
                    _field(_("User name"), _text(ids.ADMIN_ADD_USERNAME, _("e.g. jsmith"))),
                    _field(_("Name"), _text(ids.ADMIN_ADD_NAME, _("e.g. Jo Smith"))),
                    _field(_("Role"), _roles(ids.ADMIN_ADD_ROLE)),
                    scope_picker(ids.ADMIN_ADD_SCOPE),
                ], className="admin-row"),
                html.Div([
                    _field(_("Password"), _text(ids.ADMIN_ADD_PASSWORD, at_least,
                                             "password", "new-password")),
                    _field(_("Repeat password"), _text(ids.ADMIN_ADD_REPEAT, "", "password", "new-password")),
                ], className="admin-row"),
                _button(ids.ADMIN_ADD_BUTTON, _("Add user")),
                _message(ids.ADMIN_ADD_MESSAGE),
            ], className="admin-form"),
            html.Div([
                html.H3(_("Change a user")),
                _field(_("User"), dcc.Dropdown(id=ids.ADMIN_USER, options=[], placeholder=_("Pick a user"),
                                            className="admin-dropdown")),
                html.Div([_field(_("New role"), _roles(ids.ADMIN_ROLE)),
                          _button(ids.ADMIN_ROLE_BUTTON, _("Change role"))], className="admin-row"),
                _message(ids.ADMIN_ROLE_MESSAGE),
                *scope_change_row(),
                html.Div([_button(ids.ADMIN_DISABLE_BUTTON, _("Disable"), "danger"),
                          _button(ids.ADMIN_ENABLE_BUTTON, _("Enable"))], className="admin-row"),
                html.P(_("A disabled user cannot sign in; their open sessions end at their next request."),
                       className="hint"),
                _message(ids.ADMIN_STATE_MESSAGE),
                html.Div([
                    _field(_("New password"), _text(ids.ADMIN_PASSWORD, at_least,
                                                 "password", "new-password")),
                    _field(_("Repeat password"), _text(ids.ADMIN_PASSWORD_REPEAT, "", "password", "new-password")),
                    _button(ids.ADMIN_PASSWORD_BUTTON, _("Set password")),
                ], className="admin-row"),
                _message(ids.ADMIN_PASSWORD_MESSAGE),
            ], className="admin-form"),
        ], className="admin-forms"),
    ], className="card")


def _sessions_card() -> html.Section:
    return html.Section([
        html.H2(_("Signed in")),
        html.P(_("Every browser signed in now, latest seen first, in plant time. Revoking a session signs that "
                 "browser out at its next request; sessions also end when their person signs out, after 12 hours, "
                 "and when their password changes."), className="hint"),
        scroll_box(_("Signed in"), id=ids.ADMIN_SESSIONS),
        html.Div([
            _field(_("Session"), dcc.Dropdown(id=ids.ADMIN_SESSION_PICK, options=[], placeholder=_("Pick a session"),
                                           className="admin-dropdown")),
            _button(ids.ADMIN_SESSION_REVOKE, _("Revoke"), "danger"),
        ], className="admin-row"),
        _message(ids.ADMIN_SESSION_MESSAGE),
    ], className="card")


def _displays_card() -> html.Section:
    return html.Section([
        html.H2(_("Display screens")),
        html.P(_("Wall TVs sign in with a link of their own and may only read. Revoking a display signs the "
                 "screen out at its next request."), className="hint"),
        scroll_box(_("Display screens"), id=ids.ADMIN_DISPLAYS),
        html.Div([
            html.Div([
                html.H3(_("Add a display")),
                html.Div([
                    _field(_("Name"), _text(ids.ADMIN_DISPLAY_NAME, _("e.g. Line 1 TV"))),
                    _field(_("Start page"), dcc.Input(id=ids.ADMIN_DISPLAY_START, type="text", value="/?kiosk=1",
                                                   autoComplete="off", className="admin-input")),
                    _button(ids.ADMIN_DISPLAY_BUTTON, _("Add display")),
                ], className="admin-row"),
                _message(ids.ADMIN_DISPLAY_MESSAGE),
            ], className="admin-form"),
            html.Div([
                html.H3(_("Revoke a display")),
                html.Div([
                    _field(_("Display"), dcc.Dropdown(id=ids.ADMIN_REVOKE_NAME, options=[],
                                                      placeholder=_("Pick a display"), className="admin-dropdown")),
                    _button(ids.ADMIN_REVOKE_BUTTON, _("Revoke"), "danger"),
                ], className="admin-row"),
                _message(ids.ADMIN_REVOKE_MESSAGE),
            ], className="admin-form"),
        ], className="admin-forms"),
    ], className="card")


def layout(**_query: str) -> html.Div:
    """Skeleton, the same for everyone; data and the forms' visibility arrive through the admin callbacks."""
    return html.Div([
        html.Div([html.H1(_("Admin")), html.P(id=ids.ADMIN_ABOUT, className="hint")], className="page-head"),
        html.P(id=ids.ADMIN_NOTICE, className="admin-notice", role="status"),
        html.Div([
            _users_card(),
            _sessions_card(),
            _displays_card(),
            monitors_card(),
            calendar_card(),
            html.Section([
                html.H2(_("Audit trail")),
                html.P(_("The latest 200 entries, newest first, in plant time: every change and sign-in."),
                       className="hint"),
                scroll_box(_("Audit trail"), id=ids.ADMIN_AUDIT),
            ], className="card"),
        ], id=ids.ADMIN_BODY, hidden=True),
        dcc.Store(id=ids.ADMIN_CHANGED, data=0),
        dcc.Store(id=ids.ADMIN_USERS_SHOWN, data={}),
        dcc.Interval(id=ids.ADMIN_REFRESH, interval=REFRESH_MS),
    ])


def register() -> None:
    """Register the page with Dash Pages (the nav shows it to admins only)."""
    dash.register_page("admin", path="/admin", name=N_("Admin"), order=95, nav=True, min_role="admin", layout=layout)


# ---- renderers ---------------------------------------------------------------------------------------------


def admins_only() -> html.P:
    """What a table says to anyone who is not an admin."""
    return html.P(_(ADMINS_ONLY), className="empty")


def _user_state(user: Any) -> str:
    return "disabled" if user.disabled else "active"


def users_table(users: Iterable[Any], tz: tzinfo, config: PlantConfig | None = None) -> Any:
    """Every user: name, role, home line or area, whether they may sign in, their last sign-in."""
    rows = [{"name": html.Span(person_name(u.username, {u.username: u.display_name}),
                               title=_("signs in as {login}").format(login=u.username)),
             "role": role_word(u.role), "home": scope_words(config, u.scope) if config else (u.scope or ""),
             "state": state_word(_user_state(u)), "css": _user_state(u), "last": format_time(u.last_login_at, tz)}
            for u in users]
    return table([("name", _("Name")), ("role", _("Role")), ("home", _("Home")), ("state", _("State")),
                  ("last", _("Last sign-in"))], rows, empty=N_("No users yet."), row_class="css")


def user_options(users: Iterable[Any]) -> list[dict[str, str]]:
    """The user picker's options."""
    return [{"label": person_name(u.username, {u.username: u.display_name}), "value": u.username} for u in users]


def sessions_table(sessions: Iterable[Any], tz: tzinfo, people: Mapping[str, str] | None = None) -> Any:
    """The live sign-in sessions: whose, from where and which browser, since when, last seen, until when."""
    rows = [{"user": person_name(s.username, people or {}), "address": s.address, "browser": browser_name(s.user_agent),
             "since": format_time(s.created_at, tz), "seen": format_time(s.last_seen_at, tz),
             "until": format_time(s.expires_at, tz), "id": s.short_id} for s in sessions]
    return table([("user", _("User")), ("address", _("From")), ("browser", _("Browser")), ("since", _("Signed in")),
                  ("seen", _("Last seen")), ("until", _("Ends")), ("id", _("Session"))], rows,
                 empty=N_("Nobody is signed in."))


def session_options(sessions: Iterable[Any], tz: tzinfo, people: Mapping[str, str] | None = None
                    ) -> list[dict[str, str]]:
    """The revoke picker's options: each live session by its person, address and when it began."""
    return [{"label": _("{person} from {address}, signed in {when} ({session})").format(
        person=person_name(s.username, people or {}), address=s.address or _("an unknown address"),
        when=format_time(s.created_at, tz), session=s.short_id), "value": s.short_id} for s in sessions]


def browser_name(user_agent: str) -> str:
    """A browser's name and system from its User-Agent, in a few words ("Firefox on Windows")."""
    agent = user_agent or ""
    name = next((n for key, n in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                  ("Safari/", "Safari"), ("curl/", "curl")) if key in agent), "")
    system = next((n for key, n in (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
                                    ("iPad", "iPad"), ("Mac OS", "macOS"), ("Linux", "Linux")) if key in agent), "")
    if name and system:
        return _("{browser} on {system}").format(browser=name, system=system)
    return name or system or (agent[:40] if agent else _("unknown"))


def displays_table(screens: Iterable[Any], tz: tzinfo) -> Any:
    """Every display screen: live or revoked, last seen, where it starts."""
    rows = [{"name": d.name, "state": state_word("revoked" if d.revoked_at else "live"),
             "css": "revoked" if d.revoked_at else "live", "seen": format_time(d.last_seen_at, tz),
             "start": d.start_path, "added": format_time(d.created_at, tz),
             "revoked": format_time(d.revoked_at, tz) if d.revoked_at else ""} for d in screens]
    return table([("name", _("Name")), ("state", _("State")), ("seen", _("Last seen")), ("start", _("Start page")),
                  ("added", _("Added")), ("revoked", _("Revoked"))], rows, empty=N_("No display screens yet."),
                 row_class="css")


def display_options(screens: Iterable[Any]) -> list[dict[str, str]]:
    """The revoke picker's options: live displays only."""
    return [{"label": d.name, "value": d.name} for d in screens if d.revoked_at is None]


def audit_table(entries: Iterable[Any], tz: tzinfo, config: PlantConfig | None = None,
                people: Mapping[str, str] | None = None) -> Any:
    """Audit entries as given (newest first), in plant time, in words: who by name, what was done, what changed."""
    people = people or {}
    rows = [{"at": format_time(e.at, tz), "actor": person_name(e.actor, people), "action": audit_action(e.action),
             "target": audit_target(config, e.action, e.target, people),
             "details": audit_details(config, e.details, people, AUDIT_VALUE_WORDS)} for e in entries]
    return table([("at", _("When")), ("actor", _("Who")), ("action", pgettext("audit", "Action")),
                  ("target", pgettext("audit", "Target")),
                  ("details", _("Details"))], rows, empty=N_("Nothing has been audited yet."))


def display_link(message: str, link: str) -> list[Any]:
    """A new display's one-time sign-in link, under the message saying what to do with it."""
    return [message, html.Code(link, className="admin-link")]
