"""The OKR check-in rows over HTTP as the browser uses them: the rows arrive as escaped HTML, a row's entries are
sent through one store (assets/okr.js) and its answer comes back through another, through the real security layer;
what no row of the page would send is refused without a trace."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from huddle.dashboard.services.accounts import Identity
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.html_pane import store_id

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # Friday of 2026-W47
ORIGIN = {"Origin": "http://localhost"}
PASSWORD = "editor-password-1"
EDITOR = Identity("user", "eddie", "editor")
TITLE = '<img src=x onerror="alert(1)"> jams'


class _Page(HTMLParser):
    """The tags, text and check-in rows (their data-kr and data-seen) of some HTML."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.rows: list[dict[str, str | None]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if "okr-ci-row" in (found.get("class") or "").split():
            self.rows.append(found)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def plant(make_services: Any, database_url: str) -> tuple[Any, FlaskClient, int]:
    """An editor signed in, and a key result typed by hand with a hostile title (its id)."""
    services = make_services(database_url, now=NOW, anonymous_access="off")
    services.accounts.add_user("cli", "eddie", PASSWORD, "editor", display_name="Eddie Ng")
    objective = services.okr_plans.save_objective(EDITOR, "2026-Q4", "L1", "Fewer jams", "Tom")
    kr = services.okr_plans.save_key_result(EDITOR, objective, title=TITLE, kind="decrease", start=12, target=4,
                                            unit="jams", owner="Tom")
    app = create_app(services.settings, services=services)
    client = app.server.test_client()
    client.callbacks = app.callback_map  # type: ignore[attr-defined]
    assert client.post("/login", data={"username": "eddie", "password": PASSWORD}, headers=ORIGIN).status_code == 302
    return services, client, kr


def post(client: FlaskClient, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]],
         state: list[tuple[str, str, Any]] = ()) -> Any:  # type: ignore[assignment]
    """A callback posted as Dash's renderer posts it (its first input changed): the answer. The callback is the
    app's whose outputs start with ``outputs[0]`` (an output another callback shares has a suffix in its name)."""
    def props(found: Any) -> list[dict[str, Any]]:
        return [{"id": i, "property": p, "value": v} for i, p, v in found]
    first = "..{}.{}...".format(*outputs[0])
    name = next(key for key in client.callbacks if key.startswith(first))  # type: ignore[attr-defined]
    payload = {"output": name, "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
                                           for o in name.strip(".").split("...")], "inputs": props(inputs),
               "state": props(state), "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    return client.post("/_dash-update-component", json=payload, headers=ORIGIN)


def send(client: FlaskClient, entries: Any, site: str = "") -> Any:
    """A row's entries sent as assets/okr.js sends them: the answer's row, or the HTTP answer when there is none."""
    answer = post(client, [(ids.OKR_CI_RESULT, "data"), (ids.OKR_CHANGED, "data")],
                  [(ids.OKR_CI_SUBMIT, "data", entries)],
                  [(ids.OKR_CHECKIN_WEEK, "value", "2026-W47"), (ids.OKR_CHANGED, "data", 0),
                   (ids.PAGE_SITE, "data", site)])
    if answer.status_code != 200:
        return answer
    return answer.get_json()["response"][ids.OKR_CI_RESULT]["data"]


def words(html: str) -> str:
    return "".join(_Page(html).text)


def test_the_rows_arrive_as_html_with_the_names_as_text(plant: tuple[Any, FlaskClient, int]) -> None:
    _services, client, kr = plant
    answer = post(client, [(ids.OKR_CHECKIN_WEEK, "options"), (ids.OKR_CHECKIN_WEEK, "value"),
                           (store_id(ids.OKR_CHECKIN_ROWS), "data")], [(ids.OKR_VIEW, "data", {"quarter": "2026-Q4"})])
    assert answer.status_code == 200, answer.text
    page = _Page(answer.get_json()["response"][store_id(ids.OKR_CHECKIN_ROWS)]["data"])
    assert "img" not in page.tags and "script" not in page.tags
    assert TITLE in "".join(page.text)
    assert [(r["data-kr"], r["data-seen"]) for r in page.rows] == [(str(kr), "0")]
    assert page.tags.count("input") == 2 and page.tags.count("textarea") == 2  # value, confidence; moved, blocks


def test_a_row_saves_and_is_told_what_happened(plant: tuple[Any, FlaskClient, int]) -> None:
    services, client, kr = plant
    saved = send(client, {"kr": kr, "seen": 0, "value": 9, "confidence": 7, "moved": "<b>kanban</b>", "blocks": "",
                          "at": 1}, services.config.site_key)
    assert saved["kr"] == kr and saved["seen"] == 1
    assert words(saved["message"]).startswith("Saved Week 47 2026 check-in")
    assert "by Eddie Ng at" in words(saved["message"])  # the name people know, not the login
    (version,) = next(k for k in services.okrs.quarter("2026-Q4").key_results if k.id == kr).versions
    assert (version.value, version.confidence, version.moved) == (9.0, 7, "<b>kanban</b>")
    # the same row sent again as it was seen before: nothing is overwritten, and the row learns the count
    stale = send(client, {"kr": kr, "seen": 0, "value": 8, "confidence": 6, "at": 2}, services.config.site_key)
    assert stale["seen"] == 1 and words(stale["message"]).startswith("Not saved")
    assert "Nothing was overwritten" in words(stale["message"])
    # what is not a number is refused in words, not with an error
    typed = send(client, {"kr": kr, "seen": 1, "value": "9 jams", "confidence": 6, "at": 3}, services.config.site_key)
    assert words(typed["message"]) == "Not saved: the value “9 jams” is not a number" and typed["seen"] is None
    for value in (True, 1e400, [9]):  # what JSON can carry that is not a value either (1e400: infinity)
        refused = send(client, {"kr": kr, "seen": 1, "value": value, "confidence": 6, "at": 4},
                       services.config.site_key)
        assert words(refused["message"]).startswith("Not saved: the value"), value
    assert len(next(k for k in services.okrs.quarter("2026-Q4").key_results if k.id == kr).versions) == 1


@pytest.mark.parametrize("entries", [None, "kr", {"seen": 0}, {"kr": "1"}, {"kr": True}, [1, 2]])
def test_what_no_row_sends_changes_nothing(plant: tuple[Any, FlaskClient, int], entries: Any) -> None:
    services, client, kr = plant
    answer = send(client, entries, services.config.site_key)
    assert answer.status_code == 204  # nothing to update
    assert not next(k for k in services.okrs.quarter("2026-Q4").key_results if k.id == kr).versions
