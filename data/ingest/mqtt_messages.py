"""Reading live machine messages (MQTT): a topic and a JSON payload become count increments and stop changes.

A counts message carries a line's counter totals (or increments, as the source says) with the instant they were
read; a state message says the line runs, stopped (with a reason) or is in a planned stop. ``MessageReader``
turns one message into ``CountStep`` or ``StateStep`` for a line, or raises ``MessageRefusedError`` naming the
field, the value and the reason. ``LiveState`` keeps what a subscriber must remember between messages (last
totals, open stops) and adds the count increments into one-minute buckets. No I/O here: the subscriber
(``mqtt``) stores what it makes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.plant import PlantConfig, SourceDef
from huddle.dashboard.core.sentence import Sentence, reason_of
from huddle.data.ingest.contract import CATEGORY_WORDS, normalise_header, parse_instant, parse_number

STATES = ("running", "stopped", "planned_stop")
BUCKET = timedelta(minutes=1)
_FIELDS = ("line", "at", "total", "good", "product", "state", "reason", "equipment")


class MessageRefusedError(Exception):
    """A message that cannot be stored: the field, its value and why, in words."""

    def __init__(self, reason: str, field_name: str = "", value: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field_name
        self.value = value


@dataclass(frozen=True)
class CountStep:
    """Units counted on a line by ``at``: totals (counter readings) or increments, as the source sends them."""

    line: str
    at: datetime
    total: int
    good: int
    product: str


@dataclass(frozen=True)
class StateStep:
    """A line's state from ``at`` on: running, stopped (reason, category) or a planned stop."""

    line: str
    at: datetime
    state: str
    reason: str = ""
    category: str = ""
    equipment: str = ""


def default_topics(config: PlantConfig) -> dict[str, str]:
    """The topics a source without ``topics:`` reads: huddle/<site>/<line>/counts and .../state."""
    return {"counts": f"huddle/{config.site_key}/{{line}}/counts", "state": f"huddle/{config.site_key}/{{line}}/state"}


def _pattern(topic: str) -> re.Pattern[str]:
    """A regular expression matching a topic (with ``{line}``, ``+`` and ``#``); group "line" is the line."""
    parts = []
    for level in topic.split("/"):
        if level == "{line}":
            parts.append("(?P<line>[^/]+)")
        elif level == "+":
            parts.append("[^/]+")
        elif level == "#":
            parts.append(".*")
        else:
            parts.append(re.escape(level))
    return re.compile("/".join(parts) + r"\Z")


class MessageReader:
    """Turns one message of a live source into a step for a line, against the plant configuration."""

    def __init__(self, config: PlantConfig, source: SourceDef) -> None:
        self.config = config
        self.source = source
        self.topics = source.topics or default_topics(config)
        self._patterns = {kind: _pattern(topic) for kind, topic in self.topics.items()}
        self._keys = {normalise_header(k): v for k, v in source.payload.items()}

    def subscriptions(self) -> list[str]:
        """The topic filters to subscribe to ({line} read as the single-level wildcard)."""
        return [topic.replace("{line}", "+") for topic in self.topics.values()]

    def kind_of(self, topic: str) -> str | None:
        """"counts" or "state" for a topic of this source, None for another topic."""
        return next((kind for kind, p in self._patterns.items() if p.match(topic)), None)

    def read(self, topic: str, payload: bytes, received: datetime) -> CountStep | StateStep:
        """The step a message says; ``MessageRefusedError`` when it cannot be read or names what the plant does not
        know."""
        kind = self.kind_of(topic)
        if kind is None:
            raise MessageRefusedError(Sentence(N_("topic {topic} is none of this source's ({topics})"), topic=topic,
                                               topics=", ".join(self.topics.values())))
        try:
            raw = json.loads(payload.decode("utf-8"))
        except UnicodeDecodeError:
            raise MessageRefusedError(Sentence(N_("the payload is not UTF-8 text (JSON is)")), "",
                                      _show(payload)) from None
        except ValueError as exc:
            raise MessageRefusedError(Sentence(N_("the payload is not JSON ({error})"), error=exc), "",
                                      _show(payload)) from None
        if not isinstance(raw, dict):
            raise MessageRefusedError(Sentence(N_("the payload is not a JSON object ({example})"), example="{...}"), "",
                                      _show(payload))
        values = {self._keys.get(normalise_header(k), normalise_header(k)): v for k, v in raw.items()}
        match = self._patterns[kind].match(topic)
        line = str(match.group("line") if match and "line" in match.groupdict() else values.get("line") or "")
        if line not in self.config.lines:
            raise MessageRefusedError(Sentence(N_("unknown line (known: {known})"), known=", ".join(self.config.lines)),
                                      "line", line)
        at = received
        if values.get("at") not in (None, ""):
            try:
                at = parse_instant(values["at"], self.config.tz)
            except ValueError as exc:
                raise MessageRefusedError(reason_of(exc), "at", _show(values["at"])) from None
        if kind == "counts":
            return self._counts(line, at, values)
        return self._state(line, at, values)

    def _counts(self, line: str, at: datetime, values: dict[str, Any]) -> CountStep:
        numbers = {}
        for name in ("total", "good"):
            if values.get(name) in (None, ""):
                raise MessageRefusedError(Sentence(N_("missing value")), name)
            try:
                numbers[name] = int(parse_number(values[name], decimal_comma=False, whole=True))
            except ValueError as exc:
                raise MessageRefusedError(reason_of(exc), name, _show(values[name])) from None
        if numbers["good"] > numbers["total"]:
            raise MessageRefusedError(Sentence(N_("more good units than total ({total})"), total=numbers["total"]),
                                      "good", str(numbers["good"]))
        product = str(values.get("product") or "").strip()
        return CountStep(line, at, numbers["total"], numbers["good"], product)

    def _state(self, line: str, at: datetime, values: dict[str, Any]) -> StateStep:
        given = str(values.get("state") if values.get("state") is not None else "").strip()
        state = self.source.states.get(given, given.lower())
        if state not in STATES:
            raise MessageRefusedError(Sentence(N_("expected running, stopped or planned_stop (map the plant's values "
                                               "under states:)")), "state", given)
        if state == "running":
            return StateStep(line, at, state)
        code = str(values.get("reason") or "").strip()
        reason = self.source.reasons.get(code, code)
        if not reason:
            raise MessageRefusedError(Sentence(N_("missing value: a stop needs its reason")), "reason")
        catalogue = self.config.stop_reasons
        category = catalogue.get(reason) or ("planned" if state == "planned_stop" else "unplanned")
        if catalogue and reason not in catalogue:
            raise MessageRefusedError(Sentence(N_("unknown stop reason (add it to stop_reasons, or map the code under "
                                               "reasons:)")), "reason", code)
        if state == "planned_stop" and category != "planned":
            word = Sentence(CATEGORY_WORDS.get(category, category))
            raise MessageRefusedError(Sentence(N_("reason {reason} is {category} in the plant configuration, not a "
                                               "planned stop"), reason=repr(reason), category=word), "reason", code)
        return StateStep(line, at, state, reason, category, str(values.get("equipment") or "").strip()[:120])


@dataclass
class LiveState:
    """What a subscriber remembers between messages: per line the last counter totals and the open stop; and the
    one-minute count buckets not stored yet."""

    totals: dict[str, dict[str, int]] = field(default_factory=dict)  # line -> {"total": n, "good": n}
    stops: dict[str, dict[str, str]] = field(default_factory=dict)  # line -> open stop (start ISO, reason, ...)
    lines: set[str] = field(default_factory=set)  # every line its messages have named
    buckets: dict[tuple[str, datetime, str], list[int]] = field(default_factory=dict)  # (line, minute, product)
    closed: list[dict[str, Any]] = field(default_factory=list)  # stops ended since the last store

    def to_json(self) -> str:
        """What survives a restart (the live_sources row's machine_state)."""
        return json.dumps({"totals": self.totals, "stops": self.stops, "lines": sorted(self.lines)})

    @classmethod
    def from_json(cls, text: str | None) -> LiveState:
        """The state a previous subscriber left (an empty one for nothing or unreadable text)."""
        try:
            raw = json.loads(text or "{}")
            return cls(dict(raw.get("totals") or {}), dict(raw.get("stops") or {}), set(raw.get("lines") or ()))
        except (ValueError, AttributeError, TypeError):
            return cls()

    def count(self, step: CountStep, as_totals: bool) -> None:
        """Add a counts message: totals become increments over the line's last totals (a counter that went back
        was reset: its new reading is what it counted since); the first totals of a line are only its baseline.
        The increment belongs to the minute holding the instant just before ``at`` (a message at 06:01:00 reports
        the minute 06:00-06:01)."""
        self.lines.add(step.line)
        total, good = step.total, step.good
        if as_totals:
            last = self.totals.get(step.line)
            self.totals[step.line] = {"total": step.total, "good": step.good}
            if last is None:
                return
            total = step.total - last["total"] if step.total >= last["total"] else step.total
            good = step.good - last["good"] if step.good >= last["good"] else step.good
            good = min(good, total)  # a good counter reset on its own cannot make more good than total
        before = step.at.astimezone(UTC) - timedelta(microseconds=1)
        minute = before.replace(second=0, microsecond=0)
        bucket = self.buckets.setdefault((step.line, minute, step.product), [0, 0])
        bucket[0] += total
        bucket[1] += good

    def state(self, step: StateStep) -> None:
        """Open, change or close the line's stop: a stop message opens one (closing one of another reason); a
        running message closes it."""
        self.lines.add(step.line)
        open_stop = self.stops.get(step.line)
        at = step.at.astimezone(UTC)
        if open_stop is not None:
            same = (open_stop["reason"], open_stop["category"]) == (step.reason, step.category)
            if step.state != "running" and same:
                return  # the same stop reported again
            start = datetime.fromisoformat(open_stop["start"])
            if at > start:
                self.closed.append({**open_stop, "line": step.line, "start": start, "end": at})
            del self.stops[step.line]
        if step.state != "running":
            self.stops[step.line] = {"start": at.isoformat(), "reason": step.reason, "category": step.category,
                                     "equipment": step.equipment}


def _show(value: Any) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
