"""Spans of summed measures added up at once and added on to what earlier spans added up to give the same sums."""

from __future__ import annotations

from datetime import UTC, datetime

from huddle.dashboard.services.readings_over import added_up

ROWS = [
    {"span": 0, "facts": 3, "ppt_s": 0.1, "good_count": None, "data_through": datetime(2026, 11, 2, tzinfo=UTC)},
    {"span": 1, "facts": 2, "ppt_s": 0.2, "good_count": 7, "data_through": None},
    {"span": 2, "facts": 0, "ppt_s": None, "good_count": None, "data_through": None},
    {"span": 3, "facts": 4, "ppt_s": 0.3, "good_count": 5, "data_through": datetime(2026, 11, 9, tzinfo=UTC)},
]


def test_added_on_to_earlier_spans_is_added_up_at_once() -> None:
    for cut in range(len(ROWS) + 1):
        earlier = added_up(ROWS[:cut])
        kept = dict(earlier)
        onto = added_up(ROWS[cut:], earlier)
        assert earlier == kept  # left as it was
        assert list(onto.items()) == list(added_up(ROWS).items())
    # floats added in the same order: (0.1 + 0.2) + 0.3, not 0.1 + (0.2 + 0.3)
    assert added_up(ROWS)["ppt_s"] == (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3)
    assert added_up([]) == {"facts": 0, "data_through": None}
    assert added_up(ROWS[2:3]) == {"facts": 0, "data_through": None, "ppt_s": None, "good_count": None}
