"""A fresh web app answers the requests that arrive together as a room of TVs reconnecting after a restart sends them:
Dash's first-request set-up is done when the app is built, not by whichever requests come first."""

from __future__ import annotations

import threading
from typing import Any

from huddle.dashboard.web.app import create_app


def test_a_fresh_app_holds_its_page_router_before_any_request(make_services: Any) -> None:
    services = make_services()
    app = create_app(services.settings, services=services)
    outputs = " ".join(app.callback_map)
    assert "_pages_content.children" in outputs  # Dash adds the page router's callbacks on its first request


def test_requests_arriving_together_at_a_fresh_app_all_answer(make_services: Any) -> None:
    services = make_services()
    app = create_app(services.settings, services=services)
    count = 24
    start = threading.Barrier(count, timeout=60)
    answers: list[tuple[int, int]] = []

    def ask(client: Any) -> None:
        start.wait()
        response = client.get("/_dash-dependencies")
        answers.append((response.status_code, len(response.get_json() or [])))

    threads = [threading.Thread(target=ask, args=(app.server.test_client(),)) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == count
    assert {status for status, _n in answers} == {200}
    assert len({n for _status, n in answers}) == 1  # every one got every callback, the router's included
