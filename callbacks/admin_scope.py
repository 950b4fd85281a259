"""Wiring of the Admin page's home-scope fields: their options, and changing a user's home line or area.

Like every admin callback, the change is checked on the server (admins only) and made through the home site's
``Accounts``, which refuses an unknown scope or an operator without a line and audits the change.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output, State
from huddle.callbacks.admin import is_admin, outcome, run_write
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import person_name
from huddle.dashboard.services.accounts import AccountError, Accounts, Identity
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.pages.admin_scope import SITE, scope_options, scope_words


def stored_scope(picked: str | None) -> str | None:
    """The scope to store for a picker's value: None for the whole site."""
    return None if not picked or picked == SITE else picked


def show_options(services: Services, _changed: Any) -> tuple[Any, ...]:
    """Both pickers' options, each set to the whole site (when the page opens, and after each change made)."""
    if not is_admin(N_("the lines and areas of the users form")):
        return [], None, [], None
    options = scope_options(services.config)
    return options, SITE, options, SITE


def set_scope(services: Services, accounts: Accounts, _clicks: int | None, username: str | None,
              picked: str | None) -> tuple[Any, ...]:
    """Give the picked user another home line or area."""
    def action(actor: Identity) -> str:
        if not username:
            raise AccountError(_("pick whose home to change first"))
        scope = stored_scope(picked)
        accounts.set_scope(actor, username, scope)
        name = person_name(username, accounts.people())
        if scope is None:
            return _("{name} now works for the whole site.").format(name=name)
        return _("{name} now works in {scope}.").format(name=name, scope=scope_words(services.config, scope))

    return outcome(*run_write(N_("changing a user's home line or area"), action))


def register(app: Dash, services: Services) -> None:
    """Wire the home-scope fields."""
    accounts = services.accounts  # the home site's: people are the home site's
    app.callback(Output(ids.ADMIN_ADD_SCOPE, "options"), Output(ids.ADMIN_ADD_SCOPE, "value"),
                 Output(ids.ADMIN_SCOPE, "options"), Output(ids.ADMIN_SCOPE, "value"),
                 Input(ids.ADMIN_CHANGED, "data"))(partial(show_options, services))
    app.callback(Output(ids.ADMIN_SCOPE_MESSAGE, "children"), Output(ids.ADMIN_SCOPE_MESSAGE, "className"),
                 Output(ids.ADMIN_CHANGED, "data", allow_duplicate=True),
                 Input(ids.ADMIN_SCOPE_BUTTON, "n_clicks"), State(ids.ADMIN_USER, "value"),
                 State(ids.ADMIN_SCOPE, "value"), prevent_initial_call=True,
                 )(partial(set_scope, services, accounts))
