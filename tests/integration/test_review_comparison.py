"""The review's "what changed" names the month that has no data to compare, and shows the one that has: Line 2 ran in
November only, so its review says November's OEE and that October has none (not "no OEE for October or
November")."""

from __future__ import annotations

from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.exports.review_model import why_changed
from huddle.dashboard.services.review import build_review
from huddle.pages import review as review_page

from tests.integration.test_review import services  # noqa: F401  (the review plant's three months, a fixture)
from tests.unit.test_renderers import text

NOVEMBER, OCTOBER, DECEMBER = (parse_period("month", m) for m in ("2026-11", "2026-10", "2026-12"))


def test_a_month_without_data_is_named_and_the_other_months_value_shown(services) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    review = build_review(services, "L2", NOVEMBER)
    november = review.why.root.reading.value
    assert november is not None and review.why.before["oee"].value is None
    shown = format_value(november, "%")
    said = text(review_page._why(review, services.config))
    assert "or 2026-11" not in said
    assert said.startswith(f"OEE {shown} in 2026-11; no OEE for 2026-10 to compare it with.")
    assert why_changed(review).headline == f"OEE {shown} in November 2026; no OEE for October 2026 to compare it with."
    # the month after: December has no data yet, November is shown
    later = build_review(services, "L2", DECEMBER)
    assert why_changed(later).headline == f"No OEE for December 2026 yet; November 2026 was {shown}."
    # neither month: nothing to compare
    before = build_review(services, "L2", OCTOBER)
    assert why_changed(before).headline == "No OEE for September 2026 or October 2026: nothing to compare."
    assert text(review_page._why(before, services.config)).startswith(
        "No OEE for 2026-09 or 2026-10: nothing to compare.")
