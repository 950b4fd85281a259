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
from dash import dcc, html
from huddle.dashboard.core.format import format_day, format_time, format_value, plural
from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.names import period_id_words, period_label, person_name
from huddle.dashboard.core.okr_scoring import KrStatus
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.services.okrs import COMPANY, KeyResultView, ObjectiveView, QuarterView
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import EVERY_LEVEL, OkrAddress, api_href, okr_href
from huddle.pages.components import plot_text, scope_options, status_badge

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import KpiDef, PlantConfig

KINDS = [("increase", "increase to"), ("decrease", "decrease to"), ("stay_above", "stay at or above"),
         ("stay_below", "stay at or below"), ("milestone", "milestone (done or not)")]


def _field(label: str, control: object, wide: bool = False) -> html.Label:
    return html.Label([label, control], className="manual-field" + (" wide" if wide else ""))


def _plan() -> html.Details:
    """Forms to create and edit objectives and key results (editors; the server checks)."""
    objective = html.Div([
        html.H3("Objective"),
        html.Div([
            _field("Objective", dcc.Dropdown(id=ids.OKR_OBJ_PICK, clearable=False, value="new")),
            _field("Level and scope", dcc.Dropdown(id=ids.OKR_OBJ_SCOPE, clearable=False)),
            _field("Under", dcc.Dropdown(id=ids.OKR_OBJ_PARENT, placeholder="(top of the cascade)")),
        ], className="form-row"),
        html.Div([
            _field("Title", dcc.Input(id=ids.OKR_OBJ_TITLE, type="text", maxLength=1000), wide=True),
            _field("Owner", dcc.Input(id=ids.OKR_OBJ_OWNER, type="text", maxLength=120)),
            html.Button("Save objective", id=ids.OKR_OBJ_SAVE, className="primary"),
        ], className="form-row"),
        dcc.Store(id=ids.OKR_OBJ_VERSION),
        html.Div(id=ids.OKR_OBJ_MESSAGE, className="form-message", role="status"),
    ])
    key_result = html.Div([
        html.H3("Key result"),
        html.Div([
            _field("Of objective", dcc.Dropdown(id=ids.OKR_KR_OBJECTIVE, clearable=False)),
            _field("Key result", dcc.Dropdown(id=ids.OKR_KR_PICK, clearable=False, value="new")),
            _field("Title", dcc.Input(id=ids.OKR_KR_TITLE, type="text", maxLength=1000), wide=True),
            _field("Owner", dcc.Input(id=ids.OKR_KR_OWNER, type="text", maxLength=120)),
        ], className="form-row"),
        html.Div([
            _field("Kind", dcc.Dropdown(id=ids.OKR_KR_KIND, options=[{"label": t, "value": k} for k, t in KINDS],
                                        value="increase", clearable=False)),
            _field("Start", dcc.Input(id=ids.OKR_KR_START, type="number")),
            _field("Target", dcc.Input(id=ids.OKR_KR_TARGET, type="number")),
            _field("Unit", dcc.Input(id=ids.OKR_KR_UNIT, type="text", maxLength=16)),
            _field("Weight", dcc.Input(id=ids.OKR_KR_WEIGHT, type="number", value=1, min=0.1, step=0.1)),
        ], className="form-row"),
        html.Div([
            _field("Bound KPI", dcc.Dropdown(id=ids.OKR_KR_KPI, placeholder="none: checked in by hand",
                                             search_order="original")),
            _field("KPI read at", dcc.Dropdown(id=ids.OKR_KR_KPI_SCOPE, placeholder="the objective's scope")),
            _field("Over", dcc.Dropdown(id=ids.OKR_KR_WINDOW, value="quarter", clearable=False, options=[
                {"label": "quarter to date", "value": "quarter"},
                {"label": "latest full week", "value": "week"}])),
            html.Button("Save key result", id=ids.OKR_KR_SAVE, className="primary"),
        ], className="form-row"),
        dcc.Store(id=ids.OKR_KR_VERSION),
        html.Div(id=ids.OKR_KR_MESSAGE, className="form-message", role="status"),
    ])
    return html.Details([html.Summary("Plan objectives and key results"), objective, key_result],
                        id=ids.OKR_PLAN, className="card okr-plan")


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; the quarter arrives through its callbacks."""
    return html.Div([
        dcc.Store(id=ids.OKR_VIEW, data=OkrAddress.from_query(query).as_view()),
        dcc.Store(id=ids.OKR_CHANGED, data=0),
        dcc.Store(id=ids.OKR_VERSION),
        dcc.Interval(id=ids.OKR_REFRESH, interval=60_000),
        html.Div([
            _field("Quarter", dcc.Dropdown(id=ids.OKR_QUARTER, clearable=False)),
            _field("Objectives of", dcc.Dropdown(id=ids.OKR_SCOPE, clearable=False)),
            html.Div(id=ids.OKR_EXPORTS, className="exports"),
        ], className="form-row review-controls"),
        html.Div(id=ids.OKR_SUMMARY, className="okr-summary"),
        html.Div([
            html.Section(id=ids.OKR_MEETING, className="card"),
            html.Section([
                html.H2("Weekly check-in"),
                html.Div([_field("Week", dcc.Dropdown(id=ids.OKR_CHECKIN_WEEK, clearable=False))],
                         className="form-row"),
                html.Div(id=ids.OKR_CHECKIN_ROWS),
            ], id=ids.OKR_CHECKIN, className="card"),
            html.Section(id=ids.OKR_OBJECTIVES, className="card"),
            html.Section([
                html.H2("History"),
                html.Div([_field("Key result", dcc.Dropdown(id=ids.OKR_HISTORY_PICK, clearable=False), wide=True)],
                         className="form-row"),
                html.Div(id=ids.OKR_HISTORY),
            ], className="card"),
            html.Section([
                html.Div(id=ids.OKR_CLOSE),
                html.Button("Close the quarter", id=ids.OKR_CLOSE_BUTTON, className="primary"),
                html.Div(id=ids.OKR_CLOSE_MESSAGE, className="form-message", role="status"),
            ], className="card"),
            _plan(),
        ], id=ids.OKR_SECTIONS),  # hidden when the address names a quarter or scope that cannot be shown
    ], className="okr-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("okr", path="/okr", name=N_("OKRs"), order=4, nav=True, layout=layout)


# ---- renderers: the quarter's read model in, components out -------------------------------------------------


STATUS_CLASS = {KrStatus.ON_TRACK: "green", KrStatus.NEEDS_ATTENTION: "amber", KrStatus.OFF_TRACK: "red",
                KrStatus.NO_DATA: "grey"}
STATUS_ICON = {KrStatus.ON_TRACK: "●", KrStatus.NEEDS_ATTENTION: "▲", KrStatus.OFF_TRACK: "✗",
               KrStatus.NO_DATA: "–"}
BAND_CLASS = {"on track": "green", "has issues": "amber", "at risk": "red"}


def okr_badge(status: KrStatus) -> html.Span:
    """Colour, icon and word for a key result's or an objective's status."""
    return html.Span(f"{STATUS_ICON[status]} {status}", className=f"badge status-{STATUS_CLASS[status]}")


def percent(value: float | None) -> str:
    """A progress share as a percentage ('—' without one); above 100 % is shown as it is."""
    return "—" if value is None else f"{value * 100:.0f} %"


def progress_bar(progress: float | None, expected: float, status: KrStatus) -> html.Div:
    """Progress against the quarter's straight path: the bar, a tick where the date expects it, and the figure."""
    width = 0.0 if progress is None else max(0.0, min(1.0, progress)) * 100
    return html.Div([
        html.Div([html.Div(className=f"okr-bar-fill status-{STATUS_CLASS[status]}", style={"width": f"{width:.0f}%"}),
                  html.Div(className="okr-bar-expected", style={"left": f"{expected * 100:.0f}%"})],
                 className="okr-bar", title=f"expected by today: {percent(expected)}"),
        html.Span(percent(progress), className="okr-bar-label"),
    ], className="okr-progress")


def _confidence(kr: KeyResultView) -> html.Span:
    if kr.latest is None:
        return html.Span("—", className="hint")
    return html.Span(f"{kr.latest.confidence}/10 {kr.latest.band}",
                     className=f"badge status-{BAND_CLASS[kr.latest.band]}")


def _week(text: str, today: date | None = None) -> str:
    """A week as people say it: 'Week 49' (with its year when not this year's)."""
    return period_id_words(None, text, today)


def _kr_row(kr: KeyResultView, view: QuarterView) -> html.Tr:
    last = kr.latest
    return html.Tr([
        html.Td([html.Button(kr.title, id={"type": ids.OKR_KR_LINK, "kr": kr.id}, className="okr-kr"),
                 html.Div(f"{kr.rule} · {kr.owner}" + (f" · weight {kr.weight:g}" if kr.weight != 1 else ""),
                          className="bt")]),
        html.Td([html.Div(format_value(kr.current, kr.unit), className="bv"), html.Div(kr.source, className="bt"),
                 # a bound KPI whose loader has stopped, whose data has gaps or is impossible is not shown as sound
                 status_badge(kr.kpi_status) if kr.kpi_status in ("stale", "incomplete", "check") else None]),
        html.Td(progress_bar(kr.progress, kr.expected, kr.status)),
        html.Td(okr_badge(kr.status)),
        html.Td(_confidence(kr)),
        html.Td(f"{_week(last.week, view.today)} · {person_name(last.author, view.people)}" if last
                else "no check-in yet"),
        html.Td(percent(kr.score) if kr.score is not None else ""),
    ], className="okr-kr-row", **{"data-kr": str(kr.id)})


def _objective(o: ObjectiveView, closed: bool, view: QuarterView) -> html.Div:
    head = html.Div([
        html.Div([html.Span(f"{o.level} · {o.scope_name}", className="okr-level"), html.H3(o.title),
                  html.Span(f"owner {o.owner}", className="hint")]),
        html.Div([progress_bar(o.progress, o.key_results[0].expected if o.key_results else 0.0, o.status),
                  okr_badge(o.status)], className="okr-objective-status"),
    ], className="okr-objective-head")
    rows = [_kr_row(k, view) for k in o.key_results]
    heads = ["Key result", "Now", "Progress (tick: expected today)", "Status", "Confidence", "Last check-in",
             "Score" if closed else ""]
    body = html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
                      className="grid okr-krs") if rows else html.P("No key results yet.", className="empty")
    warnings = [html.P(f"! {w}", className="form-error") for w in o.warnings]
    return html.Div([head, *warnings, body], className=f"okr-objective depth-{min(o.depth, 3)}",
                    id=f"objective-{o.id}")


def render_summary(view: QuarterView, config: PlantConfig) -> list[Any]:
    """The quarter in one line: where the date is, how many key results stand where, what the meeting needs."""
    krs = view.key_results
    counts = {s: sum(1 for k in krs if k.status is s) for s in KrStatus}
    weeks = len(view.weeks)
    state = (f"closed by {person_name(view.closed_by, view.people)} on {format_time(view.closed_at, config.tz)}"
             if view.closed_at else
             f"week {weeks} of the quarter ({period_label(config, view.week, view.today)}), "
             f"{percent(view.expected)} of the quarter gone")
    return [html.H1(f"OKRs {period_label(config, view.quarter)}"),
            html.P(f"{state} · {plural(len(view.objectives), 'objective')} · {plural(len(krs), 'key result')}: "
                   f"{counts[KrStatus.ON_TRACK]} on track, {counts[KrStatus.NEEDS_ATTENTION]} need attention, "
                   f"{counts[KrStatus.OFF_TRACK]} off track, {counts[KrStatus.NO_DATA]} without data · "
                   f"{len(view.meeting.missing)} without a check-in this week.", className="review-summary")]


def render_meeting(view: QuarterView) -> list[Any]:
    """What this week's meeting talks about: missing check-ins, confidence against progress, blocks."""
    m = view.meeting

    def week(k: KeyResultView) -> str:
        return _week(k.latest.week, view.today) if k.latest else ""

    def items(krs: list[KeyResultView], text: Any, empty: str) -> Any:
        if not krs:
            return html.P(empty, className="empty")
        return html.Ul([html.Li([html.Strong(k.title), " ", okr_badge(k.status), " ", text(k)]) for k in krs])

    return [html.H2(f"This week's meeting, {_week(m.week, view.today)}"), html.Div([
        html.Div([html.H3(f"Not checked in this week ({len(m.missing)})"),
                  items(m.missing,
                        lambda k: f"owner {k.owner}" + (f", last {week(k)}" if k.latest else ""),
                        "The quarter is closed." if view.closed else
                        "Every key result has this week's check-in." if view.key_results else
                        "No key results yet: there is nothing to check in.")]),
        html.Div([html.H3(f"Confidence and progress disagree ({len(m.disagreements)})"),
                  items(m.disagreements, lambda k: k.disagreement, "None.")]),
        html.Div([html.H3(f"Blocked ({len(m.blocked)})"),
                  items(m.blocked, lambda k: f"{week(k)}: {k.latest.blocks}" if k.latest else "",
                        "Nothing.")]),
    ], className="okr-meeting")]


def render_objectives(view: QuarterView) -> list[Any]:
    """The cascade: each objective with its key results, indented by level."""
    if not view.objectives:
        return [html.H2("Objectives"), html.P(f"No objectives for {period_label(None, view.quarter)} here yet. "
                                              "Editors plan them "
                                              "below.", className="empty")]
    return [html.H2("Objectives, company → plant → area and line"),
            html.P("Progress = (now − start) / (target − start); the tick marks what the date in the quarter expects. "
                   "An objective stands where its weakest key result stands; its progress is the weighted mean.",
                   className="hint"),
            *[_objective(o, view.closed, view) for o in view.objectives]]


def checkin_rows(view: QuarterView, editable: bool) -> list[Any]:
    """One row per key result: value (the bound KPI's, or prefilled with the last), confidence, what moved, what
    blocks, and a save button; each row remembers how many check-ins it saw."""
    if view.closed:
        return [html.P(f"{view.quarter.label} is closed: it takes no more check-ins.", className="empty")]
    if not view.key_results:
        return [html.P("No key results to check in on.", className="empty")]
    if not editable:  # the server refuses a viewer's save anyway; the rows would only take the screen
        return [html.P("Sign in as an editor to check in. The key results and their latest check-ins are below.",
                       className="hint")]
    rows = []
    for o in view.objectives:
        for k in o.key_results:
            key = {"kr": k.id}
            bound = bool(k.kpi)
            rows.append(html.Div([
                html.Div([html.Strong(k.title), html.Div(f"{o.title} · {k.rule}", className="bt"),
                          html.Div(f"now {format_value(k.current, k.unit)} · " + (
                              f"this week: {person_name(k.this_week.author, view.people)}" if k.this_week
                              else "not checked in this week"),
                                   className="bt")], className="okr-ci-what"),
                html.Label([("From the KPI at save time" if bound else "Done? 1 = yes, 0 = not yet"
                             if k.kind == "milestone" else "Value") + (f" ({k.unit})" if k.unit else ""),
                            dcc.Input(id={"type": ids.OKR_CI_VALUE, **key}, type="number",
                                      value=None if k.prefill is None else round(k.prefill, 2),
                                      disabled=bound)],
                           className="manual-field"),
                html.Label(["Confidence 0–10",
                            dcc.Input(id={"type": ids.OKR_CI_CONFIDENCE, **key}, type="number", min=0, max=10,
                                      step=1, value=k.confidence)], className="manual-field"),
                html.Label(["What moved", dcc.Textarea(id={"type": ids.OKR_CI_MOVED, **key},
                                                       maxLength=1000)], className="manual-field wide"),
                html.Label(["What blocks", dcc.Textarea(id={"type": ids.OKR_CI_BLOCKS, **key},
                                                        maxLength=1000)], className="manual-field wide"),
                dcc.Store(id={"type": ids.OKR_CI_SEEN, **key}, data=k.checkins),
                html.Button("Save", id={"type": ids.OKR_CI_SAVE, **key}, className="primary okr-ci-save"),
                html.Div(id={"type": ids.OKR_CI_MESSAGE, **key}, className="form-message", role="status"),
            ], className="okr-ci-row", **{"data-kr": str(k.id)}))
    return rows


def history_figure(kr: KeyResultView) -> go.Figure:
    """Value per week against the straight path from start to target, with confidence beside it."""
    weeks = [_week(p.week) for p in kr.history]
    fig = go.Figure()
    fig.add_bar(x=weeks, y=[p.confidence for p in kr.history], name="confidence (0–10, right)", yaxis="y2",
                width=0.35, marker_color="rgba(91,107,122,0.30)",
                text=[p.confidence for p in kr.history], textposition="inside",
                hovertemplate="%{x}: confidence %{y}/10<extra></extra>")
    if any(p.path is not None for p in kr.history):
        fig.add_scatter(x=weeks, y=[p.path for p in kr.history], mode="lines", name="straight path to the target",
                        line={"color": "#5b6b7a", "dash": "dot"})
    fig.add_scatter(x=weeks, y=[p.value for p in kr.history], mode="lines+markers",
                    name="KPI value" if kr.kpi else "checked in",
                    line={"color": "#1f4e79", "width": 3}, connectgaps=True)
    if kr.kind != "milestone":
        fig.add_hline(y=kr.target, line={"color": "#1e7b34", "dash": "dash"},
                      annotation_text=plot_text(f"target {format_value(kr.target, kr.unit)}"))
    if kr.kpi and kr.current is not None and weeks:
        fig.add_scatter(x=[weeks[-1]], y=[kr.current], mode="markers", name="KPI now",
                        marker={"symbol": "star", "size": 14, "color": "#b3141c"})
    fig.update_layout(template="plotly_white", height=320, margin={"l": 50, "r": 50, "t": 20, "b": 40},
                      legend={"orientation": "h", "y": -0.2},
                      yaxis={"title": plot_text(kr.unit or "value")},
                      yaxis2={"overlaying": "y", "side": "right", "range": [0, 10.5], "title": "confidence",
                              "showgrid": False, "tickmode": "linear", "tick0": 0, "dtick": 2})
    return fig


def render_history(kr: KeyResultView, config: PlantConfig, people: dict[str, str] | None = None) -> list[Any]:
    """A key result's chart and every saved check-in, corrections included."""
    tz = config.tz
    rows = [html.Tr([html.Td(_week(v.week)), html.Td(format_value(v.value, kr.unit)),
                     html.Td(f"{v.confidence}/10 {v.band}"), html.Td(v.moved), html.Td(v.blocks),
                     html.Td(person_name(v.author, people or {})), html.Td(format_time(v.at, tz)),
                     html.Td("corrected later" if v.replaced else ("correction" if v.replaces_id else "current"))],
                    className="replaced" if v.replaced else None)
            for v in kr.versions]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Week", "Value", "Confidence", "What moved", "What blocks",
                                                      "By", "Saved", "Version")]))
    return [html.P([html.Strong(kr.title), f" · {kr.rule} · now {format_value(kr.current, kr.unit)} "
                    f"({kr.source}) · progress {percent(kr.progress)} against {percent(kr.expected)} expected · ",
                    okr_badge(kr.status)]),
            dcc.Graph(figure=history_figure(kr), config={"displayModeBar": False}, className="okr-history-chart"),
            html.Table([head, html.Tbody(rows)], className="grid okr-versions") if rows
            else html.P("No check-ins yet.", className="empty")]


def render_closing(view: QuarterView, config: PlantConfig, candidates: list[Any], editable: bool,
            candidate_scope: str) -> list[Any]:
    """Scores at the close, baseline proposals for bound key results, and next quarter's candidates."""
    title = f"Closing {period_label(config, view.quarter)}"
    next_quarter = period_label(config, period_containing("quarter", view.quarter.last + timedelta(days=1)))
    if view.closed:
        lead = html.P(f"Closed by {person_name(view.closed_by, view.people)} on "
                      f"{format_time(view.closed_at, config.tz)}. Scores are progress "
                      "held to 0–1.", className="hint")
    else:
        lead = html.P(f"Each key result is scored 0–1 (progress held to that range). Scores if "
                      f"{period_label(config, view.quarter)} closed today are shown below; it can be closed from "
                      f"{format_day(view.closes_from, view.today)}.",
                      className="hint")
    scores = [html.Tr([html.Td(k.title), html.Td(format_value(k.final_value if view.closed else k.current, k.unit)),
                       html.Td(percent(k.progress)),
                       html.Td(f"{(k.score if k.score is not None else max(0.0, min(1.0, k.progress or 0))):.2f}")])
              for k in view.key_results]
    proposals = []
    for p in view.proposals:
        kdef = config.kpis[p.kpi]
        now = (f"now {format_value(p.current.value, kdef.unit)} from {p.current.source}" if p.current
               else "none recorded")
        button: Any = (html.Span("adopted", className="badge status-green") if p.adopted else
                       html.Button("Adopt as baseline", id={"type": ids.OKR_ADOPT, "kr": p.key_result_id},
                                   className="primary", disabled=not (editable and view.closed)))
        proposals.append(html.Li([f"{kdef.name} at {config.scope_name(p.scope)} reached "
                                  f"{format_value(p.value, kdef.unit)}; baseline {now}. ", button,
                                  html.Span(id={"type": ids.OKR_ADOPT_MESSAGE, "kr": p.key_result_id},
                                            className="form-message")]))
    return [
        html.H2(title), lead,
        html.Table([html.Thead(html.Tr([html.Th(h) for h in ("Key result", "Value", "Progress", "Score")])),
                    html.Tbody(scores)], className="grid") if scores else None,
        html.H3("New baselines from bound key results"),
        html.Ul(proposals) if proposals else html.P("Shown in the quarter's last two weeks and after its close, for "
                                                    "key results bound to a KPI.", className="empty"),
        html.H3("Candidates for next quarter's objectives: KPIs red three months running"),
        html.P(f"At {config.scope_name(candidate_scope)}, up to last month.", className="hint"),
        html.Ul([html.Li([status_badge("red"), f" {c.kpi.name}: red {c.red_months} months running, last month "
                          f"{format_value(c.latest.value, c.kpi.unit)} against "
                          f"{format_value(c.latest.target, c.kpi.unit)}. ",
                          html.Button(f"Plan it for {next_quarter}", id={"type": ids.OKR_DRAFT, "kpi": c.kpi.key,
                                                                         "scope": candidate_scope},
                                      className="primary", disabled=not editable)])
                 for c in candidates]) if candidates else html.P("None.", className="empty"),
    ]


def scope_choices(config: PlantConfig) -> list[dict[str, str]]:
    """Whose objectives to show: every level, the company, the plant, each area and line."""
    return [{"label": "Every level", "value": EVERY_LEVEL}, {"label": config.company, "value": COMPANY},
            *scope_options(config)]


def level_options(config: PlantConfig) -> list[dict[str, str]]:
    """The levels an objective can belong to: the company, the plant, each area and line."""
    return [o for o in scope_choices(config) if o["value"] != EVERY_LEVEL]


def kpi_options(config: PlantConfig, typed: str | None = None) -> list[dict[str, str]]:
    """The KPIs a key result can be bound to, with unit and direction, by name; with the text typed so far, the KPI
    of that very name first, then the names starting with it, then those containing it, then the rest (so "OEE"
    binds OEE, not Quality (OEE))."""
    text = (typed or "").strip().casefold()

    def order(k: KpiDef) -> tuple[int, str]:
        name = k.name.casefold()
        if not text:
            return 0, name
        return (0 if name == text else 1 if name.startswith(text) else 2 if text in name else 3), name

    return [{"label": f"{k.name} ({k.unit or 'value'}, better {k.direction})", "value": k.key}
            for k in sorted(config.kpis.values(), key=order)]


def quarter_options(quarters: list[str]) -> list[dict[str, str]]:
    """The quarter picker's options."""
    return [{"label": period_id_words(None, q), "value": q} for q in quarters]


def week_options(view: QuarterView) -> list[dict[str, str]]:
    """The quarter's weeks, newest first, this week marked."""
    return [{"label": period_label(None, w, view.today) + (" (this week)" if w == view.week else ""),
             "value": w.label}
            for w in reversed(view.weeks)]


def history_options(view: QuarterView) -> list[dict[str, Any]]:
    """Every key result of the quarter, with the level of its objective."""
    return [{"label": f"{k.title} ({o.scope_name})", "value": k.id} for o in view.objectives for k in o.key_results]


def objective_options(view: QuarterView) -> list[dict[str, Any]]:
    """The quarter's objectives, indented by level."""
    return [{"label": f"{'  ' * o.depth}{o.title} ({o.scope_name})", "value": o.id} for o in view.objectives]


def checkin_exports(quarter: str) -> list[Any]:
    """Links to the quarter's check-ins as CSV and as a workbook."""
    return [html.Span("Check-ins:", className="field-label"),
            html.A("CSV", href=api_href("okr/checkins.csv", quarter=quarter), className="export-link"),
            html.A("Excel", href=api_href("okr/checkins.xlsx", quarter=quarter), className="export-link")]


def okr_problem(message: str) -> list[Any]:
    """What the page says instead when its address cannot be shown."""
    return [html.H1("These OKRs cannot be shown"), html.P(message, className="form-error")]


def refusal(message: str) -> html.Span:
    """A save, close or plan the server refused, and why."""
    return html.Span(message, className="form-error")


def checkin_saved(saved: Any, tz: tzinfo) -> str:
    """What a saved check-in (or its correction) says: value, confidence, who and when."""
    kind = "correction of this week's check-in" if saved.replaces_id else "check-in"
    return (f"Saved {_week(saved.week)} {kind}: {format_value(saved.value, saved.unit)} at confidence "
            f"{saved.confidence}/10 ({saved.band}), by {person_name(saved.author, {})} at {format_time(saved.at, tz)}")


def drafted(kpi_name: str, quarter: str) -> html.A:
    """A KPI planned as an objective of the next quarter, linked to it."""
    return html.A(f"{kpi_name} planned as an objective of {period_id_words(None, quarter)}: open it",
                  href=okr_href(quarter))


def pick_a_key_result() -> html.P:
    """The history's place before a key result is picked."""
    return html.P("Pick a key result.", className="empty")
