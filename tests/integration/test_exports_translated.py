"""The monthly review's PDF pack, HTML copy and workbook speak the plant's language (docs/languages.md): every word
of the HTML copy and the workbook goes through the catalogue (the pseudo-language test of the pages, applied to
them), and a German plant's PDF reads German with decimal commas, as does its copy downloaded from the API."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from huddle.dashboard.core.i18n import use_language
from huddle.dashboard.exports.review_html import review_html
from huddle.dashboard.exports.review_pdf import review_pdf
from huddle.dashboard.exports.review_xlsx import review_workbook
from huddle.dashboard.services.review import build_review, last_full_month
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.integration.test_pages_translated import plants_own_words, pseudo, untranslated

__all__ = ["pseudo"]  # the fixture, used by name
TAG = re.compile(r"<[^>]+>")


def _review(services: Any) -> Any:
    return build_review(services, "plant", last_full_month(services.config, services.clock()))


def _own(services: Any, review: Any) -> list[str]:
    own = plants_own_words(services) + [p.label for p in (*review.stops.pareto, *review.defects.pareto)]
    own += [w for a in review.actions for w in (a.what, a.owner, a.result or "")]
    own += [f"huddle-review-{review.scope}", "Huddle", "UTC", "DejaVu", "Segoe", "Arial", "sans-serif"]
    return sorted({w for w in own if w}, key=len, reverse=True)


def test_the_html_copy_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    review = _review(demo_services)
    page = review_html(review)
    body = page.split("</head>", 1)[1]  # the stylesheet's words are CSS, not text
    texts = [html.unescape(t) for t in TAG.split(body) if t.strip()]
    texts += [html.unescape(t) for t in re.findall(r'(?:title|aria-label)="([^"]*)"', body)]
    left = untranslated(texts, _own(demo_services, review))
    assert not left, f"{len(left)} texts of the HTML copy bypass the catalogue:\n" + "\n".join(sorted(set(left)))


def test_the_workbook_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    review = _review(demo_services)
    book = load_workbook(io.BytesIO(review_workbook(review)))
    texts = [ws.title for ws in book.worksheets]
    texts += [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str)]
    left = untranslated(texts, [*_own(demo_services, review), review.scope])  # the "Scope key" row: its key
    assert not left, f"{len(left)} texts of the workbook bypass the catalogue:\n" + "\n".join(sorted(set(left)))


def test_a_german_plants_pdf_pack_reads_german(demo_services: Any) -> None:
    review_de = None
    with use_language("de"):
        review_de = _review(demo_services)
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(review_pdf(review_de))).pages)
    assert "Monatliches KPI-Review" in text and "Seite 1 von" in text and "Größte Verluste" in text
    assert re.search(r"\d+,\d %", text)  # decimal commas
    for english in ("Monthly KPI review", "Biggest losses", "page 1 of", "Countermeasures and actions"):
        assert english not in text


def test_a_german_plants_okr_check_ins_read_german(demo_services: Any) -> None:
    from huddle.dashboard.demo import demo_okrs
    from huddle.dashboard.exports.okr_checkins import checkins_csv, checkins_workbook

    assert demo_okrs(demo_services) > 0
    with use_language("de"):
        quarter = demo_services.okrs.current_quarter().label
        view, rows = demo_services.okrs.quarter(quarter), demo_services.okrs.check_in_rows(quarter)
        book = load_workbook(io.BytesIO(checkins_workbook(view, rows)))
        csv_head = checkins_csv(rows).decode("utf-8-sig").splitlines()[0]
    assert book.sheetnames == ["Schlüsselergebnisse", "Check-ins"]
    heads = [c.value for c in book["Schlüsselergebnisse"][1]]
    assert heads[:4] == ["Ziel", "Ebene", "Bereich", "Schlüsselergebnis"] and "Zuversicht" in heads
    check_ins = [c.value for c in book["Check-ins"][1]]
    assert csv_head.split(",") == check_ins
    assert {"Quartal", "Woche", "Wert", "Zuversicht", "Was sich bewegt hat", "Gespeichert (Werkszeit)"} <= {
        *check_ins}
    for english in ("Key result", "Objective", "Confidence", "What moved", "Week", "Value"):
        assert english not in heads + check_ins
    first = next(book["Check-ins"].iter_rows(min_row=2, values_only=True))
    assert isinstance(first[check_ins.index("Wert")], int | float)  # numbers stay numbers for the spreadsheet
    week, saved = first[check_ins.index("Woche")], first[check_ins.index("Gespeichert (Werkszeit)")]
    assert week.startswith("KW ") and "W4" not in week and "-" not in week  # 'KW 47, 16.–22. Nov.'
    assert saved[:2] in {"Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"} and "T" not in saved
    assert first[check_ins.index("Ebene")] in {"Unternehmen", "Werk", "Bereich", "Linie"}
    levels = {r[1] for r in book["Schlüsselergebnisse"].iter_rows(min_row=2, values_only=True)}
    assert levels <= {"Unternehmen", "Werk", "Bereich", "Linie"} and levels


def test_the_okr_workbook_has_no_word_outside_the_catalogue(demo_services: Any, pseudo: None) -> None:
    from huddle.dashboard.demo import demo_okrs
    from huddle.dashboard.exports.okr_checkins import checkins_workbook

    demo_okrs(demo_services)
    quarter = demo_services.okrs.current_quarter().label
    view, rows = demo_services.okrs.quarter(quarter), demo_services.okrs.check_in_rows(quarter)
    book = load_workbook(io.BytesIO(checkins_workbook(view, rows)))
    texts = [ws.title for ws in book.worksheets] + [c.value for ws in book.worksheets for c in ws[1]]
    texts += [c.value for row in book.worksheets[1].iter_rows(min_row=2) for c in (row[2], row[11], row[16])]
    texts += [c.value for row in book.worksheets[0].iter_rows(min_row=2) for c in (row[1], row[14])]
    texts.append(book.properties.title)
    own = [*plants_own_words(demo_services), demo_services.config.company]
    left = untranslated([t for t in texts if isinstance(t, str)], own)
    assert not left, f"{len(left)} texts of the OKR workbook bypass the catalogue:\n" + "\n".join(sorted(set(left)))
