"""The plant overview: every line's headline KPIs for the shift that just ended (or a day, week, month). The layout
(numbers arrive through the overview callback) and its renderer: readings in, the table out.

The address says what is shown (``address.OverviewAddress``): ``/?grain=week&layer=2`` lists this week's headline
KPIs of the KPI stack's layer 2 only (default: the shift that just ended, every layer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import dash
from dash import dcc
from huddle.dashboard.core.format import format_age, format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import period_id_words, period_label
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.tree import tree_holding
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import OverviewAddress, node_href
from huddle.dashboard.web.html_pane import pane_store
from huddle.dashboard.web.parameters import AddressError
from huddle.pages.components import layer_value, scroll_box, status_badge
from huddle.pages.elements import html

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig
    from huddle.dashboard.services.readings import Reading

GRAIN_TITLES = {"shift": N_("Last shift"), "day": N_("Today"), "week": N_("This week"), "month": N_("This month")}


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; numbers arrive through the overview callback."""
    view = OverviewAddress.from_query(query)
    try:
        layer = layer_value(view.layers())
    except AddressError:  # the table says why
        layer = None
    return html.Div([
        dcc.Store(id=ids.OVERVIEW_VIEW, data=view.as_view()),
        html.Div([
            html.H1(_("Plant overview"), id=ids.OVERVIEW_TITLE),
            dcc.RadioItems(id=ids.OVERVIEW_GRAIN, className="grain-switch", inline=True,
                           value=view.grain if view.grain in GRAIN_TITLES else "shift",
                           options=[{"label": _(words), "value": grain} for grain, words in GRAIN_TITLES.items()]),
            html.Label([html.Span(_("Layer"), className="board-layer-word"),
                        dcc.Dropdown(id=ids.OVERVIEW_LAYER, clearable=False, value=layer, className="board-layer")],
                       className="board-layer-field"),
        ], className="page-head"),
        html.Div(id=ids.OVERVIEW_FILTER, className="filter-chips"),
        html.P(id=ids.OVERVIEW_FRESHNESS, className="freshness"),
        scroll_box(_("Lines and their KPIs"), id=ids.OVERVIEW_TABLE), pane_store(ids.OVERVIEW_TABLE),
        dcc.Interval(id=ids.OVERVIEW_REFRESH, interval=60_000),
    ])


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("overview", path="/", name=N_("Overview"), order=0, nav=True, layout=layout)


# ---- renderers ---------------------------------------------------------------------------------------------


def headline_kpis(config: PlantConfig, layers: tuple[int, ...] = ()) -> list[str]:
    """The KPIs the overview shows: the headline ones (of ``layers`` when given), in the plant file's order."""
    return [k for k, d in config.kpis.items() if d.headline and (not layers or d.layer in layers)]


def no_shift_yet() -> tuple[Any, str, str]:
    """The overview before any shift has ended."""
    return html.P(_("No shift has ended yet."), className="empty"), _("Plant overview"), ""


def overview_problem(message: str) -> tuple[Any, str, str]:
    """The overview when its address cannot be shown, or its layers have no KPI on it: why, in words."""
    return html.P(message, className="empty"), _("Plant overview"), ""


def _cell(config: PlantConfig, scope: str, kpi: str, r: Reading, period: Period) -> html.Td:
    """One KPI of one line: value, status and target, a link to its node in the KPI tree when a tree holds it."""
    over = "" if r.period == period.label else f" · {period_id_words(config, r.period, period.last)}"
    shown = [
        html.Div(format_value(r.value, r.unit), className="value"),
        status_badge(str(r.status)),
        html.Div(_("target {value}").format(value=format_value(r.target, r.unit)) + over, className="target"),
        html.Div(f"⚠ {r.checks[0]}" if r.checks else f"◐ {r.gaps[0]}", className="target")
        if r.checks or r.gaps else None,
    ]
    href = node_href(tree_holding(config, kpi), kpi, scope, r.period)
    if href is not None:
        shown = [dcc.Link(shown, href=href, className="cell-link",
                          title=_("{kpi}, {scope}: open it in the KPI tree").format(
                              kpi=config.kpis[kpi].name, scope=config.scope_name(scope)))]
    return html.Td(shown, className=f"cell status-{r.status}")


def render_overview(config: PlantConfig, grain: str, period: Period, kpis: Sequence[str],
                    readings: Mapping[str, Mapping[str, Reading]]) -> tuple[Any, str, str]:
    """The table (a row per scope of ``readings``, the plant last, a column per KPI), its title and how fresh the
    newest data is."""
    head = html.Thead(html.Tr([html.Th("")] + [
        html.Th([html.Span(config.kpis[k].category, className="cat"), " ", config.kpis[k].name]) for k in kpis]))
    body = [html.Tr([html.Th(config.scope_name(scope)), *[_cell(config, scope, k, by_kpi[k], period) for k in kpis]],
                    className="total" if scope == "plant" else None) for scope, by_kpi in readings.items()]
    ages = [r.age_s for by_kpi in readings.values() for r in (by_kpi[k] for k in kpis) if r.age_s is not None]
    title = " · ".join((_("Plant overview"), _(GRAIN_TITLES[grain]), period_label(config, period)))
    return html.Table([head, html.Tbody(body)], className="grid overview"), title, format_age(min(ages, default=None))
