"""Escalations in a real Chromium: a line's leader escalates from the line's board, the area's supervisor accepts and
answers on the area's board (an overdue one says so in words), and the line's board shows the answer until its
leader has heard it. The helpers here drive the board's escalation card for the one-morning test too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.web import ids

from tests.conftest import SMALL_NOW, SMALL_PLANT

pytestmark = pytest.mark.e2e

PASSWORD = "a long password for tests"


@pytest.fixture
def services(make_services, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Sign-in required; a line leader (tom, Line 1) and an area supervisor (anna, Area A)."""
    plant = tmp_path / "plant.yaml"
    plant.write_text(SMALL_PLANT, encoding="utf-8")
    services = make_services(None, plant=plant, anonymous_access="off")
    services.accounts.add_user("cli", "tom", PASSWORD, "editor", "Tom Leader", "L1")
    services.accounts.add_user("cli", "anna", PASSWORD, "editor", "Anna Supervisor", "a")
    return services


def sign_in(dash_duo: Any, username: str, name: str, path: str) -> None:
    """Sign in afresh (whoever was signed in before) and open ``path``."""
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(dash_duo.server.url + "/login?next=" + path.replace("?", "%3F").replace("&", "%26"))
    dash_duo.wait_for_element("input[name=username]", timeout=15).send_keys(username)
    dash_duo.find_element("input[name=password]").send_keys(PASSWORD)
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", f"{name} ·", timeout=20)


def escalate(dash_duo: Any, about: str, sentence: str, to: str) -> None:
    """On a board: escalate what ``about`` names (the option's words) in one sentence to the tier ``to`` names."""
    dash_duo.wait_for_contains_text(f"#{ids.ESC_RAISE}", f"Escalate to {to}", timeout=20)
    dash_duo.select_dcc_dropdown(f"#{ids.ESC_ABOUT}", about)
    dash_duo.find_element(f"#{ids.ESC_SENTENCE}").send_keys(sentence)
    dash_duo.find_element(f"#{ids.ESC_RAISE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ESC_MESSAGE}", f"Escalated to {to}", timeout=20)


def accept_and_answer(dash_duo: Any, received: str, owner: str, due_keys: str, answer: str) -> None:
    """On the receiving board: pick the escalation (its option's words, 'Line 1 – Area A: …'), accept it (owner and
    due date), then answer it."""
    dash_duo.wait_for_contains_text(f"#{ids.ESC_PANEL}", received.split(": ", 1)[1], timeout=20)
    dash_duo.select_dcc_dropdown(f"#{ids.ESC_PICK}", received)
    dash_duo.find_element(f"#{ids.ESC_OWNER}").send_keys(owner)
    dash_duo.find_element(f"#{ids.ESC_DUE}").send_keys(due_keys)
    dash_duo.find_element(f"#{ids.ESC_ACCEPT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ESC_MESSAGE}", f"Accepted: {owner} answers by", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.ESC_PANEL}", f"{owner}, answer due", timeout=20)
    dash_duo.select_dcc_dropdown(f"#{ids.ESC_PICK}", received)  # the picker read the new version
    dash_duo.find_element(f"#{ids.ESC_ANSWER}").send_keys(answer)
    dash_duo.find_element(f"#{ids.ESC_ANSWER_SAVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ESC_MESSAGE}", f"sees it on its board: {answer}", timeout=20)


def hear_answer(dash_duo: Any, answer_line: str) -> None:
    """On the originating board: the answer is shown; acknowledge it."""
    dash_duo.wait_for_contains_text(f"#{ids.ESC_PANEL}", answer_line, timeout=20)
    dash_duo.select_dcc_dropdown(f"#{ids.ESC_ACK_PICK}", answer_line)
    dash_duo.find_element(f"#{ids.ESC_ACK}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ESC_MESSAGE}", f"Heard and closed: {answer_line}", timeout=20)


def no_console_errors(dash_duo: Any) -> None:
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_an_escalation_goes_up_and_its_answer_comes_back(dash_duo, app, services) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    day = SMALL_NOW.date().isoformat()
    sign_in(dash_duo, "tom", "Tom Leader", f"/board?scope=L1&date={day}&shift=E")
    short = "Two operators short on the late shift all week"
    escalate(dash_duo, "Something else (a note of the team's)", short, "Tier 2 (Area A)")
    dash_duo.wait_for_contains_text(f"#{ids.ESC_PANEL}", "Waiting for an answer (1)", timeout=20)

    sign_in(dash_duo, "anna", "Anna Supervisor", f"/board?scope=a&date={day}&shift=E")
    accept_and_answer(dash_duo, f"Line 1 – Area A: {short}", "Max Planner", "11242026",
                      "two from packing move over from Monday")

    sign_in(dash_duo, "tom", "Tom Leader", f"/board?scope=L1&date={day}&shift=E")
    hear_answer(dash_duo, "Tier 2: two from packing move over from Monday")
    dash_duo.wait_for_contains_text(f"#{ids.ESC_PANEL}", "No escalations open for this board.", timeout=20)
    [view] = services.escalations.listing()
    assert (view.state, view.owner, view.answered_by, view.acknowledged_by) == (
        "acknowledged", "Max Planner", "Anna Supervisor", "Tom Leader")
    no_console_errors(dash_duo)
