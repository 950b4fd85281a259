"""Huddle mode on the board: a "Start huddle" button turns the board into its tier's agenda, one segment at a time
and large enough for the TV, with a timer counting the huddle's timebox and each segment's share, the attendance taken
with one tap a person, and the form that closes the huddle into its record.

Layout and renderers only: the huddle's read model (``services.huddle_mode.huddle_view``) in, Dash components out.
The timer and the moves between segments run in the browser (``assets/meetings.js``), on the browser's clock.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from huddle.dashboard.core.i18n import _
from huddle.dashboard.web import ids
from huddle.pages.components import status_badge


def timer_words() -> dict[str, str]:
    """How the browser says the time, in the plant's language ({segment}, {time}, {share}, {total}, {over})."""
    return {"segment": _("{segment}: {time} of {share}"), "segment_over": _("{segment}: {over} over its {share}"),
            "huddle": _("Huddle {time} of {total}"), "huddle_over": _("Huddle over time by {over}"),
            "step": _("Segment {n} of {of}")}


def huddle_controls() -> html.Div:
    """The button that starts a huddle, the huddle's stores and its clock, and the (hidden) huddle panel."""
    return html.Div([
        html.Button(_("Start huddle"), id=ids.HUDDLE_START, n_clicks=0, className="primary huddle-start"),
        dcc.Store(id=ids.HUDDLE_STATE), dcc.Store(id=ids.HUDDLE_NAV),
        dcc.Store(id=ids.HUDDLE_WORDS, data=timer_words()),
        dcc.Interval(id=ids.HUDDLE_TICK, interval=1000, disabled=True),
        html.Section([
            html.Div([html.H1(id=ids.HUDDLE_TITLE, className="huddle-title"),
                      html.Div(id=ids.HUDDLE_TIMER, className="huddle-clock", role="timer",
                               **{"aria-live": "off"})], className="huddle-top"),
            html.Div(id=ids.HUDDLE_SEGMENTS, className="huddle-segments"),
            html.Div([
                html.Button(_("◀ Previous"), id=ids.HUDDLE_PREV, n_clicks=0, className="huddle-nav"),
                html.Span(id=ids.HUDDLE_STEP, className="huddle-step"),
                html.Button(_("Next ▶"), id=ids.HUDDLE_NEXT, n_clicks=0, className="huddle-nav"),
            ], className="huddle-moves"),
            html.Div([
                html.Fieldset([html.Legend(_("Who is here")),
                               dcc.Checklist(id=ids.HUDDLE_PEOPLE, options=[], value=[], inline=True,
                                             className="huddle-people"),
                               html.Label([_("Others (names, separated by commas)"),
                                           dcc.Input(id=ids.HUDDLE_GUESTS, type="text", maxLength=1000)],
                                          className="manual-field wide")], className="huddle-attendance"),
                html.Label([_("Notes and decisions"), dcc.Textarea(id=ids.HUDDLE_NOTES, maxLength=4000,
                                                                   className="handover-text")],
                           className="manual-field wide huddle-notes"),
                html.Div([html.Button(_("Close huddle"), id=ids.HUDDLE_CLOSE, n_clicks=0, className="primary"),
                          html.Button(_("Back to the board"), id=ids.HUDDLE_LEAVE, n_clicks=0,
                                      className="huddle-nav")], className="huddle-end"),
            ], className="huddle-close"),
            html.P(id=ids.HUDDLE_MESSAGE, className="form-message", role="status"),
        ], id=ids.HUDDLE_PANEL, className="huddle-panel", hidden=True,
            **{"aria-label": _("Huddle")}),
    ], className="huddle-mode")


def _kpi(k: dict[str, Any]) -> html.Div:
    marks = [html.Span(_("repeat"), className="mark") if k["repeat"] else None,
             html.Span(_("needs action"), className="mark") if k["needs_action"] else None]
    return html.Div([html.Div([html.Span(k["name"], className="huddle-kpi-name"), status_badge(k["status"])],
                              className="huddle-kpi-head"),
                     html.Div(k["value"], className="huddle-kpi-value"),
                     html.Div(_("target {target} · gap {gap}").format(target=k["target"], gap=k["gap"]),
                              className="huddle-kpi-target"), *[m for m in marks if m]],
                    className=f"huddle-kpi status-{k['status']}")


def _escalations(title: str, items: list[dict[str, Any]], empty: str, answers: bool = False) -> html.Div:
    rows = [html.Li([html.B(e["answer"] if answers else e["sentence"]),
                     html.Span(" · " + (e["sentence"] if answers else e["context"]), className="muted"),
                     html.Span(" · " + e["state"] + (" · " + _("overdue") if e["overdue"] else ""),
                               className="overdue" if e["overdue"] else "")])
            for e in items]
    return html.Div([html.H3(title), html.Ul(rows) if rows else html.P(empty, className="empty")])


def _content(segment: dict[str, Any]) -> Any:
    kind = segment["kind"]
    if kind == "kpis":
        return html.Div([_kpi(k) for k in segment["kpis"]], className="huddle-kpis") if segment["kpis"] else \
            html.P(_("No KPI of this letter at this scope."), className="empty")
    if kind == "actions":
        rows = [html.Tr([html.Td(a["what"]), html.Td(a["owner"]), html.Td(a["due"])],
                        className="overdue" if a["overdue"] else None) for a in segment["actions"]]
        return html.Table([html.Thead(html.Tr([html.Th(_("What")), html.Th(_("Owner")), html.Th(_("Due"))])),
                           html.Tbody(rows)], className="grid huddle-actions") if rows else \
            html.P(_("No action overdue or due by tomorrow."), className="empty")
    if kind == "escalations":
        return html.Div([
            _escalations(_("Received from the tier below"), segment["received"], _("Nothing received.")),
            _escalations(_("Raised, waiting for an answer"), segment["waiting"], _("Nothing waiting.")),
            _escalations(_("Answers to hear"), segment["answers"], _("No new answer."), answers=True),
        ], className="huddle-escalations")
    items = [html.Div([html.H3(_("Handover: {line}").format(line=h["line"])),
                       html.P(_("from {shift}, by {who}").format(shift=h["from"], who=h["by"]), className="muted"),
                       *[html.P([html.B(label + " "), h[key]]) for key, label in
                         (("note", _("Note:")), ("open_problems", _("Open problems:")),
                          ("machines", _("Machines:")), ("safety", _("Safety:"))) if h[key]]])
             for h in segment["handovers"]]
    return html.Div(items) if items else html.P(_("No handover waiting."), className="empty")


def render_agenda(view: dict[str, Any]) -> list[html.Section]:
    """Every segment of the agenda, the first shown; the browser shows one at a time."""
    return [html.Section([html.H2(segment["title"], className="huddle-segment-title"), _content(segment)],
                         id={"type": ids.HUDDLE_SEGMENT, "index": n}, className="huddle-segment",
                         hidden=n > 0, **{"data-title": segment["title"]})
            for n, segment in enumerate(view["segments"])]


def huddle_title(view: dict[str, Any]) -> str:
    """The huddle's title: tier, scope and the shift it looks back on."""
    return _("{tier} · {scope} · {shift}").format(tier=view["tier_title"], scope=view["scope_name"],
                                                   shift=view["looks_back"])


def people_options(people: list[str]) -> list[dict[str, str]]:
    """One tap a person: their name."""
    return [{"label": name, "value": name} for name in people]


def recorded_message(record: Any, href: str) -> list[Any]:
    """What closing the huddle says: what was recorded, and where to find it."""
    said = _("Recorded: {tier}, {scope}, {shift}, {minutes} min, {n} present.").format(
        tier=record.tier_title, scope=record.scope_name, shift=record.shift_words,
        minutes=round(record.minutes), n=len(record.attendees))
    return [said, " ", html.A(_("See the huddle records"), href=href)]
