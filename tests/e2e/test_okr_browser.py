"""The weekly OKR check-in in a real Chromium on the demo plant's quarter: an editor checks in three key results and
sees progress, status and history change; a viewer cannot, not even by sending the request themselves; two editors
saving at once lose nothing."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import pytest
from huddle.dashboard.demo import demo_actions, demo_okrs
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from selenium import webdriver

from tests.conftest import load_demo, pytest_setup_options

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # Friday of 2026-W47, week 8 of 2026-Q4
PASSWORDS = {"eddie": "editor-password-1", "ana": "editor-password-2", "vera": "viewer-password-1"}
RECORD_SAVES = """
    window.__sent = [];
    const send = window.fetch;
    window.fetch = function (url, options) {
        const body = options && String(options.body);
        if (String(url).includes('_dash-update-component') && body && body.includes('okr-ci-submit')) {
            window.__sent.push(options.body);
        }
        return send.apply(this, arguments);
    };
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo plant with its quarter of OKRs (8 weeks of check-ins), two editors and a viewer."""
    services = load_demo(tmp_path_factory.mktemp("okr-demo"), NOW, days=52)
    demo_actions(services)
    assert demo_okrs(services) > 60
    services.accounts.add_user("cli", "eddie", PASSWORDS["eddie"], "editor")
    services.accounts.add_user("cli", "ana", PASSWORDS["ana"], "editor")
    services.accounts.add_user("cli", "vera", PASSWORDS["vera"], "viewer")
    yield services
    services.dispose()


def key_result(services, title: str):  # type: ignore[no-untyped-def]
    return next(k for k in services.okrs.quarter().key_results if k.title == title)


def sign_in(driver, base: str, user: str) -> None:  # type: ignore[no-untyped-def]
    driver.get(base + "/login?next=/okr")
    driver.find_element("css selector", "input[name=username]").send_keys(user)
    driver.find_element("css selector", "input[name=password]").send_keys(PASSWORDS[user])
    driver.find_element("css selector", "form.login-form button[type=submit]").click()


def row(driver, kr_id: int):  # type: ignore[no-untyped-def]
    return driver.find_element("css selector", f".okr-ci-row[data-kr='{kr_id}']")


def fill(driver, kr_id: int, value: str | None, confidence: str, moved: str = "") -> None:  # type: ignore[no-untyped-def]
    r = row(driver, kr_id)
    if value is not None:
        box = r.find_element("css selector", "input.okr-ci-value")
        box.clear()
        box.send_keys(value)
    box = r.find_element("css selector", "input.okr-ci-confidence")
    box.clear()
    box.send_keys(confidence)
    if moved:
        r.find_element("css selector", "textarea.okr-ci-moved").send_keys(moved)


def message(driver, kr_id: int) -> str:  # type: ignore[no-untyped-def]
    return row(driver, kr_id).find_element("css selector", ".form-message").text


def objective_row(driver, kr_id: int) -> str:  # type: ignore[no-untyped-def]
    return driver.find_element("css selector", f"tr.okr-kr-row[data-kr='{kr_id}']").text


def no_console_errors(driver) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_an_editor_checks_in_three_key_results_and_sees_them_move(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    driver = dash_duo.driver
    sign_in(driver, dash_duo.server_url, "eddie")
    dash_duo.wait_for_contains_text(".who", "Eddie ·", timeout=15)
    driver.get(dash_duo.server_url + "/okr")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_MEETING}", "Not checked in this week (2)", timeout=40)
    shortages = key_result(demo, "Carton shortage stops per week")  # not checked in this week
    packing = key_result(demo, "Packing schedule attainment")  # bound to a KPI, not checked in this week
    trained = key_result(demo, "Operators trained on the filler start-up standard")  # checked in: a correction
    assert trained.status.value == "on track" and trained.this_week is not None
    dash_duo.wait_for_element(f".okr-ci-row[data-kr='{trained.id}']", timeout=20)
    assert "100 %" in objective_row(driver, shortages.id)

    fill(driver, shortages.id, "1", "9", "Kanban loop holds")
    row(driver, shortages.id).find_element("css selector", "button.okr-ci-save").click()
    dash_duo.wait_for_contains_text(f".okr-ci-row[data-kr='{shortages.id}'] .form-message",
                                    "Saved Week 47 2026 check-in", timeout=20)
    # a bound key result's value is the KPI's: the box is read-only, and the saved value is the board's number
    assert not row(driver, packing.id).find_element("css selector", "input.okr-ci-value").is_enabled()
    fill(driver, packing.id, None, "8", "Magazine holds")
    row(driver, packing.id).find_element("css selector", "button.okr-ci-save").click()
    dash_duo.wait_for_contains_text(f".okr-ci-row[data-kr='{packing.id}'] .form-message", "Saved Week 47 2026",
                                    timeout=20)
    fill(driver, trained.id, "8", "4", "Recount: 9 left the course")
    row(driver, trained.id).find_element("css selector", "button.okr-ci-save").click()
    dash_duo.wait_for_contains_text(f".okr-ci-row[data-kr='{trained.id}'] .form-message",
                                    "Saved Week 47 2026 correction of this week's check-in", timeout=20)

    # progress, status and the meeting view follow
    dash_duo.wait_for_contains_text(f"#{ids.OKR_MEETING}", "Not checked in this week (0)", timeout=20)
    dash_duo.wait_for_contains_text(f"tr.okr-kr-row[data-kr='{shortages.id}']", "114 %", timeout=20)  # (9−1)/(9−2)
    assert "9/10 on track" in objective_row(driver, shortages.id)
    dash_duo.wait_for_contains_text(f"tr.okr-kr-row[data-kr='{trained.id}']", "off track", timeout=20)
    assert "33 %" in objective_row(driver, trained.id) and "4/10 has issues" in objective_row(driver, trained.id)
    after = key_result(demo, "Operators trained on the filler start-up standard")
    assert after.status.value == "off track" and after.current == 8
    assert [(v.value, v.author, v.replaced) for v in after.versions[:2]] == [(8, "eddie", False), (17, "jonas.weber",
                                                                                                  True)]
    saved_packing = key_result(demo, "Packing schedule attainment").versions[0]
    assert saved_packing.author == "eddie" and saved_packing.value == key_result(demo, "Packing schedule attainment"
                                                                                 ).current
    # the history of a key result: its chart and every version, the corrected one marked
    driver.find_element("css selector", f"#{ids.OKR_OBJECTIVES} button.okr-kr[data-kr='{trained.id}']").click()
    dash_duo.wait_for_contains_text(f"#{ids.OKR_HISTORY}", "Recount: 9 left the course", timeout=20)
    # the history comes into view with the focus, so the keyboard goes on from there
    assert driver.execute_script("return document.activeElement.contains(document.getElementById(arguments[0]))",
                                 ids.OKR_HISTORY)
    history = driver.find_element("id", ids.OKR_HISTORY)
    versions = history.find_elements("css selector", "table.okr-versions tbody tr")
    assert "Eddie" in versions[0].text and "correction" in versions[0].text
    assert "corrected later" in versions[1].text and "Jonas Weber" in versions[1].text
    assert history.find_elements("css selector", ".js-plotly-plot")  # value per week against the path, confidence
    no_console_errors(driver)


def test_a_viewer_cannot_check_in_even_by_sending_the_request(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    driver = dash_duo.driver
    jams = key_result(demo, "Filler jams per week (maintenance log)")
    # an editor's save, recorded as the browser sends it
    sign_in(driver, dash_duo.server_url, "ana")
    dash_duo.wait_for_contains_text(".who", "Ana ·", timeout=15)
    driver.get(dash_duo.server_url + "/okr")
    dash_duo.wait_for_element(f".okr-ci-row[data-kr='{jams.id}']", timeout=40)
    driver.execute_script(RECORD_SAVES)
    fill(driver, jams.id, "18", "5")
    row(driver, jams.id).find_element("css selector", "button.okr-ci-save").click()
    dash_duo.wait_for_contains_text(f".okr-ci-row[data-kr='{jams.id}'] .form-message", "Saved", timeout=20)
    body = json.loads(driver.execute_script("return window.__sent[0]"))
    before = len(key_result(demo, "Filler jams per week (maintenance log)").versions)
    driver.find_element("css selector", "form.inline button").click()  # sign out
    # the viewer is told to sign in as an editor, and gets no check-in rows
    sign_in(driver, dash_duo.server_url, "vera")
    dash_duo.wait_for_contains_text(".who", "Vera ·", timeout=15)
    driver.get(dash_duo.server_url + "/okr")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_CHECKIN}", "Sign in as an editor to check in", timeout=40)
    assert driver.find_elements("css selector", ".okr-ci-row") == []
    # the same request sent from the viewer's console, with the count the form would now show, is refused
    (sent,) = [i for i in body["inputs"] if i["id"] == ids.OKR_CI_SUBMIT]
    assert sent["value"]["kr"] == jams.id and sent["value"]["value"] == 18 and sent["value"]["confidence"] == 5
    sent["value"].update(seen=before, value=1)
    answer = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: arguments[0]}).then(r => r.text()).then(done);
    """, json.dumps(body))
    assert "Not saved" in answer and "editor" in answer and "Vera (viewer)" in answer, answer
    assert len(key_result(demo, "Filler jams per week (maintenance log)").versions) == before
    no_console_errors(driver)


def wait_until(check, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """Poll ``check`` until it returns something true (a second browser has no dash_duo helpers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up after {timeout:.0f} s")


def press_together(buttons: list) -> None:  # type: ignore[type-arg]
    """Click several buttons (in different browsers) at the same moment."""
    start = threading.Barrier(len(buttons))

    def press(button) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        button.click()

    threads = [threading.Thread(target=press, args=(b,)) for b in buttons]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_two_editors_checking_in_at_once_lose_nothing(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    first = dash_duo.driver
    second = webdriver.Chrome(options=pytest_setup_options())
    try:
        star = key_result(demo, "New filler star wheel commissioned")
        complaints = key_result(demo, "Customer complaints in the month")
        attainment = key_result(demo, "Plant schedule attainment")
        for driver, user, name in ((first, "eddie", "Eddie"), (second, "ana", "Ana")):
            sign_in(driver, dash_duo.server_url, user)
            wait_until(lambda d=driver, u=name: u in " ".join(e.text for e in d.find_elements("css selector", ".who")))
            driver.get(dash_duo.server_url + "/okr")
            wait_until(lambda d=driver: d.find_elements("css selector", f".okr-ci-row[data-kr='{star.id}']"), 40)
        before = len(star.versions)
        # both have the same key result's form open and save at the same moment
        fill(first, star.id, "1", "9", "Fitted on Saturday")
        fill(second, star.id, "0", "4", "Fitting postponed")
        press_together([d.find_element("css selector", f".okr-ci-row[data-kr='{star.id}'] button.okr-ci-save")
                        for d in (first, second)])
        answers = [wait_until(lambda d=d: message(d, star.id)) for d in (first, second)]
        saved = [a for a in answers if a.startswith("Saved")]
        told = [a for a in answers if "checked in on this key result at" in a and "Nothing was overwritten" in a]
        assert len(saved) == 1 and len(told) == 1, answers
        assert len(key_result(demo, star.title).versions) == before + 1
        # the one who was told still has their entry in the form; saving again keeps it as a correction
        late = second if told[0] == answers[1] else first
        late.find_element("css selector", f".okr-ci-row[data-kr='{star.id}'] button.okr-ci-save").click()
        # the refusal itself mentions "correction", so wait for the new answer, not for the word
        answer = wait_until(lambda: (m := message(late, star.id)).startswith("Saved") and m)
        assert "Saved Week 47 2026 correction" in answer
        final = key_result(demo, star.title).versions
        assert len(final) == before + 2
        assert {v.moved for v in final[:2]} == {"Fitted on Saturday", "Fitting postponed"}  # both kept
        assert final[0].replaces_id == final[1].id and final[1].replaced
        # different key results saved at the same moment are both kept
        counts = {k.id: len(k.versions) for k in (complaints, attainment)}
        fill(first, complaints.id, "1", "8", "Quiet week")
        fill(second, attainment.id, None, "6", "Line 2 still short")
        press_together([row(first, complaints.id).find_element("css selector", "button.okr-ci-save"),
                        row(second, attainment.id).find_element("css selector", "button.okr-ci-save")])
        assert wait_until(lambda: message(first, complaints.id)).startswith("Saved")
        assert wait_until(lambda: message(second, attainment.id)).startswith("Saved")
        assert len(key_result(demo, complaints.title).versions) == counts[complaints.id] + 1
        assert len(key_result(demo, attainment.title).versions) == counts[attainment.id] + 1
        no_console_errors(first)
        no_console_errors(second)
    finally:
        second.quit()


def test_an_editor_plans_next_quarter_and_a_mismatched_kpi_is_refused_with_the_reason(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    driver = dash_duo.driver
    sign_in(driver, dash_duo.server_url, "eddie")
    dash_duo.wait_for_contains_text(".who", "Eddie ·", timeout=15)
    driver.get(dash_duo.server_url + "/okr?quarter=2027-Q1")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_OBJECTIVES}", "No objectives for Q1 2027", timeout=40)
    driver.find_element("css selector", f"#{ids.OKR_PLAN} summary").click()
    dash_duo.select_dcc_dropdown(f"#{ids.OKR_OBJ_SCOPE}", value="Line 2")
    dash_duo.find_element(f"#{ids.OKR_OBJ_TITLE}").send_keys("Line 2 back to spring availability")
    dash_duo.find_element(f"#{ids.OKR_OBJ_OWNER}").send_keys("Tom Becker")
    dash_duo.find_element(f"#{ids.OKR_OBJ_SAVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.OKR_OBJ_MESSAGE}", "Saved objective", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.OKR_OBJECTIVES}", "Line 2 back to spring availability", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.OKR_KR_OBJECTIVE}", "Line 2 back to spring availability", timeout=20)
    dash_duo.find_element(f"#{ids.OKR_KR_TITLE}").send_keys("Line 2 availability")
    dash_duo.find_element(f"#{ids.OKR_KR_OWNER}").send_keys("Tom Becker")
    dash_duo.select_dcc_dropdown(f"#{ids.OKR_KR_KIND}", value="stay at or below")
    dash_duo.find_element(f"#{ids.OKR_KR_START}").send_keys("80")
    dash_duo.find_element(f"#{ids.OKR_KR_TARGET}").send_keys("86")
    dash_duo.select_dcc_dropdown(f"#{ids.OKR_KR_KPI}", value="Availability (%, higher is better)")
    dash_duo.find_element(f"#{ids.OKR_KR_SAVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.OKR_KR_MESSAGE}", "Availability is better higher: 'stay at or below' "
                                    "would push it the wrong way", timeout=20)
    dash_duo.select_dcc_dropdown(f"#{ids.OKR_KR_KIND}", value="increase to")
    dash_duo.find_element(f"#{ids.OKR_KR_SAVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.OKR_KR_MESSAGE}", "Saved key result", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.OKR_OBJECTIVES}", "Availability at Line 2 – Filling, quarter to date",
                                    timeout=20)
    planned = demo.okrs.quarter("2027-Q1").objectives
    assert [(o.scope, o.title, o.owner) for o in planned] == [("L2", "Line 2 back to spring availability",
                                                               "Tom Becker")]
    assert [(k.kind, k.start, k.target, k.kpi, k.kpi_scope, k.unit) for k in planned[0].key_results] == [
        ("increase", 80, 86, "availability", "L2", "%")]
    assert "1 key result: an objective needs 2–5" in dash_duo.find_element(f"#{ids.OKR_OBJECTIVES}").text
    no_console_errors(driver)


def test_a_kpi_red_three_months_running_is_planned_for_next_quarter_in_one_click(dash_duo, make_services,  # type: ignore[no-untyped-def]
                                                                                 tmp_path) -> None:
    from tests.conftest import write_past
    from tests.integration.test_review import COUNTS, REVIEW_PLANT, STOPS
    from tests.integration.test_review import NOW as DECEMBER

    plant = tmp_path / "review-plant.yaml"
    plant.write_text(REVIEW_PLANT, encoding="utf-8")
    services = make_services(now=DECEMBER, plant=plant)  # Line 1's OEE red September to November
    write_past(tmp_path / "inbox/counts/c.csv", COUNTS)
    write_past(tmp_path / "inbox/stops/s.csv", STOPS)
    services.loader.run_all()
    services.accounts.add_user("cli", "eddie", PASSWORDS["eddie"], "editor")
    dash_duo.start_server(create_app(services.settings, services=services))
    sign_in(dash_duo.driver, dash_duo.server_url, "eddie")
    dash_duo.wait_for_contains_text(".who", "Eddie ·", timeout=15)
    dash_duo.driver.get(dash_duo.server_url + "/okr?scope=L1")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_CLOSE}", "OEE: red 3 months running", timeout=40)
    button = dash_duo.driver.find_element("css selector", f"button[id*='{ids.OKR_DRAFT}'][id*='\"kpi\":\"oee\"']")
    assert button.text == "Plan it for Q1 2027"
    button.click()
    dash_duo.wait_for_contains_text(f"#{ids.OKR_CLOSE_MESSAGE}", "OEE planned as an objective of Q1 2027", timeout=20)
    planned = services.okrs.quarter("2027-Q1").objectives
    assert [(o.scope, o.title) for o in planned] == [("L1", "Bring OEE at Line 1 – Area A back to target")]
    assert planned[0].key_results[0].kpi == "oee" and planned[0].key_results[0].target == 80
    no_console_errors(dash_duo.driver)


def test_an_address_the_okr_page_cannot_show_says_why(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.get(dash_duo.server_url + "/okr?quarter=2026-Q9")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_SUMMARY}", "quarter '2026-Q9': expected like 2026-Q4", timeout=30)
    dash_duo.wait_for_style_to_equal(f"#{ids.OKR_SECTIONS}", "display", "none", timeout=10)
    dash_duo.driver.get(dash_duo.server_url + "/okr?scope=L9")
    dash_duo.wait_for_contains_text(f"#{ids.OKR_SUMMARY}", "unknown scope 'L9'", timeout=30)
    no_console_errors(dash_duo.driver)
