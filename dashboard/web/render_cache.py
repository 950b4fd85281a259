"""Rendered pages kept by key so a room full of wall TVs asking for the same board renders it once: in this process,
or shared by every web worker and host through Redis when one is configured.

Keys carry the data version (and the scope, period and a time bucket), so a cache never serves old data as new:
a worker that reads a newer data version asks for a new key. Redis holds each entry as the JSON Dash sends to the
browser, for ``TTL_S``; the first worker to miss takes a short lock (``SET NX``) and renders while the others wait
for its entry. When Redis cannot be reached the board is rendered here and the page still answers.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from huddle.dashboard.web.metrics import RENDER_CACHE
from plotly.io.json import to_json_plotly

log = logging.getLogger("huddle.cache")

LOCAL_SIZE = 64  # entries kept per process
TTL_S = 600  # how long Redis keeps an entry (its key names a data version, so older ones only go unused)
RENDER_LOCK_S = 30  # the longest another worker waits for the one rendering
WAIT_POLL_S = 0.05


class LocalRenderCache:
    """Rendered entries by key in this process (least recently used dropped), each rendered once however many
    requests ask at the same time."""

    def __init__(self, size: int = LOCAL_SIZE, counts_renders: bool = True) -> None:
        self.size = size
        self.counts_renders = counts_renders  # in front of Redis, the Redis cache counts what it finds or draws
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get_or_render(self, key: str, render: Callable[[], Any]) -> Any:
        """The entry for a key, rendering it once."""
        with self._guard:
            if key in self._items:
                self._items.move_to_end(key)
                RENDER_CACHE.labels("hit").inc()
                return self._items[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._items:
                    RENDER_CACHE.labels("hit").inc()
                    return self._items[key]
            value = render()
            if self.counts_renders:
                RENDER_CACHE.labels("rendered").inc()
            with self._guard:
                self._items[key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._locks.pop(key, None)
            return value


class RedisRenderCache:
    """Rendered entries shared by every worker through Redis, with this process's cache in front of it."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis  # only when configured: a single-process plant needs no Redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.local = LocalRenderCache(counts_renders=False)
        self._warned = 0.0

    def get_or_render(self, key: str, render: Callable[[], Any]) -> Any:
        """The entry for a key: from this process, from Redis, or rendered once across workers."""
        return self.local.get_or_render(key, lambda: self._shared(key, render))

    def _shared(self, key: str, render: Callable[[], Any]) -> Any:
        name = f"{self.prefix}:{key}"
        try:
            found = self.redis.get(name)
            if found is not None:
                RENDER_CACHE.labels("shared").inc()
                return json.loads(found)
            token = secrets.token_hex(8)
            if not self.redis.set(f"{name}:rendering", token, nx=True, ex=RENDER_LOCK_S):
                deadline = time.monotonic() + RENDER_LOCK_S
                while time.monotonic() < deadline:  # another worker renders it: wait for its entry
                    time.sleep(WAIT_POLL_S)
                    found = self.redis.get(name)
                    if found is not None:
                        RENDER_CACHE.labels("shared").inc()
                        return json.loads(found)
            value = render()
            RENDER_CACHE.labels("rendered").inc()
            self.redis.set(name, to_json_plotly(value), ex=TTL_S)
            self.redis.delete(f"{name}:rendering")
            return value
        except Exception as exc:  # Redis down or unreachable: the page still answers, rendered here
            if time.monotonic() - self._warned > 60:
                log.warning("render cache: Redis unavailable (%s); rendering in this worker", exc)
                self._warned = time.monotonic()
            RENDER_CACHE.labels("rendered").inc()
            return render()


def make_render_cache(redis_url: str | None, prefix: str) -> LocalRenderCache | RedisRenderCache:
    """The shared cache when Redis is configured, else this process's own."""
    return RedisRenderCache(redis_url, prefix) if redis_url else LocalRenderCache()
