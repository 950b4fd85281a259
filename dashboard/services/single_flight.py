"""One computation per key at a time in this process: callers that ask for a key while it is being worked out wait
for that result instead of working it out again.

A page asks for the same read model from several callbacks at once (the OKR page's summary, check-in form and
planning pickers each read the quarter when it opens), and a room of wall TVs asks for the same board at the same
moment: without this, each request that misses the cache works the answer out itself, and on a machine of two cores
three reads take three times as long as one. A caller never waits for ever: one that has waited ``wait_s`` for a run
that is stuck (a query hanging on a lock, say) works the answer out itself, so a stuck run costs a second run, not a
page that never answers.

``FreshRead`` is the same for a read whose answer must be no older than the question (has the data changed since
this TV's board?): callers asking while a read runs share the next one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger("huddle.flight")


class _Flight(Generic[T]):
    """One computation in progress, and what it gave."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


class SingleFlight(Generic[T]):
    """Runs ``work`` once per key however many threads ask for that key at the same time; a caller that has waited
    ``wait_s`` seconds (None: as long as it takes) runs it itself."""

    def __init__(self, wait_s: float | None = None) -> None:
        self.wait_s = wait_s
        self._guard = threading.Lock()
        self._flights: dict[Hashable, _Flight[T]] = {}

    def run(self, key: Hashable, work: Callable[[], T]) -> T:
        """``work()``'s result; a caller asking while another runs it for the same key gets that run's result (or
        its exception), or runs ``work`` itself once it has waited ``wait_s``."""
        with self._guard:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            if flight.done.wait(self.wait_s):
                if flight.error is not None:
                    raise flight.error
                return flight.value  # type: ignore[return-value]
            log.warning("%s: still being worked out after %.0f s; working it out again", key, self.wait_s)
            return work()
        try:
            flight.value = work()
            return flight.value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._guard:
                del self._flights[key]
            flight.done.set()


class FreshRead(Generic[T]):
    """One read at a time shared by every caller that asks while it runs, each given a read that began after it
    asked: a caller arriving while a read runs waits for it to end and shares the next one (the running read began
    before the caller asked and may have missed a change made since). A room of TVs asking a worker whether the data
    changed makes at most two reads at a time, not one per thread. A caller that has waited ``wait_s`` for a stuck
    read reads itself."""

    def __init__(self, read: Callable[[], T], wait_s: float = 10.0) -> None:
        self.read = read
        self.wait_s = wait_s
        self._changed = threading.Condition()
        self._started = 0  # reads begun
        self._ended = 0  # the latest read to end (reads end in the order they begin: one runs at a time)
        self._value: T | None = None
        self._error: BaseException | None = None

    def __call__(self) -> T:
        """The result of a read that began after this call did (or that read's exception)."""
        with self._changed:
            wanted = self._started + 1
            while self._ended < wanted:
                if self._started == self._ended:  # none running: begin the one wanted
                    self._started += 1
                    mine = self._started
                    break
                if not self._changed.wait(self.wait_s):
                    log.warning("a shared read still runs after %.0f s; reading again", self.wait_s)
                    return self.read()
            else:
                if self._error is not None:
                    raise self._error
                return self._value  # type: ignore[return-value]
        value: T | None = None
        error: BaseException | None = None
        try:
            value = self.read()
            return value
        except BaseException as exc:
            error = exc
            raise
        finally:
            with self._changed:
                self._ended, self._value, self._error = mine, value, error
                self._changed.notify_all()
