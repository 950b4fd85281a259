"""The monthly review's printed pack and its copies on records loaded through the loaders: the workbook keeps the
page's numbers as numbers, the HTML copy is one self-contained file, the PDF is an A4 pack of several pages with
the same numbers, and all three agree with each other and with the review."""

from __future__ import annotations

import contextlib
import io
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import huddle.dashboard.exports.review_pdf as pdf_pack
import huddle.dashboard.exports.review_pdf_text as pdf_text
import pytest
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.exports.review_html import review_html
from huddle.dashboard.exports.review_model import export_filename
from huddle.dashboard.exports.review_pdf import review_pdf
from huddle.dashboard.exports.review_xlsx import review_workbook
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.review import Review, build_review
from openpyxl import load_workbook
from reportlab.platypus import Paragraph

from tests.conftest import SMALL_PLANT, Inbox

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
MONTH = parse_period("month", "2026-10")
EDITOR = Identity("user", "eddie", "editor")
ACTION = "Replace filler star wheel"
L1 = "{key: L1, name: Line 1, ideal_cycle_s: 1.0}"
L2 = "{key: L2, name: Line 2, ideal_cycle_s: 1.0}"
# the small plant with its OEE tree one level deeper, downtime costs on both lines, a currency, a baseline for OEE
# and a quality source
PLANT = (SMALL_PLANT
         .replace("      - {parent: oee, children: [availability, performance, quality], formula: product}\n",
                  "      - {parent: oee, children: [availability, performance, quality], formula: product}\n"
                  "      - {parent: availability, children: [unplanned_downtime]}\n")
         .replace("timezone: Europe/Berlin}", "timezone: Europe/Berlin, currency: EUR}")
         .replace(L1, L1[:-1] + ", downtime_cost_per_hour: 600}")
         .replace(L2, L2[:-1] + ", downtime_cost_per_hour: 1200}")
         .replace("{key: oee, name: OEE, category: D, target: 85, owner: A, data_source: MES}",
                  "{key: oee, name: OEE, category: D, target: 85, owner: A, data_source: MES, "
                  "baseline: {value: 72, date: 2025-01-01, source: audit}}")
         + '  - {key: quality, kind: files, record: quality_events, path: "${data_dir}/inbox/quality", '
           "settle_seconds: 0}\n")
assert "unplanned_downtime]}" in PLANT and "currency: EUR" in PLANT and "baseline:" in PLANT
# August, September and October early shifts: quality misses its 99.9 % every month (a candidate objective); OEE
# meets 85 % in September and misses it in October, when the filler jams on L1
COUNTS = """line,start,end,product,total,good,planned
L1,2026-08-12 06:00,2026-08-12 14:00,,24000,23800,24000
L1,2026-09-15 06:00,2026-09-15 14:00,,24000,23800,24000
L2,2026-09-15 06:00,2026-09-15 14:00,,25000,24900,24000
L1,2026-10-14 06:00,2026-10-14 14:00,,20000,19500,24000
L1,2026-10-15 06:00,2026-10-15 14:00,,19271,18848,24000
L2,2026-10-14 06:00,2026-10-14 14:00,,23000,22950,24000
"""
STOPS = """line,start,end,reason,category,equipment
L1,2026-09-15 07:00,2026-09-15 07:10,Filler jam,unplanned,Filler
L1,2026-10-14 07:00,2026-10-14 07:30,Filler jam,unplanned,Filler
L1,2026-10-15 10:00,2026-10-15 10:17,Filler jam,unplanned,Filler
L2,2026-10-14 08:00,2026-10-14 08:12,Label misfeed,unplanned,Labeller
L2,2026-10-14 12:00,2026-10-14 12:05,Conveyor,unplanned,Conveyor
"""
QUALITY = """line,time,defect,quantity,disposition
L1,2026-10-14 07:15,Scratch,50,scrap
L2,2026-10-14 10:30,Dent,20,rework
"""
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture
def review(make_services: Callable[..., Any], database_url: str, tmp_path: Path, inbox: Inbox) -> Review:
    """October 2026's review of area a, with one countermeasure raised for OEE."""
    plant = tmp_path / "review-plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=NOW, plant=plant)
    outcomes = inbox.load(services, counts=COUNTS, stops=STOPS, quality=QUALITY)  # no row rejected
    assert sum(f.rows_loaded for o in outcomes for f in o.files) == 13
    services.actions.raise_action(EDITOR, "L1", ACTION, "Tom Becker", date(2026, 10, 30), kpi="oee",
                                  raised_for=date(2026, 10, 15), raised_shift="E")
    made = build_review(services, "a", MONTH)
    # what the exports are checked against: OEE red in October with its countermeasure, a Pareto of three
    # reasons, quality red three months running
    oee = _row(made, "oee").cells[-1]
    assert oee.red and [a.what for a in oee.countermeasures] == [ACTION]
    assert [p.label for p in made.stops.pareto] == ["Filler jam", "Label misfeed", "Conveyor"]
    assert [r.kpi.key for r in made.candidates] == ["quality"] and made.why is not None
    return made


def _row(review: Review, key: str) -> Any:
    return next(r for r in review.rows if r.kpi.key == key)


class _StrictPage(HTMLParser):
    """Reads a page, failing on a tag closed out of order or left open, and collects the tables' cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self.attrs: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag in VOID:
            return
        self.open.append(tag)
        if tag == "table":
            self.tables.append((dict(attrs).get("class") or "", []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else 'nothing'}>")
            return
        self.open.pop()
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _read_html(text: str) -> _StrictPage:
    page = _StrictPage()
    page.feed(text)
    page.close()
    assert page.problems == [] and page.open == [], (page.problems, page.open)
    return page


def _sheet_rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def _bowler_cell(ws: Any, kpi_name: str, kind: str, month_header: str) -> Any:
    header = [c.value for c in ws[1]]
    col = header.index(month_header) + 1
    for row in ws.iter_rows(min_row=2):
        if row[1].value == kpi_name and row[5].value == kind:
            return ws.cell(row[0].row, col)
    raise AssertionError(f"no {kind} row for {kpi_name}")


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_workbook_keeps_the_pages_numbers_as_numbers(review: Review) -> None:
    wb = load_workbook(io.BytesIO(review_workbook(review)))
    assert wb.sheetnames == ["Summary", "Bowler", "Losses", "Defects", "Lines", "Actions", "Huddles"]
    bowler = wb["Bowler"]
    oee = _row(review, "oee")
    october, september = oee.cells[-1].reading, oee.cells[-2].reading
    value = _bowler_cell(bowler, "OEE", "value", "Oct 26")
    assert isinstance(value.value, float) and value.value == pytest.approx(october.value, rel=1e-14)
    assert value.number_format == '0.0" %"' and value.fill.fgColor.rgb.endswith("FDE4E4")  # red fill
    assert _bowler_cell(bowler, "OEE", "value", "Sep 26").value == pytest.approx(september.value, rel=1e-14)
    assert _bowler_cell(bowler, "OEE", "value", "Sep 26").fill.fgColor.rgb.endswith("E3F4E7")  # green fill
    assert _bowler_cell(bowler, "OEE", "target", "Oct 26").value == october.target == 85
    assert _bowler_cell(bowler, "OEE", "status", "Oct 26").value == "✗ off target • 1 countermeasure"
    assert _bowler_cell(bowler, "Quality", "status", "Oct 26").value == "✗ off target ! no countermeasure"
    assert _bowler_cell(bowler, "OEE", "value", "YTD 2026").value == pytest.approx(oee.ytd.value)
    assert _bowler_cell(bowler, "OEE", "value", "Jan 26").value is None  # no data is not zero
    assert [r[4] for r in _sheet_rows(bowler) if r[1] == "OEE"] == [72, 72, 72]  # the baseline
    losses = [r for r in _sheet_rows(wb["Losses"])[2:] if r[0]]
    assert [(r[0], r[1], r[2], r[3]) for r in losses] == [(p.label, p.minutes, p.count, p.cost)
                                                          for p in review.stops.pareto]
    assert _sheet_rows(wb["Losses"])[1][3] == "Cost (EUR)" and len(wb["Losses"]._charts) == 1
    assert [(r[0], r[1]) for r in _sheet_rows(wb["Defects"])[2:]] == [("Scratch", 50), ("Dent", 20)]
    actions = _sheet_rows(wb["Actions"])
    raised = next(r for r in actions if r[3] == ACTION)
    assert raised[:3] == (datetime(2026, 10, 15), "OEE", "Line 1")
    assert raised[4:8] == ("Tom Becker", datetime(2026, 10, 30), "open", "yes")
    missing = [(r[0], r[1]) for r in actions[actions.index(("Red months without a countermeasure",) + (None,) * 8):]
               if r[0] and re.fullmatch(r"\d{4}-\d{2}", str(r[0]))]
    assert ("2026-10", "Quality") in missing and ("2026-10", "OEE") not in missing  # OEE has its countermeasure
    lines = _sheet_rows(wb["Lines"])
    l1_oee = lines[next(i for i, r in enumerate(lines) if r[0] == "OEE (%)") + 3]
    assert l1_oee[:2] == ("Line 1", "value")
    assert l1_oee[-1] == pytest.approx(review.lines[0].by_line["L1"][-1].value, rel=1e-14)
    cover = _sheet_rows(wb["Summary"])
    summary = {r[0]: r[1] for r in cover if r[0]}
    assert summary["KPIs red in October 2026"] == len([r for r in review.rows if r.cells[-1].red]) == 4
    assert summary["Generated (UTC)"] == datetime(2026, 11, 20, 20, 0)
    candidates = next(i for i, r in enumerate(cover) if r[0] == "Candidates for next quarter's objectives")
    assert cover[candidates + 2][:3] == ("Quality", 3, "A")  # red three months running


def test_the_html_copy_is_one_self_contained_file(review: Review) -> None:
    text = review_html(review)
    page = _read_html(text)
    assert text.startswith("<!DOCTYPE html>") and "<style>" in text
    assert not re.search(r"https?:", text) and "<script" not in text and "<link" not in text and "url(" not in text
    assert not [a for a in page.attrs if a[1] in ("src", "href")]  # nothing fetched, nothing to follow
    bowler = next(rows for cls, rows in page.tables if cls == "bowler")
    oee = next(r for r in bowler if r[0].startswith("OEE"))
    october = _row(review, "oee").cells[-1].reading
    assert oee[13].startswith(format_value(october.value, "%") + "✗•") and oee[13].endswith("target 85.0 %")
    quality = next(r for r in bowler if r[0].startswith("Quality"))
    assert "✗!" in quality[13] and oee[1] == "72.0 %"
    stops = next(rows for _cls, rows in page.tables if rows and rows[0][0] == "Reason")
    assert stops[1][:4] == ["Filler jam", "47", "2", "470 EUR"] and stops[1][4:6] == ["73 %", "73 %"]
    pareto_svg = re.search(r'<svg[^>]*aria-label="Stop minutes by reason".*?</svg>', text, re.S)
    assert pareto_svg and pareto_svg.group().count("<rect ") == len(review.stops.pareto)  # a bar a reason, inline
    actions = next(rows for _cls, rows in page.tables if rows and rows[0][0] == "Raised for")
    assert actions[1][:7] == ["2026-10-15", "OEE", "Line 1", ACTION, "Tom Becker", "2026-10-30", "open (overdue)"]
    assert "OEE 96.6 % → 81.1 % (-15.54 pts) against September 2026. Most of it from Performance." in text
    assert "generated 2026-11-20 20:00 UTC" in text


def test_the_pdf_pack_is_a4_landscape_with_the_same_numbers(review: Review) -> None:
    started = time.perf_counter()
    pdf = review_pdf(review)
    took = time.perf_counter() - started
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    pages = _page_count(pdf)
    assert pages >= 3
    assert re.search(rb"/MediaBox \[\s*0 0 841\.889\d* 595\.275\d*\s*\]", pdf)  # A4 landscape
    october = _row(review, "oee").cells[-1].reading
    assert f"({format_value(october.value, '%')})".encode() in pdf  # the bowler's cell, written as it is
    assert ACTION.encode() in pdf and b"(Filler jam)" in pdf and b"Tom Becker" in pdf
    assert f"(page {pages} of {pages})".encode() in pdf and b"(page 1 of" in pdf
    assert b"Monthly KPI review \\267 Area A \\(a\\) \\267 October 2026" in pdf  # the footer, · escaped
    assert b"/FlateDecode" not in pdf  # uncompressed, so words can be found in the file
    assert review_pdf(review) == pdf  # the same review makes the same file
    assert took < 10  # a few tenths of a second here; the bench measures it properly


def test_the_numbers_agree_across_the_three_exports(review: Review) -> None:
    wb = load_workbook(io.BytesIO(review_workbook(review)))
    bowler_html = next(rows for cls, rows in _read_html(review_html(review)).tables if cls == "bowler")
    pdf = review_pdf(review)
    months = [c.value for c in wb["Bowler"][1]][6:18]
    checked = 0
    for row in review.rows:
        html_row = next(r for r in bowler_html if r[0].startswith(row.kpi.name))
        for i, cell in enumerate(row.cells):
            if cell.reading.value is None:
                continue
            shown = format_value(cell.reading.value, row.kpi.unit)
            xl = _bowler_cell(wb["Bowler"], row.kpi.name, "value", months[i])
            assert xl.value == pytest.approx(cell.reading.value, rel=1e-14)  # 16 digits are kept
            assert format_value(xl.value, row.kpi.unit) == shown
            assert html_row[2 + i].startswith(shown)
            assert f"({shown})".encode() in pdf
            checked += 1
    assert checked == 18  # six KPIs with data in August, September and October


def test_a_long_bowler_fits_the_width_and_repeats_its_header_on_each_page(review: Review) -> None:
    long = replace(review, rows=[replace(r, kpi=replace(r.kpi, name=f"{r.kpi.name} of the whole packing hall {i}",
                                                         owner="Bowler Owner"))
                                 for i in range(8) for r in review.rows])
    table = pdf_pack._pdf_bowler(long)
    width, _height = table.wrap(pdf_pack.WIDTH, pdf_pack.PAGE[1])
    assert width <= pdf_pack.WIDTH  # twelve months, year to date and trend on A4 landscape
    pdf = review_pdf(long)
    assert _page_count(pdf) > _page_count(review_pdf(review))
    pages = [s for s in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S) if b" Tj" in s]
    bowler = [p for p in pages if b"\\267 Bowler Owner)" in p]  # "unit · owner" under a KPI's name
    assert len(bowler) >= 2 and all(b"(Nov 25)" in p and b"(YTD 2026)" in p for p in bowler)


def test_without_a_symbol_font_the_pdf_marks_red_months_in_ascii(review: Review,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_text, "DEJAVU", Path("/nonexistent/DejaVuSans.ttf"))
    pdf_text.symbols.cache_clear()
    try:
        pdf = review_pdf(review)
    finally:
        pdf_text.symbols.cache_clear()
    assert b"DejaVu" not in pdf and _page_count(pdf) >= 3
    assert b"X!" in pdf  # quality's red months without a countermeasure
    assert re.search(rb"\( X\\(177|225)\) Tj", pdf)  # OEE's October: off target, with a countermeasure (the •)


def test_export_filenames() -> None:
    stub: Any = type("R", (), {"scope": "L2", "month": parse_period("month", "2026-10")})()
    assert export_filename(stub, "pdf", site="riverside") == "huddle-review-riverside-L2-2026-10.pdf"
    assert export_filename(stub, ".XLSX") == "huddle-review-L2-2026-10.xlsx"
    stub.scope = "plant"
    assert export_filename(stub, "html", site="riverside") == "huddle-review-riverside-2026-10.html"
    stub.scope = "a/b c"
    assert export_filename(stub, "pdf") == "huddle-review-a-b-c-2026-10.pdf"


def test_cells_that_share_a_paragraph_make_the_same_file(review: Review, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = review_pdf(review)
    monkeypatch.setattr(pdf_pack, "one_document", contextlib.nullcontext)  # a paragraph for every cell
    monkeypatch.setattr(pdf_text, "OnceAWidth", Paragraph)  # its lines broken at every wrap
    assert review_pdf(review) == shared
