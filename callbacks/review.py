"""Wiring of the monthly review page: which scope and month, and the review laid out from its read model
(``dashboard.review``); the exports are links to the API, which builds them from the same read model."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from huddle.dashboard.core.format import format_time, format_value
from huddle.dashboard.core.periods import Period, PeriodError, PeriodRangeError, parse_asked_period, period_containing
from huddle.dashboard.core.plant import CATEGORY_NAMES
from huddle.dashboard.services.container import Services
from huddle.dashboard.services.review import Review, build_review, last_full_month, month_name
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import ReviewAddress, keep_address_js
from huddle.pages.components import pareto_figure, pareto_table, scope_options, status_badge, table
from plotly.subplots import make_subplots

LINE_COLOURS = ("#1f4e79", "#b3141c", "#1e7b34", "#9a6200", "#6b3fa0", "#00838f", "#5b6b7a", "#c26a00")


class ReviewRequestError(ValueError):
    """An address the review cannot show, with the reason."""


def resolve(services: Services, view: dict[str, Any]) -> tuple[str, Period]:
    """The scope and month an address asks for (defaults filled in), or a clear error."""
    config = services.config
    scope = view.get("scope") or "plant"
    try:
        config.scope_kind(scope)
    except KeyError:
        raise ReviewRequestError(f"There is no line or area {scope!r} in {config.site_name}.") from None
    now = services.clock()
    if not view.get("month"):
        return scope, last_full_month(config, now)
    try:
        month = parse_asked_period("month", str(view["month"]))
    except PeriodRangeError as exc:
        raise ReviewRequestError(f"There is no such month to review: {exc}.") from None
    except PeriodError as exc:
        raise ReviewRequestError(f"The month {view['month']!r} is not a month like 2026-10: {exc}") from None
    if month.first > now.astimezone(config.tz).date():
        raise ReviewRequestError(f"{month_name(month)} has not started yet.")
    return scope, month


def export_links(scope: str, month: Period) -> list[Any]:
    """Links to the printed pack, its HTML copy and the workbook of the numbers."""
    query = urlencode({"scope": scope, "month": month.label})
    return [html.Span("Export:", className="field-label"),
            html.A("PDF pack", href=f"/api/v1/review.pdf?{query}", className="export-link"),
            html.A("HTML copy", href=f"/api/v1/review.html?{query}", className="export-link"),
            html.A("Excel workbook", href=f"/api/v1/review.xlsx?{query}", className="export-link")]


def _short(month: Period) -> str:
    return month_name(month)[:3] + " " + str(month.first.year)[2:]


def _anchor(kpi: str, month_label: str) -> str:
    return f"cm-{kpi}-{month_label}"


def _cell(row: Any, cell: Any) -> html.Td:
    unit = row.kpi.unit
    status = str(cell.reading.status)
    parts: list[Any] = [html.Div(format_value(cell.reading.value, unit), className="bv")]
    if cell.reading.value is not None:  # a month without data shows a dash, not a column of targets
        parts.append(html.Div(f"target {format_value(cell.reading.target, unit)}", className="bt"))
    if cell.reading.checks:
        parts.append(html.Div("⚠ check data", className="bt", title="; ".join(cell.reading.checks)))
    elif cell.reading.complete is False:
        covered = cell.reading.coverage
        parts.append(html.Div("◐ incomplete" + (f" · {covered * 100:.0f} % covered" if covered is not None else ""),
                              className="bt", title="; ".join(cell.reading.gaps)))
    if cell.red:
        if cell.countermeasures:
            n = len(cell.countermeasures)
            parts.append(html.A(f"✖ {n} countermeasure{'s' if n > 1 else ''}",
                                href=f"#{_anchor(row.kpi.key, cell.reading.period)}", className="cm-link"))
        else:
            parts.append(html.Div("✖ ! no countermeasure", className="cm-missing"))
    return html.Td(parts, className=f"bcell status-{status}", title=f"{row.kpi.name} {cell.reading.period}: {status}")


def bowler(review: Review) -> html.Table:
    """The bowler: every KPI, 12 months against each month's target, year to date, baseline, owner and trend."""
    head = html.Thead(html.Tr([html.Th("KPI"), html.Th("Baseline"), *[html.Th(_short(m)) for m in review.months],
                               html.Th(f"YTD {review.month.first.year}"), html.Th("Trend")]))
    body: list[Any] = []
    for cat in ("S", "Q", "D", "C", "M"):
        rows = review.rows_of(cat)
        if not rows:
            continue
        body.append(html.Tr(html.Th(f"{cat} · {CATEGORY_NAMES[cat]}", colSpan=len(review.months) + 4),
                            className="bowler-cat"))
        for row in rows:
            k = row.kpi
            base = format_value(k.baseline.value, k.unit) if k.baseline else "—"
            ytd_status = str(row.ytd.status)
            body.append(html.Tr([
                html.Td([html.Strong(k.name), html.Div(f"{k.unit or 'value'} · {k.owner or 'no owner'}",
                                                       className="bt")], className="bkpi"),
                html.Td(base),
                *[_cell(row, c) for c in row.cells],
                html.Td([html.Div(format_value(row.ytd.value, k.unit), className="bv"),
                         html.Div(f"target {format_value(row.ytd.target, k.unit)}", className="bt")],
                        className=f"bcell status-{ytd_status}"),
                html.Td(row.trend + (f" · red {row.red_streak} months" if row.red_streak > 1 else "")),
            ]))
    return html.Table([head, html.Tbody(body)], className="grid bowler")


def lines_figure(review: Review) -> go.Figure:
    """Small multiples: the root KPI and its branches, one line per production line, over the months."""
    panels = review.lines
    fig = make_subplots(rows=1, cols=max(1, len(panels)), subplot_titles=[p.kpi.name for p in panels],
                        horizontal_spacing=0.05)
    months = [m.label for m in review.months]
    for i, series in enumerate(panels, start=1):
        for j, (line, readings) in enumerate(series.by_line.items()):
            fig.add_scatter(x=months, y=[r.value for r in readings], mode="lines+markers", name=line,
                            legendgroup=line, showlegend=i == 1, row=1, col=i,
                            line={"color": LINE_COLOURS[j % len(LINE_COLOURS)], "width": 2})
        first = next(iter(series.by_line.values()), [])
        fig.add_scatter(x=months, y=[r.target for r in first], mode="lines", name="target", legendgroup="target",
                        showlegend=i == 1, row=1, col=i, line={"color": "#5b6b7a", "dash": "dot", "shape": "hv"})
    fig.update_layout(template="plotly_white", height=300, margin={"l": 40, "r": 10, "t": 40, "b": 40},
                      legend={"orientation": "h", "y": -0.2})
    return fig


def _signed(value: float, unit: str) -> str:
    return f"{value:+.2f}{' pts' if unit == '%' else ''}".replace("-", "−")


def _why(services: Services, review: Review) -> Any:
    view = review.why
    if view is None:
        return None
    config = services.config
    root = view.root
    unit = config.kpis[root.key].unit
    before = view.before[root.key].value
    if root.reading.value is None or before is None:
        return html.P(f"No {config.kpis[root.key].name} for {view.previous.label} or {view.period.label} to compare.",
                      className="hint")
    kids = {c.key: c for c in view.why if c.key in view.tree.children(view.tree.root)}
    rows = [{"kpi": config.kpis[k].name, "before": format_value(c.before, config.kpis[k].unit),
             "after": format_value(c.after, config.kpis[k].unit),
             "share": "—" if c.contribution is None else _signed(c.contribution, unit)}
            for k, c in kids.items()]
    path = view.biggest_driver_path()
    lead = ""
    if len(path) > 1:
        lead = " Most of it from " + ", within it ".join(config.kpis[c.key].name for c in path[1:]) + "."
    change = root.reading.value - before
    return [html.P(f"{config.kpis[root.key].name} {format_value(before, unit)} → "
                   f"{format_value(root.reading.value, unit)} ({_signed(change, unit)}) "
                   f"against {month_name(view.previous)}.{lead}"),
            table([("kpi", "Driver"), ("before", month_name(view.previous)), ("after", month_name(view.period)),
                   ("share", "Share of the change")], rows)]


def _actions(services: Services, review: Review) -> Any:
    config = services.config
    seen: set[str] = set()
    rows = []
    for a in review.actions:
        anchor = _anchor(a.kpi, period_containing("month", a.raised_for).label) if a.kpi else ""
        first = anchor and anchor not in seen
        seen.add(anchor)
        cells = [
            html.Td(a.raised_for.isoformat()), html.Td(config.kpis[a.kpi].name if a.kpi in config.kpis else "—"),
            html.Td(config.scope_name(a.scope)), html.Td(a.what), html.Td(a.owner), html.Td(a.due.isoformat()),
            html.Td(a.status.replace("_", " ") + (" (overdue)" if a.overdue else "")), html.Td(a.result or ""),
        ]
        # the first action answering a KPI's month carries the anchor its red month links to; Dash refuses id=None
        rows.append(html.Tr(cells, id=anchor) if first else html.Tr(cells))
    missing = [(r.kpi.name, c.reading.period) for r in review.rows for c in r.cells if c.missing_countermeasure]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Raised for", "KPI", "Where", "What", "Owner", "Due", "Status",
                                                     "What was done")]))
    return [
        html.Table([head, html.Tbody(rows)], className="grid") if rows
        else html.P("No actions raised in these months.", className="empty"),
        html.H3(f"Red months without a countermeasure ({len(missing)})"),
        html.P(", ".join(f"{name} {month}" for name, month in missing) or "None.",
               className="cm-missing-list" if missing else "hint"),
    ]


def render(services: Services, review: Review) -> list[Any]:
    """The review's body from its read model."""
    month = month_name(review.month)
    red_now = [r for r in review.rows if r.cells and r.cells[-1].red]
    unanswered = [r for r in red_now if r.cells[-1].missing_countermeasure]
    currency = services.config.currency
    return [
        html.H1(f"{review.scope_name}: monthly review, {month}"),
        html.P([f"{len(red_now)} KPIs red in {month}; {len(unanswered)} of them without a countermeasure; "
                f"{len(review.candidates)} red three months running. ",
                html.Span(f"Read {format_time(review.generated_at, services.config.tz)}.", className="hint")],
               className="review-summary"),
        html.Section([html.H2("Bowler: every KPI against each month's target"),
                      html.P("✖ red month · a link leads to its countermeasures · ! none recorded", className="hint"),
                      html.Div(bowler(review), className="table-wrap")], className="card"),
        html.Section([
            html.H2(f"Biggest losses in {month}"),
            html.Div([
                html.Div([html.H3(review.stops.title),
                          dcc.Graph(figure=pareto_figure(review.stops), config={"displayModeBar": False},
                                    style={"height": "280px"}),
                          pareto_table(currency, review.stops)]),
                html.Div([html.H3(review.defects.title), pareto_table(currency, review.defects)]),
            ], className="review-losses"),
        ], className="card"),
        html.Section([html.H2("Lines compared"),
                      dcc.Graph(figure=lines_figure(review), config={"displayModeBar": False})], className="card")
        if review.lines and len(next(iter(review.lines)).by_line) > 1 else None,
        html.Section([html.H2(f"What changed since {month_name(review.why.previous)}" if review.why
                              else "What changed"), html.Div(_why(services, review))], className="card")
        if review.why else None,
        html.Section([html.H2("Candidates for next quarter's objectives"),
                      html.P(["KPIs red three months running. ",
                              dcc.Link("Plan them on the OKR page", href=f"/okr?scope={review.scope}")],
                             className="hint"),
                      html.Ul([html.Li([status_badge("red"), f" {r.kpi.name}: red {r.red_streak} months running"])
                               for r in review.candidates]) if review.candidates
                      else html.P("None: no KPI has been red three months running.", className="empty")],
                     className="card"),
        html.Section([html.H2("Countermeasures and actions"), *_actions(services, review)], className="card"),
    ]


def register(app: Dash, services: Services) -> None:
    """Wire the review page (``services.config`` is read per request: with several sites it is the request's)."""

    @app.callback(Output(ids.REVIEW_SCOPE, "options"), Output(ids.REVIEW_SCOPE, "value"),
                  Output(ids.REVIEW_MONTH, "options"), Output(ids.REVIEW_MONTH, "value"),
                  Input(ids.REVIEW_VIEW, "data"))
    def controls(view: dict[str, Any]) -> tuple[Any, ...]:
        config = services.config
        scopes = scope_options(config)
        latest = last_full_month(config, services.clock())
        current = period_containing("month", latest.last + timedelta(days=1))
        months = [current]
        while len(months) < 25:
            months.append(period_containing("month", months[-1].first - timedelta(days=1)))
        options = [{"label": month_name(m) + (" (to date)" if m == current else ""), "value": m.label}
                   for m in months]
        try:
            scope, month = resolve(services, view)
        except ReviewRequestError:
            return scopes, None, options, None
        return scopes, scope, options, month.label

    @app.callback(Output(ids.REVIEW_VIEW, "data"), Input(ids.REVIEW_SCOPE, "value"),
                  Input(ids.REVIEW_MONTH, "value"), State(ids.REVIEW_VIEW, "data"), prevent_initial_call=True)
    def choose(scope: str | None, month: str | None, view: dict[str, Any]) -> dict[str, Any]:
        if not scope or not month:
            raise PreventUpdate
        try:
            current = resolve(services, view)
        except ReviewRequestError:
            current = None
        if current is not None and (scope, month) == (current[0], current[1].label):
            raise PreventUpdate  # the controls only echoed the view they were set from
        return {"scope": scope, "month": month}

    app.clientside_callback(  # keep the address in step with what is shown, without reloading the page
        keep_address_js(ReviewAddress),
        Output(ids.REVIEW_EXPORTS, "title"), Input(ids.REVIEW_VIEW, "data"))

    @app.callback(Output(ids.REVIEW_BODY, "children"), Output(ids.REVIEW_EXPORTS, "children"),
                  Input(ids.REVIEW_VIEW, "data"))
    def show(view: dict[str, Any]) -> tuple[Any, Any]:
        try:
            scope, month = resolve(services, view)
        except ReviewRequestError as exc:
            return [html.H1("This review cannot be shown"), html.P(str(exc), className="form-error")], None
        return render(services, build_review(services, scope, month)), export_links(scope, month)
