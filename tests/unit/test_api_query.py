"""The API's query (``dashboard/web/api_query.py``) reads a period from ``period``, or from ``date`` (with ``shift``
for a shift), and refuses what it would otherwise leave unread: a date or shift it would not use, both ways at
once, a date in any form but 2026-11-20. No database and no server."""

from __future__ import annotations

import pytest
import yaml
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.dashboard.web.address import AddressError
from huddle.dashboard.web.api_query import ApiQuery

from tests.conftest import SMALL_PLANT


@pytest.fixture(scope="module")
def config() -> PlantConfig:
    """The small plant of the shared fixtures, parsed (no file, no database)."""
    return parse_plant(yaml.safe_load(SMALL_PLANT))


@pytest.mark.parametrize("args, grain, period", [
    ({"date": "2026-11-20", "shift": "E"}, "shift", "2026-11-20/E"),
    ({"date": "2026-11-20"}, "day", "2026-11-20"),
    ({"date": "2026-11-20"}, "week", "2026-W47"),
    ({"date": "2026-11-20"}, "quarter", "2026-Q4"),
    ({"period": "2026", "date": ""}, "year", "2026"),  # an empty parameter is one not given
])
def test_a_date_asks_for_the_period_of_the_grain_containing_it(config: PlantConfig, args: dict[str, str],
                                                                grain: str, period: str) -> None:
    assert ApiQuery(args, config).period(grain) == parse_period(grain, period)


@pytest.mark.parametrize("args, grain, named", [
    ({"date": "2026-11-20"}, "shift", "shift: give the shift of that date too"),
    ({"shift": "E"}, "shift", "date: give the date of that shift too"),
    ({"date": "2026-11-20", "shift": "E"}, "day", "shift: a shift is asked for with grain=shift, not day"),
    ({"period": "2026-11-20", "date": "2026-11-19"}, "day", "period: give period, or date (and shift), not both"),
    ({"date": "20261120"}, "day", "date: day '20261120': expected like 2026-11-20"),
    ({"date": "2026-W47-5"}, "week", "date: day '2026-W47-5': expected like 2026-11-20"),
    ({"period": "+2026"}, "year", "period: year '+2026': expected like 2026"),
    ({"date": "9998-12-31"}, "week", "date: 9998-W53 is outside the dates Huddle can show"),
])
def test_a_date_or_shift_that_would_not_be_used_is_refused_by_name(config: PlantConfig, args: dict[str, str],
                                                                   grain: str, named: str) -> None:
    with pytest.raises(AddressError) as caught:
        ApiQuery(args, config).period(grain)
    assert named in caught.value.named()
