"""One morning of tiered daily management in a real Chromium, on SQLite, as the issue's Done-when plays it.

05:40 — the night shift's operator codes a stop on Line 1 on the tablet page (/entry). 06:05 — the line's huddle
starts on the line's board, sees the downtime red, leaves the agenda for the board to escalate it to the area, takes
the huddle up again and closes it; the scheduler's minute tells the shift leads by e-mail (a local SMTP server) and
the andon by webhook (a local HTTP receiver). 08:30 — the area's meeting sees it received, accepts it with an owner
and a date, answers it, and closes its huddle. 14:05 — the line's board shows the answer, which the line's leader
acknowledges. Both huddle records hold the escalation. The server's clock is the test's; no console errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.services.container import build_services
from huddle.dashboard.services.escalation_board import red_tiles
from huddle.dashboard.services.notifications import Notifier
from huddle.dashboard.settings import Settings
from huddle.dashboard.web import ids

from tests.conftest import SMALL_PLANT, write_past
from tests.e2e.test_escalations_browser import accept_and_answer, escalate, hear_answer, no_console_errors
from tests.integration.test_notifications import PASSWORD as SMTP_PASSWORD
from tests.integration.test_notifications import Mailbox, Receiver, mailbox, receiver  # noqa: F401
from tests.integration.test_one_morning import COUNTS, MORNING

pytestmark = [pytest.mark.e2e,
              pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")]

PASSWORD = "a long password for tests"
PEOPLE = (("olga", "operator", "Olga Operator", "L1"), ("tom", "editor", "Tom Leader", "L1"),
          ("anna", "editor", "Anna Supervisor", "a"))


def at(hour: int, minute: int) -> datetime:
    """A moment of Friday 20 Nov in Berlin (UTC+1), as UTC."""
    return datetime(2026, 11, 20, hour - 1, minute, tzinfo=UTC)


@pytest.fixture
def moment() -> list[datetime]:
    """The server's clock, which the test moves on through the morning."""
    return [at(5, 40)]


@pytest.fixture
def services(tmp_path: Path, moment: list[datetime], mailbox: tuple[Mailbox, int]) -> Iterator[Any]:  # noqa: F811
    """The small plant with a reason tree, its tiers and notification rules; Thursday's night shift
    loaded; sign-in required; Line 1's operator and leader and Area A's supervisor."""
    plant = tmp_path / "plant.yaml"
    plant.write_text(SMALL_PLANT + MORNING, encoding="utf-8")
    settings = Settings(data_dir=tmp_path, plant_config=plant, anonymous_access="off", smtp_host="127.0.0.1",
                        smtp_port=mailbox[1], smtp_tls="off", smtp_sender="huddle@plant.test",
                        smtp_username="huddle")
    built = build_services(settings, clock=lambda: moment[0])
    (tmp_path / "inbox" / "stops").mkdir(parents=True)
    write_past(tmp_path / "inbox" / "counts" / "counts.csv", COUNTS)
    built.loader.run_source("counts")
    for name, role, shown, scope in PEOPLE:
        built.accounts.add_user("cli", name, PASSWORD, role, shown, scope)
    yield built
    built.dispose()


def sign_in(dash_duo: Any, username: str, name: str, path: str) -> None:
    """Sign in afresh as one of the plant's people and open ``path``."""
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(dash_duo.server.url + "/login?next=/")
    dash_duo.wait_for_element("input[name=username]", timeout=15).send_keys(username)
    dash_duo.find_element("input[name=password]").send_keys(PASSWORD)
    dash_duo.find_element("form.login-form button[type=submit]").click()
    dash_duo.wait_for_contains_text(".who", f"{name} ·", timeout=20)
    dash_duo.driver.get(dash_duo.server.url + path)


def tap(dash_duo: Any, label: str) -> None:
    """Tap the entry page's visible button that says ``label``, once the page has drawn it."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    path = f"//button[normalize-space()='{label}']"

    def tapped(driver: Any) -> bool:
        try:
            found = [b for b in driver.find_elements("xpath", path) if b.is_displayed()]
            if found:
                found[0].click()
                return True
        except StaleElementReferenceException:
            pass
        return False

    WebDriverWait(dash_duo.driver, 15, poll_frequency=0.2).until(tapped)
    if dash_duo.driver.find_elements("xpath", path + "[contains(@class, 'entry-choice')]"):
        WebDriverWait(dash_duo.driver, 15, poll_frequency=0.2).until(
            lambda driver: driver.find_elements("xpath", path + "[@aria-pressed='true']"))


def start_huddle(dash_duo: Any, title: str) -> None:
    dash_duo.wait_for_element(f"#{ids.BOARD_BODY} .tile", timeout=20)
    dash_duo.find_element(f"#{ids.HUDDLE_START}").click()
    dash_duo.wait_for_contains_text(f"#{ids.HUDDLE_TITLE}", title, timeout=20)


def show_segment(dash_duo: Any, name: str) -> str:
    """Move the huddle on to its segment ``name``; the segment's text."""
    for _ in range(10):
        shown = [s for s in dash_duo.find_elements(".huddle-segment") if s.is_displayed()]
        if shown and shown[0].find_element("css selector", "h2").text == name:
            return str(shown[0].text)
        dash_duo.find_element(f"#{ids.HUDDLE_NEXT}").click()
        dash_duo.wait_for_element(".huddle-segment:not([hidden])", timeout=10)
    raise AssertionError(f"no segment {name!r}")


def close_huddle(dash_duo: Any, present: tuple[str, ...], scope_name: str) -> None:
    """Tick who is here and close the huddle; its record names the scope."""
    for label in dash_duo.find_elements(f"#{ids.HUDDLE_PEOPLE} label"):
        if label.text.strip() in present:
            label.click()
    dash_duo.find_element(f"#{ids.HUDDLE_CLOSE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.HUDDLE_MESSAGE}", "Recorded:", timeout=20)
    assert scope_name in dash_duo.find_element(f"#{ids.HUDDLE_MESSAGE}").text


def test_one_morning(dash_duo, app, services, moment, mailbox, receiver) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dash_duo.start_server(app, navigate=False)

    # 05:40 — the operator codes the stop on the tablet: the filler's motor tripped an hour ago
    sign_in(dash_duo, "olga", "Olga Operator", "/entry")
    for label in ("Filler", "Motor trip", "60 min ago", "Save stop"):
        tap(dash_duo, label)
    dash_duo.wait_for_text_to_equal(f"#{ids.ENTRY_STOP_MESSAGE}", "Stop stored: Motor trip, 04:40–05:40 on Line 1",
                                    timeout=20)

    # 06:05 — the line's huddle sees the night's downtime red, and escalates it
    moment[0] = at(6, 5)
    services.loader.run_all()  # the scheduler's reading after the night shift's end: nothing new in the files
    sign_in(dash_duo, "tom", "Tom Leader", "/board?scope=L1")
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "60 min Motor trip", timeout=20)
    start_huddle(dash_duo, "Line 1 – Area A")
    assert "Unplanned downtime" in show_segment(dash_duo, "Delivery")
    dash_duo.find_element(f"#{ids.HUDDLE_LEAVE}").click()
    period = services.readings.last_completed_shift()
    reading = red_tiles(services, "L1", period)["unplanned_downtime"]
    escalate(dash_duo, f"Red tile: {reading}", "The filler motor keeps tripping: we need a spare motor",
             "Area meeting (Area A)")
    moment[0] = at(6, 17)
    start_huddle(dash_duo, "Line 1 – Area A")  # taken up again where it was left
    assert "The filler motor keeps tripping" in show_segment(dash_duo, "Escalations")
    close_huddle(dash_duo, ("Tom Leader", "Olga Operator"), "Line 1 – Area A")

    # the scheduler's minute: the shift leads get an e-mail, the andon a webhook post
    sent = Notifier(services, {"TEST_SMTP_PASSWORD": SMTP_PASSWORD,
                               "TEST_ANDON": f"{receiver.url}/andon/hook-token"}).run()
    assert (sent.sent, sent.failed) == (2, 0)
    [mail] = mailbox[0].messages()
    assert mail["To"] == "leads@plant.test" and "Unplanned downtime" in mail["Subject"]
    [post] = receiver.to("andon")
    assert (post["cause"], post["scope"], post["state"]) == ("kpi_red", "L1", "raised")

    # 08:30 — the area's meeting: received, accepted with an owner and a date, answered
    moment[0] = at(8, 30)
    sign_in(dash_duo, "anna", "Anna Supervisor", "/board?scope=a")
    start_huddle(dash_duo, "Area A")
    assert "The filler motor keeps tripping" in show_segment(dash_duo, "Escalations")
    dash_duo.find_element(f"#{ids.HUDDLE_LEAVE}").click()
    accept_and_answer(dash_duo, "Line 1 – Area A: The filler motor keeps tripping: we need a spare motor",
                      "Max Maintenance", "11242026", "spare motor ordered, fitted Tue")
    moment[0] = at(8, 48)
    start_huddle(dash_duo, "Area A")
    close_huddle(dash_duo, ("Anna Supervisor",), "Area A")

    # 14:05 — the late shift's huddle on Line 1 hears the answer
    moment[0] = at(14, 5)
    sign_in(dash_duo, "tom", "Tom Leader", "/board?scope=L1")
    hear_answer(dash_duo, "Area meeting: spare motor ordered, fitted Tue")

    [escalation] = services.escalations.listing()
    assert (escalation.state, escalation.owner, escalation.kpi) == ("acknowledged", "Max Maintenance",
                                                                    "unplanned_downtime")
    records = {r.scope: r for r in services.huddles.listing(at(6, 0).date())}
    assert set(records) == {"L1", "a"}
    for record in records.values():
        assert escalation.id in [e["id"] for e in record.escalations], record
    no_console_errors(dash_duo)
