"""The column parsers give the contract's own answers for the cells they accept, and decline every other column."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from huddle.data.ingest.bulk import _instant_text
from huddle.data.ingest.column_parse import instants, iso_micros, stored_text, whole_numbers
from huddle.data.ingest.contract import parse_instant, parse_number
from huddle.data.instants import micros_of_utc

BERLIN = ZoneInfo("Europe/Berlin")


def _random_times(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        at = datetime(1990, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(0, 80 * 365 * 86400))
        offset = timezone(timedelta(minutes=rng.choice([-720, -570, -300, 0, 60, 120, 330, 345, 840])))
        text = at.astimezone(offset).isoformat()
        out.append(text if rng.random() < 0.5 else text.replace("T", " "))
    return out


def test_iso_times_are_the_contracts_instants() -> None:
    texts = [*_random_times(5000, 3), "2024-02-29T23:59:59+01:00", "2026-03-29T02:30:00+02:00",
             "2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+02:00", "2026-12-31T23:00:00-00:00"]
    us = iso_micros(texts)
    assert us is not None
    expected = [micros_of_utc(parse_instant(t, BERLIN)) for t in texts]
    assert us.tolist() == expected
    assert instants(us) == [parse_instant(t, BERLIN) for t in texts]
    assert all(d.tzinfo is UTC for d in instants(us))
    assert stored_text(us) == [_instant_text(parse_instant(t, BERLIN)) for t in texts]


@pytest.mark.parametrize("odd", [
    "2026-11-20T06:00:00",  # no offset: a local time, for the contract's parsers
    "2026-11-20T06:00:00Z", "2026-11-20T06:00:00.5+01:00", "2026-11-20 06:00+01:00:00",
    "2026-02-30T06:00:00+01:00", "2026-13-01T06:00:00+01:00", "2026-11-00T06:00:00+01:00",
    "2026-11-20T24:00:00+01:00", "2026-11-20T06:60:00+01:00", "2026-11-20T06:00:60+01:00",
    "2026-11-20T06:00:00+24:00", "2026-11-20T06:00:00*01:00", "2026-11-20x06:00:00+01:00",
    "2026/11/20T06:00:00+01:00", "2026-11-2OT06:00:00+01:00", "0999-11-20T06:00:00+01:00",
    "2026-11-20T06:00:0\x00+01:00", "", " 2026-11-20T06:00:00+01:00",
])
def test_any_other_time_sends_the_column_to_the_contract(odd: str) -> None:
    assert iso_micros(["2026-11-20T06:00:00+01:00", odd]) is None


def test_a_cell_that_is_not_text_sends_the_column_to_the_contract() -> None:
    assert iso_micros(["2026-11-20T06:00:00+01:00", datetime(2026, 11, 20, tzinfo=UTC)]) is None
    assert whole_numbers(["12", 12]) is None
    assert iso_micros([]) is None and whole_numbers([]) is None


def test_whole_numbers_are_the_contracts_numbers() -> None:
    texts = ["0", "7", "0012", "2550", "123456789012345"] + [str(random.Random(5).randrange(10**9)) for _ in range(99)]
    got = whole_numbers(texts)
    assert got is not None
    assert got.tolist() == [parse_number(t, decimal_comma=False, whole=True) for t in texts]
    assert got.dtype == np.float64


@pytest.mark.parametrize("odd", ["", " 12", "12 ", "1.5", "1,5", "-3", "+3", "1e3", "1234567890123456", "١٢",
                                 "12\x00", "1\x002"])
def test_any_other_number_sends_the_column_to_the_contract(odd: str) -> None:
    assert whole_numbers(["12", odd]) is None
