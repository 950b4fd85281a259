"""``day_texts`` words many times in one pattern as ``day_text`` words each: in every language, across a clock
change, with the date's words (weekday, month, week, quarter) looked up once per date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from huddle.dashboard.core.i18n import day_text, day_texts, use_language

BERLIN = ZoneInfo("Europe/Berlin")
# every 37 minutes from the evening before the spring clock change, and around the autumn one in UTC and Berlin
TIMES = ([datetime(2026, 3, 28, 20, 0, tzinfo=BERLIN) + timedelta(minutes=37 * i) for i in range(120)]
         + [(datetime(2026, 10, 24, 23, 30, tzinfo=UTC) + timedelta(minutes=20 * i)).astimezone(zone)
            for i in range(12) for zone in (UTC, BERLIN)])


@pytest.mark.parametrize("language", ["en", "de", "es"])
@pytest.mark.parametrize("pattern", ["EEE d MMM y, HH:mm", "EEEE, d. MMMM y 'um' H:mm:ss zzzz",
                                     "y-MM-dd'T'HH:mm:ssXXX", "QQQ w e c a h:mm B"])
def test_many_times_read_as_each_alone(language: str, pattern: str) -> None:
    with use_language(language):
        worded = day_texts(pattern)
        assert [worded(t) for t in TIMES] == [day_text(t, pattern) for t in TIMES]


def test_a_time_without_its_zone_is_worded_as_day_text_words_it() -> None:
    naive = datetime(2026, 11, 20, 14, 5)
    assert day_texts("EEE d MMM y, HH:mm zzzz")(naive) == day_text(naive, "EEE d MMM y, HH:mm zzzz")
