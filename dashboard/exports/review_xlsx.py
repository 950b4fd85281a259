"""The monthly review's numbers as an Excel workbook: Summary, Bowler, Losses, Defects, Lines and Actions sheets.

The workbook keeps real numbers with number formats that show them as the page does (``format_value`` and the
KPI's unit), so the figures can be reused; words and rows come from ``review_model``. Text that a spreadsheet would
run as a formula is written as text (``core.cell_text``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from huddle.dashboard.core.cell_text import defuse_workbook
from huddle.dashboard.core.format import unit_text
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.plant import CATEGORY_NAMES
from huddle.dashboard.exports.huddle_records import counts_sheet
from huddle.dashboard.exports.review_model import (
    CHART_BARS,
    STATUS_FILLS,
    action_headers,
    cell_words,
    cells_by_month,
    kpi_name,
    legend,
    readings_by_month,
    short_month,
    status_counts,
    status_head,
    summarize,
    what_changed_heading,
    why_changed,
    words,
)
from huddle.dashboard.services.actions import STATUS_WORDS as ACTION_STATUS_WORDS
from huddle.dashboard.services.events import EventReport
from huddle.dashboard.services.review import CANDIDATE_STREAK, Review, month_name
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


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


#: what each row of a KPI holds in the bowler and lines sheets
ROW_WORDS = {"value": N_("value"), "target": N_("target"), "status": N_("status")}


def _xl_summary(ws: Worksheet, review: Review) -> None:
    summary = summarize(review)
    w = words(review)
    ws.title = _("Summary")
    ws.cell(1, 1, w["title"]).font = Font(bold=True, size=14)
    month = month_name(review.month)
    facts: list[tuple[str, Any]] = [
        (_("Scope"), review.scope_name), (_("Scope key"), review.scope), (w["month"], review.month.label),
        (_("Months shown"), _("{first} to {last}").format(first=month_name(review.months[0]), last=month)),
        (_("Generated (UTC)"), review.generated_at.astimezone(UTC).replace(tzinfo=None)),
        (_("KPIs red in {month}").format(month=month), len(summary.red_now)),
        (_("of them without a countermeasure"), len(summary.unanswered)),
        (_("Red {n} months running (candidates)").format(n=CANDIDATE_STREAK), len(review.candidates)),
        (_("Red months without a countermeasure"), len(summary.missing)),
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
    ws.cell(row, 1, w["by_status"]).font = Font(bold=True, size=12)
    row += 1
    _xl_header(ws, row, status_head())
    for cat, counts in status_counts(review):
        row += 1
        ws.cell(row, 1, _(CATEGORY_NAMES[cat]))
        for col, status in enumerate(("green", "amber", "red", "grey"), start=2):
            ws.cell(row, col, counts[status]).fill = _xl_fill(status)
    why = why_changed(review)
    if why is not None:
        row += 2
        ws.cell(row, 1, what_changed_heading(why)).font = Font(bold=True, size=12)
        row += 1
        ws.cell(row, 1, why.headline)
        if why.drivers:
            row += 1
            unit = _("pts") if why.root_unit == "%" else unit_text(why.root_unit)
            _xl_header(ws, row, [w["kpi"], month_name(why.previous), month,
                                 f"{w['share_of_change']} ({unit})"])
            for d in why.drivers:
                row += 1
                ws.cell(row, 1, d.name).alignment = Alignment(indent=d.depth)
                _xl_value(ws, row, 2, d.before, d.unit)
                _xl_value(ws, row, 3, d.after, d.unit)
                ws.cell(row, 4, d.contribution).number_format = "+0.00;-0.00;0.00"
    row += 2
    ws.cell(row, 1, w["candidates"]).font = Font(bold=True, size=12)
    row += 1
    _xl_header(ws, row, [w["kpi"], _("Months red running"), w["owner"]])
    for r in review.candidates:
        row += 1
        ws.cell(row, 1, r.kpi.name)
        ws.cell(row, 2, r.red_streak)
        ws.cell(row, 3, r.kpi.owner or "")
    row += 2
    ws.cell(row, 1, legend()).font = _MUTED
    _xl_widths(ws, [44, 22, 22, 22, 14])


def _xl_bowler(ws: Worksheet, review: Review) -> None:
    w = words(review)
    fixed = [w["category"], w["kpi"], _("Unit"), w["owner"], w["baseline"], _("Row")]
    months = [short_month(m) for m in review.months]
    _xl_header(ws, 1, [*fixed, *months, w["ytd"], w["trend"], _("Months red running")])
    first_month, ytd_col = len(fixed) + 1, len(fixed) + len(months) + 1
    row = 1
    for r in review.rows:
        k = r.kpi
        cells = cells_by_month(review, r.cells)
        for kind in ("value", "target", "status"):
            row += 1
            for col, text in enumerate((_(CATEGORY_NAMES[k.category]) if k.category in CATEGORY_NAMES
                                        else k.category, k.name, unit_text(k.unit), k.owner or ""), start=1):
                ws.cell(row, col, text)
            if k.baseline:
                _xl_value(ws, row, 5, k.baseline.value, k.unit)
            ws.cell(row, 6, _(ROW_WORDS[kind]))
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
            ws.cell(row, ytd_col + 1, _(r.trend))
            ws.cell(row, ytd_col + 2, r.red_streak)
    ws.freeze_panes = ws.cell(2, first_month)
    ws.auto_filter.ref = f"A1:{get_column_letter(ytd_col + 2)}{max(row, 2)}"
    _xl_widths(ws, [10, 26, 7, 16, 10, 8, *([13] * len(months)), 13, 11, 10])
    row += 2
    ws.cell(row, 1, legend()).font = _MUTED


def _xl_pareto(ws: Worksheet, review: Review, report: EventReport, chart: bool) -> None:
    stops = report.kind == "stops"
    costed = any(p.cost is not None for p in report.pareto)
    headers = [_("Reason") if stops else _("Defect"), _("Minutes") if stops else _("Units"), _("Events")]
    if stops and costed:
        headers.append(_("Cost ({currency})").format(currency=review.currency) if review.currency else _("Cost"))
    headers += [_("Share"), _("Cumulative"), _("Where")]
    ws.cell(1, 1, f"{report.title}, {month_name(review.month)}").font = Font(bold=True, size=12)
    _xl_header(ws, 2, headers)
    for i, p in enumerate(report.pareto, start=3):
        values: list[tuple[Any, str]] = [(p.label, "General"),
                                         (p.minutes if stops else p.quantity, "#,##0"),
                                         (p.count, "0")]
        if stops and costed:
            values.append((p.cost, "#,##0"))
        values += [(p.share, "0%"), (p.cumulative, "0%"), (", ".join(p.where or p.lines), "General")]
        for col, (value, fmt) in enumerate(values, start=1):
            ws.cell(i, col, value).number_format = fmt
    if not report.pareto:
        ws.cell(3, 1, words(review)["no_stops" if stops else "no_defects"])
    _xl_widths(ws, [28, 11, 9, 13, 9, 11, 20])
    ws.freeze_panes = "A3"
    if chart and report.pareto:
        bars = BarChart()
        bars.type = "col"
        bars.title = f"{words(review)['stop_minutes']}, {month_name(review.month)}"
        bars.y_axis.title = words(review)["minutes"]
        bars.legend = None
        last = 2 + min(len(report.pareto), CHART_BARS)
        bars.add_data(Reference(ws, min_col=2, min_row=2, max_row=last), titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=3, max_row=last))
        bars.height, bars.width = 8, 16
        ws.add_chart(bars, "I2")


def _xl_lines(ws: Worksheet, review: Review) -> None:
    months = [short_month(m) for m in review.months]
    row = 1
    ws.cell(row, 1, _("Lines compared: each line on the root KPI and its branches")).font = Font(bold=True, size=12)
    for series in review.lines:
        k = series.kpi
        row += 2
        ws.cell(row, 1, f"{k.name} ({k.unit})" if k.unit else k.name).font = Font(bold=True, size=11)
        row += 1
        _xl_header(ws, row, [_("Line"), _("Row"), *months])
        first = next(iter(series.by_line.values()), [])
        targets = readings_by_month(review, first)
        row += 1
        ws.cell(row, 1, _("all lines"))
        ws.cell(row, 2, _(ROW_WORDS["target"]))
        for i, r in enumerate(targets):
            _xl_value(ws, row, 3 + i, r.target if r else None, k.unit, font=_MUTED)
        for line, readings in series.by_line.items():
            by_month = readings_by_month(review, readings)
            for kind in ("value", "status"):
                row += 1
                ws.cell(row, 1, review.place(line))
                ws.cell(row, 2, _(ROW_WORDS[kind]))
                for i, r in enumerate(by_month):
                    status = str(r.status) if r else "grey"
                    if kind == "value":
                        _xl_value(ws, row, 3 + i, r.value if r else None, k.unit, status)
                    else:
                        ws.cell(row, 3 + i, cell_words(status)).fill = _xl_fill(status)
    if not review.lines:
        ws.cell(3, 1, _("No KPI tree is configured, so there is nothing to compare the lines on."))
    _xl_widths(ws, [14, 8, *([13] * len(months))])


def _xl_actions(ws: Worksheet, review: Review) -> None:
    ws.cell(1, 1, _("Countermeasures and actions raised in these months")).font = Font(bold=True, size=12)
    headers = action_headers()
    _xl_header(ws, 2, [*headers[:7], _("Overdue"), headers[7]])
    row = 2
    for a in review.actions:
        row += 1
        values: list[Any] = [a.raised_for, kpi_name(review, a.kpi) if a.kpi else "", review.place(a.scope), a.what,
                             a.owner, a.due,
                             _(ACTION_STATUS_WORDS.get(a.status, a.status)), _("yes") if a.overdue else _("no"),
                             a.result or ""]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if col in (1, 6):
                cell.number_format = "yyyy-mm-dd"
    if not review.actions:
        row += 1
        ws.cell(row, 1, _("No actions raised in these months."))
    row += 2
    ws.cell(row, 1, _("Red months without a countermeasure")).font = Font(bold=True, size=12)
    row += 1
    _xl_header(ws, row, [_("Month"), _("KPI"), _("Value"), _("Target"), _("Owner")])
    for r, cell in summarize(review).missing:
        row += 1
        ws.cell(row, 1, cell.reading.period)
        ws.cell(row, 2, r.kpi.name)
        _xl_value(ws, row, 3, cell.reading.value, r.kpi.unit, "red")
        _xl_value(ws, row, 4, cell.reading.target, r.kpi.unit)
        ws.cell(row, 5, r.kpi.owner or "")
    _xl_widths(ws, [12, 24, 12, 40, 18, 12, 12, 9, 40])


def review_workbook(review: Review) -> bytes:
    """The review's numbers as an Excel workbook: Summary, Bowler, Losses, Defects, Lines and Actions sheets (no
    cell a formula)."""
    wb = Workbook()
    wb.properties.creator = "Huddle"
    wb.properties.title = words(review)["title"]
    _xl_summary(wb.active, review)
    _xl_bowler(wb.create_sheet(_("Bowler")), review)
    _xl_pareto(wb.create_sheet(_("Losses")), review, review.stops, chart=True)
    _xl_pareto(wb.create_sheet(_("Defects")), review, review.defects, chart=False)
    _xl_lines(wb.create_sheet(_("Lines")), review)
    _xl_actions(wb.create_sheet(_("Actions")), review)
    if review.huddles:
        counts_sheet(wb.create_sheet(_("Huddles")), review.huddles)
    defuse_workbook(wb)  # reasons, defects, names and actions come from files and people: never formulas
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

