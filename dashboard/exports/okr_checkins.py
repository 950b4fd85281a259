"""The quarter's check-ins as files plants open in a spreadsheet: CSV (every saved version, corrections included)
and an Excel workbook with the same rows plus one sheet of the key results as they stand. Built from the same
read model the OKR page shows (``OkrQuarters.quarter`` and ``OkrQuarters.check_in_rows``). Text a spreadsheet would
run as a formula is written as text (``core.cell_text``)."""

from __future__ import annotations

import csv
import io
from typing import Any

from huddle.dashboard.core.cell_text import cell_text, defuse_workbook
from huddle.dashboard.services.okrs import QuarterView
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

CHECK_IN_COLUMNS = [
    ("quarter", "Quarter"), ("objective", "Objective"), ("level", "Level"), ("scope", "Scope"),
    ("key_result", "Key result"), ("rule", "Rule"), ("unit", "Unit"), ("bound_kpi", "Bound KPI"), ("week", "Week"),
    ("value", "Value"), ("confidence", "Confidence"), ("confidence_band", "Confidence band"),
    ("what_moved", "What moved"), ("what_blocks", "What blocks"), ("author", "By"), ("saved_at", "Saved (plant time)"),
    ("version", "Version"), ("corrects", "Corrects check-in"), ("check_in_id", "Check-in"),
]
STATUS_FILL = {"on track": "C8E6C9", "needs attention": "FFE0B2", "off track": "FFCDD2", "no data": "E0E0E0"}


def checkins_csv(rows: list[dict[str, Any]]) -> bytes:
    """Every check-in version as CSV (UTF-8 with a byte-order mark, so spreadsheets read umlauts right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in CHECK_IN_COLUMNS])
    for r in rows:
        writer.writerow(["" if r[k] is None else cell_text(r[k]) for k, _ in CHECK_IN_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def checkins_workbook(view: QuarterView, rows: list[dict[str, Any]]) -> bytes:
    """An Excel workbook: the key results as they stand, and every check-in version."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Key results"
    heads = ["Objective", "Level", "Scope", "Key result", "Rule", "Unit", "Start", "Target", "Weight", "Owner",
             "Bound KPI", "Now", "Progress", "Expected", "Status", "Confidence", "Last check-in", "Score"]
    ws.append(heads)
    for o in view.objectives:
        for k in o.key_results:
            ws.append([o.title, o.level, o.scope_name, k.title, k.rule, k.unit, k.start, k.target,
                       k.weight, k.owner, k.kpi or "", k.current, k.progress, k.expected, str(k.status),
                       k.confidence, k.latest.week if k.latest else "", k.score])
            row = ws.max_row
            for col in (13, 14, 18):
                ws.cell(row, col).number_format = "0%"
            ws.cell(row, 15).fill = PatternFill("solid", fgColor=STATUS_FILL[str(k.status)])
    _finish(ws, len(heads))
    checkins = wb.create_sheet("Check-ins")
    checkins.append([title for _, title in CHECK_IN_COLUMNS])
    for r in rows:
        checkins.append([r[k] if r[k] != "" else None for k, _ in CHECK_IN_COLUMNS])
    _finish(checkins, len(CHECK_IN_COLUMNS))
    wb.properties.title = f"OKR check-ins {view.quarter.label}"
    defuse_workbook(wb)  # every text cell, not only the typed ones: scope names and units come from the plant file
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _finish(ws: Any, columns: int) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(1, ws.max_row)}"
    for i in range(1, columns + 1):
        width = max((len(str(c.value)) for c in ws[get_column_letter(i)] if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
