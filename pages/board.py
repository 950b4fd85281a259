"""The SQDCM shift board for the wall TV and the huddle: layout only; the board arrives through its callback.

The address says what is shown, so a bookmark or a TV always opens the same view:
``/board?scope=L2&date=2026-11-20&shift=N`` (default: the whole plant, the shift that just ended), ``live=1``
for the shift in progress, ``kiosk=1`` for a TV (no navigation or controls), ``scopes=L1,L2,L3&cycle=30`` to rotate
through a playlist, ``refresh=60`` seconds between refreshes, ``timer=15`` minutes of huddle timer.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity, has_request_context

DEFAULT_REFRESH_S = 60


def _seconds(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


def view_from_query(query: dict[str, str]) -> dict[str, Any]:
    """The board's view settings from the address (unknown scopes and dates are judged by the callback)."""
    scopes = [s for s in (query.get("scopes") or "").split(",") if s]
    return {
        "scope": query.get("scope") or (scopes[0] if scopes else "plant"),
        "scopes": scopes,
        "date": query.get("date") or "",
        "shift": query.get("shift") or "",
        "live": query.get("live") in ("1", "true", "yes"),
        "kiosk": query.get("kiosk") in ("1", "true", "yes"),
        "cycle": _seconds(query.get("cycle"), 0, 0, 3600),
        "refresh": _seconds(query.get("refresh"), DEFAULT_REFRESH_S, 10, 3600),
        "timer": _seconds(query.get("timer"), 0, 0, 120),
    }


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; no database access."""
    view = view_from_query(query)
    return html.Div([
        dcc.Store(id=ids.BOARD_VIEW, data=view),
        dcc.Store(id=ids.BOARD_KEY),
        dcc.Interval(id=ids.BOARD_REFRESH, interval=view["refresh"] * 1000),
        dcc.Interval(id=ids.BOARD_CYCLE, interval=max(view["cycle"], 1) * 1000, disabled=not view["cycle"]),
        dcc.Interval(id=ids.BOARD_CLOCK, interval=30_000),
        html.Div([
            dcc.Dropdown(id=ids.BOARD_SCOPE, clearable=False, className="board-scope"),
            dcc.RadioItems(id=ids.BOARD_MODE, inline=True, className="grain-switch",
                           options=[{"label": "Shift that just ended", "value": "ended"},
                                    {"label": "Shift in progress", "value": "live"}],
                           value="live" if view["live"] else "ended"),
            html.A("Open as a TV (kiosk)", id="board-kiosk-link", className="nav-link dark"),
        ], id=ids.BOARD_CONTROLS, className="board-controls", hidden=view["kiosk"]),
        html.Div(id=ids.BOARD_TIMER, className="huddle-timer", **{"data-minutes": str(view["timer"])}),
        html.Div(id=ids.BOARD_BODY, className="board"),
        _action_forms(hidden=view["kiosk"]),
    ], className="board-page kiosk" if view["kiosk"] else "board-page")


def _action_forms(hidden: bool) -> html.Section:
    """Raise an action, or move one on; editors only (the server checks, the form only says so)."""
    editor = current_identity().may("editor") if has_request_context() else True
    hint = "Actions raised here answer this board's scope and shift." if editor else \
        "Sign in as an editor to raise or close actions."
    field = "manual-field"
    return html.Section([
        dcc.Store(id=ids.ACTION_CHANGED, data=0),
        html.H2("Actions"), html.P(hint, className="hint"),
        html.Div([
            html.Label(["What", dcc.Input(id=ids.ACTION_WHAT, type="text", maxLength=500)], className=field + " wide"),
            html.Label(["Owner", dcc.Input(id=ids.ACTION_OWNER, type="text", maxLength=120)], className=field),
            html.Label(["Due", dcc.Input(id=ids.ACTION_DUE, type="date")], className=field),
            html.Label(["KPI", dcc.Dropdown(id=ids.ACTION_KPI)], className=field),
            html.Button("Raise action", id=ids.ACTION_ADD, n_clicks=0, className="primary", disabled=not editor),
        ], className="form-row"),
        html.Div([
            html.Label(["Action", dcc.Dropdown(id=ids.ACTION_PICK)], className=field + " wide"),
            html.Label(["New status", dcc.Dropdown(id=ids.ACTION_STATUS, options=[
                {"label": "open", "value": "open"}, {"label": "in progress", "value": "in_progress"},
                {"label": "done", "value": "done"}, {"label": "cancelled", "value": "cancelled"}])], className=field),
            html.Label(["What was done", dcc.Input(id=ids.ACTION_RESULT, type="text", maxLength=500)],
                       className=field + " wide"),
            html.Button("Save", id=ids.ACTION_SAVE, n_clicks=0, className="primary", disabled=not editor),
        ], className="form-row"),
        html.P(id=ids.ACTION_MESSAGE, className="form-message", role="status"),
    ], className="card action-forms", hidden=hidden)


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("board", path="/board", name="Board", order=1, nav=True, layout=layout)
