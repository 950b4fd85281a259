"""The "Why it happened" part of the board's action form: a 5-why (up to five whys and the root cause) or a short
A3 (problem, cause, countermeasure, check, result), and the note that a red has come back before."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from huddle.dashboard.core.causes import A3, A3_FIELDS, A3_WORDS, FIVE_WHY, MAX_TEXT, MAX_WHYS, METHOD_WORDS
from huddle.dashboard.core.i18n import _
from huddle.dashboard.web import ids


def cause_fields() -> html.Details:
    """The cause boxes, folded until opened; saved with the action picked above them."""
    field = "manual-field"
    whys = [html.Label([_("Why {n}?").format(n=i + 1),
                        dcc.Input(id={"type": ids.ACTION_WHY, "index": i}, type="text", maxLength=MAX_TEXT)],
                       className=field + " wide") for i in range(MAX_WHYS)]
    a3 = [html.Label([_(A3_WORDS[f]), dcc.Input(id={"type": ids.ACTION_A3, "index": f}, type="text",
                                                maxLength=MAX_TEXT)], className=field + " wide") for f in A3_FIELDS]
    return html.Details([
        html.Summary(_("Why it happened")),
        html.P(_("Record the cause of the action you raise or pick: ask why until the answer is something you can fix, "
                 "or fill in a short A3. Saved with the action."), className="hint"),
        dcc.RadioItems(id=ids.ACTION_METHOD, value=FIVE_WHY, inline=True,
                       options=[{"label": _(METHOD_WORDS[m]), "value": m} for m in (FIVE_WHY, A3)]),
        html.Div([*whys, html.Label([_("Root cause"), dcc.Input(id=ids.ACTION_ROOT, type="text", maxLength=MAX_TEXT)],
                                    className=field + " wide")], id=ids.ACTION_WHY_BOX, className="form-row cause"),
        html.Div(a3, id=ids.ACTION_A3_BOX, className="form-row cause", hidden=True),
    ], className="action-cause")


def earlier_note(text: str) -> Any:
    """The "red again" note, or nothing."""
    return html.Span(text) if text else None
