"""A failing part says so in a real Chromium: the board's panel shows the message where the board would be, a
failing part without a panel shows it above the page, the rest of the page stays, and the console stays clean."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from huddle.dashboard.web import ids
from huddle.dashboard.web.app import create_app

pytestmark = pytest.mark.e2e


def _no_console_errors(dash_duo) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_failing_parts_say_so_in_place_and_the_page_stays(dash_duo, make_services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    services = make_services(None, now=datetime(2026, 11, 20, 20, 0, tzinfo=UTC))

    def restarting() -> tuple[int, Any]:
        raise RuntimeError("the plant database is being restarted")

    def unreadable(*_args: Any, **_kwargs: Any) -> list[Any]:
        raise ValueError("the list of lines could not be read")

    monkeypatch.setattr(services.data_status, "version_and_liveness", restarting)  # the refresh's first read
    monkeypatch.setattr("huddle.callbacks.board.scope_options", unreadable)  # feeds a dropdown only: no panel to say it
    dash_duo.start_server(create_app(services.settings, services=services))
    dash_duo.driver.get(dash_duo.server_url + "/board?scope=L1&date=2026-11-20&shift=E")
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "This part could not be drawn: the plant database is "
                                    "being restarted — the rest of the page is current", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_MESSAGE}", "Part of this page could not be updated: the list of "
                                    "lines could not be read", timeout=15)
    assert dash_duo.find_element(f"#{ids.BOARD_BODY} .part-error").get_attribute("role") == "alert"
    assert "Board" in dash_duo.find_element(f"#{ids.NAV}").text  # the rest of the page is there
    _no_console_errors(dash_duo)


def test_a_board_date_outside_the_calendar_says_so(dash_duo, make_services) -> None:  # type: ignore[no-untyped-def]
    services = make_services(None, now=datetime(2026, 11, 20, 20, 0, tzinfo=UTC))
    dash_duo.start_server(create_app(services.settings, services=services))
    dash_duo.driver.get(dash_duo.server_url + "/board?date=9999-12-31&shift=N")
    dash_duo.wait_for_contains_text(f"#{ids.BOARD_BODY}", "There is no such date on the board: 9999-12-31 is outside "
                                    "the dates Huddle can show", timeout=15)
    _no_console_errors(dash_duo)
