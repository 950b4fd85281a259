"""The baseline sprint of a KPI tree: the countdown or the closing record, the checklist (each KPI's current value,
source, frequency, or the "no data source" finding, and its owner's sign-off), the form editors work it with, and
the history of the baselines recorded. The layout (the sprint arrives through its callbacks) and the renderers: the
sprint's read model (``services.baselines.SprintView``) in, components out.

The address names the tree: ``/baseline?tree=oee`` (default: the first configured tree).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import dash
from dash import dcc, html
from huddle.dashboard.core.baseline_sprint import closing_words, countdown_words, missing_words
from huddle.dashboard.core.format import format_time, format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import person_name
from huddle.dashboard.core.plant import FREQUENCY_WORDS
from huddle.dashboard.web import ids
from huddle.dashboard.web.security import current_identity, has_request_context
from huddle.pages.components import table

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig
    from huddle.dashboard.services.baselines import ItemView, SprintView

OUTCOME_WORDS = {"complete": N_("closed, every KPI signed off"), "timed_out": N_("closed, time ran out"),
                 "replaced": N_("closed, the tree changed")}


def layout(tree: str = "", scope: str = "", **_query: str) -> html.Div:
    """Skeleton with the tree in a store; the sprint arrives through its callbacks."""
    editor = current_identity().may("editor") if has_request_context() else True
    return html.Div([
        dcc.Store(id=ids.BASE_CHANGED, data=0), dcc.Store(id=ids.BASE_VERSION),
        dcc.Store(id=ids.BASE_ADDRESS, data={"tree": tree, "scope": scope}),  # the pickers start empty: they read it
        html.Div([html.H1(_("Baseline sprint")),
                  html.P(_("Within 48 hours of defining a tree, every KPI in it gets a current value, a source and "
                           "a frequency, or an explicit “no data source” finding; its owner signs it off."),
                         className="hint")], className="page-head"),
        html.Div([html.Label([_("Tree"), dcc.Dropdown(id=ids.BASE_TREE, clearable=False, value=tree or None)],
                             className="manual-field"),
                  html.Label([_("Scope"), dcc.Dropdown(id=ids.BASE_SCOPE, clearable=False, value=scope or "plant")],
                             className="manual-field"),
                  html.Button(_("Start a sprint for this scope"), id=ids.BASE_OPEN, n_clicks=0, className="primary",
                              disabled=not editor)], className="form-row"),
        html.P(id=ids.BASE_STATE, className="sprint-state", role="status"),
        html.Section([html.H2(_("Checklist")), html.Div(id=ids.BASE_TABLE)], className="card"),
        html.Section([
            html.H2(_("Work a KPI's line")),
            html.P(_("Editors fill in a line; only the KPI's owner signs it off. A change after the sign-off needs "
                     "the owner's sign-off again.") if editor else _("Sign in as an editor to work the checklist."),
                   className="hint"),
            html.Div([
                html.Label([_("KPI"), dcc.Dropdown(id=ids.BASE_KPI, clearable=False)], className="manual-field wide"),
                html.Label([_("Current value"), dcc.Input(id=ids.BASE_VALUE, type="number")],
                           className="manual-field"),
                html.Label([_("Source"), dcc.Input(id=ids.BASE_SOURCE, type="text", maxLength=300)],
                           className="manual-field wide"),
                html.Label([_("Frequency"), dcc.Dropdown(id=ids.BASE_FREQUENCY, clearable=False, options=[
                    {"label": _(w), "value": f} for f, w in FREQUENCY_WORDS.items()])], className="manual-field"),
                dcc.Checklist(id=ids.BASE_NO_SOURCE, options=[{"label": _("No data source yet (a finding)"),
                                                               "value": "yes"}], value=[]),
            ], className="form-row"),
            html.P(id=ids.BASE_PROPOSED, className="hint"),
            html.Div([html.Button(_("Save"), id=ids.BASE_SAVE, n_clicks=0, className="primary", disabled=not editor),
                      html.Button(_("Sign off as owner"), id=ids.BASE_SIGN, n_clicks=0, className="primary",
                                  disabled=not editor)],
                     className="form-row"),
            html.P(id=ids.BASE_MESSAGE, className="form-message", role="status"),
        ], className="card"),
        html.Section([html.H2(_("Baselines recorded")), html.Div(id=ids.BASE_HISTORY)], className="card"),
    ], className="baseline-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("baseline", path="/baseline", name=N_("Baseline sprint"), order=2.7, nav=False,
                       layout=layout)


# ---- renderers ---------------------------------------------------------------------------------------------


def tree_options(config: PlantConfig) -> list[dict[str, str]]:
    """The plant's trees by name."""
    return [{"label": t.name, "value": t.key} for t in config.trees.values()]


def sprint_line(sprint: SprintView | None, config: PlantConfig, now: datetime) -> str:
    """The sprint in one sentence: its countdown while open, its closing record once closed (naming its scope when
    it is not the plant's)."""
    if sprint is None:
        return _("No baseline sprint for this tree and scope yet.")
    total = len(sprint.items)
    where = config.scope_name(sprint.scope) if sprint.scope != "plant" else ""
    if sprint.open:
        return countdown_words(sprint.due_at, now, sprint.signed, total, where) + "."
    names = {k: d.name for k, d in config.kpis.items()}
    said = (_("Baseline sprint for {scope} {outcome} ({when}): {record}") if where
            else _("Baseline sprint {outcome} ({when}): {record}"))
    return said.format(scope=where,
        outcome=_(OUTCOME_WORDS.get(sprint.outcome, sprint.outcome)),
        when=format_time(sprint.closed_at, config.tz, now.astimezone(config.tz).date()),
        record=closing_words(sprint.outcome, sprint.missing, names, total))


def _item_row(i: ItemView, config: PlantConfig, people: dict[str, str], now: datetime) -> dict[str, Any]:
    it = i.item
    today = now.astimezone(config.tz).date()
    signed = (_("{name}, {when}").format(name=person_name(it.signed_by, people),
                                         when=format_time(it.signed_at, config.tz, today)) if it.signed else "—")
    return {"kpi": i.name, "owner": i.owner or _("no owner (a finding)"),
            "value": _("no data source (a finding)") if it.no_source else format_value(it.value, i.unit),
            "proposed": format_value(i.proposed, i.unit),
            "source": it.source or "—", "frequency": _(FREQUENCY_WORDS[it.frequency]) if it.frequency else "—",
            "signed": signed, "missing": missing_words(it.missing()) or _("nothing: signed off"),
            "state": "" if it.signed else "partial"}


def render_checklist(sprint: SprintView | None, config: PlantConfig, people: dict[str, str], now: datetime) -> Any:
    """Every KPI's line: what is recorded, what the data proposes, who signed off, what is still missing."""
    if sprint is None:
        return html.P(_("Nothing to show."), className="empty")
    return table([("kpi", _("KPI")), ("owner", _("Owner")), ("value", _("Current value")),
                  ("proposed", _("From the data")), ("source", _("Source")), ("frequency", _("Frequency")),
                  ("signed", _("Signed off")), ("missing", _("Still missing"))],
                 [_item_row(i, config, people, now) for i in sprint.items], row_class="state")


def proposed_words(item: ItemView | None) -> str:
    """What the data says about the picked KPI, so the editor can take it as the current value."""
    if item is None:
        return ""
    if item.proposed is None:
        return _("Huddle has no data for this KPI yet: enter the value from its source, or record the finding.")
    return _("From the data: {value} (the value field starts with it).").format(
        value=format_value(item.proposed, item.unit))


def render_history(records: list[dict[str, Any]], config: PlantConfig, people: dict[str, str]) -> Any:
    """The baselines recorded for the tree's KPIs, newest first: none is ever overwritten."""
    rows = [{"kpi": config.kpis[r["kpi"]].name if r["kpi"] in config.kpis else r["kpi"],
             "scope": config.scope_name(r["scope"]),
             "value": format_value(r["value"], config.kpis[r["kpi"]].unit if r["kpi"] in config.kpis else ""),
             "date": r["date"], "source": r["source"],
             "frequency": _(FREQUENCY_WORDS[r["frequency"]]) if r["frequency"] in FREQUENCY_WORDS else "—",
             "by": person_name(r["signed_off_by"], people),
             "how": _("baseline sprint") if r["sprint"] else _("adopted from an OKR")} for r in records]
    return table([("kpi", _("KPI")), ("scope", _("Scope")), ("value", _("Baseline")), ("date", _("Date")),
                  ("source", _("Source")), ("frequency", _("Frequency")), ("by", _("Signed off by")),
                  ("how", _("How"))], rows, empty=N_("No baseline recorded yet."))
