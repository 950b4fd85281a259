"""Wiring of the KPI tree page: which tree, scope and period; expand and fold on click; the selected node's panel
(definition, working, trend with control limits, breakdown, why it moved, what-if and goal seek, events, actions).

Handlers resolve the request, ask the core (``dashboard.tree``, ``dashboard.drilldown``, ``dashboard.events``) and
lay out what comes back; no KPI maths and no SQL here.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, ctx, dash_table, dcc, html, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.format import STATUS_ICONS, STATUS_WORDS, format_time, format_value
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import Period, PeriodError, PeriodRangeError, parse_asked_period, period_containing
from huddle.dashboard.core.plant import TreeDef
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.actions import ActionError
from huddle.dashboard.services.board import period_words
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.drilldown import NodeDetail, node_detail, try_goal_seek, try_what_if
from huddle.dashboard.services.events import events_behind
from huddle.dashboard.services.tree import TreeView, build_tree_view, last_complete_day
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity
from huddle.pages.components import pareto_figure, pareto_table, scope_options, status_badge, table

FONT = '"Inter", "Segoe UI", "DejaVu Sans", system-ui, sans-serif'  # as assets/huddle.css: tables inherit none
RECORDS = 500  # event records sent to the page at most (newest first; the table pages through them)
STALE_RECHECK_S = 300  # redraw at least this often so a node can turn stale even when no data arrives
GRAIN_NAMES = {"shift": "shift", "day": "day", "week": "week", "month": "month"}


class TreeRequestError(ValueError):
    """An address the tree page cannot show, with the reason."""


def resolve(services: Services, view: dict[str, Any]) -> tuple[str, str, Period]:
    """The tree, scope and period an address asks for (defaults filled in), or a clear error."""
    config = services.config
    if not config.trees:
        raise TreeRequestError("No KPI tree is configured: add one under trees in the plant configuration.")
    tree = view.get("tree") or next(iter(config.trees))
    if tree not in config.trees:
        raise TreeRequestError(f"There is no tree {tree!r}; this plant has {', '.join(config.trees)}.")
    scope = view.get("scope") or "plant"
    try:
        config.scope_kind(scope)
    except KeyError:
        raise TreeRequestError(f"There is no line or area {scope!r} in {config.site_name}.") from None
    grain = view.get("grain") or "day"
    if grain not in GRAIN_NAMES:
        raise TreeRequestError(f"A tree is read for a shift, day, week or month, not {grain!r}.")
    now = services.clock()
    if view.get("date"):
        try:
            day = parse_asked_period("day", str(view["date"])).first
        except PeriodRangeError as exc:
            raise TreeRequestError(f"There is no such date in the tree: {exc}.") from None
        except PeriodError as exc:
            raise TreeRequestError(f"The date {view['date']!r} is not a date: {exc}") from None
    else:
        day = last_complete_day(config, now) or now.astimezone(config.tz).date()
    shift = None
    if grain == "shift":
        keys = [s.key for s in config.calendar.shifts]
        shift = view.get("shift") or None
        if shift is None:
            last = config.calendar.last_completed(now)
            shift = last.shift_key if last is not None and last.production_date == day else keys[-1]
        if shift not in keys:
            raise TreeRequestError(f"There is no shift {shift!r}; the shifts are {', '.join(keys)}.")
    return tree, scope, period_containing(grain, day, shift)


def link_to(tree: str, scope: str, period: Period, node: str) -> str:
    """The address of a tree view with a node selected."""
    query = {"tree": tree, "scope": scope, "grain": period.grain, "date": period.last.isoformat(), "node": node}
    if period.shift:
        query["shift"] = period.shift
    return "/tree?" + urlencode(query)


def _ancestors(tree: TreeDef, key: str) -> set[str]:
    parents = {e.child: e.parent for e in tree.edges}
    out: set[str] = set()
    while key in parents and parents[key] not in out:
        key = parents[key]
        out.add(key)
    return out


def _label(view: TreeView, key: str, unit: str) -> str:
    node = view.nodes[key]
    reading = node.reading
    status = str(reading.status)
    value = "no data" if reading.value is None else format_value(reading.value, unit)
    target = "" if reading.target is None else f" / {format_value(reading.target, unit)}"
    marks = []
    if node.red_below:
        marks.append("▼ red below")
    if key in view.hidden_below:
        marks.append(f"+{view.hidden_below[key]} below")
    word = f"{STATUS_ICONS.get(status, '')} {STATUS_WORDS.get(status, status)}"
    if reading.status is Status.INCOMPLETE and reading.coverage is not None:
        word += f" · {reading.coverage * 100:.0f} % covered"
    lines = [node.name, value + target, word]
    if marks:
        lines.append(" · ".join(marks))
    return "\n".join(lines)


def elements(services: Services, view: TreeView, selected: str | None) -> list[dict[str, Any]]:
    """Cytoscape elements of the drawn nodes (preset positions from the server) and their edges."""
    out: list[dict[str, Any]] = []
    for key in view.visible:
        node = view.nodes[key]
        x, y = view.positions[key]
        classes = [str(node.reading.status)]
        if node.red_below:
            classes.append("red-below")
        if key in view.hidden_below:
            classes.append("folded")
        if key == selected:
            classes.append("chosen")
        out.append({"data": {"id": key, "label": _label(view, key, services.config.kpis[key].unit),
                             "opens": bool(view.tree.children(key)), "folded": key in view.hidden_below},
                    "position": {"x": x, "y": y}, "classes": " ".join(classes)})
    for parent, child, formula in view.edges():
        out.append({"data": {"id": f"{parent}->{child}", "source": parent, "target": child,
                             "label": {"product": "×", "sum": "+"}.get(formula or "", "")},
                    "classes": "formula" if formula else "driver"})
    for t in view.tradeoffs():
        out.append({"data": {"id": f"{t.a}<->{t.b}", "source": t.a, "target": t.b, "label": "trade-off"},
                    "classes": "tradeoff"})
    return out


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    points = " pts" if unit == "%" else f" {unit}" if unit else ""
    return f"{value:+.2f}{points}".replace("-", "−")


def summary(services: Services, view: TreeView) -> list[Any]:
    """The line above the tree: the root against target, why it moved, and the red path."""
    config = services.config
    root = view.root
    kdef = config.kpis[root.key]
    status = str(root.reading.status)
    head = [html.Strong(f"{kdef.name} {format_value(root.reading.value, kdef.unit)}"),
            f" against {format_value(root.reading.target, kdef.unit)} for {config.scope_name(view.scope)}, "
            f"{period_words(config, view.period)} ", status_badge(status)]
    path = view.biggest_driver_path()
    why: list[Any] = []
    if path:
        steps = f"{kdef.name} {_signed(path[0].contribution, kdef.unit)}"
        if len(path) > 1:
            steps += "; most of it from " + ", within it ".join(
                f"{config.kpis[c.key].name} ({_signed(c.contribution, kdef.unit)})" for c in path[1:])
        why = [html.Br(), f"Against {view.previous.label}: {steps}."]
    elif root.reading.value is not None and view.before[root.key].value is None:
        why = [html.Br(), f"No data for {view.previous.label} to compare with."]
    red = [k for k in view.deepest_red() if k != root.key]
    follow: list[Any] = []
    if red:
        follow = [html.Br(), "Deepest red: " + ", ".join(config.kpis[k].name for k in red) + "."]
    return [html.P(head + why + follow)]


def findings(view: TreeView) -> Any:
    """The tree's checks as a list (or a line saying there are none)."""
    if not view.findings:
        return html.P("No findings: the tree follows the method's rules and every node has data.", className="hint")
    return html.Ul([html.Li(f"{f.where}: {f.message}") for f in view.findings], className="findings-list")


# ---- the panel ---------------------------------------------------------------------------------------------


def _definition(services: Services, d: NodeDetail) -> html.Dl:
    k = d.kpi
    rows = [("Owner", k.owner or "no owner (a finding)"),
            ("Data source", k.data_source or "no data source (a finding)"),
            ("Frequency", k.frequency), ("Direction", f"{k.direction} is better"),
            ("Leading or lagging", "leading" if k.leading else "lagging"),
            ("Baseline", f"{format_value(k.baseline.value, k.unit)} on {k.baseline.on.isoformat()} "
                         f"({k.baseline.source})" if k.baseline else "none recorded"),
            ("Formula", d.formula_text)]
    if d.own_working:
        rows.append(("Worked", d.own_working))
    if d.edge_working:
        rows.append(({"product": "Children multiplied", "sum": "Children added"}[d.tree.formula_of(k.key) or "sum"],
                     d.edge_working))
    return html.Dl([x for term, desc in rows for x in (html.Dt(term), html.Dd(desc))], className="definition")


def _why(services: Services, d: NodeDetail) -> Any:
    if not d.children_before_after:
        return None
    config = services.config
    unit = d.kpi.unit
    split = {c.key: c.contribution for c in d.why}
    formula = d.tree.formula_of(d.kpi.key)
    rows = []
    for key, before, after in d.children_before_after:
        cu = config.kpis[key].unit
        rows.append({"kpi": config.kpis[key].name, "before": format_value(before.value, cu),
                     "after": format_value(after.value, cu), "status": str(after.status),
                     "share": _signed(split.get(key), unit) if split.get(key) is not None
                     else "—" if formula else "not a formula edge"})
    change = None if d.reading.value is None or d.before.value is None else d.reading.value - d.before.value
    return html.Div([
        html.H3(f"Why it moved: {_signed(change, unit)} against {d.period.previous().label}"),
        table([("kpi", "Child"), ("before", d.period.previous().label), ("after", d.period.label),
               ("status", "Status"), ("share", f"Share of the change in {d.kpi.name}")], rows, status_key="status"),
    ], className="panel-block")


def _breakdown(services: Services, d: NodeDetail, tree: str) -> Any:
    config = services.config
    unit = d.kpi.unit
    blocks = []
    if d.by_line:
        rows = [{"where": dcc.Link(config.scope_name(r.scope), href=link_to(tree, r.scope, d.period, d.kpi.key)),
                 "value": format_value(r.value, unit), "target": format_value(r.target, unit),
                 "status": str(r.status)} for r in d.by_line]
        blocks.append(_link_table("By line", rows))
    if d.by_shift:
        rows = []
        for shift, r in zip(config.calendar.shifts, d.by_shift, strict=True):  # breakdown keeps shift order
            rows.append({"where": shift.name, "value": format_value(r.value, unit),
                         "target": format_value(r.target, unit), "status": str(r.status)})
        blocks.append(_link_table("By shift", rows))
    if not blocks:
        return None
    return html.Div([html.H3("Where it is red"), html.Div(blocks, className="breakdowns")], className="panel-block")


def _link_table(title: str, rows: list[dict[str, Any]]) -> html.Div:
    head = html.Thead(html.Tr([html.Th(title), html.Th("Value"), html.Th("Target"), html.Th("Status")]))
    body = html.Tbody([html.Tr([html.Td(r["where"]), html.Td(r["value"]), html.Td(r["target"]),
                                html.Td(status_badge(r["status"]))], className=f"row-{r['status']}") for r in rows])
    return html.Div(html.Table([head, body], className="grid"), className="breakdown")


def _drift(d: NodeDetail) -> Any:
    if not d.drifting:
        return None
    texts = [f"{d.trend[s.index].period}: {s.text}" for s in d.drifting if s.index < len(d.trend)]
    texts = list(dict.fromkeys(texts))[-3:]  # the latest few: the chart marks every one
    if d.reading.status != "red":
        return html.Div([html.Strong("Drifting, not red yet. "), "; ".join(texts)], className="drift-warning",
                        role="alert")
    return html.Div([html.Strong("Run-rule signals in the latest points. "), "; ".join(texts)],
                    className="drift-warning")


def panel(services: Services, d: NodeDetail, tree: str) -> list[Any]:
    """The panel's text part for a node."""
    k = d.kpi
    status = str(d.reading.status)
    head = html.Div([
        html.H2(k.name), status_badge(status),
        html.P([html.Span(format_value(d.reading.value, k.unit), className="panel-value"),
                f"  target {format_value(d.reading.target, k.unit)}",
                f" · {services.config.scope_name(d.scope)}, {period_words(services.config, d.period)}"]),
        html.P(f"Data through {format_time(d.reading.data_through, services.config.tz)}"
               if d.reading.data_through else "No data for this scope and period.", className="hint"),
        *[html.P(f"⚠ Check data: {why}", className="form-error") for why in d.reading.checks],
        *[html.P(f"◐ Incomplete: {why}", className="hint") for why in d.reading.gaps],
    ], className=f"panel-head status-{status}")
    return [head, _drift(d), _definition(services, d), _why(services, d), _breakdown(services, d, tree)]


def trend_figure(services: Services, d: NodeDetail) -> go.Figure:
    """The node's trend against target, with control limits and run-rule signals marked."""
    unit = d.kpi.unit
    xs = [r.period for r in d.trend]
    ys = [r.value for r in d.trend]
    fig = go.Figure()
    fig.add_scatter(x=xs, y=[r.target for r in d.trend], mode="lines", name="target", line={"shape": "hv",
                    "color": "#1f4e79", "width": 2, "dash": "dot"})
    fig.add_scatter(x=xs, y=ys, mode="lines+markers", name=d.kpi.name, line={"color": "#14202b", "width": 2},
                    marker={"size": 7, "color": [{"red": "#b3141c", "amber": "#9a6200", "green": "#1e7b34"}.get(
                        str(r.status), "#6b7680") for r in d.trend]})
    if d.limits:
        for name, value in (("upper limit", d.limits.upper), ("centre", d.limits.centre),
                            ("lower limit", d.limits.lower)):
            fig.add_scatter(x=[xs[0], xs[-1]], y=[value, value], mode="lines", name=name, hoverinfo="name+y",
                            line={"color": "#8796a5", "width": 1, "dash": "dash" if name != "centre" else "solid"})
    marked = [s for s in d.signals if s.adverse]
    if marked:
        fig.add_scatter(x=[xs[s.index] for s in marked], y=[ys[s.index] for s in marked], mode="markers",
                        name="run-rule signal", text=[s.text for s in marked], hoverinfo="text",
                        marker={"symbol": "circle-open", "size": 16, "color": "#c26a00", "line": {"width": 3}})
    fig.update_layout(margin={"l": 50, "r": 10, "t": 36, "b": 40}, template="plotly_white", showlegend=True,
                      legend={"orientation": "h", "y": -0.25, "font": {"size": 11}},
                      title={"text": f"{d.kpi.name} ({unit or 'value'}) by {d.period.grain}, "
                                     + (f"limits from the first {d.limits.baseline_points} points" if d.limits
                                        else "too few points for control limits"),
                             "font": {"size": 14}})
    return fig


def records_table(services: Services, report: Any) -> Any:
    """The individual events behind the Pareto, newest first, as a paged table (hundreds of rows stay quick)."""
    tz = services.config.tz
    rows = [{"when": format_time(r.at_utc, tz), "line": r.line, "what": r.label, "detail": r.detail,
             "minutes": None if r.minutes is None else round(r.minutes, 1), "quantity": r.quantity,
             "cost": None if r.cost is None else round(r.cost)} for r in report.records]
    columns = [("when", "When"), ("line", "Line"), ("what", "What"), ("detail", "Detail")]
    columns += [(c, h) for c, h in (("minutes", "Minutes"), ("quantity", "Units"),
                                    ("cost", f"Cost ({services.config.currency})" if services.config.currency
                                     else "Cost")) if any(r[c] is not None for r in rows)]
    if not rows:
        return html.P("No events recorded in this period.", className="empty")
    more = report.total_records - len(report.records)
    note = html.P(f"The newest {len(report.records)} of {report.total_records}.", className="hint") \
        if more > 0 else html.P(f"{report.total_records} records.", className="hint")
    return [dash_table.DataTable(
        columns=[{"name": h, "id": c, **({"type": "numeric"} if c in ("minutes", "quantity", "cost") else {})}
                 for c, h in columns],
        data=rows, page_size=12, sort_action="native", style_as_list_view=True,
        style_cell={"fontFamily": FONT, "fontSize": "13px", "padding": "4px 8px", "textAlign": "left"},
        style_header={"fontFamily": FONT, "fontWeight": "700", "backgroundColor": "#eef2f5"}), note]


def actions_block(services: Services, d: NodeDetail) -> Any:
    """The node's open actions in this scope."""
    if not d.actions:
        warn = " — red with no action" if d.reading.status == "red" else ""
        return [html.H3(f"Open actions for {d.kpi.name}"), html.P(f"None{warn}.", className="empty")]
    rows = [{"what": a.what, "owner": a.owner, "due": a.due.isoformat() + (" (overdue)" if a.overdue else ""),
             "status": a.status.replace("_", " "), "scope": services.config.scope_name(a.scope)} for a in d.actions]
    return [html.H3(f"Open actions for {d.kpi.name} ({len(rows)})"),
            table([("what", "What"), ("owner", "Owner"), ("due", "Due"), ("status", "Status"), ("scope", "Where")],
                  rows)]


def register(app: Dash, services: Services) -> None:
    """Wire the tree page."""

    @app.callback(
        Output(ids.TREE_PICK, "options"), Output(ids.TREE_PICK, "value"),
        Output(ids.TREE_SCOPE, "options"), Output(ids.TREE_SCOPE, "value"),
        Output(ids.TREE_GRAIN, "value"), Output(ids.TREE_DATE, "date"),
        Output(ids.TREE_SHIFT, "options"), Output(ids.TREE_SHIFT, "value"), Output(ids.TREE_SHIFT, "disabled"),
        Input(ids.TREE_VIEW, "data"))
    def controls(view: dict[str, Any]) -> tuple[Any, ...]:
        trees = [{"label": t.name, "value": t.key} for t in services.config.trees.values()]
        scopes = scope_options(services.config)
        shifts = [{"label": s.name, "value": s.key} for s in services.config.calendar.shifts]
        try:
            tree, scope, period = resolve(services, view)
        except TreeRequestError:
            return trees, None, scopes, None, "day", None, shifts, None, True
        return (trees, tree, scopes, scope, period.grain, period.last.isoformat(), shifts, period.shift,
                period.grain != "shift")

    @app.callback(
        Output(ids.TREE_VIEW, "data"),
        Input(ids.TREE_PICK, "value"), Input(ids.TREE_SCOPE, "value"), Input(ids.TREE_GRAIN, "value"),
        Input(ids.TREE_DATE, "date"), Input(ids.TREE_SHIFT, "value"),
        State(ids.TREE_VIEW, "data"), State(ids.TREE_SELECTED, "data"), prevent_initial_call=True)
    def choose(tree: str | None, scope: str | None, grain: str | None, day: str | None, shift: str | None,
               view: dict[str, Any], selected: str | None) -> dict[str, Any]:
        if not tree or not scope or not grain:
            raise PreventUpdate
        try:
            _tree, _scope, current = resolve(services, view)
        except TreeRequestError:
            current = None
        wanted = {"tree": tree, "scope": scope, "grain": grain, "date": (day or "")[:10],
                  "shift": shift if grain == "shift" else "", "node": selected or view.get("node") or ""}
        if tree != view.get("tree") and view.get("tree"):
            wanted["node"] = ""
        if current is not None and (tree, scope, grain, wanted["date"], wanted["shift"]) == (
                _tree, _scope, current.grain, current.last.isoformat(), current.shift or ""):
            raise PreventUpdate  # the controls only echoed the view they were set from
        return wanted

    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        """function (view, selected) {
            if (!view) { return window.dash_clientside.no_update; }
            return window.dash_clientside.huddle.keepAddress("/tree", {tree: view.tree, scope: view.scope,
                grain: view.grain, date: view.date, shift: view.shift, node: selected});
        }""",
        Output(ids.TREE_ADDRESS, "data"), Input(ids.TREE_VIEW, "data"), Input(ids.TREE_SELECTED, "data"))

    # a click opens or folds in the browser at once, so a click is never lost to a redraw still in flight;
    # the server then draws what the stores say
    app.clientside_callback(
        """function (tap, expanded, selected) {
            const none = window.dash_clientside.no_update;
            if (!tap || !tap.data || !tap.data.id) { return [none, none]; }
            const id = tap.data.id;
            let nodes = (expanded && expanded.nodes) ? expanded.nodes.slice() : [];
            if (id !== selected) {
                if (tap.data.folded && nodes.indexOf(id) < 0) { nodes.push(id); }
            } else if (tap.data.opens) {
                nodes = nodes.indexOf(id) < 0 ? nodes.concat([id]) : nodes.filter(function (n) { return n !== id; });
            }
            nodes.sort();
            return [{view: expanded ? expanded.view : null, nodes: nodes}, id];
        }""",
        Output(ids.TREE_EXPANDED, "data", allow_duplicate=True), Output(ids.TREE_SELECTED, "data",
                                                                        allow_duplicate=True),
        Input(ids.TREE_GRAPH, "tapNode"), State(ids.TREE_EXPANDED, "data"), State(ids.TREE_SELECTED, "data"),
        prevent_initial_call=True)

    @app.callback(
        Output(ids.TREE_GRAPH, "elements"), Output(ids.TREE_EXPANDED, "data"), Output(ids.TREE_SELECTED, "data"),
        Output(ids.TREE_KEY, "data"), Output(ids.TREE_DATA_KEY, "data"), Output(ids.TREE_SUMMARY, "children"),
        Output(ids.TREE_FINDINGS, "children"),
        Input(ids.TREE_VIEW, "data"), Input(ids.TREE_EXPANDED, "data"), Input(ids.TREE_SELECTED, "data"),
        Input(ids.TREE_REFRESH, "n_intervals"), Input(ids.TREE_ACTION_CHANGED, "data"),
        State(ids.TREE_KEY, "data"), State(ids.TREE_DATA_KEY, "data"))
    def draw(view: dict[str, Any], expanded: dict[str, Any] | None, selected: str | None, _n: int | None,
             _changed: int | None, key: str | None, data_key: str | None) -> tuple[Any, ...]:
        try:
            tree_key, scope, period = resolve(services, view)
        except TreeRequestError as exc:
            return [], None, None, None, None, html.P(str(exc), className="form-error"), None
        tree = services.config.trees[tree_key]
        nodes = set(tree.nodes())
        view_key = f"{tree_key}|{scope}|{period.label}"
        opened: set[str] | None = None
        if expanded and expanded.get("view") in (view_key, None) and expanded.get("nodes") is not None:
            opened = set(expanded["nodes"])
        chosen = selected
        if ctx.triggered_id == ids.TREE_VIEW or chosen not in nodes:
            chosen = view.get("node") if view.get("node") in nodes else (chosen if chosen in nodes else tree.root)
        version = services.kpis.data_version()
        bucket = int(services.clock().timestamp() // STALE_RECHECK_S)
        new_data_key = f"{version}|{view_key}|{bucket}"
        if opened is not None:  # what will be drawn is known: a refresh with nothing new reads nothing more
            opened = ({tree.root} | opened | _ancestors(tree, chosen)) & nodes
            if f"{new_data_key}|{sorted(opened)}|{chosen}" == key:
                raise PreventUpdate
        tree_view = build_tree_view(services.kpis, tree_key, scope, period, opened)
        wanted = set(tree_view.expanded) | _ancestors(tree, chosen)
        if wanted != set(tree_view.expanded):
            tree_view = build_tree_view(services.kpis, tree_key, scope, period, wanted)
        new_key = f"{new_data_key}|{sorted(tree_view.expanded)}|{chosen}"
        if new_key == key:
            raise PreventUpdate
        stored = {"view": view_key, "nodes": sorted(tree_view.expanded)}
        return (elements(services, tree_view, chosen), no_update if stored == expanded else stored,
                no_update if chosen == selected else chosen, new_key,
                no_update if new_data_key == data_key else new_data_key, summary(services, tree_view),
                findings(tree_view))

    @app.callback(
        Output(ids.TREE_PANEL, "children"), Output(ids.TREE_TREND, "figure"),
        Output(ids.TREE_WHATIF, "hidden"), Output(ids.TREE_WHATIF_LABEL, "children"),
        Output(ids.TREE_GOAL_LABEL, "children"), Output(ids.TREE_GOAL_TARGET, "value"),
        Output(ids.TREE_WHATIF_VALUE, "value"),
        Output(ids.TREE_EVENTS, "hidden"), Output(ids.TREE_EVENTS_HEAD, "children"),
        Output(ids.TREE_PARETO, "figure"), Output(ids.TREE_PARETO_TABLE, "children"),
        Output(ids.TREE_EVENT_FILTER, "options"),
        Output(ids.TREE_EVENT_FILTER, "value"), Output(ids.TREE_EVENT_RECORDS, "children"),
        Output(ids.TREE_ACTIONS, "children"), Output(ids.TREE_VALUES, "data"),
        Input(ids.TREE_SELECTED, "data"), Input(ids.TREE_DATA_KEY, "data"), State(ids.TREE_VIEW, "data"),
        State(ids.TREE_EVENT_FILTER, "value"))
    def open_panel(selected: str | None, key: str | None, view: dict[str, Any],
                   label: str | None) -> tuple[Any, ...]:
        if not selected or not key:
            raise PreventUpdate
        tree_key, scope, period = resolve(services, view)
        if selected not in services.config.trees[tree_key].nodes():
            raise PreventUpdate
        d = node_detail(services, tree_key, selected, scope, period, records=RECORDS)
        parent = d.formula_parent
        whatif_label = goal_label = ""
        goal_target = None
        if parent:
            pk = services.config.kpis[parent]
            whatif_label = f"If {d.kpi.name} were ({d.kpi.unit or 'value'})"
            goal_label = f"{pk.name} to reach ({pk.unit or 'value'})"
            goal_target = pk.target_on(period.last)
        events = d.events
        options = [{"label": f"{p.label}", "value": p.label} for p in events.pareto] if events else []
        return (panel(services, d, tree_key), trend_figure(services, d), parent is None, whatif_label, goal_label,
                goal_target, None, events is None, events.title if events else "", pareto_figure(events) if events
                else go.Figure(), pareto_table(services.config.currency, events) if events else None, options,
                None if label else no_update, records_table(services, events) if events else None,
                actions_block(services, d),
                {"key": f"{tree_key}|{scope}|{period.label}|{selected}", "values": d.values, "targets": d.targets})

    @app.callback(Output(ids.TREE_EVENT_FILTER, "value", allow_duplicate=True),
                  Input(ids.TREE_PARETO, "clickData"), prevent_initial_call=True)
    def pick_bar(click: dict[str, Any] | None) -> Any:
        if not click or not click.get("points"):
            raise PreventUpdate
        return click["points"][0].get("x")

    @app.callback(Output(ids.TREE_EVENT_RECORDS, "children", allow_duplicate=True),
                  Input(ids.TREE_EVENT_FILTER, "value"), State(ids.TREE_SELECTED, "data"),
                  State(ids.TREE_VIEW, "data"), prevent_initial_call=True)
    def records(label: str | None, selected: str | None, view: dict[str, Any]) -> Any:
        if not selected:
            raise PreventUpdate
        try:
            _tree, scope, period = resolve(services, view)
        except TreeRequestError:
            raise PreventUpdate from None
        report = events_behind(services.kpis, selected, scope, period, label=label or None, limit=RECORDS)
        if report is None:
            return None
        return records_table(services, report)

    @app.callback(Output(ids.TREE_WHATIF_RESULT, "children"),
                  Input(ids.TREE_WHATIF_VALUE, "value"), State(ids.TREE_VALUES, "data"),
                  State(ids.TREE_SELECTED, "data"), State(ids.TREE_VIEW, "data"))
    def what_if(value: float | None, values: dict[str, Any] | None, selected: str | None,
                view: dict[str, Any]) -> Any:
        if value is None or not values or not selected:
            return ""
        tree_key, _scope, _period = resolve(services, view)
        steps = try_what_if(services, tree_key, values["values"], selected, float(value), values.get("targets"))
        if not steps:
            return "This node feeds no formula above it."
        words = {True: " — meets its target", False: " — still short of its target", None: ""}
        kpis = services.config.kpis
        return "; ".join(f"{kpis[s.kpi].name} {format_value(s.now, kpis[s.kpi].unit)} → "
                         f"{format_value(s.then, kpis[s.kpi].unit)}{words[s.meets_target]}" for s in steps)

    @app.callback(Output(ids.TREE_GOAL_RESULT, "children"),
                  Input(ids.TREE_GOAL_TARGET, "value"), Input(ids.TREE_VALUES, "data"),
                  State(ids.TREE_SELECTED, "data"), State(ids.TREE_VIEW, "data"))
    def goal(target: float | None, values: dict[str, Any] | None, selected: str | None, view: dict[str, Any]) -> Any:
        if target is None or not values or not selected:
            return ""
        tree_key, _scope, _period = resolve(services, view)
        result = try_goal_seek(services, tree_key, values["values"], selected, float(target))
        if result is None:
            return ""
        kd = services.config.kpis[selected]
        if not result.possible:
            return f"Not reachable: {result.reason}"
        now = values["values"].get(selected)
        return (f"{kd.name} must reach {format_value(result.needed, kd.unit)} "
                f"(now {format_value(now, kd.unit)}), the other factors unchanged.")

    @app.callback(
        Output(ids.TREE_ACTION_MESSAGE, "children"), Output(ids.TREE_ACTION_CHANGED, "data"),
        Input(ids.TREE_ACTION_ADD, "n_clicks"),
        State(ids.TREE_ACTION_WHAT, "value"), State(ids.TREE_ACTION_OWNER, "value"),
        State(ids.TREE_ACTION_DUE, "value"), State(ids.TREE_SELECTED, "data"), State(ids.TREE_VIEW, "data"),
        State(ids.TREE_ACTION_CHANGED, "data"), prevent_initial_call=True)
    def add_action(_n: int, what: str | None, owner: str | None, due: str | None, selected: str | None,
                   view: dict[str, Any], changed: int | None) -> tuple[str, Any]:
        try:
            _tree, scope, period = resolve(services, view)
            if not selected:
                return "Not saved: select a node first", no_update
            if not due:
                return "Not saved: give a due date", no_update
            action = services.actions.raise_action(current_identity(), scope, what or "", owner or "",
                                                   date.fromisoformat(due), kpi=selected, raised_for=period.first,
                                                   raised_shift=period.shift or "")
        except (ForbiddenError, ActionError, TreeRequestError, ValueError) as exc:
            return f"Not saved: {exc}", no_update
        return (f"Saved action {action.id} for {services.config.kpis[selected].name}: {action.what} ({action.owner}, "
                f"due {action.due.isoformat()})"), (changed or 0) + 1


