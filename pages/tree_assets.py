"""The KPI tree panel's tables by asset: MTBF and MTTR of each asset behind a line's MTBF or MTTR, and each asset's
preventive work orders behind PM compliance (``services.assets``), laid out as the panel's other blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dash import html
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import _, number
from huddle.dashboard.services.drilldown import NodeDetail

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig


def _asset_name(config: PlantConfig, line: str, asset: str, several: bool) -> str:
    asset = asset or _("no asset named")
    return f"{config.lines[line].name if line in config.lines else line} – {asset}" if several else asset


def pm_table(d: NodeDetail, config: PlantConfig) -> Any:
    """Each asset's preventive work orders in the period: scheduled, on time, late or not done."""
    if not d.pms:
        return None
    several = len(config.scope_lines(d.scope)) > 1
    head = html.Thead(html.Tr([html.Th(_("Asset")), html.Th(_("Scheduled")), html.Th(_("On time")),
                               html.Th(_("Late")), html.Th(_("Not done"))]))
    rows = [html.Tr([html.Td(_asset_name(config, a.line, a.asset, several)), html.Td(number(a.scheduled)),
                     html.Td(number(a.on_time)), html.Td(number(a.late)), html.Td(number(a.not_done))],
                    className="row-red" if a.on_time < a.scheduled else None)
            for a in d.pms]
    return html.Div([
        html.H3(_("Preventive work orders by asset")),
        html.P(_("On time: done on or before the day they were scheduled for."), className="hint"),
        html.Table([head, html.Tbody(rows)], className="grid asset-pms"),
    ], className="panel-block")


def reliability_table(d: NodeDetail, config: PlantConfig) -> Any:
    """Each asset's failures, MTBF and MTTR (the stop log's equipment), the one with most failures first."""
    if not d.by_asset:
        return None
    several = len(config.scope_lines(d.scope)) > 1
    head = html.Thead(html.Tr([html.Th(_("Asset")), html.Th(_("Failures")), html.Th(_("MTBF")),
                               html.Th(_("MTTR"))]))
    rows = []
    for a in d.by_asset:
        rows.append(html.Tr([html.Td(_asset_name(config, a.line, a.asset, several)), html.Td(number(a.failures)),
                             html.Td(format_value(a.mtbf, "h")), html.Td(format_value(a.mttr, "min"))]))
    return html.Div([
        html.H3(_("By asset")),
        html.P(_("Failures are the unplanned stops that named the asset; its operating time is its line's run time."),
               className="hint"),
        html.Table([head, html.Tbody(rows)], className="grid asset-reliability"),
    ], className="panel-block")
