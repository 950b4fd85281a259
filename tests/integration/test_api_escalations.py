"""Escalations through the API on SQLite and PostgreSQL: a line's leader raises one, the area's supervisor accepts
and answers it, the leader acknowledges the answer, all as JSON from signed-in sessions; a viewer, nobody signed in,
another site's page, a forged id, a stale version, a bad body and a step that cannot be taken are refused with JSON
saying why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import client_for

ORIGIN = {"Origin": "http://localhost"}
URL = "/api/v1/escalations"
PASSWORDS = {"tom": "tom-leader-password", "anna": "anna-supervisor-pw", "vera": "vera-viewer-password",
             "pia": "pia-manager-password"}


@pytest.fixture
def services(make_services, database_url: str) -> Any:  # type: ignore[no-untyped-def]
    made = make_services(database_url, anonymous_access="off")
    for name, role, display, scope in (("tom", "editor", "Tom Leader", "L1"),
                                       ("anna", "editor", "Anna Supervisor", "a"),
                                       ("vera", "viewer", "Vera Viewer", None), ("pia", "editor", "Pia Manager", None)):
        made.accounts.add_user("test", name, PASSWORDS[name], role, display, scope)
    return made


def signed_in(services: Any, name: str) -> Any:
    client = client_for(services)
    answer = client.post("/login", data={"username": name, "password": PASSWORDS[name], "next": "/"}, headers=ORIGIN)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def step(client: Any, **body: Any) -> Any:
    return client.post(URL, json=body, headers=ORIGIN)


RAISE = {"step": "raise", "scope": "L1", "sentence": "Filler motor keeps tripping, need a spare motor", "kpi": "oee",
         "reading": "OEE 61 % (target 85 %)", "date": "2026-11-20", "shift": "L", "source": "tile"}


def test_the_loop_through_the_api(services: Any) -> None:
    tom, anna = signed_in(services, "tom"), signed_in(services, "anna")
    raised = step(tom, **RAISE)
    assert raised.status_code == 201, raised.get_json()
    made = raised.get_json()["escalation"]
    assert (made["scope"], made["tier_title"], made["raised_by"], made["state"]) == ("a", "Tier 2", "Tom Leader",
                                                                                     "raised")
    assert made["context"] == "Line 1 – Area A · Late shift, Fri 20 Nov · OEE 61 % (target 85 %)"
    assert made["tree_link"] == "/tree?tree=oee&scope=L1&grain=shift&date=2026-11-20&node=oee&shift=L"
    held = anna.get(URL + "?scope=a&state=open").get_json()
    assert [e["id"] for e in held["escalations"]] == [made["id"]] and held["scope"] == "a"
    accepted = step(anna, step="accept", id=made["id"], version=1, owner="Max Maintenance", due="2026-11-24")
    assert accepted.status_code == 200 and accepted.get_json()["escalation"]["owner"] == "Max Maintenance"
    answered = step(anna, step="answer", id=made["id"], version=2, answer="spare motor ordered, fitted Tue")
    assert answered.get_json()["escalation"]["answer_line"] == "Tier 2: spare motor ordered, fitted Tue"
    waiting = tom.get(URL + "?line=L1&state=answered").get_json()["escalations"]
    assert [e["answer_line"] for e in waiting] == ["Tier 2: spare motor ordered, fitted Tue"]
    heard = step(tom, step="acknowledge", id=made["id"], version=3)
    assert heard.status_code == 200 and heard.get_json()["escalation"]["acknowledged_by"] == "Tom Leader"
    everything = tom.get(URL).get_json()
    assert everything["scope"] is None and [e["state"] for e in everything["escalations"]] == ["acknowledged"]
    assert tom.get(URL + "?state=open").get_json()["escalations"] == []


def test_refusals_are_json_saying_why(services: Any) -> None:
    tom, vera = signed_in(services, "tom"), signed_in(services, "vera")
    made = step(tom, **RAISE).get_json()["escalation"]
    cases = [
        (vera, RAISE, 403, "needs the editor role; this request comes from Vera Viewer (viewer)"),
        (client_for(services), RAISE, 401, "sign in first"),
        (tom, {"step": "answer", "id": 9999, "version": 1, "answer": "x"}, 404, "no escalation 9999"),
        (tom, {"step": "answer", "id": made["id"], "version": 1, "answer": "we fixed it ourselves"}, 403,
         "answering an escalation at Area A needs someone whose scope covers it; Tom Leader's does not"),
        (tom, {"step": "accept", "id": made["id"], "version": 1, "owner": "Tom", "due": "2026-11-24"}, 403,
         "accepting an escalation at Area A needs someone whose scope covers it"),
        (tom, {"step": "acknowledge", "id": made["id"], "version": 1}, 400,
         "an escalation is closed only once it has an answer"),
        (tom, {"step": "close", "id": made["id"]}, 400, "step: expected one of raise, accept, answer"),
        (tom, {"step": "answer", "id": "1; DROP TABLE", "version": 1, "answer": "x"}, 400,
         "id: expected a whole number"),
        (tom, {"step": "answer", "id": made["id"], "version": True, "answer": "x"}, 400,
         "version: expected a whole number"),
        (tom, {"step": "accept", "id": made["id"], "version": 1, "owner": "Max"}, 400, "due: missing"),
        (tom, {"step": "accept", "id": made["id"], "version": 1, "owner": "Max", "due": "24.11.2026"}, 400,
         "due: expected a date like 2026-11-24"),
        (tom, {**RAISE, "sentence": ["a", "list"]}, 400, "sentence: expected text, got list"),
        (tom, {**RAISE, "scope": "L9"}, 400, "unknown scope 'L9'"),
        (signed_in(services, "pia"), {**RAISE, "scope": "ex"}, 400, "Example Plant is the top tier"),
        (tom, {**RAISE, "scope": "L2"}, 403, "escalating a problem at Line 2 – Area A needs someone whose scope"),
    ]
    for client, body, status, words in cases:
        answer = step(client, **body)
        assert answer.status_code == status and words in answer.get_json()["error"], (body, answer.get_json())
    not_json = tom.post(URL, data="step=raise", headers=ORIGIN)
    assert not_json.status_code == 400 and "expected a JSON object" in not_json.get_json()["error"]
    elsewhere = tom.post(URL, json=RAISE, headers={"Origin": "http://evil.example"})
    assert elsewhere.status_code == 403
    assert tom.get(URL + "?state=lost").get_json() == {
        "error": "state: expected one of raised, accepted, answered, acknowledged, open", "parameter": "state"}
    assert [e["id"] for e in tom.get(URL).get_json()["escalations"]] == [made["id"]]  # nothing else was stored


def test_a_stale_version_gets_409_with_the_escalation_as_it_is(services: Any) -> None:
    tom, anna = signed_in(services, "tom"), signed_in(services, "anna")
    made = step(tom, **RAISE).get_json()["escalation"]
    assert step(anna, step="pass_up", id=made["id"], version=1, why="needs capital").status_code == 200
    manager = signed_in(services, "pia")  # the plant manager: the whole site
    late = step(manager, step="answer", id=made["id"], version=1, answer="from an old page")
    body = late.get_json()
    assert late.status_code == 409 and "Anna Supervisor changed this escalation" in body["error"]
    assert (body["current"]["scope"], body["current"]["tier_title"], body["current"]["version"]) == ("ex", "Tier 3",
                                                                                                   2)
    trail = [(e.actor, e.action) for e in services.accounts.audit_trail()]
    assert ("anna", "escalation.pass_up") in trail and ("pia", "escalation.answer") not in trail
