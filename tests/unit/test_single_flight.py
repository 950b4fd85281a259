"""One computation per key at a time (huddle.dashboard.services.single_flight): callers asking meanwhile share it;
and one read at a time, shared by the callers that asked while the one before it ran."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from huddle.dashboard.services.single_flight import FreshRead, SingleFlight

from tests.conftest import NEEDS_REAL_TIMED_WAITS


def test_callers_asking_at_once_share_one_run() -> None:
    flights: SingleFlight[str] = SingleFlight()
    started, release = threading.Event(), threading.Event()
    runs = []

    def work() -> str:
        runs.append(1)
        started.set()
        assert release.wait(5)
        return "quarter read"

    with ThreadPoolExecutor(6) as pool:
        leader = pool.submit(flights.run, "2026-Q4", work)
        assert started.wait(5)
        waiting = [pool.submit(flights.run, "2026-Q4", work) for _ in range(3)]
        other_key = pool.submit(flights.run, "2027-Q1", lambda: "another quarter")
        assert other_key.result(5) == "another quarter"  # another key is not held up
        time.sleep(0.2)  # the waiters reach the flight (were one late, it would run work again: counted below)
        assert not any(w.done() for w in waiting)
        release.set()
        assert leader.result(5) == "quarter read"
        assert [w.result(5) for w in waiting] == ["quarter read"] * 3
    assert len(runs) == 1
    assert flights.run("2026-Q4", lambda: "read again") == "read again"  # a later call after the run runs anew


def test_a_failed_run_fails_its_waiters_and_the_next_call_tries_again() -> None:
    flights: SingleFlight[str] = SingleFlight()
    started, release = threading.Event(), threading.Event()

    def work() -> str:
        started.set()
        assert release.wait(5)
        raise RuntimeError("database is down")

    with ThreadPoolExecutor(2) as pool:
        leader = pool.submit(flights.run, "k", work)
        assert started.wait(5)
        waiter = pool.submit(flights.run, "k", lambda: "never run")
        time.sleep(0.2)  # the waiter reaches the flight
        release.set()
        with pytest.raises(RuntimeError, match="database is down"):
            leader.result(5)
        with pytest.raises(RuntimeError, match="database is down"):
            waiter.result(5)
    assert flights.run("k", lambda: "back") == "back"


@NEEDS_REAL_TIMED_WAITS
def test_a_caller_waiting_for_a_stuck_run_runs_the_work_itself_after_the_wait() -> None:
    flights: SingleFlight[str] = SingleFlight(wait_s=0.2)
    started, release = threading.Event(), threading.Event()

    def stuck() -> str:
        started.set()
        release.wait(10)
        return "late quarter"

    with ThreadPoolExecutor(1) as pool:
        leader = pool.submit(flights.run, "2026-Q4", stuck)
        assert started.wait(5)
        t0 = time.perf_counter()
        assert flights.run("2026-Q4", lambda: "read here") == "read here"
        assert 0.2 <= time.perf_counter() - t0 < 2
        release.set()
        assert leader.result(5) == "late quarter"
    assert flights.run("2026-Q4", lambda: "read anew") == "read anew"  # the stuck run has ended: nothing held


def test_without_a_wait_limit_a_caller_waits_for_the_run_however_long_it_takes() -> None:
    flights: SingleFlight[str] = SingleFlight()
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        assert release.wait(5)
        return "slow read"

    with ThreadPoolExecutor(2) as pool:
        leader = pool.submit(flights.run, "k", slow)
        assert started.wait(5)
        waiter = pool.submit(flights.run, "k", lambda: "never run")
        time.sleep(0.3)
        assert not waiter.done()
        release.set()
        assert leader.result(5) == waiter.result(5) == "slow read"


# ---- FreshRead: one read shared by the callers asking while the one before it runs ------------------------------


class CountedRead:
    """A read that gives "read 1", "read 2", ... and can be held until released."""

    def __init__(self, hold_first: bool = True) -> None:
        self.count = 0
        self.started = threading.Event()
        self.release = threading.Event()
        self.hold_first = hold_first

    def __call__(self) -> str:
        self.count += 1
        n = self.count
        if n == 1 and self.hold_first:
            self.started.set()
            assert self.release.wait(5)
        return f"read {n}"


def test_callers_asking_while_a_read_runs_share_the_next_read_not_the_running_one() -> None:
    read = CountedRead()
    fresh: FreshRead[str] = FreshRead(read)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(fresh)
        assert read.started.wait(5)
        # these ask after the first read began: it may have missed a change made since, so they wait for the next
        waiting = [pool.submit(fresh) for _ in range(4)]
        time.sleep(0.2)
        assert not any(w.done() for w in waiting)
        read.release.set()
        assert first.result(5) == "read 1"
        assert [w.result(5) for w in waiting] == ["read 2"] * 4
    assert read.count == 2  # five callers, two reads
    assert fresh() == "read 3"  # a call with nothing running reads at once


def test_a_failed_read_fails_the_callers_sharing_it_and_the_next_call_reads_again() -> None:
    calls = []
    started, release = threading.Event(), threading.Event()

    def read() -> str:
        calls.append(1)
        if len(calls) == 1:
            started.set()
            assert release.wait(5)
            return "read 1"
        if len(calls) == 2:
            raise ConnectionError("the database is restarting")
        return "read 3"

    fresh: FreshRead[str] = FreshRead(read)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(fresh)
        assert started.wait(5)
        waiting = [pool.submit(fresh) for _ in range(3)]
        time.sleep(0.2)
        release.set()
        assert first.result(5) == "read 1"
        for w in waiting:
            with pytest.raises(ConnectionError, match="restarting"):
                w.result(5)
    assert len(calls) == 2
    assert fresh() == "read 3"


@NEEDS_REAL_TIMED_WAITS
def test_a_caller_waiting_for_a_stuck_read_reads_itself_after_the_wait() -> None:
    read = CountedRead()
    fresh: FreshRead[str] = FreshRead(read, wait_s=0.2)
    with ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(fresh)
        assert read.started.wait(5)
        t0 = time.perf_counter()
        assert fresh() == "read 2"  # read here, beside the stuck one
        assert 0.2 <= time.perf_counter() - t0 < 2
        read.release.set()
        assert stuck.result(5) == "read 1"
    assert fresh() == "read 3"
