"""The monthly KPI business review: the bowler of every KPI over 12 months, red months with their countermeasures,
the month's losses, the lines compared, why the root moved, OKR candidates, and the printed pack. The layout (the
review arrives through its callback) and the renderers: the review's read model (``services.review.Review``) in,
components and figures out; no services, no database, no clock.

The address says what is shown (``address.ReviewAddress`` reads it): ``/review?scope=L2&month=2026-10`` (default:
the plant, the last full month).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import dash
from dash import dcc
from huddle.dashboard.core.format import format_day, format_time, format_value, status_label, unit_text
from huddle.dashboard.core.i18n import N_, _, day_text, ngettext, number, pgettext
from huddle.dashboard.core.names import period_id_words, place_name
from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.core.plant import CATEGORY_NAMES
from huddle.dashboard.exports.review_model import cause_headers, cause_rows, summarize
from huddle.dashboard.services.actions import STATUS_WORDS as ACTION_STATUS_WORDS
from huddle.dashboard.services.review import Review, month_name, nothing_to_compare
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import ReviewAddress, api_href, okr_href
from huddle.dashboard.web.static_html import one_element
from huddle.pages.components import (
    figure_template,
    pareto_figure,
    pareto_table,
    plot_text,
    scroll_box,
    status_badge,
    table,
)
from huddle.pages.elements import html
from huddle.pages.huddles import huddle_counts

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

SUBPLOT_SPACING = 0.05  # between the small multiples, as a share of the width
LINE_COLOURS = ("#1f4e79", "#b3141c", "#1e7b34", "#9a6200", "#6b3fa0", "#00838f", "#5b6b7a", "#c26a00")


def layout(**query: str) -> html.Div:
    """Skeleton with the view in a store; the review arrives through its callback."""
    return html.Div([
        dcc.Store(id=ids.REVIEW_VIEW, data=ReviewAddress.from_query(query).as_view()),
        html.Div([
            html.Label([_("Scope"), dcc.Dropdown(id=ids.REVIEW_SCOPE, clearable=False)], className="manual-field"),
            html.Label([_("Month"), dcc.Dropdown(id=ids.REVIEW_MONTH, clearable=False)], className="manual-field"),
            html.Div(id=ids.REVIEW_EXPORTS, className="exports"),
        ], className="form-row review-controls"),
        dcc.Loading(html.Div(id=ids.REVIEW_BODY, className="review"), type="default"),
    ], className="review-page")


def register() -> None:
    """Register the page with Dash Pages."""
    dash.register_page("review", path="/review", name=N_("Monthly review"), order=3, nav=True, layout=layout)


# ---- renderers: the review's read model in, components out --------------------------------------------------


def export_links(scope: str, month: Period, layers: tuple[int, ...] = ()) -> list[Any]:
    """Links to the printed pack, its HTML copy and the workbook of the numbers (of the layers the page keeps)."""
    kept = {"layer": ",".join(map(str, layers))} if layers else {}
    return [html.Span(_("Export:"), className="field-label"),
            *[html.A(words, href=api_href(f"review.{ext}", scope=scope, month=month.label, **kept),
                     className="export-link")
              for words, ext in ((_("PDF pack"), "pdf"), (_("HTML copy"), "html"), (_("Excel workbook"), "xlsx"))]]


def _short(month: Period) -> str:
    return day_text(month.first, pgettext("date pattern", "MMM yy"))


def _anchor(kpi: str, month_label: str) -> str:
    return f"cm-{kpi}-{month_label}"


def _cell(row: Any, cell: Any) -> html.Td:
    unit = row.kpi.unit
    status = str(cell.reading.status)
    parts: list[Any] = [html.Div(format_value(cell.reading.value, unit), className="bv")]
    if cell.reading.value is not None:  # a month without data shows a dash, not a column of targets
        parts.append(html.Div(_("target {value}").format(value=format_value(cell.reading.target, unit)),
                              className="bt"))
    if cell.reading.checks:
        parts.append(html.Div("⚠ " + _("check data"), className="bt", title="; ".join(cell.reading.checks)))
    elif status in ("planned", "before-go-live") and cell.reading.flags:  # "planned: Winter shutdown"
        parts.append(html.Div(cell.reading.flags[0], className="bt"))
    elif cell.reading.complete is False:
        covered = cell.reading.coverage
        parts.append(html.Div("◐ " + _("incomplete") + (" · " + _("{share} % covered").format(
            share=number(covered * 100)) if covered is not None else ""), className="bt",
            title="; ".join(cell.reading.gaps)))
    if cell.red:
        if cell.countermeasures:
            n = len(cell.countermeasures)
            parts.append(html.A("✗ " + ngettext("{n} countermeasure", "{n} countermeasures", n).format(n=n),
                                href=f"#{_anchor(row.kpi.key, cell.reading.period)}", className="cm-link"))
        else:
            parts.append(html.Div("✗ ! " + _("no countermeasure"), className="cm-missing"))
    return html.Td(parts, className=f"bcell status-{status}",
                   title=f"{row.kpi.name} {period_id_words(None, cell.reading.period)}: {status_label(status)}")


def bowler(review: Review) -> html.Table:
    """The bowler: every KPI, 12 months against each month's target, year to date, baseline, owner and trend."""
    head = html.Thead(html.Tr([html.Th(_("KPI")), html.Th(_("Baseline")), *[html.Th(_short(m)) for m in review.months],
                               html.Th(_("YTD {year}").format(year=review.month.first.year)), html.Th(_("Trend"))]))
    body: list[Any] = []
    for cat in ("S", "Q", "D", "C", "M"):
        rows = review.rows_of(cat)
        if not rows:
            continue
        body.append(html.Tr(html.Th(f"{cat} · {_(CATEGORY_NAMES[cat])}", colSpan=len(review.months) + 4),
                            className="bowler-cat"))
        for row in rows:
            k = row.kpi
            base = format_value(k.baseline.value, k.unit) if k.baseline else "—"
            ytd_status = str(row.ytd.status)
            body.append(html.Tr([
                html.Td([html.Strong(k.name),
                         html.Div((unit_text(k.unit) or _("value")) + " · " + (k.owner or _("no owner")) + " · "
                                  + (_("leading") if k.leading else _("lagging")),
                                  className="bt")], className="bkpi"),
                html.Td(base),
                *[_cell(row, c) for c in row.cells],
                html.Td([html.Div(format_value(row.ytd.value, k.unit), className="bv"),
                         html.Div(_("target {value}").format(value=format_value(row.ytd.target, k.unit)),
                                  className="bt")],
                        className=f"bcell status-{ytd_status}"),
                html.Td(_(row.trend) + (" · " + _("red {n} months").format(n=row.red_streak)
                                        if row.red_streak > 1 else "")),
            ]))
    return html.Table([head, html.Tbody(body)], className="grid bowler")


def lines_figure(review: Review, config: PlantConfig) -> dict[str, Any]:
    """Small multiples: the root KPI and its branches, one line per production line, over the months. Written as the
    figure's JSON-ready dict (what ``make_subplots`` and ``add_scatter`` would make for these panels: Plotly's
    figure objects took two thirds of the plant review's drawing, 160 ms for 84 traces)."""
    panels = review.lines
    cols = max(1, len(panels))
    width = (1 - SUBPLOT_SPACING * (cols - 1)) / cols
    months = [m.label for m in review.months]
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {"template": figure_template(), "height": 300,
                              "margin": {"l": 40, "r": 10, "t": 40, "b": 40},
                              "legend": {"orientation": "h", "y": -0.2}, "annotations": []}
    for i, series in enumerate(panels, start=1):
        n = "" if i == 1 else str(i)
        lo = (i - 1) * (width + SUBPLOT_SPACING)
        layout[f"xaxis{n}"] = {"anchor": f"y{n}", "domain": [lo, lo + width]}
        layout[f"yaxis{n}"] = {"anchor": f"x{n}", "domain": [0.0, 1.0]}
        layout["annotations"].append({"font": {"size": 16}, "showarrow": False, "text": plot_text(series.kpi.name),
                                      "x": lo + width / 2, "xanchor": "center", "xref": "paper", "y": 1.0,
                                      "yanchor": "bottom", "yref": "paper"})
        axes = {"xaxis": f"x{n}", "yaxis": f"y{n}"}
        for j, (line, readings) in enumerate(series.by_line.items()):
            data.append({"type": "scatter", "x": months, "y": [r.value for r in readings], "mode": "lines+markers",
                         "name": plot_text(place_name(config, line)), "legendgroup": line, "showlegend": i == 1,
                         "line": {"color": LINE_COLOURS[j % len(LINE_COLOURS)], "width": 2}, **axes})
        first = next(iter(series.by_line.values()), [])
        data.append({"type": "scatter", "x": months, "y": [r.target for r in first], "mode": "lines",
                     "name": _("target"), "legendgroup": "target", "showlegend": i == 1,
                     "line": {"color": "#5b6b7a", "dash": "dot", "shape": "hv"}, **axes})
    return {"data": data, "layout": layout}


def _signed(value: float, unit: str) -> str:
    sign = "+" if value >= 0 else "−"
    return f"{sign}{number(abs(value), 2)}" + (" " + _("pts") if unit == "%" else "")


def _why(review: Review, config: PlantConfig) -> Any:
    view = review.why
    if view is None:
        return None
    root = view.root
    unit = config.kpis[root.key].unit
    before = view.before[root.key].value
    missing = nothing_to_compare(config.kpis[root.key].name, unit, before, root.reading.value, view.previous.label,
                                 view.period.label)
    if missing is not None:
        return html.P(missing, className="hint")
    kids = {c.key: c for c in view.why if c.key in view.tree.children(view.tree.root)}
    rows = [{"kpi": config.kpis[k].name, "before": format_value(c.before, config.kpis[k].unit),
             "after": format_value(c.after, config.kpis[k].unit),
             "share": "—" if c.contribution is None else _signed(c.contribution, unit)}
            for k, c in kids.items()]
    path = view.biggest_driver_path()
    lead = ""
    if len(path) > 1:
        lead = " " + _("Most of it from {path}.").format(
            path=_(", within it ").join(config.kpis[c.key].name for c in path[1:]))
    change = root.reading.value - before
    return [html.P(_("{kpi} {before} → {after} ({change}) against {month}.").format(
                kpi=config.kpis[root.key].name, before=format_value(before, unit),
                after=format_value(root.reading.value, unit), change=_signed(change, unit),
                month=month_name(view.previous)) + lead),
            table([("kpi", _("Driver")), ("before", month_name(view.previous)), ("after", month_name(view.period)),
                   ("share", _("Share of the change"))], rows)]


def _h_causes(review: Review) -> Any:
    """The causes recorded on the actions answering the month's reds."""
    rows = cause_rows(review)
    if not rows:
        return html.P(_("No cause recorded yet on the actions answering {month}'s reds.").format(
            month=month_name(review.month)), className="hint")
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in cause_headers()])),
                       html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])], className="grid causes")


def _actions(review: Review, config: PlantConfig) -> Any:
    seen: set[str] = set()
    rows = []
    for a in review.actions:
        anchor = _anchor(a.kpi, period_containing("month", a.raised_for).label) if a.kpi else ""
        first = anchor and anchor not in seen
        seen.add(anchor)
        month_end = review.month.last
        cells = [
            html.Td(format_day(a.raised_for, month_end)),
            html.Td(config.kpis[a.kpi].name if a.kpi in config.kpis else "—"),
            html.Td(config.scope_name(a.scope)), html.Td(a.what), html.Td(a.owner),
            html.Td(format_day(a.due, month_end)),
            html.Td(_(ACTION_STATUS_WORDS.get(a.status, a.status)) + (" (" + _("overdue") + ")" if a.overdue else "")),
            html.Td(a.result or ""),
        ]
        # the first action answering a KPI's month carries the anchor its red month links to; Dash refuses id=None
        rows.append(html.Tr(cells, id=anchor) if first else html.Tr(cells))
    missing = [(r.kpi.name, c.reading.period) for r in review.rows for c in r.cells if c.missing_countermeasure]
    head = html.Thead(html.Tr([html.Th(h) for h in (_("Raised for"), _("KPI"), _("Where"), _("What"), _("Owner"),
                                                     _("Due"), _("Status"), _("What was done"))]))
    return [
        html.Table([head, html.Tbody(rows)], className="grid") if rows
        else html.P(_("No actions raised in these months."), className="empty"),
        html.H3(_("Causes behind the reds of {month}").format(month=month_name(review.month))),
        _h_causes(review),
        html.H3(_("Red months without a countermeasure ({n})").format(n=len(missing))),
        html.P(", ".join(f"{name} {period_id_words(None, month)}" for name, month in missing) or _("None."),
               className="cm-missing-list" if missing else "hint"),
    ]


def render_review(review: Review, config: PlantConfig) -> list[Any]:
    """The review's body from its read model: summary, bowler, losses, lines compared, what changed, candidates
    for next quarter's objectives, countermeasures and actions."""
    month = month_name(review.month)
    today = review.generated_at.astimezone(config.tz).date()  # read just now: the time says it
    currency = config.currency
    return [
        html.H1(_("{scope}: monthly review, {month}").format(scope=review.scope_name, month=month)),
        html.P([summarize(review).sentence(review) + " ",
                html.Span(_("Read {time}.").format(time=format_time(review.generated_at, config.tz, today)),
                          className="hint")],
               className="review-summary"),
        html.Section([html.H2(_("Bowler: every KPI against each month's target")),
                      html.P(_("✗ red month · a link leads to its countermeasures · ! none recorded"),
                             className="hint"),
                      # a table of readings and links, no control: one element (a bowler is some 1,500)
                      scroll_box(_("Bowler"), one_element(bowler(review)))], className="card"),
        html.Section([
            html.H2(_("Biggest losses in {month}").format(month=month)),
            html.Div([
                html.Div([html.H3(review.stops.title),
                          dcc.Graph(figure=pareto_figure(review.stops), config={"displayModeBar": False},
                                    style={"height": "280px"}),
                          one_element(pareto_table(currency, review.stops))]),
                html.Div([html.H3(review.defects.title), one_element(pareto_table(currency, review.defects))]),
            ], className="review-losses"),
        ], className="card"),
        html.Section([html.H2(_("Lines compared")),
                      dcc.Graph(figure=lines_figure(review, config), config={"displayModeBar": False})],
                     className="card")
        if review.lines and len(next(iter(review.lines)).by_line) > 1 else None,
        html.Section([html.H2(_("What changed since {month}").format(month=month_name(review.why.previous))
                              if review.why else _("What changed")), one_element(html.Div(_why(review, config)))],
                     className="card")
        if review.why else None,
        html.Section([html.H2(_("Candidates for next quarter's objectives")),
                      html.P([_("KPIs red three months running.") + " ",
                              dcc.Link(_("Plan them on the OKR page"), href=okr_href(scope=review.scope))],
                             className="hint"),
                      html.Ul([html.Li([status_badge("red"), " " + _("{kpi}: red {n} months running").format(
                          kpi=r.kpi.name, n=r.red_streak)]) for r in review.candidates]) if review.candidates
                      else html.P(_("None: no KPI has been red three months running."), className="empty")],
                     className="card"),
        huddle_counts(review.huddles, month),
        html.Section([html.H2(_("Countermeasures and actions")), *_actions(review, config)], className="card"),
    ]


def month_options(current: Period, n: int = 25) -> list[dict[str, str]]:
    """The month picker's options: the month to date (``current``) and the ``n - 1`` before it, newest first."""
    months = [current]
    while len(months) < n:
        months.append(period_containing("month", months[-1].first - timedelta(days=1)))
    return [{"label": month_name(m) + (" (" + _("to date") + ")" if m == current else ""), "value": m.label}
            for m in months]


def review_problem(message: str) -> list[Any]:
    """What the review says instead when its address cannot be shown."""
    return [html.H1(_("This review cannot be shown")), html.P(message, className="form-error")]
