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
from math import isfinite
from typing import Any

from huddle.dashboard.core.cell_text import cell_text
from huddle.dashboard.core.i18n import N_, _, day_texts, pgettext
from huddle.dashboard.core.names import period_id_words, week_words
from huddle.dashboard.core.okr_scoring import BAND_WORDS, STATUS_WORDS, MonthMark, month_words
from huddle.dashboard.exports.collector import collector_paused
from huddle.dashboard.services.okrs import LEVEL_WORDS, QuarterView
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

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
EXCEL_TEXT_MAX = 32767  # UTF-16 units in a cell
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
    # written by xlsxwriter (openpyxl took 0.8 s for a 20-line plant's quarter, its write-only mode as long as
    # xlsxwriter), the cells in one pass (_sheet); text stays text (no formulas, links or numbers read into it)
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
    _sheet(wb, _("Key results"), [_(h) for h in KEY_RESULT_HEADS], results, bold, styles)
    keys = [k for k, _title in CHECK_IN_COLUMNS]
    _sheet(wb, _("Check-ins"), [_(title) for _key, title in CHECK_IN_COLUMNS],
           [[r[k] for k in keys] for r in map(words.row, rows)], bold)
    wb.set_properties({"title": _("OKR check-ins {quarter}").format(
        quarter=period_id_words(None, view.quarter.label))})
    wb.close()
    return out.getvalue()


class _CellsWritten(Worksheet):
    """A worksheet whose cells ``_sheet`` wrote as XML in one pass. xlsxwriter keeps every cell it is given as an
    object and writes them out on closing: for the 70,000 cells of a 20-line plant's quarter that was 220 of the
    workbook's 270 ms (CPU), in one pass it is 45. The shared strings, formats, column widths, frozen row and filter
    stay xlsxwriter's, and the file is the same byte for byte (tests/unit/test_okr_workbook_sheet.py)."""

    cells_xml = ""

    def hold(self, cells_xml: str, last_row: int, last_col: int) -> None:
        """The sheet's rows as XML, from the first cell (A1) to row ``last_row`` and column ``last_col``."""
        self.cells_xml = cells_xml
        self._check_dimensions(0, 0)
        self._check_dimensions(last_row, last_col)

    def _write_sheet_data(self) -> None:  # xlsxwriter's step that writes the <sheetData> element
        self.fh.write(f"<sheetData>{self.cells_xml}</sheetData>")


def _sheet(wb: Workbook, name: str, heads: list[str], rows: list[list[Any]], bold: Format,
           styles: list[list[Format | None]] | None = None) -> None:
    """Sheet ``name``: headings in bold, then the rows (every text through ``cell_text``, an empty text as an empty
    cell; ``styles``: each cell's format, or None), the heading row frozen with a filter, each column as wide as its
    longest value (8 to 60 characters)."""
    ws = wb.add_worksheet(name, worksheet_class=_CellsWritten)
    shared = ws.str_table._get_shared_string_index  # the workbook's shared strings, as xlsxwriter's write_string
    texts: dict[str, str] = {}  # each distinct text through cell_text once
    formats: dict[Format | None, str] = {None: ""}  # numbered in the order of first use, as xlsxwriter does
    letters = [xl_col_to_name(c) for c in range(len(heads))]
    widths = [len(h) for h in heads]
    table: list[tuple[int, int, int, str]] = []  # (row, first column, last column, its cells) of each row with cells
    for r, values, row_styles in zip(range(len(rows) + 1), [heads, *rows],
                                     [[bold] * len(heads), *(styles or [[None] * len(heads)] * len(rows))],
                                     strict=True):
        row, cells, first, last = r + 1, [], -1, -1
        for c, value, fmt in zip(range(len(heads)), values, row_styles, strict=True):
            style = formats.get(fmt)
            if style is None:
                style = formats[fmt] = f' s="{fmt._get_xf_index()}"'
            if value is None or value == "":
                if not style:
                    continue
                cells.append(f'<c r="{letters[c]}{row}"{style}/>')
            elif isinstance(value, str):
                if len(value) > widths[c]:
                    widths[c] = len(value)
                text = texts.get(value)
                if text is None:
                    text = texts[value] = _excel_text(value)
                cells.append(f'<c r="{letters[c]}{row}"{style} t="s"><v>{shared(text)}</v></c>')
            else:
                if len(str(value)) > widths[c]:
                    widths[c] = len(str(value))
                if not isfinite(value):
                    raise TypeError(f"{name}: not a number Excel holds in row {row}, column {letters[c]}: {value}")
                cells.append(f'<c r="{letters[c]}{row}"{style}><v>{value:.16G}</v></c>')
            if first < 0:
                first = c
            last = c
        if cells:
            table.append((r, first, last, "".join(cells)))
    ws.hold(_rows_xml(table), table[-1][0], len(heads) - 1)
    for c, width in enumerate(widths):
        ws.set_column(c, c, min(60, max(8, width + 2)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(heads) - 1)


def _rows_xml(table: list[tuple[int, int, int, str]]) -> str:
    """The <row> elements of a sheet's rows with cells, each with the span of columns its block of 16 rows uses."""
    spans: dict[int, tuple[int, int]] = {}
    for r, first, last, _cells in table:
        lo, hi = spans.get(r // 16, (first, last))
        spans[r // 16] = (min(lo, first), max(hi, last))
    return "".join(f'<row r="{r + 1}" spans="{spans[r // 16][0] + 1}:{spans[r // 16][1] + 1}">{cells}</row>'
                   for r, _first, _last, cells in table)


def _excel_text(value: str) -> str:
    """``cell_text`` of a text, cut to the 32,767 UTF-16 units an Excel cell holds (as xlsxwriter cuts it)."""
    text = cell_text(value)
    if len(text) > EXCEL_TEXT_MAX // 2 and len(text.encode("utf-16-le", "surrogatepass")) // 2 > EXCEL_TEXT_MAX:
        units = 0
        for i, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > EXCEL_TEXT_MAX:
                return text[:i]
    return text


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
