"""The door: sign-in sends people on to pages of this site only, only the sign-in page (and display links) is
open to anyone, a request for another host is refused (DNS rebinding), changes must come from this site's scheme,
host and port, HTTPS answers carry HSTS, and malformed or oversized callback requests get a short 400 or 413
instead of a server error."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.settings import load_settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.security import safe_next

PASSWORD = "eddie-editor-password"


def _door(make_services: Callable[..., Any], database_url: str, **settings: Any) -> tuple[Any, Any, str]:
    services = make_services(database_url, anonymous_access="off")
    services.accounts.add_user("test", "eddie", PASSWORD, "editor")
    token = services.accounts.add_display("test", "hall-tv", "/board?kiosk=1")
    config = services.settings.with_(**settings) if settings else services.settings
    return create_app(config, services=services), services, token


def _sign_in(client: Any, origin: str = "http://localhost", next_path: str = "/", **kw: Any) -> Any:
    return client.post("/login", data={"username": "eddie", "password": PASSWORD, "next": next_path},
                       headers={"Origin": origin}, **kw)


@pytest.mark.parametrize("next_path", [
    "//evil.example/x", "/\\evil.example", "/\t/evil.example", "/%09/evil.example", "/%2F%2Fevil.example",
    "/%5Cevil.example", "https://evil.example/", "javascript:alert(1)", "\t//evil.example", " /x", "/\n/evil",
    "/\x00x", "/\u2028/evil", "/x\u00a0y", "", "evil.example", "/" + "a" * 3000])
def test_sign_in_goes_on_to_pages_of_this_site_only(make_services: Callable[..., Any], database_url: str,
                                                     next_path: str) -> None:
    app, _services, _token = _door(make_services, database_url)
    client = app.server.test_client()
    assert _sign_in(client, next_path=next_path).headers["Location"] == "/"
    form = app.server.test_client().get("/login", query_string={"next": next_path}).get_data(as_text=True)
    assert 'name="next" value="/"' in form


def test_the_open_redirect_of_the_report_is_closed(make_services: Callable[..., Any], database_url: str) -> None:
    app, _services, _token = _door(make_services, database_url)
    client = app.server.test_client()
    form = client.get("/login?next=/%09/evil.example").get_data(as_text=True)
    assert 'name="next" value="/"' in form
    kept = "/tree?tree=oee&scope=L1&period=2026-W47"
    assert safe_next(kept) == kept
    assert _sign_in(client, next_path=kept).headers["Location"] == kept
    fresh = app.server.test_client()
    sent = fresh.get("/review?scope=a&month=2026-10")
    assert sent.status_code == 302
    asked = fresh.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'value="/review?scope=a&amp;month=2026-10"' in asked  # the page asked for, with its whole query


def test_only_the_sign_in_page_is_open_to_anyone(make_services: Callable[..., Any], database_url: str) -> None:
    app, _services, token = _door(make_services, database_url)
    client = app.server.test_client()
    for path in ("/loginx", "/login/anything", "/login-data", "/display/x/y", "/logout", "/displays"):
        answer = client.get(path)
        assert answer.status_code in (302, 401, 405), (path, answer.status_code)
        assert "_dash-config" not in answer.get_data(as_text=True), path  # the app's shell is not served
    assert client.get("/login").status_code == 200
    assert client.get("/assets/huddle.css").status_code == 200
    assert client.get("/display/not-a-token").status_code == 403
    # the wall TV's link still signs it in and shows its board
    tv = app.server.test_client()
    opened = tv.get(f"/display/{token}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/board?kiosk=1"
    assert tv.get("/board?kiosk=1").status_code == 200 and tv.get("/api/v1/board").status_code == 200


def _save(client: Any, headers: dict[str, str], **kw: Any) -> Any:
    """A state-changing request: signing out."""
    return client.post("/logout", headers=headers, **kw)


@pytest.mark.parametrize("origin", ["https://localhost", "http://localhost:8080", "http://evil.example", "null",
                                    "http://localhost.evil.example", "file://localhost", "http://[::1"])
def test_without_public_url_changes_must_come_from_the_address_asked(make_services: Callable[..., Any],
                                                                      database_url: str, origin: str) -> None:
    app, _services, _token = _door(make_services, database_url)
    client = app.server.test_client()
    assert _save(client, {"Origin": origin}).status_code == 403
    assert _save(client, {"Referer": origin + "/data"}).status_code == 403
    assert _save(client, {"Origin": "http://localhost"}).status_code == 302
    assert _save(client, {"Referer": "http://localhost/data"}).status_code == 302
    assert _save(client, {}).status_code == 302  # a script, not a browser: today's behaviour for local use


def test_with_public_url_other_hosts_are_refused_on_every_path(make_services: Callable[..., Any],
                                                               database_url: str) -> None:
    public = "https://huddle.plant.example"
    app, _services, token = _door(make_services, database_url, public_url=public, allowed_hosts=("tv.plant.local",))
    rebound = app.server.test_client()  # a page on the attacker's name, now pointing at Huddle's address
    for path in ("/", "/login", "/api/v1/health", "/assets/huddle.css", f"/display/{token}", "/_dash-layout"):
        answer = rebound.get(path, base_url="http://rebind.evil.example")
        assert answer.status_code == 400, path
        assert "not served here" in answer.get_data(as_text=True)
    assert _sign_in(rebound, "http://rebind.evil.example", base_url="http://rebind.evil.example").status_code == 400
    person = app.server.test_client()
    assert _sign_in(person, "http://huddle.plant.example", base_url=public).status_code == 403  # scheme differs
    assert _sign_in(person, "https://huddle.plant.example:8443", base_url=public).status_code == 403  # port
    assert _sign_in(person, public, base_url="https://HUDDLE.plant.example").status_code == 302
    assert _save(person, {}, base_url=public).status_code == 403  # a change must say where it comes from
    assert _save(person, {"Referer": public + "/data"}, base_url=public).status_code == 302
    tv = app.server.test_client()  # a further name TVs use, and its own address as the origin
    assert tv.get(f"/display/{token}", base_url="http://tv.plant.local:8050").status_code == 302
    assert _save(tv, {"Origin": "http://tv.plant.local:8050"}, base_url="http://tv.plant.local:8050").status_code \
        == 302


def test_https_answers_carry_hsts(make_services: Callable[..., Any], database_url: str) -> None:
    app, services, _token = _door(make_services, database_url)
    client = app.server.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert client.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"].startswith(
        "max-age=")
    public = create_app(services.settings.with_(public_url="https://huddle.plant.example"), services=services)
    answer = public.server.test_client().get("/login", base_url="https://huddle.plant.example")
    assert "max-age=31536000" in answer.headers["Strict-Transport-Security"]


def test_the_settings_read_the_door(tmp_path: Path) -> None:
    env = {"HUDDLE_PUBLIC_URL": "https://huddle.plant.example/", "HUDDLE_ALLOWED_HOSTS": "TV.plant.local, 10.0.0.5",
           "HUDDLE_MAX_REQUEST_BYTES": "65536"}
    settings = load_settings(env=env)
    assert settings.public_url == "https://huddle.plant.example"
    assert settings.allowed_hosts == ("tv.plant.local", "10.0.0.5") and settings.max_request_bytes == 65536
    assert load_settings(env={}).max_request_bytes == 1024 * 1024
    with pytest.raises(ValueError, match="public_url must be an address"):
        load_settings(env={"HUDDLE_PUBLIC_URL": "huddle.plant.example"})


# --- callback requests ------------------------------------------------------------------------------------------

def _a_callback(app: Any) -> tuple[str, dict[str, Any]]:
    """A callback of the app with one output and at least one input, and a well-formed request for it."""
    for name, cb in app.callback_map.items():
        if not name.startswith("..") and cb["inputs"] and not cb.get("no_output") and "callback" in cb:
            out_id, prop = name.rsplit(".", 1)
            body = {"output": name, "outputs": {"id": out_id, "property": prop},
                    "inputs": [{"id": i["id"], "property": i["property"], "value": None} for i in cb["inputs"]],
                    "state": [{"id": s["id"], "property": s["property"], "value": None} for s in cb["state"]],
                    "changedPropIds": []}
            if "{" not in out_id:
                return name, body
    raise AssertionError("no plain callback")


def _bad_bodies(body: dict[str, Any]) -> list[tuple[str, bytes]]:
    def dumped(**changes: Any) -> bytes:
        return json.dumps({**body, **changes}).encode()

    without_inputs = {k: v for k, v in body.items() if k != "inputs"}
    return [
        ("not JSON", b"{not json"), ("empty", b""), ("null", b"null"), ("a list", b"[]"), ("text", b'"x"'),
        ("a number", b"1"), ("an empty object", b"{}"), ("output a number", dumped(output=1)),
        ("output unknown", dumped(output="nope.children")),
        ("output of a callback run in the browser", dumped(output=f"{ids.APP_ROOT}.className")),
        ("no inputs", json.dumps(without_inputs).encode()),
        ("inputs not a list", dumped(inputs={"id": "x"})), ("inputs of texts", dumped(inputs=["x"])),
        ("too many inputs", dumped(inputs=body["inputs"] * 2 + [{"id": "x", "property": "y"}])),
        ("state not a list", dumped(state="x")), ("changedPropIds of numbers", dumped(changedPropIds=[1])),
        ("outputs of another", dumped(outputs={"id": "nope", "property": "children"})),
        ("deeply nested", b"[" * 100_000 + b"]" * 100_000), ("deep inside", dumped(inputs=[[[[[]]]]])),
        ("not UTF-8", b'{"output": "\xff\xfe"}'), ("a NUL", b"\x00" * 10),
    ]


def test_malformed_callback_requests_get_a_short_400(make_services: Callable[..., Any], database_url: str) -> None:
    services = make_services(database_url)  # anyone may read: the requests reach the check
    app = create_app(services.settings, services=services)
    client = app.server.test_client()
    _name, body = _a_callback(app)
    assert client.post("/_dash-update-component", json=body).status_code != 400  # the well-formed one passes
    for what, raw in _bad_bodies(body):
        answer = client.post("/_dash-update-component", data=raw, content_type="application/json")
        assert answer.status_code == 400, (what, answer.status_code, answer.get_data(as_text=True)[:300])
        reason = answer.get_json()["error"]
        assert reason.startswith("bad callback request: ") and len(reason) < 160, (what, reason)
    plain = client.post("/_dash-update-component", data=json.dumps(body), content_type="text/plain")
    assert plain.status_code == 400 and "application/json" in plain.get_json()["error"]


def test_oversized_bodies_are_refused_before_they_are_read(make_services: Callable[..., Any], database_url: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    services = make_services(database_url)
    app = create_app(services.settings.with_(max_request_bytes=64 * 1024), services=services)
    client = app.server.test_client()
    _name, body = _a_callback(app)
    read: list[int] = []
    original = json.loads
    monkeypatch.setattr(json, "loads", lambda raw, *a, **k: read.append(len(raw)) or original(raw, *a, **k))
    big = {**body, "state": body["state"] + [{"id": "x", "property": "value", "value": "x" * 70_000}]}
    for path in ("/_dash-update-component", "/login"):
        answer = client.post(path, data=json.dumps(big), content_type="application/json")
        assert answer.status_code == 413, path
        assert answer.mimetype == "text/plain" and len(answer.get_data()) < 100
        assert re.search(r"larger than 65536 bytes", answer.get_data(as_text=True))
    assert not [n for n in read if n > 64 * 1024]  # never parsed
    assert client.post("/_dash-update-component", json=body).status_code != 413
