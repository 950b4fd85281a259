"""The board's escalations called over HTTP as Dash calls them, through the real sign-in and Origin checks: a line's
leader escalates from the board, the area's supervisor accepts and answers, the line's board shows the answer until
its leader acknowledges it. Forged bodies (another identity, a tile that is not red, an action of no board, a made-up
or malformed escalation) are refused by the server and store nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import BoardAddress
from huddle.dashboard.web.app import create_app

ORIGIN = {"Origin": "http://localhost"}
PASSWORDS = {"tom": "tom-leader-password", "anna": "anna-supervisor-pw", "vic": "viewer-password-1",
             "pia": "pia-manager-password"}
LINE = BoardAddress.from_query({"scope": "L1", "date": "2026-11-20", "shift": "E"}).as_view()
AREA = BoardAddress.from_query({"scope": "a", "date": "2026-11-20", "shift": "E"}).as_view()


class Board:
    """The app over one database, with a line leader (tom), an area supervisor (anna) and a viewer (vic)."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self.app = create_app(services.settings, services=services)

    def client(self, who: str | None) -> FlaskClient:
        client = self.app.server.test_client()
        if who:
            answer = client.post("/login", data={"username": who, "password": PASSWORDS[who]}, headers=ORIGIN)
            assert answer.status_code == 302, answer.text
        return client

    def call(self, who: str | None, trigger: str, values: dict[str, Any], prop: str = "n_clicks") -> Any:
        """POST the callback ``trigger`` sets off, as the browser would, with ``values`` by component id."""
        [key] = [k for k, spec in self.app.callback_map.items()
                 if any(i["id"] == trigger and i["property"] == prop for i in spec["inputs"])]
        spec = self.app.callback_map[key]
        values = {ids.PAGE_SITE: self.services.config.site_key, **values}

        def filled(deps: list[dict[str, str]]) -> list[dict[str, Any]]:
            return [d | {"value": values.get(d["id"], 1 if d["property"] == "n_clicks" else None)} for d in deps]

        parts = key[2:-2].split("...") if key.startswith("..") else [key]
        outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
        body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": filled(spec["inputs"]),
                "state": filled(spec["state"]), "changedPropIds": [f"{trigger}.{prop}"]}
        answer = self.client(who).post("/_dash-update-component", json=body, headers=ORIGIN)
        return answer

    def said(self, who: str | None, trigger: str, values: dict[str, Any]) -> str:
        answer = self.call(who, trigger, values)
        assert answer.status_code == 200, answer.text
        return str(answer.get_json()["response"][ids.ESC_MESSAGE]["children"])

    def panel(self, who: str, view: dict[str, Any]) -> dict[str, Any]:
        answer = self.call(who, ids.ESC_CHANGED, {ids.BOARD_VIEW: view, ids.ESC_CHANGED: 1}, prop="data")
        assert answer.status_code == 200, answer.text
        return answer.get_json()["response"]


@pytest.fixture
def board(make_services, database_url: str) -> Board:  # type: ignore[no-untyped-def]
    services = make_services(database_url, anonymous_access="off")
    for name, role, scope in (("tom", "editor", "L1"), ("anna", "editor", "a"), ("vic", "viewer", None),
                              ("pia", "editor", None)):
        services.accounts.add_user("cli", name, PASSWORDS[name], role, name.capitalize(), scope)
    return Board(services)


def escalate(about: str, sentence: str = "Filler motor keeps tripping, need a spare") -> dict[str, Any]:
    return {ids.ESC_ABOUT: about, ids.ESC_SENTENCE: sentence, ids.BOARD_VIEW: LINE}


def test_the_loop_on_the_boards(board: Board) -> None:
    said = board.said("tom", ids.ESC_RAISE, escalate("note"))
    assert said == "Escalated to Tier 2 (Area A): Filler motor keeps tripping, need a spare"
    line = board.panel("tom", LINE)
    assert line[ids.ESC_RAISE]["children"] == "Escalate to Tier 2 (Area A)"
    assert line[ids.ESC_STEP_ROW]["hidden"] is True and line[ids.ESC_RAISE_ROW]["hidden"] is False
    assert "Waiting for an answer (1)" in str(line[ids.ESC_PANEL]["children"])
    area = board.panel("anna", AREA)
    [picked] = area[ids.ESC_PICK]["options"]
    assert picked["label"] == "Line 1 – Area A: Filler motor keeps tripping, need a spare"
    assert "Escalations received (1)" in str(area[ids.ESC_PANEL]["children"])
    accepted = board.said("anna", ids.ESC_ACCEPT, {ids.ESC_PICK: picked["value"], ids.ESC_OWNER: "Max",
                                                   ids.ESC_DUE: "2026-11-23"})
    assert accepted == "Accepted: Max answers by Mon 23 Nov"
    [picked] = board.panel("anna", AREA)[ids.ESC_PICK]["options"]
    answered = board.said("anna", ids.ESC_ANSWER_SAVE, {ids.ESC_PICK: picked["value"],
                                                        ids.ESC_ANSWER: "spare motor ordered, fitted Tue"})
    assert answered == "Answered; Line 1 – Area A sees it on its board: spare motor ordered, fitted Tue"
    line = board.panel("tom", LINE)
    assert "Tier 2: spare motor ordered, fitted Tue" in str(line[ids.ESC_PANEL]["children"])
    [answer] = line[ids.ESC_ACK_PICK]["options"]
    assert line[ids.ESC_ACK_ROW]["hidden"] is False
    assert board.said("tom", ids.ESC_ACK, {ids.ESC_ACK_PICK: answer["value"]}) == (
        "Heard and closed: Tier 2: spare motor ordered, fitted Tue")
    assert "No escalations open for this board." in str(board.panel("tom", LINE)[ids.ESC_PANEL]["children"])
    trail = [(e.actor, e.action) for e in board.services.accounts.audit_trail()]
    assert [a for _who, a in trail if a.startswith("escalation.")] == [
        "escalation.acknowledge", "escalation.answer", "escalation.accept", "escalation.raise"]


def test_forged_bodies_are_refused_by_the_server(board: Board) -> None:
    assert board.call(None, ids.ESC_RAISE, escalate("note")).status_code == 401
    assert "needs the editor role; this request comes from Vic (viewer)" in board.said(
        "vic", ids.ESC_RAISE, escalate("note"))
    assert "that tile is not red on this board any more" in board.said("tom", ids.ESC_RAISE, escalate("tile:oee"))
    assert "that action is not open on this board any more" in board.said("tom", ids.ESC_RAISE,
                                                                          escalate("action:999"))
    assert "say what it is about" in board.said("tom", ids.ESC_RAISE, escalate("rumour:1"))
    assert "what is needed: say it in a few words" in board.said("tom", ids.ESC_RAISE, escalate("note", " "))
    other_site = escalate("note") | {ids.PAGE_SITE: "elsewhere"}
    assert "names a site not served here" in board.said("tom", ids.ESC_RAISE, other_site)
    assert board.services.escalations.listing() == []

    assert board.said("tom", ids.ESC_RAISE, escalate("note")).startswith("Escalated")
    [made] = board.services.escalations.listing()
    for picked, refusal in ((f"{made.id}:1", "needs the editor role"), ("999:1", "no escalation 999"),
                            ("1; DROP TABLE escalations", "pick the escalation again"),
                            ("9" * 40 + ":1", "pick the escalation again")):
        who = "vic" if refusal.startswith("needs") else "anna"
        assert refusal in board.said(who, ids.ESC_ANSWER_SAVE, {ids.ESC_PICK: picked, ids.ESC_ANSWER: "x"})
    assert "closed only once it has an answer" in board.said("tom", ids.ESC_ACK, {ids.ESC_ACK_PICK: f"{made.id}:1"})
    # tier 1's leader cannot answer for tier 2, even with a hand-made request naming the escalation
    assert "answering an escalation at Area A needs someone whose scope covers it; Tom's does not" in board.said(
        "tom", ids.ESC_ANSWER_SAVE, {ids.ESC_PICK: f"{made.id}:1", ids.ESC_ANSWER: "fixed it ourselves"})
    assert "Anna changed this escalation" not in board.said("anna", ids.ESC_PASS, {ids.ESC_PICK: f"{made.id}:1"})
    stale = board.said("pia", ids.ESC_ACCEPT, {ids.ESC_PICK: f"{made.id}:1", ids.ESC_OWNER: "Max",
                                                ids.ESC_DUE: "2026-11-23"})
    assert "Anna changed this escalation" in stale
    view = board.services.escalations.get(made.id)
    assert (view.state, view.scope, view.answer, view.version) == ("raised", "ex", "", 2)
