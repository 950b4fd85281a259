"""The KPI tree: from a red root down to the leaf that caused it, and the events behind that leaf. Layout only.

The address says what is shown, so a supervisor can send a link to exactly what they see:
``/tree?tree=oee&scope=L2&grain=day&date=2026-11-20&node=unplanned_downtime`` (``shift=N`` with ``grain=shift``).
Defaults: the first configured tree, the whole plant, the last complete production day, the root selected.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_cytoscape as cyto
from dash import dcc, html
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity, has_request_context

GRAINS = [{"label": "Shift", "value": "shift"}, {"label": "Day", "value": "day"},
          {"label": "Week", "value": "week"}, {"label": "Month", "value": "month"}]

#: How the tree is drawn: status by fill, border and an icon in the label (colour is never the only signal),
#: driver edges solid with how they combine, trade-offs dashed.
STYLESHEET: list[dict[str, Any]] = [
    {"selector": "node", "style": {
        "shape": "round-rectangle", "width": 190, "height": 92, "label": "data(label)", "text-wrap": "wrap",
        "text-max-width": 180, "text-valign": "center", "text-halign": "center", "font-size": 15,
        "font-family": "DejaVu Sans, sans-serif", "line-height": 1.25, "background-color": "#eceff1",
        "border-width": 3, "border-color": "#6b7680", "color": "#14202b"}},
    {"selector": ".green", "style": {"background-color": "#e3f4e7", "border-color": "#1e7b34"}},
    {"selector": ".amber", "style": {"background-color": "#fff1d6", "border-color": "#9a6200"}},
    {"selector": ".red", "style": {"background-color": "#fde4e4", "border-color": "#b3141c", "border-width": 5}},
    {"selector": ".grey", "style": {"background-color": "#eceff1", "border-color": "#6b7680", "color": "#4b5660"}},
    {"selector": ".stale", "style": {"background-color": "#e6e6e6", "border-style": "dashed"}},
    {"selector": ".incomplete", "style": {"background-color": "#e9ecef", "border-color": "#6b7680",
                                          "border-style": "dashed", "border-width": 4}},
    {"selector": ".check", "style": {"background-color": "#fff8e1", "border-color": "#3b2a00", "border-width": 6}},
    {"selector": ".red-below", "style": {"border-style": "double", "border-width": 7}},
    {"selector": ".folded", "style": {"shape": "round-rectangle", "background-opacity": 0.9,
                                      "outline-width": 0}},
    {"selector": ".chosen", "style": {"underlay-color": "#1f4e79", "underlay-opacity": 0.35,
                                      "underlay-padding": 9}},
    {"selector": "edge", "style": {"curve-style": "taxi", "taxi-direction": "downward", "width": 2.5,
                                   "line-color": "#8796a5", "target-arrow-shape": "none",
                                   "label": "data(label)", "font-size": 20, "font-weight": "bold",
                                   "text-background-color": "#ffffff", "text-background-opacity": 1,
                                   "text-background-padding": 2, "color": "#1f4e79"}},
    {"selector": ".driver", "style": {"line-style": "dotted", "line-color": "#9aa7b3"}},
    # a trade-off arcs between the bottoms of its two nodes: siblings sit too close for a straight line to show
    {"selector": ".tradeoff", "style": {"curve-style": "unbundled-bezier", "control-point-distances": [70],
                                        "control-point-weights": [0.5], "source-endpoint": "0% 50%",
                                        "target-endpoint": "0% 50%", "line-style": "dashed",
                                        "line-color": "#c26a00", "width": 3, "font-size": 13, "color": "#c26a00",
                                        "label": "data(label)", "z-index": 10}},
]


def view_from_query(query: dict[str, str]) -> dict[str, Any]:
    """The tree's view from the address (unknown trees, scopes and dates are judged by the callback)."""
    return {key: query.get(key) or "" for key in ("tree", "scope", "grain", "date", "shift", "node")}


def _field(label: str, control: Any, extra: str = "") -> html.Label:
    return html.Label([label, control], className=f"manual-field {extra}".strip())


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; no database access (the tree arrives through its callbacks)."""
    editor = current_identity().may("editor") if has_request_context() else True
    return html.Div([
        dcc.Store(id=ids.TREE_VIEW, data=view_from_query(query)),
        dcc.Store(id=ids.TREE_EXPANDED), dcc.Store(id=ids.TREE_SELECTED), dcc.Store(id=ids.TREE_KEY),
        dcc.Store(id=ids.TREE_DATA_KEY),
        dcc.Store(id=ids.TREE_VALUES), dcc.Store(id=ids.TREE_ADDRESS), dcc.Store(id=ids.TREE_ACTION_CHANGED, data=0),
        dcc.Interval(id=ids.TREE_REFRESH, interval=60_000),
        html.Div([
            _field("Tree", dcc.Dropdown(id=ids.TREE_PICK, clearable=False)),
            _field("Scope", dcc.Dropdown(id=ids.TREE_SCOPE, clearable=False)),
            html.Div([html.Span("Period", className="field-label"),
                      dcc.RadioItems(id=ids.TREE_GRAIN, options=GRAINS, inline=True, className="grain-switch")],
                     className="manual-field"),
            _field("Date", dcc.DatePickerSingle(id=ids.TREE_DATE, display_format="YYYY-MM-DD",
                                                first_day_of_week=1)),
            _field("Shift", dcc.Dropdown(id=ids.TREE_SHIFT, clearable=False), "tree-shift-field"),
        ], className="form-row tree-controls"),
        html.Div(id=ids.TREE_SUMMARY, className="tree-summary", role="status"),
        html.Div([
            html.Section([
                cyto.Cytoscape(id=ids.TREE_GRAPH, elements=[], stylesheet=STYLESHEET,
                               layout={"name": "preset", "fit": True, "padding": 30},
                               style={"width": "100%", "height": "640px"}, minZoom=0.15, maxZoom=1.3,
                               autoungrabify=True, boxSelectionEnabled=False, wheelSensitivity=0.3),
                html.P(["Click a node to open it; click it again to fold or unfold what lies below. ",
                        html.Strong("Double border"), ": red lies below. ", html.Strong("×"), " / ",
                        html.Strong("+"), ": the children multiply or add up to the parent; dotted: drives it "
                        "without a formula; ", html.Span("orange dashed", className="tradeoff-word"),
                        ": a trade-off."], className="hint legend"),
                html.Details([html.Summary("Tree checks"), html.Div(id=ids.TREE_FINDINGS)], className="findings"),
            ], className="card tree-canvas"),
            html.Aside([
                html.Div(id=ids.TREE_PANEL),
                dcc.Graph(id=ids.TREE_TREND, config={"displayModeBar": False}, style={"height": "300px"}),
                html.Section([
                    html.H3("What if"),
                    html.Label([html.Span(id=ids.TREE_WHATIF_LABEL),
                                dcc.Input(id=ids.TREE_WHATIF_VALUE, type="number", debounce=True)],
                               className="manual-field"),
                    html.P(id=ids.TREE_WHATIF_RESULT, className="form-message", role="status"),
                    html.Label([html.Span(id=ids.TREE_GOAL_LABEL),
                                dcc.Input(id=ids.TREE_GOAL_TARGET, type="number", debounce=True)],
                               className="manual-field"),
                    html.P(id=ids.TREE_GOAL_RESULT, className="form-message", role="status"),
                ], id=ids.TREE_WHATIF, className="panel-block", hidden=True),
                html.Section([
                    html.H3(id=ids.TREE_EVENTS_HEAD),
                    dcc.Graph(id=ids.TREE_PARETO, config={"displayModeBar": False}, style={"height": "280px"}),
                    html.Div(id=ids.TREE_PARETO_TABLE, className="table-wrap"),
                    _field("Show records of", dcc.Dropdown(id=ids.TREE_EVENT_FILTER, placeholder="all"), "wide"),
                    html.Div(id=ids.TREE_EVENT_RECORDS, className="table-wrap records"),
                ], id=ids.TREE_EVENTS, className="panel-block", hidden=True),
                html.Section([
                    html.Div(id=ids.TREE_ACTIONS),
                    html.P("Actions raised here answer this node's KPI in this scope." if editor else
                           "Sign in as an editor to raise an action.", className="hint"),
                    html.Div([
                        _field("What", dcc.Input(id=ids.TREE_ACTION_WHAT, type="text", maxLength=500), "wide"),
                        _field("Owner", dcc.Input(id=ids.TREE_ACTION_OWNER, type="text", maxLength=120)),
                        _field("Due", dcc.Input(id=ids.TREE_ACTION_DUE, type="date")),
                        html.Button("Raise action", id=ids.TREE_ACTION_ADD, n_clicks=0, className="primary",
                                    disabled=not editor),
                    ], className="form-row"),
                    html.P(id=ids.TREE_ACTION_MESSAGE, className="form-message", role="status"),
                ], className="panel-block"),
            ], className="card tree-panel"),
        ], className="tree-layout"),
    ], className="tree-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("tree", path="/tree", name="KPI tree", order=2, nav=True, layout=layout)
