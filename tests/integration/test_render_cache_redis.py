"""The board's render cache shared through Redis, as several web workers use it: a burst of TVs on two workers
renders a board once, a worker started later gets the same entry, and a Redis that cannot be reached costs a render,
never an error. Runs against the Redis named by HUDDLE_TEST_REDIS_URL (``.ci/run`` sets it)."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
from dash import html
from huddle.dashboard.web.render_cache import RedisRenderCache, make_render_cache

REDIS_ENV = "HUDDLE_TEST_REDIS_URL"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"the shared render cache tests need {REDIS_ENV} (e.g. redis://127.0.0.1:6379/15)")
    return url


def test_a_burst_on_two_workers_renders_each_board_once(redis_url: str) -> None:
    prefix = f"huddle-test:{uuid.uuid4().hex}"
    workers = [RedisRenderCache(redis_url, prefix), RedisRenderCache(redis_url, prefix)]
    renders: list[int] = []

    def render() -> html.Div:
        renders.append(1)
        time.sleep(0.2)  # long enough for every request to arrive while it renders
        return html.Div([html.H1("OEE 74.8 %"), html.Span("red", className="badge status-red")], id="board")

    answers: list[object] = []
    start = threading.Barrier(20)

    def ask(worker: RedisRenderCache) -> None:
        start.wait()
        answers.append(worker.get_or_render("41|L2|2026-11-20/E|5899", render))

    threads = [threading.Thread(target=ask, args=(workers[i % 2],)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(renders) == 1 and len(answers) == 20
    # a worker started later (an empty cache of its own) gets the same board without rendering
    later = RedisRenderCache(redis_url, prefix)
    entry = later.get_or_render("41|L2|2026-11-20/E|5899", render)
    assert len(renders) == 1
    assert entry["props"]["id"] == "board" and entry["props"]["children"][0]["props"]["children"] == "OEE 74.8 %"
    # a new data version is a new key: rendered again, never the old board
    later.get_or_render("42|L2|2026-11-20/E|5899", render)
    assert len(renders) == 2
    later.redis.delete(*later.redis.keys(f"{prefix}:*"))


def test_a_redis_that_cannot_be_reached_costs_a_render_not_an_error() -> None:
    cache = make_render_cache("redis://127.0.0.1:1/0", "huddle-test")  # nothing listens on port 1
    assert isinstance(cache, RedisRenderCache)
    assert cache.get_or_render("1|plant|x|0", lambda: "rendered here") == "rendered here"
    assert type(make_render_cache(None, "huddle-test")).__name__ == "LocalRenderCache"
