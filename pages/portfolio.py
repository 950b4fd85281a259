"""The portfolio: every site side by side on its last shift's SQDCM statuses and its root KPI. Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html
from huddle.dashboard.web import ids


def layout(**_query: str) -> html.Div:
    """Skeleton; the sites arrive through the callback (and again every minute)."""
    return html.Div([
        dcc.Interval(id=ids.PORTFOLIO_REFRESH, interval=60_000),
        html.H1("Sites compared"),
        html.P("Each site in its own time zone: the plant board's S Q D C M for its last shift, and its root KPI for "
               "its last full day and its month to date.", className="hint"),
        html.Div(id=ids.PORTFOLIO_BODY, className="card"),
    ])


def register() -> None:
    """Register the page with Dash Pages (in the navigation only when several sites are served)."""
    dash.register_page("portfolio", path="/portfolio", name="Sites", order=5, nav=True, several_sites=True,
                       layout=layout)
