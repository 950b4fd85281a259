"""The monthly review's printed pack and its copies: a PDF (A4 landscape), one self-contained HTML file and an
Excel workbook of the numbers, all from the same ``Review`` the page shows.

Every export holds the cover and summary, the bowler (each KPI's 12 months against each month's target, with
status colour and icon, and a mark on red months saying whether a countermeasure was raised), the month's losses,
what changed since the month before, the lines compared, the actions and the OKR candidates. Values are written
with ``format_value`` and the KPI's unit, so the copies read like the page; the workbook keeps real numbers with
number formats so they can be reused. Plain Python: nothing here knows Dash or Flask.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import escape
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from huddle.dashboard.core.format import STATUS_ICONS, STATUS_WORDS, format_value
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import CATEGORIES, CATEGORY_NAMES, KpiDef
from huddle.dashboard.services.events import EventReport
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.review import CANDIDATE_STREAK, BowlerRow, MonthCell, Review, month_name
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

STATUS_FILLS = {"green": "#e3f4e7", "amber": "#fff1d6", "red": "#fde4e4", "grey": "#eceff1", "stale": "#eceff1",
                "incomplete": "#dde1e5", "check": "#ffe08a"}
WITH_COUNTERMEASURE = "•"  # after ✖ on a red month that has a countermeasure
NO_COUNTERMEASURE = "!"  # after ✖ on a red month without one
LINE_COLOURS = ("#1f4e79", "#b3141c", "#1e7b34", "#9a6200", "#6b3fa0", "#00838f", "#5b6b7a", "#c26a00")
LINE_DASHES = ("", "5 3", "2 2", "8 3 2 3")  # so lines differ by more than colour
BAR_COLOUR = "#b3141c"
CUMULATIVE_COLOUR = "#1f4e79"
CHART_BARS = 12  # the chart shows the largest reasons; the table lists them all
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SYMBOL_FONT = "HuddleSymbols"
# Stand-ins for characters the PDF's fonts cannot draw (Helvetica has no ✔ ✖ ▲, and DejaVu may be missing)
ASCII_STAND_INS = {"✔": "+", "✖": "X", "▲": "^", "⧗": "~", "◐": "(part)", "⚠": "!", "≥": ">=", "≤": "<=", "→": "->",
                   "−": "-", "↑": "^",
                   "↓": "v"}


# ---- shared: what every export says --------------------------------------------------------------------------


def export_filename(review: Review, ext: str, *, site: str = "") -> str:
    """A download name such as 'huddle-review-riverside-L2-2026-10.pdf' (the site key only when given)."""
    parts = [p for p in (site, review.scope) if p and p != "plant"] or ["plant"]
    stem = "-".join(re.sub(r"[^A-Za-z0-9_]+", "-", p).strip("-") or "scope" for p in parts)
    return f"huddle-review-{stem}-{review.month.label}.{ext.lstrip('.').lower()}"


def short_month(month: Period) -> str:
    """'Oct 26', as the bowler's header shows a month."""
    return f"{month_name(month)[:3]} {str(month.first.year)[2:]}"


def cell_icons(status: str, cell: MonthCell | None = None) -> str:
    """The status icon of a value (none for no data, whose dash says it), plus the countermeasure mark on red."""
    if status == "grey":
        return ""
    icon = STATUS_ICONS.get(status, "")
    if cell is not None and cell.red:
        icon += WITH_COUNTERMEASURE if cell.countermeasures else NO_COUNTERMEASURE
    return icon


def cell_words(status: str, cell: MonthCell | None = None) -> str:
    """Icon and word of a status, and on red months whether a countermeasure was raised."""
    words = f"{STATUS_ICONS.get(status, '')} {STATUS_WORDS.get(status, status)}".strip()
    if cell is not None and cell.red:
        n = len(cell.countermeasures)
        words += (f" {WITH_COUNTERMEASURE} {n} countermeasure{'s' if n != 1 else ''}" if n
                  else f" {NO_COUNTERMEASURE} no countermeasure")
    return words


LEGEND = (f"Each month is measured against its own target (the small figure). {STATUS_ICONS['green']} on target · "
          f"{STATUS_ICONS['amber']} near target · {STATUS_ICONS['red']} off target · {STATUS_ICONS['stale']} stale · "
          f"{STATUS_ICONS['incomplete']} incomplete (the month's data covers only part of it) · "
          f"{STATUS_ICONS['check']} check data (a value outside its physical range) · — no data. "
          f"On a red month {STATUS_ICONS['red']}{WITH_COUNTERMEASURE} means a countermeasure was raised "
          f"for it, {STATUS_ICONS['red']}{NO_COUNTERMEASURE} that none was.")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:+.2f}{' pts' if unit == '%' else f' {unit}' if unit else ''}"


def _by_month(review: Review, cells: Iterable[MonthCell]) -> list[MonthCell | None]:
    """Cells in the order of the review's months (None where a month has no reading)."""
    found = {c.reading.period: c for c in cells}
    return [found.get(m.label) for m in review.months]


def _readings_by_month(review: Review, readings: Iterable[Reading]) -> list[Reading | None]:
    found = {r.period: r for r in readings}
    return [found.get(m.label) for m in review.months]


def _month_of(review: Review, cell: MonthCell) -> Period:
    return next((m for m in review.months if m.label == cell.reading.period), review.month)


def _kpis(review: Review) -> dict[str, KpiDef]:
    return {r.kpi.key: r.kpi for r in review.rows} | {s.kpi.key: s.kpi for s in review.lines}


def _kpi_name(review: Review, key: str) -> str:
    kdef = _kpis(review).get(key)
    if kdef is not None:
        return kdef.name
    if review.why is not None and key in review.why.nodes:
        return review.why.nodes[key].name
    return key or "—"


def _baseline(kdef: KpiDef) -> str:
    return format_value(kdef.baseline.value, kdef.unit) if kdef.baseline else "—"


def _trend(row: BowlerRow) -> str:
    return row.trend + (f" · red {row.red_streak} months" if row.red_streak > 1 else "")


def _generated(review: Review) -> str:
    return review.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + " UTC"


@dataclass(frozen=True)
class _Summary:
    """The cover's counts."""

    red_now: list[BowlerRow]
    unanswered: list[BowlerRow]  # red this month without a countermeasure
    missing: list[tuple[BowlerRow, MonthCell]]  # every red month of the 12 without a countermeasure

    def sentence(self, review: Review) -> str:
        """The summary in one sentence."""
        month = month_name(review.month)
        return (f"{_plural(len(self.red_now), 'KPI')} red in {month}; {len(self.unanswered)} of them without a "
                f"countermeasure; {len(review.candidates)} red {CANDIDATE_STREAK} months running (candidates for "
                f"next quarter's objectives); {_plural(len(self.missing), 'red month')} of the last "
                f"{len(review.months)} without a countermeasure.")


def _summary(review: Review) -> _Summary:
    red_now = [r for r in review.rows if r.cells and r.cells[-1].red]
    missing = [(r, c) for r in review.rows for c in r.cells if c.missing_countermeasure]
    return _Summary(red_now, [r for r in red_now if r.cells[-1].missing_countermeasure], missing)


def _status_counts(review: Review) -> list[tuple[str, dict[str, int]]]:
    """Per SQDCM category, how many KPIs are in each status this month."""
    out = []
    for cat in CATEGORIES:
        rows = review.rows_of(cat)
        if not rows:
            continue
        counts = {s: 0 for s in ("green", "amber", "red", "grey")}
        for r in rows:
            status = str(r.cells[-1].reading.status) if r.cells else "grey"
            counts["grey" if status not in counts else status] += 1
        out.append((cat, counts))
    return out


@dataclass(frozen=True)
class _Driver:
    """One row of 'what changed': a KPI's before and after and its share of the root's change."""

    key: str
    name: str
    depth: int
    before: float | None
    after: float | None
    unit: str
    contribution: float


@dataclass(frozen=True)
class _Why:
    """The root's change against the month before, split over its drivers."""

    headline: str
    previous: Period
    root_unit: str
    drivers: list[_Driver]


def _why(review: Review) -> _Why | None:
    view = review.why
    if view is None:
        return None
    kpis = _kpis(review)
    root = view.root
    unit = kpis[root.key].unit if root.key in kpis else root.reading.unit
    before, after = view.before[root.key].value, root.reading.value
    if before is None or after is None:
        return _Why(f"No {root.name} for {month_name(view.previous)} or {month_name(view.period)} to compare.",
                    view.previous, unit, [])
    headline = (f"{root.name} {format_value(before, unit)} → {format_value(after, unit)} "
                f"({_signed(after - before, unit)}) against {month_name(view.previous)}.")
    path = view.biggest_driver_path()
    if len(path) > 1:
        headline += " Most of it from " + ", within it ".join(_kpi_name(review, c.key) for c in path[1:]) + "."
    drivers = []
    for c in view.why:
        if c.contribution is None:
            continue
        node = view.nodes.get(c.key)
        kunit = kpis[c.key].unit if c.key in kpis else node.reading.unit if node else ""
        drivers.append(_Driver(c.key, _kpi_name(review, c.key), node.depth if node else 0, c.before, c.after, kunit,
                               c.contribution))
    return _Why(headline, view.previous, unit, drivers)


def _pareto_columns(report: EventReport, currency: str) -> tuple[list[str], list[list[str]]]:
    """A Pareto's table as the page shows it: headers and formatted rows."""
    stops = report.kind == "stops"
    costed = any(p.cost is not None for p in report.pareto)
    headers = ["Reason" if stops else "Defect" if report.kind == "defects" else "Kind"]
    headers += ["Minutes", "Events"] if stops else ["Units", "Events"] if report.kind == "defects" else ["Events"]
    if costed:
        headers.append(f"Cost ({currency})" if currency else "Cost")
    headers += ["Share", "Cumulative", "Where"]
    rows = []
    for p in report.pareto:
        row = [p.label]
        if stops:
            row += ["" if p.minutes is None else f"{p.minutes:,.0f}", str(p.count)]
        elif report.kind == "defects":
            row += ["" if p.quantity is None else f"{p.quantity:,}", str(p.count)]
        else:
            row.append(str(p.count))
        if costed:
            row.append("" if p.cost is None else f"{p.cost:,.0f} {currency}".strip())
        row += [f"{p.share * 100:.0f} %", f"{p.cumulative * 100:.0f} %", ", ".join(p.lines)]
        rows.append(row)
    return headers, rows


def _chart_rows(report: EventReport) -> list[tuple[str, float, float]]:
    """The largest reasons for the chart: label, minutes, cumulative share."""
    return [(p.label, p.minutes or 0.0, p.cumulative) for p in report.pareto[:CHART_BARS]]


def _action_rows(review: Review) -> list[list[str]]:
    rows = []
    for a in review.actions:
        where = review.scope_name if a.scope == review.scope else a.scope
        status = a.status.replace("_", " ") + (" (overdue)" if a.overdue else "")
        rows.append([a.raised_for.isoformat(), _kpi_name(review, a.kpi) if a.kpi else "—", where, a.what, a.owner,
                     a.due.isoformat(), status, a.result or ""])
    return rows


ACTION_HEADERS = ["Raised for", "KPI", "Where", "What", "Owner", "Due", "Status", "What was done"]


# ---- workbook --------------------------------------------------------------------------------------------------


def _xl_fill(status: str) -> PatternFill:
    colour = STATUS_FILLS.get(status, STATUS_FILLS["grey"]).lstrip("#").upper()
    return PatternFill(fill_type="solid", fgColor=colour, bgColor=colour)


def _xl_number_format(value: float | None, unit: str) -> str:
    """An Excel number format showing a value as ``format_value`` writes it."""
    suffix = f' "{unit.replace(chr(34), "")}"' if unit else ""
    if unit == "%":
        return '0.0" %"'
    if value is None:
        return "General"
    digits = 0 if abs(value) >= 100 or float(value).is_integer() else 2 if abs(value) < 10 else 1
    return "#,##0" + ("." + "0" * digits if digits else "") + suffix


_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill(fill_type="solid", fgColor="DDE3EA", bgColor="DDE3EA")
_MUTED = Font(color="555555", size=9)


def _xl_header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row, col, text)
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def _xl_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _xl_value(ws: Worksheet, row: int, col: int, value: float | None, unit: str, status: str | None = None,
              font: Font | None = None) -> None:
    cell = ws.cell(row, col, value)
    cell.number_format = _xl_number_format(value, unit)
    if status is not None:
        cell.fill = _xl_fill(status)
    if font is not None:
        cell.font = font


def _xl_summary(ws: Worksheet, review: Review) -> None:
    summary = _summary(review)
    ws.title = "Summary"
    ws.cell(1, 1, f"{review.scope_name}: monthly review, {month_name(review.month)}").font = Font(bold=True, size=14)
    facts: list[tuple[str, Any]] = [
        ("Scope", review.scope_name), ("Scope key", review.scope), ("Month", review.month.label),
        ("Months shown", f"{month_name(review.months[0])} to {month_name(review.month)}"),
        ("Generated (UTC)", review.generated_at.astimezone(UTC).replace(tzinfo=None)),
        (f"KPIs red in {month_name(review.month)}", len(summary.red_now)),
        ("of them without a countermeasure", len(summary.unanswered)),
        (f"Red {CANDIDATE_STREAK} months running (candidates)", len(review.candidates)),
        ("Red months without a countermeasure", len(summary.missing)),
    ]
    row = 3
    for label, value in facts:
        ws.cell(row, 1, label).font = _BOLD
        cell = ws.cell(row, 2, value)
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        row += 1
    ws.cell(row, 1, summary.sentence(review))
    row += 2
    ws.cell(row, 1, f"KPIs by status in {month_name(review.month)}").font = Font(bold=True, size=12)
    row += 1
    _xl_header(ws, row, ["Category", *(f"{STATUS_ICONS[s]} {STATUS_WORDS[s]}" for s in ("green", "amber", "red")),
                         f"— {STATUS_WORDS['grey']}"])
    for cat, counts in _status_counts(review):
        row += 1
        ws.cell(row, 1, CATEGORY_NAMES[cat])
        for col, status in enumerate(("green", "amber", "red", "grey"), start=2):
            ws.cell(row, col, counts[status]).fill = _xl_fill(status)
    why = _why(review)
    if why is not None:
        row += 2
        ws.cell(row, 1, f"What changed since {month_name(why.previous)}").font = Font(bold=True, size=12)
        row += 1
        ws.cell(row, 1, why.headline)
        if why.drivers:
            row += 1
            _xl_header(ws, row, ["KPI", month_name(why.previous), month_name(review.month),
                                 f"Share of the change ({'pts' if why.root_unit == '%' else why.root_unit})"])
            for d in why.drivers:
                row += 1
                ws.cell(row, 1, d.name).alignment = Alignment(indent=d.depth)
                _xl_value(ws, row, 2, d.before, d.unit)
                _xl_value(ws, row, 3, d.after, d.unit)
                ws.cell(row, 4, d.contribution).number_format = "+0.00;-0.00;0.00"
    row += 2
    ws.cell(row, 1, "Candidates for next quarter's objectives").font = Font(bold=True, size=12)
    row += 1
    _xl_header(ws, row, ["KPI", "Months red running", "Owner"])
    for r in review.candidates:
        row += 1
        ws.cell(row, 1, r.kpi.name)
        ws.cell(row, 2, r.red_streak)
        ws.cell(row, 3, r.kpi.owner or "")
    row += 2
    ws.cell(row, 1, LEGEND).font = _MUTED
    _xl_widths(ws, [44, 22, 22, 22, 14])


def _xl_bowler(ws: Worksheet, review: Review) -> None:
    fixed = ["Category", "KPI", "Unit", "Owner", "Baseline", "Row"]
    months = [short_month(m) for m in review.months]
    _xl_header(ws, 1, [*fixed, *months, f"YTD {review.month.first.year}", "Trend", "Months red running"])
    first_month, ytd_col = len(fixed) + 1, len(fixed) + len(months) + 1
    row = 1
    for r in review.rows:
        k = r.kpi
        cells = _by_month(review, r.cells)
        for kind in ("value", "target", "status"):
            row += 1
            for col, text in enumerate((CATEGORY_NAMES.get(k.category, k.category), k.name, k.unit, k.owner or ""),
                                       start=1):
                ws.cell(row, col, text)
            if k.baseline:
                _xl_value(ws, row, 5, k.baseline.value, k.unit)
            ws.cell(row, 6, kind)
            for i, cell in enumerate(cells):
                col = first_month + i
                status = str(cell.reading.status) if cell else "grey"
                if kind == "value":
                    _xl_value(ws, row, col, cell.reading.value if cell else None, k.unit, status)
                elif kind == "target":
                    _xl_value(ws, row, col, cell.reading.target if cell else None, k.unit, font=_MUTED)
                else:
                    ws.cell(row, col, cell_words(status, cell)).fill = _xl_fill(status)
            ytd_status = str(r.ytd.status)
            if kind == "value":
                _xl_value(ws, row, ytd_col, r.ytd.value, k.unit, ytd_status)
            elif kind == "target":
                _xl_value(ws, row, ytd_col, r.ytd.target, k.unit, font=_MUTED)
            else:
                ws.cell(row, ytd_col, cell_words(ytd_status)).fill = _xl_fill(ytd_status)
            ws.cell(row, ytd_col + 1, r.trend)
            ws.cell(row, ytd_col + 2, r.red_streak)
    ws.freeze_panes = ws.cell(2, first_month)
    ws.auto_filter.ref = f"A1:{get_column_letter(ytd_col + 2)}{max(row, 2)}"
    _xl_widths(ws, [10, 26, 7, 16, 10, 8, *([13] * len(months)), 13, 11, 10])
    row += 2
    ws.cell(row, 1, LEGEND).font = _MUTED


def _xl_pareto(ws: Worksheet, review: Review, report: EventReport, chart: bool) -> None:
    stops = report.kind == "stops"
    costed = any(p.cost is not None for p in report.pareto)
    headers = ["Reason" if stops else "Defect", "Minutes" if stops else "Units", "Events"]
    if stops and costed:
        headers.append(f"Cost ({review.currency})" if review.currency else "Cost")
    headers += ["Share", "Cumulative", "Where"]
    ws.cell(1, 1, f"{report.title}, {month_name(review.month)}").font = Font(bold=True, size=12)
    _xl_header(ws, 2, headers)
    for i, p in enumerate(report.pareto, start=3):
        values: list[tuple[Any, str]] = [(p.label, "General"),
                                         (p.minutes if stops else p.quantity, "#,##0"),
                                         (p.count, "0")]
        if stops and costed:
            values.append((p.cost, "#,##0"))
        values += [(p.share, "0%"), (p.cumulative, "0%"), (", ".join(p.lines), "General")]
        for col, (value, fmt) in enumerate(values, start=1):
            ws.cell(i, col, value).number_format = fmt
    if not report.pareto:
        ws.cell(3, 1, f"No {'stops' if stops else 'defects'} recorded in {month_name(review.month)}.")
    _xl_widths(ws, [28, 11, 9, 13, 9, 11, 20])
    ws.freeze_panes = "A3"
    if chart and report.pareto:
        bars = BarChart()
        bars.type = "col"
        bars.title = f"Stop minutes by reason, {month_name(review.month)}"
        bars.y_axis.title = "minutes"
        bars.legend = None
        last = 2 + min(len(report.pareto), CHART_BARS)
        bars.add_data(Reference(ws, min_col=2, min_row=2, max_row=last), titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=3, max_row=last))
        bars.height, bars.width = 8, 16
        ws.add_chart(bars, "I2")


def _xl_lines(ws: Worksheet, review: Review) -> None:
    months = [short_month(m) for m in review.months]
    row = 1
    ws.cell(row, 1, "Lines compared: each line on the root KPI and its branches").font = Font(bold=True, size=12)
    for series in review.lines:
        k = series.kpi
        row += 2
        ws.cell(row, 1, f"{k.name} ({k.unit})" if k.unit else k.name).font = Font(bold=True, size=11)
        row += 1
        _xl_header(ws, row, ["Line", "Row", *months])
        first = next(iter(series.by_line.values()), [])
        targets = _readings_by_month(review, first)
        row += 1
        ws.cell(row, 1, "all lines")
        ws.cell(row, 2, "target")
        for i, r in enumerate(targets):
            _xl_value(ws, row, 3 + i, r.target if r else None, k.unit, font=_MUTED)
        for line, readings in series.by_line.items():
            by_month = _readings_by_month(review, readings)
            for kind in ("value", "status"):
                row += 1
                ws.cell(row, 1, line)
                ws.cell(row, 2, kind)
                for i, r in enumerate(by_month):
                    status = str(r.status) if r else "grey"
                    if kind == "value":
                        _xl_value(ws, row, 3 + i, r.value if r else None, k.unit, status)
                    else:
                        ws.cell(row, 3 + i, cell_words(status)).fill = _xl_fill(status)
    if not review.lines:
        ws.cell(3, 1, "No KPI tree is configured, so there is nothing to compare the lines on.")
    _xl_widths(ws, [14, 8, *([13] * len(months))])


def _xl_actions(ws: Worksheet, review: Review) -> None:
    ws.cell(1, 1, "Countermeasures and actions raised in these months").font = Font(bold=True, size=12)
    _xl_header(ws, 2, [*ACTION_HEADERS[:6], "Status", "Overdue", "What was done"])
    row = 2
    for a in review.actions:
        row += 1
        values: list[Any] = [a.raised_for, _kpi_name(review, a.kpi) if a.kpi else "", a.scope, a.what, a.owner, a.due,
                             a.status.replace("_", " "), "yes" if a.overdue else "no", a.result or ""]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if col in (1, 6):
                cell.number_format = "yyyy-mm-dd"
    if not review.actions:
        row += 1
        ws.cell(row, 1, "No actions raised in these months.")
    row += 2
    ws.cell(row, 1, "Red months without a countermeasure").font = Font(bold=True, size=12)
    row += 1
    _xl_header(ws, row, ["Month", "KPI", "Value", "Target", "Owner"])
    for r, cell in _summary(review).missing:
        row += 1
        ws.cell(row, 1, cell.reading.period)
        ws.cell(row, 2, r.kpi.name)
        _xl_value(ws, row, 3, cell.reading.value, r.kpi.unit, "red")
        _xl_value(ws, row, 4, cell.reading.target, r.kpi.unit)
        ws.cell(row, 5, r.kpi.owner or "")
    _xl_widths(ws, [12, 24, 12, 40, 18, 12, 12, 9, 40])


def review_workbook(review: Review) -> bytes:
    """The review's numbers as an Excel workbook: Summary, Bowler, Losses, Defects, Lines and Actions sheets."""
    wb = Workbook()
    wb.properties.creator = "Huddle"
    wb.properties.title = f"Monthly review {review.scope_name} {month_name(review.month)}"
    _xl_summary(wb.active, review)
    _xl_bowler(wb.create_sheet("Bowler"), review)
    _xl_pareto(wb.create_sheet("Losses"), review, review.stops, chart=True)
    _xl_pareto(wb.create_sheet("Defects"), review, review.defects, chart=False)
    _xl_lines(wb.create_sheet("Lines"), review)
    _xl_actions(wb.create_sheet("Actions"), review)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- HTML ------------------------------------------------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1c2733; margin: 24px; font-size: 13px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid #1f4e79; padding-bottom: 2px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.hint, .muted { color: #555; }
.summary { font-size: 15px; max-width: 70em; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid #c9d1d9; padding: 3px 5px; vertical-align: top; text-align: left; }
thead th { background: #dde3ea; }
td.num, th.num { text-align: right; }
.bowler td.m, .bowler td.ytd, .lines td.m { text-align: right; min-width: 5.2em; white-space: nowrap; }
.bowler .cat th { background: #f3f5f7; text-align: left; }
.bv { font-weight: 600; }
.bt { color: #555; font-size: 10px; }
.ic { font-size: 11px; margin-left: 2px; }
.s-green { background: #e3f4e7; } .s-amber { background: #fff1d6; } .s-red { background: #fde4e4; }
.s-grey, .s-stale { background: #eceff1; } .s-incomplete { background: #dde1e5; } .s-check { background: #ffe08a; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { display: inline-block; border: 1px solid #e1e5ea; padding: 6px; }
.legend-key { display: inline-block; margin-right: 12px; }
section { page-break-inside: auto; }
section.page { page-break-before: always; }
@media print { body { margin: 0; font-size: 11px; } }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _h_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Iterable[int] = (),
             cls: str = "grid") -> str:
    num = set(numeric)
    head = "".join(f'<th{" class=num" if i in num else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in num else ""}>{_e(v)}</td>' for i, v in enumerate(r))
                   + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _h_value_cell(value: float | None, target: float | None, unit: str, status: str, cell: MonthCell | None,
                  title: str, cls: str = "m") -> str:
    icons = cell_icons(status, cell)
    icon = f'<span class="ic">{_e(icons)}</span>' if icons else ""
    target_line = f'<div class="bt">target {_e(format_value(target, unit))}</div>' if target is not None else ""
    return (f'<td class="{cls} s-{_e(status)}" title="{_e(title)}: {_e(cell_words(status, cell))}">'
            f'<div class="bv">{_e(format_value(value, unit))}{icon}</div>{target_line}</td>')


def _h_bowler(review: Review) -> str:
    head = ("<tr><th>KPI</th><th>Baseline</th>" + "".join(f"<th>{_e(short_month(m))}</th>" for m in review.months)
            + f"<th>YTD {review.month.first.year}</th><th>Trend</th></tr>")
    body = []
    for cat in CATEGORIES:
        rows = review.rows_of(cat)
        if not rows:
            continue
        body.append(f'<tr class="cat"><th colspan="{len(review.months) + 4}">{_e(cat)} · '
                    f"{_e(CATEGORY_NAMES[cat])}</th></tr>")
        for r in rows:
            k = r.kpi
            cells = []
            for m, cell in zip(review.months, _by_month(review, r.cells), strict=True):
                if cell is None:
                    cells.append(_h_value_cell(None, None, k.unit, "grey", None, f"{k.name} {short_month(m)}"))
                else:
                    cells.append(_h_value_cell(cell.reading.value, cell.reading.target, k.unit,
                                               str(cell.reading.status), cell, f"{k.name} {short_month(m)}"))
            ytd = _h_value_cell(r.ytd.value, r.ytd.target, k.unit, str(r.ytd.status), None,
                                f"{k.name} year to date", "ytd")
            body.append(f'<tr><td><strong>{_e(k.name)}</strong><div class="bt">{_e(k.unit or "value")} · '
                        f'{_e(k.owner or "no owner")}</div></td><td class="num">{_e(_baseline(k))}</td>'
                        f"{''.join(cells)}{ytd}<td>{_e(_trend(r))}</td></tr>")
    return f'<table class="bowler"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _svg_text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", fill: str = "#1c2733",
              rotate: float | None = None) -> str:
    turn = f' transform="rotate({rotate:.0f} {x:.1f} {y:.1f})"' if rotate is not None else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{turn}>'
            f"{_e(text)}</text>")


def _axis(value: float) -> tuple[float, float, int]:
    """A round axis top at or above a value, its step (five to the top) and the decimals its labels need."""
    if value <= 0:
        return 1.0, 0.2, 1
    magnitude = 10.0 ** math.floor(math.log10(value))
    top = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if value <= f * magnitude * (1 + 1e-9))
    step = top / 5
    return top, step, 0 if float(round(step, 9)).is_integer() else 1 if float(round(step * 10, 9)).is_integer() else 2


def _h_pareto_svg(review: Review) -> str:
    """A Pareto of stop minutes as inline SVG: bars largest first, the cumulative share as a line."""
    rows = _chart_rows(review.stops)
    if not rows:
        return ""
    width, height, left, right, top, bottom = 680, 280, 56, 50, 16, 86
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step, digits = _axis(max(m for _l, m, _c in rows))
    slot = plot_w / len(rows)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Stop minutes by reason">', f"<title>Stop minutes by reason, {_e(month_name(review.month))}"
             "</title>"]
    for i in range(6):
        y = top + plot_h * (1 - i * step / top_value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e1e5ea"/>')
        parts.append(_svg_text(left - 6, y + 4, f"{i * step:,.{digits}f}", size=10, anchor="end"))
    for frac in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - frac)
        parts.append(_svg_text(left + plot_w + 6, y + 4, f"{frac * 100:.0f} %", size=10, fill=CUMULATIVE_COLOUR))
    points = []
    for i, (label, minutes, cumulative) in enumerate(rows):
        bar_h = plot_h * minutes / top_value
        x = left + i * slot + slot * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{bar_h:.1f}" fill="{BAR_COLOUR}"><title>{_e(label)}: {minutes:,.0f} min</title></rect>')
        cx = left + (i + 0.5) * slot
        parts.append(_svg_text(cx, top + plot_h - bar_h - 3, f"{minutes:,.0f}", size=10, anchor="middle"))
        shown = label if len(label) <= 22 else label[:21] + "…"
        parts.append(_svg_text(cx, top + plot_h + 12, shown, size=10, anchor="end", rotate=-35))
        points.append(f"{cx:.1f},{top + plot_h * (1 - cumulative):.1f}")
    parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{CUMULATIVE_COLOUR}" stroke-width="2"/>')
    parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="{CUMULATIVE_COLOUR}"/>'
              for p in points]
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>')
    parts.append(_svg_text(12, top + plot_h / 2, "minutes", size=10, anchor="middle", rotate=-90))
    parts.append("</svg>")
    return ('<div class="chart">' + "".join(parts) + '<div class="hint">Bars: minutes lost per reason, largest '
            'first. Line (right scale): cumulative share of all stop minutes.</div></div>')


def _line_range(review: Review, by_line: dict[str, list[Reading]]
                ) -> tuple[dict[str, list[Reading | None]], list[float | None], float, float] | None:
    """A small multiple's readings by month, the target by month and the value range, or None with no values."""
    series = {line: _readings_by_month(review, readings) for line, readings in by_line.items()}
    first = next(iter(series.values()), [])
    targets = [r.target if r else None for r in first]
    values = [r.value for rs in series.values() for r in rs if r and r.value is not None]
    values += [t for t in targets if t is not None]
    if not values:
        return None
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.1 or abs(hi) * 0.05 or 1.0
    return series, targets, lo - pad, hi + pad


def _runs(readings: Sequence[Reading | None]) -> list[list[tuple[int, float]]]:
    """Stretches of months with a value (a line is not drawn across a month without data)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, r in enumerate(readings):
        if r is None or r.value is None:
            runs.append([])
        else:
            runs[-1].append((i, r.value))
    return [run for run in runs if run]


def _h_line_chart(review: Review, kpi: KpiDef, by_line: dict[str, list[Reading]]) -> str:
    """One small multiple: a KPI per line over the months, the target dotted."""
    width, height, left, right, top, bottom = 300, 170, 44, 10, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    found = _line_range(review, by_line)
    if found is None:
        return ""
    series, targets, lo, hi = found
    n = len(review.months)

    def xy(i: int, v: float) -> str:
        x = left + (i + 0.5) * plot_w / n
        return f"{x:.1f},{top + plot_h * (hi - v) / (hi - lo):.1f}"

    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_e(kpi.name)} by line">', _svg_text(left, 14, kpi.name, size=12),
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#c9d1d9"/>',
             _svg_text(left - 4, top + 9, format_value(hi, kpi.unit), size=9, anchor="end"),
             _svg_text(left - 4, top + plot_h, format_value(lo, kpi.unit), size=9, anchor="end"),
             _svg_text(left, height - 18, short_month(review.months[0]), size=9),
             _svg_text(left + plot_w, height - 18, short_month(review.months[-1]), size=9, anchor="end")]
    target_pts = [xy(i, t) for i, t in enumerate(targets) if t is not None]
    if target_pts:
        parts.append(f'<polyline points="{" ".join(target_pts)}" fill="none" stroke="#5b6b7a" stroke-width="1" '
                     'stroke-dasharray="1 3"/>')
    for j, readings in enumerate(series.values()):
        colour, dash = LINE_COLOURS[j % len(LINE_COLOURS)], LINE_DASHES[j % len(LINE_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(readings):
            pts = [xy(i, v) for i, v in run]
            parts.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" stroke-width="2"'
                         f"{dashed}/>")
            parts += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="{colour}"/>' for p in pts]
    x = left
    for j, line in enumerate(series):
        colour, dash = LINE_COLOURS[j % len(LINE_COLOURS)], LINE_DASHES[j % len(LINE_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" y1="{height - 6}" x2="{x + 18}" y2="{height - 6}" stroke="{colour}" '
                     f'stroke-width="2"{dashed}/>')
        parts.append(_svg_text(x + 21, height - 3, line, size=9))
        x += 30 + 6 * len(line)
    parts.append(f'<line x1="{x}" y1="{height - 6}" x2="{x + 18}" y2="{height - 6}" stroke="#5b6b7a" '
                 'stroke-dasharray="1 3"/>')
    parts.append(_svg_text(x + 21, height - 3, "target", size=9))
    parts.append("</svg>")
    return '<div class="chart">' + "".join(parts) + "</div>"


def _h_lines(review: Review) -> str:
    if not review.lines:
        return '<p class="hint">No KPI tree is configured, so there is nothing to compare the lines on.</p>'
    charts = "".join(_h_line_chart(review, s.kpi, s.by_line) for s in review.lines)
    out = [f'<div class="charts">{charts}</div>']
    head = "<tr><th>Line</th>" + "".join(f"<th>{_e(short_month(m))}</th>" for m in review.months) + "</tr>"
    for s in review.lines:
        k = s.kpi
        body = []
        for line, readings in s.by_line.items():
            cells = []
            for m, r in zip(review.months, _readings_by_month(review, readings), strict=True):
                status = str(r.status) if r else "grey"
                cells.append(_h_value_cell(r.value if r else None, r.target if r else None, k.unit, status, None,
                                           f"{k.name} {line} {short_month(m)}"))
            body.append(f"<tr><th>{_e(line)}</th>{''.join(cells)}</tr>")
        out.append(f"<h3>{_e(k.name)}</h3>")
        out.append(f'<table class="lines"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>')
    return "".join(out)


def review_html(review: Review) -> str:
    """The review as one self-contained HTML file: inline CSS and SVG charts, no scripts, nothing fetched."""
    month = month_name(review.month)
    summary = _summary(review)
    title = f"{review.scope_name}: monthly review, {month}"
    counts = _status_counts(review)
    status_rows = [[CATEGORY_NAMES[cat], *(str(c[s]) for s in ("green", "amber", "red", "grey"))]
                   for cat, c in counts]
    status_head = ["Category", *(f"{STATUS_ICONS[s]} {STATUS_WORDS[s]}" for s in ("green", "amber", "red")),
                   f"— {STATUS_WORDS['grey']}"]
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>", "</head>", "<body>",
        "<header>", f"<h1>{_e(title)}</h1>",
        f'<p class="hint">Scope {_e(review.scope_name)} ({_e(review.scope)}) · {_e(month_name(review.months[0]))} '
        f"to {_e(month)} · generated {_e(_generated(review))} by Huddle</p>",
        f'<p class="summary">{_e(summary.sentence(review))}</p>',
        _h_table(status_head, status_rows, numeric=(1, 2, 3, 4)), "</header>",
        '<section class="page" id="bowler">', "<h2>Bowler: every KPI against each month's target</h2>",
        f'<p class="hint">{_e(LEGEND)}</p>', _h_bowler(review), "</section>",
        '<section class="page" id="losses">', f"<h2>Biggest losses in {_e(month)}</h2>",
        f"<h3>{_e(review.stops.title)}</h3>",
    ]
    headers, rows = _pareto_columns(review.stops, review.currency)
    parts += ([_h_pareto_svg(review), _h_table(headers, rows, numeric=range(1, len(headers) - 1))] if rows
              else [f'<p class="hint">No unplanned stops recorded in {_e(month)}.</p>'])
    parts.append(f"<h3>{_e(review.defects.title)}</h3>")
    headers, rows = _pareto_columns(review.defects, review.currency)
    parts.append(_h_table(headers, rows, numeric=range(1, len(headers) - 1)) if rows
                 else f'<p class="hint">No defective units recorded in {_e(month)}.</p>')
    parts.append("</section>")
    why = _why(review)
    if why is not None:
        parts += ['<section id="why">', f"<h2>What changed since {_e(month_name(why.previous))}</h2>",
                  f"<p>{_e(why.headline)}</p>"]
        if why.drivers:
            rows = [["\u2003" * d.depth + d.name, format_value(d.before, d.unit), format_value(d.after, d.unit),
                     _signed(d.contribution, why.root_unit)] for d in why.drivers]
            parts.append(_h_table(["KPI", month_name(why.previous), month, "Share of the change"], rows,
                                  numeric=(1, 2, 3)))
        parts.append("</section>")
    parts += ['<section class="page" id="lines">', "<h2>Lines compared</h2>",
              '<p class="hint">The root KPI and its branches, each line against each month\'s target.</p>',
              _h_lines(review), "</section>",
              '<section class="page" id="actions">', "<h2>Countermeasures and actions</h2>"]
    actions = _action_rows(review)
    parts.append(_h_table(ACTION_HEADERS, actions) if actions
                 else '<p class="hint">No actions raised in these months.</p>')
    parts.append(f"<h3>Red months without a countermeasure ({len(summary.missing)})</h3>")
    missing = [[r.kpi.name, month_name(_month_of(review, c)), format_value(c.reading.value, r.kpi.unit),
                format_value(c.reading.target, r.kpi.unit)] for r, c in summary.missing]
    parts.append(_h_table(["KPI", "Month", "Value", "Target"], missing, numeric=(2, 3)) if missing
                 else '<p class="hint">None: every red month has a countermeasure.</p>')
    parts += ["</section>", '<section id="candidates">', "<h2>Candidates for next quarter's objectives</h2>",
              f'<p class="hint">KPIs red {CANDIDATE_STREAK} months running.</p>']
    candidates = [[r.kpi.name, f"{STATUS_ICONS['red']} red {r.red_streak} months running", r.kpi.owner or "—"]
                  for r in review.candidates]
    parts.append(_h_table(["KPI", "Months red", "Owner"], candidates) if candidates
                 else f'<p class="hint">None: no KPI has been red {CANDIDATE_STREAK} months running.</p>')
    parts += ["</section>", f'<footer class="hint"><p>{_e(review.scope_name)} · {_e(month)} · generated '
              f"{_e(_generated(review))}</p></footer>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


# ---- PDF -------------------------------------------------------------------------------------------------------

PAGE = landscape(A4)
MARGIN = 28.0
WIDTH = PAGE[0] - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
_GRID = colors.HexColor("#b0bac4")
_HEAD = colors.HexColor("#dde3ea")
_CAT = colors.HexColor("#f3f5f7")


@cache
def _symbols() -> tuple[str, frozenset[int]] | None:
    """A registered font for the characters Helvetica lacks (✔ ✖ ▲ →), or None where DejaVu Sans is missing."""
    if not DEJAVU.is_file():
        return None
    try:
        font = TTFont(SYMBOL_FONT, str(DEJAVU))
        pdfmetrics.registerFont(font)
    except Exception:  # an unreadable font file: ASCII stand-ins still make a readable pack
        return None
    return SYMBOL_FONT, frozenset(font.face.charToGlyph)


def _winansi(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return ch >= " "


def _pdf(text: str) -> str:
    """Paragraph markup for plain text: Helvetica where it can (so the words stay searchable in the file), the
    symbol font for the rest, ASCII stand-ins where neither has the character."""
    symbols = _symbols()
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        if _winansi(ch) or ch == "\n":
            if run:
                out.append(f'<font name="{SYMBOL_FONT}">{xml_escape("".join(run))}</font>')
                run = []
            out.append("<br/>" if ch == "\n" else xml_escape(ch))
        elif symbols is not None and ord(ch) in symbols[1]:
            run.append(ch)
        else:
            if run:
                out.append(f'<font name="{SYMBOL_FONT}">{xml_escape("".join(run))}</font>')
                run = []
            out.append(xml_escape(ASCII_STAND_INS.get(ch, "?")))
    if run:
        out.append(f'<font name="{SYMBOL_FONT}">{xml_escape("".join(run))}</font>')
    return "".join(out)


def _plain(text: str) -> str:
    """Text for the canvas and charts (one font): ASCII stand-ins for what Helvetica cannot draw."""
    return "".join(ch if _winansi(ch) else ASCII_STAND_INS.get(ch, "?") for ch in text)


def _style(name: str, size: float, *, bold: bool = False, leading: float | None = None, colour: str = "#1c2733",
           align: int = 0, space_after: float = 0, space_before: float = 0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=BOLD if bold else FONT, fontSize=size, leading=leading or size * 1.2,
                          textColor=colors.HexColor(colour), alignment=align, spaceAfter=space_after,
                          spaceBefore=space_before)


_S = {
    "title": _style("title", 24, bold=True, leading=30, space_after=6),
    "subtitle": _style("subtitle", 14, leading=18, space_after=14, colour="#333333"),
    "h2": _style("h2", 14, bold=True, leading=18, space_after=6, space_before=4, colour="#1f4e79"),
    "h3": _style("h3", 10.5, bold=True, leading=14, space_after=3, space_before=8),
    "body": _style("body", 10, leading=13.5, space_after=6),
    "summary": _style("summary", 12, leading=16, space_after=12),
    "hint": _style("hint", 8, leading=10, colour="#555555", space_after=6),
    "cell": _style("cell", 7.5, leading=9),
    "cellr": _style("cellr", 7.5, leading=9, align=TA_RIGHT),
    "head": _style("head", 7.5, bold=True, leading=9),
    "headr": _style("headr", 7.5, bold=True, leading=9, align=TA_RIGHT),
    "bcell": _style("bcell", 7, leading=8.2, align=TA_RIGHT),
    "bname": _style("bname", 7, leading=8.2),
    "bcat": _style("bcat", 8, bold=True, leading=10),
}


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(_pdf(text), _S[style])


def _grid_style(extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    return TableStyle([("GRID", (0, 0), (-1, -1), 0.3, _GRID), ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                       ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 2), *extra])


def _pdf_table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
               numeric: Iterable[int] = ()) -> Table:
    num = set(numeric)
    data = [[_p(h, "headr" if i in num else "head") for i, h in enumerate(headers)]]
    data += [[_p(v, "cellr" if i in num else "cell") for i, v in enumerate(r)] for r in rows]
    return Table(data, colWidths=list(widths), repeatRows=1, style=_grid_style(), hAlign="LEFT")


def _fill(status: str) -> colors.Color:
    return colors.HexColor(STATUS_FILLS.get(status, STATUS_FILLS["grey"]))


def _pdf_value_cell(value: float | None, target: float | None, kpi: KpiDef, status: str,
                    cell: MonthCell | None) -> Paragraph:
    icons = cell_icons(status, cell)
    markup = f"<b>{_pdf(format_value(value, kpi.unit))}</b>" + (f" {_pdf(icons)}" if icons else "")
    if target is not None:
        # "≥ 85.0 %" rather than the page's "target 85.0 %": twelve months must fit the width of the page
        bound = "≥" if kpi.direction == "higher" else "≤"
        markup += f'<br/><font size="6" color="#555555">{_pdf(bound)} {_pdf(format_value(target, kpi.unit))}</font>'
    return Paragraph(markup, _S["bcell"])


_TIGHT = (("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2))
TARGET_NOTE = "The small figure is the month's target: ≥ at least, ≤ at most."


def _pdf_bowler(review: Review) -> Table:
    n = len(review.months)
    name_w, base_w, trend_w = 82.0, 38.0, 40.0
    month_w = math.floor((WIDTH - name_w - base_w - trend_w) / (n + 1) * 100) / 100  # the year to date as wide
    data: list[list[Any]] = [[_p("KPI", "head"), _p("Baseline", "headr"),
                              *[_p(short_month(m), "headr") for m in review.months],
                              _p(f"YTD {review.month.first.year}", "headr"), _p("Trend", "head")]]
    style: list[tuple[Any, ...]] = [*_TIGHT]
    for cat in CATEGORIES:
        rows = review.rows_of(cat)
        if not rows:
            continue
        r_i = len(data)
        data.append([_p(f"{cat} · {CATEGORY_NAMES[cat]}", "bcat")] + [""] * (n + 3))
        # a category's name never ends a page: it goes over with its first KPI
        style += [("SPAN", (0, r_i), (-1, r_i)), ("BACKGROUND", (0, r_i), (-1, r_i), _CAT),
                  ("NOSPLIT", (0, r_i), (-1, r_i + 1))]
        for r in rows:
            k = r.kpi
            r_i = len(data)
            line: list[Any] = [Paragraph(f"<b>{_pdf(k.name)}</b><br/><font size=\"6\" color=\"#555555\">"
                                         f"{_pdf(k.unit or 'value')} · {_pdf(k.owner or 'no owner')}</font>",
                                         _S["bname"]),
                               _p(_baseline(k), "bcell")]
            for c_i, cell in enumerate(_by_month(review, r.cells), start=2):
                status = str(cell.reading.status) if cell else "grey"
                line.append(_pdf_value_cell(cell.reading.value if cell else None,
                                            cell.reading.target if cell else None, k, status, cell))
                style.append(("BACKGROUND", (c_i, r_i), (c_i, r_i), _fill(status)))
            ytd_status = str(r.ytd.status)
            line.append(_pdf_value_cell(r.ytd.value, r.ytd.target, k, ytd_status, None))
            style.append(("BACKGROUND", (n + 2, r_i), (n + 2, r_i), _fill(ytd_status)))
            line.append(_p(_trend(r), "bname"))
            data.append(line)
    widths = [name_w, base_w, *([month_w] * (n + 1)), trend_w]
    return Table(data, colWidths=widths, repeatRows=1, style=_grid_style(style), hAlign="LEFT")


def _pdf_pareto_chart(review: Review) -> Drawing | None:
    rows = _chart_rows(review.stops)
    if not rows:
        return None
    width, height = 560.0, 215.0
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 70, width - 110, height - 90
    chart.data = [[m for _l, m, _c in rows]]
    chart.categoryAxis.categoryNames = [_plain(lbl if len(lbl) <= 22 else lbl[:21] + "...") for lbl, _m, _c in rows]
    chart.categoryAxis.labels.angle = 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.dx = 4
    chart.categoryAxis.labels.dy = -4
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    top, step, digits = _axis(max(m for _l, m, _c in rows))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.{digits}f}"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e1e5ea")
    chart.bars[0].fillColor = colors.HexColor(BAR_COLOUR)
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: f"{v:,.0f}"
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
    for frac in (0, 0.25, 0.5, 0.75, 1):
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
    drawing.add(String(left, height - 11, _plain(kpi.name), fontName=BOLD, fontSize=8))
    found = _line_range(review, by_line)
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
        drawing.add(String(left - 3, y, _plain(format_value(value, kpi.unit)), fontName=FONT, fontSize=6,
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
        for run in _runs(readings):
            pts = [c for i, v in run for c in xy(i, v)]
            if len(pts) >= 4:
                drawing.add(PolyLine(pts, strokeColor=colour, strokeWidth=1.4, strokeDashArray=dash))
            for k in range(0, len(pts), 2):
                drawing.add(Circle(pts[k], pts[k + 1], 1.8, fillColor=colour, strokeColor=colour))
        drawing.add(Line(x, 6, x + 14, 6, strokeColor=colour, strokeWidth=1.4, strokeDashArray=dash))
        drawing.add(String(x + 17, 3.5, _plain(line), fontName=FONT, fontSize=6))
        x += 24 + pdfmetrics.stringWidth(_plain(line), FONT, 6)
    drawing.add(Line(x, 6, x + 14, 6, strokeColor=grey, strokeWidth=0.8, strokeDashArray=[1, 2]))
    drawing.add(String(x + 17, 3.5, "target", fontName=FONT, fontSize=6))
    return drawing


def _pdf_lines(review: Review) -> list[Flowable]:
    if not review.lines:
        return [_p("No KPI tree is configured, so there is nothing to compare the lines on.", "hint")]
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
        data: list[list[Any]] = [[_p("Line", "head"), *[_p(short_month(m), "headr") for m in review.months]]]
        style: list[tuple[Any, ...]] = []
        for line, readings in s.by_line.items():
            r_i = len(data)
            row: list[Any] = [_p(line, "head")]
            for c_i, r in enumerate(_readings_by_month(review, readings), start=1):
                status = str(r.status) if r else "grey"
                row.append(_pdf_value_cell(r.value if r else None, r.target if r else None, k, status, None))
                style.append(("BACKGROUND", (c_i, r_i), (c_i, r_i), _fill(status)))
            data.append(row)
        table = Table(data, colWidths=[line_w, *([month_w] * n)], repeatRows=1,
                      style=_grid_style([*_TIGHT, *style]), hAlign="LEFT")
        out.append(KeepTogether([_p(f"{k.name} ({k.unit})" if k.unit else k.name, "h3"), table]))
    return out


def _footer_canvas(footer: str) -> type[Canvas]:
    """A canvas that writes the footer and 'page n of m' on every page once the page count is known."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(colors.HexColor("#555555"))
                self.setStrokeColor(_GRID)
                self.setLineWidth(0.4)
                self.line(MARGIN, MARGIN - 8, PAGE[0] - MARGIN, MARGIN - 8)
                self.drawString(MARGIN, MARGIN - 18, _plain(footer))
                self.drawRightString(PAGE[0] - MARGIN, MARGIN - 18, f"page {number} of {total}")
                super().showPage()
            super().save()

    return FooterCanvas


def review_pdf(review: Review) -> bytes:
    """The printed pack: A4 landscape, a footer with scope, month and page on every page, headers repeated."""
    month = month_name(review.month)
    summary = _summary(review)
    story: list[Flowable] = [
        Spacer(1, 40), _p("Monthly KPI review", "title"), _p(f"{review.scope_name} · {month}", "subtitle"),
        _p(f"Scope {review.scope_name} ({review.scope}) · the 12 months {month_name(review.months[0])} to {month} "
           f"· generated {_generated(review)}", "hint"),
        Spacer(1, 8), _p(summary.sentence(review), "summary"),
        _p(f"KPIs by status in {month}", "h3"),
        _pdf_table(["Category", *(f"{STATUS_ICONS[s]} {STATUS_WORDS[s]}" for s in ("green", "amber", "red")),
                    f"— {STATUS_WORDS['grey']}"],
                   [[CATEGORY_NAMES[cat], *(str(c[s]) for s in ("green", "amber", "red", "grey"))]
                    for cat, c in _status_counts(review)], [110, 80, 80, 80, 80], numeric=(1, 2, 3, 4)),
        Spacer(1, 10), _p("In this pack: the bowler; the month's biggest losses; what changed since the month "
                          "before; the lines compared; countermeasures and actions; candidates for next quarter's "
                          "objectives.", "body"),
        _p(f"{LEGEND} {TARGET_NOTE}", "hint"),
        PageBreak(),
        _p("Bowler: every KPI against each month's target", "h2"), _p(f"{LEGEND} {TARGET_NOTE}", "hint"),
        _pdf_bowler(review),
        PageBreak(),
        _p(f"Biggest losses in {month}", "h2"), _p(review.stops.title, "h3"),
    ]
    headers, rows = _pareto_columns(review.stops, review.currency)
    if rows:
        chart = _pdf_pareto_chart(review)
        story += [_pdf_table(headers, rows, [150, *([70] * (len(headers) - 2)), 130],
                             numeric=range(1, len(headers) - 1))]
        if chart is not None:
            story += [Spacer(1, 4), chart, _p("Bars: minutes lost per reason, largest first. Line (right scale): "
                                              "cumulative share of all stop minutes.", "hint")]
    else:
        story.append(_p(f"No unplanned stops recorded in {month}.", "hint"))
    story.append(CondPageBreak(80))
    story.append(_p(review.defects.title, "h3"))
    headers, rows = _pareto_columns(review.defects, review.currency)
    story.append(_pdf_table(headers, rows, [150, *([70] * (len(headers) - 2)), 130],
                            numeric=range(1, len(headers) - 1)) if rows
                 else _p(f"No defective units recorded in {month}.", "hint"))
    why = _why(review)
    if why is not None:
        block: list[Flowable] = [_p(f"What changed since {month_name(why.previous)}", "h2"), _p(why.headline)]
        if why.drivers:
            block.append(_pdf_table(["KPI", month_name(why.previous), month, "Share of the change"],
                                    [["\u00a0\u00a0\u00a0\u00a0" * d.depth + d.name, format_value(d.before, d.unit),
                                      format_value(d.after, d.unit), _signed(d.contribution, why.root_unit)]
                                     for d in why.drivers], [180, 100, 100, 120], numeric=(1, 2, 3)))
        story += [Spacer(1, 6), KeepTogether(block)]
    story += [PageBreak(), _p("Lines compared", "h2"),
              _p("The root KPI and its branches, each line against each month's target.", "hint"),
              *_pdf_lines(review), PageBreak(), _p("Countermeasures and actions", "h2")]
    actions = _action_rows(review)
    story.append(_pdf_table(ACTION_HEADERS, actions, [58, 92, 60, 190, 80, 58, 70, WIDTH - 608]) if actions
                 else _p("No actions raised in these months.", "hint"))
    story += [CondPageBreak(60), _p(f"Red months without a countermeasure ({len(summary.missing)})", "h3")]
    missing = [[r.kpi.name, month_name(_month_of(review, c)), format_value(c.reading.value, r.kpi.unit),
                format_value(c.reading.target, r.kpi.unit), r.kpi.owner or "—"] for r, c in summary.missing]
    story.append(_pdf_table(["KPI", "Month", "Value", "Target", "Owner"], missing, [180, 100, 80, 80, 120],
                            numeric=(2, 3)) if missing
                 else _p("None: every red month has a countermeasure.", "hint"))
    story += [CondPageBreak(80), _p("Candidates for next quarter's objectives", "h2"),
              _p(f"KPIs red {CANDIDATE_STREAK} months running.", "hint")]
    candidates = [[r.kpi.name, f"{STATUS_ICONS['red']} red {r.red_streak} months running", r.kpi.owner or "—"]
                  for r in review.candidates]
    story.append(_pdf_table(["KPI", "Months red", "Owner"], candidates, [180, 140, 120]) if candidates
                 else _p(f"None: no KPI has been red {CANDIDATE_STREAK} months running.", "hint"))

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 12, title=_plain(f"Monthly review {review.scope_name} {month}"),
                            author="Huddle", subject="Monthly KPI review", creator="Huddle", invariant=1,
                            pageCompression=0)
    footer = f"Monthly KPI review · {review.scope_name} ({review.scope}) · {month} · generated {_generated(review)}"
    doc.build(story, canvasmaker=_footer_canvas(footer))
    return out.getvalue()

