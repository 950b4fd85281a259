"""Accounts as a security team expects them, on each backend: racing sign-ins check no more passwords than the
throttle allows; an unknown user name is answered as slowly as a known one; sessions live on the server, so signing
out, a password change, an admin's revoke and the expiry end them (a copied cookie opens nothing afterwards);
someone guessing cannot keep the owner out; refusals are counted, not audited one by one; old scrypt hashes still
work and become Argon2id."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from huddle.dashboard.cli import main
from huddle.dashboard.services import passwords
from huddle.dashboard.services.accounts import AccountError
from huddle.dashboard.services.throttle import (
    FREE_FAILURES,
    USER_CAP_S,
    DatabaseThrottle,
    RedisThrottle,
    backoff_s,
)
from huddle.dashboard.web.app import create_app
from huddle.data.models import User
from huddle.data.models_security import LoginThrottle, UserSession
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.conftest import SMALL_NOW

ORIGIN = {"Origin": "http://localhost"}
PASSWORDS = {"ada": "ada-admin-password", "vera": "vera-viewer-pw"}
API = "/api/v1/kpis"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Counted:
    """Counts the password verifications the accounts make (known users and the dummy for unknown ones)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.lock = threading.Lock()
        verify, nobody = passwords.verify, passwords.verify_nobody

        def counted_verify(stored: str, password: str) -> tuple[bool, bool]:
            with self.lock:
                self.calls += 1
            return verify(stored, password)

        def counted_nobody(password: str) -> bool:
            with self.lock:
                self.calls += 1
            return nobody(password)

        monkeypatch.setattr(passwords, "verify", counted_verify)
        monkeypatch.setattr(passwords, "verify_nobody", counted_nobody)


@pytest.fixture
def plant(make_services, database_url: str) -> tuple[Any, Any, Clock]:  # type: ignore[no-untyped-def]
    """Sign-in required, an admin and a viewer, the accounts on a clock the test moves."""
    services = make_services(database_url, anonymous_access="off")
    clock = Clock(SMALL_NOW)
    services.accounts.clock = clock
    for name, role in (("ada", "admin"), ("vera", "viewer")):
        services.accounts.add_user("test", name, PASSWORDS[name], role)
    return create_app(services.settings, services=services), services, clock


def sign_in(client: Any, name: str, password: str | None = None, address: str = "127.0.0.1") -> Any:
    """POST the sign-in form as a browser on this site would, from an address."""
    return client.post("/login", data={"username": name, "password": password or PASSWORDS[name], "next": "/"},
                       headers=ORIGIN, environ_base={"REMOTE_ADDR": address})


def token_of(client: Any) -> str:
    """The session token in a client's cookie."""
    with client.session_transaction() as session:
        return str(session["sid"])


def copy_cookie(source: Any, target: Any) -> None:
    """Put one client's session cookie into another, as someone who copied it would."""
    target.set_cookie("huddle_session", source.get_cookie("huddle_session").value)


def race(app: Any, attempts: int = 40) -> list[int]:
    """Sign-in attempts with wrong passwords for ada, all let go at once from their own threads; their answers."""
    clients = [app.server.test_client() for _ in range(attempts)]
    start = threading.Barrier(attempts, timeout=120)
    answers: list[int] = []
    failed: list[BaseException] = []

    def attempt(i: int) -> None:
        try:
            start.wait()
            answers.append(sign_in(clients[i], "ada", f"guess-number-{i:03d}").status_code)
        except BaseException as exc:  # re-raised below, in the test's own thread
            failed.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if failed:
        raise failed[0]
    return answers


def test_racing_sign_ins_check_no_more_passwords_than_the_throttle_allows(plant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, services, _clock = plant
    counted = Counted(monkeypatch)
    answers = race(app)
    assert len(answers) == 40 and set(answers) <= {401, 429}
    assert counted.calls == answers.count(401) == FREE_FAILURES  # 40 raced; only the turns there were checked
    with services.sessions() as session:
        assert session.get(LoginThrottle, "user:ada").failures == FREE_FAILURES
        waiting = sum(session.execute(select(LoginThrottle.refused)).scalars())
    audited = [json.loads(e.details) for e in services.accounts.audit_trail() if e.action.startswith("login")]
    assert len(audited) == FREE_FAILURES  # one row per password checked; each refusal is counted once
    assert waiting + sum(d.get("refused_while_waiting", 0) for d in audited) == 40 - FREE_FAILURES


def test_racing_sign_ins_with_the_throttle_in_redis(plant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = os.environ.get("HUDDLE_TEST_REDIS_URL")
    if not url:
        pytest.skip("the throttle in Redis needs HUDDLE_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
    app, services, clock = plant
    services.accounts.throttle = RedisThrottle(url, f"huddle:test:{uuid.uuid4().hex}",
                                               DatabaseThrottle(services.sessions))
    counted = Counted(monkeypatch)
    answers = race(app)
    assert counted.calls == answers.count(401) == FREE_FAILURES and answers.count(429) == 40 - FREE_FAILURES
    with services.sessions() as session:  # nothing went to the database
        assert session.get(LoginThrottle, "user:ada") is None
    clock.advance(backoff_s(FREE_FAILURES, USER_CAP_S) + 1)
    assert sign_in(app.server.test_client(), "ada").status_code == 302


def test_with_redis_unreachable_the_database_throttles(plant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, services, _clock = plant
    services.accounts.throttle = RedisThrottle("redis://127.0.0.1:1/0", "huddle:test",
                                               DatabaseThrottle(services.sessions))
    counted = Counted(monkeypatch)
    answers = [sign_in(app.server.test_client(), "ada", "not-the-password").status_code for _ in range(8)]
    assert answers == [401] * FREE_FAILURES + [429] * 3 and counted.calls == FREE_FAILURES


def test_an_unknown_user_name_takes_as_long_as_a_known_one(plant) -> None:  # type: ignore[no-untyped-def]
    app, _services, clock = plant
    client = app.server.test_client()
    passwords.warm_up()
    known: list[float] = []
    unknown: list[float] = []
    for i in range(20):
        clock.advance(2 * 3600)  # the throttle has forgotten the last try: each one checks a password
        for name, times in (("ada", known), (f"nobody-{i}", unknown))[:: 1 if i % 2 else -1]:
            began = time.perf_counter()
            assert sign_in(client, name, "not-the-password", address=f"10.1.0.{i}").status_code == 401
            times.append(time.perf_counter() - began)
    k, u = statistics.median(known), statistics.median(unknown)
    assert abs(k - u) <= 0.2 * max(k, u), f"known {k * 1000:.0f} ms, unknown {u * 1000:.0f} ms"


def test_signing_out_ends_the_session_for_a_copied_cookie_too(plant) -> None:  # type: ignore[no-untyped-def]
    app, services, _clock = plant
    browser, thief = app.server.test_client(), app.server.test_client()
    assert sign_in(browser, "vera").status_code == 302
    copy_cookie(browser, thief)
    assert thief.get(API).status_code == 200  # a copied cookie works while the session lives
    browser.post("/logout", headers=ORIGIN)
    assert thief.get(API).status_code == 401
    assert browser.get(API).status_code == 401
    with services.sessions() as session:
        assert session.execute(select(UserSession.ended_why)).scalars().all() == ["signed out"]


def test_a_password_change_ends_the_other_sessions(plant) -> None:  # type: ignore[no-untyped-def]
    app, services, _clock = plant
    here, elsewhere = app.server.test_client(), app.server.test_client()
    sign_in(here, "vera")
    sign_in(elsewhere, "vera", address="10.0.0.9")
    assert services.accounts.set_password("vera", "vera", "a-brand-new-secret", keep_session=token_of(here)) == 1
    assert here.get(API).status_code == 200
    assert elsewhere.get(API).status_code == 401
    services.accounts.set_password("ada", "vera", "another-new-secret")  # an admin sets it: every session ends
    assert here.get(API).status_code == 401


def test_an_admin_lists_and_revokes_sessions(plant, capsys) -> None:  # type: ignore[no-untyped-def]
    app, services, _clock = plant
    vera = app.server.test_client()
    sign_in(vera, "vera", address="10.0.0.7")
    live = services.accounts.signed_in()
    assert [(s.username, s.address) for s in live] == [("vera", "10.0.0.7")]
    settings = services.settings
    cli = ["--data-dir", str(settings.data_dir), "--database-url", settings.db_url, "--plant-config",
           str(settings.plant_path), "--now", "2026-11-20T21:05"]  # plant time: five minutes after SMALL_NOW
    assert main(["sessions", "list", *cli]) == 0
    listed = capsys.readouterr().out
    assert "1 session signed in now" in listed and f"{live[0].short_id}  vera" in listed and "10.0.0.7" in listed
    assert main(["sessions", "revoke", live[0].short_id, *cli]) == 0
    assert "ended the session of vera from 10.0.0.7" in capsys.readouterr().out
    assert vera.get(API).status_code == 401
    assert services.accounts.signed_in() == []
    assert main(["sessions", "revoke", live[0].short_id, *cli]) == 1
    assert "already ended (revoked by cli:" in capsys.readouterr().out
    entry = next(e for e in services.accounts.audit_trail() if e.action == "session.revoke")
    assert entry.actor.startswith("cli:") and entry.target == "vera"
    sign_in(vera, "vera")
    assert services.accounts.revoke_sessions_of("ada", "vera") == 1 and vera.get(API).status_code == 401
    with pytest.raises(AccountError, match="at least the first 8 characters"):
        services.accounts.revoke_session("ada", "abc")


def post_callback(app: Any, client: Any, first_output: str, values: dict[str, Any], trigger: str) -> Any:
    """POST one of the app's callbacks as the browser would: ``values`` by component id, ``trigger`` the input that
    changed; the answer's JSON."""
    key = next(k for k in app.callback_map if k.lstrip(".").startswith(first_output))
    spec = app.callback_map[key]
    outputs = [dict(zip(("id", "property"), o.split("@")[0].rsplit(".", 1), strict=True))
               for o in key.strip(".").split("...")]

    def filled(deps: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [d | {"value": values.get(d["id"])} for d in deps]

    body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": filled(spec["inputs"]),
            "state": filled(spec["state"]), "changedPropIds": [trigger]}
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    return answer.get_json()["response"]


def test_the_admin_page_revokes_a_session(plant) -> None:  # type: ignore[no-untyped-def]
    app, _services, _clock = plant
    admin, vera = app.server.test_client(), app.server.test_client()
    sign_in(admin, "ada")
    sign_in(vera, "vera", address="10.0.0.7")
    shown = post_callback(app, admin, "admin-sessions.children", {"admin-refresh": 1, "admin-changed": 0},
                          "admin-refresh.n_intervals")
    assert "10.0.0.7" in json.dumps(shown["admin-sessions"])
    mine = next(o for o in shown["admin-session-pick"]["options"] if o["label"].startswith("Vera from 10.0.0.7"))

    def revoke(client: Any) -> str:
        answer = post_callback(app, client, "admin-session-message.children",
                               {"admin-session-revoke": 1, "admin-session-pick": mine["value"]},
                               "admin-session-revoke.n_clicks")
        return str(answer["admin-session-message"]["children"])

    assert "revoking a session needs the admin role" in revoke(vera)  # a viewer cannot, even their own
    assert vera.get(API).status_code == 200
    assert "Ended the session of Vera from 10.0.0.7" in revoke(admin)
    assert vera.get(API).status_code == 401 and admin.get(API).status_code == 200


def test_sessions_expire_on_the_accounts_clock(plant) -> None:  # type: ignore[no-untyped-def]
    app, services, clock = plant
    client = app.server.test_client()
    sign_in(client, "vera")
    clock.advance(12 * 3600 - 60)
    assert client.get(API).status_code == 200
    clock.advance(61)
    assert client.get(API).status_code == 401
    with services.sessions() as session:
        assert session.execute(select(UserSession.ended_why)).scalar_one() == "expired"
    assert [s.ended_why for s in services.accounts.signed_in(live_only=False)] == ["expired"]
    clock.advance(91 * 86400)  # ended sessions are listed for 90 days, then forgotten at a sign-in
    sign_in(client, "vera")
    assert [s.ended_why for s in services.accounts.signed_in(live_only=False)] == [""]


def test_someone_guessing_cannot_keep_the_owner_out(plant) -> None:  # type: ignore[no-untyped-def]
    app, services, clock = plant
    attacker, owner = app.server.test_client(), app.server.test_client()
    answers = []
    for _ in range(60):  # an hour of guessing, one try a minute
        answers.append(sign_in(attacker, "ada", "let-me-guess-again", address="203.0.113.9").status_code)
        clock.advance(60)
    assert answers.count(401) < 25  # five free tries, then one try per back-off
    refused = sign_in(owner, "ada", address="10.0.0.2")
    if refused.status_code == 429:  # caught in a wait: it is never longer than the cap
        assert int(refused.headers["Retry-After"]) <= USER_CAP_S + 1
        clock.advance(int(refused.headers["Retry-After"]))
        assert sign_in(owner, "ada", address="10.0.0.2").status_code == 302
    else:
        assert refused.status_code == 302
    assert owner.get(API).status_code == 200
    with services.sessions() as session:  # the right password started the user name over
        assert session.get(LoginThrottle, "user:ada").failures == 0


def test_refusals_are_counted_not_audited_one_by_one(plant) -> None:  # type: ignore[no-untyped-def]
    app, services, clock = plant
    client = app.server.test_client()
    for _ in range(FREE_FAILURES + 30):
        sign_in(client, "vera", "wrong-password-here")
    audited = [e for e in services.accounts.audit_trail() if e.action.startswith("login")]
    assert len(audited) == FREE_FAILURES
    clock.advance(backoff_s(FREE_FAILURES, USER_CAP_S) + 1)
    assert sign_in(client, "vera", "wrong-password-here").status_code == 401
    latest = services.accounts.audit_trail(1)[0]
    assert latest.action == "login.failed" and '"refused_while_waiting": 30' in latest.details
    assert len([e for e in services.accounts.audit_trail() if e.action.startswith("login")]) == FREE_FAILURES + 1


def test_an_old_scrypt_hash_still_signs_in_and_becomes_argon2(plant) -> None:  # type: ignore[no-untyped-def]
    app, services, _clock = plant
    with services.sessions.begin() as session:
        user = session.execute(select(User).where(User.username == "vera")).scalar_one()
        user.password_hash = generate_password_hash(PASSWORDS["vera"])
    assert sign_in(app.server.test_client(), "vera").status_code == 302
    with services.sessions() as session:
        stored = session.execute(select(User.password_hash).where(User.username == "vera")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert sign_in(app.server.test_client(), "vera").status_code == 302
    assert sign_in(app.server.test_client(), "vera", "not-her-password").status_code == 401


@pytest.mark.parametrize(("password", "why"), [
    ("short-one", "at least 12 characters"),
    ("Sunshine2024!", "most common"),
    ("P@ssw0rd12345", "most common"),
    ("newbie-2026!!", "the user name"),
    ("Example Plant 1", "the site's name"),
])
def test_weak_passwords_are_refused_in_words(plant, password: str, why: str) -> None:  # type: ignore[no-untyped-def]
    _app, services, _clock = plant
    with pytest.raises(AccountError, match=why):
        services.accounts.add_user("ada", "newbie", password, "viewer")
