"""A pooled PostgreSQL connection is tested before use only after it sat idle (a load takes one per file, and a test
each time would be a round trip each), and one the server ended while it was idle is replaced, not handed out."""

from __future__ import annotations

import time

import pytest
from huddle.data import db
from sqlalchemy import text


def test_a_connection_ended_while_idle_is_replaced_and_a_busy_one_is_not_tested(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to end a connection")
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.3)
    engine = db.make_engine(database_url, application_name="huddle-idle-test")
    pings: list[object] = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi_connection: pings.append(1) or ping(dbapi_connection))
    with engine.connect() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with engine.connect() as conn:  # given back moments ago: used as it is
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == first
    assert not pings
    other = db.make_engine(database_url, application_name="huddle-idle-killer")
    with other.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        conn.commit()
    other.dispose()
    time.sleep(0.5)
    with engine.connect() as conn:  # idle long enough to be tested: found dead and replaced
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    engine.dispose()
    assert len(pings) == 1
