"""The Admin page's plant calendar card: the last recordable case before the plant (or a line) went live with
Huddle, from which "days since the last recordable" counts until a newer case is loaded, and the go-live dates and
planned days off in force. Its layout holds no data; ``callbacks.admin_calendar`` fills it for admins only."""

from __future__ import annotations

from datetime import date
from typing import Any

from dash import dcc, html
from huddle.dashboard.core.format import picker_date_format
from huddle.dashboard.core.i18n import N_, _, day_text, pgettext
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.plant_calendar import PLANT, PlannedDays
from huddle.dashboard.web import ids
from huddle.pages.components import scroll_box, table

PLANNED_KINDS = {"holiday": N_("holiday"), "shutdown": N_("shutdown"), "no orders": N_("no orders")}


def calendar_card() -> html.Section:
    """The card: the dates in force and a form to set the last recordable before go-live."""
    return html.Section([
        html.H2(_("Plant calendar")),
        html.P(_("Before go-live nothing is coloured. Days since the last recordable count from the last recordable "
                 "before go-live until a newer case is loaded. Holidays and shutdowns come from the plant file and "
                 "'huddle calendar import FILE'."), className="hint"),
        scroll_box(_("Plant calendar"), id=ids.ADMIN_CALENDAR),
        html.Div([
            html.H3(_("Last recordable before go-live")),
            html.Div([
                html.Label([html.Span(_("For")), dcc.Dropdown(id=ids.ADMIN_LAST_RECORDABLE_SCOPE, options=[],
                                                           value=PLANT, clearable=False,
                                                           className="admin-dropdown")], className="admin-field"),
                html.Label([html.Span(_("Date")), dcc.DatePickerSingle(id=ids.ADMIN_LAST_RECORDABLE_DATE,
                                                                    display_format=picker_date_format(),
                                                                    first_day_of_week=1,
                                                                    placeholder=_("Pick a day"))],
                           className="admin-field"),
                html.Button(_("Save"), id=ids.ADMIN_LAST_RECORDABLE_BUTTON, n_clicks=0, type="button",
                            className="primary"),
            ], className="admin-row"),
            html.P(id=ids.ADMIN_LAST_RECORDABLE_MESSAGE, className="admin-message", role="status",
                   **{"aria-live": "polite"}),
        ], className="admin-form"),
    ], className="card")


def day_words(day: date | None) -> str:
    """A day with its year, 'Thu 1 Oct 2026', or a dash when there is none."""
    return day_text(day, pgettext("date pattern", "EEE d MMM y")) if day else "—"


def calendar_table(config: PlantConfig, last_recordables: dict[str, date], planned: list[PlannedDays]) -> Any:
    """The plant's and each line's go-live and last recordable before it, then the planned days off."""
    cal = config.plant_calendar
    rows = [{"scope": config.site_name, "go_live": day_words(cal.go_live),
             "last": day_words(last_recordables.get(PLANT))}]
    rows += [{"scope": line.name, "go_live": day_words(cal.go_live_of(key)),
              "last": day_words(last_recordables.get(key))} for key, line in config.lines.items()]
    dates = table([("scope", _("Plant or line")), ("go_live", _("Go-live")),
                   ("last", _("Last recordable before go-live"))], rows)
    days = [{"when": day_words(p.first) + (f" – {day_words(p.last)}" if p.last != p.first else ""), "name": p.name,
             "kind": _(PLANNED_KINDS[p.kind]) if p.kind in PLANNED_KINDS else p.kind,
             "scope": config.site_name if p.scope == PLANT else config.scope_name(p.scope)}
            for p in sorted(planned, key=lambda p: p.first)]
    return [dates, table([("when", _("Planned")), ("name", _("Name")), ("kind", _("Kind")), ("scope", _("For"))],
                         days, empty=N_("No holidays or shutdowns planned."))]


def scope_options(config: PlantConfig) -> list[dict[str, str]]:
    """The plant, then each line, by name."""
    return [{"label": config.site_name, "value": PLANT}] + [
        {"label": line.name, "value": key} for key, line in config.lines.items()]
