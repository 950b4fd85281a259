"""Accessibility in a real Chromium: axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules find nothing on any page in
any state a person reaches (the board at a desk, as a TV and as a playlist; the tree with a node's panel open; the
OKRs with the check-in and planning forms open; review, data, admin, sites, sign-in and the missing page), at
1920×1080 and on a 390 px wide phone.

axe-core comes from the ``axe-playwright-python`` test dependency, which ships a recent ``axe.min.js``; the script is
injected with Selenium, as any page script would be (Playwright itself is not used)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from dash.testing.wait import until
from huddle.dashboard.demo import demo_actions, demo_okrs
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app
from huddle.dashboard.web.sites import build_sites
from selenium.webdriver.common.keys import Keys

from tests.conftest import DEMO_NOW, SMALL_NOW, SMALL_PLANT, load_demo

pytestmark = pytest.mark.e2e

#: WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core files 2.2's A criteria under the 2.0/2.1 tags' rules)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """
    const done = arguments[arguments.length - 1];
    axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
      .then(function (result) {
        done(result.violations.map(function (v) {
          return {rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
            return {target: n.target.join(' '), html: n.html.slice(0, 200),
                    summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')};
          })};
        }));
      })
      .catch(function (error) { done([{rule: 'axe-error', impact: 'critical', help: String(error), nodes: []}]); });
"""
ADMIN, PASSWORD, ADMIN_NAME = "ada", "admin-password-1", "Ada Lovelace"
SHOWN = 4  # nodes named per violation (the rest counted)
WIDTHS = {"desk": (1920, 1080), "phone": (390, 844)}
#: what the console says where it is right to: the missing page is answered 404, a refused sign-in 401 (each with
#: its page)
EXPECTED_CONSOLE = {"404": "/no-such-page - Failed to load resource: the server responded with a status of 404",
                    "a wrong password": "/login - Failed to load resource: the server responded with a status of 401"}


@dataclass
class Audit:
    """The violations found so far, each with the page and state it was found on."""

    driver: Any
    width: str
    found: list[str] = field(default_factory=list)

    def check(self, state: str) -> None:
        """Run axe-core on the page as it is now and keep what it finds (rule, impact and each node's selector),
        and the errors the browser's console shows since the last check."""
        if not self.driver.execute_script("return !!window.axe"):
            self.driver.execute_script(AXE_SCRIPT)
            version = self.driver.execute_script("return axe.version")
            assert tuple(int(n) for n in version.split(".")[:2]) >= (4, 10), f"axe-core {version} predates WCAG 2.2"
        expected = EXPECTED_CONSOLE.get(state.rpartition(", ")[2])
        self.found += [f"{state} @ {self.width}: console error {e['message']}" for e in self.driver.get_log("browser")
                       if e["level"] == "SEVERE" and not (expected and expected in e["message"])]
        for v in self.driver.execute_async_script(AXE_RUN, TAGS):
            nodes = [f"    {n['target']} — {n['summary']} | {n['html']}" for n in v["nodes"][:SHOWN]]
            more = [f"    and {len(v['nodes']) - SHOWN} more"] if len(v["nodes"]) > SHOWN else []
            self.found.append("\n".join([f"{state} @ {self.width}: {v['rule']} ({v['impact']}), "
                                          f"{len(v['nodes'])} nodes — {v['help']}", *nodes, *more]))

    def passed(self) -> None:
        """Fail the test with every violation found (page and state, rule, impact and the nodes' selectors) and
        every console error."""
        if self.found:
            pytest.fail(f"{len(self.found)} accessibility violations:\n" + "\n".join(self.found), pytrace=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three weeks of the demo plant with its actions, this quarter's OKRs and an admin to sign in as."""
    services = load_demo(tmp_path_factory.mktemp("a11y-demo"), DEMO_NOW, days=21)
    demo_actions(services)
    demo_okrs(services)
    services.accounts.add_user("cli", ADMIN, PASSWORD, "admin", display_name=ADMIN_NAME)
    yield services
    services.dispose()


@pytest.fixture(scope="module")
def app(demo):  # type: ignore[no-untyped-def]
    """One app for the module's tests."""
    return create_app(demo.settings, services=demo)


def _settled(dash_duo, selector: str, timeout: float = 40) -> None:  # type: ignore[no-untyped-def]
    """Wait for ``selector`` and then for every callback in flight to answer."""
    dash_duo.wait_for_element(selector, timeout=timeout)
    until(dash_duo._wait_for_callbacks, timeout=timeout, poll=0.2)


def _visit(dash_duo, path: str, selector: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.get(dash_duo.server.url + path)
    _settled(dash_duo, selector)


def _sign_in_wrongly(dash_duo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.find_element("input[name=username]").send_keys(ADMIN)
    dash_duo.find_element("input[name=password]").send_keys("not-the-password")
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_element(".form-error", timeout=15)


def _sign_in(dash_duo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.find_element("input[name=username]").clear()
    dash_duo.find_element("input[name=username]").send_keys(ADMIN)
    dash_duo.find_element("input[name=password]").send_keys(PASSWORD)
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", f"{ADMIN_NAME} ·", timeout=15)


def _open_list(control_id: str) -> Callable[..., None]:
    def open_list(dash_duo) -> None:  # type: ignore[no-untyped-def]
        dash_duo.find_element(f"#{control_id}").click()
        dash_duo.wait_for_element(".dash-dropdown-options label", timeout=10)

    return open_list


def _close_list(dash_duo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)
    dash_duo.wait_for_no_elements(".dash-dropdown-options label", timeout=10)


def _open_calendar(dash_duo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.find_element(f"#{ids.TREE_DATE}").click()
    dash_duo.wait_for_element(".dash-datepicker-content", timeout=10)


def _open_plan(dash_duo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.find_element(f"#{ids.OKR_PLAN} summary").click()
    until(dash_duo._wait_for_callbacks, timeout=20, poll=0.2)


def _start_huddle(dash_duo) -> None:  # type: ignore[no-untyped-def]
    dash_duo.find_element(f"#{ids.HUDDLE_START}").click()
    dash_duo.wait_for_element(f"#{ids.HUDDLE_SEGMENTS} .huddle-segment", timeout=20)
    until(dash_duo._wait_for_callbacks, timeout=20, poll=0.2)


@dataclass(frozen=True)
class State:
    """A page at an address, drawn when ``ready`` shows, then each step done (and checked) in turn."""

    name: str
    path: str
    ready: str
    steps: tuple[tuple[str, Callable[..., None]], ...] = ()


#: anonymous first (as anyone on a trusted network, and a wall TV), then signed in as an admin: every form shows
STATES = [
    State("404", "/no-such-page", ".not-found h1"),
    State("board kiosk", "/board?kiosk=1", f"#{ids.BOARD_BODY} .tile"),
    State("board playlist", "/board?kiosk=1&scopes=L1,L2&cycle=30", f"#{ids.BOARD_BODY} .tile"),
    State("board kiosk, the shift in progress, a huddle timer", "/board?kiosk=1&live=1&timer=15",
          f"#{ids.BOARD_BODY} .tile"),
    State("overview (anyone)", "/", f"#{ids.OVERVIEW_TABLE} table"),
    State("sign-in", "/login", "form.login-form",
          (("a wrong password", _sign_in_wrongly), ("signed in", _sign_in))),
    State("overview", "/", f"#{ids.OVERVIEW_TABLE} table"),
    State("board with its action forms", "/board", f"#{ids.BOARD_BODY} .tile",
          (("its scope list open", _open_list(ids.BOARD_SCOPE)), ("closed again", _close_list),
           ("in huddle mode", _start_huddle))),
    State("huddle records", "/huddles", f"#{ids.HUDDLES_TABLE} .empty"),
    State("tree with a node's panel", "/tree?node=unplanned_downtime", f"#{ids.TREE_PANEL} h2",
          (("its calendar open", _open_calendar),)),
    State("okr with the check-in form", "/okr", ".okr-ci-row", (("the planning forms open", _open_plan),)),
    State("review", "/review", f"#{ids.REVIEW_BODY} .js-plotly-plot"),
    State("KPI stack filtered to a layer", "/stack?scope=L2&layer=2", f"#{ids.STACK_FILTER} .filter-chip"),
    State("KPI stack", "/stack", f"#{ids.STACK_BODY} .stack-layer"),
    State("data", "/data", f"#{ids.DATA_QUARANTINE}"),
    State("admin", "/admin", f"#{ids.ADMIN_USERS} table"),
    State("sites", "/portfolio", "tr.site-row"),
]


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Two small plants served together: the header's site picker and the portfolio comparing them."""
    folder = tmp_path_factory.mktemp("a11y-sites")
    ex, lake = folder / "ex.yaml", folder / "lake.yaml"
    ex.write_text(SMALL_PLANT, encoding="utf-8")
    lake.write_text(SMALL_PLANT.replace("{key: ex, name: Example Plant, timezone: Europe/Berlin}",
                                        "{key: lake, name: Lakeside Plant, timezone: America/Chicago}"),
                    encoding="utf-8")
    settings = Settings(data_dir=folder, sites=(ex, lake), anonymous_access="read")
    sites = build_sites(settings, clock=lambda: SMALL_NOW)
    yield settings, sites
    sites.dispose()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_page_in_any_state_breaks_a_wcag_rule(dash_duo, app, width: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.set_window_size(*WIDTHS[width])
    dash_duo.driver.set_script_timeout(60)
    audit = Audit(dash_duo.driver, width)
    for state in STATES:
        _visit(dash_duo, state.path, state.ready)
        audit.check(state.name)
        for label, step in state.steps:
            step(dash_duo)
            audit.check(f"{state.name}, {label}")
    audit.passed()


def _active(dash_duo) -> str:  # type: ignore[no-untyped-def]
    """The focused element as 'TAG#id' (or TAG[name] for an element without an id)."""
    return dash_duo.driver.execute_script(
        "const e = document.activeElement;"
        "return e.tagName + (e.id ? '#' + e.id : '[' + (e.getAttribute('name') || '') + ']');")


def test_the_keyboard_reaches_and_opens_the_mended_controls(dash_duo, app) -> None:  # type: ignore[no-untyped-def]
    """The mended dropdown is one Tab stop (its button) that opens with the arrow key and closes with Escape, and
    Tab goes on to the radio buttons next to it and back again."""
    dash_duo.start_server(app, navigate=False)
    _visit(dash_duo, "/board", f"#{ids.BOARD_BODY} .tile")
    body = dash_duo.find_element("body")
    body.send_keys(Keys.TAB)
    for _ in range(30):
        if _active(dash_duo) == f"BUTTON#{ids.BOARD_SCOPE}":
            break
        dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert _active(dash_duo) == f"BUTTON#{ids.BOARD_SCOPE}"
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    dash_duo.wait_for_element(".dash-dropdown-options label", timeout=10)
    until(lambda: dash_duo.driver.execute_script(  # the list takes the focus (its search box or first option)
        "return !!document.activeElement.closest('.dash-dropdown-content');"), timeout=10)
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    dash_duo.wait_for_no_elements(".dash-dropdown-options label", timeout=10)
    until(lambda: _active(dash_duo) == f"BUTTON#{ids.BOARD_SCOPE}", timeout=10)  # and gives it back
    dash_duo.driver.switch_to.active_element.send_keys(Keys.TAB)
    assert _active(dash_duo) == f"INPUT[{ids.BOARD_MODE}]"  # the shift radio buttons, named by their group
    dash_duo.driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    assert _active(dash_duo) == f"BUTTON#{ids.BOARD_SCOPE}"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_sites_and_their_picker_break_no_wcag_rule(dash_duo, two_sites, width: str) -> None:  # type: ignore[no-untyped-def]
    settings, sites = two_sites
    dash_duo.start_server(create_app(settings, sites=sites), navigate=False)
    dash_duo.driver.set_window_size(*WIDTHS[width])
    dash_duo.driver.set_script_timeout(60)
    audit = Audit(dash_duo.driver, width)
    _visit(dash_duo, "/portfolio", "tr.site-row[data-site='lake']")
    audit.check("sites of two plants")
    _open_list(ids.SITE_PICK)(dash_duo)
    audit.check("sites of two plants, the site picker open")
    audit.passed()
