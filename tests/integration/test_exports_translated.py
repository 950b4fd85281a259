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
