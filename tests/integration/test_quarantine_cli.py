"""``huddle quarantine`` as an operator runs it, on SQLite and PostgreSQL: list the open problems by number,
dismiss with a reason (and who), retry one or all against the plant configuration as it is now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.cli import main

from tests.integration.test_quarantine import KNOWN, WITH_MOTOR, _open, _plant, load_refused


@pytest.fixture
def refused(make_services, database_url: str, inbox, tmp_path: Path) -> Any:  # type: ignore[no-untyped-def]
    """The small plant with a stop and two counts rows refused (``test_quarantine.load_refused``)."""
    return load_refused(make_services, database_url, inbox, tmp_path)


def _huddle(tmp_path: Path, database_url: str, plant: Path, *args: str) -> list[str]:
    return ["--data-dir", str(tmp_path), "--database-url", database_url, "--plant-config", str(plant),
            "--now", "2026-11-20T21:00", "quarantine", *args]


def test_the_quarantine_command_lists_retries_and_dismisses(  # type: ignore[no-untyped-def]
        refused, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plant = _plant(tmp_path, KNOWN)
    problems = _open(refused)
    stop, good = problems["stops-1120.csv, line 3"], problems["counts-1120.csv, line 3"]
    assert main(_huddle(tmp_path, database_url, plant, "list")) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "3 open, 0 resolved, 0 dismissed"
    assert listed[3] == (f"problem {good.id}  counts-1120.csv, line 3: good 'lots': not a number  (counts, found "
                         "2026-11-20 21:00)")

    assert main(_huddle(tmp_path, database_url, plant, "dismiss", str(good.id))) == 2
    assert "give --reason" in capsys.readouterr().out
    assert main(_huddle(tmp_path, database_url, plant, "dismiss", str(good.id), "--reason", "test row",
                        "--by", "ann")) == 0
    assert capsys.readouterr().out.startswith(f"dismissed: problem {good.id}  counts-1120.csv, line 3")
    assert refused.accounts.audit_trail(1)[0].actor == "ann"

    assert main(_huddle(tmp_path, database_url, plant, "retry")) == 2  # neither numbers nor --all
    capsys.readouterr()
    assert main(_huddle(tmp_path, database_url, plant, "retry", str(stop.id))) == 1  # still refused
    assert "now: reason 'Motor fault': unknown stop reason" in capsys.readouterr().out
    assert main(_huddle(tmp_path, database_url, _plant(tmp_path, WITH_MOTOR), "retry", "--all")) == 0
    out = capsys.readouterr().out
    assert f"loaded: problem {stop.id}  stops-1120.csv, line 3" in out
    assert out.splitlines()[-1] == "1 rows loaded (1 problems resolved), 0 problems still refused, 1 not retried"
    assert main(_huddle(tmp_path, database_url, plant, "list", "--status", "all")) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "1 open, 1 resolved, 1 dismissed" and "— resolved by retry" in out
    assert "— dismissed by Ann: test row" in out
    assert main(_huddle(tmp_path, database_url, plant, "dismiss", "9999", "--reason", "x")) == 1
    assert capsys.readouterr().out == "error: no problem 9999 in the quarantine\n"
