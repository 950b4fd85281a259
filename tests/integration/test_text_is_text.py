"""Nothing leaks out as code: hostile text from export files, the plant file and people (stop reasons, defect
names, line, KPI and site names, action and OKR text) reaches every Excel and CSV export as text and never as a
formula, and every page title, chart, HTML copy and PDF as text and never as markup."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import huddle.dashboard.exports.review_pdf_text as pdf_text
import pytest
from huddle.dashboard.core.cell_text import FORMULA_STARTS, cell_text, defuse_workbook
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.exports.okr_checkins import checkins_csv, checkins_workbook
from huddle.dashboard.exports.review_html import review_html
from huddle.dashboard.exports.review_pdf import review_pdf
from huddle.dashboard.exports.review_xlsx import review_workbook
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.services.review import Review, build_review
from huddle.pages.components import pareto_figure
from huddle.pages.review import lines_figure
from openpyxl import Workbook, load_workbook

from tests.conftest import SMALL_PLANT, Inbox, client_for

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
MONTH = parse_period("month", "2026-10")
EDITOR = Identity("user", "eddie", "editor")

SITE = "</title><script>alert(1)</script> & <b>Plant</b>"
LINE = "<b>Line 1</b> =cmd|' /C calc'!A0"
OEE = '=HYPERLINK("http://evil.example","OEE")'
AREA = "@SUM(1+1) <i>Area</i>"
AVAILABILITY = "<b>Availability</b> & co"
REASONS = ['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)", "<script>alert(2)</script>", "+1+2 & more"]
DEFECTS = ["=cmd|' /C calc'!A0", "-3+4 </title>"]
ACTION_WHAT = '=HYPERLINK("http://evil.example","fix it")'
ACTION_OWNER = "@Tom <b>Becker</b>"
PLANT = (SMALL_PLANT
         .replace("name: Example Plant", f"name: {json.dumps(SITE)}")
         .replace("{key: L1, name: Line 1,", f"{{key: L1, name: {json.dumps(LINE)},")
         .replace("{key: oee, name: OEE,", f"{{key: oee, name: {json.dumps(OEE)},")
         .replace("name: Area A", f"name: {json.dumps(AREA)}")
         .replace("name: Availability,", f"name: {json.dumps(AVAILABILITY)},")
         + '  - {key: quality, kind: files, record: quality_events, path: "${data_dir}/inbox/quality", '
           "settle_seconds: 0}\n")
COUNTS = """line,start,end,product,total,good,planned
L1,2026-09-15 06:00,2026-09-15 14:00,,24000,23800,24000
L1,2026-10-14 06:00,2026-10-14 14:00,,20000,19500,24000
L2,2026-10-14 06:00,2026-10-14 14:00,,23000,22950,24000
"""


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


STOPS = _csv(["line", "start", "end", "reason", "category", "equipment"],
             [["L1", f"2026-10-14 {7 + i:02d}:00", f"2026-10-14 {7 + i:02d}:{10 + 5 * i}", reason, "unplanned",
               "Filler"] for i, reason in enumerate(REASONS)])
QUALITY = _csv(["line", "time", "defect", "quantity", "disposition"],
               [["L1", f"2026-10-14 0{7 + i}:15", defect, str(10 + i), "scrap"] for i, defect in enumerate(DEFECTS)])


@pytest.fixture
def hostile(make_services: Callable[..., Any], database_url: str, tmp_path: Path, inbox: Inbox) -> Any:
    """A plant whose names, reasons, defects, actions and OKRs are written to do harm."""
    plant = tmp_path / "hostile-plant.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=NOW, plant=plant)
    inbox.load(services, counts=COUNTS, stops=STOPS, quality=QUALITY)
    services.actions.raise_action(EDITOR, "L1", ACTION_WHAT, ACTION_OWNER, date(2026, 10, 30), kpi="oee",
                                  raised_for=date(2026, 10, 14), raised_shift="E")
    return services


@pytest.fixture
def review(hostile: Any) -> Review:
    """October's review of the hostile area."""
    made = build_review(hostile, "a", MONTH)
    assert {p.label for p in made.stops.pareto} == set(REASONS)
    assert {p.label for p in made.defects.pareto} == set(DEFECTS)
    return made


def _every_cell(book: Any) -> list[Any]:
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


def _assert_no_formula(book: Any) -> list[str]:
    """No cell of the workbook is a formula or text a spreadsheet would run; returns the texts."""
    texts = []
    for c in _every_cell(book):
        assert c.data_type != "f", f"{c.parent.title}!{c.coordinate} is a formula: {c.value!r}"
        if isinstance(c.value, str):
            assert not c.value.startswith(FORMULA_STARTS), f"{c.parent.title}!{c.coordinate}: {c.value!r}"
            texts.append(c.value)
    return texts


def test_cell_text_keeps_numbers_and_marks_formula_starts() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert cell_text(text) == "'" + text
    for value in (-5, 3.5, None, date(2026, 10, 1), "Filler jam", "'=already text", " =1"):
        assert cell_text(value) == value
    book = Workbook()
    book.active["A1"] = "=1+1"
    book.active["A2"] = -2
    assert book.active["A1"].data_type == "f"  # what openpyxl makes of such text unless told otherwise
    defuse_workbook(book)
    assert book.active["A1"].value == "'=1+1" and book.active["A1"].data_type == "s"
    assert book.active["A2"].value == -2 and book.active["A2"].data_type == "n"


def test_the_review_workbook_has_no_formula_in_any_cell(review: Review) -> None:
    book = load_workbook(io.BytesIO(review_workbook(review)))
    texts = set(_assert_no_formula(book))
    losses = [r[0] for r in book["Losses"].iter_rows(min_row=3, values_only=True)]
    defects = [r[0] for r in book["Defects"].iter_rows(min_row=3, values_only=True)]
    assert {"'" + r if r[0] in "=+-@" else r for r in REASONS} <= set(losses)
    assert {"'" + d for d in DEFECTS} <= set(defects)
    assert {"'" + ACTION_WHAT, "'" + ACTION_OWNER, "'" + OEE} <= texts
    assert isinstance(book["Losses"]["B3"].value, int | float)  # the minutes stay numbers


def test_the_okr_exports_have_no_formula_in_any_cell(hostile: Any) -> None:
    plans = hostile.okr_plans
    objective = plans.save_objective(EDITOR, "2026-Q4", "L1", "=1+1 objective", "@owner")
    key_result = plans.save_key_result(EDITOR, objective, title="-2+3 jams", kind="decrease", start=12, target=4,
                                       unit="+jams", owner="=HYPERLINK(\"http://evil.example\")")
    hostile.okr_check_ins.check_in(EDITOR, key_result, 0, value=10, confidence=6, moved="@SUM(1+1)",
                                   blocks="=cmd|' /C calc'!A0")
    rows = hostile.okrs.check_in_rows("2026-Q4")
    parsed = list(csv.reader(io.StringIO(checkins_csv(rows).decode("utf-8-sig"))))
    cells = [c for row in parsed for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert {"'=1+1 objective", "'-2+3 jams", "'@SUM(1+1)", "'=cmd|' /C calc'!A0"} <= set(cells)
    book = load_workbook(io.BytesIO(checkins_workbook(hostile.okrs.quarter("2026-Q4"), rows)))
    texts = set(_assert_no_formula(book))
    assert {"'=1+1 objective", "'-2+3 jams", "'+jams", "'=HYPERLINK(\"http://evil.example\")"} <= texts


class _Tags(HTMLParser):
    """The start tags and the text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title += data


def _parse(text: str) -> _Tags:
    page = _Tags()
    page.feed(text)
    page.close()
    return page


def test_the_html_copy_shows_hostile_names_as_text(review: Review) -> None:
    page = _parse(review_html(review))
    assert "script" not in page.tags and "b" not in page.tags and "i" not in page.tags
    text = "".join(page.text)
    for words in (*REASONS, *DEFECTS, ACTION_WHAT, ACTION_OWNER, OEE, AVAILABILITY, AREA):
        assert words in text, words


def test_the_review_page_sends_its_tables_of_hostile_names_as_text(review: Review, hostile: Any) -> None:
    from dash import dcc
    from huddle.pages.review import render_review

    def elements(node: Any) -> list[Any]:  # every component of a tree, walked through its children
        if isinstance(node, list | tuple):
            return [e for child in node for e in elements(child)]
        if hasattr(node, "to_plotly_json"):
            return [node, *elements(getattr(node, "children", None))]
        return []

    sent = [e for e in elements(render_review(review, hostile.config)) if isinstance(e, dcc.Markdown)]
    assert len(sent) == 4 and all(e.dangerously_allow_html for e in sent)  # bowler, two loss tables, what changed
    page = _parse("".join(e.children for e in sent))
    assert "script" not in page.tags and "b" not in page.tags and "i" not in page.tags
    text = "".join(page.text)
    for words in (*REASONS, *DEFECTS, OEE, AVAILABILITY):
        assert words in text, words


def test_the_pdf_pack_shows_hostile_names_as_text(review: Review, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []

    class Recorded(pdf_text.OnceAWidth):  # type: ignore[misc,name-defined]
        def __init__(self, text: str, *args: Any, **kwargs: Any) -> None:
            super().__init__(text, *args, **kwargs)
            drawn.append(self.getPlainText())

    monkeypatch.setattr(pdf_text, "OnceAWidth", Recorded)
    assert review_pdf(review).startswith(b"%PDF")
    text = "\n".join(drawn)
    for words in (*REASONS, *DEFECTS, ACTION_WHAT, OEE, AVAILABILITY, AREA):
        assert words in text, words


def test_charts_draw_hostile_names_as_text(review: Review, hostile: Any) -> None:
    figure = pareto_figure(review.stops)
    assert list(figure["data"][0]["x"]) == [p.label for p in review.stops.pareto[:12]]  # a click still names the reason
    drawn = [*figure["layout"]["xaxis"]["ticktext"], *figure["data"][0]["hovertext"]]
    assert all("<" not in t.replace("<br>", "") for t in drawn)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in figure["layout"]["xaxis"]["ticktext"]
    lines = lines_figure(review, hostile.config)
    names = [t["name"] for t in lines["data"]] + [a["text"] for a in lines["layout"]["annotations"]]
    assert html.escape(AVAILABILITY, quote=False) in names and all("<" not in n for n in names)


def test_page_titles_show_the_site_name_as_text(hostile: Any) -> None:
    client = client_for(hostile)
    for path in ("/", "/review", "/no-such-page"):
        body = client.get(path).get_data(as_text=True)
        assert _parse(body).title == f"Huddle · {SITE}", path
        assert "<script>alert(1)" not in body and "</title><script>" not in body, path


def test_the_okr_page_sends_its_objectives_of_hostile_names_as_text(hostile: Any) -> None:
    from tests.integration.test_layer_filter import SHOW_OUTPUTS, post

    plans = hostile.okr_plans
    objective = plans.save_objective(EDITOR, "2026-Q4", "L1", "<script>alert(5)</script> objective",
                                     "<b>owner</b>")
    key_result = plans.save_key_result(EDITOR, objective, title='<img src=x onerror="alert(6)"> jams',
                                       kind="decrease", start=12, target=4, unit="<i>jams</i>",
                                       owner="<a href='javascript:alert(7)'>Ann</a>")
    answer = post(hostile, SHOW_OUTPUTS, [("okr-view", "data", {"quarter": "2026-Q4"}), ("okr-changed", "data", 0),
                                          ("okr-refresh", "n_intervals", None)],
                  [("okr-history-pick", "value", None), ("okr-version", "data", None)])
    sent = answer["okr-objectives-html"]["data"]  # the HTML the browser puts in place as it is
    page = _parse(sent)
    assert not {"script", "img", "b", "i", "a"} & set(page.tags)
    text = "".join(page.text)
    for words in ("<script>alert(5)</script> objective", "owner <b>owner</b>", '<img src=x onerror="alert(6)"> jams',
                  "<a href='javascript:alert(7)'>Ann</a>"):
        assert words in text, words
    assert f'<button class="okr-kr" data-kr="{key_result}"' in sent  # the title's button, for assets/okr.js
