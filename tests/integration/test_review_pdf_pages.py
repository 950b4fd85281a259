"""The review's printed pack is as short as its content: on the demo plant's November it is A4 landscape, its bowler
(21 KPIs) on one page, and every page but the last at least two-thirds full, with no blank page; a plant with 25 KPIs,
long names and every month filled still gets its bowler on one page. Read back from the PDF itself (pypdf)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pypdf
import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.exports.review_pdf import ONE_PAGE_BOWLER, review_pdf
from huddle.dashboard.services.review import Review, build_review

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
BOWLER = "Bowler: every KPI against each month's target"
FOOTER_Y = 30.0  # the footer's line and words sit below this (points from the bottom of the page)
TOP_Y = 555.0  # where a page's first line of text can begin


@pytest.fixture(scope="module")
def review(demo_histories, tmp_path_factory) -> Review:  # type: ignore[no-untyped-def]
    """The demo plant's review of November 2026 (all of November loaded)."""
    services = demo_histories.services(tmp_path_factory.mktemp("pdf") / "demo", NOW, 40)
    try:
        return build_review(services, "plant", parse_period("month", "2026-11"))
    finally:
        services.dispose()


def _lines(page: object) -> list[tuple[float, str]]:
    """A page's pieces of text with the height they sit at (points from the bottom)."""
    lines: list[tuple[float, str]] = []

    def seen(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            lines.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text))

    page.extract_text(visitor_text=seen)  # type: ignore[attr-defined]
    return lines


def pages_of(pdf: bytes) -> list[tuple[str, float | None]]:
    """Each page's text above the footer and the height of its lowest line (None when it has none)."""
    out = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        body = [(y, t) for y, t in _lines(page) if y > FOOTER_Y]
        text = " ".join(" ".join(t for _y, t in body).split())  # a name wrapped over two lines reads as one
        out.append((text, min((y for y, _t in body), default=None)))
    return out


def test_the_pack_is_as_short_as_its_content(review: Review) -> None:
    pdf = review_pdf(review)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all(float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages)  # landscape
    assert round(float(reader.pages[0].mediabox.width)) == 842  # A4
    pages = pages_of(pdf)
    assert len(review.rows) <= ONE_PAGE_BOWLER
    bowler = [i for i, (text, _low) in enumerate(pages) if BOWLER in text]
    assert len(bowler) == 1
    on_it = pages[bowler[0]][0]
    assert all(r.kpi.name in on_it for r in review.rows)  # every KPI on that one page
    assert pages[bowler[0] + 1][0].startswith("Biggest losses")  # nothing of the bowler goes over
    for n, (text, lowest) in enumerate(pages, start=1):
        assert lowest is not None and len(text) > 200, f"page {n} is blank"
        if n < len(pages):  # a page ends only when the next block does not fit in what is left of it
            assert (TOP_Y - lowest) / (TOP_Y - FOOTER_Y) > 2 / 3, f"page {n} is mostly empty"
    assert len(pages) <= 6


def test_twenty_five_kpis_keep_the_bowler_on_one_page(review: Review) -> None:
    rows = list(review.rows)
    extra = [replace(r, kpi=replace(r.kpi, key=f"{r.kpi.key}_copy", name=f"{r.kpi.name} at the second site"))
             for r in rows[:ONE_PAGE_BOWLER - len(rows)]]
    # every month filled: the tallest cells (value, icon and target) in every column
    full = [replace(r, cells=[replace(r.cells[-1], reading=replace(r.cells[-1].reading, period=m.label))
                              for m in review.months]) for r in rows + extra]
    pages = pages_of(review_pdf(replace(review, rows=full)))
    bowler = [text for text, _low in pages if BOWLER in text]
    assert len(bowler) == 1
    assert all(r.kpi.name in bowler[0] for r in full)
    assert len(full) == ONE_PAGE_BOWLER
