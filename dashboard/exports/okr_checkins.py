"""The quarter's check-ins as files plants open in a spreadsheet: CSV (every saved version, corrections included)
and an Excel workbook with the same rows plus one sheet of the key results as they stand. Built from the same
read model the OKR page shows (``OkrQuarters.quarter`` and ``OkrQuarters.check_in_rows``). Text a spreadsheet would
run as a formula is written as text (``core.cell_text``). Headings, sheet names and words (quarter, week with its
days, level, status, confidence band, version, the time saved) are in the language in effect
(``core.i18n.use_language``); numbers stay numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

from huddle.dashboard.core.cell_text import cell_text, defuse_workbook
from huddle.dashboard.core.i18n import N_, _, day_text, pgettext
from huddle.dashboard.core.names import period_id_words, week_words
from huddle.dashboard.core.okr_scoring import BAND_WORDS, STATUS_WORDS
from huddle.dashboard.services.okrs import LEVEL_WORDS, QuarterView
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

CHECK_IN_COLUMNS = [
    ("quarter", N_("Quarter")), ("objective", N_("Objective")), ("level", N_("Level")), ("scope", N_("Scope")),
    ("key_result", N_("Key result")), ("rule", N_("Rule")), ("unit", N_("Unit")), ("bound_kpi", N_("Bound KPI")),
    ("week", N_("Week")), ("value", N_("Value")), ("confidence", N_("Confidence")),
    ("confidence_band", N_("Confidence band")), ("what_moved", N_("What moved")), ("what_blocks", N_("What blocks")),
    ("author", N_("By")), ("saved_at", N_("Saved (plant time)")), ("version", N_("Version")),
    ("corrects", N_("Corrects check-in")), ("check_in_id", N_("Check-in")),
]
KEY_RESULT_HEADS = [N_("Objective"), N_("Level"), N_("Scope"), N_("Key result"), N_("Rule"), N_("Unit"), N_("Start"),
                    N_("Target"), N_("Weight"), N_("Owner"), N_("Bound KPI"), N_("Now"), N_("Progress"),
                    N_("Expected"), N_("Status"), N_("Confidence"), N_("Last check-in"), N_("Score")]
STATUS_FILL = {"on track": "C8E6C9", "needs attention": "FFE0B2", "off track": "FFCDD2", "no data": "E0E0E0"}


def checkins_csv(rows: list[dict[str, Any]]) -> bytes:
    """Every check-in version as CSV (UTF-8 with a byte-order mark, so spreadsheets read umlauts right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(title) for _key, title in CHECK_IN_COLUMNS])
    for r in map(_in_words, rows):
        writer.writerow(["" if r[k] is None else cell_text(r[k]) for k, _title in CHECK_IN_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def checkins_workbook(view: QuarterView, rows: list[dict[str, Any]]) -> bytes:
    """An Excel workbook: the key results as they stand, and every check-in version."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Key results")
    heads = [_(h) for h in KEY_RESULT_HEADS]
    ws.append(heads)
    for o in view.objectives:
        for k in o.key_results:
            ws.append([o.title, _(LEVEL_WORDS[o.level]), o.scope_name, k.title, k.rule, k.unit, k.start, k.target,
                       k.weight, k.owner, k.kpi or "", k.current, k.progress, k.expected, _(STATUS_WORDS[k.status]),
                       k.confidence, period_id_words(None, k.latest.week) if k.latest else "", k.score])
            row = ws.max_row
            for col in (13, 14, 18):
                ws.cell(row, col).number_format = "0%"
            ws.cell(row, 15).fill = PatternFill("solid", fgColor=STATUS_FILL[str(k.status)])
    _finish(ws, len(heads))
    checkins = wb.create_sheet(_("Check-ins"))
    checkins.append([_(title) for _key, title in CHECK_IN_COLUMNS])
    for r in map(_in_words, rows):
        checkins.append([r[k] if r[k] != "" else None for k, _title in CHECK_IN_COLUMNS])
    _finish(checkins, len(CHECK_IN_COLUMNS))
    wb.properties.title = _("OKR check-ins {quarter}").format(quarter=period_id_words(None, view.quarter.label))
    defuse_workbook(wb)  # every text cell, not only the typed ones: scope names and units come from the plant file
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _in_words(row: dict[str, Any]) -> dict[str, Any]:
    """A check-in row with its quarter, week ('Week 47, 16–22 Nov'), level, confidence band, version and the time it
    was saved (plant time, 'Fri 20 Nov 2026, 14:00') in the language in effect."""
    version = _("corrected later") if row["version"] == "corrected later" else pgettext("version", "current")
    saved = row["saved_at"]
    return row | {"quarter": period_id_words(None, row["quarter"]), "week": week_words(row["week"]),
                  "level": _(LEVEL_WORDS[row["level"]]), "confidence_band": _(BAND_WORDS[row["confidence_band"]]),
                  "version": version,
                  "saved_at": day_text(saved, pgettext("date pattern", "EEE d MMM y, HH:mm")) if saved else ""}


def _finish(ws: Any, columns: int) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(1, ws.max_row)}"
    for i in range(1, columns + 1):
        width = max((len(str(c.value)) for c in ws[get_column_letter(i)] if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
