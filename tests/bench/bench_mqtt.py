"""Benchmark of the live source: how many MQTT messages a second the subscriber stores, with the board of a line
it feeds still answering under 250 ms.

``bench_mqtt(plant_path, database_url, data_dir)`` adds an MQTT source to a plant file (a topic prefix of its own),
starts the real ``LiveSubscriber`` in a process of its own (as the scheduler runs it) on the broker of
``HUDDLE_TEST_MQTT_URL`` (default mqtt://127.0.0.1:1883), and a publisher process that sends counter totals of
every line, the current time as ``at``, at rising rates (QoS 1). At each rate it measures the messages stored a
second (the ``live_sources`` row's count, written as the subscriber stores them every second) and, meanwhile, in
this process (as the web app would), ``board_readings`` of the first line's running shift, timed over and over.
The rate sustained is the highest stored rate of a step that kept up with what was published (95 %) with the
board's 95th percentile under 250 ms. ``bench_data_path.py`` calls it on its loaded database; on its own
(``python tests/bench/bench_mqtt.py``) it runs on the demo plant with two days of history in a temporary folder.
Without a broker it says so and returns None. This is a script, not a test: pytest does not collect it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

BOARD_LIMIT_MS = 250.0
RATES = (0, 50, 200, 1000, 3000, 10000)  # messages a second asked of the publisher, one step each (0: the board alone)


def _broker() -> str | None:
    """The broker's URL when one answers there."""
    from huddle.data.ingest.mqtt import broker_address

    url = os.environ.get("HUDDLE_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    host, port, _tls = broker_address(url)
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return None
    return url


def _publish(url: str, prefix: str, lines: list[str], rate: int, seconds: float, base: int,
             sent: Any) -> None:
    """Send counter totals (from ``base`` up) round-robin over the lines at ``rate`` messages a second for
    ``seconds``, as a PLC gateway of its own would (a process of its own); puts the count sent on ``sent``."""
    import paho.mqtt.client as mqtt
    from huddle.data.ingest.mqtt import broker_address

    host, port, _tls = broker_address(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-plc-{uuid.uuid4().hex[:8]}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(host, port)
    client.loop_start()
    counters = dict.fromkeys(lines, base)
    start = time.perf_counter()
    infos = []
    n = 0
    try:
        while (elapsed := time.perf_counter() - start) < seconds:
            due = int(elapsed * rate)
            while n < due:
                line = lines[n % len(lines)]
                counters[line] += 5
                payload = {"at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), "total": counters[line],
                           "good": counters[line] - counters[line] // 50}
                infos.append(client.publish(f"{prefix}/{line}/counts", json.dumps(payload), qos=1))
                n += 1
            time.sleep(0.002)
        for info in infos:
            info.wait_for_publish(30)
    finally:
        sent.put(n)
        client.disconnect()
        client.loop_stop()


def _subscribe(plant: Path, database_url: str, data_dir: Path, done: Any) -> None:
    """The scheduler's side, in a process of its own as in production: the live source's subscriber, until
    ``done`` is set."""
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings
    from huddle.data.ingest.mqtt import LiveSubscriber

    services = build_services(Settings(data_dir=data_dir, database_url=database_url, plant_config=plant))
    subscriber = LiveSubscriber(services.config, services.config.sources["bench-live"], services.sessions,
                                services.clock)
    subscriber.start()
    try:
        done.wait()
    finally:
        subscriber.stop()
        services.dispose()


def bench_mqtt(plant_path: Path, database_url: str, data_dir: Path, step_s: float = 6.0) -> dict[str, Any] | None:
    """Measure the live source's sustained rate on a plant's database; the figures, or None without a broker."""
    from huddle.dashboard.core.periods import parse_period
    from huddle.dashboard.services.board import board_readings
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings
    from huddle.data.models_feeds import LiveSource

    url = _broker()
    print("\nMQTT live source")
    if url is None:
        print("  skipped: no MQTT broker (set HUDDLE_TEST_MQTT_URL, e.g. mqtt://127.0.0.1:1883)")
        return None
    prefix = f"huddle-bench/{uuid.uuid4().hex[:10]}"
    raw = yaml.safe_load(Path(plant_path).read_text(encoding="utf-8"))
    raw["sources"].append({"key": "bench-live", "kind": "mqtt", "url": url, "schedule": "every 1 s",
                           "topics": {"counts": f"{prefix}/{{line}}/counts", "state": f"{prefix}/{{line}}/state"}})
    live_plant = Path(data_dir) / "plant-mqtt.yaml"
    live_plant.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    services = build_services(Settings(data_dir=Path(data_dir), database_url=database_url, plant_config=live_plant))
    config = services.config
    lines = list(config.lines)[:4]
    inst = config.calendar.current(services.clock())
    shift = parse_period("shift", f"{inst.production_date}/{inst.shift_key}") if inst else None
    finished = multiprocessing.Event()
    subscriber = multiprocessing.Process(target=_subscribe,
                                         args=(live_plant, database_url, Path(data_dir), finished))
    subscriber.start()
    steps: list[dict[str, Any]] = []

    def row() -> Any:
        with services.sessions() as session:
            return session.get(LiveSource, "bench-live")

    def stored() -> int:
        return (row() or LiveSource(messages=0)).messages

    try:
        deadline = time.perf_counter() + 15
        while not ((r := row()) is not None and r.state == "connected") and time.perf_counter() < deadline:
            time.sleep(0.1)
        if row() is None or row().state != "connected":
            print("  skipped: the subscriber did not connect within 15 s")
            return None
        time.sleep(1.0)  # its subscriptions acknowledged
        for step, rate in enumerate(RATES):
            before, sent = stored(), multiprocessing.Queue()
            publisher = multiprocessing.Process(target=_publish, args=(url, prefix, lines, rate, step_s,
                                                                       1_000_000 * (step + 1), sent))
            started = time.perf_counter()
            publisher.start()
            board_ms: list[float] = []
            while publisher.is_alive():
                t0 = time.perf_counter()
                if shift is not None:
                    board_readings(services.readings, services.actions, lines[0], shift)
                board_ms.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.05)
            publisher.join()
            sent = [sent.get(timeout=30)]
            deadline = time.perf_counter() + 10
            while stored() - before < sent[0] and time.perf_counter() < deadline:
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
            done = stored() - before
            p95 = statistics.quantiles(board_ms, n=20)[-1] if len(board_ms) >= 2 else board_ms[0]
            steps.append({"asked": rate, "published": sent[0], "stored": done, "seconds": elapsed,
                          "stored_per_s": done / elapsed, "published_per_s": sent[0] / step_s,
                          "board_median_ms": statistics.median(board_ms), "board_p95_ms": p95,
                          "kept_up": done >= 0.95 * sent[0] and rate > 0})
            s = steps[-1]
            print(f"  asked {rate:6d}/s: published {s['published_per_s']:8.0f}/s, stored {s['stored']:7d} in "
                  f"{elapsed:5.1f} s = {s['stored_per_s']:8.0f}/s; board of {lines[0]} median "
                  f"{s['board_median_ms']:.1f} ms, p95 {p95:.1f} ms")
    finally:
        finished.set()
        subscriber.join(30)
        services.dispose()
    good = [s for s in steps if s["kept_up"] and s["board_p95_ms"] < BOARD_LIMIT_MS]
    sustained = max((s["stored_per_s"] for s in good), default=0.0)
    print(f"  sustained: {sustained:,.0f} messages/s stored with the board answering under "
          f"{BOARD_LIMIT_MS:.0f} ms (p95){'' if shift else ' (no shift running now: board not timed)'}")
    return {"sustained_per_s": sustained, "steps": steps}


def main() -> int:
    """On its own: the demo plant with a day of history in a temporary folder."""
    from huddle.dashboard.core.plant import load_plant
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import DEMO_PLANT, Settings
    from huddle.data.demo.feeds import generate_history

    with tempfile.TemporaryDirectory(prefix="huddle-bench-mqtt-") as folder:
        data_dir = Path(folder)
        now = time.time()
        generate_history(load_plant(DEMO_PLANT, data_dir), data_dir, datetime.fromtimestamp(now, UTC), days=2)
        for path in (data_dir / "inbox").rglob("*"):
            os.utime(path, (now - 60, now - 60))
        database_url = f"sqlite:///{data_dir / 'huddle.sqlite'}"
        services = build_services(Settings(data_dir=data_dir, database_url=database_url, plant_config=DEMO_PLANT))
        services.loader.run_all()
        services.dispose()
        return 0 if bench_mqtt(DEMO_PLANT, database_url, data_dir) is not None else 1


if __name__ == "__main__":
    sys.exit(main())
