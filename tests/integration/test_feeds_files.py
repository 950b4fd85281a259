"""Files as plants export them, on each backend: a row is read once and every file is accounted for.

A counts file whose exporter stalled mid-row is read without the cut row and, once the row ends, with it: the line's
OEE is 75.40 %, not the 150.79 % of the row read twice. A last line that never ends is refused as cut off after the
source's ``final_seconds``; a file that grows while the scheduler polls it every second is read for its new complete
rows only; a re-sent file is a duplicate of the first; empty and header-only files are reported as such every time.
Files are dated by the file system's clock (as the loaders' settle and final windows read it); the loaders and
readings run on a fixed clock.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.data.ingest.incoming import complete_end, is_blank, line_at
from huddle.data.ingest.outcomes import FileOutcome
from huddle.data.models import LoadedFile, ProductionCount, QuarantinedRow
from huddle.data.queries.ledger import data_version
from sqlalchemy import func, select

from tests.conftest import NEEDS_REAL_TIMED_WAITS

EARLY = parse_period("shift", "2026-11-20/E")
# 14:10 plant time (Europe/Berlin, UTC+1 in November): ten minutes after the early shift ended
AFTER_THE_SHIFT = datetime(2026, 11, 20, 13, 10, tzinfo=UTC)

HEADER = "line,start,end,total,good,product\n"
L2_ROW = "L2,2026-11-20 06:00,2026-11-20 14:00,20000,19500,SKU-100\n"
# the early shift's 420 min of production time at 1 s a unit: 19,000 good units are an OEE of 75.40 %
L1_ROW = "L1,2026-11-20 06:00,2026-11-20 14:00,19500,19000,SKU-500\n"
STALLED = HEADER + L2_ROW + L1_ROW[:L1_ROW.index("SKU-5") + len("SKU-5")]  # the exporter stopped mid-row


def write(path: Path, data: str | bytes, age_s: float = 60, append: bool = False) -> Path:
    """Write (or append to) a file and date it ``age_s`` seconds back by the file system's clock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with path.open("ab" if append else "wb") as fh:
        fh.write(raw)
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def counts_file(tmp_path: Path, name: str = "counts.csv") -> Path:
    return tmp_path / "inbox" / "counts" / name


def run(services: Any) -> list[FileOutcome]:
    """Run the counts source once; it must not fail."""
    outcome = services.loader.run_source("counts", "test")
    assert outcome.status != "failed", outcome.message
    return outcome.files


def one(services: Any) -> FileOutcome:
    files = run(services)
    assert len(files) == 1, files
    return files[0]


def stored(services: Any, model: type = ProductionCount) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def ledger(services: Any) -> list[tuple[str, str, str]]:
    """The loaded-files ledger: (file name, status, note), oldest first."""
    with services.sessions() as session:
        return [(Path(e.path).name, e.status, e.note)
                for e in session.scalars(select(LoadedFile).order_by(LoadedFile.id))]


def quarantined(services: Any) -> list[tuple[str, int, str, str]]:
    with services.sessions() as session:
        return [(Path(q.file).name, q.row, q.status, q.reason)
                for q in session.scalars(select(QuarantinedRow).order_by(QuarantinedRow.id))]


def data_version_of(services: Any) -> int:
    with services.sessions() as session:
        return data_version(session)


def oee(services: Any, line: str = "L1") -> float | None:
    value = services.readings.reading("oee", line, EARLY).value
    return None if value is None else round(value, 2)


@pytest.fixture
def services(make_services: Any, database_url: str, tmp_path: Path) -> Any:
    """The small plant after the early shift, its inbox folders made."""
    for folder in ("counts", "stops"):
        (tmp_path / "inbox" / folder).mkdir(parents=True)
    return make_services(database_url, now=AFTER_THE_SHIFT)


# ---- a row is read once ----------------------------------------------------------------------------------

def test_a_stalled_export_is_read_once_its_row_has_ended(services: Any, tmp_path: Path) -> None:
    path = write(counts_file(tmp_path), STALLED)  # still for a minute, less than final_seconds (120 s)
    first = one(services)
    assert (first.status, first.rows_read, first.rows_loaded) == ("loaded", 1, 1)
    assert first.note.startswith("loaded 1 row; line 3 has not ended yet: waiting for the rest of it")
    assert oee(services) is None  # the cut row is not read: SKU-5 never reaches the database
    assert oee(services, "L2") == round(19500 / 25200 * 100, 2)

    assert run(services) == []  # nothing changed: the file is not even opened
    write(path, "00\n", append=True)  # the exporter finishes the line: SKU-500
    second = one(services)
    assert (second.status, second.rows_read, second.rows_loaded) == ("loaded", 1, 1)
    assert second.note.startswith("grew: read lines 3–3, loaded 1 row")
    assert stored(services) == 2
    with services.sessions() as session:
        assert session.scalars(select(ProductionCount.product).where(ProductionCount.line == "L1")).all() == [
            "SKU-500"]
    reading = services.readings.reading("oee", "L1", EARLY)
    assert round(reading.value, 2) == 75.40  # read twice it was 150.79 %, and green
    assert reading.status is Status.RED  # below the 85 % target
    assert run(services) == [] and stored(services) == 2
    assert quarantined(services) == []
    assert [(name, status) for name, status, _ in ledger(services)] == [("counts.csv", "loaded")] * 2


def test_huddle_import_of_a_stalled_export_reads_the_row_once(services: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "by_hand" / "counts.csv", STALLED)
    first = services.loader.import_files([path])  # the record type recognised from the header
    assert [(f.status, f.rows_loaded) for f in first.files] == [("loaded", 1)]
    assert "line 3 has not ended yet" in first.files[0].note
    write(path, "00\n", append=True)
    second = services.loader.import_files([path])
    assert [(f.status, f.rows_loaded) for f in second.files] == [("loaded", 1)]
    assert second.files[0].note.startswith("grew: read lines 3–3, loaded 1 row")
    assert services.loader.import_files([path]).files[0].status == "duplicate"  # the same file again
    assert stored(services) == 2 and oee(services) == 75.40


@pytest.mark.parametrize(("data", "end"), [
    (b"a,b\n1,2\n", 8), (b"a,b\n1,2", 4), (b"a,b", 0), (b"", 0), (b"a,b\r\n1,2\r\n3,", 10),
    (b"a,b\r1,2\r3", 8),  # CR alone ends the lines of a file without LF
    (b'a,b\n1,"two\nlines', 4),  # a line break inside a quoted value of the unfinished row
])
def test_the_end_of_the_last_complete_line(data: bytes, end: int) -> None:
    assert complete_end(data) == end


def test_blank_files_and_line_numbers() -> None:
    assert is_blank(b"") and is_blank(b"\xef\xbb\xbf \r\n\t") and not is_blank(b"\xef\xbb\xbfa")
    assert [line_at(b"h\nr1\nr2\n", at) for at in (0, 2, 5)] == [1, 2, 3]


def test_a_last_line_still_for_final_seconds_is_refused_as_cut_off(services: Any, tmp_path: Path) -> None:
    size = len(STALLED.encode())
    cut_at = len((HEADER + L2_ROW).encode())
    write(counts_file(tmp_path), STALLED, age_s=600)
    f = one(services)
    reason = f"cut off at byte {cut_at}: the last line never ended (still for 120 s)"
    assert (f.status, f.rows_read, f.rows_loaded, f.rows_rejected) == ("cut off", 1, 1, 1)
    assert f.problems == [(3, "", "", f"{reason}: 'L1,2026-11-20 06:00,2026-11-20 14:00,19500,19000,SKU-5'")]
    assert ledger(services) == [("counts.csv", "cut off", f"{reason}; loaded 1 row")]
    assert quarantined(services) == [("counts.csv", 3, "open", f.problems[0][3])]
    assert oee(services) is None and stored(services) == 1
    assert run(services) == []  # refused once
    with services.sessions() as session:
        assert session.scalar(select(LoadedFile.read_to)) == cut_at < size


def test_a_line_waiting_then_still_is_cut_off_and_read_when_it_ends_after_all(services: Any,
                                                                             tmp_path: Path) -> None:
    path = write(counts_file(tmp_path), STALLED)
    assert one(services).status == "loaded"
    stamp = time.time() - 600  # unchanged, and now still for longer than final_seconds
    os.utime(path, (stamp, stamp))
    f = one(services)
    assert (f.status, f.rows_rejected, f.problems[0][0]) == ("cut off", 1, 3)
    assert f.note == (f"cut off at byte {len((HEADER + L2_ROW).encode())}: the last line never ended "
                      f"(still for 120 s); loaded 1 row")
    assert [(s, n) for _, s, n in ledger(services)] == [("cut off", f.note)]  # the one entry says it
    assert run(services) == []
    write(path, "00\n", append=True)  # the exporter was only very slow
    assert one(services).note.startswith("grew: read lines 3–3, loaded 1 row")
    assert oee(services) == 75.40 and stored(services) == 2
    (entry,) = quarantined(services)
    assert entry[:3] == ("counts.csv", 3, "resolved")


def test_a_corrected_re_export_is_read_whole_and_replaces_its_rows(services: Any, tmp_path: Path) -> None:
    path = write(counts_file(tmp_path), HEADER + L2_ROW + L1_ROW)
    assert one(services).rows_loaded == 2
    assert oee(services) == 75.40
    # the same file exported again with Line 1's count corrected: the part read before has changed
    write(path, HEADER + L2_ROW + L1_ROW.replace("19500,19000", "19500,18900"), age_s=30)
    f = one(services)
    assert (f.status, f.rows_read) == ("loaded", 2)
    assert stored(services) == 2
    assert oee(services) == round(18900 / 25200 * 100, 2)


@NEEDS_REAL_TIMED_WAITS
def test_a_growing_file_polled_every_second_by_the_scheduler(make_services: Any, database_url: str,
                                                             tmp_path: Path) -> None:
    from huddle.dashboard.scheduler import build_scheduler

    plant = tmp_path / "polled.yaml"
    plant.write_text((tmp_path / "plant.yaml").read_text().replace(
        'path: "${data_dir}/inbox/counts", settle_seconds: 0}',
        'path: "${data_dir}/inbox/counts", settle_seconds: 0, schedule: every 1 s}'), encoding="utf-8")
    assert "every 1 s" in plant.read_text()
    for folder in ("counts", "stops"):
        (tmp_path / "inbox" / folder).mkdir(parents=True)
    services = make_services(database_url, now=AFTER_THE_SHIFT, plant=plant)
    # the early shift hour by hour on Line 1: 8 rows of 2,375 good units, 19,000 in all
    rows = "".join(f"L1,2026-11-20 {h:02d}:00,2026-11-20 {h + 1:02d}:00,2450,2375,SKU-500\n" for h in range(6, 14))
    text = (HEADER + rows).encode()
    path = counts_file(tmp_path)
    cuts = [0, 20, 45, 60, 61, 130, 131, 200, 260, 261, 330, 400, 470, len(text) - 3, len(text)]
    assert cuts == sorted(cuts) and cuts[-1] == len(text)

    def exporter() -> None:  # writes the file in pieces, most of them ending mid-line
        for a, b in pairwise(cuts):
            with path.open("ab") as fh:
                fh.write(text[a:b])
            time.sleep(0.35)

    scheduler = build_scheduler(services, blocking=False)
    writer = threading.Thread(target=exporter)
    scheduler.start()
    try:
        writer.start()
        writer.join()
        deadline = time.monotonic() + 20
        while stored(services) < 8 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.5)  # two more polls: nothing may change
    finally:
        scheduler.shutdown(wait=True)
    assert stored(services) == 8  # each row once
    with services.sessions() as session:
        assert session.scalar(select(func.sum(ProductionCount.good))) == 19000
    assert oee(services) == 75.40
    assert quarantined(services) == []
    entries = ledger(services)
    assert len(entries) >= 2, entries  # read more than once while it grew
    assert any(note.startswith("grew: read lines") for _, _, note in entries), entries
    # a poll between the exporter creating the file and its first bytes found it empty (and said so); a later
    # one may have found only the header and part of a row
    statuses = [status for _, status, _ in entries]
    assert all(status in ("empty", "header only", "loaded") for status in statuses), entries
    assert "empty" not in statuses[statuses.index("loaded"):], entries  # never empty again once rows were read


# ---- every file accounted for ------------------------------------------------------------------------------

def test_a_re_sent_file_is_a_duplicate_of_the_first(services: Any, tmp_path: Path) -> None:
    write(counts_file(tmp_path, "counts_0412.csv"), HEADER + L2_ROW + L1_ROW)
    assert one(services).status == "loaded"
    assert ledger(services) == [("counts_0412.csv", "loaded", "loaded 2 rows")]
    version = data_version_of(services)
    write(counts_file(tmp_path, "counts_0412_resent.csv"), HEADER + L2_ROW + L1_ROW)
    f = one(services)
    assert (f.status, f.note) == ("duplicate", "duplicate of counts_0412.csv (same content)")
    assert stored(services) == 2 and oee(services) == 75.40
    assert data_version_of(services) == version  # nothing stored, nothing changed
    assert run(services) == []  # reported once
    assert ledger(services)[-1] == ("counts_0412_resent.csv", "duplicate",
                                    "duplicate of counts_0412.csv (same content)")


def test_empty_and_header_only_files_are_reported_as_such_every_time(services: Any, tmp_path: Path) -> None:
    write(counts_file(tmp_path, "a_empty.csv"), b"")
    write(counts_file(tmp_path, "b_empty.csv"), b"")
    write(counts_file(tmp_path, "c_blank.csv"), b"\xef\xbb\xbf\r\n  \r\n")
    write(counts_file(tmp_path, "d_header.csv"), HEADER)
    write(counts_file(tmp_path, "e_header.csv"), HEADER)
    files = run(services)
    assert [(f.name, f.status, f.note) for f in files] == [
        ("a_empty.csv", "empty", "empty file (0 bytes): nothing to load"),
        ("b_empty.csv", "empty", "empty file (0 bytes): nothing to load"),
        ("c_blank.csv", "empty", "empty file (9 bytes, no text): nothing to load"),
        ("d_header.csv", "header only", "header only: no rows"),
        ("e_header.csv", "header only", "header only: no rows")]
    assert [(n, s) for n, s, _ in ledger(services)] == [(f.name, f.status) for f in files]
    assert quarantined(services) == []
    # sent again (touched): reported again as what they are, still one entry each
    for name in ("b_empty.csv", "e_header.csv"):
        path = counts_file(tmp_path, name)
        os.utime(path, (time.time() - 30, time.time() - 30))
    assert [(f.name, f.status) for f in run(services)] == [("b_empty.csv", "empty"), ("e_header.csv", "header only")]
    assert len(ledger(services)) == 5
    # a header-only file that rows are added to is read for them
    write(counts_file(tmp_path, "d_header.csv"), L1_ROW, age_s=20, append=True)
    f = one(services)
    assert (f.status, f.rows_loaded) == ("loaded", 1)
    assert oee(services) == 75.40


def test_partly_refused_and_refused_files_say_so(services: Any, tmp_path: Path) -> None:
    write(counts_file(tmp_path, "a_partly.csv"), HEADER + L2_ROW + L1_ROW.replace("19000", "many"))
    write(counts_file(tmp_path, "b_refused.csv"), "line,start,end,total,product\n"
          "L1,2026-11-20 06:00,2026-11-20 14:00,19500,SKU-500\n")
    partly, refused = run(services)
    assert (partly.status, partly.rows_rejected) == ("partial", 1)
    assert refused.status == "rejected"
    notes = {name: (status, note) for name, status, note in ledger(services)}
    assert notes["a_partly.csv"] == ("partial", "partly refused: 1 of 2 rows")
    assert notes["b_refused.csv"][0] == "rejected"
    assert notes["b_refused.csv"][1].startswith("refused: missing column 'good'")


def test_a_workbook_being_saved_waits_then_loads(services: Any, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in (HEADER + L1_ROW).splitlines():
        sheet.append(line.split(","))
    whole = tmp_path / "whole.xlsx"
    book.save(whole)
    data = whole.read_bytes()
    path = write(counts_file(tmp_path, "export.xlsx"), data[: len(data) // 2])  # half saved, a minute ago
    f = one(services)
    assert (f.status, f.note) == ("waiting", "still being written (not a complete workbook yet); read once it is")
    assert ledger(services) == []
    write(path, data, age_s=30)
    f = one(services)
    assert (f.status, f.rows_loaded, f.note.split(" (")[0]) == ("loaded", 1, "loaded 1 row")
    assert oee(services) == 75.40


# ---- the demo shows every outcome ---------------------------------------------------------------------------

def test_the_demo_data_page_shows_each_outcome_in_words(tmp_path: Path) -> None:
    from huddle.dashboard.core.plant import load_plant
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import DEMO_PLANT, Settings
    from huddle.data.demo.feeds import feed_current, generate_history

    now = datetime(2026, 11, 20, 10, 20, tzinfo=UTC)
    written = generate_history(load_plant(DEMO_PLANT, tmp_path), tmp_path, now, days=2)
    services = build_services(Settings(data_dir=tmp_path, plant_config=DEMO_PLANT, anonymous_access="read"),
                              clock=lambda: now)
    try:
        feed_current(services.config, tmp_path, now)  # no hour to add yet, but the samples are written
        inbox = tmp_path / "inbox" / "counts"
        first_day = sorted(inbox.glob("counts_2*.csv"))[0].name
        past = time.time() - 60
        for path in (tmp_path / "inbox").rglob("*"):
            if path.is_file() and path.name != "sample_cut_off.csv":  # that one stopped an hour ago
                os.utime(path, (past, past))
        services.loader.run_all()
        cut_at = len("".join((inbox / first_day).read_text().splitlines(keepends=True)[:3]).encode())
        expected = {
            "sample_empty.csv": ("empty", "empty file (0 bytes): nothing to load"),
            "sample_header_only.csv": ("header only", "header only: no rows"),
            f"sample_resent_{first_day}": ("duplicate", f"duplicate of {first_day} (same content)"),
            "sample_partly_refused.csv": ("partial", "partly refused: 1 of 4 rows"),
            "sample_refused_no_good_column.csv": ("rejected", "refused: missing column 'good'"),
            "sample_cut_off.csv": ("cut off", f"cut off at byte {cut_at}: the last line never ended "
                                              f"(still for 120 s); loaded 2 rows"),
            "sample_growing.csv": ("loaded", "loaded 2 rows; line 4 has not ended yet: waiting for the rest of it"),
        }
        shown = {row["file"]: (row["status"], row["outcome"]) for row in services.data_status.report()["files"]}
        for name, (status, words) in expected.items():
            assert shown[name][0] == status, (name, shown[name])
            assert shown[name][1].startswith(words), (name, shown[name])
        # a minute later the live feed runs again: the exporter finished its row and wrote two more
        feed_current(services.config, tmp_path, now)
        grown = inbox / "sample_growing.csv"
        os.utime(grown, (past + 30, past + 30))
        services.loader.run_source("mes-counts", "test")
        growing = [row["outcome"] for row in services.data_status.report()["files"]
                   if row["file"] == "sample_growing.csv"]  # newest first
        assert growing == ["grew: read lines 4–6, loaded 3 rows",
                           "loaded 2 rows; line 4 has not ended yet: waiting for the rest of it"]
        with services.sessions() as session:  # every sample row is a copy of the history's: nothing added
            assert session.scalar(select(func.count()).select_from(ProductionCount)) == written["production_counts"]
    finally:
        services.dispose()
