"""A source's mapping (docs/data-contract.md, "A source's own export shape") through the loaders: the column path
of clean chunks and the row path store the same rows from a mapped file, also when it is read as it is stored (a
long file); a file with title lines above its header that grows is read on from where it was; numbers that read two
ways are refused naming the setting to change; ``huddle check --source KEY FILE`` previews a file without storing it.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from huddle.dashboard.cli import main
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.data.db import init_db, make_engine, make_session_factory
from huddle.data.ingest import csv_stream, file_load
from huddle.data.ingest.loaders import Loader
from huddle.data.models import Labour, LoadedFile, ProductionCount, QuarantinedRow
from sqlalchemy import select

from tests.conftest import write_past

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "new_plant"
NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
ASSETS = {"Filler 1": "P1", "Filler 2": "P2", "Press 1": "M1"}


def plant(tmp_path: Path, **changes: dict[str, Any]) -> PlantConfig:
    """The fixture plant with its sources reading folders under tmp_path; ``changes`` replace keys of a source
    (None leaves the key out)."""
    raw = yaml.safe_load((FIXTURE / "plant.yaml").read_text(encoding="utf-8"))
    for source in raw["sources"]:
        source["path"] = str(tmp_path / "inbox" / source["key"])
        Path(source["path"]).mkdir(parents=True, exist_ok=True)
        source["settle_seconds"] = 0
        for key, value in changes.get(source["key"], {}).items():  # None: the key left out
            if value is None:
                source.pop(key, None)
            else:
                source[key] = value
    return parse_plant(raw)


def loader(config: PlantConfig, url: str) -> Loader:
    engine = make_engine(url)
    init_db(engine)
    return Loader(config, make_session_factory(engine), clock=lambda: NOW)


def us_counts(rng: random.Random, days: int) -> str:
    """A MES counts export: titles, then Asset;Date;Start;End;Units;Good Units;Planned Units in US dates and
    thousands dots, with now and then a cell the mapping or the contract refuses."""
    lines = ["Greenville Assembly – MES production report", "Exported 12/01/2026 06:00;;;;;;",
             "Asset;Date;Start;End;Units;Good Units;Planned Units"]
    first = datetime(2026, 11, 16, 6)
    for d in range(days):
        for asset in ASSETS:
            for h in range(17):
                start = first + timedelta(days=d, hours=h)
                total = rng.randint(200, 3000)
                good = total - rng.randint(0, 40)
                cells = [asset, start.strftime("%m/%d/%Y"), start.strftime("%H:%M"),
                         (start + timedelta(hours=1)).strftime("%H:%M"), f"{total:,}".replace(",", "."),
                         f"{good:,}".replace(",", "."), f"{total + 0.5:,.1f}".replace(",", " ").replace(".", ",")
                         .replace(" ", ".")]
                roll = rng.random()
                if roll < 0.02:
                    cells[4] = "1.02"  # not grouped by three
                elif roll < 0.04:
                    cells[0] = "Filler 9"  # an asset the map does not know
                elif roll < 0.06:
                    cells[1] = start.strftime("%d.%m.%Y")  # not the source's date format
                lines.append(";".join(cells))
    return "\n".join(lines) + "\n"


def stored(ld: Loader) -> dict[str, Any]:
    with ld.sessions() as s:
        return {
            "counts": sorted((c.line, c.start_utc.replace(tzinfo=UTC), c.end_utc.replace(tzinfo=UTC), c.total,
                              c.good, c.planned_qty) for c in s.scalars(select(ProductionCount))),
            "quarantine": sorted((q.row, q.column, q.value, q.reason) for q in s.scalars(select(QuarantinedRow))),
            "files": [(Path(f.path).name, f.status, f.rows_read, f.rows_loaded, f.rows_rejected)
                      for f in s.scalars(select(LoadedFile))],
        }


def test_a_mapped_file_stores_the_same_by_the_column_path_and_the_row_path(
        tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = us_counts(random.Random(7), 3)
    monkeypatch.setattr(file_load, "CHUNK_ROWS", 11)  # clean chunks and chunks with a problem, mixed
    taken: list[bool] = []
    real = file_load.screen_columns

    def counted(*args: Any) -> Any:
        found = real(*args)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(file_load, "screen_columns", counted)
    fast_config = plant(tmp_path / "fast")
    fast = loader(fast_config, database_url)
    write_past(tmp_path / "fast" / "inbox" / "mes-counts" / "counts.csv", text)
    fast.run_source("mes-counts", "test")
    assert any(taken) and not all(taken), "both paths are exercised"

    monkeypatch.setattr(file_load, "screen_columns", lambda *args: None)
    rows_config = plant(tmp_path / "rows")
    rows = loader(rows_config, f"sqlite:///{tmp_path / 'rows.sqlite'}")
    write_past(tmp_path / "rows" / "inbox" / "mes-counts" / "counts.csv", text)
    rows.run_source("mes-counts", "test")

    a, b = stored(fast), stored(rows)
    assert a == b
    assert len(a["counts"]) > 100 and a["quarantine"]
    reasons = {r for *_, r in a["quarantine"]}
    assert any("does not group thousands by three" in r for r in reasons)
    assert any(r.startswith("unknown line") for r in reasons)
    assert any("the source's date_format" in r for r in reasons)
    # the row numbers are the file's own lines (below its two title lines and its header)
    assert min(q[0] for q in a["quarantine"]) >= 4


def test_a_long_mapped_file_read_as_it_is_stored_gives_the_same_rows(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    text = us_counts(random.Random(3), 2)
    whole = loader(plant(tmp_path / "whole"), f"sqlite:///{tmp_path / 'whole.sqlite'}")
    write_past(tmp_path / "whole" / "inbox" / "mes-counts" / "counts.csv", text)
    whole.run_source("mes-counts", "test")
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 500)  # every file here is long
    streamed = loader(plant(tmp_path / "streamed"), f"sqlite:///{tmp_path / 'streamed.sqlite'}")
    write_past(tmp_path / "streamed" / "inbox" / "mes-counts" / "counts.csv", text)
    streamed.run_source("mes-counts", "test")
    assert stored(whole) == stored(streamed)


def test_a_file_with_title_lines_that_grew_is_read_on_from_where_it_was(tmp_path: Path) -> None:
    ld = loader(plant(tmp_path), f"sqlite:///{tmp_path / 'h.sqlite'}")
    head = ("MES production report\nExported 11/16/2026 12:00;;;;;;\n"
            "Asset;Date;Start;End;Units;Good Units;Planned Units\n"
            "Filler 1;11/16/2026;06:00;07:00;1.200;1.180;1.250,5\n"
            "Filler 1;11/16/2026;07:00;08:00;1.300;1.290;1.250,5\n")
    path = write_past(tmp_path / "inbox" / "mes-counts" / "counts.csv", head)
    first = ld.run_source("mes-counts", "test")
    assert first.files[0].rows_loaded == 2
    write_past(path, head + "Filler 1;11/16/2026;08:00;09:00;1.100;1.090;1.250,5\n"
                            "Filler 1;11/16/2026;09:00;10:00;1.026;1.30;1.250,5\n")
    grown = ld.run_source("mes-counts", "test")
    f = grown.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (2, 1, 1)
    assert "read lines 6–7" in f.note
    assert f.problems == [(7, "good", "1.30", '1.30 does not group thousands by three with the source\'s thousands '
                                              '"." (the source\'s decimal: ",", thousands: "."): correct the '
                                              "source's decimal and thousands")]
    assert [(r[0], r[3]) for r in stored(ld)["counts"]] == [("P1", 1200), ("P1", 1300), ("P1", 1100)]


def test_numbers_that_read_two_ways_are_refused_naming_the_setting(tmp_path: Path) -> None:
    config = plant(tmp_path, **{"mes-counts": {"decimal": None, "thousands": None, "header_row": None}})
    ld = loader(config, f"sqlite:///{tmp_path / 'h.sqlite'}")
    # no decimal or thousands: a semicolon file writes decimal commas, so a dot with three digits reads two ways
    write_past(tmp_path / "inbox" / "mes-counts" / "counts.csv",
               "Asset;Date;Start;End;Units;Good Units;Planned Units\n"
               "Filler 1;11/16/2026;06:00;07:00;2.146;2.100;12,5\n"
               "Filler 1;11/16/2026;07:00;08:00;900;880;1.026,5\n")
    f = ld.run_source("mes-counts", "test").files[0]
    reasons = {(line, column): reason for line, column, _value, reason in f.problems}
    assert reasons[(2, "total")].startswith("2.146 is ambiguous in a file of decimal commas: the dot may separate "
                                            "thousands (2146) or be a decimal point; set the source's "
                                            'thousands: "."')
    assert 'decimal: ","' in reasons[(3, "planned")] and 'thousands: "."' in reasons[(3, "planned")]
    # a comma-delimited payroll file with thousands commas and no setting: refused, naming the settings
    hours = plant(tmp_path / "b", **{"hr-hours": {"decimal": None, "thousands": None}})
    ld = loader(hours, f"sqlite:///{tmp_path / 'b.sqlite'}")
    write_past(tmp_path / "b" / "inbox" / "hr-hours" / "h.csv", 'Facility,Pay Period,Total Hours\n'
                                                               'Greenville,11/01/2026,"52,400"\n')
    f = ld.run_source("hr-hours", "test").files[0]
    assert f.problems[0][1:3] == ("hours", "52,400")
    assert "set the source's thousands: \",\" if it separates thousands (52400)" in f.problems[0][3]


def test_a_value_map_for_a_column_the_record_has_not_refuses_the_file(tmp_path: Path) -> None:
    config = plant(tmp_path, **{"mes-stops": {"values": {"reasons": {"E17": "Filler jam"}}}})
    ld = loader(config, f"sqlite:///{tmp_path / 'h.sqlite'}")
    shutil.copy(FIXTURE / "inbox" / "stops" / "downtime_20261116.csv", tmp_path / "inbox" / "mes-stops")
    write_past(tmp_path / "inbox" / "mes-stops" / "x.csv", "")
    f = next(f for f in ld.run_source("mes-stops", "test").files if f.name.startswith("downtime"))
    assert f.status == "rejected"
    assert "the source's values name 'reasons', which is no column of stop_events" in f.problems[0][3]


def test_labour_dates_and_hours_in_the_source_formats(tmp_path: Path) -> None:
    labour = {"key": "hr-labour", "kind": "files", "record": "labour", "date_format": "MM/DD/YYYY",
              "decimal": ",", "thousands": ".", "columns": {"Team": "line", "Schicht": "shift"},
              "values": {"line": ASSETS, "shift": {"Day": "A", "Evening": "B"}}, "constants": {"overtime_hours": "0"}}
    raw = yaml.safe_load((FIXTURE / "plant.yaml").read_text(encoding="utf-8"))
    raw["sources"] = [{**labour, "path": str(tmp_path / "labour"), "settle_seconds": 0}]
    (tmp_path / "labour").mkdir()
    ld = loader(parse_plant(raw), f"sqlite:///{tmp_path / 'h.sqlite'}")
    write_past(tmp_path / "labour" / "l.csv", "Team;date;Schicht;planned;present;hours;overtime\n"
                                              "Filler 1;11/16/2026;Day;6;5;40,5;9\n")
    outcome = ld.run_source("hr-labour", "test")
    assert outcome.rows_rejected == 0, outcome.files
    with ld.sessions() as s:
        row = s.scalars(select(Labour)).one()
    assert (row.line, row.production_date.isoformat(), row.shift, row.hours_worked, row.overtime_hours) == (
        "P1", "2026-11-16", "A", 40.5, 0.0)  # the constant overtime replaces the file's own column


def test_check_source_previews_a_file_without_storing_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    folder = tmp_path / "plant"
    shutil.copytree(FIXTURE, folder)
    counts = folder / "inbox" / "counts" / "mes_counts_20261116.csv"
    args = ["--plant-config", str(folder / "plant.yaml"), "--data-dir", str(tmp_path / "data"), "check"]
    assert main([*args, "--source", "mes-counts", str(counts)]) == 0
    out = capsys.readouterr().out
    assert "read as utf-8-sig, semicolon-delimited; dates like 11/16/2026, numbers like 1.026,5; header on line 3" \
        in out
    assert "start ← 'Date' + 'Start'" in out and "line ← 'Asset' (3 values mapped)" in out
    assert "line 4: line P1, start 2026-11-16 06:00, end 2026-11-16 10:00, total 5400, good 5310, planned 5500.5" \
        in out
    assert out.rstrip().endswith("check: ok — 4 rows read, 0 refused")
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())  # nothing stored

    bad = tmp_path / "bad.csv"
    bad.write_text(counts.read_text(encoding="utf-8").replace("Filler 2;11/16/2026", "Filler 7;16.11.2026"),
                   encoding="utf-8")
    assert main([*args, "--source", "mes-counts", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "first refusals:\n    line 6, line 'Filler 7': unknown line (known: P1, P2, M1)" in out
    assert "check: failed — 4 rows read, 1 refused" in out
    assert main([*args, "--source", "ehs", str(bad)]) == 1
    assert "no files or SQL source 'ehs'" in capsys.readouterr().out


def test_a_stop_across_midnight_from_one_date_column_ends_the_next_day(tmp_path: Path) -> None:
    from huddle.data.ingest.preview import preview_file

    config = plant(tmp_path, **{"mes-stops": {"timestamps": {"start": ["Date", "From"], "end": ["Date", "To"]},
                                              "time_format": "HH:mm", "columns": {"Equipment Area": "line",
                                                                                  "Downtime Type": "category"}}})
    path = write_past(tmp_path / "stops.csv", "Equipment Area,Date,From,To,Reason,Downtime Type\n"
                                              "Press 1,11/16/2026,22:50,00:10,Mold change,Changeover\n"
                                              "Press 1,11/17/2026,06:00,06:20,Heater fault,Unplanned Downtime\n"
                                              "Press 1,11/17/2026,07:00,,Heater fault,Unplanned Downtime\n")
    p = preview_file(config, config.sources["mes-stops"], path)
    assert [dict(values)["end"] for _line, values in p.rows] == ["2026-11-17 00:10", "2026-11-17 06:20"]
    assert p.refusals == [(4, "end", "11/17/2026", "missing value in 'To' (the source joins 'Date' and 'To' into "
                                                   "end)")]


def test_check_names_a_mapping_entry_for_a_column_the_record_has_not(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "plant"
    shutil.copytree(FIXTURE, folder)
    text = (folder / "plant.yaml").read_text(encoding="utf-8")
    (folder / "plant.yaml").write_text(text.replace("constants: {grain: month}", "constants: {granularity: month}"),
                                       encoding="utf-8")
    assert main(["--plant-config", str(folder / "plant.yaml"), "--data-dir", str(tmp_path / "data"), "check"]) == 1
    out = capsys.readouterr().out
    assert ("error: source hr-hours: constants: 'granularity' is no column of hours_worked (its columns: location, "
            "period, grain, hours); every file of the source would be refused") in out
    assert "check: failed" in out
