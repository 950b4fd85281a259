"""``huddle import`` ends with a word and an exit status a nightly job can trust: a refused file fails the import
every time it is seen (still refused, not a duplicate) until its problems are closed; "some rows refused" (1) and
"nothing loaded" (3) have statuses of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from huddle.dashboard.cli import main
from huddle.data.models import QuarantinedRow
from sqlalchemy import create_engine, select

from tests.conftest import write_past

HEADER = "line,start,end,total,good,planned\n"
GOOD = HEADER + "L1,2026-11-20 06:00,2026-11-20 07:00,3000,2950,3100\n"
UNKNOWN_LINES = HEADER + "L9,2026-11-20 06:00,2026-11-20 07:00,3000,2950,3100\n"
NO_GOOD_COLUMN = "line,start,end,total,planned\nL1,2026-11-20 07:00,2026-11-20 08:00,3000,3100\n"


@pytest.fixture
def huddle(tmp_path: Path, plant_file: Path, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run a huddle command in this process on the small plant, as at the evening of the counts' day; returns
    its exit status and what it printed."""
    monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HUDDLE_PLANT_CONFIG", str(plant_file))
    monkeypatch.setenv("HUDDLE_NOW", "2026-11-20T20:00")
    monkeypatch.delenv("HUDDLE_DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        return code, capsys.readouterr().out

    assert run("init")[0] == 0
    return run


def test_a_folder_of_refused_files_fails_every_time_it_is_imported(huddle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    drop = tmp_path / "drop"
    write_past(drop / "a-unknown-line.csv", UNKNOWN_LINES)
    write_past(drop / "b-no-good-column.csv", NO_GOOD_COLUMN)
    code, out = huddle("import", str(drop), "--record", "production_counts")
    assert code == 3, out
    assert out.startswith("import: failed — nothing loaded: 2 files refused; 1 rows read, 0 loaded, 1 rejected")

    # the nightly job runs over the same folder again: still refused, with the reasons, and still failed
    for _ in range(2):
        code, out = huddle("import", str(drop), "--record", "production_counts")
        assert code == 3, out
        assert out.startswith("import: failed — nothing loaded: 2 files refused; 0 rows read, 0 loaded, 0 rejected")
        assert "duplicate" not in out
        assert "a-unknown-line.csv: rejected, 0 loaded, 0 rejected (still refused, unchanged since it was read: " \
               "line 2, line: unknown line" in out
        assert "b-no-good-column.csv: rejected" in out and "still refused" in out
        assert "    line 2, column line = 'L9': unknown line" in out

    # a good file beside them: it loads, the others are still refused
    write_past(drop / "c-good.csv", GOOD)
    code, out = huddle("import", str(drop), "--record", "production_counts")
    assert code == 1, out
    assert out.startswith("import: partial — some rows refused: 2 files with refusals; 1 rows read, 1 loaded")

    # the good file alone, again: nothing new, nothing refused
    code, out = huddle("import", str(drop / "c-good.csv"))
    assert code == 0, out
    assert out.startswith("import: ok — nothing new to load; 0 rows read, 0 loaded, 0 rejected")
    assert "c-good.csv: duplicate" in out

    # once someone closes the problems (dismissed: no fix needed), the refused files are no longer a failure
    engine = create_engine(f"sqlite:///{tmp_path / 'huddle.sqlite'}")
    with engine.connect() as conn:
        open_ids = [str(i) for i in conn.execute(select(QuarantinedRow.id).where(QuarantinedRow.status == "open"))
                    .scalars()]
    engine.dispose()
    assert len(open_ids) == 2
    code, out = huddle("quarantine", "dismiss", *open_ids, "--reason", "test exports from the line trial")
    assert code == 0, out
    code, out = huddle("import", str(drop), "--record", "production_counts")
    assert code == 0, out
    assert out.startswith("import: ok — nothing new to load")


def test_some_rows_refused_is_partial_and_says_so(huddle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_past(tmp_path / "drop" / "mixed.csv", GOOD + UNKNOWN_LINES.removeprefix(HEADER)
                      .replace("06:00", "07:00").replace("07:00,3000", "08:00,3000"))
    code, out = huddle("import", str(path))
    assert code == 1, out
    assert out.startswith("import: partial — some rows refused: 1 file with refusals; 2 rows read, 1 loaded, "
                          "1 rejected")
    code, again = huddle("import", str(path))
    assert code == 3, again  # its refused row is still refused; nothing new loaded
    assert "mixed.csv: partial, 0 loaded, 0 rejected (still refused, unchanged since it was read: line 3, line: " \
           "unknown line" in again
    assert "when read: partly refused: 1 of 2 rows" in again


def test_a_path_not_found_did_not_run(huddle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = huddle("import", str(tmp_path / "nowhere.csv"))
    assert (code, out) == (2, f"error: not found: {tmp_path / 'nowhere.csv'}\n")


# ---- huddle check ------------------------------------------------------------------------------------------------


def test_check_fails_on_a_source_folder_that_does_not_exist(huddle, tmp_path: Path, plant_file: Path) -> None:  # type: ignore[no-untyped-def]
    for folder in ("counts", "stops"):
        (tmp_path / "inbox" / folder).mkdir(parents=True)
    code, out = huddle("check")
    assert code == 0, out
    # the small plant's focus findings (its layers' sizes, owners without an account) are advice, not warnings
    assert out.rstrip().endswith("check: ok — 0 errors, 0 warnings, 4 focus findings")
    # a typo in a source's path: the loader would find no files there, ever
    plant_file.write_text(plant_file.read_text().replace("${data_dir}/inbox/stops", "${data_dir}/inbox/stosp"))
    code, out = huddle("check")
    assert code == 1, out
    typo = (tmp_path / "inbox" / "stosp").as_posix()
    assert f"  error: source stops: the folder {typo} does not exist: correct the source's path (a typo?) or " \
           "create the folder" in out
    assert f"source stops (files, stop_events): reads {typo} (this folder does not exist)\n" in out
    assert out.rstrip().endswith("check: failed — 1 error, 0 warnings, 4 focus findings")


def test_the_verdict_in_words_and_status() -> None:
    from huddle.dashboard.cli_import import verdict
    from huddle.data.ingest.outcomes import FileOutcome, RunOutcome

    def said(*files: FileOutcome, status: str = "ok", message: str = "") -> tuple[str, str, int]:
        v = verdict(RunOutcome("import", 1, status, list(files), message))
        return v.word, v.words, v.code

    loaded = FileOutcome("a.csv", "loaded", rows_read=2, rows_loaded=2)
    assert said(loaded) == ("ok", "loaded", 0)
    assert said(FileOutcome("a.csv", "duplicate")) == ("ok", "nothing new to load", 0)
    assert said(FileOutcome("b.csv", "waiting")) == (
        "ok", "nothing new to load (1 file still being written: import again once written)", 0)
    cut = FileOutcome("c.csv", "loaded", rows_read=3, rows_loaded=2, rows_rejected=1)
    assert said(loaded, cut) == ("partial", "some rows refused: 1 file with refusals", 1)
    assert said(FileOutcome("d.csv", "failed", note="disk error")) == ("failed", "nothing loaded: 1 file refused", 3)
    assert said(status="failed", message="database unavailable: gone") == (
        "failed", "nothing loaded: database unavailable: gone", 3)
