"""The monthly review's printed pack: a PDF, A4 landscape, with a footer (scope, month, page n of m) on every page
and table headers repeated across pages. It is as long as its content: the bowler has a page of its own (one page
up to 25 KPIs), every other section follows on where the one before ends.

Text is written in Helvetica where it can be (so the words stay searchable in the file), in DejaVu Sans for the
symbols Helvetica lacks, and as ASCII stand-ins where neither font has a character (``review_pdf_text``, which also
shares one paragraph among the cells that show the same text). Words and rows come from ``review_model``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from huddle.dashboard.core.axes import axis_scale, share_ticks
from huddle.dashboard.core.format import format_value, unit_text
from huddle.dashboard.core.i18n import _, number
from huddle.dashboard.core.plant import CATEGORIES, CATEGORY_NAMES, KpiDef
from huddle.dashboard.exports.collector import collector_paused
from huddle.dashboard.exports.review_model import (
    BAR_COLOUR,
    CUMULATIVE_COLOUR,
    LINE_COLOURS,
    LINE_DASHES,
    STATUS_FILLS,
    action_headers,
    action_rows,
    baseline_text,
    cause_headers,
    cause_rows,
    cell_icons,
    cells_by_month,
    chart_rows,
    kpi_subline,
    legend,
    line_range,
    month_of,
    pareto_columns,
    readings_by_month,
    red_running,
    short_month,
    signed,
    status_counts,
    status_head,
    summarize,
    trend_text,
    value_runs,
    what_changed_heading,
    why_changed,
    words,
)
from huddle.dashboard.exports.review_pdf_text import BOLD, FONT, cell_p, markup, memo, one_document, p, plain, shared
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.review import MonthCell, Review, month_name
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepInFrame,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

PAGE = landscape(A4)
MARGIN = 28.0
BOTTOM = MARGIN + 12  # room for the footer
WIDTH = PAGE[0] - 2 * MARGIN
FRAME_HEIGHT = PAGE[1] - MARGIN - BOTTOM - 12  # what one page holds (the frame pads 6 pt each side)
ONE_PAGE_BOWLER = 25  # up to this many KPIs the bowler is printed on one page, shrunk a little if it must be
_GRID = colors.HexColor("#b0bac4")
_HEAD = colors.HexColor("#dde3ea")
_CAT = colors.HexColor("#f3f5f7")


def _grid_style(extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    return TableStyle([("GRID", (0, 0), (-1, -1), 0.3, _GRID), ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                       ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 2), *extra])


def _pdf_table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
               numeric: Iterable[int] = ()) -> Table:
    num = set(numeric)
    data = [[cell_p(h, "headr" if i in num else "head") for i, h in enumerate(headers)]]
    data += [[cell_p(v, "cellr" if i in num else "cell") for i, v in enumerate(r)] for r in rows]
    return Table(data, colWidths=list(widths), repeatRows=1, style=_grid_style(), hAlign="LEFT")


def _fill(status: str) -> colors.Color:
    return colors.HexColor(STATUS_FILLS.get(status, STATUS_FILLS["grey"]))


def _pdf_value_cell(value: float | None, target: float | None, kpi: KpiDef, status: str,
                    cell: MonthCell | None) -> Paragraph:
    icons = cell_icons(status, cell)
    return memo("value", (value, target, kpi.unit, kpi.direction, icons),
                lambda: shared(_value_markup(value, target, kpi, icons), "bcell"))


def _value_markup(value: float | None, target: float | None, kpi: KpiDef, icons: str) -> str:
    text = f"<b>{markup(format_value(value, kpi.unit))}</b>" + (f" {markup(icons)}" if icons else "")
    if target is not None and value is not None:  # a month without data shows a dash, not a column of targets
        text += memo("target", (target, kpi.unit, kpi.direction), lambda: _target_markup(target, kpi))
    return text


def _target_markup(target: float, kpi: KpiDef) -> str:
    # "≥ 85.0 %" rather than the page's "target 85.0 %": twelve months must fit the width of the page
    bound = "≥" if kpi.direction == "higher" else "≤"
    return f'<br/><font size="6" color="#555555">{markup(bound)} {markup(format_value(target, kpi.unit))}</font>'


_TIGHT = (("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2))
_FLAT = (("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1))


def _pdf_bowler(review: Review) -> Table:
    """Every KPI over the months, one row each; the SQDCM category is a narrow first column (a row per category
    would cost the page five rows), its letter on each row where the bowler runs over pages (a spanned cell
    cannot be split)."""
    n = len(review.months)
    span = len(review.rows) <= ONE_PAGE_BOWLER
    cat_w, name_w, base_w, trend_w = 12.0, 104.0, 36.0, 50.0
    month_w = math.floor((WIDTH - cat_w - name_w - base_w - trend_w) / (n + 1) * 100) / 100  # the YTD as wide
    w = words(review)
    data: list[list[Any]] = [["", cell_p(w["kpi"], "head"), cell_p(w["baseline"], "headr"),
                              *[cell_p(short_month(m), "headr") for m in review.months],
                              cell_p(w["ytd"], "headr"), cell_p(w["trend"], "head")]]
    style: list[tuple[Any, ...]] = [*_TIGHT, *_FLAT, ("LEFTPADDING", (0, 0), (0, -1), 1),
                                    ("RIGHTPADDING", (0, 0), (0, -1), 1)]
    for cat in CATEGORIES:
        rows = review.rows_of(cat)
        if not rows:
            continue
        first = len(data)
        for i, r in enumerate(rows):
            k = r.kpi
            r_i = len(data)
            line: list[Any] = [cell_p(cat, "bcat") if i == 0 or not span else "",
                               shared(f"<b>{markup(k.name)}</b><br/><font size=\"6\" color=\"#555555\">"
                                    f"{markup(kpi_subline(k))}</font>", "bname"),
                               cell_p(baseline_text(k), "bcell")]
            for c_i, cell in enumerate(cells_by_month(review, r.cells), start=3):
                status = str(cell.reading.status) if cell else "grey"
                line.append(_pdf_value_cell(cell.reading.value if cell else None,
                                            cell.reading.target if cell else None, k, status, cell))
                style.append(("BACKGROUND", (c_i, r_i), (c_i, r_i), _fill(status)))
            ytd_status = str(r.ytd.status)
            line.append(_pdf_value_cell(r.ytd.value, r.ytd.target, k, ytd_status, None))
            style.append(("BACKGROUND", (n + 3, r_i), (n + 3, r_i), _fill(ytd_status)))
            line.append(cell_p(trend_text(r), "bname"))
            data.append(line)
        style.append(("BACKGROUND", (0, first), (0, len(data) - 1), _CAT))
        if span:
            style.append(("SPAN", (0, first), (0, len(data) - 1)))
    widths = [cat_w, name_w, base_w, *([month_w] * (n + 1)), trend_w]
    return Table(data, colWidths=widths, repeatRows=1, style=_grid_style(style), hAlign="LEFT")


def _pdf_bowler_pages(review: Review) -> list[Flowable]:
    """The bowler with its title: on one page up to ``ONE_PAGE_BOWLER`` KPIs (shrunk to fit if it must be), over
    as many pages as it needs beyond, its header repeated."""
    w = words(review)
    letters = " · ".join(f"{c} {_(CATEGORY_NAMES[c])}" for c in CATEGORIES)
    head = [p(w["bowler"], "h2"),
            p(f"{letters}. {w['target_note']} " + _("The legend is on the first page."), "hint")]
    if len(review.rows) > ONE_PAGE_BOWLER:
        return [*head, _pdf_bowler(review)]
    return [KeepInFrame(WIDTH, FRAME_HEIGHT, [*head, _pdf_bowler(review)], mode="shrink")]


def _pdf_pareto_chart(review: Review) -> Drawing | None:
    rows = chart_rows(review.stops)
    if not rows:
        return None
    width, height = 560.0, 215.0
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 70, width - 110, height - 90
    chart.data = [[m for _l, m, _c in rows]]
    chart.categoryAxis.categoryNames = [plain(lbl if len(lbl) <= 22 else lbl[:21] + "...") for lbl, _m, _c in rows]
    chart.categoryAxis.labels.angle = 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dx = 4
    chart.categoryAxis.labels.dy = -4
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    top, step, digits = axis_scale(max(m for _l, m, _c in rows))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: number(v, digits)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e1e5ea")
    chart.bars[0].fillColor = colors.HexColor(BAR_COLOUR)
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: number(v)
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.groupSpacing = 8
    drawing.add(chart)
    slot = chart.width / len(rows)
    points: list[float] = []
    for i, (_l, _m, cumulative) in enumerate(rows):
        points += [chart.x + (i + 0.5) * slot, chart.y + chart.height * cumulative]
    blue = colors.HexColor(CUMULATIVE_COLOUR)
    drawing.add(PolyLine(points, strokeColor=blue, strokeWidth=1.5))
    for i in range(0, len(points), 2):
        drawing.add(Circle(points[i], points[i + 1], 2, fillColor=blue, strokeColor=blue))
    right = chart.x + chart.width
    drawing.add(Line(right, chart.y, right, chart.y + chart.height, strokeColor=blue, strokeWidth=0.5))
    for frac in share_ticks():  # at the heights of the minutes' ticks
        drawing.add(String(right + 4, chart.y + chart.height * frac - 2.5, f"{frac * 100:.0f} %", fontName=FONT,
                           fontSize=7, fillColor=blue))
    axis_title = Group(String(0, 0, "minutes", fontName=FONT, fontSize=7, textAnchor="middle"))
    axis_title.translate(14, chart.y + chart.height / 2)
    axis_title.rotate(90)
    drawing.add(axis_title)
    drawing.add(String(right + 4, chart.y + chart.height + 8, "cumulative", fontName=FONT, fontSize=7,
                       fillColor=blue))
    return drawing


def _pdf_line_chart(review: Review, kpi: KpiDef, by_line: dict[str, list[Reading]], width: float,
                    height: float) -> Drawing:
    """One small multiple for the PDF: a KPI per line over the months, the target dotted."""
    drawing = Drawing(width, height)
    left, right, top, bottom = 44.0, 8.0, 16.0, 30.0
    plot_w, plot_h = width - left - right, height - top - bottom
    drawing.add(String(left, height - 11, plain(kpi.name), fontName=BOLD, fontSize=8))
    found = line_range(review, by_line)
    if found is None:
        drawing.add(String(left, bottom + plot_h / 2, "no data", fontName=FONT, fontSize=7))
        return drawing
    series, targets, lo, hi = found
    n = len(review.months)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + (i + 0.5) * plot_w / n, bottom + plot_h * (v - lo) / (hi - lo)

    grey = colors.HexColor("#5b6b7a")
    drawing.add(Rect(left, bottom, plot_w, plot_h, fillColor=None, strokeColor=_GRID, strokeWidth=0.5))
    for value, y in ((hi, bottom + plot_h - 6), (lo, bottom)):
        drawing.add(String(left - 3, y, plain(format_value(value, kpi.unit)), fontName=FONT, fontSize=6,
                           textAnchor="end"))
    drawing.add(String(left, bottom - 9, short_month(review.months[0]), fontName=FONT, fontSize=6))
    drawing.add(String(left + plot_w, bottom - 9, short_month(review.months[-1]), fontName=FONT, fontSize=6,
                       textAnchor="end"))
    target_pts = [c for i, t in enumerate(targets) if t is not None for c in xy(i, t)]
    if len(target_pts) >= 4:
        drawing.add(PolyLine(target_pts, strokeColor=grey, strokeWidth=0.8, strokeDashArray=[1, 2]))
    x = left
    for j, (line, readings) in enumerate(series.items()):
        colour = colors.HexColor(LINE_COLOURS[j % len(LINE_COLOURS)])
        dash = [float(d) for d in LINE_DASHES[j % len(LINE_DASHES)].split()] or None
        for run in value_runs(readings):
            pts = [c for i, v in run for c in xy(i, v)]
            if len(pts) >= 4:
                drawing.add(PolyLine(pts, strokeColor=colour, strokeWidth=1.4, strokeDashArray=dash))
            for k in range(0, len(pts), 2):
                drawing.add(Circle(pts[k], pts[k + 1], 1.8, fillColor=colour, strokeColor=colour))
        drawing.add(Line(x, 6, x + 14, 6, strokeColor=colour, strokeWidth=1.4, strokeDashArray=dash))
        drawing.add(String(x + 17, 3.5, plain(line), fontName=FONT, fontSize=6))
        x += 24 + pdfmetrics.stringWidth(plain(line), FONT, 6)
    drawing.add(Line(x, 6, x + 14, 6, strokeColor=grey, strokeWidth=0.8, strokeDashArray=[1, 2]))
    drawing.add(String(x + 17, 3.5, _("target"), fontName=FONT, fontSize=6))
    return drawing


def _pdf_lines(review: Review) -> list[Flowable]:
    if not review.lines:
        return [p(words(review)["no_tree"], "hint")]
    n = len(review.months)
    line_w = 60.0
    month_w = math.floor((WIDTH - line_w) / max(n, 1) * 100) / 100
    per_row = 4
    chart_w = WIDTH / per_row
    charts = [_pdf_line_chart(review, s.kpi, s.by_line, chart_w - 6, 130) for s in review.lines]
    grid = [charts[i:i + per_row] + [""] * (per_row - len(charts[i:i + per_row]))
            for i in range(0, len(charts), per_row)]
    out: list[Flowable] = [Table(grid, colWidths=[chart_w] * per_row, hAlign="LEFT",
                                 style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                   ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))]
    for s in review.lines:
        k = s.kpi
        data: list[list[Any]] = [[cell_p(_("Line"), "head"), *[cell_p(short_month(m), "headr") for m in review.months]]]
        style: list[tuple[Any, ...]] = []
        for line, readings in s.by_line.items():
            r_i = len(data)
            row: list[Any] = [cell_p(line, "head")]
            for c_i, r in enumerate(readings_by_month(review, readings), start=1):
                status = str(r.status) if r else "grey"
                row.append(_pdf_value_cell(r.value if r else None, r.target if r else None, k, status, None))
                style.append(("BACKGROUND", (c_i, r_i), (c_i, r_i), _fill(status)))
            data.append(row)
        table = Table(data, colWidths=[line_w, *([month_w] * n)], repeatRows=1,
                      style=_grid_style([*_TIGHT, *style]), hAlign="LEFT")
        out.append(KeepTogether([p(f"{k.name} ({unit_text(k.unit)})" if k.unit else k.name, "h3"), table]))
    return out


def _footer_canvas(footer: str) -> type[Canvas]:
    """A canvas that writes the footer and 'page n of m' on every page once the page count is known."""

    page_words = _("page {n} of {total}")  # read now: the canvas draws after the language's block has ended

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for page, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(colors.HexColor("#555555"))
                self.setStrokeColor(_GRID)
                self.setLineWidth(0.4)
                self.line(MARGIN, MARGIN - 8, PAGE[0] - MARGIN, MARGIN - 8)
                self.drawString(MARGIN, MARGIN - 18, plain(footer))
                self.drawRightString(PAGE[0] - MARGIN, MARGIN - 18, plain(page_words.format(n=page, total=total)))
                super().showPage()
            super().save()

    return FooterCanvas


def review_pdf(review: Review) -> bytes:
    """The printed pack: A4 landscape, a footer with scope, month and page on every page, headers repeated."""
    with one_document(), collector_paused():  # equal cells share their paragraph (review_pdf_text)
        return _pack(review)


def _pack(review: Review) -> bytes:
    month = month_name(review.month)
    summary = summarize(review)
    w = words(review)
    story: list[Flowable] = [
        Spacer(1, 40), p(w["pack"], "title"), p(f"{review.scope_name} · {month}", "subtitle"),
        p(w["scope_line"], "hint"), Spacer(1, 8), p(summary.sentence(review), "summary"), p(w["by_status"], "h3"),
        _pdf_table(status_head(), [[_(CATEGORY_NAMES[cat]), *(str(c[s]) for s in ("green", "amber", "red", "grey"))]
                                   for cat, c in status_counts(review)], [110, 80, 80, 80, 80], numeric=(1, 2, 3, 4)),
        Spacer(1, 10), p(_("In this pack: what changed since the month before; the bowler; the month's biggest "
                            "losses; the lines compared; countermeasures and actions; candidates for next quarter's "
                            "objectives."), "body"),
        p(f"{legend()} {w['target_note']}", "hint"),
    ]
    why = why_changed(review)
    if why is not None:
        block: list[Flowable] = [p(what_changed_heading(why), "h2"), p(why.headline)]
        if why.drivers:
            block.append(_pdf_table([w["kpi"], month_name(why.previous), month, w["share_of_change"]],
                                    [["\u00a0\u00a0\u00a0\u00a0" * d.depth + d.name, format_value(d.before, d.unit),
                                      format_value(d.after, d.unit), signed(d.contribution, why.root_unit)]
                                     for d in why.drivers], [180, 100, 100, 120], numeric=(1, 2, 3)))
        story += [Spacer(1, 6), KeepTogether(block)]
    # the bowler has a page of its own; every other section follows on where the one before ends
    story += [PageBreak(), *_pdf_bowler_pages(review), PageBreak(),
              p(w["losses"], "h2"), p(review.stops.title, "h3")]
    headers, rows = pareto_columns(review.stops, review.currency)
    if rows:
        chart = _pdf_pareto_chart(review)
        story += [_pdf_table(headers, rows, [150, *([70] * (len(headers) - 2)), 130],
                             numeric=range(1, len(headers) - 1))]
        if chart is not None:
            story += [Spacer(1, 4), chart, p(w["bars"], "hint")]
    else:
        story.append(p(w["no_stops"], "hint"))
    story.append(CondPageBreak(80))
    story.append(p(review.defects.title, "h3"))
    headers, rows = pareto_columns(review.defects, review.currency)
    story.append(_pdf_table(headers, rows, [150, *([70] * (len(headers) - 2)), 130],
                            numeric=range(1, len(headers) - 1)) if rows
                 else p(w["no_defects"], "hint"))
    story += [CondPageBreak(200), p(w["lines"], "h2"), p(w["lines_hint"], "hint"),
              *_pdf_lines(review), CondPageBreak(80), p(w["actions"], "h2")]
    actions = action_rows(review)
    story.append(_pdf_table(action_headers(), actions, [58, 92, 60, 190, 80, 58, 70, WIDTH - 608]) if actions
                 else p(w["no_actions"], "hint"))
    causes = cause_rows(review)
    story += [CondPageBreak(60), p(w["causes"], "h3")]
    story.append(_pdf_table(cause_headers(), causes, [110, 80, 200, 60, WIDTH - 450]) if causes
                 else p(w["no_causes"], "hint"))
    story += [CondPageBreak(60), p(w["missing"], "h3")]
    missing = [[r.kpi.name, month_name(month_of(review, c)), format_value(c.reading.value, r.kpi.unit),
                format_value(c.reading.target, r.kpi.unit), r.kpi.owner or "—"] for r, c in summary.missing]
    story.append(_pdf_table([w["kpi"], w["month"], w["value"], w["target"], w["owner"]], missing,
                            [180, 100, 80, 80, 120], numeric=(2, 3)) if missing else p(w["none_missing"], "hint"))
    candidates = [[r.kpi.name, red_running(r), r.kpi.owner or "—"] for r in review.candidates]
    # the heading stays with what it heads, and moves to a new page only when the block does not fit this one
    story.append(KeepTogether([
        p(w["candidates"], "h2"), p(w["candidates_hint"], "hint"),
        _pdf_table([w["kpi"], w["months_red"], w["owner"]], candidates, [180, 140, 120]) if candidates
        else p(w["no_candidates"], "hint")]))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=BOTTOM, title=plain(w["title"]),
                            author="Huddle", subject=plain(w["pack"]), creator="Huddle", invariant=1,
                            pageCompression=0)
    footer = f"{w['pack']} · {review.scope_name} ({review.scope}) · {month} · {w['generated']}"
    doc.build(story, canvasmaker=_footer_canvas(footer))
    return out.getvalue()

