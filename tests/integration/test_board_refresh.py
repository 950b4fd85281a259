"""The board's refresh as a TV sends it: a full board once, then nothing while nothing changed, and a new board
as soon as a loader stores new data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard.app import create_app
from pages.board import view_from_query
from tests.conftest import write_past

ORIGIN = {"Origin": "http://localhost"}


def refresh(client: Any, view: dict[str, Any], key: str | None) -> Any:
    """POST the board's refresh callback the way the browser does."""
    payload = {
        "output": "..board-body.children...board-key.data..",
        "outputs": [{"id": "board-body", "property": "children"}, {"id": "board-key", "property": "data"}],
        "inputs": [{"id": "board-refresh", "property": "n_intervals", "value": 3},
                   {"id": "board-cycle", "property": "n_intervals", "value": None},
                   {"id": "board-view", "property": "data", "value": view},
                   {"id": "action-changed", "property": "data", "value": 0}],
        "state": [{"id": "board-key", "property": "data", "value": key}],
        "changedPropIds": ["board-refresh.n_intervals"],
    }
    return client.post("/_dash-update-component", json=payload, headers=ORIGIN)


def test_refresh_sends_nothing_until_the_data_changes(make_services, tmp_path: Path) -> None:
    services = make_services(None, now=datetime(2026, 11, 20, 14, 30, tzinfo=UTC))
    write_past(tmp_path / "inbox/counts/a.csv", "line,start,end,total,good,planned\n"
               "L1,2026-11-20 06:00,2026-11-20 10:00,10000,9800,12000\n")
    services.loader.run_all()
    client = create_app(services.settings, services=services).server.test_client()
    view = view_from_query({"scope": "L1", "date": "2026-11-20", "shift": "E"})
    first = refresh(client, view, None)
    assert first.status_code == 200 and len(first.data) > 5000
    key = first.get_json()["response"]["board-key"]["data"]
    again = refresh(client, view, key)
    assert again.status_code == 204 and again.data == b""  # nothing changed: nothing sent
    write_past(tmp_path / "inbox/counts/b.csv", "line,start,end,total,good,planned\n"
               "L1,2026-11-20 10:00,2026-11-20 14:00,9271,9048,12000\n")
    services.loader.run_all()
    changed = refresh(client, view, key)
    assert changed.status_code == 200 and changed.get_json()["response"]["board-key"]["data"] != key
    assert "18,848" not in first.get_data(as_text=True) and "18,848" in changed.get_data(as_text=True)
