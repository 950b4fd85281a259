"""The OKR workbook's sheets, whose cells are written as XML in one pass (``okr_checkins._sheet``), come out as
xlsxwriter writes the same cells one by one: the same cells, shared strings and formats, so a plant's file reads the
same in every spreadsheet; a text too long for a cell is cut where xlsxwriter cuts it, and a number Excel cannot hold
is refused."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from typing import Any

import pytest
from huddle.dashboard.core.cell_text import cell_text
from huddle.dashboard.exports.okr_checkins import _sheet
from xlsxwriter import Workbook

HEADS = ["Objective", "=Heading", "Value", "Share", "Status", "Note"]
ROWS: list[list[Any]] = [
    ["Scrap down", "=HYPERLINK(\"x\")", 7, 0.25, "on track", " padded "],
    ["Scrap down", "+1", 7.5, None, "", "tab\tand\x07bell"],
    [None, "", None, None, None, None],
    ["Zweite Zeile – Ä & <b>", "-2", -3, 1e-20, "off track", "x" * 40_000],
    ["Scrap down", "@who", True, 12345678901234567, "on track", "🙂" * 20_000],
    *[[f"row {i}", "same", i, i / 7, "on track" if i % 2 else "", ""] for i in range(40)],
    [None, None, None, None, "", None],
]


def parts(build: Any) -> dict[str, str]:
    """The workbook ``build`` writes, as its sheet's cells and dimension, shared strings and formats."""
    out = io.BytesIO()
    wb = Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                        "strings_to_numbers": False})
    bold, percent = wb.add_format({"bold": True}), wb.add_format({"num_format": "0%"})
    fill = wb.add_format({"pattern": 1, "fg_color": "#C8E6C9"})
    styles = [[None, None, None, percent, fill if i % 3 else None, None] for i in range(len(ROWS))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # xlsxwriter warns of the text it cuts
        build(wb, bold, styles)
        wb.close()
    files = zipfile.ZipFile(out)
    sheet = files.read("xl/worksheets/sheet1.xml").decode()
    return {"cells": re.search(r"<sheetData>.*</sheetData>", sheet).group(0),
            "dimension": re.search(r"<dimension [^>]*>", sheet).group(0),
            "strings": files.read("xl/sharedStrings.xml").decode(), "formats": files.read("xl/styles.xml").decode()}


def one_by_one(wb: Any, bold: Any, styles: list[list[Any]]) -> None:
    """The rows through xlsxwriter's own write_string, write_number and write_blank."""
    ws = wb.add_worksheet("Sheet")
    for c, head in enumerate(HEADS):
        ws.write_string(0, c, cell_text(head), bold)
    for r, (values, formats) in enumerate(zip(ROWS, styles, strict=True), start=1):
        for c, (value, fmt) in enumerate(zip(values, formats, strict=True)):
            if value is None or value == "":
                if fmt is not None:
                    ws.write_blank(r, c, None, fmt)
            elif isinstance(value, str):
                ws.write_string(r, c, cell_text(value), fmt)
            else:
                ws.write_number(r, c, value, fmt)


def test_sheet_written_in_one_pass_matches_xlsxwriter_cell_by_cell() -> None:
    made = parts(lambda wb, bold, styles: _sheet(wb, "Sheet", HEADS, ROWS, bold, styles))
    assert made == parts(one_by_one)
    assert "&lt;b&gt;" in made["strings"] and "'=HYPERLINK" in made["strings"]  # escaped, and text kept as text
    assert made["dimension"] == '<dimension ref="A1:F47"/>'  # the last row holds only its empty percent cell


def test_sheet_without_formats_matches_xlsxwriter() -> None:
    def plain(build: Any) -> Any:
        return lambda wb, bold, _styles: build(wb, bold, [[None] * len(HEADS) for _row in ROWS])

    made = parts(plain(lambda wb, bold, _styles: _sheet(wb, "Sheet", HEADS, ROWS, bold)))
    assert made == parts(plain(one_by_one))
    assert made["dimension"] == '<dimension ref="A1:F46"/>'  # an empty last row holds no cell
    assert '<row r="4"' not in made["cells"]


def test_sheet_refuses_a_number_excel_cannot_hold() -> None:
    wb = Workbook(io.BytesIO(), {"in_memory": True})
    with pytest.raises(TypeError, match="row 2, column B"):
        _sheet(wb, "Sheet", ["a", "b"], [[1, float("nan")]], wb.add_format({"bold": True}))
