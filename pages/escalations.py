"""The board's escalations: what the scope's meeting received from the tier below (tier 2 and 3 boards), the answers
its own escalations got (until its huddle acknowledges them), what it still waits for, and the forms that escalate
to the next tier, accept, answer or pass up what came in, and acknowledge an answer.

Renderers only: the panel's read model (``services.escalation_board.EscalationPanel``) in, Dash components out. An
overdue escalation says so in words beside its colour. The forms are for editors; the server checks every step.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from huddle.dashboard.core.format import format_day, format_time
from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.escalation_board import EscalationPanel
from huddle.dashboard.services.escalation_views import EscalationView
from huddle.dashboard.web import ids
from huddle.dashboard.web.api_escalations import tree_link
from huddle.dashboard.web.security import current_identity, has_request_context

FIELD = "manual-field"


def escalation_section(hidden: bool) -> html.Section:
    """The escalations card of the board: its panel (drawn by its callback) and the editors' forms."""
    editor = current_identity().may("editor") if has_request_context() else True
    hint = (_("Ask the next tier for help in one sentence; answers from above show here until your huddle has "
              "heard them.") if editor else _("Sign in as an editor to escalate, answer or acknowledge."))
    return html.Section([
        dcc.Store(id=ids.ESC_CHANGED, data=0),
        html.H2(_("Escalations")), html.P(hint, className="hint"),
        html.Div(id=ids.ESC_PANEL, className="escalation-panel"),
        html.Div([
            html.Label([_("About"), dcc.Dropdown(id=ids.ESC_ABOUT, clearable=False)], className=FIELD + " wide"),
            html.Label([_("What is needed, in one sentence"),
                        dcc.Input(id=ids.ESC_SENTENCE, type="text", maxLength=300)], className=FIELD + " wide"),
            html.Button(_("Escalate"), id=ids.ESC_RAISE, n_clicks=0, className="primary", disabled=not editor),
        ], id=ids.ESC_RAISE_ROW, className="form-row", hidden=True),
        html.Div([
            html.Label([_("Escalation received"), dcc.Dropdown(id=ids.ESC_PICK)], className=FIELD + " wide"),
            html.Label([_("Owner"), dcc.Input(id=ids.ESC_OWNER, type="text", maxLength=120)], className=FIELD),
            html.Label([_("Answer due"), dcc.Input(id=ids.ESC_DUE, type="date")], className=FIELD),
            html.Button(_("Accept"), id=ids.ESC_ACCEPT, n_clicks=0, className="primary", disabled=not editor),
        ], id=ids.ESC_STEP_ROW, className="form-row", hidden=True),
        html.Div([
            html.Label([_("Answer"), dcc.Input(id=ids.ESC_ANSWER, type="text", maxLength=500)],
                       className=FIELD + " wide"),
            html.Button(_("Answer"), id=ids.ESC_ANSWER_SAVE, n_clicks=0, className="primary", disabled=not editor),
            html.Label([_("Why it goes up"), dcc.Input(id=ids.ESC_WHY, type="text", maxLength=200)],
                       className=FIELD + " wide"),
            html.Button(_("Pass up"), id=ids.ESC_PASS, n_clicks=0, disabled=not editor),
        ], id=ids.ESC_ANSWER_ROW, className="form-row", hidden=True),
        html.Div([
            html.Label([_("Answer to acknowledge"), dcc.Dropdown(id=ids.ESC_ACK_PICK)], className=FIELD + " wide"),
            html.Button(_("Heard it"), id=ids.ESC_ACK, n_clicks=0, className="primary", disabled=not editor),
        ], id=ids.ESC_ACK_ROW, className="form-row", hidden=True),
        html.P(id=ids.ESC_MESSAGE, className="form-message", role="status"),
    ], className="card escalations", hidden=hidden)


def _owner_words(view: EscalationView, today: Any) -> str:
    if view.state == "accepted" and view.due is not None:
        return _("{owner}, answer due {day}").format(owner=view.owner, day=format_day(view.due, today))
    return view.state_words


def _overdue(view: EscalationView, hours: float) -> html.Span | None:
    if not view.overdue:
        return None
    return html.Span("⚠ " + view.overdue_words(hours), className="overdue-words")


def _context(view: EscalationView, site_key: str) -> list[Any]:
    """Where and when it comes from, the reading behind it, and a link to its KPI in the tree."""
    link = tree_link(view, site_key)
    words = " · ".join(p for p in (view.shift_words, view.reading) if p)
    return [words, " ", html.A(_("in the tree"), href=link)] if link else [words]


def render_panel(panel: EscalationPanel, tz: Any, limits: dict[int, float], site_key: str) -> list[Any]:
    """The panel: answers waiting to be heard, escalations received, and this scope's still waiting."""
    today = panel.now.astimezone(tz).date()
    parts: list[Any] = []
    if panel.answers:
        parts += [html.H3(_("Answers from above ({n})").format(n=len(panel.answers))), html.Ul([
            html.Li([html.B(v.answer_line), " ",
                     html.Span(_("{who}, {when} · you asked: {sentence}").format(
                         who=v.answered_by, when=format_time(v.answered_at, tz, today), sentence=v.sentence),
                               className="muted")], className="escalation-answer")
            for v in panel.answers], className="escalation-list")]
    if panel.received or (panel.tier is not None and panel.tier.scope_kind != "line"):
        head = html.Tr([html.Th(_("From")), html.Th(_("What is needed")), html.Th(_("Context")),
                        html.Th(_("Waiting")), html.Th(_("State"))])
        rows = [html.Tr([
            html.Td(v.origin_name), html.Td(v.sentence),
            html.Td(_context(v, site_key)),
            html.Td(v.age_words()),
            html.Td([_owner_words(v, today) if v.state != "answered" else
                     _("answered: {answer}").format(answer=v.answer), " ", _overdue(v, limits.get(v.tier, 24.0))]),
        ], className="overdue" if v.overdue else None) for v in panel.received]
        parts += [html.H3(_("Escalations received ({n})").format(n=len(rows))),
                  html.Table([html.Thead(head), html.Tbody(rows)], className="grid escalations-received")
                  if rows else html.P(_("Nothing escalated to this meeting."), className="empty")]
    if panel.waiting:
        parts += [html.H3(_("Waiting for an answer ({n})").format(n=len(panel.waiting))), html.Ul([
            html.Li([v.sentence, " ", html.Span(_("{tier} ({scope}) · {state} · {age}").format(
                tier=v.tier_title, scope=v.scope_name, state=_owner_words(v, today), age=v.age_words()),
                className="muted"), " ", _overdue(v, limits.get(v.tier, 24.0))],
                className="overdue" if v.overdue else None)
            for v in panel.waiting], className="escalation-list")]
    if not parts:
        parts.append(html.P(_("No escalations open for this board."), className="empty"))
    return parts


def about_options(panel: EscalationPanel) -> list[dict[str, str]]:
    """What the board can escalate from: its red tiles, its open actions, or a note."""
    return [{"label": label, "value": value} for label, value in panel.about]


def received_options(views: list[EscalationView]) -> list[dict[str, str]]:
    """The received escalations still to answer; the value carries the version read."""
    return [{"label": _("{origin}: {sentence}").format(origin=v.origin_name, sentence=v.sentence),
             "value": f"{v.id}:{v.version}"} for v in views if v.state in ("raised", "accepted")]


def answer_options(views: list[EscalationView]) -> list[dict[str, str]]:
    """The answers to acknowledge; the value carries the version read."""
    return [{"label": v.answer_line, "value": f"{v.id}:{v.version}"} for v in views]
