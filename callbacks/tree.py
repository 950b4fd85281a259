"""Wiring of the KPI tree page: which tree, scope and period; expand and fold on click; the selected node's panel
(definition, working, trend with control limits, breakdown, why it moved, what-if and goal seek, events, actions).

Handlers read the address (``address.TreeAddress``), ask the services (``services.tree``, ``services.drilldown``,
``services.events``) and hand what comes back to the renderers of ``pages.tree``; no KPI maths, no SQL and no
components here.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.actions import ActionError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.drilldown import node_detail, try_goal_seek, try_what_if
from huddle.dashboard.services.events import events_behind
from huddle.dashboard.services.kpi_stack import plant_focus
from huddle.dashboard.services.tree import TreeView, build_tree_view
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, TreeAddress, TreeTarget, keep_address_js, tree_href
from huddle.dashboard.web.parameters import read_layers
from huddle.dashboard.web.render_cache import as_sent
from huddle.dashboard.web.sites import site_writer
from huddle.pages.components import layer_options, layer_value, picked_layer
from huddle.pages.stack import render_focus
from huddle.pages.tree import (
    control_options,
    event_fields,
    goal_words,
    layer_line,
    records_table,
    render_findings,
    render_node_actions,
    render_panel,
    render_summary,
    tree_problem,
    trend_figure,
    what_if_fields,
    what_if_words,
)
from huddle.pages.tree_graph import canvas_style, render_elements, render_outline

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import TreeDef

RECORDS = 500  # event records sent to the page at most (newest first; the table pages through them)
STALE_RECHECK_S = 300  # redraw at least this often so a node can turn stale even when no data arrives


def _target(services: Services, view: dict[str, Any]) -> TreeTarget:
    """The tree, scope and period the page's view asks for (``AddressError`` when it cannot be shown)."""
    return TreeAddress.from_view(view).resolve(services.config, services.clock())


def _ancestors(tree: TreeDef, key: str) -> set[str]:
    parents = {e.child: e.parent for e in tree.edges}
    out: set[str] = set()
    while key in parents and parents[key] not in out:
        key = parents[key]
        out.add(key)
    return out


def _layers(view: dict[str, Any]) -> tuple[int, ...]:
    """The layers the tree's address stresses (``AddressError`` for one that is not a layer)."""
    return read_layers(TreeAddress.from_view(view).layer)


def controls(services: Services, view: dict[str, Any]) -> tuple[Any, ...]:
    """The pickers set to what the address shows (empty when it cannot be shown)."""
    trees, scopes, shifts = control_options(services.config)
    layers = layer_options(services.config)
    try:
        tree, scope, period = _target(services, view)
        layer = layer_value(_layers(view))
    except AddressError:
        return trees, None, scopes, None, "day", None, shifts, None, True, layers, None
    return (trees, tree, scopes, scope, period.grain, period.last.isoformat(), shifts, period.shift,
            period.grain != "shift", layers, layer)


def choose(services: Services, tree: str | None, scope: str | None, grain: str | None, day: str | None,
           shift: str | None, layer: str | None, view: dict[str, Any], selected: str | None) -> dict[str, Any]:
    """A picker changed: the page's new view (another tree starts at its root; the layers kept unless the layer
    picker changed them)."""
    if not tree or not scope or not grain:
        raise PreventUpdate
    shown = TreeAddress.from_view(view)
    node = "" if shown.tree and tree != shown.tree else selected or shown.node
    try:  # a picker still being filled (None) or echoing the address keeps the address's layers
        layers = shown.layer if layer is None or layer == layer_value(_layers(view)) else picked_layer(layer)
    except AddressError:
        layers = picked_layer(layer)
    wanted = TreeAddress(tree, scope, grain, (day or "")[:10], shift if grain == "shift" else "", node, layers)
    try:
        current = _target(services, view)
    except AddressError:
        current = None
    if current is not None and (tree, scope, grain, wanted.date, wanted.shift, wanted.layer) == (
            current.tree, current.scope, current.period.grain, current.period.last.isoformat(),
            current.period.shift or "", shown.layer):
        raise PreventUpdate  # the controls only echoed the view they were set from
    return wanted.as_view()


def _chosen(tree: TreeDef, view: dict[str, Any], selected: str | None, new_view: bool) -> str:
    """The node to select: the address's on a new view, else the one selected while it is in the tree."""
    nodes = set(tree.nodes())
    kept = selected if selected in nodes else None
    if kept is not None and not new_view:
        return kept
    asked = TreeAddress.from_view(view).node
    return asked if asked in nodes else kept or tree.root


def _opened(expanded: dict[str, Any] | None, view_key: str) -> set[str] | None:
    """The nodes the browser has open on this view (None before it has drawn one)."""
    if expanded and expanded.get("view") in (view_key, None) and expanded.get("nodes") is not None:
        return set(expanded["nodes"])
    return None


def _tree_view(services: Services, target: TreeTarget, opened: set[str] | None, chosen: str) -> TreeView:
    """The tree read with ``opened`` open, and whatever leads to the chosen node."""
    tree_view = build_tree_view(services.readings, *target, opened)
    wanted = set(tree_view.expanded) | _ancestors(tree_view.tree, chosen)
    if wanted != set(tree_view.expanded):
        tree_view = build_tree_view(services.readings, *target, wanted)
    return tree_view


def draw(services: Services, view: dict[str, Any], expanded: dict[str, Any] | None, selected: str | None,
         _n: int | None, _changed: int | None, key: str | None, data_key: str | None) -> tuple[Any, ...]:
    """The tree drawn with its open nodes and the selected one, its canvas sized to it, its summary, findings and
    outline; nothing when its key (data version, view, open nodes, selection, staleness) is what the page shows."""
    try:
        target = _target(services, view)
        layers = _layers(view)
    except AddressError as exc:
        return [], None, None, None, None, tree_problem(str(exc)), None, no_update, None
    tree = services.config.trees[target.tree]
    view_key = f"{target.tree}|{target.scope}|{target.period.label}"
    chosen = _chosen(tree, view, selected, ctx.triggered_id == ids.TREE_VIEW)
    bucket = int(services.clock().timestamp() // STALE_RECHECK_S)
    # the layers are part of what is drawn (faint or not), not of which nodes are open
    new_data_key = f"{services.readings.data_version()}|{view_key}|{bucket}|{layers}"
    opened = _opened(expanded, view_key)
    if opened is not None:  # what will be drawn is known: a refresh with nothing new reads nothing more
        opened = ({tree.root} | opened | _ancestors(tree, chosen)) & set(tree.nodes())
        if f"{new_data_key}|{sorted(opened)}|{chosen}" == key:
            raise PreventUpdate
    tree_view = _tree_view(services, target, opened, chosen)
    new_key = f"{new_data_key}|{sorted(tree_view.expanded)}|{chosen}"
    if new_key == key:
        raise PreventUpdate
    stored = {"view": view_key, "nodes": sorted(tree_view.expanded)}
    config = services.config
    every_layer = tree_href(*target, node=chosen)  # the chip's way back: the same view, every layer
    summary = [layer_line(tree_view, config, layers, every_layer), *render_summary(tree_view, config)]
    return as_sent(render_elements(tree_view, config, chosen, layers), no_update if stored == expanded else stored,
                   no_update if chosen == selected else chosen, new_key,
                   no_update if new_data_key == data_key else new_data_key, summary,
                   render_findings(tree_view, config), canvas_style(tree_view),
                   render_outline(tree_view, config, chosen, layers))


def open_panel(services: Services, selected: str | None, key: str | None, view: dict[str, Any],
               label: str | None) -> tuple[Any, ...]:
    """The selected node's panel, trend, what-if, events and actions, and the values what-if works on."""
    if not selected or not key:
        raise PreventUpdate
    tree_key, scope, period = _target(services, view)
    if selected not in services.config.trees[tree_key].nodes():
        raise PreventUpdate
    config = services.config
    d = node_detail(services, tree_key, selected, scope, period, records=RECORDS)
    hidden, whatif_label, goal_label, goal_target = what_if_fields(d, config.kpis.get(d.formula_parent or ""))
    today = services.clock().astimezone(config.tz).date()
    events_hidden, head, pareto, pareto_rows, options, records_shown = event_fields(d.events, config, today)
    panel = render_panel(d, config, tree_key, today)
    return as_sent(panel, trend_figure(d), hidden, whatif_label, goal_label, goal_target, None,
                   events_hidden, head, pareto, pareto_rows, options, None if label else no_update, records_shown,
                   render_node_actions(d, config),
                   {"key": f"{tree_key}|{scope}|{period.label}|{selected}", "values": d.values, "targets": d.targets})


def pick_bar(click: dict[str, Any] | None) -> Any:
    """A Pareto bar clicked: show that reason's records."""
    if not click or not click.get("points"):
        raise PreventUpdate
    return click["points"][0].get("x")


def records(services: Services, label: str | None, selected: str | None, view: dict[str, Any]) -> Any:
    """The records behind the selected node, of one reason when one is picked."""
    if not selected:
        raise PreventUpdate
    try:
        _tree, scope, period = _target(services, view)
    except AddressError:
        raise PreventUpdate from None
    report = events_behind(services.readings, selected, scope, period, label=label or None, limit=RECORDS)
    today = services.clock().astimezone(services.config.tz).date()
    return None if report is None else records_table(report, services.config, today)


def what_if(services: Services, value: float | None, values: dict[str, Any] | None, selected: str | None,
            view: dict[str, Any]) -> Any:
    """What the selected node at another value does to the formulas above it."""
    if value is None or not values or not selected:
        return ""
    tree_key = _target(services, view).tree
    steps = try_what_if(services, tree_key, values["values"], selected, float(value), values.get("targets"))
    return what_if_words(steps, services.config.kpis)


def goal(services: Services, target: float | None, values: dict[str, Any] | None, selected: str | None,
         view: dict[str, Any]) -> Any:
    """What the selected node must reach for its parent to reach a goal."""
    if target is None or not values or not selected:
        return ""
    tree_key = _target(services, view).tree
    result = try_goal_seek(services, tree_key, values["values"], selected, float(target))
    return goal_words(result, services.config.kpis[selected], values["values"].get(selected))


def add_action(services: Services, _n: int, what: str | None, owner: str | None, due: str | None,
               selected: str | None, view: dict[str, Any], changed: int | None,
               page_site: str | None) -> tuple[str, Any]:
    """Raise an action for the selected node's KPI in this scope and period, in the page's site (editors; the
    service checks)."""
    try:
        who = site_writer(services, page_site)
        _tree, scope, period = _target(services, view)
        if not selected:
            return _("Not saved: select a node first"), no_update
        if not due:
            return _("Not saved: give a due date"), no_update
        action = services.actions.raise_action(who, scope, what or "", owner or "",
                                               date.fromisoformat(due), kpi=selected, raised_for=period.first,
                                               raised_shift=period.shift or "")
    except (ForbiddenError, ActionError, ValueError) as exc:  # AddressError and a malformed date among them
        return _("Not saved: {why}").format(why=exc), no_update
    return _("Saved action {n} for {kpi}: {what} ({owner}, due {day})").format(
        n=action.id, kpi=services.config.kpis[selected].name, what=action.what, owner=action.owner,
        day=format_day(action.due)), (changed or 0) + 1


def earlier_actions(services: Services, selected: str | None, _changed: int | None, view: dict[str, Any]) -> str:
    """When the selected node's KPI was red here before: the earlier actions and their causes."""
    if not selected:
        return ""
    try:
        _tree, scope, period = _target(services, view)
    except AddressError:
        return ""
    return services.actions.red_again(selected, scope, before=period.last)


def focus(services: Services, _view: dict[str, Any]) -> Any:
    """The focus checks across the whole catalogue, as the KPI stack page lists them."""
    return render_focus(plant_focus(services))


def register(app: Dash, services: Services) -> None:
    """Wire the tree page."""
    app.callback(
        Output(ids.TREE_PICK, "options"), Output(ids.TREE_PICK, "value"),
        Output(ids.TREE_SCOPE, "options"), Output(ids.TREE_SCOPE, "value"),
        Output(ids.TREE_GRAIN, "value"), Output(ids.TREE_DATE, "date"),
        Output(ids.TREE_SHIFT, "options"), Output(ids.TREE_SHIFT, "value"), Output(ids.TREE_SHIFT, "disabled"),
        Output(ids.TREE_LAYER, "options"), Output(ids.TREE_LAYER, "value"),
        Input(ids.TREE_VIEW, "data"))(partial(controls, services))
    app.callback(
        Output(ids.TREE_VIEW, "data"),
        Input(ids.TREE_PICK, "value"), Input(ids.TREE_SCOPE, "value"), Input(ids.TREE_GRAIN, "value"),
        Input(ids.TREE_DATE, "date"), Input(ids.TREE_SHIFT, "value"), Input(ids.TREE_LAYER, "value"),
        State(ids.TREE_VIEW, "data"), State(ids.TREE_SELECTED, "data"),
        prevent_initial_call=True)(partial(choose, services))
    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        keep_address_js(TreeAddress, second="node", answer=True),
        Output(ids.TREE_ADDRESS, "data"), Input(ids.TREE_VIEW, "data"), Input(ids.TREE_SELECTED, "data"))
    # a click on a node opens, folds or chooses it in the browser at once (assets/tree.js), working from what the
    # stores hold, so no click is lost to a redraw in flight or to a click faster than the page answers
    app.clientside_callback(ClientsideFunction("tree", "remember"),
                            Input(ids.TREE_EXPANDED, "data"), Input(ids.TREE_SELECTED, "data"))
    app.callback(
        Output(ids.TREE_GRAPH, "elements"), Output(ids.TREE_EXPANDED, "data"), Output(ids.TREE_SELECTED, "data"),
        Output(ids.TREE_KEY, "data"), Output(ids.TREE_DATA_KEY, "data"), Output(ids.TREE_SUMMARY, "children"),
        Output(ids.TREE_FINDINGS, "children"), Output(ids.TREE_GRAPH, "style"), Output(ids.TREE_OUTLINE, "children"),
        Input(ids.TREE_VIEW, "data"), Input(ids.TREE_EXPANDED, "data"), Input(ids.TREE_SELECTED, "data"),
        Input(ids.TREE_REFRESH, "n_intervals"), Input(ids.TREE_ACTION_CHANGED, "data"),
        State(ids.TREE_KEY, "data"), State(ids.TREE_DATA_KEY, "data"))(partial(draw, services))
    # the graph refits when the server resizes its canvas to the drawn tree (assets/tree.js)
    app.clientside_callback(ClientsideFunction("tree", "fitted"), Input(ids.TREE_GRAPH, "style"))
    _register_panel(app, services)


def _register_panel(app: Dash, services: Services) -> None:
    """The selected node's panel: what-if and goal seek, the events behind it, and raising an action."""
    app.callback(
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
        State(ids.TREE_EVENT_FILTER, "value"))(partial(open_panel, services))
    app.callback(Output(ids.TREE_ACTION_EARLIER, "children"), Input(ids.TREE_SELECTED, "data"),
                 Input(ids.TREE_ACTION_CHANGED, "data"),
                 State(ids.TREE_VIEW, "data"))(partial(earlier_actions, services))
    app.callback(Output(ids.TREE_EVENT_FILTER, "value", allow_duplicate=True),
                 Input(ids.TREE_PARETO, "clickData"), prevent_initial_call=True)(pick_bar)
    app.callback(Output(ids.TREE_EVENT_RECORDS, "children", allow_duplicate=True),
                 Input(ids.TREE_EVENT_FILTER, "value"), State(ids.TREE_SELECTED, "data"),
                 State(ids.TREE_VIEW, "data"), prevent_initial_call=True)(partial(records, services))
    app.callback(Output(ids.TREE_WHATIF_RESULT, "children"),
                 Input(ids.TREE_WHATIF_VALUE, "value"), State(ids.TREE_VALUES, "data"),
                 State(ids.TREE_SELECTED, "data"), State(ids.TREE_VIEW, "data"))(partial(what_if, services))
    app.callback(Output(ids.TREE_GOAL_RESULT, "children"),
                 Input(ids.TREE_GOAL_TARGET, "value"), Input(ids.TREE_VALUES, "data"),
                 State(ids.TREE_SELECTED, "data"), State(ids.TREE_VIEW, "data"))(partial(goal, services))
    app.callback(
        Output(ids.TREE_ACTION_MESSAGE, "children"), Output(ids.TREE_ACTION_CHANGED, "data"),
        Input(ids.TREE_ACTION_ADD, "n_clicks"),
        State(ids.TREE_ACTION_WHAT, "value"), State(ids.TREE_ACTION_OWNER, "value"),
        State(ids.TREE_ACTION_DUE, "value"), State(ids.TREE_SELECTED, "data"), State(ids.TREE_VIEW, "data"),
        State(ids.TREE_ACTION_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True)(partial(add_action, services))
    app.callback(Output(ids.TREE_FOCUS, "children"), Input(ids.TREE_VIEW, "data"))(partial(focus, services))
