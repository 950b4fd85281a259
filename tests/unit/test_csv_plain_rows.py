"""A CSV text with no quoted field is split at its line ends and delimiters as the csv module reads it: the same
rows (as tuples), numbered alike, blank rows left out; a text the module reads otherwise is left to it."""

from __future__ import annotations

import csv
import io
import random

from huddle.data.ingest.readers import _plain_rows


def _csv_rows(text: str, delimiter: str, row_line: int) -> list[tuple[int, tuple[str, ...]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    next(reader)
    return [(n, tuple(v)) for n, v in enumerate(reader, start=row_line)
            if v and (v[0].strip() or any(x.strip() for x in v))]


def test_plain_texts_split_as_the_csv_module_reads_them() -> None:
    rng = random.Random(7)
    pieces = ["a", "1", " ", "\t", ",", ";", "|", "\n", "\r\n", "\xa0", "\x1c", "x y", ""]
    compared = 0
    for _ in range(20_000):
        delimiter = rng.choice(",;\t|")
        text = f"h1{delimiter}h2\n" + "".join(rng.choice([*pieces, delimiter, "\n"]) for _ in range(rng.randint(0, 25)))
        rows = _plain_rows(text, delimiter, 5)
        if rows is not None:
            compared += 1
            assert rows == _csv_rows(text, delimiter, 5), repr(text)
    assert compared > 10_000


def test_blank_rows_are_left_out_and_numbered_rows_kept() -> None:
    text = "line,total\r\nL1,5\r\n\r\n , \r\nL2,7\r\n"
    assert _plain_rows(text, ",", 2) == [(2, ("L1", "5")), (5, ("L2", "7"))]


def test_texts_the_csv_module_reads_otherwise_are_left_to_it() -> None:
    assert _plain_rows("a,b\rc,d\n", ",", 2) is None  # a carriage return alone ends a record
    assert _plain_rows("a,b\nc\x00,d\n", ",", 2) is None  # a NUL is an error
    assert _plain_rows("\na,b\n", ",", 2) is None  # a blank first line
    assert _plain_rows("a,b\n" + "x" * (csv.field_size_limit() + 1) + "\n", ",", 2) is None
