"""The demo's live feed over MQTT (``huddle demo --mqtt URL``): the demo plant's machines publish their counts and
states to a broker, as a plant's PLC gateways would, and the plant reads them through an MQTT source.

Each line publishes its counter totals at the end of every minute (``huddle/<site>/<line>/counts``) and its state
as it changes (``.../state``: stopped with the stop's reason, a planned stop, running again), from the same
generators as the export files, so the minutes add up to the hours the files would have had. What was published
last is kept in the data folder (``demo_mqtt_state.json``): each run of the feed publishes the minutes since, the
first one from the history's cut-off.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huddle.dashboard.core.plant import PlantConfig, SourceDef
from huddle.data.demo.generator import _Generator, _ts
from huddle.data.ingest.mqtt import broker_address
from huddle.data.ingest.mqtt_messages import default_topics

log = logging.getLogger("huddle.demo")

LIVE_STATE = "demo_mqtt_state.json"
MINUTE = 60


def live_source(config: PlantConfig) -> SourceDef | None:
    """The plant's MQTT source, if it has one (the demo then feeds counts and stops through the broker)."""
    return next((s for s in config.sources.values() if s.kind == "mqtt"), None)


def publish_minutes(config: PlantConfig, source: SourceDef, data_dir: Path, gen: _Generator, cutoff: int,
                    now: datetime) -> int:
    """Publish every whole minute since the last one published (the history's cut-off the first time) up to
    ``now``; returns the messages published."""
    path = Path(data_dir) / LIVE_STATE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {"through": cutoff, "totals": {}}
    through = int(state["through"])
    until = _ts(now) // MINUTE * MINUTE
    if until <= through:
        return 0
    messages = minute_messages(config, source, gen, through, until, state["totals"], first=through == cutoff)
    send(source.url or "", messages)
    state["through"] = until
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)
    return len(messages)


def minute_messages(config: PlantConfig, source: SourceDef, gen: _Generator, through: int, until: int,
                    totals: dict[str, dict[str, int]], first: bool) -> list[tuple[str, dict[str, Any]]]:
    """(topic, payload) of every line's minute totals and state changes in [through, until), in time order per
    line; ``totals`` (the counters' last readings) are advanced. The first time, stops already running at
    ``through`` are opened at their start (the history holds only the stops that had ended)."""
    topics = source.topics or default_topics(config)
    out: list[tuple[str, dict[str, Any]]] = []
    for inst in config.calendar.instances(datetime.fromtimestamp(through, UTC), datetime.fromtimestamp(until, UTC)):
        lo, hi = max(through, _ts(inst.start_utc)), min(until, _ts(inst.end_utc))
        if hi <= lo:
            continue
        for line in config.lines:
            run = gen.shift_run(line, inst)
            counts_topic = topics["counts"].replace("{line}", line)
            state_topic = topics["state"].replace("{line}", line)
            events: list[tuple[int, int, str, dict[str, Any]]] = []
            if line not in totals:  # a new counter: its first reading is the baseline
                totals[line] = {"total": 0, "good": 0}
                events.append((lo, 0, counts_topic, {"at": _iso(lo), **totals[line]}))
            for s in run.stops:
                if lo <= s.start < hi or (first and s.start < lo < s.end):
                    events.append((s.start, 1, state_topic, {
                        "at": _iso(s.start), "state": "planned_stop" if s.category == "planned" else "stopped",
                        "reason": s.reason, "equipment": s.equipment}))
                if lo < s.end <= hi:
                    events.append((s.end, 1, state_topic, {"at": _iso(s.end), "state": "running"}))
            counter = totals[line]
            for m in range(lo, hi, MINUTE):
                end = min(m + MINUTE, hi)
                rows, _defects = gen.hour(run, m, end)
                counter["total"] += sum(r[4] for r in rows)
                counter["good"] += sum(r[5] for r in rows)
                product = rows[-1][3] if rows else ""
                events.append((end, 2, counts_topic, {"at": _iso(end), "total": counter["total"],
                                                      "good": counter["good"], "product": product}))
            out.extend((topic, payload) for _at, _order, topic, payload in sorted(events, key=lambda e: e[:2]))
    return out


def send(url: str, messages: list[tuple[str, dict[str, Any]]], timeout: float = 30.0) -> None:
    """Publish messages (QoS 1) and wait until the broker has every one; OSError when it cannot be reached."""
    import paho.mqtt.client as mqtt

    if not messages:
        return
    host, port, tls = broker_address(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"huddle-demo-feed-{os.getpid()}")
    if tls:
        client.tls_set()
    client.connect(host, port)
    client.loop_start()
    try:
        sent = [client.publish(topic, json.dumps(payload), qos=1) for topic, payload in messages]
        for info in sent:
            info.wait_for_publish(timeout)
    finally:
        client.disconnect()
        client.loop_stop()


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()
