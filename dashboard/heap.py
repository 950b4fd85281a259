"""The heap a long-running process has built at start-up, set aside from the cyclic garbage collector.

A web worker's app, pages, services and configuration live as long as the worker: a quarter of a million objects.
Every few hundred allocations CPython's collector walks the young objects, and now and then the whole heap; a
request makes tens of thousands of short-lived objects, so a board refresh or an OKR quarter set off walks of the
whole start-up heap again and again. ``gc.freeze()`` moves what exists into a permanent generation the collector
no longer walks (Python's documentation suggests it for servers). What requests make is still collected, once
every ``YOUNG_THRESHOLD`` allocations rather than every 700: a board refresh makes some hundred thousand objects,
nearly all freed by reference counting as soon as the request ends.
"""

from __future__ import annotations

import gc

#: allocations between collections of the youngest generation (CPython's default is 700)
YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Collect once, freeze what is left and collect the young less often: call when a process has built what it
    keeps and is about to serve (not in tests, which build many apps in one process: the frozen ones would never be
    freed)."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
