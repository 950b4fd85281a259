"""Wiring of the portfolio page: every site's row from ``dashboard.portfolio``, refreshed every minute."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, html
from huddle.dashboard.core.format import format_value
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.portfolio import SiteRow, portfolio
from huddle.dashboard.web import ids
from huddle.pages.components import status_badge


def _reading(row: SiteRow, which: str) -> Any:
    r = row.root_day if which == "day" else row.root_month
    if r is None:
        return "—"
    return html.Div([html.Div(format_value(r.value, r.unit), className="bv"),
                     html.Div(f"target {format_value(r.target, r.unit)} · {r.period}", className="bt"),
                     status_badge(str(r.status))])


def sites_table(rows: list[SiteRow]) -> html.Table:
    """One line per site, linked to its board and its tree."""
    head = html.Thead(html.Tr([html.Th(h) for h in ("Site", "Local time", "Last shift", "S", "Q", "D", "C", "M",
                                                    "Root KPI, last full day", "Month to date", "Data through")]))
    body = []
    for row in rows:
        statuses = dict(row.columns)
        body.append(html.Tr([
            html.Td([html.A(row.name, href=f"/board?site={row.key}"), html.Div(row.timezone, className="bt")]),
            html.Td(row.local_time), html.Td(row.last_shift or "no shift has ended yet"),
            *[html.Td(status_badge(statuses.get(c, "grey"))) for c in "SQDCM"],
            html.Td([html.A(row.root_name, href=f"/tree?site={row.key}"), _reading(row, "day")]),
            html.Td(_reading(row, "month")), html.Td(row.data_through),
        ], className="site-row", **{"data-site": row.key}))
    return html.Table([head, html.Tbody(body)], className="grid portfolio")


def register(app: Dash, sites: dict[str, Services]) -> None:
    """Wire the portfolio page for the sites served."""

    @app.callback(Output(ids.PORTFOLIO_BODY, "children"), Input(ids.PORTFOLIO_REFRESH, "n_intervals"))
    def show(_n: int | None) -> Any:
        return sites_table(portfolio(sites))
