"""Wiring of the shop-floor entry page: a tap sets one field of the form (kept in the browser until saved), the
page draws the line's sheet around what was tapped, and a save hands the form to ``services.shop_floor``, which
checks who may write for the line and what is entered. A refusal is said in place and the form keeps what was
tapped and typed; a stored entry empties its part of the form and the page draws it in this shift's list.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.reason_tree import reason_tree
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.shop_floor import EntryError
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity
from huddle.dashboard.web.sites import WrongSiteError, site_writer
from huddle.pages import entry as page

STEPS = {"ago+": ("ago", 0, 480), "lasted+": ("lasted", 1, 480), "count+": ("count", 0, 100_000)}
SAVES = {ids.ENTRY_STOP_SAVE: "stop", ids.ENTRY_DEFECT_SAVE: "defects", ids.ENTRY_SAFETY_SAVE: "safety",
         ids.ENTRY_HOUR_SAVE: "hour"}
#: what a stored entry empties in the form (the tab and the usual times stay)
CLEARED = {"stop": {"branch": None, "reason": None, "ago": 10, "end": "now", "lasted": 5},
           "defects": {"defect": None, "count": 1}, "safety": {"safety": None}, "hour": {"phrase": None}}


def tap(services: Services, clicks: list[int | None], form: dict[str, Any] | None) -> dict[str, Any]:
    """The form with the tapped field set (a stepper moves its number; a branch of one reason picks it)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate  # buttons drawn again, nothing tapped
    form = {**page.FORM, **(form or {})}
    field, value = str(trigger.get("field")), str(trigger.get("value"))
    if field in STEPS:
        name, low, high = STEPS[field]
        form[name] = min(high, max(low, int(form.get(name) or 0) + int(value)))
    elif field == "ago":
        form["ago"] = int(value)
    elif field in page.FORM:
        form[field] = value
    if field == "branch":
        branch = next((b for b in reason_tree(services.config.stop_reasons, services.config.stop_groups)
                       if b.name == value), None)
        form["reason"] = branch.reasons[0] if branch and len(branch.reasons) == 1 else None
    return form


def open_tab(*args: Any) -> dict[str, Any]:
    """The form with the tapped tab open (what was tapped in the others stays)."""
    form = args[-1]
    trigger = ctx.triggered_id
    if not isinstance(trigger, str) or not trigger.startswith(ids.ENTRY_TAB):
        raise PreventUpdate
    return {**page.FORM, **(form or {}), "tab": trigger[len(ids.ENTRY_TAB):]}


def draw(services: Services, form: dict[str, Any] | None, _changed: int | None,
         line: str | None) -> tuple[Any, ...]:
    """The line's sheet around the form: head, the open tab's section, the stops still running, the log."""
    form = {**page.FORM, **(form or {})}
    who = current_identity()
    shop = services.shop_floor
    mine = shop.lines_for(who)
    sheet = shop.sheet(who, line or (mine[0] if mine else next(iter(services.config.lines))))
    now = services.clock().replace(second=0, microsecond=0)
    started = (now - timedelta(minutes=int(form["ago"] or 0))).astimezone(services.config.tz).strftime("%H:%M")
    hidden = [form["tab"] != key for key in page.SECTIONS]
    return (page.head(sheet), *page.tab_classes(form["tab"]), *hidden, page.stop_pick(sheet, form, started),
            page.running(sheet), page.defect_pick(sheet, form), page.safety_pick(form), page.hour_pick(sheet, form),
            page.log(sheet))


def _line(services: Services, line: str | None) -> str:
    """The line the page shows (the person's own when the address names none)."""
    if line:
        return line
    mine = services.shop_floor.lines_for(current_identity())
    return mine[0] if mine else ""


def _enter(services: Services, what: str, form: dict[str, Any], line: str, who: Any, safety_text: str,
           hour_text: str) -> str:
    """Hand the form's part to the service; its confirmation."""
    shop = services.shop_floor
    if what == "stop":
        start, end = shop.stop_times(form.get("ago"), form.get("lasted") if form.get("end") == "lasted" else None,
                                     form.get("end") == "still")
        return shop.record_stop(who, line, form.get("reason") or "", start, end)
    if what == "defects":
        return shop.record_defects(who, line, form.get("defect") or "", form.get("count"),
                                   form.get("disposition") or "scrap")
    if what == "safety":
        return shop.report_safety(who, line, form.get("safety") or "", safety_text)
    try:
        hour = datetime.fromisoformat(form.get("hour") or "")
    except ValueError:
        raise EntryError(_("pick the hour first"), "hour") from None
    phrase = form.get("phrase")
    return shop.comment_hour(who, line, hour, hour_text.strip() or (_(phrase) if phrase else ""))


def save(services: Services, *args: Any) -> tuple[Any, ...]:
    """Store what the open tab holds; say so (or why not) in place."""
    form, line, safety_text, hour_text, changed, page_site = args[len(SAVES):]
    form = {**page.FORM, **(form or {})}
    what = SAVES[ctx.triggered_id]
    messages: list[Any] = [no_update] * 8
    slot = list(SAVES.values()).index(what) * 2
    try:
        who = site_writer(services, page_site)
        said = _enter(services, what, form, _line(services, line), who, safety_text or "", hour_text or "")
    except (EntryError, ForbiddenError, WrongSiteError, ValueError) as exc:
        messages[slot:slot + 2] = [_("Not stored: {why}").format(why=exc), "entry-message error"]
        return (*messages, no_update, no_update, no_update, no_update)
    messages[slot:slot + 2] = [said, "entry-message ok"]
    return (*messages, {**form, **CLEARED[what]}, (changed or 0) + 1, "" if what == "safety" else no_update,
            "" if what == "hour" else no_update)


def end_stop(services: Services, clicks: list[int | None], line: str | None, changed: int | None,
             page_site: str | None) -> tuple[Any, ...]:
    """A stop still running runs again (its button was tapped); say so (or why not) in place."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate  # the running stops were drawn again
    try:
        said = services.shop_floor.end_stop(site_writer(services, page_site), _line(services, line),
                                            int(trigger["stop"]))
    except (EntryError, ForbiddenError, WrongSiteError, ValueError) as exc:
        return _("Not stored: {why}").format(why=exc), "entry-message error", no_update
    return said, "entry-message ok", (changed or 0) + 1


def register(app: Dash, services: Services) -> None:
    """Wire the entry page."""
    pick = {"type": ids.ENTRY_PICK, "field": ALL, "value": ALL}
    app.callback(Output(ids.ENTRY_FORM, "data"), Input(pick, "n_clicks"), State(ids.ENTRY_FORM, "data"),
                 prevent_initial_call=True)(partial(tap, services))
    app.callback(Output(ids.ENTRY_FORM, "data", allow_duplicate=True),
                 *[Input(ids.ENTRY_TAB + key, "n_clicks") for key, _label in page.TABS], State(ids.ENTRY_FORM, "data"),
                 prevent_initial_call=True)(open_tab)
    app.callback(
        Output(ids.ENTRY_HEAD, "children"), *[Output(ids.ENTRY_TAB + key, "className") for key, _label in page.TABS],
        *[Output(section, "hidden") for section in page.SECTIONS.values()],
        Output(ids.ENTRY_STOP_PICK, "children"), Output(ids.ENTRY_RUNNING, "children"),
        Output(ids.ENTRY_DEFECT_PICK, "children"), Output(ids.ENTRY_SAFETY_PICK, "children"),
        Output(ids.ENTRY_HOUR_PICK, "children"), Output(ids.ENTRY_LOG, "children"),
        Input(ids.ENTRY_FORM, "data"), Input(ids.ENTRY_CHANGED, "data"), State(ids.ENTRY_LINE, "data"),
    )(partial(draw, services))
    messages = [Output(m, p) for m in (ids.ENTRY_STOP_MESSAGE, ids.ENTRY_DEFECT_MESSAGE, ids.ENTRY_SAFETY_MESSAGE,
                                       ids.ENTRY_HOUR_MESSAGE) for p in ("children", "className")]
    app.callback(
        *messages, Output(ids.ENTRY_FORM, "data", allow_duplicate=True), Output(ids.ENTRY_CHANGED, "data"),
        Output(ids.ENTRY_SAFETY_TEXT, "value"), Output(ids.ENTRY_HOUR_TEXT, "value"),
        *[Input(button, "n_clicks") for button in SAVES], State(ids.ENTRY_FORM, "data"), State(ids.ENTRY_LINE, "data"),
        State(ids.ENTRY_SAFETY_TEXT, "value"),
        State(ids.ENTRY_HOUR_TEXT, "value"), State(ids.ENTRY_CHANGED, "data"), State(ids.PAGE_SITE, "data"),
        prevent_initial_call=True,
    )(partial(save, services))
    app.callback(
        Output(ids.ENTRY_STOP_MESSAGE, "children", allow_duplicate=True),
        Output(ids.ENTRY_STOP_MESSAGE, "className", allow_duplicate=True),
        Output(ids.ENTRY_CHANGED, "data", allow_duplicate=True),
        Input({"type": ids.ENTRY_END, "stop": ALL}, "n_clicks"), State(ids.ENTRY_LINE, "data"),
        State(ids.ENTRY_CHANGED, "data"), State(ids.PAGE_SITE, "data"), prevent_initial_call=True,
    )(partial(end_stop, services))
