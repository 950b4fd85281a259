"""The quarter's check-ins as files plants open in a spreadsheet: CSV (every saved version, corrections included)
and an Excel workbook with the same rows plus one sheet of the key results as they stand. Built from the same
read model the OKR page shows (``OkrQuarters.quarter`` and ``OkrQuarters.check_in_rows``). Text a spreadsheet would
run as a formula is written as text (``core.cell_text``). A maintain key result's status is holding or slipping and its
progress empty; a bound key result's KPI is given month by month, each month's status in icon and word.
Headings, sheet names and words (quarter, week with its days, level, status, confidence band, version, the time
saved) are in the language in effect
(``core.i18n.use_language``); numbers stay numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

from huddle.dashboard.core.cell_text import cell_text
from huddle.dashboard.core.i18n import N_, _, day_texts, pgettext
from huddle.dashboard.core.names import period_id_words, week_words
from huddle.dashboard.core.okr_scoring import BAND_WORDS, STATUS_WORDS, MonthMark, month_words
from huddle.dashboard.exports.collector import collector_paused
from huddle.dashboard.services.okrs import LEVEL_WORDS, QuarterView
from xlsxwriter import Workbook

CHECK_IN_COLUMNS = [
    ("quarter", N_("Quarter")), ("objective", N_("Objective")), ("level", N_("Level")), ("scope", N_("Scope")),
    ("key_result", N_("Key result")), ("rule", N_("Rule")), ("unit", N_("Unit")), ("bound_kpi", N_("Bound KPI")),
    ("week", N_("Week")), ("value", N_("Value")), ("confidence", N_("Confidence")),
    ("confidence_band", N_("Confidence band")), ("what_moved", N_("What moved")), ("what_blocks", N_("What blocks")),
    ("author", N_("By")), ("saved_at", N_("Saved (plant time)")), ("version", N_("Version")),
    ("corrects", N_("Corrects check-in")), ("check_in_id", N_("Check-in")),
    ("status_now", N_("Key result status now")), ("kpi_months", N_("Bound KPI by month")),
]
KEY_RESULT_HEADS = [N_("Objective"), N_("Level"), N_("Scope"), N_("Key result"), N_("Rule"), N_("Unit"), N_("Start"),
                    N_("Target"), N_("Weight"), N_("Owner"), N_("Bound KPI"), N_("Now"), N_("Progress"),
                    N_("Expected"), N_("Status"), N_("Confidence"), N_("Last check-in"), N_("Score"),
                    N_("Bound KPI by month")]
STATUS_FILL = {"on track": "C8E6C9", "needs attention": "FFE0B2", "off track": "FFCDD2", "no data": "E0E0E0",
               "holding": "C8E6C9", "slipping": "FFCDD2"}


def checkins_csv(rows: list[dict[str, Any]]) -> bytes:
    """Every check-in version as CSV (UTF-8 with a byte-order mark, so spreadsheets read umlauts right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(title) for _key, title in CHECK_IN_COLUMNS])
    for r in map(_Words().row, rows):
        writer.writerow(["" if r[k] is None else cell_text(r[k]) for k, _title in CHECK_IN_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def checkins_workbook(view: QuarterView, rows: list[dict[str, Any]]) -> bytes:
    """An Excel workbook: the key results as they stand, and every check-in version."""
    with collector_paused():
        return _workbook(view, rows)


def _workbook(view: QuarterView, rows: list[dict[str, Any]]) -> bytes:
    out = io.BytesIO()
    # written by xlsxwriter: a quarter of a 20-line plant is 70,000 cells, which openpyxl made in 0.8 s and
    # xlsxwriter in a quarter of that; text stays text (no formulas, links or numbers read into it)
    wb = Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                        "strings_to_numbers": False})
    bold = wb.add_format({"bold": True})
    percent = wb.add_format({"num_format": "0%"})
    fills = {status: wb.add_format({"pattern": 1, "fg_color": f"#{colour}"}) for status, colour in STATUS_FILL.items()}
    words = _Words()
    results, styles = [], []
    for o in view.objectives:
        for k in o.key_results:
            results.append([o.title, _(LEVEL_WORDS[o.level]), o.scope_name, k.title, k.rule, k.unit, k.start,
                            k.target, k.weight, k.owner, k.kpi or "", k.current, k.progress, k.expected,
                            _(STATUS_WORDS[k.status]), k.confidence,
                            period_id_words(None, k.latest.week) if k.latest else "", k.score,
                            words.months_of(k.months, k.unit)])
            styles.append([*[None] * 12, percent, percent, fills[str(k.status)], None, None, percent, None])
    _sheet(wb.add_worksheet(_("Key results")), [_(h) for h in KEY_RESULT_HEADS], results, bold, styles)
    keys = [k for k, _title in CHECK_IN_COLUMNS]
    _sheet(wb.add_worksheet(_("Check-ins")), [_(title) for _key, title in CHECK_IN_COLUMNS],
           [[r[k] for k in keys] for r in map(words.row, rows)], bold)
    wb.set_properties({"title": _("OKR check-ins {quarter}").format(
        quarter=period_id_words(None, view.quarter.label))})
    wb.close()
    return out.getvalue()


def _sheet(ws: Any, heads: list[str], rows: list[list[Any]], bold: Any, styles: list[list[Any]] | None = None) -> None:
    """Headings in bold, then the rows (every text through ``cell_text``, an empty text as an empty cell; ``styles``:
    each cell's format, or None), the heading row frozen with a filter, each column as wide as its longest value
    (8 to 60 characters)."""
    widths = [len(h) for h in heads]
    for c, head in enumerate(heads):
        ws.write_string(0, c, cell_text(head), bold)
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    plain = [None] * len(heads)
    for r, values in enumerate(rows, start=1):
        for c, value, fmt in zip(range(len(heads)), values, styles[r - 1] if styles else plain, strict=True):
            if value is None or value == "":
                if fmt is not None:
                    write_blank(r, c, None, fmt)
            elif isinstance(value, str):
                if len(value) > widths[c]:
                    widths[c] = len(value)
                write_string(r, c, cell_text(value), fmt)
            else:
                if len(str(value)) > widths[c]:
                    widths[c] = len(str(value))
                write_number(r, c, value, fmt)
    for c, width in enumerate(widths):
        ws.set_column(c, c, min(60, max(8, width + 2)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(heads) - 1)


def months_words(months: list[MonthMark], unit: str) -> str:
    """A bound key result's KPI month by month, each month's status in icon and word ("" when not bound)."""
    return "; ".join(month_words(m, unit) for m in months)


class _Words:
    """Check-in rows in words: the quarter, week ('Week 47, 16–22 Nov'), level, confidence band, version and the time
    each was saved (plant time, 'Fri 20 Nov 2026, 14:00') in the language in effect; each quarter, week, level, band,
    status and key result's months is worded once per file."""

    def __init__(self) -> None:
        self.quarters: dict[str, str] = {}
        self.weeks: dict[str, str] = {}
        self.saved = day_texts(pgettext("date pattern", "EEE d MMM y, HH:mm"))
        self.current, self.corrected = pgettext("version", "current"), _("corrected later")
        self.levels = {level: _(words) for level, words in LEVEL_WORDS.items()}
        self.bands = {band: _(words) for band, words in BAND_WORDS.items()}
        self.statuses = {str(status): _(words) for status, words in STATUS_WORDS.items()}
        self.months: dict[tuple[tuple[MonthMark, ...], str], str] = {}  # each key result's months, worded once
        self.lists: dict[int, tuple[list[MonthMark], str, str]] = {}

    def row(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row with its words."""
        quarter, week, saved = row["quarter"], row["week"], row["saved_at"]
        if quarter not in self.quarters:
            self.quarters[quarter] = period_id_words(None, quarter)
        if week not in self.weeks:
            self.weeks[week] = week_words(week)
        return row | {"quarter": self.quarters[quarter], "week": self.weeks[week],
                      "level": self.levels[row["level"]], "confidence_band": self.bands[row["confidence_band"]],
                      "version": self.corrected if row["version"] == "corrected later" else self.current,
                      "saved_at": self.saved(saved) if saved else "",
                      "status_now": self.statuses[row["status_now"]],
                      "kpi_months": self.months_of(row["kpi_months"], row["kpi_unit"])}

    def months_of(self, months: list[MonthMark], unit: str) -> str:
        """A key result's months in words (``months_words``), worded once per file."""
        # every check-in row of a key result holds the same list: known by identity before hashing its months
        seen = self.lists.get(id(months))
        if seen is not None and seen[0] is months and seen[1] == unit:
            return seen[2]
        key = (tuple(months), unit)
        if key not in self.months:
            self.months[key] = months_words(months, unit)
        self.lists[id(months)] = (months, unit, self.months[key])
        return self.months[key]
