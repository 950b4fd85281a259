"""Wiring of the portfolio page: every site's row from ``services.portfolio``, refreshed every minute, drawn by
``pages.portfolio``."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.portfolio import portfolio
from huddle.dashboard.web import ids
from huddle.pages.portfolio import render_sites


def show(sites: dict[str, Services], _n: int | None) -> Any:
    """Every site's row."""
    return render_sites(portfolio(sites))


def register(app: Dash, sites: dict[str, Services]) -> None:
    """Wire the portfolio page for the sites served."""
    app.callback(Output(ids.PORTFOLIO_BODY, "children"), Input(ids.PORTFOLIO_REFRESH, "n_intervals"))(
        partial(show, sites))
