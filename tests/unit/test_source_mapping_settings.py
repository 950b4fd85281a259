"""A source's mapping as the plant file gives it (formats, separators, header position, value maps, constants,
joined columns) and the numbers it reads: what is accepted, and what is refused with its place and the setting."""

from __future__ import annotations

from typing import Any

import pytest
from huddle.dashboard.core.plant import ConfigError, parse_plant
from huddle.dashboard.core.source_mapping import SourceMapping, read_mapping, strptime_pattern
from huddle.data.ingest.numbers import ambiguous_number, read_number


def test_formats_are_written_as_people_write_them_or_with_percent_codes() -> None:
    assert strptime_pattern("MM/DD/YYYY") == "%m/%d/%Y"
    assert strptime_pattern("DD.MM.YY") == "%d.%m.%y"
    assert strptime_pattern("h:mm AM") == "%I:%M %p"
    assert strptime_pattern("HH:mm:ss") == "%H:%M:%S"
    assert strptime_pattern("%d/%m/%Y %H:%M") == "%d/%m/%Y %H:%M"
    with pytest.raises(ValueError):
        strptime_pattern("weekday")


def test_a_mapping_read_from_a_source_entry() -> None:
    problems: list[str] = []
    m = read_mapping({"header_cell": "B3", "date_format": "MM/DD/YYYY", "time_format": "h:mm AM", "decimal": ",",
                      "thousands": ".", "values": {"type": {" OSHA Recordable ": "recordable"}},
                      "constants": {"grain": "month", "overtime_hours": 0},
                      "timestamps": {"start": ["Date", "Start Time"]}}, "sources[0]", problems)
    assert problems == []
    assert (m.header_row, m.first_column, m.date_format, m.time_format) == (3, 2, "%m/%d/%Y", "%I:%M %p")
    assert (m.decimal, m.thousands, m.decimal_mark) == (",", ".", ",")
    assert m.values == {"type": {"OSHA Recordable": "recordable"}}
    assert m.constants == {"grain": "month", "overtime_hours": "0"}
    assert m.timestamps == {"start": ("Date", "Start Time")}
    assert m.changes_cells and m.numbers_set
    assert not SourceMapping().changes_cells
    assert SourceMapping(thousands=".").decimal_mark == ","
    assert SourceMapping(thousands=",").decimal_mark == "."


def _plant(**source: Any) -> dict[str, Any]:
    return {
        "site": {"key": "ga", "name": "Greenville", "timezone": "America/New_York"},
        "calendar": {"shifts": [{"key": "A", "start": "06:00", "end": "14:30"}]},
        "areas": [{"key": "pack", "lines": [{"key": "P1", "ideal_cycle_s": 2.0}]}],
        "kpis": [{"key": "oee", "category": "D"}],
        "sources": [{"key": "mes", "kind": "files", "record": "production_counts", "path": "/in", **source}],
    }


@pytest.mark.parametrize(("source", "problem"), [
    ({"date_format": "weekday"}, "sources[0].date_format: 'weekday' is not a format Huddle can read"),
    ({"decimal": ";"}, "sources[0].decimal: expected one of '.', ',', got ';'"),
    ({"decimal": ",", "thousands": ","}, "sources[0].thousands: the same as decimal (',')"),
    ({"header_row": 0}, "sources[0].header_row: expected the line (or sheet row) of the header"),
    ({"header_cell": "3B"}, "sources[0].header_cell: expected the sheet cell of the header's first name, like B3"),
    ({"header_cell": "B3", "header_row": 2}, "sources[0].header_cell: B3 is on row 3, but header_row says 2"),
    ({"timestamps": {"start": "Date"}}, "sources[0].timestamps.start: expected [date column, time column]"),
    ({"values": {"line": ["Filler 1"]}}, "sources[0].values.line: expected a mapping"),
    ({"constants": "month"}, "sources[0].constants: expected a mapping"),
])
def test_a_wrong_mapping_is_a_problem_of_the_plant_file_with_its_place(source: dict[str, Any], problem: str
                                                                       ) -> None:
    with pytest.raises(ConfigError) as err:
        parse_plant(_plant(**source))
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems


def test_a_plant_file_source_carries_its_mapping() -> None:
    config = parse_plant(_plant(header_row=2, thousands=".", values={"line": {"Filler 1": "P1"}}))
    m = config.sources["mes"].mapping
    assert (m.header_row, m.thousands, m.values) == (2, ".", {"line": {"Filler 1": "P1"}})


@pytest.mark.parametrize(("text", "decimal", "thousands", "plain"), [
    ("1.026,5", ",", ".", "1026.5"), ("1.026", ",", ".", "1026"), ("12,5", ",", ".", "12.5"),
    ("1.234.567", ",", ".", "1234567"), ("1,026.5", ".", ",", "1026.5"), ("1 026,5", ",", " ", "1026.5"),
    ("1'026.5", ".", "'", "1026.5"), ("0,125", ",", ".", "0.125"), ("-3", ",", ".", "-3"), ("7", ".", "", "7"),
    ("\u00a012,0 ", ",", ".", "12"),
])
def test_numbers_in_the_source_separators(text: str, decimal: str, thousands: str, plain: str) -> None:
    assert read_number(text, decimal, thousands) == plain


@pytest.mark.parametrize(("text", "decimal", "thousands", "words"), [
    ("1.026", ",", None, 'set thousands: "." if it separates thousands, or decimal: "." if it is the decimal mark'),
    ("1.026", ",", "", 'set thousands: "."'),
    ("1.02", ",", ".", 'does not group thousands by three with the source\'s thousands "."'),
    ("1,5", ".", ",", 'does not group thousands by three with the source\'s thousands ","'),
    ("6,600.5", ",", ".", "has a dot after its decimal comma"),
    ("1,2,3", ",", None, "has more than one decimal comma"),
    ("12 kg", ",", ".", "not a number"),
])
def test_numbers_the_source_settings_do_not_read_name_them(text: str, decimal: str, thousands: str | None,
                                                           words: str) -> None:
    with pytest.raises(ValueError) as err:
        read_number(text, decimal, thousands)
    assert words in str(err.value)


@pytest.mark.parametrize(("text", "decimal_comma", "words"), [
    ("1.026", True, 'set the source\'s thousands: "." (or decimal: ".")'),
    ("2.146", True, "the dot may separate thousands (2146) or be a decimal point"),
    ("1.026,5", True, 'decimal: "," and thousands: "." read 1.026,5 as 1026.5'),
    ("1,026", False, 'set the source\'s thousands: "," if it separates thousands (1026)'),
    ("12,5", False, 'has a decimal comma; set the source\'s decimal: ","'),
])
def test_numbers_that_read_two_ways_without_settings_are_refused(text: str, decimal_comma: bool, words: str
                                                                 ) -> None:
    with pytest.raises(ValueError) as err:
        ambiguous_number(text, decimal_comma)
    assert words in str(err.value)


@pytest.mark.parametrize(("text", "decimal_comma"), [("0.125", True), ("12.5", True), ("1.5", True),
                                                     ("12,5", True), ("1026.5", False), ("1.026", False)])
def test_numbers_that_read_one_way_pass(text: str, decimal_comma: bool) -> None:
    ambiguous_number(text, decimal_comma)
