"""The Admin page's plant calendar card: the last recordable case before the plant (or a line) went live with
Huddle, from which "days since the last recordable" counts until a newer case is loaded, and the go-live dates and
planned days off in force. Its layout holds no data; ``callbacks.admin_calendar`` fills it for admins only."""

from __future__ import annotations

from datetime import date
from typing import Any

from dash import dcc, html
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.plant_calendar import PLANT, PlannedDays
from huddle.dashboard.web import ids
from huddle.pages.components import scroll_box, table


def calendar_card() -> html.Section:
    """The card: the dates in force and a form to set the last recordable before go-live."""
    return html.Section([
        html.H2("Plant calendar"),
        html.P("Before go-live nothing is coloured. Days since the last recordable count from the last recordable "
               "before go-live until a newer case is loaded. Holidays and shutdowns come from the plant file and "
               "'huddle calendar import FILE'.", className="hint"),
        scroll_box("Plant calendar", id=ids.ADMIN_CALENDAR),
        html.Div([
            html.H3("Last recordable before go-live"),
            html.Div([
                html.Label([html.Span("For"), dcc.Dropdown(id=ids.ADMIN_LAST_RECORDABLE_SCOPE, options=[],
                                                           value=PLANT, clearable=False,
                                                           className="admin-dropdown")], className="admin-field"),
                html.Label([html.Span("Date"), dcc.DatePickerSingle(id=ids.ADMIN_LAST_RECORDABLE_DATE,
                                                                    display_format="D MMM YYYY")],
                           className="admin-field"),
                html.Button("Save", id=ids.ADMIN_LAST_RECORDABLE_BUTTON, n_clicks=0, type="button",
                            className="primary"),
            ], className="admin-row"),
            html.P(id=ids.ADMIN_LAST_RECORDABLE_MESSAGE, className="admin-message", role="status",
                   **{"aria-live": "polite"}),
        ], className="admin-form"),
    ], className="card")


def _day(day: date | None) -> str:
    return f"{day:%a %d %b %Y}" if day else "—"


def calendar_table(config: PlantConfig, last_recordables: dict[str, date], planned: list[PlannedDays]) -> Any:
    """The plant's and each line's go-live and last recordable before it, then the planned days off."""
    cal = config.plant_calendar
    rows = [{"scope": config.site_name, "go_live": _day(cal.go_live),
             "last": _day(last_recordables.get(PLANT))}]
    rows += [{"scope": line.name, "go_live": _day(cal.go_live_of(key)), "last": _day(last_recordables.get(key))}
             for key, line in config.lines.items()]
    dates = table([("scope", "Plant or line"), ("go_live", "Go-live"), ("last", "Last recordable before go-live")],
                  rows)
    days = [{"when": _day(p.first) + (f" – {_day(p.last)}" if p.last != p.first else ""), "name": p.name,
             "kind": p.kind, "scope": config.site_name if p.scope == PLANT else config.scope_name(p.scope)}
            for p in sorted(planned, key=lambda p: p.first)]
    return [dates, table([("when", "Planned"), ("name", "Name"), ("kind", "Kind"), ("scope", "For")], days,
                         empty="No holidays or shutdowns planned.")]


def scope_options(config: PlantConfig) -> list[dict[str, str]]:
    """The plant, then each line, by name."""
    return [{"label": config.site_name, "value": PLANT}] + [
        {"label": line.name, "value": key} for key, line in config.lines.items()]
