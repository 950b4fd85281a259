"""Wiring of the shift board: which scope and shift to show, the refresh that sends nothing when nothing changed,
the playlist rotation and its cue of what comes next, and the actions editors raise and close from the board.

Each handler reads the address (``address.BoardAddress``), calls a service and hands the result to a renderer of
``pages.board``; ``register`` binds them to the app with the services they use.
"""

from __future__ import annotations

import time
from datetime import date
from functools import partial
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from huddle.callbacks import action_cause
from huddle.callbacks.action_cause import form_cause
from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import _, language
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.actions import STATUS_WORDS, ActionConflictError, ActionError
from huddle.dashboard.services.board import board_view
from huddle.dashboard.services.conflicts import conflict_message
from huddle.dashboard.services.container import Services, redis_prefix
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, BoardAddress, BoardTarget, board_href, board_search
from huddle.dashboard.web.first_paint import FirstPaint
from huddle.dashboard.web.render_cache import LocalRenderCache, RedisRenderCache, make_render_cache
from huddle.dashboard.web.sites import site_writer
from huddle.pages.board import (
    action_options,
    board_problem,
    keep_layers,
    kpi_options,
    playlist_cue,
    render_board,
    scope_title,
)
from huddle.pages.components import layer_chip, layer_options, layer_value, picked_layer, scope_options

STALE_RECHECK_S = 300  # re-render at least this often so a tile can turn stale even when no data arrives


#: the cause boxes, in the order form_cause takes them
CAUSE_STATES = (State(ids.ACTION_METHOD, "value"), State({"type": ids.ACTION_WHY, "index": ALL}, "value"),
                State(ids.ACTION_ROOT, "value"), State({"type": ids.ACTION_A3, "index": ALL}, "value"),
                State({"type": ids.ACTION_A3, "index": ALL}, "id"))


def _target(services: Services, view: dict[str, Any], cycle_n: int | None = None) -> BoardTarget:
    """The scope and shift the board's view asks for (``AddressError`` when there are none)."""
    return BoardAddress.from_view(view).resolve(services.config, services.clock(), cycle_n)


def scope_choices(services: Services, view: dict[str, Any]) -> tuple[list[dict[str, str]], str | None]:
    """The scope picker's options, set to the address's scope when the plant has it."""
    options = scope_options(services.config)
    wanted = BoardAddress.from_view(view).scope
    return options, wanted if wanted in {o["value"] for o in options} else None


def layer_choices(services: Services, view: dict[str, Any]) -> tuple[list[dict[str, str]], str]:
    """The layer picker's options, set to the address's layer (every layer for several, or for none it knows)."""
    try:
        layers = BoardAddress.from_view(view).layers()
    except AddressError:
        layers = ()
    return layer_options(services.config), layer_value(layers)


def choose(scope: str, mode: str, layer: str | None, view: dict[str, Any]) -> str:
    """A scope, mode or layer picked: the address's new query (the page reads it again), keeping the layer
    filter the address has when the picker did not change it."""
    shown = BoardAddress.from_view(view)
    try:  # a picker still being filled (None) or echoing the address keeps the address's layers
        wanted = shown.layer if layer is None or layer == layer_value(shown.layers()) else picked_layer(layer)
    except AddressError:
        wanted = picked_layer(layer)
    if not scope or (scope == shown.scope and (mode == "live") == shown.live and wanted == shown.layer):
        raise PreventUpdate
    return board_search(scope, live=mode == "live", layer=wanted)


def kiosk_link(view: dict[str, Any]) -> str:
    """The address of this board as a TV shows it (the same layers)."""
    shown = BoardAddress.from_view(view)
    return board_href(shown.scope, kiosk=True, live=shown.live, layer=shown.layer)


def _chip(services: Services, shown: BoardAddress, scope: str, layers: tuple[int, ...]) -> Any:
    """The chip saying the board lists one layer's tiles (a TV's without the link to every layer)."""
    clear = None if shown.kiosk else board_href(scope, live=shown.live)
    return layer_chip(services.config, layers, clear,
                      _("(the columns' colours and calendars still count every KPI)"))


def refresh(services: Services, cache: LocalRenderCache | RedisRenderCache, _n: int | None, cycle_n: int | None,
            view: dict[str, Any], _changed: int | None, key: str | None) -> tuple[Any, Any]:
    """The board's body, drawn again only when its key (data version, scope, shift, staleness) changed."""
    shown = BoardAddress.from_view(view)
    try:
        scope, period = _target(services, view, cycle_n)
        layers = shown.layers()
    except AddressError as exc:
        return board_problem(str(exc)), None
    # actions and entered values bump the version too; the loaders stopping shows at once, not at the next bucket
    version, liveness = services.data_status.version_and_liveness()
    bucket = int(services.clock().timestamp() // STALE_RECHECK_S)
    # the last part is how far the server's clock runs ahead of the real one (a plant shown "as at" another
    # moment): the browser counts data ages from the server's now, not its own
    # (it rides along in the stored key but is not part of what is compared: a fixed clock drifts from the real one)
    ahead = round(services.clock().timestamp() - time.time())
    loaders = liveness.status
    # one render per site, data version, scope, shift and language: a plant's file may change its language
    new_key = (f"{services.config.site_key}|{version}|{scope}|{period.label}|{language()}|{bucket}|{loaders}|{layers}"
               f"|{shown.kiosk}")
    if key and key.rsplit("|", 1)[0] == new_key:
        if ctx.triggered_id is None:
            # the page's first call, on a board that came drawn with the page: the key goes back unchanged, which
            # is what sets the parts that follow the board (handover lead, escalations, action pickers) drawing
            return no_update, key
        raise PreventUpdate  # nothing changed: the browser gets an empty answer and keeps what it shows
    # every TV showing the same scope and shift shares one render (those asking while it is drawn wait for it);
    # across web workers too when Redis is configured
    body = cache.get_or_render(new_key, lambda: _with_chip(
        render_board(keep_layers(board_view(services, scope, period, layers), layers)),
        _chip(services, shown, scope, layers)))
    return body, f"{new_key}|{ahead}"


def _with_chip(body: list[Any], chip: Any) -> list[Any]:
    """The board's body with the layer chip under its head (the body's second part)."""
    return [*body[:2], chip, *body[2:]] if chip is not None else body


def first_board(services: Services, cache: LocalRenderCache | RedisRenderCache, page: Any,
                _query: dict[str, Any]) -> None:
    """The board drawn into the page's first paint: its body and key as the first refresh would send them, so a TV
    shows tiles from the page's first answer and that refresh sends nothing."""
    body, key = refresh(services, cache, None, None, page[ids.BOARD_VIEW].data, None, None)
    page[ids.BOARD_BODY].children = body
    page[ids.BOARD_KEY].data = key


def playlist(services: Services, cycle_n: int | None, view: dict[str, Any]) -> list[Any]:
    """The playlist's cue at each turn: the scope that comes next and the bar counting down to it."""
    shown = BoardAddress.from_view(view)
    scope = shown.next_scope(cycle_n)
    if scope is None:
        raise PreventUpdate
    return playlist_cue(scope_title(services.config, scope), shown.cycle, cycle_n or 0)


def add_action(services: Services, _n: int, what: str, owner: str, due: str, kpi: str | None,
               view: dict[str, Any], changed: int | None, page_site: str | None, *cause: Any) -> tuple[str, Any]:
    """Raise an action for the board's scope and shift, in the page's site, with why it happened when the boxes
    say (editors; the service checks)."""
    try:
        who = site_writer(services, page_site)
        scope, period = _target(services, view)
        if not due:
            return _("Not saved: give a due date"), no_update
        action = services.actions.raise_action(who, scope, what, owner, date.fromisoformat(due),
                                               kpi=kpi or "", raised_for=period.first,
                                               raised_shift=period.shift or "", cause=form_cause(*cause))
    except (ForbiddenError, ActionError, ValueError) as exc:  # AddressError and a malformed date among them
        return _("Not saved: {why}").format(why=exc), no_update
    return _("Saved action {n}: {what} ({owner}, due {day})").format(
        n=action.id, what=action.what, owner=action.owner, day=format_day(action.due)), (changed or 0) + 1


def update_action(services: Services, _n: int, picked: str | None, status: str | None, result: str | None,
                  changed: int | None, page_site: str | None, *cause: Any) -> tuple[str, Any]:
    """Move an action on: a new status, what was done, why it happened (editors; the service checks)."""
    if not picked:
        return _("Not saved: pick an action and its new status"), no_update
    action_id, version = (int(x) for x in picked.split(":"))
    again = _("pick the action again and save")  # the picker names the version it was read at
    changes: dict[str, Any] = {"cause": form_cause(*cause)}
    if status:
        changes["status"] = status
    if result:
        changes["result"] = result
    try:
        action = services.actions.change(site_writer(services, page_site), action_id, version, **changes)
    except ActionConflictError as exc:  # the board redraws with theirs; the typed result stays in the form
        return _("Not saved: {why}").format(
            why=conflict_message(exc.changed, services.config.tz, services.actions.today(), again)), (changed or 0) + 1
    except (ForbiddenError, ActionError) as exc:
        return _("Not saved: {why}").format(why=exc), no_update
    if not status:
        return _("Saved why action {n} happened").format(n=action.id), (changed or 0) + 1
    return _("Action {n} is now {status}").format(n=action.id, status=_(STATUS_WORDS[action.status])), \
        (changed or 0) + 1


def action_choices(services: Services, _key: str | None,
                   view: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The open actions of the board's scope, and the KPIs an action can answer."""
    try:
        scope, _period = _target(services, view)
        layers = BoardAddress.from_view(view).layers()
    except AddressError:
        return [], []
    kpis = {k: d for k, d in services.config.kpis.items() if not layers or d.layer in layers}
    return action_options(services.actions.listing(scope)), kpi_options(kpis)


def register(app: Dash, services: Services, first_paint: FirstPaint) -> None:
    """Wire the board page (its first body drawn with the page: ``first_paint``)."""
    cache = make_render_cache(services.settings.redis_url, redis_prefix(services.settings, "board"))
    first_paint.fill("board", partial(first_board, services, cache))
    app.callback(Output(ids.BOARD_SCOPE, "options"), Output(ids.BOARD_SCOPE, "value"),
                 Input(ids.BOARD_VIEW, "data"))(partial(scope_choices, services))
    app.callback(Output(ids.BOARD_LAYER, "options"), Output(ids.BOARD_LAYER, "value"),
                 Input(ids.BOARD_VIEW, "data"))(partial(layer_choices, services))
    app.callback(Output(ids.URL, "search", allow_duplicate=True),
                 Input(ids.BOARD_SCOPE, "value"), Input(ids.BOARD_MODE, "value"), Input(ids.BOARD_LAYER, "value"),
                 State(ids.BOARD_VIEW, "data"), prevent_initial_call=True)(choose)
    app.callback(Output("board-kiosk-link", "href"), Input(ids.BOARD_VIEW, "data"))(kiosk_link)
    app.callback(
        Output(ids.BOARD_BODY, "children"), Output(ids.BOARD_KEY, "data"),
        Input(ids.BOARD_REFRESH, "n_intervals"), Input(ids.BOARD_CYCLE, "n_intervals"),
        Input(ids.BOARD_VIEW, "data"), Input(ids.ACTION_CHANGED, "data"),
        State(ids.BOARD_KEY, "data"),
    )(partial(refresh, services, cache))
    app.callback(Output(ids.BOARD_PLAYLIST, "children"), Input(ids.BOARD_CYCLE, "n_intervals"),
                 State(ids.BOARD_VIEW, "data"))(partial(playlist, services))
    app.clientside_callback(
        ClientsideFunction("huddle", "ages"),
        Output({"type": ids.BOARD_AGE, "index": ALL}, "children"),
        Input(ids.BOARD_CLOCK, "n_intervals"), Input(ids.BOARD_KEY, "data"),
        State({"type": ids.BOARD_AGE, "index": ALL}, "id"), State(ids.BOARD_WORDS, "data"),
    )
    app.callback(
        Output(ids.ACTION_MESSAGE, "children"), Output(ids.ACTION_CHANGED, "data"),
        Input(ids.ACTION_ADD, "n_clicks"),
        State(ids.ACTION_WHAT, "value"), State(ids.ACTION_OWNER, "value"), State(ids.ACTION_DUE, "value"),
        State(ids.ACTION_KPI, "value"), State(ids.BOARD_VIEW, "data"), State(ids.ACTION_CHANGED, "data"),
        State(ids.PAGE_SITE, "data"), *CAUSE_STATES, prevent_initial_call=True,
    )(partial(add_action, services))
    app.callback(
        Output(ids.ACTION_MESSAGE, "children", allow_duplicate=True),
        Output(ids.ACTION_CHANGED, "data", allow_duplicate=True),
        Input(ids.ACTION_SAVE, "n_clicks"),
        State(ids.ACTION_PICK, "value"), State(ids.ACTION_STATUS, "value"), State(ids.ACTION_RESULT, "value"),
        State(ids.ACTION_CHANGED, "data"), State(ids.PAGE_SITE, "data"), *CAUSE_STATES,
        prevent_initial_call=True,
    )(partial(update_action, services))
    action_cause.register(app, services)
    app.callback(
        Output(ids.ACTION_PICK, "options"), Output(ids.ACTION_KPI, "options"),
        Input(ids.BOARD_KEY, "data"), State(ids.BOARD_VIEW, "data"),
    )(partial(action_choices, services))
