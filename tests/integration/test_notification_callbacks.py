"""The Data page's subscription form, called as any HTTP client can call it: a signed-in person subscribes and
unsubscribes themselves; the same bodies from a wall-TV display or nobody store nothing, and a forged unsubscribe of
another person's subscription is refused. The section shows channels off without an error, and the delivery log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.web.app import create_app

from tests.conftest import SMALL_PLANT

ORIGIN = {"Origin": "http://localhost"}
PASSWORDS = {"maria": "maria-viewer-password", "tom": "tom-editor-password"}
RULES = """
notifications:
  channels:
    - {key: leads, kind: email, name: Shift leads, to: [leads@plant.test]}
    - {key: ops, kind: slack, name: Ops in Slack, url_env: TEST_NOWHERE_SLACK}
  rules:
    - {key: oee-red, name: OEE red on a line, cause: kpi_red, kpis: [oee], channels: [leads, ops]}
    - {key: chat-only, name: Chat only, cause: action_overdue, channels: [ops]}
"""


@pytest.fixture
def site(make_services, database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The small plant with two rules, sign-in required, a viewer, an editor and a wall TV."""
    plant = tmp_path / "notify-plant.yaml"
    plant.write_text(SMALL_PLANT + RULES, encoding="utf-8")
    services = make_services(database_url, now=datetime(2026, 11, 20, 20, 50, tzinfo=UTC), plant=plant,
                            anonymous_access="off")
    for name, role in (("maria", "viewer"), ("tom", "editor")):
        services.accounts.add_user("test", name, PASSWORDS[name], role, display_name=name.title())
    token = services.accounts.add_display("test", "hall-tv")
    return create_app(services.settings, services=services), services, token


def _client(app: Any, who: str, token: str) -> Any:
    client = app.server.test_client()
    if who == "hall-tv":
        client.get(f"/display/{token}")
    elif who != "nobody":
        answer = client.post("/login", data={"username": who, "password": PASSWORDS[who], "next": "/"},
                             headers=ORIGIN)
        assert answer.status_code == 302
    return client


def _press(app: Any, client: Any, button: str, state: list[dict[str, Any]]) -> Any:
    output = next(k for k in app.callback_map if "notify-message.children" in k
                  and any(i["id"] == button for i in app.callback_map[k]["inputs"]))
    payload = {"output": output, "outputs": [{"id": "notify-message", "property": "children"},
                                             {"id": "notify-changed", "property": "data"}],
               "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
               "state": [*state, {"id": "page-site", "property": "data", "value": "ex"}],
               "changedPropIds": [f"{button}.n_clicks"]}
    answer = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    return answer.get_json()["response"]["notify-message"]["children"] if answer.status_code == 200 else answer


def subscribe(app: Any, client: Any, rule: str, scope: str, email: str) -> Any:
    return _press(app, client, "notify-subscribe", [
        {"id": "notify-rule", "property": "value", "value": rule},
        {"id": "notify-scope", "property": "value", "value": scope},
        {"id": "notify-email", "property": "value", "value": email}])


def unsubscribe(app: Any, client: Any, picked: Any) -> Any:
    return _press(app, client, "notify-unsubscribe", [{"id": "notify-mine", "property": "value", "value": picked}])


def test_a_person_subscribes_and_unsubscribes_only_themselves(site) -> None:  # type: ignore[no-untyped-def]
    app, services, token = site
    maria = _client(app, "maria", token)
    assert subscribe(app, maria, "oee-red", "L1", "maria@plant.test") == "Subscribed: you will get its e-mails."
    assert subscribe(app, maria, "chat-only", "", "maria@plant.test") == (
        "Not subscribed: Chat only sends no e-mail: it tells its channels only.")
    (mine,) = services.notifier.subscriptions(Identity("user", "maria", "viewer"))
    assert (mine["rule"], mine["scope"], mine["email"]) == ("oee-red", "L1", "maria@plant.test")
    assert subscribe(app, _client(app, "hall-tv", token), "oee-red", "", "tv@plant.test") == (
        "Not subscribed: subscribing to notifications needs a signed-in person")
    refused = subscribe(app, _client(app, "nobody", token), "oee-red", "", "nobody@plant.test")
    assert not isinstance(refused, str) and refused.status_code in (401, 403)
    tom = _client(app, "tom", token)
    assert unsubscribe(app, tom, mine["id"]) == "Not unsubscribed: That subscription is not yours, or is gone."
    assert unsubscribe(app, maria, "1; DROP TABLE users") == "Not unsubscribed: Pick one of your subscriptions."
    assert len(services.notifier.subscriptions(Identity("user", "maria", "viewer"))) == 1
    assert unsubscribe(app, maria, mine["id"]) == "Unsubscribed."
    assert services.notifier.subscriptions(Identity("user", "maria", "viewer")) == []
    assert next(s for s in services.notifier.report()["rules"] if s["key"] == "oee-red")["emails"] is True


def test_the_section_says_which_channels_are_off(site) -> None:  # type: ignore[no-untyped-def]
    app, _services, token = site
    client = _client(app, "maria", token)
    output = next(k for k in app.callback_map if "notify-channels.children" in k)
    payload = {"output": output, "outputs": [{"id": i, "property": p} for i, p in (
        ("notify-channels", "children"), ("notify-rules", "children"), ("notify-log", "children"),
        ("notify-rule", "options"), ("notify-scope", "options"), ("notify-mine", "options"))],
        "inputs": [{"id": "data-refresh", "property": "n_intervals", "value": 1},
                   {"id": "notify-changed", "property": "data", "value": 0}], "changedPropIds": []}
    answer = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "off: no mail server is set in Huddle's settings" in text
    assert "off: the environment variable TEST_NOWHERE_SLACK is not set" in text
    assert "No message has been sent yet." in text
    options = answer.get_json()["response"]["notify-rule"]["options"]
    assert options == [{"label": "OEE red on a line", "value": "oee-red"}]  # the chat-only rule sends no e-mail
