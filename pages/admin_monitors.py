"""The Admin page's monitor tokens card: what a monitoring system (Prometheus, a load balancer's health check)
shows to read ``/metrics`` and ``/api/v1/health``, and nothing else. Its layout holds no data; the callbacks in
``callbacks.admin_monitors`` fill it for admins only. The renderers draw the tokens the ``Monitors`` service lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from dash import dcc, html
from huddle.dashboard.core.format import format_time
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import state_word
from huddle.dashboard.web import ids
from huddle.pages.components import scroll_box, table


def monitors_card() -> html.Section:
    """The card: the tokens, a form to add one and a form to revoke one."""
    return html.Section([
        html.H2(_("Monitor tokens")),
        html.P(_("A monitoring system (Prometheus, an uptime check) sends its token as 'Authorization: Bearer "
                 "<token>' to read /metrics and /api/v1/health, and nothing else. Load balancers need none for "
                 "/healthz and /readyz."), className="hint"),
        scroll_box(_("Monitor tokens"), id=ids.ADMIN_MONITORS),
        html.Div([
            html.Div([
                html.H3(_("Add a monitor")),
                html.Div([
                    html.Label([html.Span(_("Name")), dcc.Input(id=ids.ADMIN_MONITOR_NAME, type="text", value="",
                                                                placeholder=_("e.g. prometheus"), autoComplete="off",
                                                             className="admin-input")], className="admin-field"),
                    html.Button(_("Add monitor"), id=ids.ADMIN_MONITOR_BUTTON, n_clicks=0, type="button",
                                className="primary"),
                ], className="admin-row"),
                html.P(id=ids.ADMIN_MONITOR_MESSAGE, className="admin-message", role="status",
                       **{"aria-live": "polite"}),
            ], className="admin-form"),
            html.Div([
                html.H3(_("Revoke a monitor")),
                html.Div([
                    html.Label([html.Span(_("Monitor")), dcc.Dropdown(id=ids.ADMIN_MONITOR_PICK, options=[],
                                                                      placeholder=_("Pick a monitor"),
                                                                   className="admin-dropdown")],
                               className="admin-field"),
                    html.Button(_("Revoke"), id=ids.ADMIN_MONITOR_REVOKE, n_clicks=0, type="button",
                                className="primary danger"),
                ], className="admin-row"),
                html.P(id=ids.ADMIN_MONITOR_REVOKE_MESSAGE, className="admin-message", role="status",
                       **{"aria-live": "polite"}),
            ], className="admin-form"),
        ], className="admin-forms"),
    ], className="card")


def monitors_table(monitors: Iterable[Any], tz: tzinfo) -> Any:
    """Every monitor token: in use or revoked, when made, when revoked."""
    rows = [{"name": m.name, "state": state_word("revoked" if m.revoked_at else "live"),
             "css": "revoked" if m.revoked_at else "live", "added": format_time(m.created_at, tz),
             "revoked": format_time(m.revoked_at, tz) if m.revoked_at else ""} for m in monitors]
    return table([("name", _("Name")), ("state", _("State")), ("added", _("Added")), ("revoked", _("Revoked"))], rows,
                 empty=N_("No monitor tokens yet."), row_class="css")


def monitor_options(monitors: Iterable[Any]) -> list[dict[str, str]]:
    """The revoke picker's options: live tokens only."""
    return [{"label": m.name, "value": m.name} for m in monitors if m.revoked_at is None]


def monitor_token(message: str, token: str) -> list[Any]:
    """A new monitor's token, shown once, under the message saying what to do with it."""
    return [message, html.Code(token, className="admin-link")]
