"""The board's render cache shared through Redis, as several web workers use it: a burst of TVs on two workers
renders a board once, a worker started later gets the same entry, a worker that died while rendering or one that
hangs costs a render (never a blank TV), a failed render lets the next worker render at once, and a Redis that
cannot be reached costs a render, never an error. Runs against the Redis named by HUDDLE_TEST_REDIS_URL
(``.ci/run`` sets it)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator

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


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of the test's own, its keys deleted afterwards."""
    import redis

    name = f"huddle-test:{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


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
    assert all(a == answers[0] for a in answers)  # the worker that drew it and the one that read it from Redis agree
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
    # a board drawn here is kept and sent as Dash sends it, as one from Redis is
    drawn = cache.get_or_render("1|plant|y|0", lambda: html.Div([html.Span("OEE 74.8 %")], id="board"))
    assert drawn == {"props": {"children": [{"props": {"children": "OEE 74.8 %"}, "type": "Span",
                                             "namespace": "dash_html_components"}], "id": "board"},
                     "type": "Div", "namespace": "dash_html_components"}
    assert type(make_render_cache(None, "huddle-test")).__name__ == "LocalRenderCache"


def test_a_worker_that_died_while_rendering_is_taken_over_when_its_lock_expires(redis_url: str, prefix: str) -> None:
    worker = RedisRenderCache(redis_url, prefix, wait_s=5)
    # another worker took the lock for this board and died before storing it: its claim runs out after 300 ms
    worker.redis.set(f"{prefix}:main|7|plant|x|en|1|ok:rendering", "dead-worker", px=300)
    renders: list[int] = []

    def render() -> str:
        renders.append(1)
        time.sleep(0.1)
        return "board"

    t0 = time.perf_counter()
    answers, threads = [], [threading.Thread(target=lambda w=w: answers.append(
        w.get_or_render("main|7|plant|x|en|1|ok", render))) for w in (worker, RedisRenderCache(redis_url, prefix))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert answers == ["board", "board"] and len(renders) == 1  # one of the two took it over, the other waited
    assert 0.3 <= time.perf_counter() - t0 < 2


def test_a_waiter_renders_the_board_itself_when_the_render_it_waits_for_hangs(redis_url: str, prefix: str) -> None:
    worker = RedisRenderCache(redis_url, prefix, wait_s=0.3)
    worker.redis.set(f"{prefix}:k:rendering", "slow-worker", px=60_000)  # alive, but stuck
    t0 = time.perf_counter()
    assert worker.get_or_render("k", lambda: "drawn here") == "drawn here"
    assert 0.3 <= time.perf_counter() - t0 < 2
    assert worker.redis.get(f"{prefix}:k:rendering") == b"slow-worker"  # its lock is not this worker's to drop
    assert RedisRenderCache(redis_url, prefix).get_or_render("k", lambda: "again") == "drawn here"  # shared


def test_a_failed_render_frees_the_board_for_the_next_worker_at_once(redis_url: str, prefix: str) -> None:
    first, second = RedisRenderCache(redis_url, prefix), RedisRenderCache(redis_url, prefix)

    def broken() -> str:
        raise ValueError("database gone")

    with pytest.raises(ValueError):
        first.get_or_render("k", broken)
    assert first.redis.get(f"{prefix}:k:rendering") is None and first.redis.get(f"{prefix}:k") is None
    t0 = time.perf_counter()
    assert second.get_or_render("k", lambda: "board") == "board"
    assert time.perf_counter() - t0 < 1  # no waiting for a lock nobody holds


def test_workers_of_two_plants_sharing_a_redis_keep_apart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from huddle.dashboard.services.container import redis_prefix
    from huddle.dashboard.settings import Settings

    one = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://db-a/plant")
    other = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://db-b/plant")
    assert redis_prefix(one, "board") != redis_prefix(other, "board")
    assert redis_prefix(one, "board") != redis_prefix(one, "signin")


def test_a_board_stored_between_a_workers_two_looks_is_not_drawn_again(redis_url: str, prefix: str) -> None:
    worker = RedisRenderCache(redis_url, prefix)
    # another worker stores the board and lets its lock go just after this one looked and found nothing
    worker.redis.set(f"{prefix}:k", '"their board"')
    looks = [None]
    real_get = worker.redis.get
    worker.redis.get = lambda name: looks.pop() if looks else real_get(name)  # type: ignore[method-assign]
    assert worker.get_or_render("k", lambda: "drawn again") == "their board"
    assert worker.redis.get(f"{prefix}:k:rendering") is None  # the lock it took to draw it is let go
