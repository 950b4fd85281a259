"""Who may do what, proven by direct requests: sign-in, throttling, display links, the Origin check, headers,
and a write (a hand-entered KPI value) refused on the server for everyone below editor, with nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.web.app import create_app
from huddle.data.models import AuditEntry, KpiValue, LoadRun
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import SMALL_PLANT, client_for

PLANT = SMALL_PLANT.replace("kpis:\n", """kpis:
  - {key: ideas, name: Improvement ideas, formula: direct, unit: ideas, aggregation: sum, category: M,
     target: 1, frequency: week, owner: B}
""")
ORIGIN = {"Origin": "http://localhost"}
PASSWORDS = {"ada": "ada-admin-password", "eddie": "eddie-editor-pw", "vera": "vera-viewer-pw"}


@pytest.fixture
def site(make_services, tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """The app with sign-in required, three users and one display."""
    plant = tmp_path / "plant_ideas.yaml"
    plant.write_text(PLANT)
    services = make_services(database_url, plant=plant, anonymous_access="off")
    for name, role in (("ada", "admin"), ("eddie", "editor"), ("vera", "viewer")):
        services.accounts.add_user("test", name, PASSWORDS[name], role)
    token = services.accounts.add_display("test", "hall-tv")
    app = create_app(services.settings, services=services)
    return app, services, token


def sign_in(client: Any, name: str, password: str | None = None) -> Any:
    """POST the sign-in form as a browser on this site would."""
    return client.post("/login", data={"username": name, "password": password or PASSWORDS[name], "next": "/data"},
                       headers=ORIGIN)


def save_value(client: Any, value: float = 7, headers: dict[str, str] | None = None) -> Any:
    """Call the Data page's save callback directly, as any HTTP client can."""
    state = {"manual-kpi": "ideas", "manual-location": "L1", "manual-date": "2026-11-20", "manual-shift": None,
             "manual-value": value}
    payload = {
        "output": "manual-message.children", "outputs": {"id": "manual-message", "property": "children"},
        "inputs": [{"id": "manual-save", "property": "n_clicks", "value": 1}],
        "state": [*({"id": k, "property": "value", "value": v} for k, v in state.items()),
                  {"id": "page-site", "property": "data", "value": "ex"}],  # the site the page was drawn for
        "changedPropIds": ["manual-save.n_clicks"],
    }
    return client.post("/_dash-update-component", json=payload, headers=headers if headers is not None else ORIGIN)


def stored_values(services: Any) -> int:
    with services.sessions() as session:
        return session.execute(select(func.count()).select_from(KpiValue)).scalar_one()


def test_nobody_signed_in_reads_nothing(site) -> None:  # type: ignore[no-untyped-def]
    app, _services, _token = site
    client = app.server.test_client()
    page = client.get("/data")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/data")
    assert client.get("/api/v1/kpis").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/login").status_code == 200
    assert client.get("/assets/huddle.css").status_code == 200


def test_sign_in_and_out(site) -> None:  # type: ignore[no-untyped-def]
    app, services, _token = site
    client = app.server.test_client()
    response = sign_in(client, "vera")
    assert response.status_code == 302 and response.headers["Location"] == "/data"
    assert client.get("/api/v1/kpis").status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    client.post("/logout", headers=ORIGIN)
    assert client.get("/api/v1/kpis").status_code == 401
    actions = [e.action for e in services.accounts.audit_trail()]
    assert "login" in actions


def test_failed_sign_ins_are_refused_logged_and_slowed_down(site) -> None:  # type: ignore[no-untyped-def]
    app, services, _token = site
    client = app.server.test_client()
    for _ in range(5):
        assert sign_in(client, "ada", "not-the-password").status_code == 401
    throttled = sign_in(client, "ada")  # even the right password waits now
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert b"too many failed sign-ins" in throttled.data
    actions = [e.action for e in services.accounts.audit_trail()]
    assert actions.count("login.failed") == 5 and "login" not in actions  # the refusal is counted, not audited


def test_open_redirects_are_refused(site) -> None:  # type: ignore[no-untyped-def]
    app, _services, _token = site
    client = app.server.test_client()
    response = client.post("/login", data={"username": "vera", "password": PASSWORDS["vera"],
                                           "next": "//evil.example/x"}, headers=ORIGIN)
    assert response.headers["Location"] == "/"


def test_requests_from_another_site_are_refused(site) -> None:  # type: ignore[no-untyped-def]
    app, services, _token = site
    client = app.server.test_client()
    sign_in(client, "eddie")
    response = save_value(client, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert stored_values(services) == 0
    assert sign_in(app.server.test_client(), "eddie").status_code == 302  # same-site sign-in still works
    forged = app.server.test_client().post("/login", data={"username": "eddie", "password": PASSWORDS["eddie"]},
                                           headers={"Origin": "http://evil.example"})
    assert forged.status_code == 403


def test_every_response_carries_security_headers(site) -> None:  # type: ignore[no-untyped-def]
    app, _services, _token = site
    client = app.server.test_client()
    sign_in(client, "vera")
    for path in ("/login", "/data", "/api/v1/kpis"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("who", ["anonymous", "vera", "hall-tv"])
def test_writes_below_editor_are_refused_on_the_server(site, who: str) -> None:  # type: ignore[no-untyped-def]
    app, services, token = site
    client = app.server.test_client()
    if who == "hall-tv":
        assert client.get(f"/display/{token}").status_code == 302
        assert client.get("/api/v1/kpis").status_code == 200  # a display reads
    elif who != "anonymous":
        sign_in(client, who)
    response = save_value(client)
    if who == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        assert "Not stored: entering a KPI value needs the editor role" in response.get_data(as_text=True)
    assert stored_values(services) == 0
    assert not [e for e in services.accounts.audit_trail() if e.action == "kpi_value.set"]


def test_an_editor_writes_and_the_audit_trail_says_who_and_what(site) -> None:  # type: ignore[no-untyped-def]
    app, services, _token = site
    client = app.server.test_client()
    sign_in(client, "eddie")
    first = save_value(client, 3)
    assert "Stored 3 for Improvement ideas, Line 1 – Area A, 20 Nov" in first.get_data(as_text=True)
    second = save_value(client, 5)
    assert "(was 3, entered by Eddie at 21:00)" in second.get_data(as_text=True)  # whose value it replaced
    assert stored_values(services) == 1
    entry = next(e for e in services.accounts.audit_trail() if e.action == "kpi_value.set")
    assert entry.actor == "eddie" and entry.target == "ideas L1 2026-11-20"
    assert '"after": 5.0' in entry.details and '"before": 3.0' in entry.details


def test_a_revoked_display_and_a_disabled_user_are_signed_out_at_their_next_request(site) -> None:  # type: ignore[no-untyped-def]
    app, services, token = site
    tv, person = app.server.test_client(), app.server.test_client()
    tv.get(f"/display/{token}")
    sign_in(person, "vera")
    assert tv.get("/api/v1/kpis").status_code == 200 and person.get("/api/v1/kpis").status_code == 200
    services.accounts.revoke_display("ada", "hall-tv")
    services.accounts.set_disabled("ada", "vera", True)
    assert tv.get("/api/v1/kpis").status_code == 401
    assert person.get("/api/v1/kpis").status_code == 401
    assert tv.get(f"/display/{token}").status_code == 403  # the link itself is dead
    assert sign_in(person, "vera").status_code == 401


def test_a_password_change_ends_open_sessions_and_sessions_expire(site) -> None:  # type: ignore[no-untyped-def]
    app, services, _token = site
    client = app.server.test_client()
    sign_in(client, "vera")
    services.accounts.set_password("vera", "vera", "a-brand-new-password")
    assert client.get("/api/v1/kpis").status_code == 401
    sign_in(client, "vera", "a-brand-new-password")
    with client.session_transaction() as session:
        session["exp"] = 0
    assert client.get("/api/v1/kpis").status_code == 401


def test_the_audit_trail_cannot_be_edited(site) -> None:  # type: ignore[no-untyped-def]
    _app, services, _token = site
    with pytest.raises(DBAPIError, match="append-only"), services.sessions.begin() as session:
        session.execute(update(AuditEntry).values(actor="someone else"))
    with pytest.raises(DBAPIError, match="append-only"), services.sessions.begin() as session:
        session.execute(text("DELETE FROM audit_log"))
    assert all(e.actor != "someone else" for e in services.accounts.audit_trail())


def run_loader(client: Any) -> Any:
    """Call the Data page's run-now callback directly."""
    payload = {"output": "run-message.children", "outputs": {"id": "run-message", "property": "children"},
               "inputs": [{"id": "run-button", "property": "n_clicks", "value": 1}],
               "state": [{"id": "run-source", "property": "value", "value": "counts"},
                         {"id": "page-site", "property": "data", "value": "ex"}],
               "changedPropIds": ["run-button.n_clicks"]}
    return client.post("/_dash-update-component", json=payload, headers=ORIGIN)


@pytest.mark.parametrize("who", ["eddie", "vera", "hall-tv"])
def test_only_admins_run_a_loader_now(site, who: str) -> None:  # type: ignore[no-untyped-def]
    app, services, token = site
    client = app.server.test_client()
    if who == "hall-tv":
        client.get(f"/display/{token}")
    else:
        sign_in(client, who)
    assert "Not run: running a loader needs the admin role" in run_loader(client).get_data(as_text=True)
    with services.sessions() as session:
        assert session.execute(select(func.count()).select_from(LoadRun)).scalar_one() == 0
    (services.settings.data_dir / "inbox" / "counts").mkdir(parents=True)
    admin = app.server.test_client()
    sign_in(admin, "ada")
    assert "counts: idle, 0 rows read" in run_loader(admin).get_data(as_text=True)
    entry = next(e for e in services.accounts.audit_trail() if e.action == "loader.run")
    assert entry.actor == "ada" and entry.target == "counts"


def test_a_changed_plant_configuration_is_in_the_audit_trail(make_services, plant_file: Path) -> None:  # type: ignore[no-untyped-def]
    services = make_services(None)
    changes = [e for e in services.accounts.audit_trail() if e.action == "config.change"]
    assert len(changes) == 1 and "2 lines, 7 KPIs, 1 trees, 2 sources" in changes[0].details
    make_services(None)  # the same file again: nothing new
    assert len([e for e in services.accounts.audit_trail() if e.action == "config.change"]) == 1
    plant_file.write_text(plant_file.read_text().replace("target: 85,", "target: 80,"))
    make_services(None)
    assert len([e for e in services.accounts.audit_trail() if e.action == "config.change"]) == 2


def test_behind_a_reverse_proxy_each_client_is_known_by_its_own_address(make_services, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                      database_url: str) -> None:
    from huddle.data.models_security import LoginThrottle

    services = make_services(database_url, anonymous_access="off")
    services.accounts.add_user("test", "ada", PASSWORDS["ada"], "admin")
    proxied = client_for(services, behind_proxies=1)
    # one client guessing behind the proxy does not lock out the others who come through the same proxy
    for _ in range(5):
        proxied.post("/login", data={"username": "ada", "password": "wrong"},
                     headers=ORIGIN | {"X-Forwarded-For": "10.0.0.66"})
    assert proxied.post("/login", data={"username": "nobody", "password": "x"},
                        headers=ORIGIN | {"X-Forwarded-For": "10.0.0.7"}).status_code == 401  # not 429
    with services.sessions() as session:
        addresses = {k for k in session.scalars(select(LoginThrottle.key)) if k.startswith("addr:")}
    assert addresses == {"addr:10.0.0.66", "addr:10.0.0.7"}
    # without the setting a forwarded address is not believed: anyone could claim any address
    direct = client_for(services)
    direct.post("/login", data={"username": "ada", "password": "wrong"},
                headers=ORIGIN | {"X-Forwarded-For": "1.2.3.4"})
    with services.sessions() as session:
        assert "addr:1.2.3.4" not in set(session.scalars(select(LoginThrottle.key)))
