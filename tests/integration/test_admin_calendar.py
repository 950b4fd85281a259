"""The Admin page's plant calendar card, called over HTTP as Dash would call it: only an admin sets the last
recordable before go-live; days since the last recordable then count from it; a date after today is refused."""

from __future__ import annotations

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.dashboard.web import ids

from tests.integration.test_admin_callbacks import Plant, _read, call, message, plant  # noqa: F401  (the fixture)

SAVE = f"{ids.ADMIN_LAST_RECORDABLE_MESSAGE}.children"
EARLY = parse_period("shift", "2026-11-20/E")  # ends 13:00 UTC; the small plant's clock reads 20:00 UTC


def _days_since(plant: Plant, scope: str) -> float | None:  # noqa: F811
    return plant.services.readings.formula_reading("days_since_recordable", scope, EARLY).value


@pytest.mark.parametrize("who", ["vic", "ed", "display"])
def test_only_an_admin_sets_the_last_recordable(plant: Plant, who: str) -> None:  # noqa: F811
    client = plant.client(who)
    answer = call(plant, client, SAVE, {ids.ADMIN_LAST_RECORDABLE_SCOPE: "L1",
                                        ids.ADMIN_LAST_RECORDABLE_DATE: "2026-10-01"}, ids.ADMIN_LAST_RECORDABLE_BUTTON)
    assert "needs the admin role" in message(answer, ids.ADMIN_LAST_RECORDABLE_MESSAGE)
    assert _days_since(plant, "L1") is None  # no data, no date: nothing to count from
    assert "Admins only" in _read(plant, client, f"{ids.ADMIN_CALENDAR}.children")


def test_an_admin_sets_the_last_recordable_and_days_since_count_from_it(plant: Plant) -> None:  # noqa: F811
    admin = plant.client("boss")
    answer = call(plant, admin, SAVE, {ids.ADMIN_LAST_RECORDABLE_SCOPE: "L1",
                                       ids.ADMIN_LAST_RECORDABLE_DATE: "2026-10-01"}, ids.ADMIN_LAST_RECORDABLE_BUTTON)
    assert message(answer, ids.ADMIN_LAST_RECORDABLE_MESSAGE) == (
        "Days since the last recordable for Line 1 – Area A count from Thu 1 Oct 2026 until a newer case.")
    # 1 October 00:00 CEST (30 September 22:00 UTC) to the early shift's end, 20 November 13:00 UTC: 50 days
    assert _days_since(plant, "L1") == 50 and _days_since(plant, "plant") == 50
    assert _days_since(plant, "L2") is None  # Line 2 has neither data nor a date of its own or the plant's
    assert [(e.actor, e.target) for e in plant.audit("calendar.last_recordable")] == [("boss", "L1")]
    listed = _read(plant, admin, f"{ids.ADMIN_CALENDAR}.children")
    assert "Thu 1 Oct 2026" in listed and "Line 1" in listed
    future = call(plant, admin, SAVE, {ids.ADMIN_LAST_RECORDABLE_SCOPE: "plant",
                                       ids.ADMIN_LAST_RECORDABLE_DATE: "2026-11-21"}, ids.ADMIN_LAST_RECORDABLE_BUTTON)
    assert "is in the future" in message(future, ids.ADMIN_LAST_RECORDABLE_MESSAGE)
    assert _days_since(plant, "L2") is None
