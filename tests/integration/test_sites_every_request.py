"""The site travels with every request when several sites are served: a page opened without its site is sent to its
address with it, the links a page writes keep it, and a write whose page's site is not the site the request reached
is refused with nothing stored, whatever the cookie every tab shares says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.sites import build_sites, site_schema
from sqlalchemy import create_engine, text

from tests.conftest import SMALL_PLANT
from tests.integration.test_admin_callbacks import message, payload

NOW = datetime(2026, 11, 20, 13, 30, tzinfo=UTC)  # Berlin 14:30 (early shift ended), Chicago 07:30 (night shift)
ORIGIN = {"Origin": "http://localhost"}
PASSWORDS = {"ed": "editor-password-1", "vic": "viewer-password-1"}
ADD_ACTION = f"{ids.ACTION_MESSAGE}.children"
LAKE_NIGHT = {"scope": "L1", "date": "2026-11-19", "shift": "N"}


@pytest.fixture
def served(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """'ex' (Example Plant, Berlin) and 'lake' (Lakeside Plant, Chicago) served by one app; an editor and a viewer."""
    ex, lake = tmp_path / "ex.yaml", tmp_path / "lake.yaml"
    ex.write_text(SMALL_PLANT, encoding="utf-8")
    lake.write_text(SMALL_PLANT.replace("{key: ex, name: Example Plant, timezone: Europe/Berlin}",
                                        "{key: lake, name: Lakeside Plant, timezone: America/Chicago}"),
                    encoding="utf-8")
    url = None if database_url.startswith("sqlite") else database_url
    settings = Settings(data_dir=tmp_path, database_url=url, sites=(ex, lake), anonymous_access="off")
    built = build_sites(settings, clock=lambda: NOW)
    for name, role in (("ed", "editor"), ("vic", "viewer")):
        built.home.accounts.add_user("cli", name, PASSWORDS[name], role)
    yield create_app(settings, sites=built), built
    built.dispose()
    if url:
        admin = create_engine(url)
        with admin.begin() as conn:
            for key in ("ex", "lake"):
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{site_schema(url, key)}" CASCADE'))
        admin.dispose()


def signed_in(app: Any, who: str) -> FlaskClient:
    """A client signed in as ``who``."""
    client = app.server.test_client()
    answer = client.post("/login", data={"username": who, "password": PASSWORDS[who]}, headers=ORIGIN)
    assert answer.status_code == 302, answer.text
    return client


def first_output(app: Any, output: str, trigger: str) -> str:
    """The first output of the one callback that writes ``output`` (``id.property``) when ``trigger`` changes, as it
    may share the output with others (``allow_duplicate`` names it ``id.property@hash``)."""
    keys = {k.lstrip(".").split("...")[0]: k for k in app.callback_map}
    named = [f for f in keys if f == output] or [f for f in keys if f.startswith(f"{output}@")]
    fired = [f for f in named if any(d["id"] == trigger for d in app.callback_map[keys[f]]["inputs"])]
    assert len(fired) == 1, named
    return fired[0]


def post(app: Any, client: FlaskClient, output: str, values: dict[str, Any], trigger: str, page: str) -> Any:
    """POST the callback whose first output is ``output`` as the browser does from the page at address ``page`` (its
    Referer)."""
    body = payload(app, first_output(app, output, trigger), values, trigger)
    return client.post("/_dash-update-component", json=body, headers=ORIGIN | {"Referer": f"http://localhost{page}"})


def raise_action(app: Any, client: FlaskClient, page_site: Any, page: str, what: str = "Fix the filler") -> str:
    """Press the board's add-action button on a page drawn for ``page_site``; the message shown."""
    values = {ids.ACTION_WHAT: what, ids.ACTION_OWNER: "Tom Becker", ids.ACTION_DUE: "2026-11-23",
              ids.ACTION_KPI: "oee", ids.BOARD_VIEW: LAKE_NIGHT, ids.ACTION_CHANGED: 0, ids.PAGE_SITE: page_site}
    return message(post(app, client, ADD_ACTION, values, ids.ACTION_ADD, page), ids.ACTION_MESSAGE)


def actions(built: Any, key: str) -> list[str]:
    """What every action of a site's line 1 says, open or closed."""
    return [a.what for a in built.by_key[key].actions.listing("L1", open_only=False)]


def test_a_page_opened_without_its_site_is_sent_to_its_address_with_it(served) -> None:  # type: ignore[no-untyped-def]
    app, _built = served
    client = signed_in(app, "ed")
    first = client.get("/board?scope=L1")
    assert first.status_code == 302 and first.headers["Location"] == "/board?site=ex&scope=L1"  # the home site
    assert client.get("/tree?site=lake&scope=L2").status_code == 200  # chosen: the cookie remembers lake
    assert client.get("/review").headers["Location"] == "/review?site=lake"
    # from a page of another site, its Referer decides before the cookie
    assert client.get("/okr", headers={"Referer": "http://localhost/board?site=ex"}).headers[
               "Location"] == "/okr?site=ex"
    # only pages: the API, the callbacks and the sign-in page keep their addresses
    assert client.get("/api/v1/kpis").status_code == 200
    assert app.server.test_client().get("/login").status_code == 200


def test_the_navigation_and_the_links_a_page_writes_keep_its_site(served) -> None:  # type: ignore[no-untyped-def]
    app, _built = served
    client = signed_in(app, "ed")
    client.get("/board?site=ex")  # the cookie says ex: only the address may bring the lake pages to lake
    shell = client.get("/_dash-layout", headers={"Referer": "http://localhost/board?site=lake&scope=L1"}).get_json()
    links = re.findall(r"'href': '([^']*)'", str(shell))
    assert len(links) >= 6 and all(h.endswith("?site=lake") for h in links), links
    assert {"/board?site=lake", "/tree?site=lake", "/portfolio?site=lake"} <= set(links)
    assert "'id': 'page-site'" in str(shell) and "'data': 'lake'" in str(shell)
    # the board's scope picker and its TV link, drawn for a lake page
    page = "/board?site=lake&scope=L1"
    choose = post(app, client, f"{ids.URL}.search", {ids.BOARD_SCOPE: "L2", ids.BOARD_MODE: "shift",
                                                     ids.BOARD_VIEW: {"scope": "L1"}}, ids.BOARD_SCOPE, page)
    assert choose.status_code == 200, choose.text
    assert choose.get_json()["response"][ids.URL]["search"] == "?site=lake&scope=L2"
    kiosk = post(app, client, "board-kiosk-link.href", {ids.BOARD_VIEW: {"scope": "L1"}}, ids.BOARD_VIEW, page)
    assert kiosk.get_json()["response"]["board-kiosk-link"]["href"] == "/board?site=lake&scope=L1&kiosk=1"


def test_a_write_whose_site_is_not_the_requests_is_refused_and_stores_nothing(served) -> None:  # type: ignore[no-untyped-def]
    app, built = served
    editor = signed_in(app, "ed")
    editor.get("/board?site=ex")  # the cookie every tab shares says ex
    # a lake page's write that reached ex (no site in its page address, so the cookie decided): refused
    said = raise_action(app, editor, "lake", "/board")
    assert said == ("Not saved: this page shows Lakeside Plant, but the request reached Example Plant, so nothing "
                    "was stored: reload the page and save again")
    assert raise_action(app, editor, None, "/board?site=lake").startswith(
        "Not saved: the page did not say which site it shows, so nothing was stored")
    assert raise_action(app, editor, "nowhere", "/board?site=lake").startswith(
        "Not saved: the page names a site not served here")
    assert raise_action(app, editor, ["lake"], "/board?site=lake").startswith("Not saved: the page names a site")
    assert actions(built, "ex") == [] and actions(built, "lake") == []
    # the same write from the lake page's address: stored for lake, whatever the cookie says
    assert raise_action(app, editor, "lake", "/board?site=lake").startswith("Saved action 1: Fix the filler")
    assert actions(built, "lake") == ["Fix the filler"] and actions(built, "ex") == []
    # moving lake's action 1 on from a page of ex would change ex's action 1: refused, lake's unchanged
    values = {ids.ACTION_PICK: "1:1", ids.ACTION_STATUS: "done", ids.ACTION_RESULT: "fixed",
              ids.ACTION_CHANGED: 1, ids.PAGE_SITE: "lake"}
    key = next(k for k in app.callback_map if k.startswith(f"..{ids.ACTION_MESSAGE}.children@"))
    moved = post(app, editor, key[2:].split("...")[0], values, ids.ACTION_SAVE, "/board?site=ex&scope=L1")
    assert "this page shows Lakeside Plant, but the request reached Example Plant" in str(moved.get_json())
    assert built.by_key["lake"].actions.listing("L1")[0].status != "done"
    # rights are checked in the site written: a viewer on the right site is refused by role, nothing stored
    viewer = signed_in(app, "vic")
    assert "needs the editor role" in raise_action(app, viewer, "lake", "/board?site=lake", "Viewer's fix")
    # a value entered by hand on a lake page that reached ex: refused, neither site stores it
    manual = {ids.MANUAL_KPI: "ideas", ids.MANUAL_LOCATION: "L1", ids.MANUAL_DATE: "2026-11-19",
              ids.MANUAL_SHIFT: None, ids.MANUAL_VALUE: 7, ids.PAGE_SITE: "lake"}
    stored = post(app, editor, f"{ids.MANUAL_MESSAGE}.children", manual, ids.MANUAL_SAVE, "/data?site=ex")
    assert message(stored, ids.MANUAL_MESSAGE).startswith("Not stored: this page shows Lakeside Plant")
    assert actions(built, "lake") == ["Fix the filler"] and actions(built, "ex") == []
