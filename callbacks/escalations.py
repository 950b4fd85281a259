"""Wiring of the board's escalations: the panel drawn again with the board (and after every step), and the steps
the forms take: escalate to the next tier, accept, answer or pass up what came in, acknowledge an answer.

Each handler reads the board's address, calls the escalation service as whoever sent the request (the service
checks role and scope: a forged request body gets the same refusal as a hidden button) and hands the result to a
renderer of ``pages.escalations``.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from dash import Dash, Input, Output, State, ctx, no_update
from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.escalation_board import panel, raise_from_board
from huddle.dashboard.services.escalations import EscalationError
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import AddressError, BoardAddress
from huddle.dashboard.web.sites import WrongSiteError, site_writer
from huddle.pages.escalations import about_options, answer_options, received_options, render_panel

REFUSED = (ForbiddenError, EscalationError, AddressError, WrongSiteError, ValueError)


def draw(services: Services, _key: str | None, _changed: int | None, view: dict[str, Any]) -> tuple[Any, ...]:
    """The panel, the forms' choices, the escalate button's words and which forms show, for the board's scope."""
    try:
        scope, period = BoardAddress.from_view(view).resolve(services.config, services.clock())
    except AddressError:
        return [], [], [], [], _("Escalate"), True, True, True, True
    shown = panel(services, scope, period)
    limits = {t.number: t.answer_hours for t in services.config.tiers}
    to_answer = received_options(shown.received)
    escalate = _("Escalate to {where}").format(where=shown.up_name) if shown.up else _("Escalate")
    return (render_panel(shown, services.config.tz, limits, services.config.site_key), about_options(shown), to_answer,
            answer_options(shown.answers), escalate, shown.up is None, not to_answer, not to_answer,
            not shown.answers)


def _picked(value: str | None) -> tuple[int, int]:
    """The escalation and version a picker's value names ('12:3'); refused for anything else."""
    ident, _sep, version = str(value or "").partition(":")
    if not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in (ident, version)):
        raise EscalationError(_("pick the escalation again"))
    return int(ident), int(version)


def escalate(services: Services, _n: int, about: str | None, sentence: str | None, view: dict[str, Any],
             changed: int | None, page_site: str | None) -> tuple[str, Any, Any]:
    """Escalate from the board to the next tier (editors whose scope covers the board's; the service checks)."""
    try:
        who = site_writer(services, page_site)
        scope, period = BoardAddress.from_view(view).resolve(services.config, services.clock())
        made = raise_from_board(services, who, scope, period, about, sentence or "")
    except REFUSED as exc:
        return _("Not escalated: {why}").format(why=exc), no_update, no_update
    return _("Escalated to {tier} ({scope}): {sentence}").format(
        tier=made.tier_title, scope=made.scope_name, sentence=made.sentence), (changed or 0) + 1, ""


def take_step(services: Services, _accept: int, _answer: int, _pass: int, picked: str | None, owner: str | None,
              due: str | None, answer: str | None, why: str | None, changed: int | None,
              page_site: str | None) -> tuple[str, Any]:
    """Accept (owner and due date), answer or pass up a received escalation, from the version the picker read."""
    step = ctx.triggered_id
    try:
        who = site_writer(services, page_site)
        if not picked:
            return _("Not saved: pick the escalation first"), no_update
        ident, version = _picked(picked)
        esc = services.escalations
        if step == ids.ESC_ACCEPT:
            if not due:
                return _("Not saved: give the date the answer is due"), no_update
            done = esc.accept(who, ident, version, owner or "", date.fromisoformat(due))
            said = _("Accepted: {owner} answers by {day}").format(owner=done.owner, day=format_day(
                date.fromisoformat(due), services.clock().astimezone(services.config.tz).date()))
        elif step == ids.ESC_ANSWER_SAVE:
            done = esc.answer(who, ident, version, answer or "")
            said = _("Answered; {origin} sees it on its board: {answer}").format(origin=done.origin_name,
                                                                               answer=done.answer)
        else:
            done = esc.pass_up(who, ident, version, why or "")
            said = _("Passed up to {tier} ({scope})").format(tier=done.tier_title, scope=done.scope_name)
    except REFUSED as exc:
        return _("Not saved: {why}").format(why=exc), (changed or 0) + 1  # redrawn: the picker reads it again
    return said, (changed or 0) + 1


def acknowledge(services: Services, _n: int, picked: str | None, changed: int | None,
                page_site: str | None) -> tuple[str, Any]:
    """The board's meeting has heard an answer: the escalation is closed."""
    try:
        who = site_writer(services, page_site)
        if not picked:
            return _("Not saved: pick the answer first"), no_update
        done = services.escalations.acknowledge(who, *_picked(picked))
    except REFUSED as exc:
        return _("Not saved: {why}").format(why=exc), (changed or 0) + 1
    return _("Heard and closed: {answer}").format(answer=done.answer_line), (changed or 0) + 1


def register(app: Dash, services: Services) -> None:
    """Wire the board's escalations."""
    app.callback(
        Output(ids.ESC_PANEL, "children"), Output(ids.ESC_ABOUT, "options"), Output(ids.ESC_PICK, "options"),
        Output(ids.ESC_ACK_PICK, "options"), Output(ids.ESC_RAISE, "children"), Output(ids.ESC_RAISE_ROW, "hidden"),
        Output(ids.ESC_STEP_ROW, "hidden"), Output(ids.ESC_ANSWER_ROW, "hidden"), Output(ids.ESC_ACK_ROW, "hidden"),
        Input(ids.BOARD_KEY, "data"), Input(ids.ESC_CHANGED, "data"), State(ids.BOARD_VIEW, "data"),
    )(partial(draw, services))
    app.callback(
        Output(ids.ESC_MESSAGE, "children"), Output(ids.ESC_CHANGED, "data"), Output(ids.ESC_SENTENCE, "value"),
        Input(ids.ESC_RAISE, "n_clicks"), State(ids.ESC_ABOUT, "value"), State(ids.ESC_SENTENCE, "value"),
        State(ids.BOARD_VIEW, "data"), State(ids.ESC_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(escalate, services))
    app.callback(
        Output(ids.ESC_MESSAGE, "children", allow_duplicate=True),
        Output(ids.ESC_CHANGED, "data", allow_duplicate=True),
        Input(ids.ESC_ACCEPT, "n_clicks"), Input(ids.ESC_ANSWER_SAVE, "n_clicks"), Input(ids.ESC_PASS, "n_clicks"),
        State(ids.ESC_PICK, "value"), State(ids.ESC_OWNER, "value"), State(ids.ESC_DUE, "value"),
        State(ids.ESC_ANSWER, "value"), State(ids.ESC_WHY, "value"), State(ids.ESC_CHANGED, "data"),
        State(ids.PAGE_SITE, "data"), prevent_initial_call=True,
    )(partial(take_step, services))
    app.callback(
        Output(ids.ESC_MESSAGE, "children", allow_duplicate=True),
        Output(ids.ESC_CHANGED, "data", allow_duplicate=True),
        Input(ids.ESC_ACK, "n_clicks"), State(ids.ESC_ACK_PICK, "value"), State(ids.ESC_CHANGED, "data"),
        State(ids.PAGE_SITE, "data"), prevent_initial_call=True,
    )(partial(acknowledge, services))
