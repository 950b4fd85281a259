"""Wiring of the overview page: refreshes the lines × headline KPIs table (``pages.overview`` draws it)."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.pages.overview import GRAIN_TITLES, headline_kpis, no_shift_yet, render_overview


def refresh(services: Services, grain: str, _n: int | None) -> tuple[Any, str, str]:
    """Every line and the plant on the headline KPIs for the grain's current period (the shift: the last ended)."""
    grain = grain if grain in GRAIN_TITLES else "shift"
    period: Period | None = (services.readings.last_completed_shift() if grain == "shift"
                             else services.readings.current_period(grain))
    if period is None:
        return no_shift_yet()
    kpis = headline_kpis(services.config)
    readings = {scope: services.readings.readings_in_own_periods(kpis, scope, period)
                for scope in [*services.config.lines, "plant"]}
    return render_overview(services.config, grain, period, kpis, readings)


def register(app: Dash, services: Services) -> None:
    """Wire the overview page."""
    app.callback(
        Output(ids.OVERVIEW_TABLE, "children"), Output(ids.OVERVIEW_TITLE, "children"),
        Output(ids.OVERVIEW_FRESHNESS, "children"),
        Input(ids.OVERVIEW_GRAIN, "value"), Input(ids.OVERVIEW_REFRESH, "n_intervals"),
    )(partial(refresh, services))
