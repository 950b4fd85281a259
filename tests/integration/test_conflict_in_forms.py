"""A save refused because someone else saved first, as the forms show it: the callbacks called over HTTP as Dash's
renderer calls them (through the real sign-in and origin checks), on each backend.

The message names who saved and when and shows their version; the form keeps what the person typed (no output of
the callback empties it) and, where it holds the version it was read at, moves on to theirs, so saving again puts
the person's text over theirs knowingly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

from tests.conftest import SMALL_PLANT

ORIGIN = {"Origin": "http://localhost"}
PASSWORD = "Tall-ladder-93-quiet"
BEN = Identity("user", "ben", "editor")
PAGE_SITE = "page-site"  # the store a page keeps its site in (sent as the site the write is for, where wired)
IDEAS = """  - {key: ideas, name: Improvement ideas, formula: direct, unit: ideas, aggregation: sum, category: M,
     direction: higher, target: 5, owner: A}
"""


@pytest.fixture
def served(make_services, database_url: str, tmp_path) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    """The app over the small plant (with a KPI entered by hand); Anna Weber and Ben Okafor may edit."""
    plant = tmp_path / "plant-ideas.yaml"
    plant.write_text(SMALL_PLANT.replace("trees:", IDEAS + "trees:", 1), encoding="utf-8")
    services = make_services(database_url, plant=plant, anonymous_access="off")
    services.accounts.add_user("cli", "anna", PASSWORD, "editor", "Anna Weber")
    services.accounts.add_user("cli", "ben", PASSWORD, "editor", "Ben Okafor")
    return create_app(services.settings, services=services), services


def signed_in(app: Any, who: str) -> FlaskClient:
    """A test client with a user's session."""
    client = app.server.test_client()
    answer = client.post("/login", data={"username": who, "password": PASSWORD}, headers=ORIGIN)
    assert answer.status_code == 302, answer.text
    return client


def press(app: Any, client: FlaskClient, button: str, values: dict[str, Any], page: str, prop: str = "n_clicks",
          output: str = "") -> dict[str, Any]:
    """Press a button (or tick a timer: ``prop``) as the renderer does from the page at ``page``, for the callback
    with ``output`` among its outputs when several listen: the callback's answer by component id."""
    (key, spec), = [(k, s) for k, s in app.callback_map.items() if output in k
                    and any(i["id"] == button and i["property"] == prop for i in s["inputs"])]
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    outputs = [dict(zip(("id", "property"), p.split("@")[0].rsplit(".", 1), strict=True)) for p in parts]

    def filled(deps: list[dict[str, str]]) -> list[Any]:
        # A wildcard (ALL) dependency arrives as the list of the components it matches: none drawn here.
        return [[] if d["id"].startswith("{") else
                d | {"value": values.get(d["id"], 1 if d["property"] == "n_clicks" else None)} for d in deps]

    body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": filled(spec["inputs"]),
            "state": filled(spec["state"]), "changedPropIds": [f"{button}.{prop}"]}
    answer = client.post("/_dash-update-component", json=body,
                         headers=ORIGIN | {"Referer": f"http://localhost{page}"})
    assert answer.status_code == 200, answer.text
    return answer.get_json()["response"]


def text_of(children: Any) -> str:
    """A message's text, whether a string or components."""
    if isinstance(children, list):
        return " ".join(text_of(c) for c in children)
    if isinstance(children, dict):
        return text_of(children.get("props", {}).get("children"))
    return "" if children is None else str(children)


def test_a_stale_action_form_names_who_saved_and_keeps_the_typed_result(served) -> None:  # type: ignore[no-untyped-def]
    app, services = served
    action = services.actions.raise_action(BEN, "L1", "Clean the capper", "Tom", date(2026, 11, 27))
    # Anna opened the form at version 1; Ben moves the action on first
    services.actions.change(BEN, action.id, 1, status="in_progress", result="new belt ordered")
    typed = "Anna's typed result: capper cleaned and checked"
    values = {ids.ACTION_PICK: f"{action.id}:1", ids.ACTION_STATUS: "done", ids.ACTION_RESULT: typed,
              ids.ACTION_CHANGED: 3, PAGE_SITE: "ex"}
    answer = press(app, signed_in(app, "anna"), ids.ACTION_SAVE, values, "/board?site=ex&scope=L1")
    said = text_of(answer[ids.ACTION_MESSAGE]["children"])
    assert said.startswith("Not saved: Ben Okafor changed this action at 21:00 — here is their version: what "
                           "“Clean the capper”; owner Tom; due Fri 27 Nov; status in progress; result “new belt "
                           "ordered”."), said
    assert said.endswith("look at theirs, then pick the action again and save to put yours over it.")
    assert ids.ACTION_RESULT not in answer  # what Anna typed stays in the form
    assert answer[ids.ACTION_CHANGED]["data"] == 4  # the board and the picker redraw with Ben's version
    now = services.actions.listing("L1")[0]
    assert (now.status, now.result, now.version) == ("in_progress", "new belt ordered", 2)
    # picked again at Ben's version, Anna's text goes over his
    again = press(app, signed_in(app, "anna"), ids.ACTION_SAVE, values | {ids.ACTION_PICK: f"{action.id}:2"},
                  "/board?site=ex&scope=L1")
    assert text_of(again[ids.ACTION_MESSAGE]["children"]) == f"Action {action.id} is now done"
    assert services.actions.listing("L1", open_only=False)[0].result == typed


def test_a_stale_objective_form_names_who_saved_and_moves_to_their_version(served) -> None:  # type: ignore[no-untyped-def]
    app, services = served
    objective = services.okr_plans.save_objective(BEN, "2026-Q4", "L1", "Line 1 runs like spring", "Tom")
    services.okr_plans.save_objective(BEN, "2026-Q4", "L1", "Line 1 at world class", "Tom", objective_id=objective,
                                      version=1)
    values = {ids.OKR_OBJ_PICK: objective, ids.OKR_OBJ_SCOPE: "L1", ids.OKR_OBJ_TITLE: "Anna's own title",
              ids.OKR_OBJ_OWNER: "Tom", ids.OKR_OBJ_VERSION: 1, ids.OKR_VIEW: {"quarter": "2026-Q4"},
              ids.OKR_CHANGED: 0, PAGE_SITE: "ex"}
    client = signed_in(app, "anna")
    answer = press(app, client, ids.OKR_OBJ_SAVE, values, "/okr?site=ex&quarter=2026-Q4")
    said = text_of(answer[ids.OKR_OBJ_MESSAGE]["children"])
    assert "Ben Okafor changed this objective at 21:00 — here is their version: title “Line 1 at world class”" \
        in said, said
    assert ids.OKR_OBJ_TITLE not in answer  # Anna's title stays in the form
    assert answer[ids.OKR_OBJ_VERSION]["data"] == 2  # the form now knows Ben's version
    assert services.okrs.quarter("2026-Q4").objectives[0].title == "Line 1 at world class"
    again = press(app, client, ids.OKR_OBJ_SAVE, values | {ids.OKR_OBJ_VERSION: 2}, "/okr?site=ex&quarter=2026-Q4")
    assert text_of(again[ids.OKR_OBJ_MESSAGE]["children"]).startswith("Saved objective: ")
    assert services.okrs.quarter("2026-Q4").objectives[0].title == "Anna's own title"


def test_a_value_entered_over_anothers_names_whose_it_replaced(served) -> None:  # type: ignore[no-untyped-def]
    app, services = served
    services.manual.set(BEN, "ideas", "L1", "2026-11-19", "", 5)
    values = {ids.MANUAL_KPI: "ideas", ids.MANUAL_LOCATION: "L1", ids.MANUAL_DATE: "2026-11-19",
              ids.MANUAL_SHIFT: None, ids.MANUAL_VALUE: 7, PAGE_SITE: "ex"}
    answer = press(app, signed_in(app, "anna"), ids.MANUAL_SAVE, values, "/data?site=ex")
    assert text_of(answer[ids.MANUAL_MESSAGE]["children"]) == (
        "Stored 7 for Improvement ideas, Line 1 – Area A, 19 Nov (was 5, entered by Ben Okafor at 21:00).")


def users_shown(app: Any, client: FlaskClient) -> dict[str, Any]:
    """Each user's role and state as the Admin page's table shows them at its next refresh."""
    answer = press(app, client, ids.ADMIN_REFRESH, {}, "/admin?site=ex", "n_intervals", ids.ADMIN_USERS_SHOWN)
    return answer[ids.ADMIN_USERS_SHOWN]["data"]


def test_a_role_changed_by_another_admin_since_the_table_showed_it_is_not_overwritten(served) -> None:  # type: ignore[no-untyped-def]
    app, services = served
    services.accounts.add_user("cli", "tom", PASSWORD, "viewer", "Tom Brandt")
    for name in ("anna", "ben"):
        services.accounts.set_role("cli", name, "admin")
    client = signed_in(app, "anna")
    table = users_shown(app, client)  # what Anna's table shows
    assert table["tom"] == {"role": "viewer", "disabled": False}
    services.accounts.set_role(BEN, "tom", "editor", seen="viewer")  # Ben, from his own table, first
    values = {ids.ADMIN_USER: "tom", ids.ADMIN_ROLE: "admin", ids.ADMIN_USERS_SHOWN: table, PAGE_SITE: "ex"}
    answer = press(app, client, ids.ADMIN_ROLE_BUTTON, values, "/admin?site=ex")
    assert text_of(answer[ids.ADMIN_ROLE_MESSAGE]["children"]) == (
        "Ben Okafor changed Tom Brandt's account at 21:00 — here is their version: role editor; state active. "
        "Nothing was overwritten and your entry is still in the form: look at theirs, then press the button again "
        "to put yours over it.")
    assert answer[ids.ADMIN_CHANGED]["data"]  # the table redraws with Ben's version
    assert next(u.role for u in services.accounts.users() if u.username == "tom") == "editor"
    # pressed again from the table as it now is: Anna's choice is stored
    again = press(app, client, ids.ADMIN_ROLE_BUTTON, values | {ids.ADMIN_USERS_SHOWN: users_shown(app, client)},
                  "/admin?site=ex")
    assert text_of(again[ids.ADMIN_ROLE_MESSAGE]["children"]) == "Tom Brandt is now admin."
    assert next(u.role for u in services.accounts.users() if u.username == "tom") == "admin"
