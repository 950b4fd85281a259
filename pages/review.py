"""The monthly KPI business review: the bowler of every KPI over 12 months, red months with their countermeasures,
the month's losses, the lines compared, why the root moved, OKR candidates, and the printed pack. Layout only.

The address says what is shown: ``/review?scope=L2&month=2026-10`` (default: the plant, the last full month).
"""

from __future__ import annotations

import dash
from dash import dcc, html
from huddle.dashboard.web import ids


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; the review arrives through its callback."""
    return html.Div([
        dcc.Store(id=ids.REVIEW_VIEW, data={"scope": query.get("scope") or "", "month": query.get("month") or ""}),
        html.Div([
            html.Label(["Scope", dcc.Dropdown(id=ids.REVIEW_SCOPE, clearable=False)], className="manual-field"),
            html.Label(["Month", dcc.Dropdown(id=ids.REVIEW_MONTH, clearable=False)], className="manual-field"),
            html.Div(id=ids.REVIEW_EXPORTS, className="exports"),
        ], className="form-row review-controls"),
        dcc.Loading(html.Div(id=ids.REVIEW_BODY, className="review"), type="default"),
    ], className="review-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("review", path="/review", name="Monthly review", order=3, nav=True, layout=layout)
