"""The plant overview: every line's headline KPIs for the shift that just ended (or a day, week, month)."""

from __future__ import annotations

import dash
from dash import dcc, html
from huddle.dashboard.web import ids


def layout(**_query: str) -> html.Div:
    """Skeleton; numbers arrive through the overview callback."""
    return html.Div([
        html.Div([
            html.H1("Plant overview", id=ids.OVERVIEW_TITLE),
            dcc.RadioItems(id=ids.OVERVIEW_GRAIN, className="grain-switch", inline=True, value="shift",
                           options=[{"label": "Last shift", "value": "shift"}, {"label": "Today", "value": "day"},
                                    {"label": "This week", "value": "week"},
                                    {"label": "This month", "value": "month"}]),
        ], className="page-head"),
        html.P(id=ids.OVERVIEW_FRESHNESS, className="freshness"),
        html.Div(id=ids.OVERVIEW_TABLE, className="table-wrap"),
        dcc.Interval(id=ids.OVERVIEW_REFRESH, interval=60_000),
    ])


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("overview", path="/", name="Overview", order=0, nav=True, layout=layout)
