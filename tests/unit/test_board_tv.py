"""The board on a wall TV: what it leaves to the desk board (and says so), and the playlist's cue of what comes
next. How it looks at 4 m is measured in Chromium (tests/e2e/test_board_tv_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from huddle.dashboard.core.plant import PlantConfig, parse_plant
from huddle.dashboard.web.address import BoardAddress
from huddle.pages import board as board_page

from tests.conftest import SMALL_PLANT
from tests.unit.test_renderers import board_model, classed, kpi_tile, one, text


@pytest.fixture(scope="module")
def config() -> PlantConfig:
    """The small plant of the shared fixtures, parsed."""
    return parse_plant(yaml.safe_load(SMALL_PLANT))


def hour(label: str, future: bool = False) -> dict[str, Any]:
    """One row of the hour-by-hour table."""
    return {"label": label, "planned": 100, "actual": 0 if future else 90, "has_data": not future, "future": future,
            "cum_planned": 100, "cum_actual": 90, "status": "grey" if future else "amber"}


def shown_on_tv(node: Any) -> list[str]:
    """The labels of the hour rows a TV shows (the desk board shows every row)."""
    return [text(r.children[0]) for r in classed(node, "future") + classed(node, "status-amber")
            if "desk-only" not in r.className]


@pytest.mark.parametrize("reached, tv, more", [
    (8, ["09", "10", "11", "12", "13"], "+3 earlier on the desk board"),  # a shift that ended: its last hours
    (3, ["06", "07", "08", "09", "10"], "+3 later on the desk board"),  # early in a shift: the first, and the plan
    (6, ["07", "08", "09", "10", "11"], "+1 earlier · +2 later on the desk board"),  # up to the hour in progress
])
def test_a_tv_shows_the_last_hours_up_to_now_and_says_how_many_more(reached: int, tv: list[str], more: str) -> None:
    hours = [hour(f"{h:02d}", future=i >= reached) for i, h in enumerate(range(6, 14))]
    panel = one(board_page.render_board(board_model(hours=hours)), "board-lower")
    assert sorted(shown_on_tv(panel)) == tv
    assert text(one(panel, "kiosk-only")) == more


def test_a_short_shift_shows_every_hour_and_no_more_line() -> None:
    panel = one(board_page.render_board(board_model(hours=[hour("06"), hour("07", future=True)])), "board-lower")
    assert sorted(shown_on_tv(panel)) == ["06", "07"] and classed(panel, "kiosk-only") == []


def test_a_tv_lists_three_open_actions_and_how_many_more() -> None:
    action = {"what": "Clean the filler", "owner": "Ann", "due": "2026-11-21", "overdue": False,
              "status": "open", "kpi": "oee"}
    body = board_page.render_board(board_model(actions=[action | {"what": f"Action {i}"} for i in range(5)]))
    rows = [r for r in classed(one(body, "actions"), "desk-only") if r.__class__.__name__ == "Tr"]
    assert [text(r.children[0]) for r in rows] == ["Action 3", "Action 4"]
    assert "+2 more on the desk board" in text(body[3]) and "Open actions (5)" in text(body[3])
    assert "2 stops, 47 min." in text(one(body, "summary"))  # the summary stays, on the desk board
    assert "desk-only" in one(body, "summary").className


def test_the_tv_leaves_out_the_safety_facts_a_tile_already_shows() -> None:
    model = board_model()
    safety = model["columns"][0]["safety"]
    safety["days_since"]["kpi"] = "days_since_recordable"
    safety["trir_month"] = safety["trir_month"] | {"kpi": "trir"}
    safety["trir_12m"] = safety["trir_12m"] | {"kpi": "trir"}
    model["columns"][0]["kpis"] = [kpi_tile(kpi="trir", name="TRIR")]
    facts = classed(board_page.render_board(model), "cross-fact")
    assert ["desk-only" in f.className for f in facts] == [False, True, False]  # TRIR this month has its tile


def test_the_playlist_names_what_comes_next(config: PlantConfig) -> None:
    playlist = BoardAddress(scopes=("L1", "a", "plant"), cycle=30)
    assert [playlist.next_scope(n) for n in (None, 0, 1, 2, 3)] == ["a", "a", "plant", "L1", "a"]
    assert BoardAddress(scopes=("L1",), cycle=30).next_scope(0) is None  # nothing to rotate to
    assert BoardAddress(scopes=("L1", "L2")).next_scope(0) is None  # no rotation
    titles = [board_page.scope_title(config, s) for s in ("L2", "a", "plant", "L9")]
    assert titles == ["Line 2 – Area A", "Area A", "Example Plant", "unknown scope L9"]
    first, second = board_page.playlist_cue("Line 2 – Area A", 30, 0), board_page.playlist_cue("Area A", 30, 1)
    assert text(first[0]) == "next: Line 2 – Area A"
    fills = [c[1].children.style["animation"] for c in (first, second)]
    assert fills == ["playlist-fill-0 30s linear forwards", "playlist-fill-1 30s linear forwards"]  # restarts


def test_a_tv_shows_the_tiles_most_in_need_of_attention_in_the_plant_file_s_order() -> None:
    statuses = ["green", "red", "grey", "amber", "red", "check"]
    kpis = [kpi_tile(kpi=f"k{i}", name=f"KPI {i}", status=s) for i, s in enumerate(statuses)]
    assert board_page.tv_tiles(kpis, room=2) == {1, 4}  # both reds, the first in the file first
    assert board_page.tv_tiles(kpis, room=3) == {1, 4, 5}  # then check data
    assert board_page.tv_tiles(kpis[:1], room=2) == {0}
    column = board_page.render_board(board_model(columns=[{"category": "D", "status": "red", "kpis": kpis,
                                                            "calendar": []}]))
    tiles = classed(column, "tile")
    assert [text(one(t, "kpi-name")) for t in tiles if "desk-only" not in t.className] == ["KPI 1", "KPI 4"]
    assert len(tiles) == 6  # the desk board keeps every tile
    assert text(one(column, "more")) == "+4 more on the desk board"


def test_a_column_that_fits_the_tv_says_nothing_more() -> None:
    body = board_page.render_board(board_model())
    assert classed(body, "more") == [] and all("desk-only" not in t.className for t in classed(body, "tile"))
