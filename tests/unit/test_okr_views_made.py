"""The check-in views a quarter's read makes without their ``__init__`` (``okrs.made``) are the views their
constructor makes: equal, hashable alike, every field set, still frozen."""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from datetime import UTC, datetime

import pytest
from huddle.dashboard.services.okrs import CheckInView, check_in_view

Stored = namedtuple("Stored", "id key_result_id week value confidence moved blocks author at replaces_id")


def test_a_check_in_view_made_from_a_stored_row_equals_the_constructed_one() -> None:
    at = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    row = Stored(7, 3, "2026-W45", 61.5, 8, "new tooling", "", "ana", at, 5)
    view = check_in_view(row, True, "%")
    built = CheckInView(7, 3, "2026-W45", 61.5, 8, "new tooling", "", "ana", at, 5, True, "%")
    assert view == built and hash(view) == hash(built)
    assert {f.name for f in dataclasses.fields(CheckInView)} == set(vars(view))
    assert view.band == "on track" and view.as_dict() == built.as_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.value = 1.0  # type: ignore[misc]

