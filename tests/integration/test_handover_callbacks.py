"""The board's handover form and acknowledge button, called as any HTTP client can call them: an editor's handover is
stored and acknowledged by another editor; the same bodies forged by a viewer or a wall-TV display store nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.web.app import create_app

ORIGIN = {"Origin": "http://localhost"}
PASSWORDS = {"olga": "olga-editor-password", "ivan": "ivan-editor-password", "vera": "vera-viewer-password"}


@pytest.fixture
def site(make_services, database_url: str):  # type: ignore[no-untyped-def]
    """The small plant at 21:50, sign-in required, two editors, a viewer and a wall TV."""
    services = make_services(database_url, now=datetime(2026, 11, 20, 20, 50, tzinfo=UTC), anonymous_access="off")
    for name, role in (("olga", "editor"), ("ivan", "editor"), ("vera", "viewer")):
        services.accounts.add_user("test", name, PASSWORDS[name], role, display_name=name.title())
    token = services.accounts.add_display("test", "hall-tv")
    return create_app(services.settings, services=services), services, token


def _client(app: Any, who: str, token: str) -> Any:
    client = app.server.test_client()
    if who == "hall-tv":
        client.get(f"/display/{token}")
    else:
        answer = client.post("/login", data={"username": who, "password": PASSWORDS[who], "next": "/"},
                             headers=ORIGIN)
        assert answer.status_code == 302
    return client


def _rows(kind: str, values: list[Any]) -> list[dict[str, Any]]:
    return [{"id": {"type": kind, "index": n}, "property": "value", "value": v} for n, v in enumerate(values)]


def hand_over(client: Any, note: str) -> str:
    """Press the board's Hand over button with a note and one machine."""
    state = [{"id": "handover-line", "property": "value", "value": "L1"},
             {"id": "handover-note", "property": "value", "value": note},
             {"id": "handover-problems", "property": "value", "value": None},
             _rows("handover-machine", ["Filler", None, None]), _rows("handover-state", ["down", None, None]),
             _rows("handover-machine-note", ["motor", None, None]),
             {"id": "handover-safety", "property": "value", "value": ""},
             {"id": "handover-changed", "property": "data", "value": 0},
             {"id": "page-site", "property": "data", "value": "ex"}]
    payload = {"output": "..handover-message.children...handover-changed.data..",
               "outputs": [{"id": "handover-message", "property": "children"},
                           {"id": "handover-changed", "property": "data"}],
               "inputs": [{"id": "handover-save", "property": "n_clicks", "value": 1}],
               "state": state, "changedPropIds": ["handover-save.n_clicks"]}
    return client.post("/_dash-update-component", json=payload, headers=ORIGIN).get_data(as_text=True)


def acknowledge(app: Any, client: Any, handover_id: int) -> str:
    """Press the Acknowledge button of a handover leading the board."""
    button = {"index": handover_id, "type": "handover-ack"}
    output = next(k for k in app.callback_map if k.startswith("..handover-ack-message.children..."))
    payload = {"output": output,
               "outputs": [{"id": "handover-ack-message", "property": "children"},
                           {"id": "handover-changed", "property": "data"}],
               "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
               "state": [{"id": "handover-changed", "property": "data", "value": 0},
                         {"id": "page-site", "property": "data", "value": "ex"}],
               "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"]}
    return client.post("/_dash-update-component", json=payload, headers=ORIGIN).get_data(as_text=True)


def test_an_editor_hands_over_and_another_acknowledges(site) -> None:  # type: ignore[no-untyped-def]
    app, services, token = site
    said = hand_over(_client(app, "olga", token), "Filler down, motor ordered")
    assert "Handed over Line 1 – Area A, Late shift, Fri 20 Nov" in said, said
    (written,) = services.handovers.leading("L1")
    assert [(m.machine, m.state) for m in written.machines] == [("Filler", "down")]
    said = acknowledge(app, _client(app, "ivan", token), written.id)
    assert "Ivan acknowledged the handover of Line 1 – Area A at 21:50" in said, said
    assert services.handovers.leading("L1") == []


@pytest.mark.parametrize("who", ["vera", "hall-tv"])
def test_forged_bodies_below_editor_store_nothing(site, who: str) -> None:  # type: ignore[no-untyped-def]
    app, services, token = site
    said = hand_over(_client(app, who, token), "forged")
    assert "Not handed over: writing a handover needs the editor role" in said, said
    assert services.handovers.listing("plant") == []
    written = services.handovers.write(Identity("user", "olga", "editor"), "L1", note="real")
    said = acknowledge(app, _client(app, who, token), written.id)
    assert "Not acknowledged: acknowledging a handover needs the editor role" in said, said
    assert [h.id for h in services.handovers.leading("L1")] == [written.id]
