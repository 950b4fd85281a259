"""The Admin page's callbacks called over HTTP as Dash would call them: only an admin's session changes anything.

Every request goes to ``/_dash-update-component`` with the JSON body Dash's renderer sends, through the real
security layer (sessions, the Origin check, the access policy), so a hidden button is not what keeps anyone out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

ORIGIN = {"Origin": "http://localhost"}  # the Flask test client's host
PASSWORDS = {"boss": "admin-password-1", "ed": "editor-password-1", "vic": "viewer-password-1"}
NEW_USER = {ids.ADMIN_ADD_USERNAME: "newbie", ids.ADMIN_ADD_NAME: "New Bie", ids.ADMIN_ADD_ROLE: "editor",
            ids.ADMIN_ADD_PASSWORD: "newbie-password-1", ids.ADMIN_ADD_REPEAT: "newbie-password-1"}


@dataclass
class Plant:
    """The app over one database with an admin (boss), an editor (ed), a viewer (vic) and a display (Hall TV)."""

    app: Any
    services: Any
    display_token: str

    def client(self, who: str | None = None) -> FlaskClient:
        """A test client signed in as a user, as the display ("display"), or nobody (None)."""
        client = self.app.server.test_client()
        if who == "display":
            assert client.get(f"/display/{self.display_token}").status_code == 302
        elif who:
            answer = client.post("/login", data={"username": who, "password": PASSWORDS[who]}, headers=ORIGIN)
            assert answer.status_code == 302, answer.text
        return client

    def usernames(self) -> set[str]:
        """Every user name in the database."""
        return {u.username for u in self.services.accounts.users()}

    def audit(self, action: str) -> list[Any]:
        """The audit entries of one action."""
        return [e for e in self.services.accounts.audit_trail() if e.action == action]


@pytest.fixture
def plant(make_services, database_url: str) -> Plant:  # type: ignore[no-untyped-def]
    """Sign-in required (no anonymous reading), three users and one live display."""
    services = make_services(database_url, anonymous_access="off")
    for name, role in (("boss", "admin"), ("ed", "editor"), ("vic", "viewer")):
        services.accounts.add_user("cli", name, PASSWORDS[name], role)
    token = services.accounts.add_display("cli", "Hall TV", "/?kiosk=1")
    return Plant(create_app(services.settings, services=services), services, token)


def _callback_key(app: Any, first_output: str) -> str:
    """The callback_map key of the callback whose first output is ``first_output`` (``id.property``)."""
    keys = [k for k in app.callback_map if k == first_output or k.startswith(f"..{first_output}...")]
    assert len(keys) == 1, (first_output, list(app.callback_map))
    return keys[0]


def _outputs(key: str) -> list[dict[str, str]] | dict[str, str]:
    """A callback's outputs as the renderer lists them: a list for several outputs (``..a.x...b.y..``), else one."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]
    return outputs if len(outputs) > 1 else outputs[0]


def payload(app: Any, first_output: str, values: dict[str, Any], trigger: str) -> dict[str, Any]:
    """The body Dash's renderer posts for a callback: ``values`` by component id, ``trigger`` the clicked id."""
    key = _callback_key(app, first_output)
    spec = app.callback_map[key]

    def filled(deps: list[dict[str, str]]) -> list[Any]:
        # A wildcard (ALL) dependency arrives as the list of the components it matches: none drawn here.
        return [[] if d["id"].startswith("{") else
                d | {"value": values.get(d["id"], 1 if d["property"] == "n_clicks" else None)} for d in deps]

    return {"output": key, "outputs": _outputs(key), "inputs": filled(spec["inputs"]), "state": filled(spec["state"]),
            "changedPropIds": [f"{trigger}.n_clicks"]}


def call(plant: Plant, client: FlaskClient, first_output: str, values: dict[str, Any], trigger: str,
         headers: dict[str, str] | None = None) -> Any:
    """POST a callback as the browser would; returns the Flask response."""
    body = payload(plant.app, first_output, values, trigger)
    return client.post("/_dash-update-component", json=body, headers=ORIGIN if headers is None else headers)


def message(response: Any, message_id: str) -> str:
    """The text a write callback showed in its message element."""
    assert response.status_code == 200, response.text
    children = response.get_json()["response"][message_id]["children"]
    if isinstance(children, list):
        return " ".join(c if isinstance(c, str) else str(c["props"]["children"]) for c in children)
    return str(children)


ADD_USER = f"{ids.ADMIN_ADD_MESSAGE}.children"
SET_ROLE = f"{ids.ADMIN_ROLE_MESSAGE}.children"
SET_STATE = f"{ids.ADMIN_STATE_MESSAGE}.children"
SET_PASSWORD = f"{ids.ADMIN_PASSWORD_MESSAGE}.children"
ADD_DISPLAY = f"{ids.ADMIN_DISPLAY_MESSAGE}.children"
REVOKE = f"{ids.ADMIN_REVOKE_MESSAGE}.children"


# ---- add a user ---------------------------------------------------------------------------------------------------


def test_anonymous_is_refused_before_the_callback_runs(plant: Plant) -> None:
    answer = call(plant, plant.client(), ADD_USER, NEW_USER, ids.ADMIN_ADD_BUTTON)
    assert answer.status_code == 401
    assert "newbie" not in plant.usernames()
    assert [e.target for e in plant.audit("user.add")] == ["vic", "ed", "boss"]


@pytest.mark.parametrize("who", ["vic", "ed", "display"])
def test_a_non_admin_is_refused_and_nothing_is_stored(plant: Plant, who: str) -> None:
    text = message(call(plant, plant.client(who), ADD_USER, NEW_USER, ids.ADMIN_ADD_BUTTON), ids.ADMIN_ADD_MESSAGE)
    assert "needs the admin role" in text
    assert ("wall-TV display" if who == "display" else f"{who.capitalize()} (") in text  # the person, by name
    assert "newbie" not in plant.usernames()
    assert [e.target for e in plant.audit("user.add")] == ["vic", "ed", "boss"]


def test_an_admin_adds_a_user_and_the_audit_trail_names_them(plant: Plant) -> None:
    answer = call(plant, plant.client("boss"), ADD_USER, NEW_USER, ids.ADMIN_ADD_BUTTON)
    assert message(answer, ids.ADMIN_ADD_MESSAGE) == "Added New Bie as editor."
    response = answer.get_json()["response"]
    assert response[ids.ADMIN_ADD_PASSWORD]["value"] == ""  # the form forgets the password
    assert ids.ADMIN_CHANGED in response  # the tables refresh
    user = next(u for u in plant.services.accounts.users() if u.username == "newbie")
    assert (user.role, user.display_name, user.disabled) == ("editor", "New Bie", False)
    [entry] = [e for e in plant.audit("user.add") if e.target == "newbie"]
    assert entry.actor == "boss"
    assert '"role": "editor"' in entry.details


def test_refusals_of_the_accounts_are_shown_as_they_are(plant: Plant) -> None:
    admin = plant.client("boss")
    short = NEW_USER | {ids.ADMIN_ADD_PASSWORD: "short", ids.ADMIN_ADD_REPEAT: "short"}
    answer = call(plant, admin, ADD_USER, short, ids.ADMIN_ADD_BUTTON)
    assert message(answer, ids.ADMIN_ADD_MESSAGE) == "a password needs at least 12 characters"
    assert ids.ADMIN_CHANGED not in answer.get_json()["response"]  # nothing changed: no refresh
    differ = NEW_USER | {ids.ADMIN_ADD_REPEAT: "something-else-1"}
    assert message(call(plant, admin, ADD_USER, differ, ids.ADMIN_ADD_BUTTON),
                   ids.ADMIN_ADD_MESSAGE) == "the two passwords differ"
    taken = NEW_USER | {ids.ADMIN_ADD_USERNAME: "ed"}
    assert message(call(plant, admin, ADD_USER, taken, ids.ADMIN_ADD_BUTTON),
                   ids.ADMIN_ADD_MESSAGE) == "the user name 'ed' is taken"
    assert "newbie" not in plant.usernames()


def test_a_post_from_another_site_is_refused_even_for_an_admin(plant: Plant) -> None:
    answer = call(plant, plant.client("boss"), ADD_USER, NEW_USER, ids.ADMIN_ADD_BUTTON,
                  headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403
    assert "newbie" not in plant.usernames()


# ---- change a user ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["vic", "ed", "display"])
def test_only_an_admin_changes_roles_states_and_passwords(plant: Plant, who: str) -> None:
    client = plant.client(who)
    role = call(plant, client, SET_ROLE, {ids.ADMIN_USER: "vic", ids.ADMIN_ROLE: "admin"}, ids.ADMIN_ROLE_BUTTON)
    assert "needs the admin role" in message(role, ids.ADMIN_ROLE_MESSAGE)
    state = call(plant, client, SET_STATE, {ids.ADMIN_USER: "boss"}, ids.ADMIN_DISABLE_BUTTON)
    assert "needs the admin role" in message(state, ids.ADMIN_STATE_MESSAGE)
    password = call(plant, client, SET_PASSWORD, {ids.ADMIN_USER: "boss", ids.ADMIN_PASSWORD: "taken-over-123",
                                                  ids.ADMIN_PASSWORD_REPEAT: "taken-over-123"},
                    ids.ADMIN_PASSWORD_BUTTON)
    assert "needs the admin role" in message(password, ids.ADMIN_PASSWORD_MESSAGE)
    users = {u.username: u for u in plant.services.accounts.users()}
    assert users["vic"].role == "viewer" and not users["boss"].disabled
    assert plant.services.accounts.login("boss", PASSWORDS["boss"], "test").identity is not None
    assert plant.audit("user.role") == plant.audit("user.disable") == plant.audit("user.password") == []


def test_an_admin_changes_a_role_disables_enables_and_sets_a_password(plant: Plant) -> None:
    admin = plant.client("boss")
    role = call(plant, admin, SET_ROLE, {ids.ADMIN_USER: "vic", ids.ADMIN_ROLE: "editor"}, ids.ADMIN_ROLE_BUTTON)
    assert message(role, ids.ADMIN_ROLE_MESSAGE) == "Vic is now editor."
    [entry] = plant.audit("user.role")
    assert (entry.actor, entry.target) == ("boss", "vic") and '"after": "editor"' in entry.details

    state = call(plant, admin, SET_STATE, {ids.ADMIN_USER: "ed"}, ids.ADMIN_DISABLE_BUTTON)
    assert message(state, ids.ADMIN_STATE_MESSAGE) == "Ed is disabled."
    assert next(u for u in plant.services.accounts.users() if u.username == "ed").disabled
    state = call(plant, admin, SET_STATE, {ids.ADMIN_USER: "ed"}, ids.ADMIN_ENABLE_BUTTON)
    assert message(state, ids.ADMIN_STATE_MESSAGE) == "Ed is active again."
    assert [e.actor for e in plant.audit("user.disable") + plant.audit("user.enable")] == ["boss", "boss"]

    new = {ids.ADMIN_USER: "vic", ids.ADMIN_PASSWORD: "fresh-password-1", ids.ADMIN_PASSWORD_REPEAT: "fresh-password-1"}
    answer = call(plant, admin, SET_PASSWORD, new, ids.ADMIN_PASSWORD_BUTTON)
    assert message(answer, ids.ADMIN_PASSWORD_MESSAGE).startswith("New password set for Vic")
    assert plant.services.accounts.login("vic", "fresh-password-1", "test").identity is not None

    last = call(plant, admin, SET_STATE, {ids.ADMIN_USER: "boss"}, ids.ADMIN_DISABLE_BUTTON)
    assert message(last, ids.ADMIN_STATE_MESSAGE) == "Boss is the last active admin: make another admin first"
    nobody = call(plant, admin, SET_ROLE, {ids.ADMIN_USER: None, ids.ADMIN_ROLE: "admin"}, ids.ADMIN_ROLE_BUTTON)
    assert message(nobody, ids.ADMIN_ROLE_MESSAGE) == "pick a user first"


# ---- display screens ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["vic", "ed", "display"])
def test_only_an_admin_adds_or_revokes_displays(plant: Plant, who: str) -> None:
    client = plant.client(who)
    revoke = call(plant, client, REVOKE, {ids.ADMIN_REVOKE_NAME: "Hall TV"}, ids.ADMIN_REVOKE_BUTTON)
    assert "needs the admin role" in message(revoke, ids.ADMIN_REVOKE_MESSAGE)
    add = call(plant, client, ADD_DISPLAY, {ids.ADMIN_DISPLAY_NAME: "Rogue TV", ids.ADMIN_DISPLAY_START: "/"},
               ids.ADMIN_DISPLAY_BUTTON)
    text = message(add, ids.ADMIN_DISPLAY_MESSAGE)
    assert "needs the admin role" in text and "/display/" not in text
    assert [(d.name, d.revoked_at) for d in plant.services.accounts.displays()] == [("Hall TV", None)]
    assert plant.audit("display.revoke") == []


def test_an_admin_adds_a_display_shown_once_and_revokes_one(plant: Plant) -> None:
    admin = plant.client("boss")
    add = call(plant, admin, ADD_DISPLAY, {ids.ADMIN_DISPLAY_NAME: "Line 1 TV", ids.ADMIN_DISPLAY_START: "/?kiosk=1"},
               ids.ADMIN_DISPLAY_BUTTON)
    text = message(add, ids.ADMIN_DISPLAY_MESSAGE)
    link = re.search(r"http://localhost/display/[\w-]+", text)
    assert link, text
    tv = plant.app.server.test_client()
    opened = tv.get(link.group(0).removeprefix("http://localhost"))
    assert opened.status_code == 302 and opened.headers["Location"] == "/?kiosk=1"
    [entry] = [e for e in plant.audit("display.add") if e.target == "Line 1 TV"]
    assert entry.actor == "boss"

    revoke = call(plant, admin, REVOKE, {ids.ADMIN_REVOKE_NAME: "Hall TV"}, ids.ADMIN_REVOKE_BUTTON)
    assert message(revoke, ids.ADMIN_REVOKE_MESSAGE).startswith("Revoked display Hall TV")
    assert {d.name: d.revoked_at is not None for d in plant.services.accounts.displays()} == {
        "Hall TV": True, "Line 1 TV": False}
    [entry] = plant.audit("display.revoke")
    assert (entry.actor, entry.target) == ("boss", "Hall TV")
    assert plant.client().get(f"/display/{plant.display_token}").status_code == 403


# ---- reading ------------------------------------------------------------------------------------------------------


def _read(plant: Plant, client: FlaskClient, first_output: str) -> str:
    key = _callback_key(plant.app, first_output)
    body = {"output": key, "outputs": _outputs(key), "changedPropIds": [],
            "inputs": [{"id": ids.ADMIN_REFRESH, "property": "n_intervals", "value": None},
                       {"id": ids.ADMIN_CHANGED, "property": "data", "value": 0}]}
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.mark.parametrize("who", ["vic", "ed", "display"])
def test_non_admins_read_nothing_but_admins_only(plant: Plant, who: str) -> None:
    client = plant.client(who)
    for output in (f"{ids.ADMIN_NOTICE}.children", f"{ids.ADMIN_DISPLAYS}.children", f"{ids.ADMIN_AUDIT}.children"):
        text = _read(plant, client, output)
        assert "Admins only" in text
        for secret in ("boss", "Hall TV", "user.add", "display.add"):
            assert secret not in text


def test_an_admin_reads_users_displays_and_the_audit_trail(plant: Plant) -> None:
    client = plant.client("boss")
    users = _read(plant, client, f"{ids.ADMIN_NOTICE}.children")
    assert all(name in users for name in ("Boss", "Ed", "Vic")) and "Admins only" not in users
    assert "Fri 20 Nov 2026, 21:00" in users  # boss's sign-in, in plant time (Europe/Berlin)
    assert "Hall TV" in _read(plant, client, f"{ids.ADMIN_DISPLAYS}.children")
    audit = _read(plant, client, f"{ids.ADMIN_AUDIT}.children")
    assert "user added" in audit and "display added" in audit and "signed in" in audit
