"""Live machine messages without a broker: an MQTT source in the plant file, a message read into a step for a line
(or refused with the field, value and reason), and the subscriber's memory turning counter totals into minute
increments and state changes into stops."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from huddle.dashboard.core.plant import ConfigError, PlantConfig, parse_plant
from huddle.data.ingest.mqtt_messages import (
    CountStep,
    LiveState,
    MessageReader,
    MessageRefusedError,
    StateStep,
)

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def plant(**source: Any) -> PlantConfig:
    """A plant of two lines with a stop reason catalogue and an MQTT source (``source`` overrides its keys)."""
    return parse_plant({
        "site": {"key": "ex", "name": "Example", "timezone": "Europe/Berlin"},
        "calendar": {"shifts": [{"key": "E", "start": "06:00", "end": "14:00"}]},
        "areas": [{"key": "a", "lines": [{"key": "L1", "ideal_cycle_s": 1.0}, {"key": "L2", "ideal_cycle_s": 1.0}]}],
        "stop_reasons": [{"reason": "Filler jam", "category": "unplanned"},
                         {"reason": "Cleaning", "category": "planned"},
                         {"reason": "Format change", "category": "changeover"}],
        "kpis": [{"key": "oee", "category": "D", "target": 85}],
        "sources": [{"key": "plc", "kind": "mqtt", "url": "mqtt://broker:1883", **source}],
    })


def reader(**source: Any) -> MessageReader:
    config = plant(**source)
    return MessageReader(config, config.sources["plc"])


def read(r: MessageReader, topic: str, payload: Any) -> Any:
    return r.read(topic, payload if isinstance(payload, bytes) else json.dumps(payload).encode(), AT)


def test_an_mqtt_source_in_the_plant_file() -> None:
    source = plant().sources["plc"]
    assert (source.kind, source.record, source.schedule.every_seconds, source.counts) == \
        ("mqtt", "production_counts", 5, "totals")
    mapped = plant(topics={"counts": "site/{line}/cnt"}, payload={"GoodCount": "good"}, states={"2": "stopped"},
                   reasons={"E17": "Filler jam"}, counts="increments").sources["plc"]
    assert (mapped.topics, mapped.payload, mapped.states, mapped.reasons, mapped.counts) == (
        {"counts": "site/{line}/cnt"}, {"GoodCount": "good"}, {"2": "stopped"}, {"E17": "Filler jam"}, "increments")


def test_a_broken_mqtt_source_is_refused_with_its_places() -> None:
    with pytest.raises(ConfigError) as info:
        plant(url="tcp://broker", topics={"count": "x/{line}"}, states={"2": "halted"}, counts="deltas")
    problems = info.value.problems
    assert "sources[0].url: an mqtt source needs its broker, as mqtt://host:1883" in problems
    assert any(p.startswith("sources[0].topics: expected 'counts' or 'state', got 'count'") for p in problems)
    assert any(p.startswith("sources[0].states: expected 'running' or 'stopped' or 'planned_stop'") for p in problems)
    assert any(p.startswith("sources[0].counts: expected 'totals' or 'increments'") for p in problems)


def test_messages_on_the_default_topics() -> None:
    r = reader()
    assert r.subscriptions() == ["huddle/ex/+/counts", "huddle/ex/+/state"]
    step = read(r, "huddle/ex/L1/counts", {"at": "2026-11-20 10:31:00", "total": 1200, "good": "1190",
                                            "product": "SKU-1"})
    assert step == CountStep("L1", datetime(2026, 11, 20, 9, 31, tzinfo=UTC), 1200, 1190, "SKU-1")
    assert read(r, "huddle/ex/L2/state", {"state": "Stopped", "reason": "Filler jam"}) == \
        StateStep("L2", AT, "stopped", "Filler jam", "unplanned", "")  # no "at": the time it came
    assert read(r, "huddle/ex/L2/state", {"state": "stopped", "reason": "Format change"}).category == "changeover"
    assert read(r, "huddle/ex/L2/state", {"state": "planned_stop", "reason": "Cleaning"}).category == "planned"


def test_the_plants_own_keys_values_and_codes_are_mapped() -> None:
    r = reader(topics={"counts": "plant/{line}/Counters", "state": "plant/+/Status"},
               payload={"GoodCount": "good", "TotalCount": "total", "Line": "line", "Status": "state",
                        "StopCode": "reason"},
               states={"1": "running", "2": "stopped", "3": "planned_stop"}, reasons={"E17": "Filler jam"})
    assert read(r, "plant/L1/Counters", {"TotalCount": 50, "GoodCount": 49}).total == 50
    assert read(r, "plant/gw-7/Status", {"Line": "L2", "Status": 2, "StopCode": "E17"}) == \
        StateStep("L2", AT, "stopped", "Filler jam", "unplanned", "")
    assert r.kind_of("plant/L1/other") is None


@pytest.mark.parametrize(("topic", "payload", "field", "value", "reason"), [
    ("huddle/ex/L1/counts", b"\xff\xfe", "", "\ufffd\ufffd", "the payload is not UTF-8 text (JSON is)"),
    ("huddle/ex/L1/counts", b"total=5", "", "total=5", "the payload is not JSON"),
    ("huddle/ex/L1/counts", [1, 2], "", "[1, 2]", "the payload is not a JSON object ({...})"),
    ("huddle/ex/L3/counts", {"total": 1, "good": 1}, "line", "L3", "unknown line (known: L1, L2)"),
    ("huddle/ex/L1/counts", {"good": 1}, "total", "", "missing value"),
    ("huddle/ex/L1/counts", {"total": -4, "good": 0}, "total", "-4", "must not be negative"),
    ("huddle/ex/L1/counts", {"total": 2.5, "good": 0}, "total", "2.5", "must be a whole number"),
    ("huddle/ex/L1/counts", {"total": 5, "good": 6}, "good", "6", "more good units than total (5)"),
    ("huddle/ex/L1/counts", {"total": 5, "good": 5, "at": "soon"}, "at", "soon",
     "not a date and time (use 2026-11-20 06:00:00, with an optional +01:00 offset)"),
    ("huddle/ex/L1/state", {"state": "paused"}, "state", "paused",
     "expected running, stopped or planned_stop (map the plant's values under states:)"),
    ("huddle/ex/L1/state", {"state": "stopped"}, "reason", "", "missing value: a stop needs its reason"),
    ("huddle/ex/L1/state", {"state": "stopped", "reason": "Gremlins"}, "reason", "Gremlins",
     "unknown stop reason (add it to stop_reasons, or map the code under reasons:)"),
    ("huddle/ex/L1/state", {"state": "planned_stop", "reason": "Filler jam"}, "reason", "Filler jam",
     "reason 'Filler jam' is unplanned in the plant configuration, not a planned stop"),
])
def test_a_message_that_cannot_be_stored_says_why(topic: str, payload: Any, field: str, value: str,
                                                  reason: str) -> None:
    with pytest.raises(MessageRefusedError) as info:
        read(reader(), topic, payload)
    assert (info.value.field, info.value.value, info.value.reason.split(" (Expecting")[0]) == (field, value, reason)


def minute(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2026, 11, 20, h, m, s, tzinfo=UTC)


def test_totals_become_minute_increments_with_resets() -> None:
    state = LiveState()
    state.count(CountStep("L1", minute(9, 0), 1000, 990, "A"), as_totals=True)  # the baseline: nothing counted
    assert state.buckets == {} and state.totals["L1"] == {"total": 1000, "good": 990}
    state.count(CountStep("L1", minute(9, 0, 30), 1030, 1019, "A"), as_totals=True)
    state.count(CountStep("L1", minute(9, 1), 1060, 1048, "A"), as_totals=True)  # reports the minute 9:00-9:01
    state.count(CountStep("L1", minute(9, 1, 10), 12, 12, "A"), as_totals=True)  # the counter was reset
    assert state.buckets == {("L1", minute(9, 0), "A"): [60, 58], ("L1", minute(9, 1), "A"): [12, 12]}
    increments = LiveState()
    increments.count(CountStep("L2", minute(9, 0, 5), 7, 6, ""), as_totals=False)
    increments.count(CountStep("L2", minute(9, 0, 50), 3, 3, ""), as_totals=False)
    assert increments.buckets == {("L2", minute(9, 0), ""): [10, 9]}


def test_states_open_change_and_close_stops_and_survive_a_restart() -> None:
    state = LiveState()
    state.state(StateStep("L1", minute(9, 0), "running"))  # running with nothing open: nothing to do
    state.state(StateStep("L1", minute(9, 5), "stopped", "Filler jam", "unplanned"))
    state.state(StateStep("L1", minute(9, 6), "stopped", "Filler jam", "unplanned"))  # the same stop again
    state.state(StateStep("L1", minute(9, 8), "planned_stop", "Cleaning", "planned"))
    assert state.closed == [{"line": "L1", "start": minute(9, 5), "end": minute(9, 8), "reason": "Filler jam",
                             "category": "unplanned", "equipment": ""}]
    again = LiveState.from_json(state.to_json())
    assert again.stops == {"L1": {"start": minute(9, 8).isoformat(), "reason": "Cleaning", "category": "planned",
                                  "equipment": ""}} and again.lines == {"L1"}
    again.state(StateStep("L1", minute(9, 20), "running"))
    assert [(s["start"], s["end"], s["reason"]) for s in again.closed] == [(minute(9, 8), minute(9, 20), "Cleaning")]
    assert again.stops == {}
    assert LiveState.from_json("not json") == LiveState()
