"""Wiring of the Data page: the quarantine, loaders, files read, run ledger and baseline tracker, refreshed every
15 s and after a dismissal (drawn by ``pages.data``); running a loader now (admins), dismissing problems with a
reason and entering a value by hand (editors)."""

from __future__ import annotations

import time
from datetime import date
from functools import partial
from typing import Any

from dash import Dash, Input, Output, State, no_update
from huddle.dashboard.core.i18n import N_, _, ngettext, number
from huddle.dashboard.core.names import date_words, kpi_name, scope_name, shift_name
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.manual_values import ManualValueError
from huddle.dashboard.services.quarantine import QuarantineError
from huddle.dashboard.web import html_pane, ids
from huddle.dashboard.web.html_pane import pane_html, store_id
from huddle.dashboard.web.sites import site_writer
from huddle.pages.data import TABLE_PANES, place_options, render_status, run_word


def manual_options(services: Services, _id: str) -> tuple[Any, ...]:
    """The entry form's choices: the KPIs entered by hand, the places, the shifts; today's date."""
    config = services.config
    kpis = [{"label": name, "value": key} for key, name in services.manual.kpis()]
    shifts = [{"label": s.name, "value": s.key} for s in config.calendar.shifts]
    today = services.clock().astimezone(config.tz).date().isoformat()
    return kpis, (kpis[0]["value"] if kpis else None), place_options(config), config.site_key, shifts, today


def run_options(services: Services, _id: str) -> tuple[list[dict[str, str]], str | None]:
    """The sources a loader can be run for."""
    keys = list(services.config.sources)
    return [{"label": k, "value": k} for k in keys], (keys[0] if keys else None)


def run_now(services: Services, _n: int, key: str | None, page_site: str | None) -> str:
    """Run a source's loader of the page's site now (admins), audited, and say what it did."""
    try:
        who = site_writer(services, page_site)
        who.require("admin", N_("running a loader"))
    except ForbiddenError as exc:
        return _("Not run: {reason}").format(reason=exc)
    if key not in services.config.sources:
        return _("Not run: pick a source")
    outcome = services.loader.run_source(key, trigger="admin")
    with services.sessions.begin() as session:
        services.accounts.audit(session, who, "loader.run", key, status=outcome.status,
                                rows_loaded=outcome.rows_loaded, rows_rejected=outcome.rows_rejected)
    words = ngettext("{source}: {status}, {n} row read, {loaded} loaded, {refused} refused",
                     "{source}: {status}, {n} rows read, {loaded} loaded, {refused} refused", outcome.rows_read).format(
        source=key, status=run_word(outcome.status), n=number(outcome.rows_read),
        loaded=number(outcome.rows_loaded), refused=number(outcome.rows_rejected))
    return words + (f" — {outcome.message}" if outcome.status == "failed" else "")


def save_manual(services: Services, _n: int, kpi: str, location: str, day: str, shift: str | None,
                value: Any, page_site: str | None) -> str:
    """Store a value entered by hand, in the page's site (editors; the service checks)."""
    try:
        entry = services.manual.set(site_writer(services, page_site), kpi, location, day, shift or "", value)
    except (ForbiddenError, ManualValueError) as exc:
        return _("Not stored: {reason}").format(reason=exc)
    config = services.config
    today = services.clock().astimezone(config.tz).date()
    production_date = date.fromisoformat(entry.production_date)
    day = (shift_name(config, production_date, entry.shift, today) if entry.shift
           else date_words(production_date, today))
    stored = _("Stored {value} for {kpi}, {place}, {day}.").format(
        value=number(entry.value, 0 if float(entry.value).is_integer() else 2), kpi=kpi_name(config, entry.kpi),
        place=scope_name(config, entry.location), day=day)
    if entry.replaced is None:
        return stored
    return stored[:-1] + " " + _("(was {value})").format(value=entry.was(services.config.tz, today)) + "."


def dismiss(services: Services, _n: int, picked: list[int] | None, reason: str | None,
            page_site: str | None) -> tuple[Any, ...]:
    """Dismiss the picked problems with the reason given (editors; the service checks): the message, the picker
    and the reason field (emptied once done) and the signal that redraws the tables."""
    try:
        who = site_writer(services, page_site)
        picked_ids = [int(i) for i in picked or [] if str(i).isdigit()]  # a hand-made request may send anything
        done = services.quarantine.dismiss(who, picked_ids, reason or "")
    except (ForbiddenError, QuarantineError) as exc:
        return _("Not dismissed: {reason}").format(reason=exc), no_update, no_update, no_update
    n = len(done.dismissed)
    words = ngettext("Dismissed {n} problem.", "Dismissed {n} problems.", n).format(n=number(n))
    if done.skipped:
        words += " " + "; ".join(_("{place} was {why}").format(place=p.where, why=why) for p, why in done.skipped)
        words += "."
    return words, [], "", time.time_ns()


def refresh(services: Services, _n: int | None, _changed: int | None) -> tuple[Any, ...]:
    """The health strip, the quarantine and the dismiss form's choices, and the other tables (as HTML: redrawn by
    Dash every 15 s, their few hundred elements kept the browser busy for a second each time)."""
    health, quarantine, closed, choices, sources, files, baseline, runs = render_status(services.data_status.report())
    return (health, pane_html(quarantine), pane_html(closed), choices, pane_html(sources), pane_html(files),
            pane_html(baseline), pane_html(runs))


def register(app: Dash, services: Services) -> None:
    """Wire the Data page."""
    app.callback(
        Output(ids.MANUAL_KPI, "options"), Output(ids.MANUAL_KPI, "value"),
        Output(ids.MANUAL_LOCATION, "options"), Output(ids.MANUAL_LOCATION, "value"),
        Output(ids.MANUAL_SHIFT, "options"), Output(ids.MANUAL_DATE, "value"),
        Input(ids.MANUAL_SAVE, "id"),
    )(partial(manual_options, services))
    app.callback(Output(ids.RUN_SOURCE, "options"), Output(ids.RUN_SOURCE, "value"),
                 Input(ids.RUN_BUTTON, "id"))(partial(run_options, services))
    app.callback(
        Output(ids.RUN_MESSAGE, "children"),
        Input(ids.RUN_BUTTON, "n_clicks"), State(ids.RUN_SOURCE, "value"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(run_now, services))
    app.callback(
        Output(ids.MANUAL_MESSAGE, "children"),
        Input(ids.MANUAL_SAVE, "n_clicks"),
        State(ids.MANUAL_KPI, "value"), State(ids.MANUAL_LOCATION, "value"), State(ids.MANUAL_DATE, "value"),
        State(ids.MANUAL_SHIFT, "value"), State(ids.MANUAL_VALUE, "value"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(save_manual, services))
    app.callback(
        Output(ids.QUARANTINE_MESSAGE, "children"), Output(ids.QUARANTINE_PICK, "value"),
        Output(ids.QUARANTINE_REASON, "value"),
        Output(ids.QUARANTINE_CHANGED, "data"),
        Input(ids.QUARANTINE_DISMISS, "n_clicks"),
        State(ids.QUARANTINE_PICK, "value"), State(ids.QUARANTINE_REASON, "value"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(dismiss, services))
    app.callback(
        Output(ids.DATA_HEALTH, "children"), Output(store_id(ids.DATA_QUARANTINE), "data"),
        Output(store_id(ids.QUARANTINE_CLOSED), "data"), Output(ids.QUARANTINE_PICK, "options"),
        Output(store_id(ids.DATA_SOURCES), "data"), Output(store_id(ids.DATA_FILES), "data"),
        Output(store_id(ids.DATA_BASELINE), "data"), Output(store_id(ids.DATA_RUNS), "data"),
        Input(ids.DATA_REFRESH, "n_intervals"), Input(ids.QUARANTINE_CHANGED, "data"),
    )(partial(refresh, services))
    for pane in TABLE_PANES:
        html_pane.register(app, pane)
