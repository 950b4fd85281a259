"""What each source last did, read from the ledger by a seek per source: the same runs a read of every run finds,
on SQLite and PostgreSQL, and (on SQLite, whose plans can be read) no statement that reads every run; and a page's
reading context (sources read through, live sources lost, the stored plant calendar) read in one statement."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from huddle.dashboard.core.plant_calendar import PlannedDays
from huddle.data.db import init_db, make_engine
from huddle.data.models import LoadRun, Meta, ShiftFact
from huddle.data.models_feeds import LiveSource
from huddle.data.queries import ledger, liveness, plant_calendar
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

T0 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)

#: (source, minutes after T0, status, rows read, finished) in the order the runs were written
RUNS = [
    ("mes-counts", 0, "ok", 100, True),
    ("mes-counts", 15, "failed", 0, True),
    ("mes-counts", 30, "idle", 0, True),       # the latest good run, but the load before it read rows
    ("mes-stops", 0, "partial", 40, True),
    ("mes-stops", 15, "ok", 50, True),
    ("mes-stops", 30, "running", 0, False),   # still going: the latest run, not a good one, not finished
    ("time-clock", 0, "failed", 0, True),     # never read through
]


def _write_ledger(session: Session) -> dict[tuple[str, int], int]:
    ids = {}
    for source, minutes, status, rows, finished in RUNS:
        start = T0 + timedelta(minutes=minutes)
        run = LoadRun(source=source, trigger="schedule", started_at=start, status=status, rows_read=rows,
                      finished_at=start + timedelta(minutes=2) if finished else None)
        session.add(run)
        session.flush()
        ids[(source, minutes)] = run.id
    return ids


def test_each_source_s_latest_runs_are_the_ones_the_ledger_holds(database_url: str) -> None:
    engine = make_engine(database_url)
    init_db(engine)
    with Session(engine) as session:
        ids = _write_ledger(session)
        session.commit()
        status = {source: {k: run.id if run else None for k, run in found.items()}
                  for source, found in ledger.source_status(session).items()}
        assert status == {
            "mes-counts": {"last": ids[("mes-counts", 30)], "last_load": ids[("mes-counts", 0)],
                           "last_success": ids[("mes-counts", 30)], "last_failure": ids[("mes-counts", 15)]},
            "mes-stops": {"last": ids[("mes-stops", 30)], "last_load": ids[("mes-stops", 15)],
                          "last_success": ids[("mes-stops", 15)], "last_failure": None},
            "time-clock": {"last": ids[("time-clock", 0)], "last_load": None, "last_success": None,
                           "last_failure": ids[("time-clock", 0)]}}
        assert ledger.sources_read_through(session) == {"mes-counts": T0 + timedelta(minutes=32),
                                                        "mes-stops": T0 + timedelta(minutes=17)}
        assert liveness.last_checks(session) == {"mes-counts": T0 + timedelta(minutes=30),
                                                 "mes-stops": T0 + timedelta(minutes=30), "time-clock": T0}
    engine.dispose()


def test_an_empty_ledger_has_no_sources(database_url: str) -> None:
    engine = make_engine(database_url)
    init_db(engine)
    with Session(engine) as session:
        assert ledger.source_status(session) == {} and ledger.sources_read_through(session) == {}
        assert liveness.health_state(session).last_statuses == {} and liveness.last_checks(session) == {}
    engine.dispose()


@pytest.mark.parametrize("statement", [ledger._READ_THROUGH, ledger._LATEST_IDS, liveness._LAST_CHECKS,
                                       ledger._CONTEXT, liveness._REFRESH_STATE, liveness._HEALTH_STATE,
                                       liveness._CONTEXT_AND_HEALTH])
def test_what_each_source_last_did_is_found_without_reading_every_run(tmp_path: Path, statement: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'huddle.sqlite'}")
    init_db(engine)
    with engine.connect() as conn:
        plan = [row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {statement}"), {"quiet_since": T0})]
    engine.dispose()
    searches = [step for step in plan if step.startswith("SEARCH")]
    # the few sources, the live sources (a row each) and the settings are read whole; nothing that grows with history
    scans = [step for step in plan if step.startswith("SCAN") and step not in ("SCAN sources", "SCAN live_sources",
                                                                                  "SCAN meta")]
    assert len(searches) >= 3 and not scans, plan


def test_a_page_s_context_is_read_in_one_statement_as_its_three_reads_give_it(database_url: str) -> None:
    engine = make_engine(database_url)
    init_db(engine)
    now = T0 + timedelta(hours=1)
    statements: list[str] = []
    with Session(engine) as session:
        _write_ledger(session)
        session.add_all([
            LiveSource(source="press-mqtt", state="disconnected", since=now, updated_at=now,
                       machine_state=json.dumps({"lines": ["L1", "L2"]})),
            LiveSource(source="oven-mqtt", state="connected", since=T0, updated_at=now - timedelta(minutes=5),
                       machine_state="not json"),  # its subscriber went quiet: lost, feeding no known line
            LiveSource(source="filler-mqtt", state="connected", since=T0, updated_at=now,
                       machine_state=json.dumps({"lines": ["L3"]})),  # well
            Meta(key="last_recordable:L1", value="2026-03-01"), Meta(key="last_recordable:plant", value="2026-01-15"),
            Meta(key="last-recordable:L2", value="2026-02-01"), Meta(key="plannedx", value="{}")])  # not the calendar's
        plant_calendar.replace_planned(session, [
            PlannedDays(date(2026, 12, 24), date(2026, 12, 26), "Christmas", "plant", "holiday"),
            PlannedDays(date(2026, 8, 3), date(2026, 8, 14), "Summer <shutdown> & 'care'", "L1", "shutdown")])
        session.commit()
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        together = ledger.context_rows(session, now)
        assert len(statements) == 1
        assert (together.read_through, together.calendar) == (ledger.sources_read_through(session),
                                                             plant_calendar.stored_calendar(session))
    assert together.live_down == {"press-mqtt": frozenset({"L1", "L2"}), "oven-mqtt": frozenset()}
    assert together.read_through == {"mes-counts": T0 + timedelta(minutes=32), "mes-stops": T0 + timedelta(minutes=17)}
    planned, last_recordables = together.calendar
    assert [(p.first, p.scope, p.name) for p in planned] == [(date(2026, 8, 3), "L1", "Summer <shutdown> & 'care'"),
                                                             (date(2026, 12, 24), "plant", "Christmas")]
    assert last_recordables == {"L1": date(2026, 3, 1), "plant": date(2026, 1, 15)}
    engine.dispose()


def test_a_board_refresh_reads_the_version_the_heartbeat_and_the_checks_in_one_statement(database_url: str) -> None:
    engine = make_engine(database_url)
    init_db(engine)
    statements: list[str] = []
    with Session(engine) as session:
        empty = liveness.refresh_state(session)
        assert (empty.heartbeat, empty.checks) == (None, {})
        _write_ledger(session)
        ledger.bump_data_version(session)
        liveness.beat(session, T0 + timedelta(minutes=31), T0, "huddle-scheduler host-a pid 42")
        session.commit()
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        state = liveness.refresh_state(session)
        assert len(statements) == 1
        assert state == (ledger.data_version(session), liveness.last_beat(session), liveness.last_checks(session))
    assert state.data_version > empty.data_version
    assert state.heartbeat == liveness.Heartbeat(T0 + timedelta(minutes=31), T0, "huddle-scheduler host-a pid 42")
    assert state.checks == {"mes-counts": T0 + timedelta(minutes=30), "mes-stops": T0 + timedelta(minutes=30),
                            "time-clock": T0}
    engine.dispose()


def test_the_board_s_health_strip_reads_the_ledger_the_heartbeat_and_the_latest_data_in_one_statement(
        database_url: str) -> None:
    engine = make_engine(database_url)
    init_db(engine)
    statements: list[str] = []
    with Session(engine) as session:
        empty = liveness.health_state(session)
        assert empty == ({}, {}, None, None)
        _write_ledger(session)
        liveness.beat(session, T0 + timedelta(minutes=31), T0, "huddle-scheduler host-a pid 42")
        for day, through in ((date(2026, 11, 29), T0 - timedelta(hours=3)), (date(2026, 11, 30), T0 + timedelta(
                minutes=29))):
            session.add(ShiftFact(line="L1", area="a", production_date=day, shift="E", start_utc=T0, end_utc=T0,
                                  data_through_utc=through, updated_at=T0))
        session.commit()
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        state = liveness.health_state(session)
        assert len(statements) == 1
        assert state[1:] == (liveness.last_checks(session), liveness.last_beat(session), ledger.latest_data(session))
    assert state.last_statuses == {"mes-counts": "idle", "mes-stops": "running", "time-clock": "failed"}
    assert state.latest_data == T0 + timedelta(minutes=29)
    assert state.heartbeat is not None and state.heartbeat.by == "huddle-scheduler host-a pid 42"
    engine.dispose()


def _statements_run(engine: Engine) -> list[str]:
    """The statements the engine runs from now on, as they run."""
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_a_board_reads_its_readings_context_and_its_health_strip_in_one_statement(database_url: str) -> None:
    now = T0 + timedelta(hours=1)
    engine = make_engine(database_url)
    init_db(engine)
    with Session(engine) as session:
        assert liveness.context_and_health(session, now) == (ledger.context_rows(session, now),
                                                             liveness.health_state(session))
        _write_ledger(session)
        liveness.beat(session, T0 + timedelta(minutes=31), T0, "huddle-scheduler host-a pid 42")
        session.add_all([
            LiveSource(source="press-mqtt", state="disconnected", since=now, updated_at=now,
                       machine_state=json.dumps({"lines": ["L1"]})),
            Meta(key="last_recordable:L1", value="2026-03-01"),
            ShiftFact(line="L1", area="a", production_date=date(2026, 11, 30), shift="E", start_utc=T0, end_utc=T0,
                      data_through_utc=T0 + timedelta(minutes=29), updated_at=T0)])
        plant_calendar.replace_planned(session, [
            PlannedDays(date(2026, 12, 24), date(2026, 12, 26), "Christmas", "plant", "holiday")])
        session.commit()
        statements = _statements_run(engine)
        context, health = liveness.context_and_health(session, now)
        assert len(statements) == 1
        assert (context, health) == (ledger.context_rows(session, now), liveness.health_state(session))
    # neither read takes the other's rows: the heartbeat is not a calendar row, the calendar not a heartbeat
    assert context.live_down == {"press-mqtt": frozenset({"L1"})}
    assert context.calendar[1] == {"L1": date(2026, 3, 1)} and len(context.calendar[0]) == 1
    assert health.heartbeat is not None and health.latest_data == T0 + timedelta(minutes=29)
    assert health.last_statuses == {"mes-counts": "idle", "mes-stops": "running", "time-clock": "failed"}
    engine.dispose()
