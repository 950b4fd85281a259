"""The portfolio: every site side by side on its last shift's SQDCM statuses and its root KPI. The layout (the sites
arrive through the callback) and its renderer: the sites' rows (``services.portfolio``) in, the table out."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import period_id_words
from huddle.dashboard.services.portfolio import SiteRow
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import board_href, tree_href
from huddle.pages.components import status_badge


def layout(**_query: str) -> html.Div:
    """Skeleton; the sites arrive through the callback (and again every minute)."""
    return html.Div([
        dcc.Interval(id=ids.PORTFOLIO_REFRESH, interval=60_000),
        html.H1(_("Sites compared")),
        html.P(_("Each site in its own time zone: the plant board's S Q D C M for its last shift, and its root KPI "
                 "for its last full day and its month to date."), className="hint"),
        html.Div(id=ids.PORTFOLIO_BODY, className="card"),
    ])


def register() -> None:
    """Register the page with Dash Pages (in the navigation only when several sites are served)."""
    dash.register_page("portfolio", path="/portfolio", name=N_("Sites"), order=5, nav=True, several_sites=True,
                       layout=layout)


# ---- renderers ---------------------------------------------------------------------------------------------


def _reading(row: SiteRow, which: str) -> Any:
    r = row.root_day if which == "day" else row.root_month
    if r is None:
        return "—"
    return html.Div([html.Div(format_value(r.value, r.unit), className="bv"),
                     html.Div(_("target {value}").format(value=format_value(r.target, r.unit))
                              + f" · {period_id_words(None, r.period)}",
                              className="bt"),
                     status_badge(str(r.status))])


def render_sites(rows: list[SiteRow]) -> html.Table:
    """One line per site, linked to its board and its tree."""
    head = html.Thead(html.Tr([html.Th(h) for h in (
        _("Site"), _("Local time"), _("Last shift"), "S", "Q", "D", "C", "M", _("Root KPI, last full day"),
        _("Month to date"), _("Data through"))]))
    body = []
    for row in rows:
        statuses = dict(row.columns)
        body.append(html.Tr([
            html.Td([html.A(row.name, href=board_href(site=row.key)), html.Div(row.timezone, className="bt")]),
            html.Td(row.local_time), html.Td(row.last_shift_name or _("no shift has ended yet")),
            *[html.Td(status_badge(statuses.get(c, "grey"))) for c in "SQDCM"],
            html.Td([html.A(row.root_name, href=tree_href(site=row.key)), _reading(row, "day")]),
            html.Td(_reading(row, "month")), html.Td(row.data_through),
        ], className="site-row", **{"data-site": row.key}))
    return html.Table([head, html.Tbody(body)], className="grid portfolio")
