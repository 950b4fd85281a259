"""The KPI tree in a real Chromium on the demo plant: from the plant's red OEE to the drifting line's red leaf and
the stop reasons behind it, in a few clicks along the opened red path; folding and unfolding a node; what-if and
goal seek; an editor raising an action from a red leaf (and a visitor who is not signed in refused)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from huddle.dashboard.core.periods import Period
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder

from tests.conftest import load_demo

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 08:30 in Berlin: yesterday's shifts have all ended
CY = """const el = document.querySelector('#tree-graph');
const key = Object.keys(el).find(k => k.startsWith('__reactFiber'));
let f = el[key]; while (f && !(f.stateNode && f.stateNode._cy)) { f = f.return; }
const cy = f.stateNode._cy;"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three weeks of the demo plant (Line 2's filler drifting) loaded into SQLite; one editor."""
    services = load_demo(tmp_path_factory.mktemp("tree-demo"), NOW, days=21)
    services.accounts.add_user("cli", "eddie", "editor-password-1", "editor")
    yield services
    services.dispose()


def _nodes(dash_duo) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The drawn nodes and their classes, read from the graph."""
    return dash_duo.driver.execute_script(CY + "const out = {}; cy.nodes().forEach(n => { out[n.id()] = "
                                          "n.classes().join(' '); }); return out;")


def _wait(condition: Any, timeout: float = 15.0) -> Any:
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the page")


def _click_node(dash_duo, node: str) -> None:  # type: ignore[no-untyped-def]
    """Click a node with the mouse, where the graph drew it once it stays there (the graph refits its canvas after
    nodes come or go, as a person waits for it to settle)."""
    def where() -> list[float]:
        return dash_duo.driver.execute_script(
            CY + "const p = cy.getElementById(arguments[0]).renderedPosition();"
                 "const r = el.getBoundingClientRect(); return [r.left + p.x, r.top + p.y];", node)

    def settled() -> list[float] | None:
        before = where()
        time.sleep(0.3)
        return before if where() == before else None

    x, y = _wait(settled)
    actions = ActionBuilder(dash_duo.driver)
    actions.pointer_action.move_to_location(int(x), int(y)).click()
    actions.perform()


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def _open(dash_duo, demo, path: str, root: str = "OEE") -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", root, timeout=30)


def _a_red_day(demo) -> str:  # type: ignore[no-untyped-def]
    """The latest of the last seven full days on which the plant's OEE was red (the drift pulls it under)."""
    for back in range(1, 8):
        day = (NOW - timedelta(days=back)).date()
        if str(demo.readings.reading("oee", "plant", Period("day", day, day)).status) == "red":
            return day.isoformat()
    raise AssertionError("the demo plant's OEE was not red on any of the last seven days")


def test_from_the_red_root_to_the_drifting_lines_stop_reasons(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    _open(dash_duo, demo, f"/tree?date={_a_red_day(demo)}")
    summary = dash_duo.find_element(f"#{ids.TREE_SUMMARY}").text
    assert "Riverside Plant" in summary and "off target" in summary
    nodes = _wait(lambda: _nodes(dash_duo))
    assert nodes["oee"].split()[:2] == ["red", "red-below"]
    # the root's panel says where OEE is red: Line 2, the drifting one, is a link to its own tree
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL}", "By line", timeout=20)
    line2 = _wait(lambda: [a for a in dash_duo.driver.find_elements("css selector", f"#{ids.TREE_PANEL} a")
                           if a.text == "Line 2 – Filling"])[0]
    row = line2.find_element("xpath", "./ancestor::tr")
    assert "off target" in row.text
    line2.click()  # click 1
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", "Line 2", timeout=20)
    # on Line 2 the red path is already open down to the leaves: availability, then unplanned downtime
    nodes = _wait(lambda: (n := _nodes(dash_duo)) and "unplanned_downtime" in n and n)
    assert nodes["availability"].split()[:2] == ["red", "red-below"]
    assert nodes["unplanned_downtime"].split()[0] == "red"
    _click_node(dash_duo, "unplanned_downtime")  # click 2
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "Unplanned downtime", timeout=20)
    dash_duo.wait_for_text_to_equal(f"#{ids.TREE_EVENTS_HEAD}", "Unplanned stops by reason", timeout=20)
    first_bar = _wait(lambda: dash_duo.driver.execute_script(
        "const g = document.querySelector('#tree-pareto .js-plotly-plot');"
        "return g && g.data && g.data[0].x && g.data[0].x[0];"))
    assert first_bar == "Filler jam"  # the drifting filler is the biggest loss
    dash_duo.wait_for_contains_text(f"#{ids.TREE_EVENT_RECORDS}", "Filler jam", timeout=20)
    assert "Line 2" in dash_duo.find_element(f"#{ids.TREE_EVENT_RECORDS}").text
    # the address says what is shown, so the supervisor can send it on
    search = dash_duo.driver.execute_script("return window.location.search")
    assert "scope=L2" in search and "node=unplanned_downtime" in search
    # records of one reason only
    dash_duo.select_dcc_dropdown(f"#{ids.TREE_EVENT_FILTER}", value="Filler jam")
    _wait(lambda: "Capper fault" not in dash_duo.find_element(f"#{ids.TREE_EVENT_RECORDS}").text)
    _no_console_errors(dash_duo)


def test_clicking_the_selected_node_folds_and_unfolds_it(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    _open(dash_duo, demo, "/tree?scope=L2")
    _wait(lambda: "unplanned_downtime" in _nodes(dash_duo))
    _click_node(dash_duo, "availability")  # selects it (it is open already)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "Availability", timeout=20)
    assert "unplanned_downtime" in _nodes(dash_duo)
    _click_node(dash_duo, "availability")  # folds it
    folded = _wait(lambda: (n := _nodes(dash_duo)) and "unplanned_downtime" not in n and n)
    assert "folded" in folded["availability"]
    _click_node(dash_duo, "availability")  # unfolds it
    _wait(lambda: "unplanned_downtime" in _nodes(dash_duo))
    # four clicks faster than the page answers any of them (one after another, as a busy tablet hands on clicks
    # it held back): none is lost
    dash_duo.driver.execute_script(CY + "['quality', 'quality', 'availability', 'availability']"
                                        ".forEach(id => cy.getElementById(id).emit('tap'));")
    both = _wait(lambda: (n := _nodes(dash_duo)) and "scrap_rate" not in n and "unplanned_downtime" not in n and n)
    assert "folded" in both["quality"] and "folded" in both["availability"]
    _no_console_errors(dash_duo)


def test_what_if_and_goal_seek_on_a_factor(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    _open(dash_duo, demo, "/tree?scope=L2&node=availability")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "Availability", timeout=20)
    # goal seek opens with OEE's own target: what availability must reach for OEE to make it
    dash_duo.wait_for_contains_text(f"#{ids.TREE_GOAL_RESULT}", "Availability must reach", timeout=20)
    box = dash_duo.find_element(f"#{ids.TREE_WHATIF_VALUE}")
    box.send_keys("95")
    ActionChains(dash_duo.driver).send_keys("\t").perform()
    dash_duo.wait_for_contains_text(f"#{ids.TREE_WHATIF_RESULT}", "OEE", timeout=20)
    assert "→" in dash_duo.find_element(f"#{ids.TREE_WHATIF_RESULT}").text
    goal = dash_duo.find_element(f"#{ids.TREE_GOAL_TARGET}")
    goal.clear()
    goal.send_keys("99")
    ActionChains(dash_duo.driver).send_keys("\t").perform()
    dash_duo.wait_for_contains_text(f"#{ids.TREE_GOAL_RESULT}", "above 100 %", timeout=20)
    _no_console_errors(dash_duo)


def test_an_editor_raises_an_action_on_a_red_leaf(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    # not signed in: the button is disabled, and the request sent anyway is refused by the server
    dash_duo.driver.get(dash_duo.server_url + "/tree?scope=L2&node=unplanned_downtime")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_PANEL} h2", "Unplanned downtime", timeout=30)
    assert not dash_duo.find_element(f"#{ids.TREE_ACTION_ADD}").is_enabled()
    # what a visitor could do from the browser's console: send the button's request themselves
    answer = dash_duo.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({output: '..tree-action-message.children...tree-action-changed.data..',
            outputs: [{id: 'tree-action-message', property: 'children'},
                      {id: 'tree-action-changed', property: 'data'}],
            inputs: [{id: 'tree-action-add', property: 'n_clicks', value: 1}],
            state: [{id: 'tree-action-what', property: 'value', value: 'Anonymous fix'},
                    {id: 'tree-action-owner', property: 'value', value: 'Nobody'},
                    {id: 'tree-action-due', property: 'value', value: '2026-12-01'},
                    {id: 'tree-selected', property: 'data', value: 'unplanned_downtime'},
                    {id: 'tree-view', property: 'data', value: {scope: 'L2'}},
                    {id: 'tree-action-changed', property: 'data', value: 0},
                    {id: 'page-site', property: 'data', value: arguments[0]}],
            changedPropIds: ['tree-action-add.n_clicks']})})
          .then(r => r.text()).then(done);
    """, demo.config.site_key)
    assert "Not saved" in answer and "editor" in answer, answer
    assert [a.what for a in demo.actions.listing("L2", kpi="unplanned_downtime")] == []
    # an editor signs in and raises one
    dash_duo.driver.get(dash_duo.server_url + "/login?next=/tree")
    dash_duo.wait_for_element("input[name=username]", timeout=10).send_keys("eddie")
    dash_duo.find_element("input[name=password]").send_keys("editor-password-1")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", "Eddie ·", timeout=15)
    dash_duo.driver.get(dash_duo.server_url + "/tree?scope=L2&node=unplanned_downtime")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_ACTIONS}", "red with no action", timeout=30)
    dash_duo.find_element(f"#{ids.TREE_ACTION_WHAT}").send_keys("Replace the filler's star wheel")
    dash_duo.find_element(f"#{ids.TREE_ACTION_OWNER}").send_keys("Tom Becker")
    dash_duo.driver.execute_script(  # a date input's typing order depends on the browser's locale: set the value
        "const el = arguments[0]; const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')"
        ".set; set.call(el, '2026-11-27'); el.dispatchEvent(new Event('input', {bubbles: true}));"
        "el.dispatchEvent(new Event('change', {bubbles: true}));", dash_duo.find_element(f"#{ids.TREE_ACTION_DUE}"))
    dash_duo.find_element(f"#{ids.TREE_ACTION_ADD}").click()
    dash_duo.wait_for_contains_text(f"#{ids.TREE_ACTION_MESSAGE}", "Saved action", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.TREE_ACTIONS}", "Replace the filler's star wheel", timeout=20)
    saved = demo.actions.listing("L2", kpi="unplanned_downtime")
    assert [(a.what, a.owner, a.created_by) for a in saved] == [("Replace the filler's star wheel", "Tom Becker",
                                                                 "eddie")]
    _no_console_errors(dash_duo)


def test_an_address_the_tree_cannot_show_says_why(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(create_app(demo.settings, services=demo))
    dash_duo.driver.get(dash_duo.server_url + "/tree?scope=L9")
    dash_duo.wait_for_contains_text(f"#{ids.TREE_SUMMARY}", "There is no line or area 'L9'", timeout=30)
    _no_console_errors(dash_duo)


def test_several_trees_can_be_chosen(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    _open(dash_duo, demo, "/tree?tree=delivery", root="Schedule attainment")
    nodes = _wait(lambda: _nodes(dash_duo))
    assert {"schedule_attainment", "oee", "attendance"} <= set(nodes)
    findings = dash_duo.driver.execute_script(f"return document.getElementById('{ids.TREE_FINDINGS}').textContent")
    assert "trade-off Changeover time ↔ Schedule attainment is not acknowledged" in findings
    _no_console_errors(dash_duo)

