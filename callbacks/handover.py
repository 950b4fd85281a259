"""Wiring of the shift handover on the board: the handovers leading the board (redrawn with the board and at once
after a handover is written or acknowledged), the form the outgoing leader hands over with, and the incoming leader's
acknowledgement. Each handler reads the board's address, calls the handover service (which checks the role) and
hands the result to a renderer of ``pages.handover``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.handover import HandoverError
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, BoardAddress
from huddle.dashboard.web.security import current_identity
from huddle.dashboard.web.sites import site_writer
from huddle.pages.handover import line_options, render_handovers


def _scope(services: Services, view: dict[str, Any]) -> str:
    """The scope the board shows (``AddressError`` when its address names none)."""
    return BoardAddress.from_view(view).resolve(services.config, services.clock())[0]


def lead(services: Services, _key: str | None, _changed: int | None, view: dict[str, Any]) -> list[Any]:
    """The handovers leading the board: each line's latest not yet acknowledged."""
    try:
        scope = _scope(services, view)
    except AddressError:
        return []
    acknowledging = not BoardAddress.from_view(view).kiosk and current_identity().may("editor")
    return render_handovers(services.handovers.leading(scope), acknowledging)


def lines(services: Services, view: dict[str, Any]) -> tuple[list[Any], str | None]:
    """The lines a handover can be written for from this board, the board's own line first chosen."""
    try:
        scope = _scope(services, view)
    except AddressError:
        return [], None
    options = line_options(services.config, scope)
    return options, options[0]["value"] if options else None


def write(services: Services, _n: int, line: str | None, note: str | None, problems: str | None,
          machines: list[str | None], states: list[str | None], machine_notes: list[str | None],
          safety: str | None, changed: int | None, page_site: str | None) -> tuple[str, Any]:
    """Hand over the line's shift (editors; the service checks)."""
    rows = [{"machine": m or "", "state": s or "", "note": n or ""}
            for m, s, n in zip(machines or [], states or [], machine_notes or [], strict=False)]
    try:
        who = site_writer(services, page_site)
        written = services.handovers.write(who, line or "", note=note or "", open_problems=problems or "",
                                           machines=rows, safety=safety or "")
    except (ForbiddenError, HandoverError) as exc:
        return _("Not handed over: {why}").format(why=exc), no_update
    return _("Handed over {line}, {shift}: it leads the board until the incoming leader acknowledges it").format(
        line=written.line_name, shift=written.shift_words), (changed or 0) + 1


def acknowledge(services: Services, clicks: list[int | None], changed: int | None,
                page_site: str | None) -> tuple[str, Any]:
    """The incoming leader acknowledges the handover whose button was pressed (editors; the service checks)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate  # the panel was drawn again, nothing pressed
    try:
        read = services.handovers.acknowledge(site_writer(services, page_site), int(trigger["index"]))
    except (ForbiddenError, HandoverError, ValueError) as exc:
        return _("Not acknowledged: {why}").format(why=exc), (changed or 0) + 1
    return _("{who} acknowledged the handover of {line} at {time}").format(
        who=read.acknowledged_by_name or current_identity().display_name, line=read.line_name,
        time=read.acknowledged_words), (changed or 0) + 1


def register(app: Dash, services: Services) -> None:
    """Wire the handover panel and form of the board page."""
    app.callback(Output(ids.HANDOVER_LEAD, "children"),
                 Input(ids.BOARD_KEY, "data"), Input(ids.HANDOVER_CHANGED, "data"),
                 State(ids.BOARD_VIEW, "data"))(partial(lead, services))
    app.callback(Output(ids.HANDOVER_LINE, "options"), Output(ids.HANDOVER_LINE, "value"),
                 Input(ids.BOARD_VIEW, "data"))(partial(lines, services))
    app.callback(
        Output(ids.HANDOVER_MESSAGE, "children"), Output(ids.HANDOVER_CHANGED, "data"),
        Input(ids.HANDOVER_SAVE, "n_clicks"),
        State(ids.HANDOVER_LINE, "value"), State(ids.HANDOVER_NOTE, "value"), State(ids.HANDOVER_PROBLEMS, "value"),
        State({"type": ids.HANDOVER_MACHINE, "index": ALL}, "value"),
        State({"type": ids.HANDOVER_STATE, "index": ALL}, "value"),
        State({"type": ids.HANDOVER_MACHINE_NOTE, "index": ALL}, "value"),
        State(ids.HANDOVER_SAFETY, "value"), State(ids.HANDOVER_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(write, services))
    app.callback(
        Output(ids.HANDOVER_ACK_MESSAGE, "children"),
        Output(ids.HANDOVER_CHANGED, "data", allow_duplicate=True),
        Input({"type": ids.HANDOVER_ACK, "index": ALL}, "n_clicks"),
        State(ids.HANDOVER_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(acknowledge, services))
