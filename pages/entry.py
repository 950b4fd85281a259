"""The shop-floor entry page (``/entry?line=L1``): a tablet at the line, used with a finger, no keyboard for the usual
cases. Four tabs: code a stop from the plant's reason tree (what stopped, why, when: three taps with the usual
times), log defects by type and count, report a near miss or a safety observation, comment an hour of the
hour-by-hour board. Every target is at least 48 px (assets/entry.css).

The layout holds no data; ``callbacks.entry`` draws the line's sheet (``services.shop_floor``) with the renderers
below. Names from the plant file and text people typed are passed to Dash as text, never as markup.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.services.shop_floor import DISPOSITIONS, HOUR_PHRASES, SAFETY_TYPES, START_PRESETS, EntrySheet
from huddle.dashboard.web import ids

TABS = (("stop", N_("Stop")), ("defects", N_("Defects")), ("safety", N_("Safety")), ("hour", N_("Hour")))
#: the form before anything is tapped: a stop that started 10 minutes ago and runs again now
FORM: dict[str, Any] = {"tab": "stop", "branch": None, "reason": None, "ago": 10, "end": "now", "lasted": 5,
                        "defect": None, "count": 1, "disposition": "scrap", "safety": None, "hour": None,
                        "phrase": None}
SECTIONS = {"stop": ids.ENTRY_STOP, "defects": ids.ENTRY_DEFECTS, "safety": ids.ENTRY_SAFETY, "hour": ids.ENTRY_HOUR}


def choice(field: str, value: Any, label: Any, picked: bool = False, extra: str = "") -> html.Button:
    """A big button that sets one field of the form when tapped (pressed while it is the one picked)."""
    return html.Button(label, id={"type": ids.ENTRY_PICK, "field": field, "value": str(value)}, n_clicks=0,
                       type="button", className=f"entry-choice{' picked' if picked else ''} {extra}".strip(),
                       **{"aria-pressed": "true" if picked else "false"})


def _save(component_id: str, label: str) -> html.Button:
    return html.Button(label, id=component_id, n_clicks=0, type="button", className="primary entry-save")


def _message(component_id: str) -> html.P:
    return html.P(id=component_id, className="entry-message", role="status", **{"aria-live": "polite"})


def _section(component_id: str, title: str, pick_id: str, *rest: Any) -> html.Section:
    return html.Section([html.H2(title), html.Div(id=pick_id), *rest], id=component_id, className="card entry-card")


def layout(line: str | None = None, **_query: str) -> html.Div:
    """Skeleton for a line (the person's own when the address names none); the callbacks draw the rest."""
    return html.Div([
        html.Div(id=ids.ENTRY_HEAD, className="page-head entry-head"),
        html.Nav([html.Button(_(label), id=ids.ENTRY_TAB + key, n_clicks=0, type="button", className="entry-tab")
                  for key, label in TABS],
                 id=ids.ENTRY_TABS, className="entry-tabs", **{"aria-label": _("What to enter")}),
        _section(ids.ENTRY_STOP, _("Code a stop"), ids.ENTRY_STOP_PICK,
                 _save(ids.ENTRY_STOP_SAVE, _("Save stop")), _message(ids.ENTRY_STOP_MESSAGE),
                 html.Div(id=ids.ENTRY_RUNNING)),
        _section(ids.ENTRY_DEFECTS, _("Log defects"), ids.ENTRY_DEFECT_PICK,
                 _save(ids.ENTRY_DEFECT_SAVE, _("Log defects")), _message(ids.ENTRY_DEFECT_MESSAGE)),
        _section(ids.ENTRY_SAFETY, _("Report safety"), ids.ENTRY_SAFETY_PICK,
                 html.Label([html.Span(_("What happened (optional)")),
                             dcc.Textarea(id=ids.ENTRY_SAFETY_TEXT, value="", maxLength=500,
                                          className="entry-text")], className="entry-field"),
                 _save(ids.ENTRY_SAFETY_SAVE, _("Report")), _message(ids.ENTRY_SAFETY_MESSAGE)),
        _section(ids.ENTRY_HOUR, _("Comment an hour"), ids.ENTRY_HOUR_PICK,
                 html.Label([html.Span(_("Or type it")),
                             dcc.Input(id=ids.ENTRY_HOUR_TEXT, type="text", value="", maxLength=500,
                                       autoComplete="off", className="entry-text")], className="entry-field"),
                 _save(ids.ENTRY_HOUR_SAVE, _("Save comment")), _message(ids.ENTRY_HOUR_MESSAGE)),
        html.Section([html.H2(_("Entered this shift")), html.Div(id=ids.ENTRY_LOG)], className="card entry-card"),
        dcc.Store(id=ids.ENTRY_LINE, data=line),
        dcc.Store(id=ids.ENTRY_FORM, data=dict(FORM)),
        dcc.Store(id=ids.ENTRY_CHANGED, data=0),
    ], className="entry-page")


def register() -> None:
    """Register the page with Dash Pages (the nav shows it to operators, editors and admins)."""
    dash.register_page("entry", path="/entry", name=N_("Entry"), order=15, nav=True, min_role="operator",
                       layout=layout)


# ---- renderers ---------------------------------------------------------------------------------------------


def head(sheet: EntrySheet) -> list[Any]:
    """The line, the shift, the other lines this person may enter for, and why they cannot write here, if so."""
    others = [html.A(name, href=f"/entry?line={key}", className="entry-line-link") for key, name in sheet.lines
              if key != sheet.line]
    return [html.H1(_("Entry · {line}").format(line=sheet.line_name)),
            html.P(sheet.shift_words or _("No shift is running now."), className="hint"),
            html.Nav(others, className="entry-lines", **{"aria-label": _("Other lines")}) if others else None,
            html.P(sheet.why_not, className="entry-message error") if sheet.why_not else None]


def tab_classes(tab: str) -> list[str]:
    """The tabs' classes, the open one marked."""
    return [f"entry-tab{' picked' if key == tab else ''}" for key, _label in TABS]


def _row(label: str, *controls: Any) -> html.Div:
    return html.Div([html.Span(label, className="entry-row-label"), *controls], className="entry-row")


def _stepper(field: str, words: str) -> list[Any]:
    return [choice(f"{field}+", -1, "−", extra="entry-step"), html.Span(words, className="entry-step-value"),
            choice(f"{field}+", 1, "+", extra="entry-step")]


def stop_pick(sheet: EntrySheet, form: dict[str, Any], started: str) -> list[Any]:
    """What stopped (the tree's branches), why (the picked branch's reasons), and when."""
    branch = next((b for b in sheet.branches if b.name == form.get("branch")), None)
    branches = [choice("branch", b.name, _(b.name) if b.category_word else b.name, b is branch)
                for b in sheet.branches]
    reasons = ([choice("reason", r, r, r == form.get("reason")) for r in branch.reasons] if branch else
               [html.P(_("Tap what stopped first."), className="hint")])
    ago, end = int(form.get("ago") or 0), form.get("end") or "now"
    ended = [choice("end", "now", _("Runs again now"), end == "now"),
             choice("end", "still", _("Still stopped"), end == "still"),
             choice("end", "lasted", _("Lasted …"), end == "lasted")]
    if end == "lasted":
        ended += _stepper("lasted", _("{n} min").format(n=int(form.get("lasted") or 0)))
    return [
        html.H3(_("1 · What stopped?")), html.Div(branches, className="entry-choices"),
        html.H3(_("2 · Why?")), html.Div(reasons, className="entry-choices"),
        html.H3(_("3 · When?")),
        _row(_("Started"), *[choice("ago", n, _("{n} min ago").format(n=n), n == ago) for n in START_PRESETS],
             *_stepper("ago", _("{n} min ago ({time})").format(n=ago, time=started))),
        _row(_("Ended"), *ended),
    ]


def running(sheet: EntrySheet) -> list[Any]:
    """The line's stops still running, each with its 'runs again' button."""
    if not sheet.open_stops:
        return []
    return [html.H3(_("Still stopped")), *[html.Div([
        html.Span(s.words), html.Button(_("Runs again"), id={"type": ids.ENTRY_END, "stop": s.id}, n_clicks=0,
                                        type="button", className="entry-choice")], className="entry-row")
        for s in sheet.open_stops]]


def defect_pick(sheet: EntrySheet, form: dict[str, Any]) -> list[Any]:
    """Which defect, how many, scrapped or reworked."""
    kinds = [choice("defect", d, d, d == form.get("defect")) for d in sheet.defect_types] or [
        html.P(_("The plant file lists no defect types (defect_types): ask whoever keeps it."), className="hint")]
    count = int(form.get("count") or 0)
    return [
        html.H3(_("Which defect?")), html.Div(kinds, className="entry-choices"),
        html.H3(_("How many?")),
        html.Div([choice("count+", -5, "−5", extra="entry-step"), choice("count+", -1, "−1", extra="entry-step"),
                  html.Span(str(count), className="entry-count"),
                  choice("count+", 1, "+1", extra="entry-step"), choice("count+", 5, "+5", extra="entry-step")],
                 className="entry-row"),
        html.Div([choice("disposition", key, _(words).capitalize(), key == form.get("disposition"))
                  for key, words in DISPOSITIONS.items()], className="entry-choices"),
    ]


def safety_pick(form: dict[str, Any]) -> list[Any]:
    """What was seen: a near miss, an unsafe condition or act, a first aid case."""
    return [html.H3(_("What happened?")), html.Div(
        [choice("safety", key, _(words), key == form.get("safety")) for key, (words, _kind) in SAFETY_TYPES.items()],
        className="entry-choices")]


def hour_pick(sheet: EntrySheet, form: dict[str, Any]) -> list[Any]:
    """Which hour (those begun, each with its comment so far) and a stock phrase."""
    hours = [choice("hour", h.start_utc.isoformat(), [html.Span(h.label), html.Small(h.comment)] if h.comment
                    else h.label, h.start_utc.isoformat() == form.get("hour")) for h in sheet.hours] or [
        html.P(_("No hour of a shift has begun."), className="hint")]
    return [html.H3(_("Which hour?")), html.Div(hours, className="entry-choices"),
            html.H3(_("What was it?")), html.Div([choice("phrase", p, _(p), p == form.get("phrase"))
                                                 for p in HOUR_PHRASES], className="entry-choices")]


def log(sheet: EntrySheet) -> Any:
    """This shift's entries for the line, newest first."""
    if not sheet.entered:
        return html.P(_("Nothing entered yet this shift."), className="empty")
    return html.Ul([html.Li(words) for words in sheet.entered], className="entry-log")
