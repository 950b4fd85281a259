"""Wiring of the monthly review page: which scope and month (``address.ReviewAddress``), and the review read from
``services.review`` and laid out by ``pages.review``; the exports are links to the API, which builds them from the
same read model."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from dash import Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.review import build_review, keep_layers, last_full_month
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import (
    AddressError,
    ReviewAddress,
    ReviewTarget,
    keep_address_js,
    read_layers,
    review_href,
)
from huddle.dashboard.web.render_cache import as_sent
from huddle.pages.components import layer_chip, scope_options
from huddle.pages.review import export_links, month_options, render_review, review_problem


def _target(services: Services, view: dict[str, Any]) -> ReviewTarget:
    """The scope and month the page's view asks for (``AddressError`` when it cannot be shown)."""
    return ReviewAddress.from_view(view).resolve(services.config, services.clock())


def controls(services: Services, view: dict[str, Any]) -> tuple[Any, ...]:
    """The pickers: every scope, the month to date and the 24 before it, set to what the address shows."""
    config = services.config
    latest = last_full_month(config, services.clock())
    options = month_options(period_containing("month", latest.last + timedelta(days=1)))
    try:
        scope, month = _target(services, view)
    except AddressError:
        return scope_options(config), None, options, None
    return scope_options(config), scope, options, month.label


def choose(services: Services, scope: str | None, month: str | None, view: dict[str, Any]) -> dict[str, Any]:
    """A picker changed: the page's new view."""
    if not scope or not month:
        raise PreventUpdate
    try:
        current = _target(services, view)
    except AddressError:
        current = None
    if current is not None and (scope, month) == (current.scope, current.month.label):
        raise PreventUpdate  # the controls only echoed the view they were set from
    return ReviewAddress(scope, month, ReviewAddress.from_view(view).layer).as_view()  # the layer filter stays


def show(services: Services, view: dict[str, Any]) -> tuple[Any, Any]:
    """The review of the address's scope and month, and the links to its exports."""
    try:
        scope, month = _target(services, view)
        layers = read_layers(ReviewAddress.from_view(view).layer)
    except AddressError as exc:
        return review_problem(str(exc)), None
    review = keep_layers(build_review(services, scope, month), layers)  # the bowler and candidates of the layers
    chip = layer_chip(services.config, layers, review_href(scope, month))
    return as_sent([chip, *render_review(review, services.config)], export_links(scope, month, layers))


def register(app: Dash, services: Services) -> None:
    """Wire the review page (``services.config`` is read per request: with several sites it is the request's)."""
    app.callback(Output(ids.REVIEW_SCOPE, "options"), Output(ids.REVIEW_SCOPE, "value"),
                 Output(ids.REVIEW_MONTH, "options"), Output(ids.REVIEW_MONTH, "value"),
                 Input(ids.REVIEW_VIEW, "data"))(partial(controls, services))
    app.callback(Output(ids.REVIEW_VIEW, "data"), Input(ids.REVIEW_SCOPE, "value"), Input(ids.REVIEW_MONTH, "value"),
                 State(ids.REVIEW_VIEW, "data"), prevent_initial_call=True)(partial(choose, services))
    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        keep_address_js(ReviewAddress), Output(ids.REVIEW_EXPORTS, "title"), Input(ids.REVIEW_VIEW, "data"))
    app.callback(Output(ids.REVIEW_BODY, "children"), Output(ids.REVIEW_EXPORTS, "children"),
                 Input(ids.REVIEW_VIEW, "data"))(partial(show, services))
