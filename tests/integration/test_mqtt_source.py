"""The live source against the machine's MQTT broker: a shift of machine counts and states published as a PLC
gateway would, stored by the subscriber through the files' row store, read by the readings service as the board
shows them; a bad payload goes to the quarantine; a lost broker marks the source disconnected and the line's tiles
stale until it reconnects by itself.

Needs HUDDLE_TEST_MQTT_URL (mqtt://127.0.0.1:1883 in .ci/run); each test publishes under a topic prefix of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import parse_period
from huddle.data.ingest.mqtt import LiveSubscriber, broker_address
from huddle.data.models import LoadRun, ProductionCount, QuarantinedRow, StopEvent
from huddle.data.models_feeds import LiveSource, RowChange
from sqlalchemy import func, select

from tests.conftest import NEEDS_REAL_TIMED_WAITS, SMALL_PLANT

MQTT_ENV = "HUDDLE_TEST_MQTT_URL"
BROKER = os.environ.get(MQTT_ENV, "")
pytestmark = [pytest.mark.skipif(not BROKER, reason=f"MQTT tests need {MQTT_ENV} (e.g. mqtt://127.0.0.1:1883)"),
              NEEDS_REAL_TIMED_WAITS]

BERLIN = ZoneInfo("Europe/Berlin")
#: 13:00 in Berlin on Friday 20 November 2026: the early shift (06:00-14:00) has run seven hours
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SHIFT = parse_period("shift", "2026-11-20/E")
BREAKS = ((9 * 60, 9 * 60 + 15), (11 * 60, 11 * 60 + 30), (12 * 60 + 45, 13 * 60))  # the early shift's, local
STOPS = (("stopped", "Filler jam", 7 * 60 + 30, 7 * 60 + 50), ("planned_stop", "Cleaning", 10 * 60, 10 * 60 + 15))


def local(minutes: float) -> datetime:
    """An instant of 20 November 2026, ``minutes`` after local midnight in Berlin."""
    return datetime(2026, 11, 20, tzinfo=BERLIN) + timedelta(minutes=minutes)


@pytest.fixture
def prefix() -> str:
    """This test's own topic prefix on the shared broker."""
    return f"huddle-test/{uuid.uuid4().hex[:12]}"


def plant_with_mqtt(tmp_path: Path, url: str, prefix: str) -> Path:
    """The small plant with a live source on the broker at ``url`` under ``prefix``."""
    path = tmp_path / "plant-mqtt.yaml"
    path.write_text(SMALL_PLANT + f'  - {{key: plc, kind: mqtt, url: "{url}", schedule: every 1 s, '
                    f'topics: {{counts: "{prefix}/{{line}}/counts", state: "{prefix}/{{line}}/state"}}}}\n',
                    encoding="utf-8")
    return path


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``check`` until it answers something true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.1)
    pytest.fail(f"waited {timeout:.0f} s for {what}")


class Publisher:
    """A PLC gateway's side: publishes JSON messages to the broker and waits until the broker has them."""

    def __init__(self, url: str) -> None:
        import paho.mqtt.client as mqtt

        host, port, _tls = broker_address(url)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-plc-{uuid.uuid4().hex[:8]}")
        self.client.connect(host, port)
        self.client.loop_start()

    def send(self, topic: str, payload: dict[str, Any] | bytes) -> None:
        """Publish one message (QoS 1) and wait for the broker's acknowledgement."""
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.client.publish(topic, data, qos=1).wait_for_publish(10)

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    """A publisher on the test broker."""
    p = Publisher(BROKER)
    yield p
    p.close()


@pytest.fixture
def live(make_services: Callable[..., Any], database_url: str, tmp_path: Path,
         prefix: str) -> Iterator[Callable[[str], tuple[Any, LiveSubscriber]]]:
    """Services on the small plant with a live source on a broker URL, and its subscriber started (stopped after)."""
    started: list[LiveSubscriber] = []

    def build(url: str = BROKER) -> tuple[Any, LiveSubscriber]:
        services = make_services(database_url, now=NOW, plant=plant_with_mqtt(tmp_path, url, prefix))
        subscriber = LiveSubscriber(services.config, services.config.sources["plc"], services.sessions,
                                    clock=lambda: NOW)
        subscriber.start()
        started.append(subscriber)
        return services, subscriber

    yield build
    for s in started:
        s.stop()


def source_row(services: Any) -> LiveSource | None:
    """The live source's row as stored now."""
    with services.sessions() as session:
        return session.get(LiveSource, "plc")


def in_break(minute: int) -> bool:
    return any(lo <= minute < hi for lo, hi in BREAKS)


def publish_shift(publisher: Publisher, prefix: str) -> tuple[int, int]:
    """Line 1's early shift from 06:00 to 13:00 as its gateway sends it: the counter totals at the end of every
    minute (50 units a running minute, 49 of them good; nothing in breaks and stops), a Filler jam 07:30-07:50
    and a planned Cleaning stop 10:00-10:15. Returns the units (total, good) counted."""
    total, good = 120_000, 118_500  # the counters' readings at the start: a baseline, not this shift's output
    publisher.send(f"{prefix}/L1/counts", {"at": local(6 * 60).isoformat(), "total": total, "good": good})
    stopped = {m for _state, _reason, lo, hi in STOPS for m in range(lo, hi)}
    events = {lo: (state, reason) for state, reason, lo, _hi in STOPS} | {hi: ("running", "") for *_, hi in STOPS}
    counted = [0, 0]
    for minute in range(6 * 60, 13 * 60):
        if minute in events:
            state, reason = events[minute]
            publisher.send(f"{prefix}/L1/state", {"at": local(minute).isoformat(), "state": state, "reason": reason})
        if minute not in stopped and not in_break(minute):
            total, good = total + 50, good + 49
            counted[0] += 50
            counted[1] += 49
        publisher.send(f"{prefix}/L1/counts", {"at": local(minute + 1).isoformat(), "total": total, "good": good})
    return counted[0], counted[1]


def test_a_shift_of_messages_gives_the_boards_numbers(live: Callable[..., Any], publisher: Publisher,
                                                      prefix: str) -> None:
    services, subscriber = live()
    wait_for(subscriber.subscribed.is_set, "the subscriber to subscribe")
    total, good = publish_shift(publisher, prefix)

    def stored() -> bool:
        with services.sessions() as session:
            rows = session.execute(select(func.count(), func.coalesce(func.sum(ProductionCount.total), 0))
                                   .where(ProductionCount.line == "L1")).one()
            stops = session.execute(select(func.count()).select_from(StopEvent)).scalar_one()
        return rows == (420, total) and stops == 2

    wait_for(stored, "the shift's counts and stops to be stored")
    assert (total, good) == (16_250, 15_925)  # 325 running minutes: 420 less 60 of breaks, 20 jammed, 15 cleaning
    # by hand: 7 h run so far (25,200 s); planned: the breaks' 3,600 s and the cleaning's 900 s -> 20,700 s planned
    # production time; the jam's 1,200 s leave 19,500 s running; ideal cycle 1 s
    readings = services.readings
    assert readings.reading("availability", "L1", SHIFT).value == pytest.approx(100 * 19_500 / 20_700)
    assert readings.reading("performance", "L1", SHIFT).value == pytest.approx(100 * 16_250 / 19_500)
    assert readings.reading("quality", "L1", SHIFT).value == pytest.approx(100 * 15_925 / 16_250)
    oee = readings.reading("oee", "L1", SHIFT)
    assert oee.value == pytest.approx(100 * 15_925 / 20_700)  # 76.93 %
    assert oee.status is not Status.STALE and oee.data_through == NOW
    with services.sessions() as session:
        stops = session.execute(select(StopEvent.reason, StopEvent.category, StopEvent.start_utc, StopEvent.end_utc)
                                .order_by(StopEvent.start_utc)).all()
        runs = session.execute(select(LoadRun).where(LoadRun.source == "plc")).scalars().all()
    assert [(r, c, s, e) for r, c, s, e in stops] == [
        ("Filler jam", "unplanned", local(450), local(470)), ("Cleaning", "planned", local(600), local(615))]
    assert runs and all(r.status in ("ok", "idle") for r in runs)
    assert sum(r.rows_read for r in runs) == 1 + 420 + 4  # every message, the baseline too
    row = source_row(services)
    assert row is not None and row.state == "connected" and row.messages == 425 and row.refused == 0
    board = services.data_status.report()
    plc = next(s for s in board["sources"] if s["key"] == "plc")
    assert plc["kind"] == "mqtt" and plc["status"] in ("ok", "idle")


def test_a_restarted_subscriber_goes_on_from_the_last_totals(live: Callable[..., Any], publisher: Publisher,
                                                            prefix: str) -> None:
    services, first = live()
    wait_for(first.subscribed.is_set, "the subscriber to subscribe")
    publisher.send(f"{prefix}/L2/counts", {"at": local(360).isoformat(), "total": 900, "good": 900})
    publisher.send(f"{prefix}/L2/counts", {"at": local(361).isoformat(), "total": 960, "good": 958})
    publisher.send(f"{prefix}/L2/counts", {"at": local(361.5).isoformat(), "total": 1000, "good": 990})
    publisher.send(f"{prefix}/L2/state", {"at": local(362).isoformat(), "state": "stopped", "reason": "Jam"})
    wait_for(lambda: (source_row(services) or LiveSource()).messages == 4, "four messages stored")
    first.stop()
    second = LiveSubscriber(services.config, services.config.sources["plc"], services.sessions, clock=lambda: NOW)
    second.start()
    try:
        wait_for(second.subscribed.is_set, "the second subscriber to subscribe")
        # the same minute again (its stored row grows), then a counter reset, then the jam ends
        publisher.send(f"{prefix}/L2/counts", {"at": local(361.9).isoformat(), "total": 1010, "good": 1000})
        publisher.send(f"{prefix}/L2/counts", {"at": local(363).isoformat(), "total": 7, "good": 7})
        publisher.send(f"{prefix}/L2/state", {"at": local(365).isoformat(), "state": "running"})
        wait_for(lambda: (source_row(services) or LiveSource()).messages == 3, "three more messages stored")
    finally:
        second.stop()
    with services.sessions() as session:
        counts = session.execute(select(ProductionCount.start_utc, ProductionCount.total, ProductionCount.good)
                                 .where(ProductionCount.line == "L2").order_by(ProductionCount.start_utc)).all()
        stops = session.execute(select(StopEvent.start_utc, StopEvent.end_utc).where(StopEvent.line == "L2")).all()
    # 06:00 minute: 960 - 900; 06:01: 1000 - 960 before the restart and 1010 - 1000 after; 06:02: the reset counter
    assert [tuple(c) for c in counts] == [(local(360), 60, 58), (local(361), 50, 42), (local(362), 7, 7)]
    assert [tuple(s) for s in stops] == [(local(362), local(365))]
    with services.sessions() as session:  # a growing minute or stop is no correction for the change ledger
        assert session.execute(select(func.count()).select_from(RowChange)).scalar_one() == 0


def test_bad_payloads_go_to_the_quarantine(live: Callable[..., Any], publisher: Publisher, prefix: str) -> None:
    services, subscriber = live()
    wait_for(subscriber.subscribed.is_set, "the subscriber to subscribe")
    publisher.send(f"{prefix}/L1/counts", b"total=5")
    publisher.send(f"{prefix}/L1/counts", {"total": 10, "good": 12})
    publisher.send(f"{prefix}/L9/counts", {"total": 10, "good": 9})
    publisher.send(f"{prefix}/L1/state", {"state": "stopped"})
    publisher.send(f"{prefix}/L1/state", {"state": "paused", "reason": "Jam"})
    publisher.send(f"{prefix}/L1/counts", {"total": 10, "good": 9, "at": "yesterday"})
    wait_for(lambda: (source_row(services) or LiveSource()).refused == 6, "six refused messages")
    with services.sessions() as session:
        rows = session.execute(select(QuarantinedRow).where(QuarantinedRow.source == "plc")
                               .order_by(QuarantinedRow.id)).scalars().all()
        runs = session.execute(select(LoadRun).where(LoadRun.source == "plc")).scalars().all()
    seen = [(r.file, r.column, r.value, r.reason.split(" (")[0], r.record_type) for r in rows]
    assert seen == [
        (f"{prefix}/L1/counts", "", "total=5", "the payload is not JSON", "production_counts"),
        (f"{prefix}/L1/counts", "good", "12", "more good units than total", "production_counts"),
        (f"{prefix}/L9/counts", "line", "L9", "unknown line", "production_counts"),
        (f"{prefix}/L1/state", "reason", "", "missing value: a stop needs its reason", "stop_events"),
        (f"{prefix}/L1/state", "state", "paused", "expected running, stopped or planned_stop", "stop_events"),
        (f"{prefix}/L1/counts", "at", "yesterday", "not a date and time", "production_counts"),
    ]
    assert json.loads(rows[1].record) == {"total": 10, "good": 12}  # the payload as it came
    assert sum(r.rows_rejected for r in runs) == 6 and {r.status for r in runs} == {"partial"}


class Proxy:
    """A TCP proxy in front of the broker, so a test can cut the subscriber's connection and bring it back."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        """Listen and forward every connection to the broker."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        wait_for(lambda: self._bind(listener), f"port {self.port} to be free again", timeout=10)
        listener.listen()
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _bind(self, listener: socket.socket) -> bool:
        try:
            listener.bind(("127.0.0.1", self.port))
        except OSError:
            return False
        return True

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Cut every connection and stop listening (the broker is gone, as far as the subscriber can tell)."""
        if self.listener is not None:
            with contextlib.suppress(OSError):  # wakes the thread waiting in accept(), which frees the port
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.sockets = []


def test_a_lost_broker_marks_the_source_and_its_tiles_stale_until_it_reconnects(
        live: Callable[..., Any], publisher: Publisher, prefix: str) -> None:
    host, port, _tls = broker_address(BROKER)
    proxy = Proxy((host, port))
    proxy.start()
    try:
        services, subscriber = live(f"mqtt://127.0.0.1:{proxy.port}")
        wait_for(subscriber.subscribed.is_set, "the subscriber to subscribe")
        publisher.send(f"{prefix}/L1/counts", {"at": local(12 * 60 + 58).isoformat(), "total": 100, "good": 100})
        publisher.send(f"{prefix}/L1/counts", {"at": local(13 * 60).isoformat(), "total": 160, "good": 159})
        wait_for(lambda: (source_row(services) or LiveSource()).messages == 2, "two messages stored")
        assert services.readings.reading("oee", "L1", SHIFT).status is not Status.STALE
        proxy.stop()
        row = wait_for(lambda: (r := source_row(services)) is not None and r.state == "disconnected" and r,
                       "the source to read disconnected")
        assert row.last_error.startswith("broker connection lost")
        assert services.readings.reading("oee", "L1", SHIFT).status is Status.STALE
        assert services.readings.reading("oee", "L2", SHIFT).status is not Status.STALE  # not fed by it
        health = services.data_status.health()
        assert "plc" in health["failing_sources"]
        plc = next(s for s in services.data_status.report()["sources"] if s["key"] == "plc")
        assert plc["status"] == "failed" and "broker connection lost" in plc["last_failure"]
        assert "reconnecting" in plc["last_failure"]
        proxy.start()  # the broker is back: paho reconnects by itself
        wait_for(lambda: (r := source_row(services)) is not None and r.state == "connected", "the reconnection")
        wait_for(subscriber.subscribed.is_set, "the subscriptions again")
        publisher.send(f"{prefix}/L1/counts", {"at": local(13 * 60 + 1).isoformat(), "total": 200, "good": 199})
        wait_for(lambda: (source_row(services) or LiveSource()).messages == 3, "the message after the reconnection")
        assert services.readings.reading("oee", "L1", SHIFT).status is not Status.STALE
        plc = next(s for s in services.data_status.report()["sources"] if s["key"] == "plc")
        assert plc["status"] in ("ok", "idle")
    finally:
        proxy.stop()


def test_the_scheduler_runs_the_subscriber_while_it_runs(make_services: Callable[..., Any], database_url: str,
                                                         tmp_path: Path, prefix: str, publisher: Publisher) -> None:
    from huddle.dashboard.scheduler import build_scheduler

    services = make_services(database_url, now=NOW, plant=plant_with_mqtt(tmp_path, BROKER, prefix))
    scheduler = build_scheduler(services, blocking=False)
    assert "source:plc" not in {job.id for job in scheduler.get_jobs()}  # no load job: its subscriber reads it
    assert services.loader.run_source("plc").status == "idle"
    scheduler.start()
    try:
        wait_for(lambda: (r := source_row(services)) is not None and r.state == "connected", "the connection")
        time.sleep(0.5)  # its subscriptions acknowledged
        publisher.send(f"{prefix}/L2/state", {"at": local(700).isoformat(), "state": "stopped", "reason": "Jam"})
        wait_for(lambda: (source_row(services) or LiveSource()).messages == 1, "the message stored")
    finally:
        scheduler.shutdown(wait=True)
    row = source_row(services)
    assert row is not None and row.state == "disconnected" and "subscriber stopped" in row.last_error
    with services.sessions() as session:
        assert session.execute(select(StopEvent.start_utc, StopEvent.end_utc)).one() == (local(700), NOW)

