"""Wiring of the overview page: which period's grain and layers (``address.OverviewAddress``), and the lines ×
headline KPIs table refreshed (``pages.overview`` draws it)."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import html_pane, ids
from huddle.dashboard.web.address import OverviewAddress, href, keep_address_js
from huddle.dashboard.web.html_pane import pane_html
from huddle.dashboard.web.parameters import AddressError
from huddle.dashboard.web.render_cache import as_sent
from huddle.pages.components import layer_chip, layer_options, layer_value, picked_layer
from huddle.pages.overview import GRAIN_TITLES, headline_kpis, no_shift_yet, overview_problem, render_overview


def refresh(services: Services, view: dict[str, Any], _n: int | None) -> tuple[Any, str, str, Any]:
    """``overview``'s table as the HTML of its pane (the page's largest part, redrawn every minute: as Dash
    components it kept the browser busy for about half a second each time), its title, freshness and chip."""
    table, title, freshness, chip = overview(services, view)
    return pane_html(table), title, freshness, as_sent(chip)[0]


def overview(services: Services, view: dict[str, Any]) -> tuple[Any, str, str, Any]:
    """Every line and the plant on the headline KPIs (of the address's layers) for the grain's current period (the
    shift: the last ended), and the chip saying which layers are listed."""
    address = OverviewAddress.from_view(view)
    grain = address.grain if address.grain in GRAIN_TITLES else "shift"
    try:
        layers = address.layers()
    except AddressError as exc:
        return (*overview_problem(str(exc)), None)
    chip = layer_chip(services.config, layers, href(OverviewAddress.PATH, {"grain": address.grain}))
    period: Period | None = (services.readings.last_completed_shift() if grain == "shift"
                             else services.readings.current_period(grain))
    if period is None:
        return (*no_shift_yet(), chip)
    kpis = headline_kpis(services.config, layers)
    if not kpis:
        return (*overview_problem(_("No headline KPI is on the layers shown.")), chip)
    readings = services.readings.own_periods_by_scope(kpis, [*services.config.lines, "plant"], period)
    table, title, freshness = render_overview(services.config, grain, period, kpis, readings)
    return table, title, freshness, chip


def layer_choices(services: Services, view: dict[str, Any]) -> tuple[list[dict[str, str]], str | None]:
    """The layer picker's options, set to the address's layer (every layer for several)."""
    try:
        return layer_options(services.config), layer_value(OverviewAddress.from_view(view).layers())
    except AddressError:
        return layer_options(services.config), None


def choose(grain: str | None, layer: str | None, view: dict[str, Any]) -> dict[str, Any]:
    """The grain or the layer picked: the page's new view (the layers kept unless the layer picker changed them)."""
    shown = OverviewAddress.from_view(view)
    try:
        echoed = layer is None or layer == layer_value(shown.layers())
    except AddressError:
        echoed = layer is None
    wanted = OverviewAddress("" if grain in (None, "shift") else grain, shown.layer if echoed else picked_layer(layer))
    if wanted == shown or (wanted.grain == "" and shown.grain not in GRAIN_TITLES and wanted.layer == shown.layer):
        raise PreventUpdate  # the pickers only echoed the address
    return wanted.as_view()


def register(app: Dash, services: Services) -> None:
    """Wire the overview page."""
    app.callback(Output(ids.OVERVIEW_LAYER, "options"), Output(ids.OVERVIEW_LAYER, "value"),
                 Input(ids.OVERVIEW_VIEW, "data"))(partial(layer_choices, services))
    app.callback(Output(ids.OVERVIEW_VIEW, "data"), Input(ids.OVERVIEW_GRAIN, "value"),
                 Input(ids.OVERVIEW_LAYER, "value"), State(ids.OVERVIEW_VIEW, "data"),
                 prevent_initial_call=True)(choose)
    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        keep_address_js(OverviewAddress), Output(ids.OVERVIEW_FRESHNESS, "title"), Input(ids.OVERVIEW_VIEW, "data"))
    html_pane.register(app, ids.OVERVIEW_TABLE)
    app.callback(
        Output(html_pane.store_id(ids.OVERVIEW_TABLE), "data"), Output(ids.OVERVIEW_TITLE, "children"),
        Output(ids.OVERVIEW_FRESHNESS, "children"), Output(ids.OVERVIEW_FILTER, "children"),
        Input(ids.OVERVIEW_VIEW, "data"), Input(ids.OVERVIEW_REFRESH, "n_intervals"),
    )(partial(refresh, services))
