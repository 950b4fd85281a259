"""Wiring of the KPI stack page: which scope and layers (``address.StackAddress``), the stack read from
``services.kpi_stack`` and laid out by ``pages.stack``, and the focus findings beside it."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.kpi_stack import plant_focus, stack_view
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, StackAddress, keep_address_js, stack_href
from huddle.pages.components import EVERY_LAYER, layer_chip, layer_options, scope_options
from huddle.pages.stack import (
    period_line,
    render_focus,
    render_stack,
    stack_problem,
)


def controls(services: Services, view: dict[str, Any]) -> tuple[Any, ...]:
    """The pickers, set to what the address shows (one layer, else every layer)."""
    config = services.config
    try:
        scope, layers = StackAddress.from_view(view).resolve(config)
    except AddressError:
        return scope_options(config), None, layer_options(config), EVERY_LAYER
    return scope_options(config), scope, layer_options(config), str(layers[0]) if len(layers) == 1 else EVERY_LAYER


def choose(services: Services, scope: str | None, layer: str | None, view: dict[str, Any]) -> dict[str, Any]:
    """A picker changed: the page's new view."""
    if not scope or not layer:
        raise PreventUpdate
    wanted = StackAddress(scope, "" if layer == EVERY_LAYER else layer)
    address = StackAddress.from_view(view)
    try:
        current = address.resolve(services.config)
    except AddressError:
        current = None
    if current is not None and current == wanted.resolve(services.config):
        raise PreventUpdate  # the controls only echoed the view they were set from
    if layer == EVERY_LAYER and current is not None and len(current.layers) > 1:
        raise PreventUpdate  # several layers from the address: the picker cannot say so, and does not undo it
    return wanted.as_view()


def show(services: Services, view: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """The stack of the address's scope and layers, what it is read over, the filter's chip and the findings."""
    config = services.config
    try:
        scope, layers = StackAddress.from_view(view).resolve(config)
    except AddressError as exc:
        return stack_problem(str(exc)), "", None, render_focus(plant_focus(services))
    stack = stack_view(services, scope, layers)
    return (render_stack(stack, config), period_line(stack, config), layer_chip(config, layers, stack_href(scope)),
            render_focus(stack.findings))


def register(app: Dash, services: Services) -> None:
    """Wire the KPI stack page (``services.config`` is read per request: with several sites it is the request's)."""
    app.callback(Output(ids.STACK_SCOPE, "options"), Output(ids.STACK_SCOPE, "value"),
                 Output(ids.STACK_LAYER, "options"), Output(ids.STACK_LAYER, "value"),
                 Input(ids.STACK_VIEW, "data"))(partial(controls, services))
    app.callback(Output(ids.STACK_VIEW, "data"), Input(ids.STACK_SCOPE, "value"), Input(ids.STACK_LAYER, "value"),
                 State(ids.STACK_VIEW, "data"), prevent_initial_call=True)(partial(choose, services))
    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        keep_address_js(StackAddress), Output(ids.STACK_PERIOD, "title"), Input(ids.STACK_VIEW, "data"))
    app.callback(Output(ids.STACK_BODY, "children"), Output(ids.STACK_PERIOD, "children"),
                 Output(ids.STACK_FILTER, "children"), Output(ids.STACK_FINDINGS, "children"),
                 Input(ids.STACK_VIEW, "data"))(partial(show, services))
