"""Time arithmetic of the production facts, in microseconds since 1970: instants as integers (a calendar's shift and
break bounds converted once and remembered), and the seconds of each shift that its records' spans cover, breaks
left out.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import numpy as np
from huddle.data.instants import micros_of_utc

#: the value of "no instant"
NEVER = np.iinfo(np.int64).min


@lru_cache(maxsize=100_000)
def calendar_micros(at: datetime) -> int:
    """``micros_of_utc`` of a calendar instant (a shift's or a break's start or end): the same for every line of a
    load, and for each record type's files of the same month."""
    return micros_of_utc(at)


def micros_of(values: list[datetime]) -> np.ndarray:
    """Microseconds since 1970 of calendar instants."""
    return np.fromiter(map(calendar_micros, values), dtype=np.int64, count=len(values))


def keep_spans(slots: list[np.ndarray], los: list[np.ndarray], his: list[np.ndarray], slot: np.ndarray,
                lo: np.ndarray, hi: np.ndarray) -> None:
    """Remember the part [lo, hi) of each shift ``slot`` that a record covers (when it is not empty)."""
    real = hi > lo
    slots.append(slot[real])
    los.append(lo[real])
    his.append(hi[real])


def covered_seconds(n: int, slots: list[np.ndarray], los: list[np.ndarray], his: list[np.ndarray],
             break_lo: np.ndarray, break_hi: np.ndarray) -> np.ndarray:
    """Seconds of each shift covered by the union of its records' spans, break time left out (a break is
    planned, not missing)."""
    if not slots or not sum(len(s) for s in slots):
        return np.zeros(n)
    slot, lo, hi = np.concatenate(slots), np.concatenate(los), np.concatenate(his)
    # spans lie inside their shift and shifts follow each other, so ordering by start orders by shift too
    order = np.lexsort((hi, lo))
    slot, lo, hi = slot[order], lo[order], hi[order]
    reach = np.maximum.accumulate(hi)
    opens = np.ones(len(lo), dtype=bool)
    # a span opens a new run when it starts after everything before it ended, or in the next shift
    opens[1:] = (lo[1:] > reach[:-1]) | (slot[1:] != slot[:-1])
    first = np.flatnonzero(opens)
    run_lo = lo[first]
    run_hi = reach[np.r_[first[1:] - 1, len(lo) - 1]]
    run_slot = slot[first]
    seconds = (run_hi - run_lo) / 1e6
    if break_lo.shape[1]:
        in_breaks = np.zeros(len(first))
        for b in range(break_lo.shape[1]):
            in_breaks = in_breaks + np.maximum(0.0, (np.minimum(run_hi, break_hi[run_slot, b])
                                                     - np.maximum(run_lo, break_lo[run_slot, b])) / 1e6)
        seconds = seconds - in_breaks
    return np.bincount(run_slot, weights=seconds, minlength=n)
