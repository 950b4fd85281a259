"""The entry page's save and the entry API over HTTP, as a browser or a script calls them, through the real security
layer: an operator stores for their own line; a forged callback body naming another line, and an API request for
another line, are refused by the service and store nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.data.models import StopEvent
from sqlalchemy import func, select

from tests.integration.test_admin_callbacks import ORIGIN, _outputs
from tests.integration.test_shop_floor import PLANT

NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # the late shift runs
FORM = {"tab": "stop", "branch": "Filler", "reason": "Filler jam", "ago": 10, "end": "now", "lasted": 5}


@pytest.fixture
def app(make_services, database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    plant = tmp_path / "plant_entry.yaml"
    plant.write_text(PLANT, encoding="utf-8")
    services = make_services(database_url, now=NOW, plant=plant, anonymous_access="off")
    services.accounts.add_user("cli", "olga", "operator-password-1", "operator", "Olga Novak", "L1")
    services.accounts.add_user("cli", "vic", "viewer-password-1", "viewer")
    return create_app(services.settings, services=services), services


def _client(app: Any, who: str | None) -> Any:
    client = app.server.test_client()
    if who:
        answer = client.post("/login", data={"username": who, "password": f"{'operator' if who == 'olga' else 'viewer'}"
                                                                           "-password-1"}, headers=ORIGIN)
        assert answer.status_code == 302, answer.text
    return client


def _stops(services: Any) -> int:
    with services.sessions() as session:
        return session.execute(select(func.count()).select_from(StopEvent)).scalar_one()


def _save(app: Any, client: Any, line: str | None, form: dict[str, Any]) -> Any:
    """What the page is told when 'Save stop' is tapped, with the page's line and form as given."""
    key = next(k for k in app.callback_map if k.startswith(f"..{ids.ENTRY_STOP_MESSAGE}.children..."))
    spec = app.callback_map[key]
    values = {ids.ENTRY_FORM: form, ids.ENTRY_LINE: line, ids.ENTRY_SAFETY_TEXT: "", ids.ENTRY_HOUR_TEXT: "",
              ids.ENTRY_CHANGED: 0, ids.PAGE_SITE: "ex"}
    inputs = [[] if d["id"].startswith("{") else d | {"value": 1 if d["id"] == ids.ENTRY_STOP_SAVE else 0}
              for d in spec["inputs"]]
    body = {"output": key, "outputs": _outputs(key), "inputs": inputs,
            "state": [d | {"value": values.get(d["id"])} for d in spec["state"]],
            "changedPropIds": [f"{ids.ENTRY_STOP_SAVE}.n_clicks"]}
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    return answer.get_json()["response"]


def test_the_operator_saves_a_stop_for_their_line(app) -> None:  # type: ignore[no-untyped-def]
    dash_app, services = app
    said = _save(dash_app, _client(dash_app, "olga"), "L1", FORM)
    assert said[ids.ENTRY_FORM]["data"]["reason"] is None  # the stored stop empties the form
    assert said[ids.ENTRY_STOP_MESSAGE] == {"children": "Stop stored: Filler jam, 20:50–21:00 on Line 1",
                                            "className": "entry-message ok"}
    assert _stops(services) == 1


def test_a_forged_body_naming_another_line_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    dash_app, services = app
    said = _save(dash_app, _client(dash_app, "olga"), "L2", FORM)[ids.ENTRY_STOP_MESSAGE]
    assert said == {"children": "Not stored: Olga Novak enters data for Line 1 – Area A, not for Line 2",
                    "className": "entry-message error"}
    said = _save(dash_app, _client(dash_app, "vic"), "L1", FORM)[ids.ENTRY_STOP_MESSAGE]
    assert "needs an operator, an editor or an admin" in said["children"]
    assert _stops(services) == 0


def test_a_refused_stop_keeps_the_form(app) -> None:  # type: ignore[no-untyped-def]
    dash_app, services = app
    client = _client(dash_app, "olga")
    _save(dash_app, client, "L1", FORM)
    said = _save(dash_app, client, "L1", FORM | {"ago": 15})  # over the stop just stored
    assert "Line 1 was already stopped from 20:50 to 21:00 (Filler jam)" in said[ids.ENTRY_STOP_MESSAGE]["children"]
    assert ids.ENTRY_FORM not in said  # what was tapped stays
    assert _stops(services) == 1


def test_the_api_enters_for_the_operators_line_only(app) -> None:  # type: ignore[no-untyped-def]
    dash_app, services = app
    client = _client(dash_app, "olga")
    answer = client.post("/api/v1/entry", json={"line": "L1", "kind": "stop", "reason": "Filler jam",
                                                "start": "2026-11-20T19:40:00Z", "end": "2026-11-20T19:52:00Z"},
                         headers=ORIGIN)
    assert answer.status_code == 201, answer.text
    assert answer.get_json()["message"] == "Stop stored: Filler jam, 20:40–20:52 on Line 1"
    refused = client.post("/api/v1/entry", json={"line": "L2", "kind": "defects", "defect": "Underfill", "count": 3},
                          headers=ORIGIN)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "Olga Novak enters data for Line 1 – Area A, not for Line 2"
    bad = client.post("/api/v1/entry", json={"line": "L1", "kind": "defects", "defect": "Underfill", "count": -3},
                      headers=ORIGIN)
    assert (bad.status_code, bad.get_json()) == (400, {"error": "the count cannot be negative", "part": "count"})
    sheet = client.get("/api/v1/entry?line=L1").get_json()
    assert sheet["may_write"] and sheet["reason_tree"][0] == {"group": "Filler", "reasons": ["Filler jam",
                                                                                           "Capper fault"]}
    assert sheet["entered"] == ["Stop 20:40–20:52: Filler jam (Olga Novak)"]
    assert _stops(services) == 1
    assert _client(dash_app, None).post("/api/v1/entry", json={"line": "L1", "kind": "safety", "type": "near_miss"},
                                        headers=ORIGIN).status_code == 401
