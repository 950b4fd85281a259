"""People's home scopes on each backend: stored with the user, carried by their sign-in, changed by an admin on the
Admin page and by ``huddle user``, audited; an operator always has a line or an area."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from huddle.dashboard.cli import main
from huddle.dashboard.core.names import audit_details
from huddle.dashboard.demo import demo_people
from huddle.dashboard.services.accounts import AccountError
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

from tests.integration.test_admin_callbacks import NEW_USER, Plant, call, message

SET_SCOPE = f"{ids.ADMIN_SCOPE_MESSAGE}.children"
ADD_USER = f"{ids.ADMIN_ADD_MESSAGE}.children"


@pytest.fixture
def plant(make_services, database_url: str) -> Plant:  # type: ignore[no-untyped-def]
    services = make_services(database_url, anonymous_access="off")
    for name, role, password in (("boss", "admin", "admin-password-1"), ("ed", "editor", "editor-password-1"),
                                 ("vic", "viewer", "viewer-password-1")):
        services.accounts.add_user("cli", name, password, role)
    return Plant(create_app(services.settings, services=services), services, "")


def _user(plant: Plant, name: str):  # type: ignore[no-untyped-def]
    return next(u for u in plant.services.accounts.users() if u.username == name)


def test_an_operator_signs_in_with_their_line(plant: Plant) -> None:
    accounts = plant.services.accounts
    accounts.add_user("cli", "olga", "operator-password-1", "operator", "Olga Novak", "L1")
    result = accounts.login("olga", "operator-password-1", "127.0.0.1")
    assert (result.identity.role, result.identity.scope) == ("operator", "L1")
    assert accounts.session_identity(result.session_token).scope == "L1"
    assert accounts.login("boss", "admin-password-1", "127.0.0.1").identity.scope is None  # the whole site


def test_an_operator_needs_a_line_and_a_scope_must_exist(plant: Plant) -> None:
    accounts = plant.services.accounts
    with pytest.raises(AccountError, match="an operator enters data for their own line"):
        accounts.add_user("cli", "olga", "operator-password-1", "operator")
    with pytest.raises(AccountError, match="there is no line or area 'L9': use one of L1, L2, a, or the whole site"):
        accounts.add_user("cli", "olga", "operator-password-1", "operator", scope="L9")
    with pytest.raises(AccountError, match="an operator enters data for their own line"):
        accounts.set_role("cli", "vic", "operator")  # vic works for the whole site
    assert "olga" not in plant.usernames() and _user(plant, "vic").role == "viewer"
    accounts.set_scope("cli", "vic", "L2")
    accounts.set_role("cli", "vic", "operator")
    with pytest.raises(AccountError, match="an operator enters data for their own line"):
        accounts.set_scope("cli", "vic", None)
    assert (_user(plant, "vic").role, _user(plant, "vic").scope) == ("operator", "L2")


def test_the_admin_page_sets_a_home_scope_and_the_audit_trail_says_it_in_words(plant: Plant) -> None:
    admin = plant.client("boss")
    answer = call(plant, admin, SET_SCOPE, {ids.ADMIN_USER: "ed", ids.ADMIN_SCOPE: "a"}, ids.ADMIN_SCOPE_BUTTON)
    assert message(answer, ids.ADMIN_SCOPE_MESSAGE) == "Ed now works in Area A."
    assert _user(plant, "ed").scope == "a"
    [entry] = plant.audit("user.scope")
    assert (entry.actor, entry.target) == ("boss", "ed")
    assert audit_details(plant.services.config, entry.details) == "scope Example Plant → Area A"
    answer = call(plant, admin, SET_SCOPE, {ids.ADMIN_USER: "ed", ids.ADMIN_SCOPE: "plant"}, ids.ADMIN_SCOPE_BUTTON)
    assert message(answer, ids.ADMIN_SCOPE_MESSAGE) == "Ed now works for the whole site."
    assert _user(plant, "ed").scope is None


def test_the_admin_page_adds_an_operator_of_a_line(plant: Plant) -> None:
    admin = plant.client("boss")
    operator = NEW_USER | {ids.ADMIN_ADD_ROLE: "operator"}
    refused = call(plant, admin, ADD_USER, operator, ids.ADMIN_ADD_BUTTON)
    assert "an operator enters data for their own line" in message(refused, ids.ADMIN_ADD_MESSAGE)
    assert "newbie" not in plant.usernames()
    added = call(plant, admin, ADD_USER, operator | {ids.ADMIN_ADD_SCOPE: "L1"}, ids.ADMIN_ADD_BUTTON)
    assert message(added, ids.ADMIN_ADD_MESSAGE) == "Added New Bie as operator."
    assert (_user(plant, "newbie").role, _user(plant, "newbie").scope) == ("operator", "L1")


@pytest.mark.parametrize("who", ["ed", "vic"])
def test_only_an_admin_changes_a_home_scope(plant: Plant, who: str) -> None:
    client = plant.client(who)
    answer = call(plant, client, SET_SCOPE, {ids.ADMIN_USER: "ed", ids.ADMIN_SCOPE: "L1"}, ids.ADMIN_SCOPE_BUTTON)
    assert "needs the admin role" in message(answer, ids.ADMIN_SCOPE_MESSAGE)
    assert _user(plant, "ed").scope is None and plant.audit("user.scope") == []


def test_the_users_table_and_pickers_show_home_scopes_by_name(plant: Plant) -> None:
    plant.services.accounts.set_scope("cli", "ed", "L2")
    answer = call(plant, plant.client("boss"), f"{ids.ADMIN_ADD_SCOPE}.options", {}, ids.ADMIN_CHANGED)
    options = answer.get_json()["response"][ids.ADMIN_ADD_SCOPE]["options"]
    assert answer.get_json()["response"][ids.ADMIN_SCOPE]["value"] == "plant"  # the whole site, picked
    assert [o["label"] for o in options] == ["Whole site (Example Plant)", "Area A", "– Line 1 – Area A",
                                             "– Line 2 – Area A"]
    body = plant.client("boss").get("/admin")
    assert body.status_code == 200
    users = call(plant, plant.client("boss"), f"{ids.ADMIN_NOTICE}.children", {}, ids.ADMIN_REFRESH)
    text = str(users.get_json()["response"][ids.ADMIN_USERS])
    assert "Line 2 – Area A" in text and "Whole site" in text


def test_huddle_user_sets_a_home_scope(plant: Plant, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = plant.services.settings
    base = ["--data-dir", str(settings.data_dir), "--plant", str(settings.plant_path), "--now", "2026-11-20T10:00"]
    if settings.database_url:
        base += ["--database-url", settings.database_url]
    monkeypatch.setattr("sys.stdin", io.StringIO("operator-password-1\n"))
    assert main(["user", "add", "olga", "--role", "operator", "--scope", "L1", "--password-stdin", *base]) == 0
    assert "added olga as operator of L1" in capsys.readouterr().out
    assert main(["user", "set", "olga", "--role", "viewer", "--scope", "site", *base]) == 0
    assert (_user(plant, "olga").role, _user(plant, "olga").scope) == ("viewer", None)
    assert main(["user", "set", "olga", "--role", "operator", "--scope", "a", *base]) == 0
    assert (_user(plant, "olga").role, _user(plant, "olga").scope) == ("operator", "a")
    assert main(["user", "set", "olga", "--scope", "site", *base]) == 1
    assert "an operator enters data for their own line" in capsys.readouterr().out
    assert main(["user", "list", *base]) == 0
    assert any(line.split()[:3] == ["olga", "operator", "a"] for line in capsys.readouterr().out.splitlines())


def test_the_demo_has_an_operator_of_line_1_and_a_leader_of_filling(demo_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = demo_people(demo_services, tmp_path)
    assert [line.split(" ", 2)[::2] for line in lines] == [["olga.novak", "operator of Line 1 – Filling"],
                                                            ["tom.becker", "editor of Filling"]]
    users = {u.username: (u.role, u.scope, u.display_name) for u in demo_services.accounts.users()}
    assert users["olga.novak"] == ("operator", "L1", "Olga Novak")
    assert users["tom.becker"] == ("editor", "filling", "Tom Becker")
    assert demo_people(demo_services, tmp_path) == lines  # once: the file keeps them, nobody is added twice
    assert (tmp_path / "demo-people.txt").stat().st_mode & 0o777 == 0o600
