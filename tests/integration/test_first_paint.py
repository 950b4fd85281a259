"""The first paint: the layout comes with the page the browser is on, drawn (the board's tiles from its first
answer, the routing callback never called), a TV's page carries a plain-HTML picture of the board before any
script runs, and whatever fails there, the page still comes the way Dash draws it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.web import ids
from huddle.dashboard.web.address import BoardAddress
from huddle.dashboard.web.first_paint import PAGES_CONTENT, PAGES_LOCATION

from tests.conftest import SMALL_PLANT, client_for, write_past
from tests.integration.test_board_refresh import refresh

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
KIOSK = "/board?scope=L1&date=2026-11-20&shift=E&kiosk=1"


@pytest.fixture
def client(make_services, tmp_path: Path) -> Any:  # type: ignore[no-untyped-def]
    """The small plant with the early shift's counts of line L1 loaded, served."""
    services = make_services(None, now=NOW)
    write_past(tmp_path / "inbox/counts/a.csv", "line,start,end,total,good,planned\n"
               "L1,2026-11-20 06:00,2026-11-20 10:00,10000,9800,12000\n")
    services.loader.run_all()
    return client_for(services)


def _find(node: Any, wanted: str) -> dict[str, Any] | None:
    """The component with id ``wanted`` in a layout as Dash sends it."""
    if isinstance(node, list):
        return next((found for child in node if (found := _find(child, wanted))), None)
    if not isinstance(node, dict) or "props" not in node:
        return None
    if node["props"].get("id") == wanted:
        return node
    return _find(node["props"].get("children"), wanted)


def _layout(client: Any, referrer: str | None) -> Any:
    headers = {"Referer": referrer} if referrer else {}
    answer = client.get("/_dash-layout", headers=headers)
    assert answer.status_code == 200
    return json.loads(answer.data)


def _entry(page: str) -> str:
    """What the page's first answer draws where the app will render."""
    start = page.index('<div id="react-entry-point">')
    return page[start:page.index('<footer>', start)]


def test_the_layout_comes_with_the_board_the_browser_is_on_drawn(client) -> None:  # type: ignore[no-untyped-def]
    layout = _layout(client, f"http://localhost{KIOSK}")
    location = _find(layout, PAGES_LOCATION)
    assert location and location["props"]["pathname"] == "/board"  # the browser's own: the routing callback rests
    assert location["props"]["search"] == KIOSK.split("/board")[1]
    body, key = _find(layout, ids.BOARD_BODY), _find(layout, ids.BOARD_KEY)
    assert body and key and key["props"]["data"]
    drawn = json.dumps(body)
    assert "Line 1" in drawn and '"tile status-' in drawn  # the board's tiles, in the plant's words
    # the board's first refresh, as the browser sends it with that key, sends nothing: nothing is drawn twice
    view = BoardAddress.from_query({"scope": "L1", "date": "2026-11-20", "shift": "E", "kiosk": "1"}).as_view()
    assert refresh(client, view, key["props"]["data"]).status_code == 204
    # the page's own first call sends the key back and no board: what follows the board (the handover lead, the
    # escalations, the action pickers) draws on the key, as it did when the first call brought the board
    first = refresh(client, view, key["props"]["data"], initial=True)
    assert first.status_code == 200
    assert first.get_json()["response"] == {"board-key": {"data": key["props"]["data"]}}


@pytest.mark.parametrize("referrer", [None, "http://elsewhere.example/board?kiosk=1", "http://localhost/nowhere"])
def test_without_a_page_of_ours_the_layout_is_dashs_own(client, referrer: str | None) -> None:  # type: ignore[no-untyped-def]
    content = _find(_layout(client, referrer), PAGES_CONTENT)
    assert content is not None and not content["props"].get("children")  # filled by the routing callback, as ever


def test_a_tvs_board_arrives_as_a_picture_in_its_first_answer(client) -> None:  # type: ignore[no-untyped-def]
    entry = _entry(client.get(KIOSK).get_data(as_text=True))
    assert "_dash-loading" not in entry and entry.count('class="tile status-') >= 5
    assert '<div class="app kiosk">' in entry and "Line 1" in entry  # the header hidden, as the live page has it
    assert not re.search(r"\sid=\"(?!react-entry-point)", entry)  # nothing that passes for the live page
    # the desk board and the other pages have controls to use: they come as Dash draws them
    for path in ("/board?scope=L1", "/tree?kiosk=1", "/"):
        assert "_dash-loading" in _entry(client.get(path).get_data(as_text=True)), path


def test_the_picture_keeps_the_plants_words_as_text(make_services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plant = tmp_path / "hostile.yaml"
    plant.write_text(SMALL_PLANT.replace("name: Example Plant", "name: '<img src=x onerror=alert(1)> Plant'")
                     .replace("name: Area A", "name: \"Area <b>A</b>\""), encoding="utf-8")
    entry = _entry(client_for(make_services(None, now=NOW, plant=plant)).get(KIOSK).get_data(as_text=True))
    assert "&lt;img src=x onerror=alert(1)&gt; Plant" in entry and "<img src=x" not in entry
    assert "<b>A</b>" not in entry


def test_a_board_that_fails_to_draw_still_comes_as_a_page(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import huddle.callbacks.board as board_callbacks

    def broken(*_args: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(board_callbacks, "board_view", broken)
    assert "_dash-loading" in _entry(client.get(KIOSK).get_data(as_text=True))  # Dash's loading note, then the page
    content = _find(_layout(client, f"http://localhost{KIOSK}"), PAGES_CONTENT)
    assert content is not None and not content["props"].get("children")  # the routing callback draws it as ever
