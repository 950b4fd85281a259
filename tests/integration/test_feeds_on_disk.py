"""A long file is never held whole: it is hashed and read from disk block by block (``file_bytes.OnDisk``). Here
every file counts as long and the blocks are a few bytes, and the file cases (a stalled export, a file that grew,
empty, header-only, cut-off, re-sent and refused files) must end exactly as they do for a file read whole."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from huddle.data.ingest import csv_stream, file_bytes, readers
from huddle.data.ingest.file_bytes import OnDisk, prefix_sha
from huddle.data.ingest.incoming import complete_end, is_blank, line_at

from tests.integration.test_feeds_files import (  # noqa: F401 - the same cases, collected here again
    services,
    test_a_corrected_re_export_is_read_whole_and_replaces_its_rows,
    test_a_last_line_still_for_final_seconds_is_refused_as_cut_off,
    test_a_re_sent_file_is_a_duplicate_of_the_first,
    test_a_stalled_export_is_read_once_its_row_has_ended,
    test_empty_and_header_only_files_are_reported_as_such_every_time,
    test_huddle_import_of_a_stalled_export_reads_the_row_once,
    test_partly_refused_and_refused_files_say_so,
)
from tests.integration.test_feeds_store import _TEXTS


@pytest.fixture(autouse=True)
def every_file_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file is long: left on disk, read 7 bytes at a time, its rows streamed in blocks of 16 bytes."""
    monkeypatch.setattr(file_bytes, "WHOLE_BYTES", 0)
    monkeypatch.setattr(file_bytes, "BLOCK", 7)
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0)
    monkeypatch.setattr(csv_stream, "BLOCK", 16)


_SAMPLES = [b"a,b\n1,2\n", b"a,b\n1,2", b"a,b", b"", b"a,b\r\n1,2\r\n3,", b"a,b\r1,2\r3", b'a,b\n1,"two\nlines',
            b"\xef\xbb\xbf \r\n\t", b"\xef\xbb\xbfa", b"h\nr1\nr2\n" * 9 + b'x,"y\nz",' + b"w\n" * 5 + b'"open']


def on_disk(tmp_path: Path, data: bytes, name: str = "f.csv") -> OnDisk:
    path = tmp_path / name
    path.write_bytes(data)
    return OnDisk.of(path, len(data))


@pytest.mark.parametrize("data", _SAMPLES)
def test_a_file_on_disk_answers_as_its_bytes(data: bytes, tmp_path: Path) -> None:
    disk = on_disk(tmp_path, data)
    assert len(disk) == len(data) and bytes(disk) == data
    assert complete_end(disk) == complete_end(data)
    assert is_blank(disk) == is_blank(data)
    for at in range(len(data) + 1):
        assert line_at(disk, at) == line_at(data, at)
        assert prefix_sha(disk, at) == prefix_sha(data, at)
        assert bytes(disk[at:]) == data[at:] and bytes(disk[:at]) == data[:at]
    for sub in (b"\n", b"\r", b'"', b"z"):
        rng = random.Random(len(data))
        for _ in range(20):
            a, b = sorted(rng.randint(0, len(data) + 2) for _ in range(2))
            assert (disk.find(sub, a, b), disk.rfind(sub, a, b), disk.count(sub, a, b)) == (
                data.find(sub, a, b), data.rfind(sub, a, b), data.count(sub, a, b))
    half = len(data) // 2
    assert bytes(disk[:half] + disk[half + 1:]) == data[:half] + data[half + 1:]


@pytest.mark.parametrize("name", list(_TEXTS))
def test_a_text_read_from_disk_gives_the_rows_of_a_whole_read(name: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    data = _TEXTS[name]

    def read(source: bytes | OnDisk) -> Any:
        try:
            table = readers._read_csv(source, None, None, 2)
        except readers.FileError as exc:
            return ("refused", exc.reason)
        rows = list(table.rows)
        return (table.header, rows, bool(table.rows), table.broken, table.note, table.decimal_comma)

    disk = read(on_disk(tmp_path, data))
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 1 << 30)
    assert disk == read(data)


def test_a_bad_byte_far_in_a_long_file_is_named_at_its_offset(tmp_path: Path) -> None:
    data = b"line,start\n" + b"L1,2026-11-30T06:00\n" * 20 + b"L1,\xff\n"
    with pytest.raises(readers.FileError) as refused:
        readers._read_csv(on_disk(tmp_path, data), None, "utf-8", 2)
    assert "byte 0xff at offset 414" in str(refused.value.reason)
    assert data.index(b"\xff") == 414
