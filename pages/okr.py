"""The quarter's OKRs: the week's meeting view, the check-in form, objectives cascaded company → plant → area and
line with each key result's progress, status, confidence and history, closing the quarter, and planning. The layout
(the quarter arrives through callbacks) and the renderers: the quarter's read model (``services.okrs.QuarterView``)
in, components and figures out; no services, no database, no clock.

The address says what is shown (``address.OkrAddress`` reads it): ``/okr?quarter=2026-Q4&scope=L2`` (default: this
quarter, every level).
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import dash
import plotly.graph_objects as go
from dash import dcc
from huddle.dashboard.core.format import format_day, format_time, format_value
from huddle.dashboard.core.i18n import N_, _, ngettext, number, pgettext
from huddle.dashboard.core.names import period_id_words, period_label, person_name
from huddle.dashboard.core.okr_scoring import BAND_WORDS, KrStatus, closing_score
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.services.okrs import LEVEL_WORDS, KeyResultView, ObjectiveView, QuarterView
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import OkrAddress, api_href, okr_href
from huddle.dashboard.web.html_pane import pane_store
from huddle.pages.components import plot_text, status_badge
from huddle.pages.elements import html
from huddle.pages.okr_marks import kr_progress, month_marks, okr_badge, percent, progress_bar, progress_words

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

KINDS = [("increase", N_("increase to")), ("decrease", N_("decrease to")), ("stay_above", N_("stay at or above")),
         ("stay_below", N_("stay at or below")), ("milestone", N_("milestone (done or not)"))]



def _field(label: str, control: object, wide: bool = False) -> html.Label:
    return html.Label([label, control], className="manual-field" + (" wide" if wide else ""))


def _plan() -> html.Details:
    """Forms to create and edit objectives and key results (editors; the server checks)."""
    objective = html.Div([
        html.H3(_("Objective")),
        html.Div([
            _field(_("Objective"), dcc.Dropdown(id=ids.OKR_OBJ_PICK, clearable=False, value="new")),
            _field(_("Level and scope"), dcc.Dropdown(id=ids.OKR_OBJ_SCOPE, clearable=False)),
            _field(_("Under"), dcc.Dropdown(id=ids.OKR_OBJ_PARENT, placeholder=_("(top of the cascade)"))),
        ], className="form-row"),
        html.Div([
            _field(_("Title"), dcc.Input(id=ids.OKR_OBJ_TITLE, type="text", maxLength=1000), wide=True),
            _field(_("Owner"), dcc.Input(id=ids.OKR_OBJ_OWNER, type="text", maxLength=120)),
            html.Button(_("Save objective"), id=ids.OKR_OBJ_SAVE, className="primary"),
        ], className="form-row"),
        dcc.Store(id=ids.OKR_OBJ_VERSION),
        html.Div(id=ids.OKR_OBJ_MESSAGE, className="form-message", role="status"),
    ])
    key_result = html.Div([
        html.H3(_("Key result")),
        html.Div([
            _field(_("Of objective"), dcc.Dropdown(id=ids.OKR_KR_OBJECTIVE, clearable=False)),
            _field(_("Key result"), dcc.Dropdown(id=ids.OKR_KR_PICK, clearable=False, value="new")),
            _field(_("Title"), dcc.Input(id=ids.OKR_KR_TITLE, type="text", maxLength=1000), wide=True),
            _field(_("Owner"), dcc.Input(id=ids.OKR_KR_OWNER, type="text", maxLength=120)),
        ], className="form-row"),
        html.Div([
            _field(_("Kind"), dcc.Dropdown(id=ids.OKR_KR_KIND, options=[{"label": _(t), "value": k} for k, t in KINDS],
                                        value="increase", clearable=False)),
            _field(_("Start"), dcc.Input(id=ids.OKR_KR_START, type="number")),
            _field(_("Target"), dcc.Input(id=ids.OKR_KR_TARGET, type="number")),
            _field(_("Unit"), dcc.Input(id=ids.OKR_KR_UNIT, type="text", maxLength=16)),
            _field(_("Weight"), dcc.Input(id=ids.OKR_KR_WEIGHT, type="number", value=1, min=0.1, step=0.1)),
        ], className="form-row"),
        html.Div([
            _field(_("Bound KPI"), dcc.Dropdown(id=ids.OKR_KR_KPI, placeholder=_("none: checked in by hand"),
                                             search_order="original")),
            _field(_("KPI read at"), dcc.Dropdown(id=ids.OKR_KR_KPI_SCOPE, placeholder=_("the objective's scope"))),
            _field(_("Over"), dcc.Dropdown(id=ids.OKR_KR_WINDOW, value="quarter", clearable=False, options=[
                {"label": _("quarter to date"), "value": "quarter"},
                {"label": _("this month (to date)"), "value": "month"},
                {"label": _("latest full week"), "value": "week"}])),
            html.Button(_("Save key result"), id=ids.OKR_KR_SAVE, className="primary"),
        ], className="form-row"),
        dcc.Store(id=ids.OKR_KR_VERSION),
        html.Div(id=ids.OKR_KR_WARNING, className="form-message", role="status"),
        html.Div(id=ids.OKR_KR_MESSAGE, className="form-message", role="status"),
    ])
    return html.Details([html.Summary(_("Plan objectives and key results")), objective, key_result],
                        id=ids.OKR_PLAN, className="card okr-plan")


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; the quarter arrives through its callbacks."""
    return html.Div([
        dcc.Store(id=ids.OKR_VIEW, data=OkrAddress.from_query(query).as_view()),
        dcc.Store(id=ids.OKR_CHANGED, data=0),
        dcc.Store(id=ids.OKR_VERSION),
        dcc.Interval(id=ids.OKR_REFRESH, interval=60_000),
        html.Div([
            _field(_("Quarter"), dcc.Dropdown(id=ids.OKR_QUARTER, clearable=False)),
            _field(_("Objectives of"), dcc.Dropdown(id=ids.OKR_SCOPE, clearable=False)),
            _field(_("KPIs of"), dcc.Dropdown(id=ids.OKR_LAYER, clearable=False)),
            html.Div(id=ids.OKR_FILTER, className="filter-chips"),
            html.Div(id=ids.OKR_EXPORTS, className="exports"),
        ], className="form-row review-controls"),
        html.Div(id=ids.OKR_SUMMARY, className="okr-summary"),
        html.Div([
            html.Section(id=ids.OKR_MEETING, className="card"),
            html.Section([
                html.H2(_("Weekly check-in")),
                html.Div([_field(_("Week"), dcc.Dropdown(id=ids.OKR_CHECKIN_WEEK, clearable=False))],
                         className="form-row"),
                html.Div(id=ids.OKR_CHECKIN_ROWS),  # its rows arrive as HTML (html_pane); assets/okr.js sends them
                pane_store(ids.OKR_CHECKIN_ROWS), dcc.Store(id=ids.OKR_CI_SUBMIT), dcc.Store(id=ids.OKR_CI_RESULT),
            ], id=ids.OKR_CHECKIN, className="card"),
            html.Section(id=ids.OKR_OBJECTIVES, className="card"),  # its content arrives as HTML (html_pane)
            pane_store(ids.OKR_OBJECTIVES),
            html.Section([
                html.H2(_("History")),
                html.Div([_field(_("Key result"), dcc.Dropdown(id=ids.OKR_HISTORY_PICK, clearable=False), wide=True)],
                         className="form-row"),
                html.Div(id=ids.OKR_HISTORY),
            ], className="card"),
            html.Section([
                html.Div(id=ids.OKR_CLOSE_SCORES),  # its content arrives as HTML (html_pane)
                pane_store(ids.OKR_CLOSE_SCORES),
                html.Div(id=ids.OKR_CLOSE),
                html.Button(_("Close the quarter"), id=ids.OKR_CLOSE_BUTTON, className="primary"),
                html.Div(id=ids.OKR_CLOSE_MESSAGE, className="form-message", role="status"),
            ], className="card"),
            _plan(),
        ], id=ids.OKR_SECTIONS),  # hidden when the address names a quarter or scope that cannot be shown
    ], className="okr-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("okr", path="/okr", name=N_("OKRs"), order=4, nav=True, layout=layout)


# ---- renderers: the quarter's read model in, components out -------------------------------------------------


BAND_CLASS = {"on track": "green", "has issues": "amber", "at risk": "red"}


def _confidence(kr: KeyResultView) -> html.Span:
    if kr.latest is None:
        return html.Span("—", className="hint")
    return html.Span(f"{kr.latest.confidence}/10 {_(BAND_WORDS[kr.latest.band])}",
                     className=f"badge status-{BAND_CLASS[kr.latest.band]}")


def _week(text: str, today: date | None = None) -> str:
    """A week as people say it: 'Week 49' (with its year when not this year's)."""
    return period_id_words(None, text, today)


def _kr_row(kr: KeyResultView, view: QuarterView) -> html.Tr:
    last = kr.latest
    return html.Tr([
        # no id: the objectives arrive as HTML (html_pane), and assets/okr.js shows the history of the key
        # result whose title is pressed
        html.Td([html.Button(kr.title, className="okr-kr", title=_("Show its history"), **{"data-kr": str(kr.id)}),
                 html.Div(f"{kr.rule} · {kr.owner}" + (" · " + _("weight {weight}").format(weight=number(kr.weight, 1))
                                                        if kr.weight != 1 else ""),
                          className="bt")]),
        html.Td([html.Div(format_value(kr.current, kr.unit), className="bv"), html.Div(kr.source, className="bt"),
                 # a bound KPI whose loader has stopped, whose data has gaps or is impossible is not shown as sound
                 status_badge(kr.kpi_status) if kr.kpi_status in ("stale", "incomplete", "check") else None,
                 month_marks(kr)]),
        html.Td(kr_progress(kr)),
        html.Td(okr_badge(kr.status)),
        html.Td(_confidence(kr)),
        html.Td(f"{_week(last.week, view.today)} · {person_name(last.author, view.people)}" if last
                else _("no check-in yet")),
        html.Td(percent(kr.score) if kr.score is not None else ""),
    ], className="okr-kr-row", **{"data-kr": str(kr.id)})


def _objective(o: ObjectiveView, closed: bool, view: QuarterView) -> html.Div:
    head = html.Div([
        html.Div([html.Span(f"{_(LEVEL_WORDS[o.level])} · {o.scope_name}", className="okr-level"), html.H3(o.title),
                  html.Span(_("owner {name}").format(name=o.owner), className="hint")]),
        html.Div([progress_bar(o.progress, o.key_results[0].expected if o.key_results else 0.0, o.status),
                  okr_badge(o.status)], className="okr-objective-status"),
    ], className="okr-objective-head")
    rows = [_kr_row(k, view) for k in o.key_results]
    heads = [_("Key result"), _("Now"), _("Progress (tick: expected today)"), _("Status"), _("Confidence"),
             _("Last check-in"), _("Score") if closed else ""]
    body = html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
                      className="grid okr-krs") if rows else html.P(_("No key results yet."), className="empty")
    warnings = [html.P(f"! {w}", className="form-error") for w in o.warnings]
    return html.Div([head, *warnings, body], className=f"okr-objective depth-{min(o.depth, 3)}",
                    id=f"objective-{o.id}")


def render_summary(view: QuarterView, config: PlantConfig) -> list[Any]:
    """The quarter in one line: where the date is, how many key results stand where, what the meeting needs."""
    krs = view.key_results
    counts = {s: sum(1 for k in krs if k.status is s) for s in KrStatus}
    weeks = len(view.weeks)
    state = (_("closed by {name} on {time}").format(name=person_name(view.closed_by, view.people),
                                                     time=format_time(view.closed_at, config.tz, view.today))
             if view.closed_at else
             # a quarter still to come (planned ahead) has no week of its own yet
             _("starts {day}").format(day=format_day(view.quarter.first, view.today))
             if view.today < view.quarter.first else
             _("week {n} of the quarter ({week}), {share} of the quarter gone").format(
                 n=number(weeks), week=period_label(config, view.week, view.today), share=percent(view.expected)))
    n_objectives, n_krs = len(view.objectives), len(krs)
    counted = _("{on_track} on track, {attention} need attention, {off_track} off track, "
                "{no_data} without data").format(
        on_track=number(counts[KrStatus.ON_TRACK]), attention=number(counts[KrStatus.NEEDS_ATTENTION]),
        off_track=number(counts[KrStatus.OFF_TRACK]), no_data=number(counts[KrStatus.NO_DATA]))
    if counts[KrStatus.HOLDING] or counts[KrStatus.SLIPPING]:  # maintain key results hold a level or slip from it
        counted += ", " + _("{holding} holding, {slipping} slipping").format(
            holding=number(counts[KrStatus.HOLDING]), slipping=number(counts[KrStatus.SLIPPING]))
    return [html.H1(_("OKRs {quarter}").format(quarter=period_label(config, view.quarter))),
            html.P(" · ".join([
                state,
                ngettext("{n} objective", "{n} objectives", n_objectives).format(n=number(n_objectives)),
                ngettext("{n} key result", "{n} key results", n_krs).format(n=number(n_krs)) + ": " + counted,
                _("{n} without a check-in this week.").format(n=number(len(view.meeting.missing)))]),
                className="review-summary")]


def render_meeting(view: QuarterView) -> list[Any]:
    """What this week's meeting talks about: missing check-ins, confidence against progress, blocks."""
    m = view.meeting

    def week(k: KeyResultView) -> str:
        return _week(k.latest.week, view.today) if k.latest else ""

    def items(krs: list[KeyResultView], text: Any, empty: str) -> Any:
        if not krs:
            return html.P(empty, className="empty")
        return html.Ul([html.Li([html.Strong(k.title), " ", okr_badge(k.status), " ", text(k)]) for k in krs])

    return [html.H2(_("This week's meeting, {week}").format(week=_week(m.week, view.today))), html.Div([
        html.Div([html.H3(_("Not checked in this week ({n})").format(n=number(len(m.missing)))),
                  items(m.missing,
                        lambda k: _("owner {name}").format(name=k.owner) + (
                            ", " + _("last {week}").format(week=week(k)) if k.latest else ""),
                        _("The quarter is closed.") if view.closed else
                        _("Every key result has this week's check-in.") if view.key_results else
                        _("No key results yet: there is nothing to check in."))]),
        html.Div([html.H3(_("Confidence and progress disagree ({n})").format(n=number(len(m.disagreements)))),
                  items(m.disagreements, lambda k: k.disagreement, _("None."))]),
        html.Div([html.H3(_("Blocked ({n})").format(n=number(len(m.blocked)))),
                  items(m.blocked, lambda k: f"{week(k)}: {k.latest.blocks}" if k.latest else "",
                        _("Nothing."))]),
    ], className="okr-meeting")]


def render_objectives(view: QuarterView) -> list[Any]:
    """The cascade: each objective with its key results, indented by level."""
    if not view.objectives:
        return [html.H2(_("Objectives")), html.P(_("No objectives for {quarter} here yet. Editors plan them below.")
                                                 .format(quarter=period_label(None, view.quarter)), className="empty")]
    return [html.H2(_("Objectives, company → plant → area and line")),
            html.P(_("Progress = (now − start) / (target − start); the tick marks what the date in the quarter "
                     "expects. An objective stands where its weakest key result stands; its progress is the weighted "
                     "mean."), className="hint"),
            html.P(_("A key result whose target equals its start keeps a level: it is holding while at the level or "
                     "on the better side of it and slipping otherwise (holding counts as on track, slipping as off "
                     "track). A key result bound to a KPI shows the KPI month by month, so a red month is seen "
                     "inside a quarter to date that is not red."), className="hint"),
            *[_objective(o, view.closed, view) for o in view.objectives]]


def _box_number(value: float | None) -> float | int | None:
    """A number as a box shows it: to two decimals, a whole one without its '.0' (the box holds what HTML wrote)."""
    if value is None:
        return None
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def checkin_rows(view: QuarterView, editable: bool) -> list[Any]:
    """One row per key result: value (the bound KPI's, or prefilled with the last), confidence, what moved, what
    blocks, and a save button; each row remembers how many check-ins it saw."""
    if view.closed:
        return [html.P(_("{quarter} is closed: it takes no more check-ins.").format(
            quarter=period_label(None, view.quarter)), className="empty")]
    if not view.key_results:
        return [html.P(_("No key results to check in on."), className="empty")]
    if not editable:  # the server refuses a viewer's save anyway; the rows would only take the screen
        return [html.P(_("Sign in as an editor to check in. The key results and their latest check-ins are below."),
                       className="hint")]
    rows = []
    for o in view.objectives:
        for k in o.key_results:
            bound = bool(k.kpi)
            # no ids: the rows arrive as HTML (html_pane) and assets/okr.js sends a row's entries when its Save is
            # pressed, with the number of check-ins the row has seen (data-seen)
            rows.append(html.Div([
                html.Div([html.Strong(k.title), html.Div(f"{o.title} · {k.rule}", className="bt"),
                          html.Div(_("now {value}").format(value=format_value(k.current, k.unit)) + " · " + (
                              _("this week: {name}").format(name=person_name(k.this_week.author, view.people))
                              if k.this_week else _("not checked in this week")),
                                   className="bt")], className="okr-ci-what"),
                html.Label([(_("From the KPI at save time") if bound else _("Done? 1 = yes, 0 = not yet")
                             if k.kind == "milestone" else _("Value")) + (f" ({k.unit})" if k.unit else ""),
                            dcc.Input(type="number", step="any", className="okr-ci-value",
                                      value=_box_number(k.prefill), disabled=bound)],
                           className="manual-field"),
                html.Label([_("Confidence 0–10"),
                            dcc.Input(type="number", min=0, max=10, step=1, value=k.confidence,
                                      className="okr-ci-confidence")], className="manual-field"),
                html.Label([_("What moved"), dcc.Textarea(maxLength=1000, className="okr-ci-moved")],
                           className="manual-field wide"),
                html.Label([_("What blocks"), dcc.Textarea(maxLength=1000, className="okr-ci-blocks")],
                           className="manual-field wide"),
                html.Button(_("Save"), type="button", className="primary okr-ci-save"),
                html.Div(className="form-message", role="status"),
            ], className="okr-ci-row", **{"data-kr": str(k.id), "data-seen": str(k.checkins)}))
    return rows


def history_figure(kr: KeyResultView) -> go.Figure:
    """Value per week against the straight path from start to target, with confidence beside it."""
    weeks = [_week(p.week) for p in kr.history]
    fig = go.Figure()
    fig.add_bar(x=weeks, y=[p.confidence for p in kr.history], name=plot_text(_("confidence (0–10, right)")),
                yaxis="y2",
                width=0.35, marker_color="rgba(91,107,122,0.30)",
                text=[p.confidence for p in kr.history], textposition="inside",
                hovertemplate="%{x}: " + plot_text(_("confidence")) + " %{y}/10<extra></extra>")
    if any(p.path is not None for p in kr.history):
        fig.add_scatter(x=weeks, y=[p.path for p in kr.history], mode="lines",
                        name=plot_text(_("straight path to the target")),
                        line={"color": "#5b6b7a", "dash": "dot"})
    fig.add_scatter(x=weeks, y=[p.value for p in kr.history], mode="lines+markers",
                    name=plot_text(_("KPI value") if kr.kpi else _("checked in")),
                    line={"color": "#1f4e79", "width": 3}, connectgaps=True)
    if kr.kind != "milestone":
        fig.add_hline(y=kr.target, line={"color": "#1e7b34", "dash": "dash"},
                      annotation_text=plot_text(_("target {value}").format(value=format_value(kr.target, kr.unit))))
    if kr.kpi and kr.current is not None and weeks:
        fig.add_scatter(x=[weeks[-1]], y=[kr.current], mode="markers", name=plot_text(_("KPI now")),
                        marker={"symbol": "star", "size": 14, "color": "#b3141c"})
    fig.update_layout(template="plotly_white", height=320, margin={"l": 50, "r": 50, "t": 20, "b": 40},
                      legend={"orientation": "h", "y": -0.2},
                      yaxis={"title": plot_text(kr.unit or _("value"))},
                      yaxis2={"overlaying": "y", "side": "right", "range": [0, 10.5],
                              "title": plot_text(_("confidence")),
                              "showgrid": False, "tickmode": "linear", "tick0": 0, "dtick": 2})
    return fig


def render_history(kr: KeyResultView, config: PlantConfig, people: dict[str, str] | None = None,
                   today: date | None = None) -> list[Any]:
    """A key result's chart and every saved check-in, corrections included (a time of ``today`` by its hour)."""
    tz = config.tz
    rows = [html.Tr([html.Td(_week(v.week)), html.Td(format_value(v.value, kr.unit)),
                     html.Td(f"{v.confidence}/10 {_(BAND_WORDS[v.band])}"), html.Td(v.moved), html.Td(v.blocks),
                     html.Td(person_name(v.author, people or {})), html.Td(format_time(v.at, tz, today)),
                     html.Td(_("corrected later") if v.replaced else (_("correction") if v.replaces_id
                                                                       else pgettext("version", "current")))],
                    className="replaced" if v.replaced else None)
            for v in kr.versions]
    head = html.Thead(html.Tr([html.Th(h) for h in (_("Week"), _("Value"), _("Confidence"), _("What moved"),
                                                      _("What blocks"), _("By"), _("Saved"), _("Version"))]))
    said = (_("{rule} · now {value} ({source})") if kr.maintain else
            _("{rule} · now {value} ({source}) · progress {progress} against {expected} expected")).format(
        rule=kr.rule, value=format_value(kr.current, kr.unit), source=kr.source, progress=percent(kr.progress),
        expected=percent(kr.expected))
    return [html.P([html.Strong(kr.title), " · " + said + " · ", okr_badge(kr.status)]),
            dcc.Graph(figure=history_figure(kr), config={"displayModeBar": False}, className="okr-history-chart"),
            html.Table([head, html.Tbody(rows)], className="grid okr-versions") if rows
            else html.P(_("No check-ins yet."), className="empty"), month_marks(kr)]


def render_closing_scores(view: QuarterView, config: PlantConfig) -> list[Any]:
    """The closing's head: each key result's score at the close (or if the quarter closed today); no control, so
    sent as HTML (``html_pane``: a quarter of a big plant scores some 330 key results)."""
    title = _("Closing {quarter}").format(quarter=period_label(config, view.quarter))
    if view.closed:
        lead = html.P(_("Closed by {name} on {time}. Scores are progress held to 0–1.").format(
            name=person_name(view.closed_by, view.people), time=format_time(view.closed_at, config.tz, view.today)),
            className="hint")
    else:
        lead = html.P(_("Each key result is scored 0–1 (progress held to that range). Scores if {quarter} closed "
                        "today are shown below; it can be closed from {day}.").format(
            quarter=period_label(config, view.quarter), day=format_day(view.closes_from, view.today)),
            className="hint")
    scores = [html.Tr([html.Td(k.title), html.Td(format_value(k.final_value if view.closed else k.current, k.unit)),
                       html.Td(progress_words(k)),
                       html.Td(number(k.score if k.score is not None else
                                      closing_score(k.kind, k.start, k.target, k.current), 2))])
              for k in view.key_results]
    return [
        html.H2(title), lead,
        html.Table([html.Thead(html.Tr([html.Th(h) for h in (_("Key result"), _("Value"), _("Progress"),
                                                             _("Score"))])),
                    html.Tbody(scores)], className="grid") if scores else None,
    ]


def render_closing(view: QuarterView, config: PlantConfig, candidates: list[Any], editable: bool,
                   candidate_scope: str) -> list[Any]:
    """The closing's controls: baseline proposals for bound key results, and next quarter's candidates."""
    next_quarter = period_label(config, period_containing("quarter", view.quarter.last + timedelta(days=1)))
    proposals = []
    for p in view.proposals:
        kdef = config.kpis[p.kpi]
        now = (_("now {value} from {source}").format(value=format_value(p.current.value, kdef.unit),
                                                     source=p.current.source) if p.current
               else _("none recorded"))
        button: Any = (html.Span(_("adopted"), className="badge status-green") if p.adopted else
                       html.Button(_("Adopt as baseline"), id={"type": ids.OKR_ADOPT, "kr": p.key_result_id},
                                   className="primary", disabled=not (editable and view.closed)))
        proposals.append(html.Li([_("{kpi} at {scope} reached {value}; baseline {now}.").format(
            kpi=kdef.name, scope=config.scope_name(p.scope), value=format_value(p.value, kdef.unit), now=now) + " ",
                                  button,
                                  html.Span(id={"type": ids.OKR_ADOPT_MESSAGE, "kr": p.key_result_id},
                                            className="form-message")]))
    return [
        html.H3(_("New baselines from bound key results")),
        html.Ul(proposals) if proposals else html.P(_("Shown in the quarter's last two weeks and after its close, "
                                                      "for key results bound to a KPI."), className="empty"),
        html.H3(_("Candidates for next quarter's objectives: KPIs red three months running")),
        html.P(_("At {scope}, up to last month.").format(scope=config.scope_name(candidate_scope)), className="hint"),
        html.Ul([html.Li([status_badge("red"), " " + _(
                              "{kpi}: red {n} months running, last month {value} against {target}.").format(
                              kpi=c.kpi.name, n=number(c.red_months), value=format_value(c.latest.value, c.kpi.unit),
                              target=format_value(c.latest.target, c.kpi.unit)) + " ",
                          html.Button(_("Plan it for {quarter}").format(quarter=next_quarter),
                                      id={"type": ids.OKR_DRAFT, "kpi": c.kpi.key, "scope": candidate_scope},
                                      className="primary", disabled=not editable)])
                 for c in candidates]) if candidates else html.P(_("None."), className="empty"),
    ]


def checkin_exports(quarter: str) -> list[Any]:
    """Links to the quarter's check-ins as CSV and as a workbook."""
    return [html.Span(_("Check-ins:"), className="field-label"),
            html.A(_("CSV"), href=api_href("okr/checkins.csv", quarter=quarter), className="export-link"),
            html.A(_("Excel"), href=api_href("okr/checkins.xlsx", quarter=quarter), className="export-link")]


def okr_problem(message: str) -> list[Any]:
    """What the page says instead when its address cannot be shown."""
    return [html.H1(_("These OKRs cannot be shown")), html.P(message, className="form-error")]


def refusal(message: str) -> html.Span:
    """A save, close or plan the server refused, and why."""
    return html.Span(message, className="form-error")


def checkin_saved(saved: Any, tz: tzinfo, today: date | None = None, names: dict[str, str] | None = None) -> str:
    """What a saved check-in (or its correction) says: value, confidence, who (by ``names``, login → display name)
    and when (today's by its hour)."""
    said = (_("Saved {week} correction of this week's check-in") if saved.replaces_id
            else _("Saved {week} check-in")).format(week=_week(saved.week))
    return said + ": " + _("{value} at confidence {confidence}/10 ({band}), by {name} at {time}").format(
        value=format_value(saved.value, saved.unit), confidence=saved.confidence, band=_(BAND_WORDS[saved.band]),
        name=person_name(saved.author, names or {}), time=format_time(saved.at, tz, today))


def drafted(kpi_name: str, quarter: str) -> html.A:
    """A KPI planned as an objective of the next quarter, linked to it."""
    return html.A(_("{kpi} planned as an objective of {quarter}: open it").format(
        kpi=kpi_name, quarter=period_id_words(None, quarter)),
                  href=okr_href(quarter))


def pick_a_key_result() -> html.P:
    """The history's place before a key result is picked."""
    return html.P(_("Pick a key result."), className="empty")
