"""Shift handovers through the API: an editor writes a line's handover and another acknowledges it; a viewer, nobody
signed in and a request from another site are refused, and a bad body is refused naming what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import client_for

ORIGIN = {"Origin": "http://localhost"}
OUTGOING, INCOMING = ("olga", "olga-editor-password"), ("ivan", "ivan-editor-password")
VIEWER = ("vic", "vic-viewer-password")


@pytest.fixture
def services(make_services, database_url: str) -> Any:  # type: ignore[no-untyped-def]
    """The small plant at 21:50 in Berlin, the late shift about to hand over."""
    return make_services(database_url, now=datetime(2026, 11, 20, 20, 50, tzinfo=UTC))


def _signed_in(services: Any, who: tuple[str, str], role: str) -> Any:
    services.accounts.add_user("test", who[0], who[1], role, display_name=who[0].title())
    client = client_for(services, anonymous_access="off")
    answer = client.post("/login", data={"username": who[0], "password": who[1], "next": "/"}, headers=ORIGIN)
    assert answer.status_code == 302
    return client


def test_written_listed_and_acknowledged_through_the_api(services: Any) -> None:
    outgoing, incoming = _signed_in(services, OUTGOING, "editor"), _signed_in(services, INCOMING, "editor")
    answer = outgoing.post("/api/v1/handovers", headers=ORIGIN, json={
        "line": "L1", "note": "<script>alert(1)</script> all good",
        "machines": [{"machine": "Filler", "state": "down", "note": "motor"}], "safety": "wet floor"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    written = answer.get_json()
    assert (written["shift"], written["shift_words"], written["written_by_name"]) == ("L", "Late shift, Fri 20 Nov",
                                                                                     "Olga")
    assert written["note"] == "<script>alert(1)</script> all good"  # kept as typed; pages show it as text
    listed = incoming.get("/api/v1/handovers?scope=a&open=1").get_json()
    assert [h["id"] for h in listed["handovers"]] == [written["id"]]
    read = incoming.post("/api/v1/handovers", headers=ORIGIN, json={"acknowledge": written["id"]})
    assert read.status_code == 200 and read.get_json()["acknowledged_by_name"] == "Ivan"
    assert incoming.get("/api/v1/handovers?scope=L1&open=1").get_json()["handovers"] == []
    again = outgoing.post("/api/v1/handovers", headers=ORIGIN, json={"acknowledge": written["id"]})
    assert again.status_code == 400 and "already acknowledged by Ivan" in again.get_json()["error"]


@pytest.mark.parametrize("body, why", [
    ({"line": "L9", "note": "x"}, "a handover is written for a line; L9 is not one"),
    ({"line": "L1"}, "say something to hand over"),
    ({"line": "L1", "note": "x", "colour": "red"}, "unknown fields colour"),
    ({"line": "L1", "note": 5}, "are text"),
    ({"line": "L1", "note": "x", "date": "20.11.2026", "shift": "E"}, "date: expected a production date"),
    ({"acknowledge": "1"}, "acknowledge: expected the handover's id"),
    ([1, 2], "expected a JSON object"),
])
def test_a_bad_body_is_refused_naming_what(services: Any, body: Any, why: str) -> None:
    client = _signed_in(services, OUTGOING, "editor")
    answer = client.post("/api/v1/handovers", headers=ORIGIN, json=body)
    assert answer.status_code == 400 and why in answer.get_json()["error"], answer.get_data(as_text=True)
    assert services.handovers.listing("plant") == []


def test_only_editors_from_this_site_write(services: Any) -> None:
    body = {"line": "L1", "note": "x"}
    viewer = _signed_in(services, VIEWER, "viewer")
    answer = viewer.post("/api/v1/handovers", headers=ORIGIN, json=body)
    assert answer.status_code == 403 and "writing a handover needs the editor role" in answer.get_json()["error"]
    assert client_for(services, anonymous_access="read").post("/api/v1/handovers", headers=ORIGIN,
                                                              json=body).status_code == 403
    assert client_for(services, anonymous_access="off").post("/api/v1/handovers", json=body).status_code == 401
    editor = _signed_in(services, OUTGOING, "editor")
    assert editor.post("/api/v1/handovers", headers={"Origin": "http://evil.example"}, json=body).status_code == 403
    assert services.handovers.listing("plant") == []
