"""Huddle records through the API and the board's close button: an editor records a huddle, anyone signed in lists
and downloads the day's records (CSV and Excel, text written as data); a viewer, a wall TV, nobody signed in and a
bad body are refused and store nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import client_for

ORIGIN = {"Origin": "http://localhost"}
NOW = datetime(2026, 11, 20, 5, 17, tzinfo=UTC)  # 06:17 in Berlin: the early shift's huddle closing
STARTED = (NOW - timedelta(minutes=12)).isoformat()
TINA, VIC = ("tina", "tina-editor-password"), ("vic", "vic-viewer-password")


@pytest.fixture
def services(make_services, database_url: str) -> Any:  # type: ignore[no-untyped-def]
    """The small plant as the early huddle closes."""
    return make_services(database_url, now=NOW)


def _signed_in(services: Any, who: tuple[str, str], role: str) -> Any:
    services.accounts.add_user("test", who[0], who[1], role, display_name=who[0].title())
    client = client_for(services, anonymous_access="off")
    assert client.post("/login", data={"username": who[0], "password": who[1], "next": "/"},
                       headers=ORIGIN).status_code == 302
    return client


def test_recorded_listed_and_downloaded_through_the_api(services: Any) -> None:
    client = _signed_in(services, TINA, "editor")
    answer = client.post("/api/v1/huddles", headers=ORIGIN, json={
        "scope": "L2", "started_at": STARTED, "attendees": ["=HYPERLINK(\"x\")", "Tina"], "notes": "@SUM(1)"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    made = answer.get_json()
    assert (made["tier"], made["scope_name"], made["shift_words"], made["minutes"]) == (
        1, "Line 2 – Area A", "Early shift, Fri 20 Nov", 12.0)
    listed = client.get("/api/v1/huddles?date=2026-11-20&scope=a").get_json()
    assert [h["id"] for h in listed["huddles"]] == [made["id"]]
    assert client.get("/api/v1/huddles?date=2026-11-19").get_json()["huddles"] == []
    csv = client.get("/api/v1/huddles.csv?date=2026-11-20&scope=L2")
    text = csv.get_data().decode("utf-8-sig")
    assert csv.mimetype == "text/csv" and "Line 2 – Area A,\"Early shift, Fri 20 Nov\"" in text
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text  # written as data, never a formula
    book = load_workbook(io.BytesIO(client.get("/api/v1/huddles.xlsx?date=2026-11-20").get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Tier", "Scope", "Shift") and rows[1][1] == "Line 2 – Area A" and len(rows) == 2
    again = client.post("/api/v1/huddles", headers=ORIGIN, json={"scope": "L2", "attendees": ["Tina"]})
    assert again.status_code == 400 and "was recorded already by Tina" in again.get_json()["error"]


@pytest.mark.parametrize("body, why", [
    ({"scope": "L2"}, "take the attendance"),
    ({"scope": "L9", "attendees": ["A"]}, "unknown scope"),
    ({"scope": "L2", "attendees": ["A"], "started_at": "yesterday"}, "started_at: expected an instant"),
    ({"scope": "L2", "attendees": ["A"], "started_at": "2026-11-20T06:05"}, "give the time with its UTC offset"),
    ({"scope": "L2", "attendees": ["A"], "mood": "good"}, "unknown fields mood"),
    ({"scope": "L2", "attendees": "A", "notes": 5}, "scope and notes are text"),
])
def test_a_bad_record_is_refused_naming_what(services: Any, body: dict[str, Any], why: str) -> None:
    answer = _signed_in(services, TINA, "editor").post("/api/v1/huddles", headers=ORIGIN, json=body)
    assert answer.status_code == 400 and why in answer.get_json()["error"], answer.get_data(as_text=True)
    assert services.huddles.listing(NOW.date()) == []


def test_only_editors_record(services: Any) -> None:
    body = {"scope": "L2", "attendees": ["Vic"]}
    viewer = _signed_in(services, VIC, "viewer")
    refused = viewer.post("/api/v1/huddles", headers=ORIGIN, json=body)
    assert refused.status_code == 403 and "recording a huddle needs the editor role" in refused.get_json()["error"]
    assert client_for(services, anonymous_access="off").post("/api/v1/huddles", json=body).status_code == 401
    # the board's Close huddle button, its request forged by the viewer
    app_output = next(k for k in _app(services).callback_map if k.startswith("..huddle-message.children@"))
    state = [{"id": "huddle-people", "property": "value", "value": ["Vic"]},
             {"id": "huddle-guests", "property": "value", "value": ""},
             {"id": "huddle-notes", "property": "value", "value": ""},
             {"id": "huddle-state", "property": "data", "value": {"scope": "L2", "started": STARTED}},
             {"id": "page-site", "property": "data", "value": "ex"}]
    outputs = [dict(zip(("id", "property"), part.split("@")[0].rsplit(".", 1), strict=True))
               for part in app_output.strip(".").split("...")]  # every output the close button's callback has
    payload = {"output": app_output, "outputs": outputs,
               "inputs": [{"id": "huddle-close", "property": "n_clicks", "value": 1}], "state": state,
               "changedPropIds": ["huddle-close.n_clicks"]}
    said = viewer.post("/_dash-update-component", json=payload, headers=ORIGIN).get_data(as_text=True)
    assert "Not recorded: recording a huddle needs the editor role" in said, said
    assert services.huddles.listing(NOW.date()) == []


def _app(services: Any) -> Any:
    from huddle.dashboard.web.app import create_app

    return create_app(services.settings, services=services)
