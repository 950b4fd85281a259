"""Notifications delivered for real: a local SMTP server (aiosmtpd, with a password) and a local HTTP receiver
stand in for the plant's mail server and its generic, Teams and Slack webhooks. A red KPI and an overdue action are
told once until they clear; a receiver answering 500 is tried again after the back-off; secrets never reach a log
line or the delivery log; two schedulers at once send each message once. On SQLite and PostgreSQL; every time is
the test's own clock."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from huddle.dashboard.core.notify_rules import NotificationError
from huddle.dashboard.services.accounts import ANONYMOUS, ForbiddenError, Identity
from huddle.dashboard.services.container import build_services
from huddle.dashboard.services.notifications import Notifier
from huddle.dashboard.settings import Settings

from tests.conftest import SMALL_PLANT, Inbox

#: the local mail server asks for a password over plain SMTP, as no real one should: it runs on this machine only
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
T0 = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 21:00 in Berlin: the early shift of Fri 20 Nov is the last ended
PASSWORD = "pw-Zq81-never-logged"
TOKEN = "T0K3N-hook-5ecret"
COUNTS = """line,start,end,product,total,good,planned
L1,2026-11-20 06:00,2026-11-20 10:00,,10000,9800,1200
L1,2026-11-20 10:00,2026-11-20 14:00,,9271,9048,1200
L2,2026-11-20 06:00,2026-11-20 14:00,,2200,2110,2400
"""
NOTIFICATIONS = """
notifications:
  smtp_password_env: TEST_SMTP_PASSWORD
  max_attempts: 3
  retry_first_seconds: 60
  channels:
    - {key: leads, kind: email, name: Shift leads, to: [leads@plant.test]}
    - {key: hook, kind: webhook, name: Andon, url_env: TEST_HOOK}
    - {key: teams, kind: teams, name: Operations in Teams, url_env: TEST_TEAMS}
    - {key: slack, kind: slack, name: Operations in Slack, url_env: TEST_SLACK}
  rules:
    - {key: oee-red, name: OEE red on a line, cause: kpi_red, kpis: [oee], scopes: [L1, L2],
       channels: [leads, hook, teams, slack]}
    - {key: overdue, name: Overdue actions, cause: action_overdue, channels: [leads, hook], cleared: false}
    - {key: unanswered, name: Escalations waiting, cause: escalation_unanswered, tier: 2, channels: [hook]}
    - {key: handover, name: Handover unread, cause: handover_unacknowledged, after_minutes: 30, channels: [hook]}
"""


class Clock:
    """The test's clock: it moves only when the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# ---- a local mail server and a local webhook receiver ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the local SMTP server received, and who signed in."""

    mails: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == PASSWORD
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)

    def messages(self) -> list[Any]:
        import email
        from email import policy

        return [email.message_from_bytes(raw, policy=policy.default) for _f, _t, raw in self.mails]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box.authenticate,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    yield box, port
    controller.stop()


class Receiver:
    """A local HTTP receiver: records each post (path, JSON) and answers the statuses it is told, then 200."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Any]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append((self.path, json.loads(body)))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:  # quiet: the test reads the posts
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def to(self, name: str) -> list[Any]:
        """The bodies posted to one hook's path."""
        return [body for path, body in self.posts if path.startswith(f"/{name}/")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@dataclass
class Plant:
    services: Any
    notifier: Notifier
    clock: Clock
    env: dict[str, str]


@pytest.fixture
def plant(tmp_path: Path, database_url: str, inbox: Inbox, mailbox: tuple[Mailbox, int],
          receiver: Receiver) -> Iterator[Plant]:
    """The small plant (its OEE red on both lines, the first KPI's name holding <, & and >) with every channel on,
    its counts loaded, the test's clock at T0."""
    path = tmp_path / "plant.yaml"
    path.write_text(SMALL_PLANT.replace("name: OEE,", "name: OEE <all & lines>,") + NOTIFICATIONS,
                    encoding="utf-8")
    settings = Settings(data_dir=tmp_path, database_url=database_url, plant_config=path, smtp_host="127.0.0.1",
                        smtp_port=mailbox[1], smtp_tls="off", smtp_sender="huddle@plant.test",
                        smtp_username="huddle", public_url="https://huddle.plant.test")
    clock = Clock(T0)
    services = build_services(settings, clock=clock)
    inbox.load(services, counts=COUNTS)
    env = {"TEST_SMTP_PASSWORD": PASSWORD, "TEST_HOOK": f"{receiver.url}/hook/{TOKEN}",
           "TEST_TEAMS": f"{receiver.url}/teams/{TOKEN}-teams", "TEST_SLACK": f"{receiver.url}/slack/{TOKEN}-slack"}
    yield Plant(services, Notifier(services, env), clock, env)
    services.dispose()


def add_person(services: Any, name: str, role: str = "viewer") -> Identity:
    services.accounts.add_user("cli", name, "a long password for tests", role, display_name=name.title())
    return Identity("user", name, role, name.title())


# ---- the tests ---------------------------------------------------------------------------------------------------


def test_a_red_kpi_is_told_once_by_mail_and_every_webhook_until_it_clears(
        plant: Plant, mailbox: tuple[Mailbox, int], receiver: Receiver) -> None:
    box = mailbox[0]
    maria = add_person(plant.services, "maria")
    assert plant.notifier.subscribe(maria, "oee-red", "L1", "maria@plant.test") is True
    outcome = plant.notifier.run()
    assert (outcome.opened, outcome.told, outcome.sent, outcome.failed) == (2, 2, 9, 0)  # L1, L2: 3 mails, 6 posts
    assert sorted(to[0] for _f, to, _raw in box.mails) == ["leads@plant.test", "leads@plant.test", "maria@plant.test"]
    assert box.logins == ["huddle", "huddle", "huddle"]  # signed in with the password from the environment
    l1 = next(m for m in box.messages() if m["To"] == "maria@plant.test")  # subscribed to Line 1 only
    assert l1["Subject"] == "Example Plant: OEE <all & lines> is red on Line 1 – Area A"
    assert l1["Date"].datetime == T0  # dated by Huddle's clock, not the machine's
    plain = l1.get_body(("plain",)).get_content()
    assert "OEE <all & lines>: 74.8 % against a target of 85.0 %, Early shift, Fri 20 Nov." in plain
    assert "https://huddle.plant.test/board?scope=L1" in plain
    html = l1.get_body(("html",)).get_content()
    assert "OEE &lt;all &amp; lines&gt;" in html and "<all & lines>" not in html
    assert 'href="https://huddle.plant.test/board?scope=L1"' in html

    generic = receiver.to("hook")
    assert {(b["rule"], b["cause"], b["scope"], b["state"]) for b in generic} == {
        ("oee-red", "kpi_red", "L1", "raised"), ("oee-red", "kpi_red", "L2", "raised")}
    assert all(b["link"].startswith("https://huddle.plant.test/board?scope=") for b in generic)
    teams = receiver.to("teams")[0]
    assert teams["type"] == "message"
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard" and card["content"]["body"][0]["text"].startswith(
        "Example Plant: OEE <all & lines> is red on Line")
    assert card["content"]["actions"][0]["type"] == "Action.OpenUrl"
    slack = receiver.to("slack")[0]
    assert slack["text"].startswith("Example Plant: OEE &lt;all &amp; lines&gt; is red on Line")
    assert [b["type"] for b in slack["blocks"]] == ["header", "section", "actions"]

    # the same causes a minute later: nothing new
    plant.clock.move(minutes=1)
    again = plant.notifier.run()
    assert (again.opened, again.told, again.sent) == (0, 0, 0)
    assert len(box.mails) == 3 and len(receiver.posts) == 6

    # the late shift has ended without data: OEE is no longer red, and both causes clear, once
    plant.clock.now = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)
    cleared = plant.notifier.run()
    assert (cleared.cleared, cleared.sent) == (2, 9)
    assert all(m["Subject"].startswith("Example Plant: Cleared: OEE <all & lines> is red on Line")
               for m in box.messages()[3:])
    assert {b["state"] for b in receiver.to("hook")[2:]} == {"cleared"}
    plant.clock.move(minutes=1)
    assert plant.notifier.run().sent == 0
    report = plant.notifier.report()
    assert report["counts"] == {"pending": 0, "sent": 18, "failed": 0}
    assert {r["key"]: r["open"] for r in report["rules"]} == {"oee-red": [], "overdue": [], "unanswered": [],
                                                              "handover": []}


def test_an_overdue_action_is_told_after_the_rule_and_not_when_it_clears(plant: Plant,
                                                                        mailbox: tuple[Mailbox, int]) -> None:
    box = mailbox[0]
    eddie = add_person(plant.services, "eddie", "editor")
    action = plant.services.actions.raise_action(eddie, "L2", "Fix the <filler>", "eddie", date(2026, 11, 19),
                                                 raised_for=date(2026, 11, 18))
    plant.notifier.run()
    overdue = [m for m in box.messages() if "action" in m["Subject"]]
    assert [m["Subject"] for m in overdue] == ["Example Plant: An action is overdue on Line 2 – Area A"]
    assert "“Fix the <filler>”, owned by Eddie, was due" in overdue[0].get_body(("plain",)).get_content()
    plant.services.actions.change(eddie, action.id, action.version, status="done", result="fixed")
    plant.clock.move(minutes=1)
    assert plant.notifier.run().cleared == 1
    assert len([m for m in box.messages() if "action" in m["Subject"]]) == 1  # the rule wants no "cleared" message


def test_a_webhook_answering_500_is_tried_again_after_the_back_off(plant: Plant, receiver: Receiver) -> None:
    receiver.answers = [500] * 8  # the first posts of this run fail: every webhook of both causes
    first = plant.notifier.run()
    assert first.retried == 6 and first.sent == 2  # the mails went
    log = {(d["channel"], d["status"], d["attempts"]) for d in plant.notifier.report()["deliveries"]}
    assert ("hook", "pending", 1) in log
    failed = [d for d in plant.notifier.report()["deliveries"] if d["status"] == "pending"]
    assert {d["error"] for d in failed} == {"the webhook answered HTTP 500"}
    assert {d["next_attempt_at"] for d in failed} == {(T0 + timedelta(seconds=60)).isoformat()}
    plant.clock.move(seconds=30)
    assert plant.notifier.run().sent == 0  # not due yet
    plant.clock.move(seconds=31)
    second = plant.notifier.run()  # two more 500s, then 200s
    assert (second.sent, second.retried) == (4, 2)
    retried = [d for d in plant.notifier.report()["deliveries"] if d["status"] == "pending"]
    assert {d["attempts"] for d in retried} == {2}
    assert {d["next_attempt_at"] for d in retried} == {(T0 + timedelta(seconds=61 + 120)).isoformat()}
    plant.clock.move(seconds=120)
    assert plant.notifier.run().sent == 2
    assert plant.notifier.report()["counts"] == {"pending": 0, "sent": 8, "failed": 0}


def test_a_message_is_given_up_after_its_tries_and_secrets_stay_out_of_every_log(
        plant: Plant, receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    receiver.answers = [500] * 100
    plant.env["TEST_SLACK"] = f"http://127.0.0.1:{free_port()}/slack/{TOKEN}-unreachable"  # nobody listens there
    for _ in range(3):
        plant.notifier.run()
        plant.clock.move(minutes=10)
    report = plant.notifier.report()
    assert report["counts"]["failed"] == 6 and report["counts"]["sent"] == 2
    assert "given up after 3 tries" in caplog.text
    unreachable = {d["error"] for d in report["deliveries"] if d["channel"] == "slack"}
    assert len(unreachable) == 1 and next(iter(unreachable)).startswith("the webhook could not be reached")
    stored = json.dumps(report)
    for secret in (TOKEN, PASSWORD, "127.0.0.1:"):
        assert secret not in caplog.text, secret
    assert TOKEN not in stored and PASSWORD not in stored


def test_two_schedulers_at_once_tell_each_cause_once(plant: Plant, mailbox: tuple[Mailbox, int],
                                                     receiver: Receiver) -> None:
    other = build_services(plant.services.settings, clock=plant.clock)
    try:
        notifiers = [plant.notifier, Notifier(other, plant.env)]
        start = threading.Barrier(2)

        def run(n: Notifier) -> None:
            start.wait()
            n.run()

        threads = [threading.Thread(target=run, args=(n,)) for n in notifiers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(mailbox[0].mails) == 2 and len(receiver.posts) == 6
        assert plant.notifier.report()["counts"] == {"pending": 0, "sent": 8, "failed": 0}
    finally:
        other.dispose()


def test_subscriptions_are_each_persons_own(plant: Plant) -> None:
    maria, tom = add_person(plant.services, "maria"), add_person(plant.services, "tom")
    notifier = plant.notifier
    notifier.subscribe(maria, "oee-red", "", "maria@plant.test")
    assert notifier.subscribe(maria, "oee-red", "", "maria.lopez@plant.test") is False  # the address changes
    mine = notifier.subscriptions(maria)
    assert [(s["rule_name"], s["scope_name"], s["email"]) for s in mine] == [
        ("OEE red on a line", "everywhere it watches", "maria.lopez@plant.test")]
    assert notifier.subscriptions(tom) == []
    with pytest.raises(NotificationError, match="not yours"):
        notifier.unsubscribe(tom, mine[0]["id"])
    for who in (ANONYMOUS, Identity("display", "hall-tv", "display")):
        with pytest.raises(ForbiddenError):
            notifier.subscribe(who, "oee-red", "", "tv@plant.test")
    with pytest.raises(NotificationError, match="is not an e-mail address"):
        notifier.subscribe(tom, "oee-red", "L1", "tom at plant")
    with pytest.raises(NotificationError, match="Pick a line"):
        notifier.subscribe(tom, "oee-red", "L9", "tom@plant.test")
    notifier.unsubscribe(maria, mine[0]["id"])
    assert notifier.subscriptions(maria) == []
    trail = [e.action for e in plant.services.accounts.audit_trail()]
    assert trail.count("notification.subscribe") == 2 and trail.count("notification.unsubscribe") == 1


def test_channels_without_their_server_or_address_are_off_and_say_why(plant: Plant) -> None:
    services = plant.services
    off = Notifier(services, {"TEST_SMTP_PASSWORD": PASSWORD})
    report = off.report()
    assert {c["key"]: c["off"] for c in report["channels"]} == {
        "leads": "", "hook": "off: the environment variable TEST_HOOK is not set",
        "teams": "off: the environment variable TEST_TEAMS is not set",
        "slack": "off: the environment variable TEST_SLACK is not set"}
    outcome = off.run()
    assert outcome.told == 2 and outcome.sent == 2 and outcome.failed == 0  # only the mails, nothing failed


def test_messages_speak_the_plants_language(plant: Plant, mailbox: tuple[Mailbox, int], receiver: Receiver) -> None:
    plant.services.config.language = "de"  # as a plant file with site.language: de
    plant.notifier.run()
    mail = mailbox[0].messages()[0]
    assert mail["Subject"] == "Example Plant: OEE <all & lines> ist rot auf Line 1 – Area A"
    assert "In Huddle öffnen" in mail.get_body(("html",)).get_content()
    assert "bei einem Ziel von 85,0 %" in mail.get_body(("plain",)).get_content()
    assert receiver.to("teams")[0]["attachments"][0]["content"]["actions"][0]["title"] == "In Huddle öffnen"


def test_an_escalation_unanswered_past_its_tiers_limit_and_an_unread_handover_are_told(
        plant: Plant, receiver: Receiver) -> None:
    def posts(rule: str) -> list[Any]:
        return [b for b in receiver.to("hook") if b["rule"] == rule]

    eddie, anna = add_person(plant.services, "eddie", "editor"), add_person(plant.services, "anna", "editor")
    escalation = plant.services.escalations.raise_escalation(eddie, "L1", "Spare motor for the filler, please")
    handover = plant.services.handovers.write(eddie, "L1", note="Filler <B> leaks; watch it")
    plant.notifier.run()
    assert posts("unanswered") == [] and posts("handover") == []  # not overdue yet; the handover may wait 30 min
    plant.clock.move(minutes=31)
    plant.notifier.run()
    told = posts("handover")
    assert [(b["scope"], b["state"]) for b in told] == [("L1", "raised")]
    assert told[0]["subject"] == "Example Plant: The handover on Line 1 – Area A is not acknowledged"
    assert "“Filler <B> leaks; watch it”" in told[0]["text"]
    plant.services.handovers.acknowledge(anna, handover.id)
    plant.clock.move(hours=24)  # the area's tier answers within 24 h: the escalation is overdue now
    plant.notifier.run()
    assert [b["state"] for b in posts("handover")] == ["raised", "cleared"]
    waiting = posts("unanswered")
    assert [(b["scope"], b["state"], b["subject"]) for b in waiting] == [
        ("a", "raised", "Example Plant: An escalation to Area A is unanswered")]
    assert waiting[0]["text"].startswith("“Spare motor for the filler, please”")
    current = plant.services.escalations.get(escalation.id)
    plant.services.escalations.answer(anna, escalation.id, current.version, "Motor ordered, fitted Tuesday")
    plant.clock.move(minutes=1)
    plant.notifier.run()
    assert [b["state"] for b in posts("unanswered")] == ["raised", "cleared"]


def test_the_api_gives_the_log_and_changes_only_the_callers_own_subscriptions(plant: Plant) -> None:
    from huddle.dashboard.web.app import create_app

    services = plant.services
    services.notifier = plant.notifier  # the app's notifier reads this test's environment
    for name, role in (("ada", "admin"), ("maria", "viewer")):
        services.accounts.add_user("cli", name, f"{name}-password-for-tests", role, display_name=name.title())
    plant.notifier.run()
    # the app is reached at the test client's own address, not the public one the messages link to
    app = create_app(replace(services.settings, anonymous_access="off", public_url=None), services=services)
    origin = {"Origin": "http://localhost"}

    def client(name: str) -> Any:
        c = app.server.test_client()
        assert c.post("/login", data={"username": name, "password": f"{name}-password-for-tests", "next": "/"},
                      headers=origin).status_code == 302
        return c

    ada, maria = client("ada"), client("maria")
    seen_by_admin = ada.get("/api/v1/notifications?limit=20", headers=origin).get_json()
    assert seen_by_admin["counts"] == {"pending": 0, "sent": 8, "failed": 0}
    assert {d["recipient"] for d in seen_by_admin["deliveries"] if d["channel"] == "leads"} == {"leads@plant.test"}
    seen = maria.get("/api/v1/notifications", headers=origin).get_json()
    assert {d["recipient"] for d in seen["deliveries"]} == {""} and seen["subscriptions"] == []
    assert TOKEN not in json.dumps(seen_by_admin)
    added = maria.post("/api/v1/notifications", json={"subscribe": {"rule": "oee-red", "scope": "a",
                                                                     "email": "maria@plant.test"}}, headers=origin)
    assert added.status_code == 201
    (mine,) = added.get_json()["subscriptions"]
    assert (mine["rule_name"], mine["scope_name"]) == ("OEE red on a line", "Area A")
    refused = ada.post("/api/v1/notifications", json={"unsubscribe": mine["id"]}, headers=origin)
    assert refused.status_code == 400 and refused.get_json()["error"] == "That subscription is not yours, or is gone."
    assert maria.post("/api/v1/notifications", json={"subscribe": "oee-red"}, headers=origin).status_code == 400
    assert maria.get("/api/v1/notifications?limit=0", headers=origin).status_code == 400
    assert maria.post("/api/v1/notifications", json={"unsubscribe": mine["id"]}, headers=origin).get_json() == {
        "subscriptions": []}


def test_the_leading_scheduler_watches_the_rules_every_minute(plant: Plant) -> None:
    from huddle.dashboard.scheduler import build_scheduler

    scheduler = build_scheduler(plant.services, blocking=False)
    job = scheduler.get_job("notifications")
    assert job is not None and job.trigger.interval.total_seconds() == 60
    assert job.func == plant.services.notifier.run


def test_huddle_check_warns_of_channels_that_would_send_nothing(plant: Plant, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from huddle.dashboard.cli_check import cmd_check

    monkeypatch.setenv("TEST_HOOK", f"http://127.0.0.1:1/hook/{TOKEN}")
    assert cmd_check(replace(plant.services.settings, smtp_host=None)) == 0  # warnings only
    out = capsys.readouterr().out
    assert "warning: notifications.channels (leads): off: set smtp_host and smtp_sender to send its e-mails" in out
    assert "warning: notifications.channels (teams): off: the environment variable TEST_TEAMS is not set" in out
    assert "channels (hook)" not in out and TOKEN not in out
