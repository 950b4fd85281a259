"""One computation per key at a time in this process: callers that ask for a key while it is being worked out wait
for that result instead of working it out again.

A page asks for the same read model from several callbacks at once (the OKR page's summary, check-in form and
planning pickers each read the quarter when it opens), and a room of wall TVs asks for the same board at the same
moment: without this, each request that misses the cache works the answer out itself, and on a machine of two cores
three reads take three times as long as one. A caller never waits for ever: one that has waited ``wait_s`` for a run
that is stuck (a query hanging on a lock, say) works the answer out itself, so a stuck run costs a second run, not a
page that never answers.
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
