"""A failing part says so, in place: a callback that raises shows a short message where it would have drawn (and is
logged with its request), malformed callback requests get a 400, dates outside what Huddle can show get a clear
answer on pages and in the API, and an address that is not a page answers 404."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from dash import Input
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import BoardAddress
from huddle.dashboard.web.errors import PAGE_PART_FAILED, short_reason
from sqlalchemy.exc import OperationalError

ORIGIN = {"Origin": "http://localhost", "Referer": "http://localhost/board?scope=L1&date=2026-11-20&shift=E"}
UPDATE = "/_dash-update-component"
NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def board_refresh(view: dict[str, Any]) -> dict[str, Any]:
    """The board's refresh callback as the browser sends it: the body (children) and a store."""
    return {
        "output": "..board-body.children...board-key.data..",
        "outputs": [{"id": "board-body", "property": "children"}, {"id": "board-key", "property": "data"}],
        "inputs": [{"id": "board-refresh", "property": "n_intervals", "value": 3},
                   {"id": "board-cycle", "property": "n_intervals", "value": None},
                   {"id": "board-view", "property": "data", "value": view},
                   {"id": "action-changed", "property": "data", "value": 0}],
        "state": [{"id": "board-key", "property": "data", "value": None}],
        "changedPropIds": ["board-refresh.n_intervals"],
    }


def action_options(view: dict[str, Any]) -> dict[str, Any]:
    """The board's action pickers: a callback whose outputs are dropdown options only (no panel of its own)."""
    return {
        "output": "..action-pick.options...action-kpi.options..",
        "outputs": [{"id": "action-pick", "property": "options"}, {"id": "action-kpi", "property": "options"}],
        "inputs": [{"id": "board-key", "property": "data", "value": "k"}],
        "state": [{"id": "board-view", "property": "data", "value": view}],
        "changedPropIds": ["board-key.data"],
    }


def overview_refresh() -> dict[str, Any]:
    """The overview's refresh: its table's pane (the HTML in a store), title, freshness and layer chip."""
    names = [("overview-table-html", "data"), ("overview-title", "children"), ("overview-freshness", "children"),
             ("overview-filter", "children")]
    return {
        "output": "." + "".join(f".{i}.{p}.." for i, p in names),
        "outputs": [{"id": i, "property": p} for i, p in names],
        "inputs": [{"id": "overview-view", "property": "data", "value": {}},
                   {"id": "overview-refresh", "property": "n_intervals", "value": 2}],
        "changedPropIds": ["overview-refresh.n_intervals"],
    }


def review_show(month: str) -> dict[str, Any]:
    """The review's body callback for an address's month."""
    return {
        "output": "..review-body.children...review-exports.children..",
        "outputs": [{"id": "review-body", "property": "children"}, {"id": "review-exports", "property": "children"}],
        "inputs": [{"id": "review-view", "property": "data", "value": {"scope": "", "month": month}}],
        "changedPropIds": ["review-view.data"],
    }


def texts(component: Any) -> str:
    """Every text inside a component tree as the browser would show it, joined."""
    if isinstance(component, str):
        return component
    if isinstance(component, list):
        return " ".join(texts(c) for c in component)
    if isinstance(component, dict):
        return texts(component.get("props", {}).get("children")) if "props" in component else ""
    return ""


@pytest.fixture
def services(make_services):  # type: ignore[no-untyped-def]
    """The small plant, anyone may read (the shared app fixture serves it)."""
    return make_services(None, now=NOW)


def test_a_failing_panel_says_so_in_its_place_and_the_error_is_logged(services, app, monkeypatch,  # type: ignore[no-untyped-def]
                                                                      caplog) -> None:
    def unavailable() -> tuple[int, Any]:
        raise RuntimeError("the plant database is being restarted")

    monkeypatch.setattr(services.data_status, "version_and_liveness", unavailable)  # the refresh's first read
    client = app.server.test_client()
    with caplog.at_level(logging.ERROR, logger="huddle"):
        answer = client.post(UPDATE, json=board_refresh(BoardAddress.from_query({"scope": "L1"}).as_view()),
                             headers=ORIGIN)
    assert answer.status_code == 200
    response = answer.get_json()["response"]
    shown = texts(response["board-body"]["children"])
    assert shown == ("This part could not be drawn: the plant database is being restarted — "
                     "the rest of the page is current")
    assert response["board-body"]["children"]["props"]["role"] == "alert"
    assert "board-key" not in response  # a store cannot hold a message: it keeps what it had
    [record] = [r for r in caplog.records if r.name == "huddle" and r.levelno == logging.ERROR]
    logged = record.getMessage()
    assert "board-body.children" in logged and "board-key.data" in logged  # the outputs
    assert "board-view.data=" in logged and '"scope": "L1"' in logged  # the inputs with their values
    assert "/_dash-update-component" in logged and "/board?scope=L1" in logged  # the request and its page
    assert record.exc_info is not None and "unavailable" in caplog.text  # the traceback, down to the failing line


def test_a_callback_drawing_several_panels_gives_the_reason_once(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def fails(*_args: Any) -> Any:
        raise ValueError("the bowler could not be computed")

    monkeypatch.setattr("huddle.callbacks.review.build_review", fails)
    answer = app.server.test_client().post(UPDATE, json=review_show("2026-10"), headers=ORIGIN)
    response = answer.get_json()["response"]
    assert texts(response["review-body"]["children"]) == (
        "This part could not be drawn: the bowler could not be computed — the rest of the page is current")
    assert texts(response["review-exports"]["children"]) == "This part could not be drawn."


def test_a_failing_pane_of_html_says_so_in_its_place(services, app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def fails(*_args: Any) -> Any:
        raise ValueError("the readings could not be judged")

    monkeypatch.setattr(services.readings, "own_periods_by_scope", fails)
    answer = app.server.test_client().post(UPDATE, json=overview_refresh(), headers=ORIGIN)
    response = answer.get_json()["response"]
    assert response["overview-table-html"]["data"] == (
        '<div class="part-error" role="alert">This part could not be drawn: the readings could not be judged — '
        "the rest of the page is current</div>")
    assert texts(response["overview-title"]["children"]) == "This part could not be drawn."


def test_a_failing_part_without_a_panel_says_so_in_the_pages_message_area(services, app, monkeypatch,  # type: ignore[no-untyped-def]
                                                                          caplog) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> list[Any]:
        raise OperationalError("SELECT secret_column FROM actions", {}, Exception("connection refused"))

    monkeypatch.setattr(services.actions, "listing", broken)
    with caplog.at_level(logging.ERROR, logger="huddle"):
        answer = app.server.test_client().post(
            UPDATE, json=action_options(BoardAddress.from_query({"scope": "L1"}).as_view()), headers=ORIGIN)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["response"] == {}  # the dropdowns keep their options
    message = texts(body["sideUpdate"][ids.PAGE_MESSAGE]["children"])
    assert message == PAGE_PART_FAILED.format(reason="the database did not answer as expected (the error is logged)")
    assert "SELECT" not in answer.get_data(as_text=True)  # no statement, no Python representation reaches the page
    assert "action-pick.options" in caplog.text and "OperationalError" in caplog.text


def test_a_failing_callback_without_outputs_is_logged_and_shown_on_the_page(app, caplog) -> None:  # type: ignore[no-untyped-def]
    def fails(_path: str) -> None:
        raise ValueError("the address could not be read")

    before = set(app.callback_map)
    app.callback(Input(ids.URL, "hash"))(fails)
    callback_id = next(k for k, v in app.callback_map.items() if v.get("no_output") and k not in before)
    body = {"output": callback_id, "outputs": [], "inputs": [{"id": ids.URL, "property": "hash", "value": "#x"}],
            "changedPropIds": [f"{ids.URL}.hash"]}
    with caplog.at_level(logging.ERROR, logger="huddle"):
        answer = app.server.test_client().post(UPDATE, json=body, headers=ORIGIN)
    assert answer.status_code == 200
    assert "the address could not be read" in texts(answer.get_json()["sideUpdate"][ids.PAGE_MESSAGE]["children"])
    assert "url.hash=" in caplog.text and "ValueError" in caplog.text


def test_secrets_in_a_failing_request_are_not_written_to_the_log(app, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def fails(_clicks: int, _password: str) -> str:
        raise ValueError("no")

    from dash import Output, State

    app.callback(Output(ids.PAGE_MESSAGE, "title"), Input(ids.URL, "hash"), State("new-password", "value"))(fails)
    body = {"output": f"{ids.PAGE_MESSAGE}.title", "outputs": {"id": ids.PAGE_MESSAGE, "property": "title"},
            "inputs": [{"id": ids.URL, "property": "hash", "value": "#x"}],
            "state": [{"id": "new-password", "property": "value", "value": "hunter2-secret"}]}
    with caplog.at_level(logging.ERROR, logger="huddle"):
        app.server.test_client().post(UPDATE, json=body, headers=ORIGIN)
    assert "new-password.value=(not logged)" in caplog.text and "hunter2" not in caplog.text


def test_short_reasons_are_words_for_people() -> None:
    assert short_reason(ValueError("month 2026-13: month must be in 1..12")) == "month 2026-13: month must be in 1..12"
    assert short_reason(KeyError("oee")) == "an unexpected error on the server (it is logged)"  # no "'oee'"
    assert short_reason(RuntimeError("x" * 500)).endswith("…") and len(short_reason(RuntimeError("x" * 500))) <= 160
    assert short_reason(OperationalError("SELECT 1", {}, Exception("down"))).startswith("the database")


@pytest.mark.parametrize("body, reason", [
    (b"{not json", "the body is not valid JSON"),
    (b"[1, 2]", "the body must be a JSON object"),
    (b"{}", "'output' is missing"),
    (json.dumps({"output": 5, "inputs": []}).encode(), "'output' is missing or not text"),
    (json.dumps({"output": "nope.children", "inputs": []}).encode(), "'output' names no callback"),
    (json.dumps({"output": "..board-body.children...board-key.data.."}).encode(), "'inputs' is missing"),
    (json.dumps({"output": "..board-body.children...board-key.data..", "inputs": "x"}).encode(),
     "'inputs' must be a list"),
    (json.dumps({"output": "..board-body.children...board-key.data..", "inputs": [1, 2, 3, 4]}).encode(),
     "'inputs' must be a list"),
    (json.dumps({"output": "..board-body.children...board-key.data..",
                 "inputs": [{"id": "board-view", "property": "data"}]}).encode(), "'inputs' has 1 entries"),
    (json.dumps({**board_refresh({}), "changedPropIds": [["x"]]}).encode(), "'changedPropIds' must be a list"),
    (json.dumps({**board_refresh({}), "outputs": {"id": "board-body", "property": "children"}}).encode(),
     "'outputs' must list this callback's 2 outputs"),
    (json.dumps({**board_refresh({}), "outputs": [{"id": "nav", "property": "children"},
                                                   {"id": "board-key", "property": "data"}]}).encode(),
     "'outputs' do not match"),
])
def test_malformed_callback_requests_get_a_400_with_the_reason(app, body: bytes, reason: str) -> None:  # type: ignore[no-untyped-def]
    answer = app.server.test_client().post(UPDATE, data=body, content_type="application/json", headers=ORIGIN)
    assert answer.status_code == 400
    assert reason in answer.get_json()["error"]


def test_a_callback_request_that_is_not_json_gets_a_400(app) -> None:  # type: ignore[no-untyped-def]
    answer = app.server.test_client().post(UPDATE, data=json.dumps(board_refresh({})), content_type="text/plain",
                                           headers=ORIGIN)
    assert answer.status_code == 400 and "application/json" in answer.get_json()["error"]


def test_a_well_formed_callback_request_still_works(app) -> None:  # type: ignore[no-untyped-def]
    answer = app.server.test_client().post(
        UPDATE, json=board_refresh(BoardAddress.from_query({"scope": "L1"}).as_view()), headers=ORIGIN)
    assert answer.status_code == 200 and "board-key" in answer.get_json()["response"]


def test_a_board_address_outside_the_calendar_says_there_is_no_such_date(app) -> None:  # type: ignore[no-untyped-def]
    view = BoardAddress.from_query({"date": "9999-12-31", "shift": "N"}).as_view()
    answer = app.server.test_client().post(UPDATE, json=board_refresh(view), headers=ORIGIN)
    assert answer.status_code == 200
    shown = texts(answer.get_json()["response"]["board-body"]["children"])
    assert "This board cannot be shown" in shown and "no such date" in shown
    assert "9999-12-31 is outside the dates Huddle can show (1900-01-01 to 9998-12-31)" in shown


@pytest.mark.parametrize("month, words", [
    ("0001-01", "There is no such month to review: 0001-01 is outside the dates Huddle can show"),
    ("9999-12", "There is no such month to review: 9999-12 is outside the dates Huddle can show"),
    ("2026-13", "is not a month like 2026-10"),
])
def test_a_review_address_outside_the_calendar_says_there_is_no_such_month(app, month: str,  # type: ignore[no-untyped-def]
                                                                           words: str) -> None:
    answer = app.server.test_client().post(UPDATE, json=review_show(month), headers=ORIGIN)
    assert answer.status_code == 200
    shown = texts(answer.get_json()["response"]["review-body"]["children"])
    assert "This review cannot be shown" in shown and words in shown


@pytest.mark.parametrize("path", ["/nope", "/board/nope", "/404", "/api-docs"])
def test_an_address_that_is_not_a_page_answers_404_with_the_app_shell(app, path: str) -> None:  # type: ignore[no-untyped-def]
    answer = app.server.test_client().get(path)
    assert answer.status_code == 404
    assert answer.mimetype == "text/html" and "_dash-renderer" in answer.get_data(as_text=True)  # the app's shell


@pytest.mark.parametrize("path", ["/", "/board", "/board/", "/tree?tree=oee", "/review", "/okr", "/data",
                                  "/admin", "/login"])
def test_the_pages_answer_200(app, path: str) -> None:  # type: ignore[no-untyped-def]
    assert app.server.test_client().get(path).status_code == 200


def test_an_unknown_api_address_answers_json_404(app) -> None:  # type: ignore[no-untyped-def]
    answer = app.server.test_client().get("/api/v1/nope")
    assert answer.status_code == 404 and answer.get_json() == {"error": "no such API address: /api/v1/nope"}

