"""The kiosk board measured in Chromium as a wall TV shows it, on the demo plant at its fixed clock: at 1920×1080
at most a fifth of the visible characters under 24 px, tile values of 48 px or more, labels and statuses of 24 px;
at 1920×1080 and 1366×768 nothing clipped or spilling and no page that scrolls; the playlist says what comes next."""

from __future__ import annotations

from typing import Any

import pytest
from huddle.dashboard.web import ids

from tests.e2e.readability import font_sizes, measure, viewport

pytestmark = pytest.mark.e2e

TVS = [(1920, 1080), (1366, 768)]
#: the shift that just ended on the whole plant, the shift in progress on a line, and a playlist of three
BOARDS = ["/board?kiosk=1", "/board?kiosk=1&live=1&scope=L2", "/board?kiosk=1&scopes=L1,packing,plant&cycle=600"]


@pytest.fixture
def services(make_demo: Any, request: pytest.FixtureRequest) -> Any:
    """The demo plant as at DEMO_NOW (08:30 in Berlin, the early shift running), anyone may read; a test given a
    language (``indirect``) has the plant speak it, as ``huddle demo --language`` does."""
    return make_demo(language=getattr(request, "param", None))


def _no_console_errors(dash_duo: Any) -> None:
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == [], errors


def _open(dash_duo: Any, path: str, width: int, height: int) -> dict[str, Any]:
    """The board at ``path`` drawn in a ``width`` × ``height`` window, measured."""
    viewport(dash_duo.driver, width, height)
    dash_duo.driver.get(dash_duo.server_url + path)
    dash_duo.wait_for_element(".board-lower .panel", timeout=30)
    dash_duo.wait_for_element(".board-column .kpi-value", timeout=10)
    return measure(dash_duo.driver)


@pytest.mark.parametrize("path", BOARDS)
def test_the_kiosk_board_reads_from_4_m_and_fits_one_screen(dash_duo: Any, app: Any, path: str) -> None:
    dash_duo.start_server(app)
    for width, height in TVS:
        shown = _open(dash_duo, path, width, height)
        assert shown["total"] > 500, shown  # the board was drawn, not a message
        assert shown["clipped"] == [], (width, height, shown["clipped"])
        assert (shown["scrollWidth"], shown["scrollHeight"]) == (width, height)  # the page does not scroll
        if width == 1920:
            assert shown["share"] <= 0.20, (shown["share"], shown["smallTexts"][:20])
            values = font_sizes(dash_duo.driver, ".kpi-value")
            assert len(values) >= 10 and min(values) >= 48, values
            for labels in (".kpi-name", ".tile .badge", ".cat-name", ".badge.big", ".kpi-target", ".mark",
                           ".cross-fact", ".panel h3", ".panel td", ".board-when"):
                assert min(font_sizes(dash_duo.driver, labels) or [24]) >= 24, labels
    _no_console_errors(dash_duo)


@pytest.mark.parametrize("services", ["de"], indirect=True)
def test_the_german_shift_in_progress_fits_the_tv_with_one_short_mark_a_tile(dash_duo: Any, app: Any) -> None:
    """German words run long: the shift in progress, its tiles marked for gaps, a streak and actions, still fits."""
    dash_duo.start_server(app)
    for width, height in TVS:
        shown = _open(dash_duo, "/board?kiosk=1&live=1&scope=L2", width, height)
        assert "Frühschicht" in dash_duo.find_element(f"#{ids.BOARD_BODY}").text  # the plant speaks German
        assert shown["clipped"] == [], (width, height, shown["clipped"])
        assert (shown["scrollWidth"], shown["scrollHeight"]) == (width, height)  # the page does not scroll
        marks = dash_duo.driver.execute_script(
            "return [...document.querySelectorAll('.tile')].map(t => [...t.querySelectorAll('.mark')]"
            ".filter(m => m.offsetParent !== null).map(m => m.innerText))")
        assert max(len(m) for m in marks) == 1 and any(m for m in marks), marks  # at most one mark a tile, shown
    _no_console_errors(dash_duo)


def test_the_playlist_says_what_comes_next_and_counts_down(dash_duo: Any, app: Any) -> None:
    dash_duo.start_server(app)
    viewport(dash_duo.driver, 1920, 1080)
    dash_duo.driver.get(dash_duo.server_url + "/board?kiosk=1&scopes=L1,packing,plant&cycle=4")
    dash_duo.wait_for_contains_text(".board-title", "Line 1", timeout=30)
    dash_duo.wait_for_text_to_equal(".playlist-next", "next: Packing", timeout=10)
    fill = dash_duo.find_element(".playlist-fill")
    assert fill.value_of_css_property("animation-duration") == "4s"
    dash_duo.wait_for_contains_text(".board-title", "Packing", timeout=15)
    dash_duo.wait_for_text_to_equal(".playlist-next", "next: Riverside Plant", timeout=10)
    dash_duo.wait_for_text_to_equal(".playlist-next", "next: Line 1 – Filling", timeout=15)  # a full loop
    assert dash_duo.find_element(f"#{ids.BOARD_PLAYLIST}").is_displayed()
    _no_console_errors(dash_duo)


def test_the_desk_board_keeps_what_the_tv_leaves_out(dash_duo: Any, app: Any) -> None:
    dash_duo.start_server(app)
    _open(dash_duo, "/board?kiosk=1", 1920, 1080)
    tv = dash_duo.find_element(f"#{ids.BOARD_BODY}").text
    assert "on the desk board" in tv and "lost" not in tv  # the hours it leaves out counted; no summary sentence
    _open(dash_duo, "/board", 1920, 1080)
    desk = dash_duo.find_element(f"#{ids.BOARD_BODY}").text
    assert "on the desk board" not in desk and "lost" in desk
    assert not dash_duo.find_element(f"#{ids.BOARD_PLAYLIST}").is_displayed()  # no playlist, no cue
    _no_console_errors(dash_duo)


SHAPE = """
const sig = s => [s.backgroundImage, s.boxShadow, s.borderTopStyle, s.borderTopWidth]
  .map(v => v.replace(/rgba?\\([^)]*\\)|#[0-9a-f]+/gi, 'c')).join(' | ');
const out = {};
for (const cell of document.querySelectorAll('.board-page.kiosk .letter .cell:not(.empty)')) {
  const status = cell.classList.contains('future') ? 'future'
    : [...cell.classList].filter(c => c.startsWith('status-') || c.startsWith('safety-')).join(' ');
  (out[status] = out[status] || new Set()).add(sig(getComputedStyle(cell)));
}
return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
"""


def test_the_tvs_letter_days_differ_by_shape_not_only_colour(dash_duo: Any, app: Any) -> None:
    """Too small for day numbers and icons on the TV, each status of a day has a shape of its own."""
    dash_duo.start_server(app)
    _open(dash_duo, "/board?kiosk=1", 1920, 1080)
    shapes = dash_duo.driver.execute_script(SHAPE)
    seen = {status: found[0] for status, found in shapes.items()}
    assert all(len(found) == 1 for found in shapes.values()), shapes  # one status, one shape
    for wanted in ("status-green", "status-red", "status-amber", "status-grey", "safety-none", "safety-near_miss",
                   "future"):
        assert wanted in seen, sorted(seen)
    same = [(a, b) for a in seen for b in seen if a < b and seen[a] == seen[b]
            and {a, b} not in ({"status-green", "safety-none"}, {"status-red", "safety-recordable"},
                               {"status-amber", "safety-near_miss"})]  # the same meaning on the cross and letters
    assert same == [], (same, seen)
    _no_console_errors(dash_duo)
