"""Wiring of huddle mode on the board: starting a huddle (the agenda of the board's scope and shift, drawn once),
moving between its segments and counting its time (in the browser, ``assets/meetings.js``), and closing it into its
record (the huddle service checks the role and reads what was red, due and raised)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, no_update
from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.huddle_mode import huddle_view
from huddle.dashboard.services.huddles import LONGEST_HUDDLE, HuddleError
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, BoardAddress, huddles_href
from huddle.dashboard.web.sites import site_writer
from huddle.pages.huddle_mode import huddle_title, people_options, recorded_message, render_agenda


def _resumed(previous: dict[str, Any] | None, scope: str, now: datetime) -> str | None:
    """When the huddle left for the board (to escalate, say) is started again: the start it had, else None."""
    if not previous or previous.get("scope") != scope or previous.get("closed"):
        return None
    try:
        started = datetime.fromisoformat(str(previous.get("started")))
    except ValueError:
        return None
    return started.isoformat() if started.tzinfo and timedelta(0) <= now - started < LONGEST_HUDDLE else None


def start(services: Services, _n: int, view: dict[str, Any], previous: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """The agenda of the board's scope and shift, the people to tick, and the huddle's start by the server (the
    same start when a huddle left for the board is taken up again)."""
    try:
        scope, period = BoardAddress.from_view(view).resolve(services.config, services.clock())
        shown = huddle_view(services, scope, period)
    except (AddressError, HuddleError) as exc:
        return [], "", [], [], None, False, True, _("The huddle cannot start: {why}").format(why=exc)
    now = services.clock()
    state = {"scope": scope, "started": _resumed(previous, scope, now) or now.isoformat(),
             "minutes": shown["minutes"], "titles": [s["title"] for s in shown["segments"]]}
    return (render_agenda(shown), huddle_title(shown), people_options(shown["people"]), [], state, False, False,
            "")


def close(services: Services, _n: int, people: list[str] | None, guests: str | None, notes: str | None,
          state: dict[str, Any] | None, page_site: str | None) -> tuple[Any, Any, Any]:
    """Record the huddle (editors covering its scope; the service checks) and stop its clock."""
    if not state:
        return _("Not recorded: start a huddle first"), no_update, no_update
    try:
        who = site_writer(services, page_site)
        started = datetime.fromisoformat(str(state.get("started")))
        attendees = [*(people or []), *(guests or "").split(",")]
        record = services.huddles.close(who, str(state.get("scope")), started_at=started, attendees=attendees,
                                        notes=notes or "")
    except (ForbiddenError, HuddleError, ValueError) as exc:
        return _("Not recorded: {why}").format(why=exc), no_update, no_update
    return recorded_message(record, huddles_href(record.production_date, record.scope)), True, {**state,
                                                                                               "closed": True}


def register(app: Dash, services: Services) -> None:
    """Wire huddle mode on the board page."""
    app.callback(
        Output(ids.HUDDLE_SEGMENTS, "children"), Output(ids.HUDDLE_TITLE, "children"),
        Output(ids.HUDDLE_PEOPLE, "options"), Output(ids.HUDDLE_PEOPLE, "value"), Output(ids.HUDDLE_STATE, "data"),
        Output(ids.HUDDLE_PANEL, "hidden"), Output(ids.HUDDLE_TICK, "disabled"), Output(ids.HUDDLE_MESSAGE, "children"),
        Input(ids.HUDDLE_START, "n_clicks"), State(ids.BOARD_VIEW, "data"), State(ids.HUDDLE_STATE, "data"),
        prevent_initial_call=True,
    )(partial(start, services))
    app.callback(
        Output(ids.HUDDLE_MESSAGE, "children", allow_duplicate=True),
        Output(ids.HUDDLE_TICK, "disabled", allow_duplicate=True),
        Output(ids.HUDDLE_STATE, "data", allow_duplicate=True),
        Input(ids.HUDDLE_CLOSE, "n_clicks"),
        State(ids.HUDDLE_PEOPLE, "value"), State(ids.HUDDLE_GUESTS, "value"), State(ids.HUDDLE_NOTES, "value"),
        State(ids.HUDDLE_STATE, "data"), State(ids.PAGE_SITE, "data"), prevent_initial_call=True,
    )(partial(close, services))
    app.clientside_callback(
        ClientsideFunction("huddle_meeting", "move"),
        Output(ids.HUDDLE_NAV, "data"), Output({"type": ids.HUDDLE_SEGMENT, "index": ALL}, "hidden"),
        Output(ids.HUDDLE_STEP, "children"),
        Input(ids.HUDDLE_PREV, "n_clicks"), Input(ids.HUDDLE_NEXT, "n_clicks"), Input(ids.HUDDLE_STATE, "data"),
        State(ids.HUDDLE_NAV, "data"), State({"type": ids.HUDDLE_SEGMENT, "index": ALL}, "id"),
        State(ids.HUDDLE_WORDS, "data"), prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("huddle_meeting", "tick"),
        Output(ids.HUDDLE_TIMER, "children"), Output(ids.HUDDLE_TIMER, "className"),
        Input(ids.HUDDLE_TICK, "n_intervals"), Input(ids.HUDDLE_NAV, "data"),
        State(ids.HUDDLE_STATE, "data"), State(ids.HUDDLE_WORDS, "data"), prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("huddle_meeting", "leave"),
        Output(ids.HUDDLE_PANEL, "hidden", allow_duplicate=True),
        Output(ids.HUDDLE_TICK, "disabled", allow_duplicate=True),
        Input(ids.HUDDLE_LEAVE, "n_clicks"), prevent_initial_call=True,
    )
