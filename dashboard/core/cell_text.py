"""Text for spreadsheets: what a file, the plant file or a person wrote stays data in every Excel and CSV export.

A spreadsheet runs a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``
sends the reader's click elsewhere, ``=cmd|' /C calc'!A0`` asks to start a program), and a leading tab or carriage
return hides such a start from a quick look. Such text is written with an apostrophe in front, the spreadsheets' own
mark for "this is text"; numbers, dates and other values are written as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> Any:
    """``value`` as a spreadsheet cell takes it without running it: text that would start a formula gets a leading
    apostrophe; anything that is not text is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_texts(values: Iterable[Any]) -> list[Any]:
    """``cell_text`` of each value of a row."""
    return [cell_text(v) for v in values]


def defuse_workbook(workbook: Any) -> Any:
    """Every text cell of an openpyxl workbook through ``cell_text`` (a text that openpyxl took for a formula
    included), so that no cell of an exported workbook is a formula; returns the workbook."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = cell_text(cell.value)
    return workbook
