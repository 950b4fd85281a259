"""Wiring of the overview page: refreshes the lines × headline KPIs table."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, html
from huddle.dashboard.core.format import format_age, format_value
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.pages.components import status_badge

GRAIN_TITLES = {"shift": "Last shift", "day": "Today", "week": "This week", "month": "This month"}


def overview_table(services: Services, grain: str) -> tuple[Any, str, str]:
    """The table, its title and the freshness line for a grain."""
    config = services.config
    period: Period | None = (services.kpis.last_completed_shift() if grain == "shift"
                             else services.kpis.current_period(grain))
    if period is None:
        return html.P("No shift has ended yet.", className="empty"), "Plant overview", ""
    kpis = [k for k, d in config.kpis.items() if d.headline]
    scopes = [*config.lines, "plant"]
    head = html.Thead(html.Tr([html.Th("")] + [
        html.Th([html.Span(config.kpis[k].category, className="cat"), " ", config.kpis[k].name]) for k in kpis]))
    body = []
    newest = None
    for scope in scopes:
        readings = services.kpis.readings_in_own_periods(kpis, scope, period)
        cells = [html.Th(config.scope_name(scope))]
        for k in kpis:
            r = readings[k]
            if r.age_s is not None and (newest is None or r.age_s < newest):
                newest = r.age_s
            over = "" if r.period == period.label else f" · {r.period}"
            cells.append(html.Td([
                html.Div(format_value(r.value, r.unit), className="value"),
                status_badge(str(r.status)),
                html.Div(f"target {format_value(r.target, r.unit)}{over}", className="target"),
                html.Div(f"⚠ {r.checks[0]}" if r.checks else f"◐ {r.gaps[0]}", className="target")
                if r.checks or r.gaps else None,
            ], className=f"cell status-{r.status}"))
        body.append(html.Tr(cells, className="total" if scope == "plant" else None))
    title = f"Plant overview · {GRAIN_TITLES[grain]} · {period.label}"
    return html.Table([head, html.Tbody(body)], className="grid overview"), title, format_age(newest)


def register(app: Dash, services: Services) -> None:
    """Wire the overview page."""

    @app.callback(
        Output(ids.OVERVIEW_TABLE, "children"), Output(ids.OVERVIEW_TITLE, "children"),
        Output(ids.OVERVIEW_FRESHNESS, "children"),
        Input(ids.OVERVIEW_GRAIN, "value"), Input(ids.OVERVIEW_REFRESH, "n_intervals"),
    )
    def refresh(grain: str, _n: int | None) -> tuple[Any, str, str]:
        return overview_table(services, grain if grain in GRAIN_TITLES else "shift")
