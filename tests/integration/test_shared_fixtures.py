"""The shared fixtures do what tests/conftest.py says: the small plant served on each backend, the inbox loaded,
and the demo plant's cached history copied per test as good as a fresh load (the loaders find nothing new in a copy,
its ledger points at its own files, and no copy sees another's changes)."""

from __future__ import annotations

from typing import Any

from huddle.data.models import LoadedFile, ProductionCount, User
from sqlalchemy import func, select

from tests.conftest import DEMO_DAYS, DEMO_NOW, Inbox

COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,1200
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,1200
"""


def test_a_new_test_is_three_lines(app_client) -> None:  # type: ignore[no-untyped-def]
    kpis = app_client.get("/api/v1/kpis").get_json()
    assert "oee" in {k["key"] for k in kpis["kpis"]}


def test_the_inbox_loads_into_the_services(services: Any, inbox: Inbox, app_client) -> None:  # type: ignore[no-untyped-def]
    outcomes = inbox.load(services, counts=COUNTS)  # and no stops: their folder is made, and stays empty
    assert {o.source: o.rows_loaded for o in outcomes} == {"counts": 2, "stops": 0}
    body = app_client.get("/api/v1/values?kpi=oee&scope=L1&grain=shift&period=2026-11-20/E").get_json()
    assert round(body["values"][0]["value"], 2) == 74.79


def _counts(services: Any) -> tuple[int, int, list[str]]:
    """Production counts, users, and the paths in the loaded-files ledger."""
    with services.sessions() as session:
        return (session.scalar(select(func.count()).select_from(ProductionCount)) or 0,
                session.scalar(select(func.count()).select_from(User)) or 0,
                list(session.scalars(select(LoadedFile.path))))


def test_a_demo_copy_is_as_good_as_a_fresh_load(make_demo, demo_histories) -> None:  # type: ignore[no-untyped-def]
    first = make_demo()
    counts, users, paths = _counts(first)
    assert counts > 0 and paths
    data_dir = str(first.settings.data_dir)
    original = str(demo_histories.history(DEMO_NOW, DEMO_DAYS))
    assert all(p.startswith(data_dir) for p in paths if p.startswith("/")), paths[:3]
    assert not any(p.startswith(original) for p in paths)
    # the loaders find nothing new in the copy, as in the original: no file read again or taken for a duplicate
    # (the SQL source's query runs again and returns the rows it returned before)
    outcomes = first.loader.run_all()
    files = {key for key, source in first.config.sources.items() if source.kind == "files"}
    assert not [(o.source, f.name, f.status) for o in outcomes if o.source in files for f in o.files]
    assert all(o.status == "idle" and o.rows_loaded == 0 for o in outcomes), [(o.source, o.status) for o in outcomes]
    assert _counts(first) == (counts, users, paths)
    # each test's copy is its own
    first.accounts.add_user("cli", "eddie", "editor-password-1", "editor")
    second = make_demo()
    assert _counts(second)[:2] == (counts, users)
    assert _counts(first)[1] == users + 1


def test_the_demo_services_run_as_at_their_instant(demo_services) -> None:  # type: ignore[no-untyped-def]
    assert demo_services.clock() == DEMO_NOW
    assert demo_services.config.site_key == "riverside"
    status = demo_services.data_status.report()
    assert status["runs"], "the demo's loads are in the run ledger"
