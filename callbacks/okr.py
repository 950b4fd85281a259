"""Wiring of the OKR page: which quarter and scope (``address.OkrAddress``), the quarter laid out by ``pages.okr``
from its read model (``services.okrs``), the weekly check-in rows, a key result's history, closing the quarter and
adopting baselines, and the planning forms. Every write goes through ``services.okr_check_ins`` or
``services.okr_plans``, which check the caller's role themselves."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.format import format_day, format_value
from huddle.dashboard.core.i18n import _, ngettext
from huddle.dashboard.core.names import period_id_words
from huddle.dashboard.core.okr_scoring import KrStatus, OkrError
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.okrs import COMPANY, OkrConflictError, QuarterView
from huddle.dashboard.services.review import candidate_kpis
from huddle.dashboard.web import html_pane, ids
from huddle.dashboard.web.address import (
    EVERY_LEVEL,
    AddressError,
    OkrAddress,
    OkrTarget,
    keep_address_js,
    okr_href,
)
from huddle.dashboard.web.html_pane import pane_html
from huddle.dashboard.web.parameters import read_layers
from huddle.dashboard.web.render_cache import as_sent
from huddle.dashboard.web.security import current_identity
from huddle.dashboard.web.sites import site_writer
from huddle.pages.components import layer_chip, layer_options, layer_value, picked_layer, scope_options
from huddle.pages.okr import (
    checkin_exports,
    checkin_rows,
    checkin_saved,
    drafted,
    okr_problem,
    pick_a_key_result,
    refusal,
    render_closing,
    render_closing_scores,
    render_history,
    render_meeting,
    render_objectives,
    render_summary,
)
from huddle.pages.okr_marks import key_result_saved, key_result_warning
from huddle.pages.okr_options import (
    history_options,
    kpi_options,
    level_options,
    objective_options,
    quarter_options,
    scope_choices,
    week_options,
)

NOT_SHOWN = (AddressError, OkrError)  # an address the page cannot show, or a quarter the service refuses
NEW = "new"  # the pickers' choice of a new objective or key result


def _target(services: Services, view: dict[str, Any]) -> OkrTarget:
    """The quarter and scope the page's view asks for (``AddressError`` when it cannot be shown)."""
    return OkrAddress.from_view(view).resolve(services.config, services.okrs.today())


def _read(services: Services, view: dict[str, Any]) -> tuple[OkrTarget, QuarterView]:
    """The quarter the page's view shows, read."""
    target = _target(services, view)
    return target, services.okrs.quarter(*target)


def _asked_quarter(services: Services, view: dict[str, Any]) -> QuarterView:
    """The quarter the view names (this one when none), every level: what the planning forms work on."""
    return services.okrs.quarter(OkrAddress.from_view(view).quarter or None)


def _layers(view: dict[str, Any]) -> tuple[int, ...]:
    """The layers whose KPIs the page's KPI pickers offer (every layer for none, or for one that is not a layer:
    the chip then says nothing is filtered)."""
    try:
        return read_layers(OkrAddress.from_view(view).layer)
    except AddressError:
        return ()


def controls(services: Services, view: dict[str, Any], chosen_kpi: str | None = None) -> tuple[Any, ...]:
    """The pickers set to the address, the planning forms' choices (the KPIs of the address's layers, and the one
    the form has chosen), the layer filter's chip, and the forms hidden from viewers."""
    quarters = services.okrs.quarters()
    layers = _layers(view)
    try:
        quarter, scope = _target(services, view)
    except AddressError:
        quarter, scope = None, None
    if quarter and quarter not in quarters:
        quarters = sorted({*quarters, quarter}, reverse=True)
    config = services.config
    planner = current_identity().may("editor")  # the server checks every save; viewers need no forms
    chip = layer_chip(config, layers, okr_href(quarter, scope), _("in the KPI pickers and the candidates"))
    return (quarter_options(quarters), quarter, scope_choices(config), scope or EVERY_LEVEL, level_options(config),
            scope_options(config), kpi_options(config, layers=layers, keep=chosen_kpi),
            None if planner else {"display": "none"}, layer_options(config), layer_value(layers), chip)


def kpis_as_typed(services: Services, typed: str | None, view: dict[str, Any] | None = None,
                  chosen_kpi: str | None = None) -> list[dict[str, str]]:
    """The KPI picker's options as someone types in it: the KPI named as typed first (of the address's layers)."""
    return kpi_options(services.config, typed, _layers(view or {}), chosen_kpi)


def choose(services: Services, quarter: str | None, scope: str | None, layer: str | None,
           view: dict[str, Any]) -> dict[str, Any]:
    """A picker changed: the page's new view (the layers kept unless the layer picker changed them)."""
    if not quarter or not scope:
        raise PreventUpdate
    shown = OkrAddress.from_view(view)
    layers = shown.layer if layer is None or layer == layer_value(_layers(view)) else picked_layer(layer)
    try:
        current = _target(services, view)
    except AddressError:
        current = None
    if current is not None and (quarter, scope, layers) == (current.quarter, current.scope or EVERY_LEVEL,
                                                            shown.layer):
        raise PreventUpdate  # the controls only echoed the view they were set from
    return OkrAddress(quarter, "" if scope == EVERY_LEVEL else scope, layers).as_view()


def _history_pick(view: QuarterView, picked: int | None) -> int | None:
    """The key result whose history shows: the one picked, else the first bound one off track, else the first."""
    krs = view.key_results
    if picked in {k.id for k in krs}:
        return picked
    worst = [k for k in krs if k.status is KrStatus.OFF_TRACK and k.kpi]
    return (worst or krs)[0].id if krs else None


def show(services: Services, view: dict[str, Any], _changed: int, _tick: int | None, picked: int | None,
         drawn: int | None) -> tuple[Any, ...]:
    """The quarter: summary, meeting, objectives, closing, exports and the history picker; nothing on a timer tick
    when nothing was saved or loaded since the last drawing."""
    version = services.readings.data_version()
    if ctx.triggered_id == ids.OKR_REFRESH and drawn == version:
        raise PreventUpdate  # nothing saved or loaded since the last drawing
    try:
        target, quarter_view = _read(services, view)
    except NOT_SHOWN as exc:
        return okr_problem(str(exc)), None, None, None, None, None, [], None, version, True, {"display": "none"}
    latest_month = period_containing("month", quarter_view.today.replace(day=1) - timedelta(days=1))
    candidate_scope = target.scope if target.scope not in (None, COMPANY) else "plant"
    layers = _layers(view)  # the candidates are KPIs: the address's layers keep theirs
    candidates = [c for c in candidate_kpis(services, candidate_scope, latest_month)
                  if not layers or c.kpi.layer in layers]
    editable = current_identity().may("editor")
    config = services.config
    # a quarter of a big plant is some 13,000 elements: sent plain, and its objectives and scores (10,500 of them,
    # without a control) as HTML that the browser puts in place (html_pane)
    return as_sent(render_summary(quarter_view, config), render_meeting(quarter_view),
                   pane_html(render_objectives(quarter_view)),
                   pane_html(render_closing_scores(quarter_view, config)),
                   render_closing(quarter_view, config, candidates, editable, candidate_scope),
                   checkin_exports(quarter_view.quarter.label), history_options(quarter_view),
                   _history_pick(quarter_view, picked), version,
                   not editable or quarter_view.closed or quarter_view.today < quarter_view.closes_from, None)


def checkin_form(services: Services, view: dict[str, Any]) -> tuple[Any, ...]:
    """The check-in's weeks (this one chosen) and a row per key result."""
    try:
        _asked, quarter_view = _read(services, view)
    except NOT_SHOWN:
        return [], None, None
    return as_sent(week_options(quarter_view), quarter_view.week.label,
                   pane_html(checkin_rows(quarter_view, current_identity().may("editor")), controls=True))


def check_in(services: Services, sent: dict[str, Any] | None, week: str | None, changed: int | None,
             page_site: str | None) -> tuple[Any, ...]:
    """Save the check-in a row sent (assets/okr.js: its key result, the check-ins it has seen and its entries);
    the answer for the row says what was saved or why not, and how many check-ins it has now seen."""
    if not isinstance(sent, dict) or not isinstance(sent.get("kr"), int) or isinstance(sent.get("kr"), bool):
        raise PreventUpdate  # nothing a row of the page sends
    kr, seen = sent["kr"], sent.get("seen")
    seen = seen if isinstance(seen, int) and not isinstance(seen, bool) and seen >= 0 else 0
    answer: dict[str, Any] = {"kr": kr, "seen": None}
    try:
        who = site_writer(services, page_site)
        saved = services.okr_check_ins.check_in(
            who, kr, seen, value=_number(sent.get("value")),
            confidence=sent.get("confidence"), moved=_text(sent.get("moved")), blocks=_text(sent.get("blocks")),
            week=week)
    except (OkrError, ForbiddenError) as exc:
        answer["message"] = pane_html(refusal(_("Not saved: {reason}").format(reason=exc)))
        if isinstance(exc, OkrConflictError):
            answer["seen"] = exc.seen  # the next save is made knowing what is there now
        return answer, no_update
    answer["message"] = pane_html(checkin_saved(saved, services.config.tz, services.okrs.today(),
                                                {who.label: who.display_name}))
    answer["seen"] = seen + 1
    return answer, (changed or 0) + 1


def _number(value: Any) -> Any:
    """A row's value: None when left empty (the service refuses what is not a number, in words)."""
    return None if value == "" else value


def _text(value: Any) -> str:
    """A row's free text as text."""
    return value if isinstance(value, str) else ""


def show_history(services: Services, kr_id: int | None, _changed: int, view: dict[str, Any]) -> Any:
    """The picked key result's chart and check-ins."""
    if kr_id is None:
        return pick_a_key_result()
    try:
        quarter_view = services.okrs.quarter(_target(services, view).quarter)
    except NOT_SHOWN:
        return None
    kr = next((k for k in quarter_view.key_results if k.id == kr_id), None)
    return render_history(kr, services.config, quarter_view.people, quarter_view.today) if kr \
        else pick_a_key_result()


def close(services: Services, _n: int, view: dict[str, Any], changed: int | None,
          page_site: str | None) -> tuple[Any, Any]:
    """Close the quarter of the page's site: every key result scored."""
    try:
        who = site_writer(services, page_site)
        quarter = _target(services, view).quarter
        scored = services.okr_plans.close_quarter(who, quarter)
    except (*NOT_SHOWN, ForbiddenError) as exc:
        return refusal(_("Not closed: {reason}").format(reason=exc)), no_update
    said = ngettext("Closed {quarter}: {n} key result scored.", "Closed {quarter}: {n} key results scored.", scored)
    return said.format(quarter=period_id_words(None, quarter), n=scored), (changed or 0) + 1


def adopt(services: Services, clicks: list[int | None], changed: int | None,
          page_site: str | None) -> tuple[Any, Any]:
    """Adopt a bound key result's reached value as its KPI's new baseline."""
    if not ctx.triggered_id or not any(clicks):
        raise PreventUpdate
    order = [o["id"]["kr"] for o in ctx.outputs_list[0]]
    messages: list[Any] = [no_update] * len(order)
    i = order.index(ctx.triggered_id["kr"])
    try:
        baseline = services.okr_plans.adopt_baseline(site_writer(services, page_site), int(ctx.triggered_id["kr"]))
    except (OkrError, ForbiddenError) as exc:
        messages[i] = refusal(" " + _("Not adopted: {reason}").format(reason=exc))
        return messages, no_update
    messages[i] = " " + _("Adopted {value} as of {day}.").format(value=format_value(baseline.value),
                                                                   day=format_day(baseline.on))
    return messages, (changed or 0) + 1


def draft(services: Services, clicks: list[int | None], view: dict[str, Any], changed: int | None,
          page_site: str | None) -> tuple[Any, Any]:
    """Plan a KPI red three months running as an objective of the next quarter."""
    # the message goes below the section, which redraws after the save
    if not ctx.triggered_id or not any(clicks):
        raise PreventUpdate
    quarter = services.okrs.parse_quarter(_target(services, view).quarter)
    following = period_containing("quarter", quarter.last + timedelta(days=1))
    try:
        services.okr_plans.draft_from_kpi(site_writer(services, page_site), following.label, ctx.triggered_id["scope"],
                                          ctx.triggered_id["kpi"])
    except (OkrError, ForbiddenError) as exc:
        return refusal(_("Not planned: {reason}").format(reason=exc)), no_update
    return drafted(services.config.kpis[ctx.triggered_id["kpi"]].name, following.label), (changed or 0) + 1


# ---- planning ----------------------------------------------------------------------------------------------


def objective_choices(services: Services, view: dict[str, Any], _changed: int, editing: Any,
                      chosen: int | None) -> tuple[Any, ...]:
    """The objective pickers: to edit (or a new one), to put one under, and to add a key result to."""
    try:
        listed = objective_options(_asked_quarter(services, view))
    except OkrError:
        return [], NEW, [], [], None
    known = {o["value"] for o in listed}
    if chosen not in known:
        chosen = listed[-1]["value"] if listed else None  # the newest: where a new key result most likely goes
    return [{"label": _("New objective"), "value": NEW}, *listed], editing if editing in known else NEW, listed, \
        listed, chosen


def load_objective(services: Services, picked: Any, view: dict[str, Any]) -> tuple[Any, ...]:
    """The objective form filled with the picked objective (empty for a new one)."""
    if picked in (None, NEW):
        return "plant", None, "", "", None
    o = next((o for o in _asked_quarter(services, view).objectives if o.id == picked), None)
    if o is None:
        raise PreventUpdate
    return o.scope, o.parent_id, o.title, o.owner, o.version


def save_objective(services: Services, _n: int, picked: Any, scope: str | None, parent: int | None,
                   title: str | None, owner: str | None, version: int | None, view: dict[str, Any],
                   changed: int | None, page_site: str | None) -> tuple[Any, ...]:
    """Save the objective form (a new objective, or the picked one at the version it was read at)."""
    quarter = OkrAddress.from_view(view).quarter or services.okrs.current_quarter().label
    editing = picked not in (None, NEW)
    try:
        who = site_writer(services, page_site)
        services.okr_plans.save_objective(who, quarter, scope or "", title or "", owner or "",
                                                  parent_id=parent, objective_id=picked if editing else None,
                                                  version=version if editing else None)
    except (OkrError, ForbiddenError) as exc:  # after a conflict the form keeps the text and moves to their version
        seen = exc.seen if isinstance(exc, OkrConflictError) and editing else no_update
        return refusal(_("Not saved: {reason}").format(reason=exc)), no_update, seen
    said = _("Saved objective: {title}").format(title=title)
    return said, (changed or 0) + 1, (version or 0) + 1 if editing else no_update


def key_result_choices(services: Services, objective_id: int | None, _changed: int, view: dict[str, Any],
                       picked: Any) -> tuple[Any, Any]:
    """The key results of the chosen objective (or a new one)."""
    options: list[dict[str, Any]] = [{"label": _("New key result"), "value": NEW}]
    if objective_id is not None:
        try:
            quarter_view = _asked_quarter(services, view)
        except OkrError:
            return options, NEW
        o = next((o for o in quarter_view.objectives if o.id == objective_id), None)
        options += [{"label": k.title, "value": k.id} for k in (o.key_results if o else [])]
    return options, picked if picked in {o["value"] for o in options} else NEW


def load_key_result(services: Services, picked: Any, view: dict[str, Any]) -> tuple[Any, ...]:
    """The key-result form filled with the picked key result (defaults for a new one)."""
    options = partial(kpi_options, services.config, layers=_layers(view))
    if picked in (None, NEW):
        return "", "increase", None, None, "", 1, "", None, None, "quarter", None, options()
    kr = next((k for k in _asked_quarter(services, view).key_results if k.id == picked), None)
    if kr is None:
        raise PreventUpdate
    return (kr.title, kr.kind, kr.start, kr.target, kr.unit, kr.weight, kr.owner, kr.kpi or None,
            kr.kpi_scope or None, kr.kpi_window, kr.version, options(keep=kr.kpi))  # its KPI, whatever its layer


def save_key_result(services: Services, _n: int, objective_id: int | None, picked: Any, title: str | None,
                    kind: str, start: float | None, target: float | None, unit: str | None, weight: float | None,
                    owner: str | None, kpi: str | None, kpi_scope: str | None, window: str, version: int | None,
                    changed: int | None, page_site: str | None) -> tuple[Any, ...]:
    """Save the key-result form (a new key result, or the picked one at the version it was read at)."""
    editing = picked not in (None, NEW)
    try:
        if objective_id is None:
            raise OkrError(_("choose the objective first"))
        who = site_writer(services, page_site)
        services.okr_plans.save_key_result(
            who, int(objective_id), title=title or "", kind=kind, start=start, target=target,
            unit=unit or "", weight=weight or 0, owner=owner or "", kpi=kpi or "", kpi_scope=kpi_scope or "",
            kpi_window=window, key_result_id=picked if editing else None, version=version if editing else None)
    except (OkrError, ForbiddenError) as exc:  # after a conflict the form keeps the text and moves to their version
        seen = exc.seen if isinstance(exc, OkrConflictError) and editing else no_update
        return refusal(_("Not saved: {reason}").format(reason=exc)), no_update, seen
    return (key_result_saved(title, kind, start, target, unit), (changed or 0) + 1,
            (version or 0) + 1 if editing else no_update)


def register(app: Dash, services: Services) -> None:
    """Wire the OKR page."""
    app.callback(Output(ids.OKR_QUARTER, "options"), Output(ids.OKR_QUARTER, "value"),
                 Output(ids.OKR_SCOPE, "options"), Output(ids.OKR_SCOPE, "value"),
                 Output(ids.OKR_OBJ_SCOPE, "options"), Output(ids.OKR_KR_KPI_SCOPE, "options"),
                 Output(ids.OKR_KR_KPI, "options"), Output(ids.OKR_PLAN, "style"),
                 Output(ids.OKR_LAYER, "options"), Output(ids.OKR_LAYER, "value"), Output(ids.OKR_FILTER, "children"),
                 Input(ids.OKR_VIEW, "data"), State(ids.OKR_KR_KPI, "value"))(partial(controls, services))
    app.callback(Output(ids.OKR_KR_KPI, "options", allow_duplicate=True), Input(ids.OKR_KR_KPI, "search_value"),
                 State(ids.OKR_VIEW, "data"), State(ids.OKR_KR_KPI, "value"),
                 prevent_initial_call=True)(partial(kpis_as_typed, services))
    app.callback(Output(ids.OKR_VIEW, "data"), Input(ids.OKR_QUARTER, "value"), Input(ids.OKR_SCOPE, "value"),
                 Input(ids.OKR_LAYER, "value"), State(ids.OKR_VIEW, "data"),
                 prevent_initial_call=True)(partial(choose, services))
    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        keep_address_js(OkrAddress), Output(ids.OKR_EXPORTS, "title"), Input(ids.OKR_VIEW, "data"))
    app.callback(Output(ids.OKR_SUMMARY, "children"), Output(ids.OKR_MEETING, "children"),
                 Output(html_pane.store_id(ids.OKR_OBJECTIVES), "data"),
                 Output(html_pane.store_id(ids.OKR_CLOSE_SCORES), "data"), Output(ids.OKR_CLOSE, "children"),
                 Output(ids.OKR_EXPORTS, "children"), Output(ids.OKR_HISTORY_PICK, "options"),
                 Output(ids.OKR_HISTORY_PICK, "value"), Output(ids.OKR_VERSION, "data"),
                 Output(ids.OKR_CLOSE_BUTTON, "disabled"), Output(ids.OKR_SECTIONS, "style"),
                 Input(ids.OKR_VIEW, "data"), Input(ids.OKR_CHANGED, "data"), Input(ids.OKR_REFRESH, "n_intervals"),
                 State(ids.OKR_HISTORY_PICK, "value"), State(ids.OKR_VERSION, "data"))(partial(show, services))
    html_pane.register(app, ids.OKR_OBJECTIVES)
    html_pane.register(app, ids.OKR_CLOSE_SCORES)
    html_pane.register(app, ids.OKR_CHECKIN_ROWS)
    app.callback(Output(ids.OKR_CHECKIN_WEEK, "options"), Output(ids.OKR_CHECKIN_WEEK, "value"),
                 Output(html_pane.store_id(ids.OKR_CHECKIN_ROWS), "data"),
                 Input(ids.OKR_VIEW, "data"))(partial(checkin_form, services))
    # a check-in row sends its entries through a store and gets its answer through another (assets/okr.js): the
    # rows are plain HTML, not 2,000 pattern-matched components that kept the browser busy for 11-15 s
    app.callback(
        Output(ids.OKR_CI_RESULT, "data"), Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
        Input(ids.OKR_CI_SUBMIT, "data"), State(ids.OKR_CHECKIN_WEEK, "value"), State(ids.OKR_CHANGED, "data"),
        State(ids.PAGE_SITE, "data"), prevent_initial_call=True)(partial(check_in, services))
    app.clientside_callback(ClientsideFunction("okr", "answered"), Input(ids.OKR_CI_RESULT, "data"))
    _register_history_and_close(app, services)
    _register_planning(app, services)


def _register_history_and_close(app: Dash, services: Services) -> None:
    """A key result's history; closing the quarter, adopting baselines and planning next quarter's objectives."""
    app.callback(Output(ids.OKR_HISTORY, "children"), Input(ids.OKR_HISTORY_PICK, "value"),
                 Input(ids.OKR_CHANGED, "data"), State(ids.OKR_VIEW, "data"))(partial(show_history, services))
    app.callback(Output(ids.OKR_CLOSE_MESSAGE, "children"), Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                 Input(ids.OKR_CLOSE_BUTTON, "n_clicks"), State(ids.OKR_VIEW, "data"),
                 State(ids.OKR_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
                 prevent_initial_call=True)(partial(close, services))
    app.callback(Output({"type": ids.OKR_ADOPT_MESSAGE, "kr": ALL}, "children"),
                 Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                 Input({"type": ids.OKR_ADOPT, "kr": ALL}, "n_clicks"), State(ids.OKR_CHANGED, "data"),
                 State(ids.PAGE_SITE, "data"), prevent_initial_call=True)(partial(adopt, services))
    app.callback(Output(ids.OKR_CLOSE_MESSAGE, "children", allow_duplicate=True),
                 Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                 Input({"type": ids.OKR_DRAFT, "kpi": ALL, "scope": ALL}, "n_clicks"), State(ids.OKR_VIEW, "data"),
                 State(ids.OKR_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
                 prevent_initial_call=True)(partial(draft, services))


def _register_planning(app: Dash, services: Services) -> None:
    """The objective and key-result forms: pick one to edit (or new), save with the version it was read at."""
    app.callback(Output(ids.OKR_OBJ_PICK, "options"), Output(ids.OKR_OBJ_PICK, "value"),
                 Output(ids.OKR_OBJ_PARENT, "options"),
                 Output(ids.OKR_KR_OBJECTIVE, "options"), Output(ids.OKR_KR_OBJECTIVE, "value"),
                 Input(ids.OKR_VIEW, "data"), Input(ids.OKR_CHANGED, "data"), State(ids.OKR_OBJ_PICK, "value"),
                 State(ids.OKR_KR_OBJECTIVE, "value"))(partial(objective_choices, services))
    app.callback(Output(ids.OKR_OBJ_SCOPE, "value"), Output(ids.OKR_OBJ_PARENT, "value"),
                 Output(ids.OKR_OBJ_TITLE, "value"), Output(ids.OKR_OBJ_OWNER, "value"),
                 Output(ids.OKR_OBJ_VERSION, "data"), Input(ids.OKR_OBJ_PICK, "value"),
                 State(ids.OKR_VIEW, "data"))(partial(load_objective, services))
    app.callback(Output(ids.OKR_OBJ_MESSAGE, "children"), Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                 Output(ids.OKR_OBJ_VERSION, "data", allow_duplicate=True),
                 Input(ids.OKR_OBJ_SAVE, "n_clicks"), State(ids.OKR_OBJ_PICK, "value"),
                 State(ids.OKR_OBJ_SCOPE, "value"), State(ids.OKR_OBJ_PARENT, "value"),
                 State(ids.OKR_OBJ_TITLE, "value"), State(ids.OKR_OBJ_OWNER, "value"),
                 State(ids.OKR_OBJ_VERSION, "data"), State(ids.OKR_VIEW, "data"), State(ids.OKR_CHANGED, "data"),
                 State(ids.PAGE_SITE, "data"), prevent_initial_call=True)(partial(save_objective, services))
    app.callback(Output(ids.OKR_KR_PICK, "options"), Output(ids.OKR_KR_PICK, "value"),
                 Input(ids.OKR_KR_OBJECTIVE, "value"), Input(ids.OKR_CHANGED, "data"), State(ids.OKR_VIEW, "data"),
                 State(ids.OKR_KR_PICK, "value"))(partial(key_result_choices, services))
    app.callback(Output(ids.OKR_KR_TITLE, "value"), Output(ids.OKR_KR_KIND, "value"),
                 Output(ids.OKR_KR_START, "value"), Output(ids.OKR_KR_TARGET, "value"),
                 Output(ids.OKR_KR_UNIT, "value"), Output(ids.OKR_KR_WEIGHT, "value"),
                 Output(ids.OKR_KR_OWNER, "value"), Output(ids.OKR_KR_KPI, "value"),
                 Output(ids.OKR_KR_KPI_SCOPE, "value"), Output(ids.OKR_KR_WINDOW, "value"),
                 Output(ids.OKR_KR_VERSION, "data"), Output(ids.OKR_KR_KPI, "options", allow_duplicate=True),
                 Input(ids.OKR_KR_PICK, "value"), State(ids.OKR_VIEW, "data"),
                 prevent_initial_call="initial_duplicate")(partial(load_key_result, services))
    app.callback(Output(ids.OKR_KR_WARNING, "children"), Input(ids.OKR_KR_KIND, "value"),
                 Input(ids.OKR_KR_START, "value"), Input(ids.OKR_KR_TARGET, "value"),
                 Input(ids.OKR_KR_UNIT, "value"))(key_result_warning)
    app.callback(Output(ids.OKR_KR_MESSAGE, "children"), Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                 Output(ids.OKR_KR_VERSION, "data", allow_duplicate=True),
                 Input(ids.OKR_KR_SAVE, "n_clicks"), State(ids.OKR_KR_OBJECTIVE, "value"),
                 State(ids.OKR_KR_PICK, "value"), State(ids.OKR_KR_TITLE, "value"), State(ids.OKR_KR_KIND, "value"),
                 State(ids.OKR_KR_START, "value"), State(ids.OKR_KR_TARGET, "value"),
                 State(ids.OKR_KR_UNIT, "value"), State(ids.OKR_KR_WEIGHT, "value"),
                 State(ids.OKR_KR_OWNER, "value"), State(ids.OKR_KR_KPI, "value"),
                 State(ids.OKR_KR_KPI_SCOPE, "value"), State(ids.OKR_KR_WINDOW, "value"),
                 State(ids.OKR_KR_VERSION, "data"), State(ids.OKR_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
                 prevent_initial_call=True)(partial(save_key_result, services))
