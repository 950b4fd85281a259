"""The shift handover on the board: the panel that leads the board with each line's handover not yet acknowledged
(read from the TV at the huddle; acknowledged from the desk board), and the form the outgoing leader hands over with.

Renderers only: handover views in, Dash components out (no services, no database, no clock). Text people typed is
passed to Dash as text, never as markup, so it is shown as typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dash import dcc, html
from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.handover import MACHINE_STATES, HandoverView
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity, has_request_context

MACHINE_ROWS = 3  # machine rows the form offers; a handover usually names the one or two that matter


def lead_panel() -> html.Div:
    """Where the handovers leading the board appear (filled by its callback)."""
    return html.Div([dcc.Store(id=ids.HANDOVER_CHANGED, data=0),
                     html.Div(id=ids.HANDOVER_LEAD, className="handover-lead"),
                     html.P(id=ids.HANDOVER_ACK_MESSAGE, className="form-message desk-only", role="status")])


def _machine_row(n: int) -> html.Div:
    field = "manual-field"
    return html.Div([
        html.Label([_("Machine"), dcc.Input(id={"type": ids.HANDOVER_MACHINE, "index": n}, type="text",
                                            maxLength=80)], className=field),
        html.Label([_("State"), dcc.Dropdown(id={"type": ids.HANDOVER_STATE, "index": n}, options=[
            {"label": _(words), "value": key} for key, words in MACHINE_STATES.items()])], className=field),
        html.Label([_("Machine note"), dcc.Input(id={"type": ids.HANDOVER_MACHINE_NOTE, "index": n}, type="text",
                                                 maxLength=300)], className=field + " wide"),
    ], className="form-row")


def handover_form(hidden: bool) -> html.Section:
    """The outgoing leader's handover for a line: a note, open problems, machines and safety (editors; the server
    checks, the form only says so)."""
    editor = current_identity().may("editor") if has_request_context() else True
    hint = _("Written at the end of your shift; it leads the next shift's board until the incoming leader "
             "acknowledges it.") if editor else _("Sign in as an editor to hand over a shift.")
    field = "manual-field"

    def area(label: str, the_id: str) -> html.Label:
        return html.Label([label, dcc.Textarea(id=the_id, maxLength=2000, className="handover-text")],
                          className=field + " wide")

    return html.Section([
        html.H2(_("Hand over")), html.P(hint, className="hint"),
        html.Div([html.Label([_("Line"), dcc.Dropdown(id=ids.HANDOVER_LINE, clearable=False)], className=field)],
                 className="form-row"),
        html.Div([area(_("Handover note"), ids.HANDOVER_NOTE), area(_("Open problems"), ids.HANDOVER_PROBLEMS)],
                 className="form-row"),
        *[_machine_row(n) for n in range(MACHINE_ROWS)],
        html.Div([area(_("Safety remarks"), ids.HANDOVER_SAFETY),
                  html.Button(_("Hand over"), id=ids.HANDOVER_SAVE, n_clicks=0, className="primary",
                              disabled=not editor)], className="form-row"),
        html.P(id=ids.HANDOVER_MESSAGE, className="form-message", role="status"),
    ], className="card handover-form", hidden=hidden)


def _part(title: str, text: str) -> html.Div | None:
    if not text:
        return None
    return html.Div([html.B(title + " "), html.Span(text, className="handover-words")], className="handover-part")


def render_handover(view: HandoverView, acknowledging: bool) -> html.Article:
    """One handover as it leads the board: whose shift, by whom, its parts, and the button to acknowledge it."""
    machines = _part(_("Machines:"), "; ".join(
        f"{m.machine}: {m.state_words}" + (f" ({m.note})" if m.note else "") for m in view.machines))
    button = html.Button(_("Acknowledge"), id={"type": ids.HANDOVER_ACK, "index": view.id}, n_clicks=0,
                         className="primary desk-only",
                         **{"aria-label": _("Acknowledge the handover of {line}").format(line=view.line_name)}
                         ) if acknowledging else None
    down = any(m.state == "down" for m in view.machines)
    return html.Article([
        html.Div([html.H2(_("Handover: {line}").format(line=view.line_name), className="handover-title"),
                  html.Span(_("from {shift}, by {who} at {time}").format(
                      shift=view.shift_words, who=view.written_by_name, time=view.written_words),
                      className="handover-by"),
                  html.Span(_("not acknowledged yet"), className="handover-open"), button],
                 className="handover-head"),
        _part(_("Note:"), view.note), _part(_("Open problems:"), view.open_problems), machines,
        _part(_("Safety:"), view.safety),
    ], className="handover" + (" machine-down" if down else ""),
        **{"aria-label": _("Handover of {line}").format(line=view.line_name)})


def render_handovers(views: Iterable[HandoverView], acknowledging: bool) -> list[Any]:
    """Every handover leading the board, newest first."""
    return [render_handover(v, acknowledging) for v in views]


def line_options(config: Any, scope: str) -> list[Mapping[str, str]]:
    """The lines a handover can be written for from a scope's board, by name."""
    try:
        lines = config.scope_lines(scope)
    except KeyError:
        lines = list(config.lines)
    return [{"label": config.scope_name(line), "value": line} for line in lines]
