"""The KPI tree: from a red root down to the leaf that caused it, and the events behind that leaf. The layout (the
tree arrives through its callbacks) and the renderers: the tree's read models in (``services.tree.TreeView``,
``services.drilldown.NodeDetail``, an events report), the summary, panels and figures out; no services, no
database, no clock. The graph and its outline are drawn by ``pages.tree_graph``.

The address says what is shown, so a supervisor can send a link to exactly what they see (``address.TreeAddress``
reads it): ``/tree?tree=oee&scope=L2&grain=day&date=2026-11-20&node=unplanned_downtime`` (``shift=N`` with
``grain=shift``). Defaults: the first configured tree, the whole plant, the last complete production day, the root
selected. ``layer=2`` stresses the KPIs of the KPI stack's layer 2: the others stay in the tree, drawn faint, since a
tree is the way its KPIs add up and a parent read without its children (or children without their parent) would
no longer explain anything.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import dash
import dash_cytoscape as cyto
from dash import dash_table, dcc, html
from huddle.dashboard.core.format import format_day, format_time, format_value, picker_date_format, unit_text
from huddle.dashboard.core.i18n import N_, _, ngettext, number
from huddle.dashboard.core.names import period_words
from huddle.dashboard.core.plant import FREQUENCY_WORDS
from huddle.dashboard.services.actions import STATUS_WORDS as ACTION_STATUS_WORDS
from huddle.dashboard.services.drilldown import NodeDetail
from huddle.dashboard.services.tree import TreeView
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import TreeAddress, tree_href
from huddle.dashboard.web.security import current_identity, has_request_context
from huddle.pages.components import (
    category_axis,
    figure_template,
    layer_chip,
    pareto_figure,
    pareto_table,
    period_tick,
    plot_text,
    scope_options,
    scroll_box,
    status_badge,
    table,
)
from huddle.pages.tree_assets import pm_table, reliability_table
from huddle.pages.tree_graph import CANVAS_MAX_PX, STYLESHEET

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import KpiDef, PlantConfig

FONT = '"Inter", "Segoe UI", "DejaVu Sans", system-ui, sans-serif'  # as assets/huddle.css: tables inherit none

#: the periods a tree is read over, as the picker names them (translated where shown)
GRAIN_WORDS = {"shift": N_("Shift"), "day": N_("Day"), "week": N_("Week"), "month": N_("Month")}
#: a trend's points, as its title says them
BY_GRAIN = {"shift": N_("by shift"), "day": N_("by day"), "week": N_("by week"), "month": N_("by month")}

def _field(label: str, control: Any, extra: str = "") -> html.Label:
    return html.Label([label, control], className=f"manual-field {extra}".strip())


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; no database access (the tree arrives through its callbacks)."""
    editor = current_identity().may("editor") if has_request_context() else True
    return html.Div([
        dcc.Store(id=ids.TREE_VIEW, data=TreeAddress.from_query(query).as_view()),
        dcc.Store(id=ids.TREE_EXPANDED), dcc.Store(id=ids.TREE_SELECTED), dcc.Store(id=ids.TREE_KEY),
        dcc.Store(id=ids.TREE_DATA_KEY),
        dcc.Store(id=ids.TREE_VALUES), dcc.Store(id=ids.TREE_ADDRESS), dcc.Store(id=ids.TREE_ACTION_CHANGED, data=0),
        dcc.Interval(id=ids.TREE_REFRESH, interval=60_000),
        html.Div([
            _field(_("Tree"), dcc.Dropdown(id=ids.TREE_PICK, clearable=False)),
            _field(_("Scope"), dcc.Dropdown(id=ids.TREE_SCOPE, clearable=False)),
            html.Div([html.Span(_("Period"), className="field-label"),
                      dcc.RadioItems(id=ids.TREE_GRAIN, inline=True, className="grain-switch",
                                     options=[{"label": _(w), "value": g} for g, w in GRAIN_WORDS.items()])],
                     className="manual-field"),
            _field(_("Date"), dcc.DatePickerSingle(id=ids.TREE_DATE, display_format=picker_date_format(),
                                                first_day_of_week=1)),
            _field(_("Shift"), dcc.Dropdown(id=ids.TREE_SHIFT, clearable=False), "tree-shift-field"),
            _field(_("Layer"), dcc.Dropdown(id=ids.TREE_LAYER, clearable=False), "tree-layer-field"),
        ], className="form-row tree-controls"),
        html.P(id=ids.TREE_SPRINT, className="tree-sprint", role="status"),
        html.Div(id=ids.TREE_SUMMARY, className="tree-summary", role="status"),
        html.Div([
            html.Section([
                # the graph fits the drawn tree, but never zooms out below readable labels (LABEL_PX); a screen
                # reader hears what it is and finds the same tree in the outline
                html.Div(cyto.Cytoscape(id=ids.TREE_GRAPH, elements=[], stylesheet=STYLESHEET,
                                        layout={"name": "preset", "fit": True, "padding": 16},
                                        style={"width": "100%", "height": f"{CANVAS_MAX_PX}px"}, minZoom=1.0,
                                        maxZoom=1.4, autoungrabify=True, boxSelectionEnabled=False,
                                        wheelSensitivity=0.3),
                         role="img", **{"aria-label": _("The KPI tree as a diagram; the same tree follows as a list "
                                                        "under “The tree as a list”.")}),
                html.P([_("Click a node to open it; click it again to fold or unfold what lies below.") + " ",
                        html.Strong(_("Thick line with arrows, outlined nodes")),
                        ": " + _("the way down to each red node.") + " ",
                        html.Strong(_("Double border")), ": " + _("red lies below.") + " ", html.Strong("×"), " / ",
                        html.Strong("+"), ": " + _("the children multiply or add up to the parent; dotted: drives it "
                                                   "without a formula;") + " ",
                        html.Span(_("orange dashed"), className="tradeoff-word"),
                        ": " + _("a trade-off.")], className="hint legend"),
                html.Details([html.Summary(_("Tree checks")), html.Div(id=ids.TREE_FINDINGS)], className="findings"),
                html.Details([html.Summary(_("Focus checks across the catalogue")), html.Div(id=ids.TREE_FOCUS)],
                             className="findings"),
            ], className="card tree-canvas"),
            html.Div(id=ids.TREE_OUTLINE, className="card tree-outline-card"),
            html.Aside([
                html.Div(id=ids.TREE_PANEL),
                dcc.Graph(id=ids.TREE_TREND, config={"displayModeBar": False}, style={"height": "300px"}),
                html.Section([
                    html.H3(_("What if")),
                    html.Label([html.Span(id=ids.TREE_WHATIF_LABEL),
                                dcc.Input(id=ids.TREE_WHATIF_VALUE, type="number", debounce=True)],
                               className="manual-field"),
                    html.P(id=ids.TREE_WHATIF_RESULT, className="form-message", role="status"),
                    html.Label([html.Span(id=ids.TREE_GOAL_LABEL),
                                dcc.Input(id=ids.TREE_GOAL_TARGET, type="number", debounce=True)],
                               className="manual-field"),
                    html.P(id=ids.TREE_GOAL_RESULT, className="form-message", role="status"),
                ], id=ids.TREE_WHATIF, className="panel-block", hidden=True),
                html.Section([
                    html.H3(id=ids.TREE_EVENTS_HEAD),
                    dcc.Graph(id=ids.TREE_PARETO, config={"displayModeBar": False}, style={"height": "280px"}),
                    scroll_box(_("Events by reason"), id=ids.TREE_PARETO_TABLE),
                    _field(_("Show records of"), dcc.Dropdown(id=ids.TREE_EVENT_FILTER, placeholder=_("all")),
                           "wide"),
                    scroll_box(_("Records"), id=ids.TREE_EVENT_RECORDS, css_class="records"),
                ], id=ids.TREE_EVENTS, className="panel-block", hidden=True),
                html.Section([
                    html.Div(id=ids.TREE_ACTIONS),
                    html.P(_("Actions raised here answer this node's KPI in this scope.") if editor else
                           _("Sign in as an editor to raise an action."), className="hint"),
                    html.P(id=ids.TREE_ACTION_EARLIER, className="red-again", role="note"),
                    html.Div([
                        _field(_("What"), dcc.Input(id=ids.TREE_ACTION_WHAT, type="text", maxLength=500), "wide"),
                        _field(_("Owner"), dcc.Input(id=ids.TREE_ACTION_OWNER, type="text", maxLength=120)),
                        _field(_("Due"), dcc.Input(id=ids.TREE_ACTION_DUE, type="date")),
                        html.Button(_("Raise action"), id=ids.TREE_ACTION_ADD, n_clicks=0, className="primary",
                                    disabled=not editor),
                    ], className="form-row"),
                    html.P(id=ids.TREE_ACTION_MESSAGE, className="form-message", role="status"),
                ], className="panel-block"),
            ], className="card tree-panel"),
        ], className="tree-layout"),
    ], className="tree-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("tree", path="/tree", name=N_("KPI tree"), order=2, nav=True, layout=layout)


# ---- renderers: the tree's read models in, components out --------------------------------------------------


def control_options(config: PlantConfig) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    """The pickers' options: the plant's trees, its scopes and its shifts."""
    return ([{"label": t.name, "value": t.key} for t in config.trees.values()], scope_options(config),
            [{"label": s.name, "value": s.key} for s in config.calendar.shifts])


def layer_line(view: TreeView, config: PlantConfig, layers: tuple[int, ...], clear_href: str) -> Any:
    """Above the tree, when its address keeps some layers: the chip saying so, and the tree's KPIs on them (or that
    it has none there); None without a filter."""
    if not layers:
        return None
    chip = layer_chip(config, layers, clear_href, _("(the other KPIs stay in the tree, faint: they are how it adds "
                                                    "up)"))
    kept = [config.kpis[k].name for k in view.tree.nodes() if config.kpis[k].layer in layers]
    said = _("In this tree: {kpis}.").format(kpis=", ".join(kept)) if kept else \
        _("No KPI of this tree is on the layers shown.")
    return html.P([chip, " ", html.Span(said, className="tree-layer-kpis")], className="tree-layer")


def tree_problem(message: str) -> html.P:
    """What the tree says instead when its address cannot be shown."""
    return html.P(message, className="form-error")


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    points = " " + _("pts") if unit == "%" else f" {unit_text(unit)}" if unit else ""
    return ("+" if value >= 0 else "−") + number(abs(value), 2) + points


def render_summary(view: TreeView, config: PlantConfig) -> list[Any]:
    """The line above the tree: the root against target, why it moved, and the red path."""
    root = view.root
    kdef = config.kpis[root.key]
    status = str(root.reading.status)
    head = [html.Strong(f"{kdef.name} {format_value(root.reading.value, kdef.unit)}"),
            " " + _("against {target} for {scope}, {period}").format(
                target=format_value(root.reading.target, kdef.unit), scope=config.scope_name(view.scope),
                period=period_words(config, view.period)) + " ", status_badge(status)]
    path = view.biggest_driver_path()
    why: list[Any] = []
    if path:
        steps = f"{kdef.name} {_signed(path[0].contribution, kdef.unit)}"
        if len(path) > 1:
            steps += "; " + _("most of it from {path}").format(path=_(", within it ").join(
                f"{config.kpis[c.key].name} ({_signed(c.contribution, kdef.unit)})" for c in path[1:]))
        why = [html.Br(), _("Against {period}: {steps}.").format(period=period_words(config, view.previous),
                                                                  steps=steps)]
    elif root.reading.value is not None and view.before[root.key].value is None:
        why = [html.Br(), _("No data for {period} to compare with.").format(
            period=period_words(config, view.previous))]
    red = [k for k in view.deepest_red() if k != root.key]
    follow: list[Any] = []
    if red:
        follow = [html.Br(), _("Deepest red: {kpis}.").format(kpis=", ".join(config.kpis[k].name for k in red))]
    return [html.P(head + why + follow)]


def render_findings(view: TreeView, config: PlantConfig) -> Any:
    """The tree's checks as a list (or a line saying there are none), each KPI and tree by its name."""
    if not view.findings:
        return html.P(_("No findings: the tree follows the method's rules and every node has data."),
                      className="hint")
    names = {key: kpi.name for key, kpi in config.kpis.items()}
    names |= {f"tree {key}": tree.name for key, tree in config.trees.items()}
    names |= {f"kpi {key}": kpi.name for key, kpi in config.kpis.items()}

    def named(said: str) -> str:  # the checks name KPIs by key, as the plant file does
        return re.sub(r"\b(?:(?:kpi|tree) )?[a-z][a-z0-9_]*\b", lambda m: names.get(m.group(0), m.group(0)), said)

    return html.Ul([html.Li(f"{named(f.where)}: {named(f.message)}") for f in view.findings],
                   className="findings-list")


# ---- the panel ---------------------------------------------------------------------------------------------


def baseline_words(d: NodeDetail, config: PlantConfig) -> str:
    """The baseline of the scope on screen, or, when it has none, which wider one it leans on, said so."""
    k, here = d.kpi, config.scope_name(d.scope)
    if k.baseline is None:
        return _("none recorded for {scope}").format(scope=here)
    said = _("{value} on {day} ({source})").format(
        value=format_value(k.baseline.value, k.unit), day=format_day(k.baseline.on, d.period.last),
        source=k.baseline.source)
    if d.baseline_own:
        return said
    if not d.baseline_scope:
        return (_("{baseline}, from the plant file") if d.scope in ("plant", config.site_key)
                else _("none recorded for {scope}; the plant file's: {baseline}")).format(scope=here, baseline=said)
    return _("none recorded for {scope}; {wider}'s: {baseline}").format(
        scope=here, wider=config.scope_name(d.baseline_scope), baseline=said)


def _definition(d: NodeDetail, config: PlantConfig) -> html.Dl:
    k = d.kpi
    rows = [(_("Owner"), k.owner or _("no owner (a finding)")),
            (_("Data source"), k.data_source or _("no data source (a finding)")),
            (_("Frequency"), _(FREQUENCY_WORDS.get(k.frequency, k.frequency))),
            (_("Direction"), _("higher is better") if k.direction == "higher" else _("lower is better")),
            (_("Leading or lagging"), _("leading") if k.leading else _("lagging")),
            (_("Baseline"), baseline_words(d, config)),
            (_("Formula"), d.formula_text)]
    if d.own_working:
        rows.append((_("Worked"), d.own_working))
    if d.edge_working:
        rows.append((_("Children multiplied") if d.tree.formula_of(k.key) == "product" else _("Children added"),
                     d.edge_working))
    return html.Dl([x for term, desc in rows for x in (html.Dt(term), html.Dd(desc))], className="definition")


def _why(d: NodeDetail, config: PlantConfig) -> Any:
    if not d.children_before_after:
        return None
    unit = d.kpi.unit
    split = {c.key: c.contribution for c in d.why}
    formula = d.tree.formula_of(d.kpi.key)
    rows = []
    for key, before, after in d.children_before_after:
        cu = config.kpis[key].unit
        rows.append({"kpi": config.kpis[key].name, "before": format_value(before.value, cu),
                     "after": format_value(after.value, cu), "status": str(after.status),
                     "share": _signed(split.get(key), unit) if split.get(key) is not None
                     else "—" if formula else _("not a formula edge")})
    change = None if d.reading.value is None or d.before.value is None else d.reading.value - d.before.value
    return html.Div([
        html.H3(_("Why it moved: {change} against {period}").format(
            change=_signed(change, unit), period=period_words(config, d.period.previous()))),
        table([("kpi", _("Child")), ("before", period_tick(d.period.grain, d.period.previous().label)),
               ("after", period_tick(d.period.grain, d.period.label)), ("status", _("Status")),
               ("share", _("Share of the change in {kpi}").format(kpi=d.kpi.name))], rows, status_key="status"),
    ], className="panel-block")


def _breakdown(d: NodeDetail, config: PlantConfig, tree: str) -> Any:
    unit = d.kpi.unit
    blocks = []
    if d.by_line:
        rows = [{"where": dcc.Link(config.scope_name(r.scope), href=tree_href(tree, r.scope, d.period, d.kpi.key)),
                 "value": format_value(r.value, unit), "target": format_value(r.target, unit),
                 "status": str(r.status)} for r in d.by_line]
        blocks.append(_link_table(_("By line"), rows))
    if d.by_shift:
        rows = []
        for shift, r in zip(config.calendar.shifts, d.by_shift, strict=True):  # breakdown keeps shift order
            rows.append({"where": shift.name, "value": format_value(r.value, unit),
                         "target": format_value(r.target, unit), "status": str(r.status)})
        blocks.append(_link_table(_("By shift"), rows))
    if not blocks:
        return None
    return html.Div([html.H3(_("Where it is red")), html.Div(blocks, className="breakdowns")], className="panel-block")


def _link_table(title: str, rows: list[dict[str, Any]]) -> html.Div:
    head = html.Thead(html.Tr([html.Th(title), html.Th(_("Value")), html.Th(_("Target")), html.Th(_("Status"))]))
    body = html.Tbody([html.Tr([html.Td(r["where"]), html.Td(r["value"]), html.Td(r["target"]),
                                html.Td(status_badge(r["status"]))], className=f"row-{r['status']}") for r in rows])
    return html.Div(html.Table([head, body], className="grid"), className="breakdown")


def _drift(d: NodeDetail, config: PlantConfig) -> Any:
    if not d.drifting:
        return None
    by_point: dict[str, list[str]] = {}  # each point once, with all its signals: the chart marks every one
    for s in d.drifting:
        if s.index < len(d.trend):
            said = by_point.setdefault(period_tick(d.period.grain, d.trend[s.index].period), [])
            said.extend([] if s.text in said else [s.text])
    texts = [f"{point}: {'; '.join(said)}" for point, said in list(by_point.items())[-3:]]
    if d.reading.status != "red":
        return html.Div([html.Strong(_("Drifting, not red yet.") + " "), " · ".join(texts)],
                        className="drift-warning", role="alert")
    return html.Div([html.Strong(_("Run-rule signals in the latest points.") + " "), " · ".join(texts)],
                    className="drift-warning")


def render_panel(d: NodeDetail, config: PlantConfig, tree: str, today: date | None = None) -> list[Any]:
    """The panel's text part for a node: value against target, drift, definition, why it moved, where it is red."""
    k = d.kpi
    status = str(d.reading.status)
    head = html.Div([
        html.H2(k.name), status_badge(status),
        html.P([html.Span(format_value(d.reading.value, k.unit), className="panel-value"),
                "  " + _("target {value}").format(value=format_value(d.reading.target, k.unit)),
                f" · {config.scope_name(d.scope)}, {period_words(config, d.period)}"]),
        html.P(_("Data through {time}").format(time=format_time(d.reading.data_through, config.tz, today))
               if d.reading.data_through else _("No data for this scope and period."), className="hint"),
        *[html.P("⚠ " + _("Check data: {why}").format(why=why), className="form-error") for why in d.reading.checks],
        *[html.P("◐ " + _("Incomplete: {why}").format(why=why), className="hint") for why in d.reading.gaps],
    ], className=f"panel-head status-{status}")
    return [head, _drift(d, config), _definition(d, config), _why(d, config), _breakdown(d, config, tree),
            reliability_table(d, config), pm_table(d, config)]


def trend_figure(d: NodeDetail) -> dict[str, Any]:
    """The node's trend against target, with control limits and run-rule signals marked; written as the figure's
    JSON-ready dict (what Plotly's figure objects would have made, without their validation)."""
    unit, value_word = d.kpi.unit, _("value")
    xs = [period_tick(d.period.grain, r.period) for r in d.trend]
    ys = [r.value for r in d.trend]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "x": xs, "y": [r.target for r in d.trend], "mode": "lines", "name": _("target"),
         "line": {"shape": "hv", "color": "#1f4e79", "width": 2, "dash": "dot"}},
        {"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers", "name": plot_text(d.kpi.name),
         "line": {"color": "#14202b", "width": 2},
         "marker": {"size": 7, "color": [{"red": "#b3141c", "amber": "#9a6200", "green": "#1e7b34"}.get(
             str(r.status), "#6b7680") for r in d.trend]}},
    ]
    if d.limits:
        for name, value, dash in ((_("upper limit"), d.limits.upper, "dash"), (_("centre"), d.limits.centre, "solid"),
                                  (_("lower limit"), d.limits.lower, "dash")):
            data.append({"type": "scatter", "x": [xs[0], xs[-1]], "y": [value, value], "mode": "lines", "name": name,
                         "hoverinfo": "name+y", "line": {"color": "#8796a5", "width": 1, "dash": dash}})
    marked = [s for s in d.signals if s.adverse]
    if marked:
        data.append({"type": "scatter", "x": [xs[s.index] for s in marked], "y": [ys[s.index] for s in marked],
                     "mode": "markers", "name": _("run-rule signal"), "text": [s.text for s in marked],
                     "hoverinfo": "text",
                     "marker": {"symbol": "circle-open", "size": 16, "color": "#c26a00", "line": {"width": 3}}})
    title = (plot_text(f"{d.kpi.name} ({unit_text(unit) or value_word}) {_(BY_GRAIN[d.period.grain])}, ")
             + (_("limits from the first {n} points").format(n=d.limits.baseline_points) if d.limits
                else _("too few points for control limits")))
    return {"data": data, "layout": {
        "template": figure_template(), "margin": {"l": 50, "r": 10, "t": 36, "b": 40}, "showlegend": True,
        "legend": {"orientation": "h", "y": -0.25, "font": {"size": 11}}, "xaxis": category_axis(xs),
        "title": {"text": title, "font": {"size": 14}}}}


def records_table(report: Any, config: PlantConfig, today: date | None = None) -> Any:
    """The individual events behind the Pareto, newest first, as a paged table (hundreds of rows stay quick)."""
    tz = config.tz
    rows = [{"when": format_time(r.at_utc, tz, today), "line": r.place or r.line, "what": r.name or r.label,
             "detail": r.detail,
             "minutes": None if r.minutes is None else round(r.minutes, 1), "quantity": r.quantity,
             "cost": None if r.cost is None else round(r.cost)} for r in report.records]
    columns = [("when", _("When")), ("line", _("Line")), ("what", _("What")), ("detail", _("Detail"))]
    columns += [(c, h) for c, h in (("minutes", _("Minutes")), ("quantity", _("Units")),
                                    ("cost", _("Cost ({currency})").format(currency=config.currency)
                                     if config.currency else _("Cost"))) if any(r[c] is not None for r in rows)]
    if not rows:
        return html.P(_("No events recorded in this period."), className="empty")
    more = report.total_records - len(report.records)
    note = html.P(_("The newest {n} of {total}.").format(n=len(report.records), total=report.total_records),
                  className="hint") if more > 0 else \
        html.P(ngettext("{n} record.", "{n} records.", report.total_records).format(n=report.total_records),
               className="hint")
    return [dash_table.DataTable(
        columns=[{"name": h, "id": c, **({"type": "numeric"} if c in ("minutes", "quantity", "cost") else {})}
                 for c, h in columns],
        data=rows, page_size=12, sort_action="native", style_as_list_view=True,
        style_cell={"fontFamily": FONT, "fontSize": "13px", "padding": "4px 8px", "textAlign": "left"},
        style_header={"fontFamily": FONT, "fontWeight": "700", "backgroundColor": "#eef2f5"}), note]


def render_node_actions(d: NodeDetail, config: PlantConfig) -> Any:
    """The node's open actions in this scope."""
    if not d.actions:
        none = _("None — red with no action.") if d.reading.status == "red" else _("None.")
        return [html.H3(_("Open actions for {kpi}").format(kpi=d.kpi.name)), html.P(none, className="empty")]
    rows = [{"what": a.what, "owner": a.owner,
             "due": format_day(a.due, d.period.last) + (" (" + _("overdue") + ")" if a.overdue else ""),
             "status": _(ACTION_STATUS_WORDS.get(a.status, a.status)), "scope": config.scope_name(a.scope)}
            for a in d.actions]
    return [html.H3(_("Open actions for {kpi} ({n})").format(kpi=d.kpi.name, n=len(rows))),
            table([("what", _("What")), ("owner", _("Owner")), ("due", _("Due")), ("status", _("Status")),
                   ("scope", _("Where"))], rows)]


def what_if_fields(d: NodeDetail, parent: KpiDef | None) -> tuple[bool, str, str, float | None]:
    """Whether the what-if section hides (no formula above the node), its two labels and the goal's first target."""
    if parent is None:
        return True, "", "", None
    return (False, _("If {kpi} were ({unit})").format(kpi=d.kpi.name, unit=unit_text(d.kpi.unit) or _("value")),
            _("{kpi} to reach ({unit})").format(kpi=parent.name, unit=unit_text(parent.unit) or _("value")),
            d.targets.get(parent.key))


def event_fields(report: Any, config: PlantConfig, today: date | None = None
                 ) -> tuple[bool, str, dict[str, Any], Any, list[dict[str, str]], Any]:
    """The events section: hidden (no events behind the node), its title, the Pareto and its table, the filter's
    options and the records."""
    if report is None:
        return True, "", {"data": [], "layout": {}}, None, [], None
    options = [{"label": f"{p.label}", "value": p.label} for p in report.pareto]
    return (False, report.title, pareto_figure(report), pareto_table(config.currency, report), options,
            records_table(report, config, today))


def what_if_words(steps: list[Any], kpis: dict[str, KpiDef]) -> str:
    """What a changed value does up the tree, step by step."""
    if not steps:
        return _("This node feeds no formula above it.")
    words = {True: " — " + _("meets its target"), False: " — " + _("still short of its target"), None: ""}
    return "; ".join(f"{kpis[s.kpi].name} {format_value(s.now, kpis[s.kpi].unit)} → "
                     f"{format_value(s.then, kpis[s.kpi].unit)}{words[s.meets_target]}" for s in steps)


def goal_words(result: Any, kpi: KpiDef, now: float | None) -> str:
    """What the node must reach for its parent to reach the goal (or why it cannot)."""
    if result is None:
        return ""
    if not result.possible:
        return _("Not reachable: {why}").format(why=result.reason)
    return _("{kpi} must reach {value} (now {now}), the other factors unchanged.").format(
        kpi=kpi.name, value=format_value(result.needed, kpi.unit), now=format_value(now, kpi.unit))
