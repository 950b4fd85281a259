"""The board's render cache in one process as a room of TVs uses it: requests asking for a board while it is drawn
wait for that one render and get its result, a failed render fails its waiters (and is not kept), a render that
hangs costs its waiters a render of their own after the wait, never a blank TV, and entries are the JSON Dash
sends."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from dash import html
from huddle.dashboard.web.render_cache import LocalRenderCache, RenderError

from tests.conftest import NEEDS_REAL_TIMED_WAITS


def ask_together(cache: LocalRenderCache, key: str, render: Any, n: int) -> tuple[list[Any], list[BaseException]]:
    """n threads asking for a key at the same instant; their answers and their errors."""
    start = threading.Barrier(n)
    answers: list[Any] = []
    errors: list[BaseException] = []

    def ask() -> None:
        start.wait()
        try:
            answers.append(cache.get_or_render(key, render))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return answers, errors


def test_requests_asking_while_a_board_is_drawn_wait_for_that_one_render() -> None:
    cache, renders = LocalRenderCache(), []

    def render() -> html.Div:
        renders.append(threading.get_ident())
        time.sleep(0.2)  # every request arrives while it renders
        return html.Div([html.H1("OEE 74.8 %")], id="board")

    answers, errors = ask_together(cache, "main|41|L2|2026-11-20/E|en|5899|ok", render, 30)
    assert not errors and len(renders) == 1 and len(answers) == 30
    assert all(a is answers[0] for a in answers)  # the very same entry, encoded once per answer
    assert answers[0] == {"namespace": "dash_html_components", "type": "Div", "props": {
        "id": "board", "children": [{"namespace": "dash_html_components", "type": "H1",
                                     "props": {"children": "OEE 74.8 %"}}]}}
    assert cache.get_or_render("main|41|L2|2026-11-20/E|en|5899|ok", render) is answers[0] and len(renders) == 1


def test_each_board_and_each_data_version_is_rendered_apart() -> None:
    cache, renders = LocalRenderCache(), []

    def render(name: str) -> Any:
        def draw() -> str:
            renders.append(name)
            time.sleep(0.05)
            return name
        return draw

    boards = ["main|41|plant|x|en|1|ok", "main|41|L1|x|en|1|ok", "main|42|plant|x|en|1|ok"]
    threads = [threading.Thread(target=cache.get_or_render, args=(k, render(k))) for k in boards * 10]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(renders) == sorted(boards)  # one render each, the new version never answered with the old one


def test_a_failed_render_fails_its_waiters_once_and_is_not_kept() -> None:
    cache, calls = LocalRenderCache(), []

    def broken() -> str:
        calls.append(1)
        time.sleep(0.2)
        raise ValueError("database gone")

    answers, errors = ask_together(cache, "k", broken, 10)
    assert not answers and len(calls) == 1 and len(errors) == 10
    assert sum(isinstance(e, ValueError) for e in errors) == 1  # the request that rendered
    waited = [e for e in errors if isinstance(e, RenderError)]
    assert len(waited) == 9 and all(isinstance(e.__cause__, ValueError) for e in waited)
    assert cache.get_or_render("k", lambda: "drawn again") == "drawn again"  # the failure was not kept


@NEEDS_REAL_TIMED_WAITS
def test_a_render_that_hangs_costs_its_waiters_a_render_of_their_own() -> None:
    cache, release = LocalRenderCache(wait_s=0.2), threading.Event()
    renders: list[str] = []

    def hangs() -> str:
        renders.append("stuck")
        release.wait(10)
        return "late board"

    stuck = threading.Thread(target=cache.get_or_render, args=("k", hangs))
    stuck.start()
    while not renders:
        time.sleep(0.005)
    t0 = time.perf_counter()
    assert cache.get_or_render("k", lambda: renders.append("here") or "board drawn here") == "board drawn here"
    assert 0.2 <= time.perf_counter() - t0 < 2 and renders == ["stuck", "here"]
    assert cache.get_or_render("k", hangs) == "board drawn here"  # kept: the next TV gets it at once
    release.set()
    stuck.join(10)


def test_the_least_recently_used_board_leaves_first() -> None:
    cache, renders = LocalRenderCache(size=2), []

    def render() -> str:
        renders.append(1)
        return "board"

    for key in ("v1|L1", "v1|L2", "v1|L1", "v2|L1", "v1|L1", "v1|L2"):
        cache.get_or_render(key, render)
    assert len(renders) == 4  # v1|L2 left when v2|L1 came (v1|L1 had been asked for again)


@pytest.mark.parametrize("value", ["text", 12, None, ["a", 1]])
def test_plain_values_are_kept_as_they_are(value: Any) -> None:
    assert LocalRenderCache().get_or_render("k", lambda: value) == value


def test_entries_are_exactly_what_dash_sends_for_the_components() -> None:
    import json
    import math
    from datetime import date

    import plotly.graph_objects as go
    from dash import dcc
    from huddle.dashboard.web.render_cache import plain
    from plotly.io.json import to_json_plotly

    board = html.Div([
        html.Span("✓ on target", className="badge status-green", **{"data-kpi": "oee", "aria-label": "OEE"}),
        dcc.Graph(figure=go.Figure(go.Scatter(x=[date(2026, 11, 20)], y=[math.nan])), config={"staticPlot": True}),
        html.Ul([html.Li(x) for x in ("a", 1, 2.5, math.inf, None, True)]),
        ("a tuple", {"nested": [date(2026, 11, 20), {"n": 1}]}),
    ], id={"type": "tile", "index": "oee|L1"}, style={"width": "20vw"})
    assert plain(board) == json.loads(to_json_plotly(board))
    assert to_json_plotly(plain(board)) == to_json_plotly(board)  # byte for byte what the browser gets


def test_callback_outputs_are_sent_plain_and_no_update_stays_itself() -> None:
    from dash import dcc, no_update
    from huddle.dashboard.web.render_cache import as_sent
    from plotly.io.json import to_json_plotly

    panel = html.Div([html.H3("Unplanned downtime"), dcc.Link("open", href="/tree?node=oee")], className="panel")
    figure = {"data": [{"type": "bar", "x": ["Filler jam"], "y": [42.0]}], "layout": {"showlegend": False}}
    sent = as_sent(panel, no_update, figure, None, "words")
    assert sent[1] is no_update
    assert to_json_plotly(list(sent[:1] + sent[2:])) == to_json_plotly([panel, figure, None, "words"])
    assert isinstance(sent[0], dict) and sent[0]["type"] == "Div"
