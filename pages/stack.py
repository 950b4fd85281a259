"""The KPI stack: layers 1 (operator) to 5 (strategic) drawn bottom to top, each with the forum that looks at it
and how often, and its KPIs as the board reads them (status, value against target, trend over the last shifts,
owner), each leading to its node in the KPI tree; below, the focus checks across the catalogue. The layout (the
stack arrives through its callback) and the renderers: the stack's read model (``services.kpi_stack.StackView``)
in, components out.

The address says what is shown (``address.StackAddress``): ``/stack?scope=L2&layer=2`` (default: the plant, every
layer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash
from dash import dcc, html
from huddle.dashboard.core.focus_checks import FocusFinding, by_rule
from huddle.dashboard.core.format import STATUS_ICONS, STATUS_WORDS, format_value
from huddle.dashboard.core.i18n import N_, _, ngettext
from huddle.dashboard.core.names import period_id_words, period_words
from huddle.dashboard.core.plant import CATEGORY_NAMES
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import StackAddress, node_href
from huddle.pages.components import scroll_box, status_badge

if TYPE_CHECKING:
    from huddle.dashboard.core.layers import Layer
    from huddle.dashboard.core.plant import PlantConfig
    from huddle.dashboard.services.kpi_stack import StackKpi, StackLayer, StackView

def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; the stack arrives through its callback."""
    return html.Div([
        dcc.Store(id=ids.STACK_VIEW, data=StackAddress.from_query(query).as_view()),
        html.Div([html.H1(_("KPI stack")), html.P(id=ids.STACK_PERIOD, className="freshness")], className="page-head"),
        html.Div([
            html.Label([_("Scope"), dcc.Dropdown(id=ids.STACK_SCOPE, clearable=False)], className="manual-field"),
            html.Label([_("Layer"), dcc.Dropdown(id=ids.STACK_LAYER, clearable=False)], className="manual-field"),
            html.Div(id=ids.STACK_FILTER, className="filter-chips"),
        ], className="form-row stack-controls"),
        dcc.Loading(html.Div(id=ids.STACK_BODY, className="stack"), type="default"),
        html.Section([html.H2(_("Focus checks")), html.Div(id=ids.STACK_FINDINGS)], className="stack-findings card",
                     **{"aria-label": _("Focus checks")}),
    ], className="stack-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("stack", path="/stack", name=N_("KPI stack"), order=2.5, nav=True, layout=layout)


# ---- renderers: the stack's read model in, components out -----------------------------------------------------


def period_line(view: StackView, config: PlantConfig) -> str:
    """What the statuses are read over: 'Night shift, Mon 30 Nov · Line 2 – Filling'."""
    if view.period is None:
        return _("No shift has ended yet.")
    return _("Statuses as the board reads them: {period}, {scope}").format(
        period=period_words(config, view.period), scope=config.scope_name(view.scope))


def render_stack(view: StackView, config: PlantConfig) -> Any:
    """The layers, the top one first on screen so layer 1 stands at the bottom, each feeding the one above."""
    out: list[Any] = []
    for i, layer in enumerate(view.layers):
        if i:
            out.append(html.Div(_("▲ feeds the layer above"), className="stack-feeds", **{"aria-hidden": "true"}))
        out.append(_layer(layer, view, config))
    return html.Div(out, className="stack-layers")


def _layer(stack: StackLayer, view: StackView, config: PlantConfig) -> html.Section:
    layer = stack.layer
    head = html.Div([
        html.H2(layer.heading),
        html.P(_forum(layer), className="stack-forum"),
        html.Span(ngettext("{n} KPI", "{n} KPIs", len(stack.kpis)).format(n=len(stack.kpis)), className="stack-count"),
    ], className="stack-head")
    if not stack.kpis:
        body: Any = html.P(_("No KPI on this layer."), className="empty")
    else:
        body = scroll_box(layer.heading, html.Table([
            html.Thead(html.Tr([html.Th(h) for h in (_("KPI"), _("Status"), _("Value"), _("Target"), _("Trend"),
                                                      _("Owner"))])),
            html.Tbody([_row(k, view, config) for k in stack.kpis])], className="grid stack-table"))
    return html.Section([head, body], className=f"stack-layer stack-layer-{layer.number}",
                        **{"aria-label": layer.heading})


def _forum(layer: Layer) -> str:
    return _("{forum}, {cadence}").format(forum=layer.forum_words, cadence=layer.cadence_words)


def _row(k: StackKpi, view: StackView, config: PlantConfig) -> html.Tr:
    r = k.reading
    period = view.period
    over = "" if period is None or r.period == period.label else period_id_words(config, r.period, period.last)
    name: Any = k.name
    href = node_href(k.tree, k.key, view.scope, r.period)
    if href is not None:
        name = dcc.Link(k.name, href=href, title=_("{kpi}, {scope}: open it in the KPI tree").format(
            kpi=k.name, scope=config.scope_name(view.scope)))
    said = [_(CATEGORY_NAMES[k.category]), _("leading") if k.leading else _("lagging")]
    if k.tree is None:
        said.append(_("in no tree"))
    return html.Tr([
        html.Td([name, html.Div(" · ".join(said), className="hint")]),
        html.Td(status_badge(str(r.status))),
        html.Td([format_value(r.value, r.unit), html.Div(over, className="hint") if over else None]),
        html.Td(format_value(r.target, r.unit)),
        html.Td(_trend(k, config)),
        html.Td(k.owner or _("no owner (a finding)")),
    ], className=f"status-row-{r.status}")


def _trend(k: StackKpi, config: PlantConfig) -> Any:
    """The KPI's last shifts as status icons, oldest first, each saying its shift and status on hover; a KPI read
    over its week or month says so instead."""
    if not k.trend:
        return html.Span(_("read over its own period"), className="hint")
    said = [f"{period_id_words(config, t.period)}: {_(STATUS_WORDS.get(str(t.status), str(t.status)))}"
            for t in k.trend]
    return html.Span([html.Span(STATUS_ICONS.get(str(t.status), ""), className=f"status-{t.status}", title=words)
                      for t, words in zip(k.trend, said, strict=True)],
                     className="stack-trend", role="img",
                     **{"aria-label": _("last {n} shifts: {said}").format(n=len(said), said="; ".join(said))})


def render_focus(found: list[FocusFinding] | tuple[FocusFinding, ...]) -> Any:
    """The focus findings grouped by rule, each with what to do (or a line saying there are none)."""
    if not found:
        return html.P(_("No focus findings: the catalogue follows the method's rules."), className="hint")
    return html.Div([html.Div([
        html.H3(heading),
        html.Ul([html.Li([html.Strong(f.subject), f": {f.problem}", html.Br(), html.Span(f"→ {f.advice}",
                                                                                          className="hint")])
                 for f in items], className="findings-list"),
    ], className="focus-rule") for heading, items in by_rule(list(found))], className="focus-findings")


def stack_problem(message: str) -> html.P:
    """An address the page cannot show, in words."""
    return html.P(message, className="form-error", role="alert")
