"""Wiring of the huddle records page: the day and scope its address names (the pickers change the address), the
records of that day, and the addresses of their downloads."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.format import format_day
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.huddles import HuddleError
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, HuddlesAddress, api_href, href
from huddle.pages.components import scope_options
from huddle.pages.huddles import render_records, summary


def show(services: Services, view: dict[str, Any]) -> tuple[Any, ...]:
    """The records of the address's day and scope, the pickers set to them, and the downloads' addresses."""
    today = services.huddles.today()
    try:
        scope, day = HuddlesAddress.from_view(view).resolve(services.config, today)
        records = services.huddles.listing(day, scope=scope)
    except (AddressError, HuddleError) as exc:
        return str(exc), "", scope_options(services.config), None, "", "", None
    params = {"date": day.isoformat(), "scope": scope}
    return (render_records(records, services.config.tz),
            summary(len(records), format_day(day, today), services.config.scope_name(scope)),
            scope_options(services.config), scope, api_href("huddles.csv", **params),
            api_href("huddles.xlsx", **params), day.isoformat())


def choose(day: str | None, scope: str | None, view: dict[str, Any]) -> str:
    """A day or scope picked: the address's new query (the page reads it again)."""
    shown = HuddlesAddress.from_view(view)
    if not scope or ((day or "") == shown.date and scope == (shown.scope or "plant")):
        raise PreventUpdate
    return href("", {"date": day, "scope": scope})


def register(app: Dash, services: Services) -> None:
    """Wire the huddle records page."""
    app.callback(Output(ids.HUDDLES_TABLE, "children"), Output(ids.HUDDLES_SUMMARY, "children"),
                 Output(ids.HUDDLES_SCOPE, "options"), Output(ids.HUDDLES_SCOPE, "value"),
                 Output(ids.HUDDLES_CSV, "href"), Output(ids.HUDDLES_XLSX, "href"), Output(ids.HUDDLES_DATE, "value"),
                 Input(ids.HUDDLES_VIEW, "data"))(partial(show, services))
    app.callback(Output(ids.URL, "search", allow_duplicate=True),
                 Input(ids.HUDDLES_DATE, "value"), Input(ids.HUDDLES_SCOPE, "value"), State(ids.HUDDLES_VIEW, "data"),
                 prevent_initial_call=True)(choose)
