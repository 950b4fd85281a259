"""The huddle records: every huddle held on a day at a scope and the scopes inside it (tier, shift, when, who came,
what was red, the actions reviewed, the escalations raised, the notes), with their downloads. The layout (the records
arrive through its callback) and the renderer: huddle record views in, components out.

The address says what is shown (``address.HuddlesAddress``): ``/huddles?date=2026-12-01&scope=L1`` (default: today,
the whole plant).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash
from dash import dcc, html
from huddle.dashboard.core.i18n import N_, _, ngettext
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import HuddlesAddress


def layout(**query: str) -> html.Div:
    """Skeleton with the address in a store; no database access."""
    return html.Div([
        dcc.Store(id=ids.HUDDLES_VIEW, data=HuddlesAddress.from_query(query).as_view()),
        html.Div([html.H1(_("Huddle records")), html.P(id=ids.HUDDLES_SUMMARY, className="hint")],
                 className="page-head"),
        html.Div([
            html.Label([_("Production date"), dcc.Input(id=ids.HUDDLES_DATE, type="date", debounce=True)],
                       className="manual-field"),
            html.Label([_("Scope"), dcc.Dropdown(id=ids.HUDDLES_SCOPE, clearable=False)], className="manual-field"),
            html.A(_("Download CSV"), id=ids.HUDDLES_CSV, className="nav-link dark"),
            html.A(_("Download Excel"), id=ids.HUDDLES_XLSX, className="nav-link dark"),
        ], className="form-row card"),
        html.Div(id=ids.HUDDLES_TABLE, className="card table-wrap"),
    ], className="huddles-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("huddles", path="/huddles", name=N_("Huddles"), order=6, nav=True, layout=layout)


def _list(items: Sequence[str]) -> Any:
    return html.Ul([html.Li(i) for i in items], className="plain") if items else "—"


def render_records(records: Sequence[Any], tz: Any) -> Any:
    """One row a huddle held, in the order they were held."""
    if not records:
        return html.P(_("No huddle was recorded on this day at this scope."), className="empty")
    heads = [_("Tier"), _("Scope"), _("Shift"), _("Time"), _("Who attended"), _("KPIs red"), _("Actions reviewed"),
             _("Escalations raised"), _("Notes"), _("Recorded by")]
    rows = [html.Tr([
        html.Td(r.tier_title), html.Td(r.scope_name), html.Td(r.shift_words),
        html.Td(_("{start}–{end} ({minutes} min)").format(start=r.started_at.astimezone(tz).strftime("%H:%M"),
                                                          end=r.ended_at.astimezone(tz).strftime("%H:%M"),
                                                          minutes=round(r.minutes))),
        html.Td(_list(r.attendees)), html.Td(_list([f"{k['name']} {k['value']}" for k in r.red_kpis])),
        html.Td(_list([f"{a['what']} ({a['owner']})" for a in r.actions])),
        html.Td(_list([e["sentence"] for e in r.escalations])), html.Td(r.notes or "—", className="notes"),
        html.Td(r.recorded_by)], className="huddle-record") for r in records]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
                      className="grid huddle-records")


def summary(count: int, day_words: str, scope_name: str) -> str:
    """How many huddles the page lists, where and when."""
    return ngettext("{n} huddle recorded on {day} at {scope}", "{n} huddles recorded on {day} at {scope}",
                    count).format(n=count, day=day_words, scope=scope_name)


def huddle_counts(counts: Sequence[Any], month: str) -> html.Section | None:
    """The monthly review's count of each line's huddles: its production shifts, held and missed."""
    if not counts:
        return None
    rows = [html.Tr([html.Td(c.line_name), html.Td(str(c.shifts)), html.Td(str(c.held)),
                     html.Td(str(c.missed), className="overdue" if c.missed else None)]) for c in counts]
    return html.Section([
        html.H2(_("Huddles held and missed in {month}").format(month=month)),
        html.P(_("A huddle is missed when a production shift of the line (by the plant calendar) has no record."),
               className="hint"),
        html.Table([html.Thead(html.Tr([html.Th(_("Line")), html.Th(_("Production shifts")), html.Th(_("Held")),
                                        html.Th(_("Missed"))])), html.Tbody(rows)], className="grid huddle-counts"),
    ], className="card")
