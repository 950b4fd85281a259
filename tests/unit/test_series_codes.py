"""A file's rows numbered by their series (a line, or a line and product) a column at a time give the numbers
``group_codes`` gives the rows' tuples: the same series, numbered in the order each first appears."""

from __future__ import annotations

import random

from huddle.data.ingest.file_index import group_codes, series_codes


def test_series_codes_number_rows_as_group_codes_numbers_their_tuples() -> None:
    rng = random.Random(11)
    for _ in range(2_000):
        n = rng.randint(1, 40)
        columns = [[rng.choice(["L1", "L2", "L3", "", None]) for _ in range(n)] for _ in range(rng.randint(1, 3))]
        codes, code = series_codes(columns)
        expected, expected_code = group_codes(list(zip(*columns, strict=True)))
        assert list(codes.items()) == list(expected.items())
        assert code.tolist() == expected_code.tolist()
