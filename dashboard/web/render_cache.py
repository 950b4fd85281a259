"""Rendered pages kept by key so a room full of wall TVs asking for the same board renders it once: in this process,
or shared by every web worker and host through Redis when one is configured.

Keys carry the data version (and the site, scope, period, language and a time bucket), so a cache never serves old
data as new: a worker that reads a newer data version asks for a new key. Entries are kept as the JSON-ready
structure Dash sends to the browser (dicts and lists, not components), so answering a hundred TVs from one entry
costs a hundred quick encodings, not a hundred walks over the component tree.

One render per key (single flight): in a process, the first request for a key renders it and every request that
asks meanwhile waits for that render and gets its result (or its failure). Across workers, the first to miss in
Redis takes a short lock (``SET NX PX``) and renders while the others poll for its entry; a lock whose holder died
expires within ``LOCK_MS`` (10 s) and the next poller takes it over, and a waiter that has waited ``WAIT_S`` renders the
board itself, so a stuck or dead worker costs a render, never a blank TV. When Redis cannot be reached the board is
rendered here and the page still answers.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

import orjson
from dash import no_update
from dash.development.base_component import Component
from huddle.dashboard.services.single_flight import SingleFlight
from huddle.dashboard.web.metrics import RENDER_CACHE
from plotly.io.json import to_json_plotly

log = logging.getLogger("huddle.cache")

LOCAL_SIZE = 64  # entries kept per process
TTL_S = 600  # how long Redis keeps an entry (its key names a data version, so older ones only go unused)
# how long a worker's claim to render a key holds: far longer than a render, even on a machine so busy that one takes
# seconds (a claim that runs out while its holder still renders costs a second render, nothing worse)
LOCK_MS = 10_000
WAIT_S = 12.0  # the longest a request waits for another's render before drawing the board itself
POLL_S = 0.01  # how soon a worker waiting for another's render first looks for its entry
POLL_MAX_S = 0.1  # it looks less and less often, up to this (a busy machine renders slowly: polling must not add)

#: deletes the lock only while it is still the one this worker took (it may have expired and been taken over)
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"


#: values written as they are (their exact types: a subclass, such as a status, takes the longer way)
_AS_IS = frozenset({str, int, bool, type(None)})


class _Shape(NamedTuple):
    """What encoding a component of one class needs: where each property stands in its class's order, the prefixes
    of its wildcard properties (``data-*``), and its type and namespace."""

    order: dict[str, int]
    wild: tuple[str, ...]
    type: str
    namespace: str


#: each component class's shape, worked out once (a class's property names never change)
_SHAPES: dict[type, _Shape] = {}


def _shape(value: Component) -> _Shape:
    shape = _SHAPES.get(type(value))
    if shape is None:
        shape = _SHAPES[type(value)] = _Shape(
            {p: i for i, p in enumerate(value._prop_names)},  # type: ignore[attr-defined]
            tuple(value._valid_wildcard_attributes), value._type, value._namespace)  # type: ignore[attr-defined]
    return shape


def _component(value: Component, shape: _Shape) -> dict[str, Any]:
    """A component as Dash writes it: its properties in its class's order, then its wildcard ones as given."""
    order, wild = shape.order, shape.wild
    named: list[tuple[int, str, Any]] = []
    extra: list[tuple[str, Any]] = []
    for k, v in vars(value).items():
        if k in order:
            named.append((order[k], k, v))
        elif k.startswith(wild):
            extra.append((k, v))
    if len(named) > 1:
        named.sort()
    props = {k: v if type(v) in _AS_IS else plain(v) for _i, k, v in named}
    for k, v in extra:
        props[k] = v if type(v) in _AS_IS else plain(v)
    return {"props": props, "type": shape.type, "namespace": shape.namespace}


def plain(value: Any) -> Any:
    """A render as the JSON-ready structure Dash sends (components as dicts), without Dash's slow walk: it looks for
    each of a component's possible properties in turn, where this reads the ones it was given."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list or kind is tuple:
        return [v if type(v) in _AS_IS else plain(v) for v in value]
    if kind is float:
        return value if math.isfinite(value) else None  # as Dash's encoder writes NaN and infinities
    shape = _SHAPES.get(kind)
    if shape is not None:
        return _component(value, shape)
    if kind is dict and all(type(k) is str for k in value):
        return {k: v if type(v) in _AS_IS else plain(v) for k, v in value.items()}
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # as Dash's encoder writes NaN and infinities
    if isinstance(value, Component):
        return _component(value, _shape(value))
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: plain(v) for k, v in value.items()}
    return json.loads(to_json_plotly(value))  # figures, dates, arrays: as Dash encodes them


def as_sent(*outputs: Any) -> tuple[Any, ...]:
    """A callback's outputs as ``plain`` structures (``no_update`` left as it is). Dash's encoder writes a response
    that is plain data at once, but one holding any component it walks whole, twice as slowly as ``plain``: the
    OKR page of a 20-line plant spent 170 ms there."""
    return tuple(o if o is no_update else plain(o) for o in outputs)


class RenderError(RuntimeError):
    """The render a request waited for failed (the renderer's own exception is its cause)."""


class LocalRenderCache:
    """Rendered entries by key in this process (least recently used dropped), each rendered once however many
    requests ask at the same time."""

    def __init__(self, size: int = LOCAL_SIZE, counts_renders: bool = True, wait_s: float = WAIT_S,
                 plain_renders: bool = False) -> None:
        self.size = size
        self.counts_renders = counts_renders  # in front of Redis, the Redis cache counts what it finds or draws
        # in front of Redis, what it is given to keep is plain already (decoded from Redis, or made plain there):
        # walking a board's thousand parts again cost every worker a millisecond or two per new board
        self.plain_renders = plain_renders
        self._items: OrderedDict[str, Any] = OrderedDict()
        # a render under way that is stuck past wait_s: the waiting request draws the board itself
        self._renders: SingleFlight[Any] = SingleFlight(wait_s)
        self._guard = threading.Lock()

    def get_or_render(self, key: str, render: Callable[[], Any]) -> Any:
        """The entry for a key: kept, the one being rendered (waited for), or rendered here."""
        kept = self._kept(key)
        if kept is not None:
            RENDER_CACHE.labels("hit").inc()
            return kept[0]
        rendered_here = False

        def render_and_keep() -> Any:
            nonlocal rendered_here
            kept = self._kept(key)  # kept by a render that ended since this request looked
            if kept is not None:
                return kept[0]
            rendered_here = True
            value = render() if self.plain_renders else plain(render())
            with self._guard:  # kept before the render's flight ends: a request arriving then finds it
                self._keep(key, value)
            return value

        try:
            value = self._renders.run(key, render_and_keep)
        except Exception as exc:
            if rendered_here:
                raise
            raise RenderError(f"the render of {key} failed") from exc
        if not rendered_here:
            RENDER_CACHE.labels("hit").inc()
        elif self.counts_renders:
            RENDER_CACHE.labels("rendered").inc()
        return value

    def _kept(self, key: str) -> tuple[Any] | None:
        """The entry kept for a key (as a 1-tuple: an entry may itself be None), marked as just used."""
        with self._guard:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return (self._items[key],)

    def _keep(self, key: str, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class RedisRenderCache:
    """Rendered entries shared by every worker through Redis, with this process's cache in front of it."""

    def __init__(self, url: str, prefix: str, lock_ms: int = LOCK_MS, wait_s: float = WAIT_S,
                 poll_s: float = POLL_S) -> None:
        import redis  # only when configured: a single-process plant needs no Redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.lock_ms, self.wait_s, self.poll_s = lock_ms, wait_s, poll_s
        # this process's waiters wait on its one request to Redis, which itself gives up after wait_s and renders
        self.local = LocalRenderCache(counts_renders=False, wait_s=wait_s + 10, plain_renders=True)
        self._release = self.redis.register_script(RELEASE)
        self._warned = 0.0

    def get_or_render(self, key: str, render: Callable[[], Any]) -> Any:
        """The entry for a key: from this process, from Redis, or rendered once across workers."""
        return self.local.get_or_render(key, lambda: self._shared(key, render))

    def _shared(self, key: str, render: Callable[[], Any]) -> Any:
        name, lock = f"{self.prefix}:{key}", f"{self.prefix}:{key}:rendering"
        token = secrets.token_hex(8)
        try:
            found = self._claim(name, lock, token)
        except Exception as exc:  # Redis down or unreachable: the page still answers, rendered here
            self._warn(exc)
            RENDER_CACHE.labels("rendered").inc()
            return plain(render())
        if found is not None:
            RENDER_CACHE.labels("shared").inc()
            return orjson.loads(found)
        try:
            value = plain(render())
            RENDER_CACHE.labels("rendered").inc()
            self._store(name, value)
            return value
        finally:
            self._unlock(lock, token)

    def _claim(self, name: str, lock: str, token: str) -> bytes | None:
        """Another worker's entry for the key, or None once this worker holds the lock (or has waited long
        enough: then it renders without one)."""
        deadline, pause = time.monotonic() + self.wait_s, self.poll_s
        while True:
            found = self.redis.get(name)
            if found is not None:
                return found  # type: ignore[no-any-return]
            if self.redis.set(lock, token, nx=True, px=self.lock_ms):
                # the worker that held the lock may have stored the entry and let go between the two looks
                found = self.redis.get(name)
                if found is not None:
                    self._unlock(lock, token)
                return found  # type: ignore[no-any-return]
            if time.monotonic() >= deadline:
                log.warning("render cache: waited %.0f s for another worker's render of %s; rendering it here",
                            self.wait_s, name)
                return None
            time.sleep(pause)
            pause = min(pause * 1.5, POLL_MAX_S)

    def _store(self, name: str, value: Any) -> None:
        try:
            self.redis.set(name, orjson.dumps(value), ex=TTL_S)
        except Exception as exc:  # the board is drawn; other workers render their own
            self._warn(exc)

    def _unlock(self, lock: str, token: str) -> None:
        try:
            self._release(keys=[lock], args=[token])
        except Exception as exc:  # the lock expires by itself
            self._warn(exc)

    def _warn(self, exc: Exception) -> None:
        if time.monotonic() - self._warned > 60:
            log.warning("render cache: Redis unavailable (%s); rendering in this worker", exc)
            self._warned = time.monotonic()


def make_render_cache(redis_url: str | None, prefix: str) -> LocalRenderCache | RedisRenderCache:
    """The shared cache when Redis is configured, else this process's own."""
    return RedisRenderCache(redis_url, prefix) if redis_url else LocalRenderCache()
