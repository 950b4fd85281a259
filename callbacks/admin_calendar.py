"""Wiring of the Admin page's plant calendar card, for admins only: every callback checks the caller on the server
(``callbacks.admin``'s ``is_admin`` and ``run_write``); the last recordable before go-live is set through
``services.planned``, which audits it; ``pages.admin_calendar`` draws the card."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from dash import Dash, Input, Output, State
from huddle.callbacks.admin import is_admin, outcome, run_write
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.services.accounts import AccountError, Identity
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.planned import plant_calendar, set_last_recordable
from huddle.dashboard.web import ids
from huddle.pages.admin import admins_only
from huddle.pages.admin_calendar import calendar_table, day_words, scope_options


def show_calendar(services: Services, _n: int | None, _changed: Any) -> tuple[Any, ...]:
    """The go-live and last recordable dates in force, the planned days and the scope picker's options."""
    if not is_admin(N_("the plant calendar")):
        return admins_only(), []
    with services.sessions() as session:
        calendar = plant_calendar(services.config, session)
    return (calendar_table(services.config, dict(calendar.last_recordable), list(calendar.planned)),
            scope_options(services.config))


def save_last_recordable(services: Services, _clicks: int | None, scope: str | None,
                         day: str | None) -> tuple[Any, ...]:
    """Set the last recordable before go-live of the plant or a line (an empty date clears the admin page's)."""
    def action(actor: Identity) -> str:
        picked = date.fromisoformat(day[:10]) if day else None
        name = services.config.site_name if scope in (None, "plant") else services.config.scope_name(scope)
        try:
            set_last_recordable(services, actor.label, scope or "plant", picked)
        except (ValueError, KeyError) as exc:
            raise AccountError(str(exc)) from None
        if picked is None:
            return _("Cleared the last recordable set here for {scope}: the plant file's date counts, if "
                     "any.").format(scope=name)
        return _("Days since the last recordable for {scope} count from {day} until a newer case.").format(
            scope=name, day=day_words(picked))

    return outcome(*run_write(N_("setting the last recordable"), action))


def register(app: Dash, services: Services) -> None:
    """Wire the plant calendar card (the home site's plant)."""
    app.callback(Output(ids.ADMIN_CALENDAR, "children"), Output(ids.ADMIN_LAST_RECORDABLE_SCOPE, "options"),
                 Input(ids.ADMIN_REFRESH, "n_intervals"), Input(ids.ADMIN_CHANGED, "data"),
                 )(partial(show_calendar, services))
    app.callback(Output(ids.ADMIN_LAST_RECORDABLE_MESSAGE, "children"),
                 Output(ids.ADMIN_LAST_RECORDABLE_MESSAGE, "className"),
                 Output(ids.ADMIN_CHANGED, "data", allow_duplicate=True),
                 Input(ids.ADMIN_LAST_RECORDABLE_BUTTON, "n_clicks"), State(ids.ADMIN_LAST_RECORDABLE_SCOPE, "value"),
                 State(ids.ADMIN_LAST_RECORDABLE_DATE, "date"), prevent_initial_call=True,
                 )(partial(save_last_recordable, services))
