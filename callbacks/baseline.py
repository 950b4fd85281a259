"""Wiring of the baseline sprint page and of the tree page's sprint line: the sprint read from
``services.baselines`` and laid out by ``pages.baseline``; a KPI's line picked into the form; save and sign off
(editors, the owner signs; the service checks both and audits)."""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.baselines import BaselineError
from huddle.dashboard.services.container import Services
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, TreeAddress
from huddle.dashboard.web.sites import site_writer
from huddle.pages.baseline import (
    proposed_words,
    render_checklist,
    render_history,
    sprint_line,
    tree_options,
)
from huddle.pages.components import scope_options


def _tree(services: Services, tree: str | None) -> str:
    """The tree asked for, else the plant's first."""
    trees = services.config.trees
    return tree if tree in trees else next(iter(trees), "")


def _scope(services: Services, scope: str | None) -> str:
    """The scope asked for when the plant has it, else the plant."""
    config = services.config
    return scope if scope in config.areas or scope in config.lines else "plant"


def show(services: Services, tree: str | None, scope: str | None, _changed: int | None,
         address: dict[str, Any] | None) -> tuple[Any, ...]:
    """The pickers, the sprint's line, its checklist, the KPIs to pick and the baselines recorded at the scope
    (the pickers' choice, else the address's)."""
    config, now = services.config, services.clock()
    asked = address or {}
    key, scope = _tree(services, tree or asked.get("tree")), _scope(services, scope or asked.get("scope"))
    if not key:
        return [], None, scope_options(config), scope, _("This plant has no KPI tree."), None, [], None
    sprint = services.baselines.view(key, scope, proposals=True)
    people = services.accounts.people()
    kpis = config.trees[key].nodes()
    records = [r for r in services.baselines.records(scope=scope) if r["kpi"] in kpis]
    options = [{"label": i.name, "value": i.item.kpi} for i in sprint.items] if sprint else []
    return (tree_options(config), key, scope_options(config), scope, sprint_line(sprint, config, now),
            render_checklist(sprint, config, people, now), options, render_history(records, config, people))


def pick(services: Services, kpi: str | None, tree: str | None, scope: str | None,
         _changed: int | None) -> tuple[Any, ...]:
    """Fill the form from the picked KPI's line (its saved value, else the one the data proposes)."""
    if not kpi or not tree:
        raise PreventUpdate
    sprint = services.baselines.view(_tree(services, tree), _scope(services, scope), proposals=True)
    item = next((i for i in sprint.items if i.item.kpi == kpi), None) if sprint else None
    if sprint is None or item is None:
        raise PreventUpdate
    it = item.item
    value = it.value if it.value is not None else item.proposed
    return (value, it.source, it.frequency or None, ["yes"] if it.no_source else [], proposed_words(item),
            {"sprint": sprint.id, "kpi": kpi, "version": it.version})


def _start(services: Services, tree: str | None, scope: str | None, changed: int | None,
           page_site: str | None) -> tuple[str, Any]:
    where = _scope(services, scope)
    try:
        services.baselines.open_sprint(site_writer(services, page_site), _tree(services, tree), where)
    except (ForbiddenError, BaselineError) as exc:
        return _("Not started: {why}").format(why=exc), no_update
    return _("Started a 48-hour baseline sprint for {scope}.").format(
        scope=services.config.scope_name(where)), (changed or 0) + 1


def write(services: Services, _save: int, _sign: int, _open: int, seen: dict[str, Any] | None,
          value: float | None, source: str | None, frequency: str | None, no_source: list[str] | None,
          tree: str | None, scope: str | None, changed: int | None, page_site: str | None) -> tuple[str, Any]:
    """Save the picked KPI's line (editors), sign it off (its owner), or start a sprint at the scope picked
    (editors); the service checks each."""
    if ctx.triggered_id == ids.BASE_OPEN:
        return _start(services, tree, scope, changed, page_site)
    signing = ctx.triggered_id == ids.BASE_SIGN
    if not seen:
        return _("Pick a KPI first."), no_update
    try:
        who = site_writer(services, page_site)
        sprint, kpi, version = int(seen["sprint"]), str(seen["kpi"]), int(seen["version"])
        if signing:
            services.baselines.sign_off(who, sprint, kpi, version)
        else:
            services.baselines.save(who, sprint, kpi, version, value=value, source=source or "",
                                    frequency=frequency or "", no_source=bool(no_source))
    except (ForbiddenError, BaselineError, ValueError, KeyError) as exc:
        return (_("Not signed off: {why}") if signing else _("Not saved: {why}")).format(why=exc), no_update
    if signing:
        return _("Signed off: {kpi}.").format(kpi=services.config.kpis[kpi].name), (changed or 0) + 1
    return _("Saved."), (changed or 0) + 1


def tree_sprint(services: Services, view: dict[str, Any], _tick: int | None) -> Any:
    """The tree page's sprint line: the sprint of the scope on screen where it has one, else the plant's;
    countdown or closing record, with the way to its checklist."""
    try:
        target = TreeAddress.from_view(view).resolve(services.config, services.clock())
    except AddressError:
        return None
    scope = services.baselines.normal_scope(target.scope)
    sprint = services.baselines.view(target.tree, scope) if scope != "plant" else None
    if sprint is None:
        sprint, scope = services.baselines.view(target.tree), "plant"
    line = sprint_line(sprint, services.config, services.clock())
    return [line + " ", html.A(_("Open the checklist"), href=f"/baseline?tree={target.tree}&scope={scope}")]


def register(app: Dash, services: Services) -> None:
    """Wire the baseline sprint page and the tree page's sprint line."""
    app.callback(Output(ids.BASE_TREE, "options"), Output(ids.BASE_TREE, "value"),
                 Output(ids.BASE_SCOPE, "options"), Output(ids.BASE_SCOPE, "value"), Output(ids.BASE_STATE, "children"),
                 Output(ids.BASE_TABLE, "children"), Output(ids.BASE_KPI, "options"),
                 Output(ids.BASE_HISTORY, "children"), Input(ids.BASE_TREE, "value"), Input(ids.BASE_SCOPE, "value"),
                 Input(ids.BASE_CHANGED, "data"), State(ids.BASE_ADDRESS, "data"))(partial(show, services))
    app.callback(Output(ids.BASE_VALUE, "value"), Output(ids.BASE_SOURCE, "value"),
                 Output(ids.BASE_FREQUENCY, "value"), Output(ids.BASE_NO_SOURCE, "value"),
                 Output(ids.BASE_PROPOSED, "children"), Output(ids.BASE_VERSION, "data"),
                 Input(ids.BASE_KPI, "value"), State(ids.BASE_TREE, "value"), State(ids.BASE_SCOPE, "value"),
                 Input(ids.BASE_CHANGED, "data"))(partial(pick, services))
    app.callback(Output(ids.BASE_MESSAGE, "children"), Output(ids.BASE_CHANGED, "data"),
                 Input(ids.BASE_SAVE, "n_clicks"), Input(ids.BASE_SIGN, "n_clicks"), Input(ids.BASE_OPEN, "n_clicks"),
                 State(ids.BASE_VERSION, "data"), State(ids.BASE_VALUE, "value"), State(ids.BASE_SOURCE, "value"),
                 State(ids.BASE_FREQUENCY, "value"), State(ids.BASE_NO_SOURCE, "value"), State(ids.BASE_TREE, "value"),
                 State(ids.BASE_SCOPE, "value"), State(ids.BASE_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
                 prevent_initial_call=True)(partial(write, services))
    app.callback(Output(ids.TREE_SPRINT, "children"), Input(ids.TREE_VIEW, "data"),
                 Input(ids.TREE_REFRESH, "n_intervals"))(partial(tree_sprint, services))
