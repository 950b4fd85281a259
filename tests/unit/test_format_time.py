"""Times in tables and hints as people say them, in the plant's language: '14:10' today, 'Tue 1 Dec, 14:10' this
year, 'Sat 20 Nov 2027, 21:00' (with the year) otherwise or when the page gives no day; programs keep ISO."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from huddle.dashboard.core.format import format_time
from huddle.dashboard.core.i18n import use_language

BERLIN = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 12, 1, 13, 10, tzinfo=UTC)  # 14:10 in Berlin, a Tuesday


@pytest.mark.parametrize(("language", "today", "words"), [
    ("en", date(2026, 12, 1), "14:10"),
    ("en", date(2026, 12, 5), "Tue 1 Dec, 14:10"),
    ("en", date(2027, 1, 1), "Tue 1 Dec 2026, 14:10"),
    ("en", None, "Tue 1 Dec 2026, 14:10"),
    ("de", date(2026, 12, 1), "14:10"),
    ("de", date(2026, 12, 5), "Di., 1. Dez., 14:10"),
    ("de", date(2027, 1, 1), "Di., 1. Dez. 2026, 14:10"),
    ("es", date(2026, 12, 5), "mar 1 dic, 14:10"),
    ("es", date(2027, 1, 1), "mar 1 dic 2026, 14:10"),
])
def test_a_time_says_the_day_only_when_it_is_not_today_and_the_year_only_when_it_is_not_this_one(
        language: str, today: date | None, words: str) -> None:
    with use_language(language):
        assert format_time(AT, BERLIN, today) == words


def test_the_day_is_the_plants_not_utcs() -> None:
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # already 1 December in Berlin
    assert format_time(late, BERLIN, date(2026, 12, 1)) == "00:30"
    assert format_time(late, ZoneInfo("America/Chicago"), date(2026, 12, 1)) == "Mon 30 Nov, 17:30"
    assert format_time(None, BERLIN, date(2026, 12, 1)) == "—"
