"""Human words on every page, in a real Chromium: the visible text of each page of the demo (with its actions and
OKRs, signed in as an admin) holds no internal id: no KPI or record key (``scrap_rate``, ``production_counts``), no
line key (``L2``), no shift id (``2026-11-30/N``), no week or quarter id (``2026-W48``, ``2026-Q4``) and no
login (``maria.lopez``). File names, folders and text quoted from a file are the plant's own words and stay."""

from __future__ import annotations

import re

import pytest
from dash.testing.wait import until
from huddle.dashboard.demo import OKR_AUTHORS, demo_actions, demo_baselines, demo_okrs
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

from tests.conftest import DEMO_NOW, load_demo

pytestmark = pytest.mark.e2e

ADMIN, ADMIN_NAME, PASSWORD = "sam.keller", "Sam Keller", "admin-password-1"
RAW_IDS = re.compile(r"\b[a-z]+_[a-z_]+\b|\bL\d\b|\d{4}-\d\d-\d\d/[A-Z]|\b\d{4}-W\d\d\b|\b\d{4}-Q[1-4]\b")
#: the plant's own words that may look like ids: file names, folders and addresses, and text quoted from a file
THEIRS = re.compile(r"'[^'\n]*'|\S+\.(?:csv|xlsx|xls|sqlite|txt|json|ya?ml|ok)\b|(?<!\S)/\S+|\w+://\S+")
BUSY_JS = "return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length;"
#: every page and what shows that its callbacks have drawn it
PAGES = [
    ("/board", f"#{ids.BOARD_BODY} .tile"),
    ("/board?kiosk=1", f"#{ids.BOARD_BODY} .tile"),
    ("/tree?scope=L2&node=unplanned_downtime", f"#{ids.TREE_PANEL} h2"),
    ("/tree?scope=filling&grain=day&node=mtbf", f"#{ids.TREE_PANEL} .asset-reliability"),  # MTBF by asset
    ("/okr", f"#{ids.OKR_OBJECTIVES} .okr-objective"),
    ("/review", f"#{ids.REVIEW_BODY} .js-plotly-plot"),
    ("/stack?scope=L2", f"#{ids.STACK_BODY} .stack-layer"),
    ("/baseline?tree=oee", f"#{ids.BASE_HISTORY} table"),
    # the layer filter's pickers and chips, on every page that lists KPIs
    ("/?layer=2", f"#{ids.OVERVIEW_FILTER} .filter-chip"),
    ("/board?scope=L2&layer=2", f"#{ids.BOARD_BODY} .filter-chip"),
    ("/tree?scope=L2&layer=3", f"#{ids.TREE_SUMMARY} .filter-chip"),
    ("/okr?layer=4", f"#{ids.OKR_FILTER} .filter-chip"),
    ("/review?layer=2", f"#{ids.REVIEW_BODY} .filter-chip"),
    ("/data", f"#{ids.DATA_BASELINE} table"),
    ("/", f"#{ids.OVERVIEW_TABLE} table"),
    ("/admin", f"#{ids.ADMIN_AUDIT} table"),
    ("/portfolio", f"#{ids.PORTFOLIO_BODY} table"),
    ("/no-such-page", "h1"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three weeks of the demo plant with its actions and this quarter's OKRs, and an admin to sign in."""
    services = load_demo(tmp_path_factory.mktemp("words-demo"), DEMO_NOW, days=21)
    demo_actions(services)
    demo_okrs(services)
    demo_baselines(services)
    services.accounts.add_user("cli", ADMIN, PASSWORD, "admin", ADMIN_NAME)
    yield services
    services.dispose()


def raw_ids(text: str, logins: set[str]) -> list[str]:
    """The internal ids in a page's visible text, once the plant's own file names and quotes are set aside."""
    said = THEIRS.sub(" ", text)
    found = {m.group(0) for m in RAW_IDS.finditer(said)}
    found |= {login for login in logins if re.search(rf"(?<![\w.]){re.escape(login)}(?![\w.])", said)}
    return sorted(found)


def test_the_filter_finds_what_it_should_and_spares_the_plants_words() -> None:
    logins = {"maria.lopez"}
    assert raw_ids("KPI scrap_rate at L2 for 2026-11-30/N, 2026-W48 by maria.lopez", logins) == [
        "2026-11-30/N", "2026-W48", "L2", "maria.lopez", "scrap_rate"]
    assert raw_ids("sample_cut_off.csv in /srv/inbox/kpi_values: 'L3,2026-08-04' Line 2 – Filling, Week 48", logins) \
        == []


def _visible_text(dash_duo, selector: str) -> str:  # type: ignore[no-untyped-def]
    dash_duo.wait_for_element(selector, timeout=45)
    until(lambda: dash_duo.driver.execute_script(BUSY_JS) == 0, timeout=30)
    return dash_duo.driver.execute_script("return document.body.innerText;")


def test_no_page_shows_an_internal_id(dash_duo, demo) -> None:  # type: ignore[no-untyped-def]
    logins = {u.username for u in demo.accounts.users()} | set(OKR_AUTHORS.values())
    dash_duo.start_server(create_app(demo.settings, services=demo), navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/login")
    dash_duo.wait_for_element("input[name=username]", timeout=10)
    found = {"/login": raw_ids(dash_duo.driver.execute_script("return document.body.innerText;"), logins)}
    dash_duo.find_element("input[name=username]").send_keys(ADMIN)
    dash_duo.find_element("input[name=password]").send_keys(PASSWORD)
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", f"{ADMIN_NAME} ·", timeout=15)
    errors = []
    for path, ready in PAGES:
        dash_duo.driver.get(dash_duo.server.url + path)
        found[path] = raw_ids(_visible_text(dash_duo, ready), logins)
        # the 404 page answers its own address with a 404, as it should; anything else logged is an error
        errors += [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"
                   and not (path == "/no-such-page" and e["message"].startswith(dash_duo.server.url + path))]
    assert {path: ids_ for path, ids_ in found.items() if ids_} == {}
    assert errors == [], errors
