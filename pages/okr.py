"""The quarter's OKRs: the week's meeting view, the check-in form, objectives cascaded company → plant → area and
line with each key result's progress, status, confidence and history, closing the quarter, and planning. Layout
only; the quarter arrives through callbacks.

The address says what is shown: ``/okr?quarter=2026-Q4&scope=L2`` (default: this quarter, every level).
"""

from __future__ import annotations

import dash
from dash import dcc, html
from huddle.dashboard.web import ids

KINDS = [("increase", "increase to"), ("decrease", "decrease to"), ("stay_above", "stay at or above"),
         ("stay_below", "stay at or below"), ("milestone", "milestone (done or not)")]


def _field(label: str, control: object, wide: bool = False) -> html.Label:
    return html.Label([label, control], className="manual-field" + (" wide" if wide else ""))


def _plan() -> html.Details:
    """Forms to create and edit objectives and key results (editors; the server checks)."""
    objective = html.Div([
        html.H3("Objective"),
        html.Div([
            _field("Objective", dcc.Dropdown(id=ids.OKR_OBJ_PICK, clearable=False, value="new")),
            _field("Level and scope", dcc.Dropdown(id=ids.OKR_OBJ_SCOPE, clearable=False)),
            _field("Under", dcc.Dropdown(id=ids.OKR_OBJ_PARENT, placeholder="(top of the cascade)")),
        ], className="form-row"),
        html.Div([
            _field("Title", dcc.Input(id=ids.OKR_OBJ_TITLE, type="text", maxLength=1000), wide=True),
            _field("Owner", dcc.Input(id=ids.OKR_OBJ_OWNER, type="text", maxLength=120)),
            html.Button("Save objective", id=ids.OKR_OBJ_SAVE, className="primary"),
        ], className="form-row"),
        dcc.Store(id=ids.OKR_OBJ_VERSION),
        html.Div(id=ids.OKR_OBJ_MESSAGE, className="form-message", role="status"),
    ])
    key_result = html.Div([
        html.H3("Key result"),
        html.Div([
            _field("Of objective", dcc.Dropdown(id=ids.OKR_KR_OBJECTIVE, clearable=False)),
            _field("Key result", dcc.Dropdown(id=ids.OKR_KR_PICK, clearable=False, value="new")),
            _field("Title", dcc.Input(id=ids.OKR_KR_TITLE, type="text", maxLength=1000), wide=True),
            _field("Owner", dcc.Input(id=ids.OKR_KR_OWNER, type="text", maxLength=120)),
        ], className="form-row"),
        html.Div([
            _field("Kind", dcc.Dropdown(id=ids.OKR_KR_KIND, options=[{"label": t, "value": k} for k, t in KINDS],
                                        value="increase", clearable=False)),
            _field("Start", dcc.Input(id=ids.OKR_KR_START, type="number")),
            _field("Target", dcc.Input(id=ids.OKR_KR_TARGET, type="number")),
            _field("Unit", dcc.Input(id=ids.OKR_KR_UNIT, type="text", maxLength=16)),
            _field("Weight", dcc.Input(id=ids.OKR_KR_WEIGHT, type="number", value=1, min=0.1, step=0.1)),
        ], className="form-row"),
        html.Div([
            _field("Bound KPI", dcc.Dropdown(id=ids.OKR_KR_KPI, placeholder="none: checked in by hand")),
            _field("KPI read at", dcc.Dropdown(id=ids.OKR_KR_KPI_SCOPE, placeholder="the objective's scope")),
            _field("Over", dcc.Dropdown(id=ids.OKR_KR_WINDOW, value="quarter", clearable=False, options=[
                {"label": "quarter to date", "value": "quarter"},
                {"label": "latest full week", "value": "week"}])),
            html.Button("Save key result", id=ids.OKR_KR_SAVE, className="primary"),
        ], className="form-row"),
        dcc.Store(id=ids.OKR_KR_VERSION),
        html.Div(id=ids.OKR_KR_MESSAGE, className="form-message", role="status"),
    ])
    return html.Details([html.Summary("Plan objectives and key results"), objective, key_result],
                        id=ids.OKR_PLAN, className="card okr-plan")


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; the quarter arrives through its callbacks."""
    return html.Div([
        dcc.Store(id=ids.OKR_VIEW, data={"quarter": query.get("quarter") or "", "scope": query.get("scope") or ""}),
        dcc.Store(id=ids.OKR_CHANGED, data=0),
        dcc.Store(id=ids.OKR_VERSION),
        dcc.Interval(id=ids.OKR_REFRESH, interval=60_000),
        html.Div([
            _field("Quarter", dcc.Dropdown(id=ids.OKR_QUARTER, clearable=False)),
            _field("Objectives of", dcc.Dropdown(id=ids.OKR_SCOPE, clearable=False)),
            html.Div(id=ids.OKR_EXPORTS, className="exports"),
        ], className="form-row review-controls"),
        html.Div(id=ids.OKR_SUMMARY, className="okr-summary"),
        html.Div([
            html.Section(id=ids.OKR_MEETING, className="card"),
            html.Section([
                html.H2("Weekly check-in"),
                html.Div([_field("Week", dcc.Dropdown(id=ids.OKR_CHECKIN_WEEK, clearable=False))],
                         className="form-row"),
                html.Div(id=ids.OKR_CHECKIN_ROWS),
            ], id=ids.OKR_CHECKIN, className="card"),
            html.Section(id=ids.OKR_OBJECTIVES, className="card"),
            html.Section([
                html.H2("History"),
                html.Div([_field("Key result", dcc.Dropdown(id=ids.OKR_HISTORY_PICK, clearable=False), wide=True)],
                         className="form-row"),
                html.Div(id=ids.OKR_HISTORY),
            ], className="card"),
            html.Section([
                html.Div(id=ids.OKR_CLOSE),
                html.Button("Close the quarter", id=ids.OKR_CLOSE_BUTTON, className="primary"),
                html.Div(id=ids.OKR_CLOSE_MESSAGE, className="form-message", role="status"),
            ], className="card"),
            _plan(),
        ], id=ids.OKR_SECTIONS),  # hidden when the address names a quarter or scope that cannot be shown
    ], className="okr-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("okr", path="/okr", name="OKRs", order=4, nav=True, layout=layout)
