"""Huddle records as a download: one row a huddle (tier, scope, shift, when, how long, who came, what was red, the
actions reviewed, the escalations raised, the notes), as CSV and as an Excel workbook. Names and local times as people
read them; every text cell is written as data (``cell_text``), so nothing typed in a huddle runs as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from huddle.dashboard.core.cell_text import cell_text, defuse_workbook
from huddle.dashboard.core.i18n import N_, _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

HEADS = [N_("Tier"), N_("Scope"), N_("Shift"), N_("Started"), N_("Ended"), N_("Minutes"), N_("Attended"),
         N_("Present"), N_("KPIs red"), N_("Actions reviewed"), N_("Escalations raised"), N_("Notes"),
         N_("Recorded by")]


def _row(r: Any, tz: ZoneInfo) -> list[Any]:
    return [r.tier_title, r.scope_name, r.shift_words, r.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            r.ended_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), r.minutes, len(r.attendees),
            ", ".join(r.attendees), ", ".join(f"{k['name']} {k['value']}" for k in r.red_kpis),
            "; ".join(f"{a['what']} ({a['owner']})" for a in r.actions),
            "; ".join(e["sentence"] for e in r.escalations), r.notes, r.recorded_by]


def records_csv(records: Iterable[Any], tz: ZoneInfo) -> bytes:
    """Huddle records (``HuddleRecordView``) as CSV, UTF-8 with a byte-order mark so spreadsheets read umlauts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(h) for h in HEADS])
    for r in records:
        writer.writerow([v if isinstance(v, int | float) else cell_text(v) for v in _row(r, tz)])
    return out.getvalue().encode("utf-8-sig")


def records_workbook(records: Iterable[Any], tz: ZoneInfo) -> bytes:
    """Huddle records as an Excel workbook, one sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Huddles")
    ws.append([_(h) for h in HEADS])
    for r in records:
        ws.append(_row(r, tz))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADS))}{max(1, ws.max_row)}"
    for i in range(1, len(HEADS) + 1):
        width = max((len(str(c.value)) for c in ws[get_column_letter(i)] if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    defuse_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts_sheet(ws: Any, counts: Iterable[Any]) -> None:
    """A workbook sheet of each line's huddles in a month: production shifts, held, missed (``HuddleCount``)."""
    ws.append([_("Line"), _("Production shifts"), _("Held"), _("Missed")])
    for c in counts:
        ws.append([c.line_name, c.shifts, c.held, c.missed])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 30
