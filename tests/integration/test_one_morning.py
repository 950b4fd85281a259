"""One morning of tiered daily management through the API, on SQLite and PostgreSQL, as the issue's Done-when plays
it: the night shift's operator codes a stop on Line 1; the line's huddle at 06:05 sees its downtime red on the board
and escalates it; the scheduler tells the shift leads by e-mail and the andon webhook; the area's meeting at 08:30
accepts and answers it; the line's board shows the answer at the next huddle, which acknowledges it; the huddle
records of both tiers hold it. A local SMTP server (aiosmtpd) and a local HTTP receiver stand in for the plant's mail
server and webhook; every instant is the test's own clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.container import build_services
from huddle.dashboard.services.notifications import Notifier
from huddle.dashboard.settings import Settings

from tests.conftest import SMALL_PLANT, Inbox, client_for
from tests.integration.test_notifications import PASSWORD as SMTP_PASSWORD
from tests.integration.test_notifications import Clock, Mailbox, Receiver, mailbox, receiver  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

ORIGIN = {"Origin": "http://localhost"}
PASSWORD = "a long password for tests"
#: 05:20 in Berlin on Fri 20 Nov: the night shift of Thu 19 Nov is in its last hour
T0 = datetime(2026, 11, 20, 4, 20, tzinfo=UTC)
#: the night shift's counts on both lines, as the MES exports them (plant time)
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-19 22:00,2026-11-20 02:00,,12000,11900,12000
L1,2026-11-20 02:00,2026-11-20 06:00,,9000,8900,12000
L2,2026-11-19 22:00,2026-11-20 06:00,,25000,24800,24000
"""
MORNING = """
stop_reasons:
  - {reason: Filler jam, category: unplanned, group: Filler}
  - {reason: Motor trip, category: unplanned, group: Filler}
  - {reason: Cleaning, category: planned}
tiers:
  - {number: 1, name: Line huddle, scope: line, meets: shift start, minutes: 15}
  - {number: 2, name: Area meeting, scope: area, meets: "08:30", minutes: 20, answer_within_hours: 24}
  - {number: 3, name: Plant meeting, scope: plant, meets: "10:00", minutes: 30, answer_within_hours: 48}
notifications:
  smtp_password_env: TEST_SMTP_PASSWORD
  channels:
    - {key: leads, kind: email, name: Shift leads, to: [leads@plant.test]}
    - {key: andon, kind: webhook, name: Andon, url_env: TEST_ANDON}
  rules:
    - {key: downtime, name: Downtime red on a line, cause: kpi_red, kpis: [unplanned_downtime], scopes: [L1, L2],
       channels: [leads, andon]}
"""


@dataclass
class Morning:
    """The small plant on one database, its people signed in as they come, its clock and its notifier."""

    services: Any
    clock: Clock
    notifier: Notifier

    def person(self, name: str) -> Any:
        """A test client signed in as one of the plant's people."""
        client = client_for(self.services)
        answer = client.post("/login", data={"username": name, "password": PASSWORD, "next": "/"}, headers=ORIGIN)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return client


@pytest.fixture
def morning(tmp_path: Path, database_url: str, inbox: Inbox, mailbox: tuple[Mailbox, int],  # noqa: F811
            receiver: Receiver) -> Iterator[Morning]:  # noqa: F811
    path = tmp_path / "plant.yaml"
    path.write_text(SMALL_PLANT + MORNING, encoding="utf-8")
    settings = Settings(data_dir=tmp_path, database_url=database_url, plant_config=path, smtp_host="127.0.0.1",
                        smtp_port=mailbox[1], smtp_tls="off", smtp_sender="huddle@plant.test",
                        smtp_username="huddle", anonymous_access="off")
    clock = Clock(T0)
    services = build_services(settings, clock=clock)
    inbox.load(services, counts=COUNTS)
    for name, role, display, scope in (("olga", "operator", "Olga Operator", "L1"),
                                       ("tom", "editor", "Tom Leader", "L1"),
                                       ("anna", "editor", "Anna Supervisor", "a")):
        services.accounts.add_user("cli", name, PASSWORD, role, display, scope)
    env = {"TEST_SMTP_PASSWORD": SMTP_PASSWORD, "TEST_ANDON": f"{receiver.url}/andon/hook-token"}
    yield Morning(services, clock, Notifier(services, env))
    services.dispose()


def _json(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.get_json()


def test_one_morning_through_the_api(morning: Morning, mailbox: tuple[Mailbox, int],  # noqa: F811
                                     receiver: Receiver) -> None:  # noqa: F811
    clock = morning.clock

    # 05:20 — the night shift's operator codes a stop on Line 1: the motor tripped at 04:00 for 50 minutes
    olga = morning.person("olga")
    coded = _json(olga.post("/api/v1/entry", json={"line": "L1", "kind": "stop", "reason": "Motor trip",
                                                    "start": "2026-11-20T03:00:00Z", "end": "2026-11-20T03:50:00Z"},
                            headers=ORIGIN), 201)
    assert "Motor trip" in coded["message"]
    refused = olga.post("/api/v1/entry", json={"line": "L2", "kind": "stop", "reason": "Filler jam",
                                               "start": "2026-11-20T03:00:00Z", "end": "2026-11-20T03:10:00Z"},
                        headers=ORIGIN)
    assert refused.status_code == 403  # an operator writes for their own line only

    # 06:05 — the line's huddle: the board of the night shift shows the downtime red
    clock.now = datetime(2026, 11, 20, 5, 5, tzinfo=UTC)
    morning.services.loader.run_all()  # the scheduler's reading after the shift's end: nothing new in the files
    tom = morning.person("tom")
    board = _json(tom.get("/api/v1/board?scope=L1"))
    tiles = {k["kpi"]: k for column in board["columns"] for k in column["kpis"]}
    downtime = tiles["unplanned_downtime"]
    assert (downtime["status"], downtime["value"], downtime["target"]) == ("red", 50.0, 30.0), downtime
    raised = _json(tom.post("/api/v1/escalations", json={
        "step": "raise", "scope": "L1", "sentence": "The filler motor tripped again: we need a spare motor",
        "kpi": "unplanned_downtime", "reading": "Unplanned downtime 50 min (target 30 min)", "date": "2026-11-19",
        "shift": "N", "source": "tile"}, headers=ORIGIN),
        201)["escalation"]
    assert (raised["scope_name"], raised["tier_title"]) == ("Area A", "Area meeting")
    clock.now = datetime(2026, 11, 20, 5, 18, tzinfo=UTC)
    tier1 = _json(tom.post("/api/v1/huddles", json={"scope": "L1", "started_at": "2026-11-20T05:05:00+00:00",
                                                     "attendees": ["Tom Leader", "Olga Operator"]},
                           headers=ORIGIN), 201)

    # the scheduler's minute: the red downtime is told by e-mail and to the andon webhook, once
    told = morning.notifier.run()
    assert told.sent == 2 and told.failed == 0
    box = mailbox[0]
    [mail] = box.messages()
    assert mail["To"] == "leads@plant.test" and "Unplanned downtime" in mail["Subject"]
    assert "Line 1" in mail["Subject"]
    [post] = receiver.to("andon")
    assert (post["rule"], post["cause"], post["scope"], post["state"]) == ("downtime", "kpi_red", "L1", "raised")
    assert morning.notifier.run().sent == 0

    # 08:30 — the area's meeting accepts it with an owner and a date, and answers it
    clock.now = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    anna = morning.person("anna")
    held = _json(anna.get("/api/v1/escalations?scope=a&state=open"))["escalations"]
    assert [e["id"] for e in held] == [raised["id"]] and held[0]["overdue"] is False
    assert _json(tom.post("/api/v1/escalations", json={"step": "answer", "id": raised["id"], "version": 1,
                                                        "answer": "not ours"}, headers=ORIGIN), 403)
    accepted = _json(anna.post("/api/v1/escalations", json={
        "step": "accept", "id": raised["id"], "version": 1, "owner": "Max Maintenance", "due": "2026-11-24"},
        headers=ORIGIN))["escalation"]
    answered = _json(anna.post("/api/v1/escalations", json={
        "step": "answer", "id": raised["id"], "version": accepted["version"],
        "answer": "spare motor ordered, fitted Tue"}, headers=ORIGIN))["escalation"]
    clock.now = datetime(2026, 11, 20, 7, 48, tzinfo=UTC)
    tier2 = _json(anna.post("/api/v1/huddles", json={"scope": "a", "started_at": "2026-11-20T07:30:00+00:00",
                                                      "attendees": ["Anna Supervisor", "Max Maintenance"]},
                            headers=ORIGIN), 201)

    # 14:05 — the late shift's huddle on Line 1 sees the answer, and acknowledges it
    clock.now = datetime(2026, 11, 20, 13, 5, tzinfo=UTC)
    waiting = _json(tom.get("/api/v1/escalations?scope=L1&state=answered"))["escalations"]
    assert [e["answer_line"] for e in waiting] == ["Area meeting: spare motor ordered, fitted Tue"]
    heard = _json(tom.post("/api/v1/escalations", json={"step": "acknowledge", "id": raised["id"],
                                                         "version": answered["version"]}, headers=ORIGIN))
    assert heard["escalation"]["state"] == "acknowledged"

    # both tiers' huddle records hold it
    records = _json(tom.get("/api/v1/huddles?date=2026-11-20&scope=a"))["huddles"]
    by_scope = {r["scope"]: r for r in records}
    assert {tier1["scope"], tier2["scope"]} == {"L1", "a"} == set(by_scope)
    for record in (by_scope["L1"], by_scope["a"]):
        assert raised["id"] in [e["id"] for e in record["escalations"]], record
    trail = [(e.actor, e.action) for e in morning.services.accounts.audit_trail()]
    for step in (("tom", "escalation.raise"), ("anna", "escalation.accept"), ("anna", "escalation.answer"),
                 ("tom", "escalation.acknowledge")):
        assert step in trail
