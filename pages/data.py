"""The Data page: loader status, the run ledger, the quarantine and the 48-hour baseline tracker."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import ids


def _section(title: str, hint: str, body_id: str) -> html.Section:
    return html.Section([html.H2(title), html.P(hint, className="hint"), html.Div(id=body_id, className="table-wrap")],
                        className="card")


def layout(**_query: str) -> html.Div:
    """Skeleton; the tables arrive through the data callback."""
    return html.Div([
        html.Div([html.H1("Data")], className="page-head"),
        html.Div(id=ids.DATA_HEALTH, className="health-strip"),
        _section("Loaders", "Each source Huddle reads, its schedule and its last runs.", ids.DATA_SOURCES),
        _section("Baseline tracker", "Every KPI with its current value, data source, frequency and owner. "
                 "A KPI with no data source is a finding to resolve.", ids.DATA_BASELINE),
        _section("Quarantine", "Rows and files the loaders refused, where they were and why. Fix the file and "
                 "drop it in the inbox again: good rows already loaded are not doubled.", ids.DATA_QUARANTINE),
        _section("Run ledger", "The latest 50 loader runs.", ids.DATA_RUNS),
        dcc.Interval(id=ids.DATA_REFRESH, interval=15_000),
    ])


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("data", path="/data", name="Data", order=90, nav=True, layout=layout)
