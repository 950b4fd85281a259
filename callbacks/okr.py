"""Wiring of the OKR page: which quarter and scope, the quarter laid out from its read model (``dashboard.okrs``),
the weekly check-in rows, a key result's history, closing the quarter and adopting baselines, and the planning
forms. Every write goes through ``services.okr_check_ins`` or ``services.okr_plans``, which check the caller's role
themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.format import format_time, format_value
from huddle.dashboard.core.okr_scoring import KrStatus, OkrError
from huddle.dashboard.core.periods import period_containing
from huddle.dashboard.services.accounts import ForbiddenError
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.okrs import COMPANY, KeyResultView, ObjectiveView, OkrConflictError, QuarterView
from huddle.dashboard.services.review import candidate_kpis
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import OkrAddress, keep_address_js
from huddle.dashboard.web.security import current_identity
from huddle.pages.components import scope_options, status_badge

STATUS_CLASS = {KrStatus.ON_TRACK: "green", KrStatus.NEEDS_ATTENTION: "amber", KrStatus.OFF_TRACK: "red",
                KrStatus.NO_DATA: "grey"}
STATUS_ICON = {KrStatus.ON_TRACK: "●", KrStatus.NEEDS_ATTENTION: "▲", KrStatus.OFF_TRACK: "✖",
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


def _kr_row(kr: KeyResultView) -> html.Tr:
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
        html.Td(f"{last.week} · {last.author}" if last else "no check-in yet"),
        html.Td(percent(kr.score) if kr.score is not None else ""),
    ], className="okr-kr-row", **{"data-kr": str(kr.id)})


def _objective(o: ObjectiveView, closed: bool) -> html.Div:
    head = html.Div([
        html.Div([html.Span(f"{o.level} · {o.scope_name}", className="okr-level"), html.H3(o.title),
                  html.Span(f"owner {o.owner}", className="hint")]),
        html.Div([progress_bar(o.progress, o.key_results[0].expected if o.key_results else 0.0, o.status),
                  okr_badge(o.status)], className="okr-objective-status"),
    ], className="okr-objective-head")
    rows = [_kr_row(k) for k in o.key_results]
    heads = ["Key result", "Now", "Progress (tick: expected today)", "Status", "Confidence", "Last check-in",
             "Score" if closed else ""]
    body = html.Table([html.Thead(html.Tr([html.Th(h) for h in heads])), html.Tbody(rows)],
                      className="grid okr-krs") if rows else html.P("No key results yet.", className="empty")
    warnings = [html.P(f"! {w}", className="form-error") for w in o.warnings]
    return html.Div([head, *warnings, body], className=f"okr-objective depth-{min(o.depth, 3)}",
                    id=f"objective-{o.id}")


def summary(view: QuarterView, services: Services) -> list[Any]:
    """The quarter in one line: where the date is, how many key results stand where, what the meeting needs."""
    krs = view.key_results
    counts = {s: sum(1 for k in krs if k.status is s) for s in KrStatus}
    weeks = len(view.weeks)
    state = (f"closed by {view.closed_by} on {format_time(view.closed_at, services.config.tz)}" if view.closed_at
             else f"week {weeks} ({view.week.label}), {percent(view.expected)} of the quarter gone")
    return [html.H1(f"OKRs {view.quarter.label}"),
            html.P(f"{state} · {len(view.objectives)} objectives · {len(krs)} key results: "
                   f"{counts[KrStatus.ON_TRACK]} on track, {counts[KrStatus.NEEDS_ATTENTION]} need attention, "
                   f"{counts[KrStatus.OFF_TRACK]} off track, {counts[KrStatus.NO_DATA]} without data · "
                   f"{len(view.meeting.missing)} without a check-in this week.", className="review-summary")]


def meeting(view: QuarterView) -> list[Any]:
    """What this week's meeting talks about: missing check-ins, confidence against progress, blocks."""
    m = view.meeting

    def items(krs: list[KeyResultView], text: Any, empty: str) -> Any:
        if not krs:
            return html.P(empty, className="empty")
        return html.Ul([html.Li([html.Strong(k.title), " ", okr_badge(k.status), " ", text(k)]) for k in krs])

    return [html.H2(f"This week's meeting, {m.week}"), html.Div([
        html.Div([html.H3(f"Not checked in this week ({len(m.missing)})"),
                  items(m.missing, lambda k: f"owner {k.owner}" + (f", last {k.latest.week}" if k.latest else ""),
                        "The quarter is closed." if view.closed else "Every key result has this week's check-in.")]),
        html.Div([html.H3(f"Confidence and progress disagree ({len(m.disagreements)})"),
                  items(m.disagreements, lambda k: k.disagreement, "None.")]),
        html.Div([html.H3(f"Blocked ({len(m.blocked)})"),
                  items(m.blocked, lambda k: f"{k.latest.week}: {k.latest.blocks}" if k.latest else "", "Nothing.")]),
    ], className="okr-meeting")]


def objectives(view: QuarterView) -> list[Any]:
    """The cascade: each objective with its key results, indented by level."""
    if not view.objectives:
        return [html.H2("Objectives"), html.P(f"No objectives for {view.quarter.label} here yet. Editors plan them "
                                              "below.", className="empty")]
    return [html.H2("Objectives, company → plant → area and line"),
            html.P("Progress = (now − start) / (target − start); the tick marks what the date in the quarter expects. "
                   "An objective stands where its weakest key result stands; its progress is the weighted mean.",
                   className="hint"),
            *[_objective(o, view.closed) for o in view.objectives]]


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
                              f"this week: {k.this_week.author}" if k.this_week else "not checked in this week"),
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
    weeks = [p.week for p in kr.history]
    fig = go.Figure()
    fig.add_bar(x=weeks, y=[p.confidence for p in kr.history], name="confidence (0–10, right)", yaxis="y2",
                width=0.35, marker_color="rgba(91,107,122,0.30)",
                text=[p.confidence for p in kr.history], textposition="inside",
                hovertemplate="%{x}: confidence %{y}/10<extra></extra>")
    if any(p.path is not None for p in kr.history):
        fig.add_scatter(x=weeks, y=[p.path for p in kr.history], mode="lines", name="straight path to the target",
                        line={"color": "#5b6b7a", "dash": "dot"})
    fig.add_scatter(x=weeks, y=[p.value for p in kr.history], mode="lines+markers", name="checked in",
                    line={"color": "#1f4e79", "width": 3}, connectgaps=True)
    if kr.kind != "milestone":
        fig.add_hline(y=kr.target, line={"color": "#1e7b34", "dash": "dash"},
                      annotation_text=f"target {format_value(kr.target, kr.unit)}")
    if kr.kpi and kr.current is not None and weeks:
        fig.add_scatter(x=[weeks[-1]], y=[kr.current], mode="markers", name="KPI now",
                        marker={"symbol": "star", "size": 14, "color": "#b3141c"})
    fig.update_layout(template="plotly_white", height=320, margin={"l": 50, "r": 50, "t": 20, "b": 40},
                      legend={"orientation": "h", "y": -0.2},
                      yaxis={"title": kr.unit or "value"},
                      yaxis2={"overlaying": "y", "side": "right", "range": [0, 10.5], "title": "confidence",
                              "showgrid": False, "tickmode": "linear", "tick0": 0, "dtick": 2})
    return fig


def history(kr: KeyResultView, services: Services) -> list[Any]:
    """A key result's chart and every saved check-in, corrections included."""
    tz = services.config.tz
    rows = [html.Tr([html.Td(v.week), html.Td(format_value(v.value, kr.unit)), html.Td(f"{v.confidence}/10 {v.band}"),
                     html.Td(v.moved), html.Td(v.blocks), html.Td(v.author), html.Td(format_time(v.at, tz)),
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


def closing(view: QuarterView, services: Services, candidates: list[Any], editable: bool,
            candidate_scope: str) -> list[Any]:
    """Scores at the close, baseline proposals for bound key results, and next quarter's candidates."""
    config = services.config
    title = f"Closing {view.quarter.label}"
    next_quarter = period_containing("quarter", view.quarter.last + timedelta(days=1)).label
    if view.closed:
        lead = html.P(f"Closed by {view.closed_by} on {format_time(view.closed_at, config.tz)}. Scores are progress "
                      "held to 0–1.", className="hint")
    else:
        lead = html.P(f"Each key result is scored 0–1 (progress held to that range). Scores if {view.quarter.label} "
                      f"closed today are shown below; it can be closed from {view.closes_from.isoformat()}.",
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


def _scope_choices(services: Services) -> list[dict[str, str]]:
    return [{"label": "Every level", "value": "all"}, {"label": services.config.company, "value": COMPANY},
            *scope_options(services.config)]


def register(app: Dash, services: Services) -> None:
    """Wire the OKR page."""

    def resolve(view: dict[str, Any]) -> tuple[str, str | None]:
        quarter = view.get("quarter") or services.okrs.current_quarter().label
        services.okrs.parse_quarter(quarter)
        scope = view.get("scope") or None
        if scope and scope != "all":
            services.okrs.level_of(scope)
        return quarter, (None if scope in (None, "all") else scope)

    def read(view: dict[str, Any]) -> QuarterView:
        quarter, scope = resolve(view)
        return services.okrs.quarter(quarter, scope)

    @app.callback(Output(ids.OKR_QUARTER, "options"), Output(ids.OKR_QUARTER, "value"),
                  Output(ids.OKR_SCOPE, "options"), Output(ids.OKR_SCOPE, "value"),
                  Output(ids.OKR_OBJ_SCOPE, "options"), Output(ids.OKR_KR_KPI_SCOPE, "options"),
                  Output(ids.OKR_KR_KPI, "options"), Output(ids.OKR_PLAN, "style"), Input(ids.OKR_VIEW, "data"))
    def controls(view: dict[str, Any]) -> tuple[Any, ...]:
        quarters = services.okrs.quarters()
        try:
            quarter, scope = resolve(view)
        except OkrError:
            quarter, scope = None, None
        if quarter and quarter not in quarters:
            quarters = sorted({*quarters, quarter}, reverse=True)
        levels = [o for o in _scope_choices(services) if o["value"] != "all"]
        kpis = [{"label": f"{k.name} ({k.unit or 'value'}, better {k.direction})", "value": k.key}
                for k in services.config.kpis.values()]
        planner = current_identity().may("editor")  # the server checks every save; viewers need no forms
        return ([{"label": q, "value": q} for q in quarters], quarter, _scope_choices(services), scope or "all",
                levels, scope_options(services.config), kpis, None if planner else {"display": "none"})

    @app.callback(Output(ids.OKR_VIEW, "data"), Input(ids.OKR_QUARTER, "value"), Input(ids.OKR_SCOPE, "value"),
                  State(ids.OKR_VIEW, "data"), prevent_initial_call=True)
    def choose(quarter: str | None, scope: str | None, view: dict[str, Any]) -> dict[str, Any]:
        if not quarter or not scope:
            raise PreventUpdate
        try:
            current = resolve(view)
        except OkrError:
            current = None
        if current is not None and (quarter, scope) == (current[0], current[1] or "all"):
            raise PreventUpdate  # the controls only echoed the view they were set from
        return {"quarter": quarter, "scope": "" if scope == "all" else scope}

    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        keep_address_js(OkrAddress),
        Output(ids.OKR_EXPORTS, "title"), Input(ids.OKR_VIEW, "data"))

    @app.callback(Output(ids.OKR_SUMMARY, "children"), Output(ids.OKR_MEETING, "children"),
                  Output(ids.OKR_OBJECTIVES, "children"), Output(ids.OKR_CLOSE, "children"),
                  Output(ids.OKR_EXPORTS, "children"), Output(ids.OKR_HISTORY_PICK, "options"),
                  Output(ids.OKR_HISTORY_PICK, "value"), Output(ids.OKR_VERSION, "data"),
                  Output(ids.OKR_CLOSE_BUTTON, "disabled"), Output(ids.OKR_SECTIONS, "style"),
                  Input(ids.OKR_VIEW, "data"), Input(ids.OKR_CHANGED, "data"), Input(ids.OKR_REFRESH, "n_intervals"),
                  State(ids.OKR_HISTORY_PICK, "value"), State(ids.OKR_VERSION, "data"))
    def show(view: dict[str, Any], _changed: int, _tick: int | None, picked: int | None,
             drawn: int | None) -> tuple[Any, ...]:
        version = services.kpis.data_version()
        if ctx.triggered_id == ids.OKR_REFRESH and drawn == version:
            raise PreventUpdate  # nothing saved or loaded since the last drawing
        try:
            quarter_view = read(view)
        except OkrError as exc:
            return ([html.H1("These OKRs cannot be shown"), html.P(str(exc), className="form-error")], None, None,
                    None, None, [], None, version, True, {"display": "none"})
        _quarter, scope = resolve(view)
        latest_month = period_containing("month", quarter_view.today.replace(day=1) - timedelta(days=1))
        candidate_scope = scope if scope not in (None, COMPANY) else "plant"
        candidates = candidate_kpis(services, candidate_scope, latest_month)
        editable = current_identity().may("editor")
        krs = quarter_view.key_results
        options = [{"label": f"{k.title} ({o.scope_name})", "value": k.id}
                   for o in quarter_view.objectives for k in o.key_results]
        if picked not in {k.id for k in krs}:
            worst = [k for k in krs if k.status is KrStatus.OFF_TRACK and k.kpi]
            picked = (worst or krs)[0].id if krs else None
        query = urlencode({"quarter": quarter_view.quarter.label})
        exports = [html.Span("Check-ins:", className="field-label"),
                   html.A("CSV", href=f"/api/v1/okr/checkins.csv?{query}", className="export-link"),
                   html.A("Excel", href=f"/api/v1/okr/checkins.xlsx?{query}", className="export-link")]
        return (summary(quarter_view, services), meeting(quarter_view), objectives(quarter_view),
                closing(quarter_view, services, candidates, editable, candidate_scope), exports, options, picked,
                version, not editable or quarter_view.closed or quarter_view.today < quarter_view.closes_from, None)

    @app.callback(Output(ids.OKR_CHECKIN_WEEK, "options"), Output(ids.OKR_CHECKIN_WEEK, "value"),
                  Output(ids.OKR_CHECKIN_ROWS, "children"), Input(ids.OKR_VIEW, "data"))
    def checkin_form(view: dict[str, Any]) -> tuple[Any, ...]:
        try:
            quarter_view = read(view)
        except OkrError:
            return [], None, None
        weeks = [{"label": w.label + (" (this week)" if w == quarter_view.week else ""), "value": w.label}
                 for w in reversed(quarter_view.weeks)]
        return weeks, quarter_view.week.label, checkin_rows(quarter_view, current_identity().may("editor"))

    @app.callback(
        Output({"type": ids.OKR_CI_MESSAGE, "kr": ALL}, "children"),
        Output({"type": ids.OKR_CI_SEEN, "kr": ALL}, "data"),
        Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
        Input({"type": ids.OKR_CI_SAVE, "kr": ALL}, "n_clicks"),
        State({"type": ids.OKR_CI_VALUE, "kr": ALL}, "value"),
        State({"type": ids.OKR_CI_CONFIDENCE, "kr": ALL}, "value"),
        State({"type": ids.OKR_CI_MOVED, "kr": ALL}, "value"),
        State({"type": ids.OKR_CI_BLOCKS, "kr": ALL}, "value"),
        State({"type": ids.OKR_CI_SEEN, "kr": ALL}, "data"),
        State(ids.OKR_CHECKIN_WEEK, "value"), State(ids.OKR_CHANGED, "data"), prevent_initial_call=True)
    def check_in(clicks: list[int | None], values: list[Any], confidences: list[Any], moved: list[Any],
                 blocks: list[Any], seen: list[int], week: str | None, changed: int | None) -> tuple[Any, ...]:
        trigger = ctx.triggered_id
        if not trigger or not any(clicks):
            raise PreventUpdate
        order = [s["id"]["kr"] for s in ctx.states_list[0]]
        i = order.index(trigger["kr"])
        messages: list[Any] = [no_update] * len(order)
        counts: list[Any] = [no_update] * len(order)
        try:
            saved = services.okr_check_ins.check_in(
                current_identity(), int(trigger["kr"]), int(seen[i] or 0), value=values[i],
                confidence=confidences[i], moved=moved[i] or "", blocks=blocks[i] or "", week=week)
        except OkrError as exc:
            messages[i] = html.Span(f"Not saved: {exc}", className="form-error")
            if isinstance(exc, OkrConflictError):
                counts[i] = exc.seen  # the next save is made knowing what is there now
            return messages, counts, no_update
        except ForbiddenError as exc:
            messages[i] = html.Span(f"Not saved: {exc}", className="form-error")
            return messages, counts, no_update
        kind = "correction of this week's check-in" if saved.replaces_id else "check-in"
        messages[i] = (f"Saved {saved.week} {kind}: {format_value(saved.value, saved.unit)} at confidence "
                       f"{saved.confidence}/10 ({saved.band}), by {saved.author} at "
                       f"{format_time(saved.at, services.config.tz)}")
        counts[i] = int(seen[i] or 0) + 1
        return messages, counts, (changed or 0) + 1

    @app.callback(Output(ids.OKR_HISTORY_PICK, "value", allow_duplicate=True),
                  Input({"type": ids.OKR_KR_LINK, "kr": ALL}, "n_clicks"), prevent_initial_call=True)
    def pick_from_table(clicks: list[int | None]) -> Any:
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate
        return ctx.triggered_id["kr"]

    @app.callback(Output(ids.OKR_HISTORY, "children"), Input(ids.OKR_HISTORY_PICK, "value"),
                  Input(ids.OKR_CHANGED, "data"), State(ids.OKR_VIEW, "data"))
    def show_history(kr_id: int | None, _changed: int, view: dict[str, Any]) -> Any:
        if kr_id is None:
            return html.P("Pick a key result.", className="empty")
        try:
            quarter_view = services.okrs.quarter(resolve(view)[0])
        except OkrError:
            return None
        kr = next((k for k in quarter_view.key_results if k.id == kr_id), None)
        return history(kr, services) if kr else html.P("Pick a key result.", className="empty")

    @app.callback(Output(ids.OKR_CLOSE_MESSAGE, "children"), Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                  Input(ids.OKR_CLOSE_BUTTON, "n_clicks"), State(ids.OKR_VIEW, "data"),
                  State(ids.OKR_CHANGED, "data"), prevent_initial_call=True)
    def close(_n: int, view: dict[str, Any], changed: int | None) -> tuple[Any, Any]:
        try:
            quarter = resolve(view)[0]
            scored = services.okr_plans.close_quarter(current_identity(), quarter)
        except (OkrError, ForbiddenError) as exc:
            return html.Span(f"Not closed: {exc}", className="form-error"), no_update
        return f"Closed {quarter}: {scored} key results scored.", (changed or 0) + 1

    @app.callback(Output({"type": ids.OKR_ADOPT_MESSAGE, "kr": ALL}, "children"),
                  Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                  Input({"type": ids.OKR_ADOPT, "kr": ALL}, "n_clicks"), State(ids.OKR_CHANGED, "data"),
                  prevent_initial_call=True)
    def adopt(clicks: list[int | None], changed: int | None) -> tuple[Any, Any]:
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate
        order = [o["id"]["kr"] for o in ctx.outputs_list[0]]
        messages: list[Any] = [no_update] * len(order)
        i = order.index(ctx.triggered_id["kr"])
        try:
            baseline = services.okr_plans.adopt_baseline(current_identity(), int(ctx.triggered_id["kr"]))
        except (OkrError, ForbiddenError) as exc:
            messages[i] = html.Span(f" Not adopted: {exc}", className="form-error")
            return messages, no_update
        messages[i] = f" Adopted {format_value(baseline.value)} as of {baseline.on.isoformat()}."
        return messages, (changed or 0) + 1

    @app.callback(Output(ids.OKR_CLOSE_MESSAGE, "children", allow_duplicate=True),
                  Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                  Input({"type": ids.OKR_DRAFT, "kpi": ALL, "scope": ALL}, "n_clicks"), State(ids.OKR_VIEW, "data"),
                  State(ids.OKR_CHANGED, "data"), prevent_initial_call=True)
    def draft(clicks: list[int | None], view: dict[str, Any], changed: int | None) -> tuple[Any, Any]:
        # the message goes below the section, which redraws after the save
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate
        following = period_containing("quarter", services.okrs.parse_quarter(resolve(view)[0]).last + timedelta(days=1))
        try:
            services.okr_plans.draft_from_kpi(current_identity(), following.label, ctx.triggered_id["scope"],
                                              ctx.triggered_id["kpi"])
        except (OkrError, ForbiddenError) as exc:
            return html.Span(f"Not planned: {exc}", className="form-error"), no_update
        name = services.config.kpis[ctx.triggered_id["kpi"]].name
        return html.A(f"{name} planned as an objective of {following.label}: open it",
                      href=f"/okr?quarter={following.label}"), (changed or 0) + 1

    _register_planning(app, services)


def _register_planning(app: Dash, services: Services) -> None:
    """The objective and key-result forms: pick one to edit (or new), save with the version it was read at."""

    @app.callback(Output(ids.OKR_OBJ_PICK, "options"), Output(ids.OKR_OBJ_PICK, "value"),
                  Output(ids.OKR_OBJ_PARENT, "options"),
                  Output(ids.OKR_KR_OBJECTIVE, "options"), Output(ids.OKR_KR_OBJECTIVE, "value"),
                  Input(ids.OKR_VIEW, "data"), Input(ids.OKR_CHANGED, "data"), State(ids.OKR_OBJ_PICK, "value"),
                  State(ids.OKR_KR_OBJECTIVE, "value"))
    def objective_choices(view: dict[str, Any], _changed: int, editing: Any, chosen: int | None) -> tuple[Any, ...]:
        try:
            quarter_view = services.okrs.quarter(view.get("quarter") or None)
        except OkrError:
            return [], "new", [], [], None
        listed = [{"label": f"{'  ' * o.depth}{o.title} ({o.scope_name})", "value": o.id}
                  for o in quarter_view.objectives]
        known = {o["value"] for o in listed}
        if chosen not in known:
            chosen = listed[-1]["value"] if listed else None  # the newest: where a new key result most likely goes
        return ([{"label": "New objective", "value": "new"}, *listed], editing if editing in known else "new",
                listed, listed, chosen)

    @app.callback(Output(ids.OKR_OBJ_SCOPE, "value"), Output(ids.OKR_OBJ_PARENT, "value"),
                  Output(ids.OKR_OBJ_TITLE, "value"), Output(ids.OKR_OBJ_OWNER, "value"),
                  Output(ids.OKR_OBJ_VERSION, "data"), Input(ids.OKR_OBJ_PICK, "value"), State(ids.OKR_VIEW, "data"))
    def load_objective(picked: Any, view: dict[str, Any]) -> tuple[Any, ...]:
        if picked in (None, "new"):
            return "plant", None, "", "", None
        quarter_view = services.okrs.quarter(view.get("quarter") or None)
        o = next((o for o in quarter_view.objectives if o.id == picked), None)
        if o is None:
            raise PreventUpdate
        return o.scope, o.parent_id, o.title, o.owner, o.version

    @app.callback(Output(ids.OKR_OBJ_MESSAGE, "children"), Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                  Output(ids.OKR_OBJ_VERSION, "data", allow_duplicate=True),
                  Input(ids.OKR_OBJ_SAVE, "n_clicks"), State(ids.OKR_OBJ_PICK, "value"),
                  State(ids.OKR_OBJ_SCOPE, "value"), State(ids.OKR_OBJ_PARENT, "value"),
                  State(ids.OKR_OBJ_TITLE, "value"), State(ids.OKR_OBJ_OWNER, "value"),
                  State(ids.OKR_OBJ_VERSION, "data"), State(ids.OKR_VIEW, "data"), State(ids.OKR_CHANGED, "data"),
                  prevent_initial_call=True)
    def save_objective(_n: int, picked: Any, scope: str | None, parent: int | None, title: str | None,
                       owner: str | None, version: int | None, view: dict[str, Any],
                       changed: int | None) -> tuple[Any, ...]:
        quarter = view.get("quarter") or services.okrs.current_quarter().label
        editing = picked not in (None, "new")
        try:
            saved = services.okr_plans.save_objective(current_identity(), quarter, scope or "", title or "",
                                                      owner or "", parent_id=parent,
                                                      objective_id=picked if editing else None,
                                                      version=version if editing else None)
        except (OkrError, ForbiddenError) as exc:
            return html.Span(f"Not saved: {exc}", className="form-error"), no_update, no_update
        return (f"Saved objective {saved}: {title}", (changed or 0) + 1,
                (version or 0) + 1 if editing else no_update)

    @app.callback(Output(ids.OKR_KR_PICK, "options"), Output(ids.OKR_KR_PICK, "value"),
                  Input(ids.OKR_KR_OBJECTIVE, "value"), Input(ids.OKR_CHANGED, "data"), State(ids.OKR_VIEW, "data"),
                  State(ids.OKR_KR_PICK, "value"))
    def key_result_choices(objective_id: int | None, _changed: int, view: dict[str, Any],
                           picked: Any) -> tuple[Any, Any]:
        options: list[dict[str, Any]] = [{"label": "New key result", "value": "new"}]
        if objective_id is not None:
            try:
                quarter_view = services.okrs.quarter(view.get("quarter") or None)
            except OkrError:
                return options, "new"
            o = next((o for o in quarter_view.objectives if o.id == objective_id), None)
            options += [{"label": k.title, "value": k.id} for k in (o.key_results if o else [])]
        return options, picked if picked in {o["value"] for o in options} else "new"

    @app.callback(Output(ids.OKR_KR_TITLE, "value"), Output(ids.OKR_KR_KIND, "value"),
                  Output(ids.OKR_KR_START, "value"), Output(ids.OKR_KR_TARGET, "value"),
                  Output(ids.OKR_KR_UNIT, "value"), Output(ids.OKR_KR_WEIGHT, "value"),
                  Output(ids.OKR_KR_OWNER, "value"), Output(ids.OKR_KR_KPI, "value"),
                  Output(ids.OKR_KR_KPI_SCOPE, "value"), Output(ids.OKR_KR_WINDOW, "value"),
                  Output(ids.OKR_KR_VERSION, "data"), Input(ids.OKR_KR_PICK, "value"), State(ids.OKR_VIEW, "data"))
    def load_key_result(picked: Any, view: dict[str, Any]) -> tuple[Any, ...]:
        if picked in (None, "new"):
            return "", "increase", None, None, "", 1, "", None, None, "quarter", None
        kr = next((k for k in services.okrs.quarter(view.get("quarter") or None).key_results if k.id == picked), None)
        if kr is None:
            raise PreventUpdate
        return (kr.title, kr.kind, kr.start, kr.target, kr.unit, kr.weight, kr.owner, kr.kpi or None,
                kr.kpi_scope or None, kr.kpi_window, kr.version)

    @app.callback(Output(ids.OKR_KR_MESSAGE, "children"), Output(ids.OKR_CHANGED, "data", allow_duplicate=True),
                  Output(ids.OKR_KR_VERSION, "data", allow_duplicate=True),
                  Input(ids.OKR_KR_SAVE, "n_clicks"), State(ids.OKR_KR_OBJECTIVE, "value"),
                  State(ids.OKR_KR_PICK, "value"), State(ids.OKR_KR_TITLE, "value"), State(ids.OKR_KR_KIND, "value"),
                  State(ids.OKR_KR_START, "value"), State(ids.OKR_KR_TARGET, "value"),
                  State(ids.OKR_KR_UNIT, "value"), State(ids.OKR_KR_WEIGHT, "value"),
                  State(ids.OKR_KR_OWNER, "value"), State(ids.OKR_KR_KPI, "value"),
                  State(ids.OKR_KR_KPI_SCOPE, "value"), State(ids.OKR_KR_WINDOW, "value"),
                  State(ids.OKR_KR_VERSION, "data"), State(ids.OKR_CHANGED, "data"), prevent_initial_call=True)
    def save_key_result(_n: int, objective_id: int | None, picked: Any, title: str | None, kind: str,
                        start: float | None, target: float | None, unit: str | None, weight: float | None,
                        owner: str | None, kpi: str | None, kpi_scope: str | None, window: str,
                        version: int | None, changed: int | None) -> tuple[Any, ...]:
        editing = picked not in (None, "new")
        try:
            if objective_id is None:
                raise OkrError("choose the objective first")
            saved = services.okr_plans.save_key_result(
                current_identity(), int(objective_id), title=title or "", kind=kind, start=start, target=target,
                unit=unit or "", weight=weight or 0, owner=owner or "", kpi=kpi or "", kpi_scope=kpi_scope or "",
                kpi_window=window, key_result_id=picked if editing else None, version=version if editing else None)
        except (OkrError, ForbiddenError) as exc:
            return html.Span(f"Not saved: {exc}", className="form-error"), no_update, no_update
        return (f"Saved key result {saved}: {title}", (changed or 0) + 1,
                (version or 0) + 1 if editing else no_update)
