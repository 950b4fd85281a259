"""The live source: a subscriber that reads machine counts and states from an MQTT broker and stores them as the
same records as files, so the running shift's board follows the machines within seconds.

paho-mqtt's network thread receives the messages (and reconnects by itself); ``LiveSubscriber.flush``, every few
seconds on a thread of its own (the source's ``schedule``), stores what they said through ``RowStore``, so
validation, the quarantine and the shift facts are the files': counts as one row per line, product and minute
(the minute still running ends at the flush, and grows with each flush), stops as they open (ending at the flush)
and close. A message that cannot be read goes to the quarantine with its topic, payload and reason. The
``live_sources`` row says whether the broker is connected (the readings mark the tiles of the lines it feeds stale
when it is not) and keeps the last totals and open stops across restarts; the run ledger gets one run per
quarter of an hour of messages, and a failed run when the broker connection is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from huddle.dashboard.core.calendar import now_utc
from huddle.dashboard.core.plant import PlantConfig, SourceDef
from huddle.dashboard.core.sentence import payload as said
from huddle.data.ingest.contract import RECORD_TYPES
from huddle.data.ingest.mqtt_messages import BUCKET, CountStep, LiveState, MessageReader, MessageRefusedError
from huddle.data.ingest.readers import Table
from huddle.data.ingest.store import RowStore
from huddle.data.models import LoadRun, ProductionCount, QuarantinedRow
from huddle.data.models_feeds import LiveSource, RowChange
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("huddle.mqtt")

RUN_WINDOW = timedelta(minutes=15)  # one ledger run per quarter of an hour of a live source's messages
_COUNT_HEADER = ["line", "start", "end", "product", "total", "good"]
_STOP_HEADER = ["line", "start", "end", "reason", "category", "equipment"]


def broker_address(url: str) -> tuple[str, int, bool]:
    """(host, port, TLS) of an mqtt:// or mqtts:// URL."""
    parts = urlsplit(url)
    tls = parts.scheme == "mqtts"
    return parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883), tls


@dataclass
class _Inbox:
    """What the network thread hands to the flush: messages read, messages refused, connection events."""

    steps: list[tuple[str, Any]] = field(default_factory=list)  # (topic, step)
    refused: list[tuple[str, bytes, MessageRefusedError]] = field(default_factory=list)
    events: list[tuple[str, str, datetime]] = field(default_factory=list)  # ("connected"|"lost", words, when)


class LiveSubscriber:
    """Subscribes to one MQTT source and stores its messages every few seconds."""

    def __init__(self, config: PlantConfig, source: SourceDef, session_factory: sessionmaker[Session],
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.config = config
        self.source = source
        self.sessions = session_factory
        self.clock = clock
        self.reader = MessageReader(config, source)
        self.host, self.port, self.tls = broker_address(source.url or "")
        # at least once a minute: a live source silent for two minutes reads as lost (ledger.context_rows)
        self.interval = min(60.0, float(source.schedule.every_seconds or 5))
        self.state = LiveState()
        self.connected = False
        self._lock = threading.Lock()
        self._inbox = _Inbox()
        self._run: tuple[int, datetime] | None = None  # the ledger run of this quarter of an hour
        self._lost_run: int | None = None  # the failed run of the connection loss in progress
        self._counters = {"messages": 0, "refused": 0, "last_message_at": None}
        self._stop = threading.Event()
        self.subscribed = threading.Event()  # set once the broker has acknowledged every subscription
        self._pending_acks: set[int] = set()
        self._thread: threading.Thread | None = None
        self._client: mqtt.Client | None = None
        self._store = RowStore(config, session_factory, clock)
        self._last_stored: dict[str, str] = {}  # per record type: the rows stored last
        self._flushes = 0
        self.started_at = datetime.now(UTC)  # the real clock: tells this subscriber's ledger entries from others'

    # ---- the connection (paho's network thread) ---------------------------------------------------------

    def start(self, flush_thread: bool = True) -> None:
        """Connect (in the background; paho reconnects by itself) and store messages every ``interval`` seconds."""
        with self.sessions() as session:
            row = session.get(LiveSource, self.source.key)
            self.state = LiveState.from_json(row.machine_state if row else None)
        self._save_source("connecting", "")
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"huddle-{self.config.site_key}-"
                             f"{self.source.key}-{uuid.uuid4().hex[:8]}")
        parts = urlsplit(self.source.url or "")
        if parts.username:
            client.username_pw_set(parts.username, parts.password)
        if self.tls:
            client.tls_set()
        client.reconnect_delay_set(1, 30)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.connect_async(self.host, self.port, keepalive=30)
        client.loop_start()
        self._client = client
        if flush_thread:
            self._stop.clear()
            self._thread = threading.Thread(target=self._flush_loop, name=f"huddle-live-{self.source.key}",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Disconnect, store what was received, and mark the source disconnected (nobody reads it now)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
        self.flush()
        self.connected = False
        self._save_source("disconnected", "the subscriber stopped (the scheduler is not running)")

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            self._event("lost", f"the broker refused the connection ({reason})")
            return
        self.subscribed.clear()
        self._pending_acks = {client.subscribe(topic, qos=1)[1] for topic in self.reader.subscriptions()}
        self._event("connected", "")

    def _on_subscribe(self, _client: mqtt.Client, _userdata: Any, mid: int, _codes: Any, _props: Any) -> None:
        self._pending_acks.discard(mid)
        if not self._pending_acks:
            self.subscribed.set()

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        self._event("lost", f"cannot reach the broker at {self.host}:{self.port}")

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        self.subscribed.clear()
        if not self._stop.is_set():
            self._event("lost", f"disconnected from {self.host}:{self.port} ({reason})")

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.receive(message.topic, message.payload)

    def _event(self, kind: str, words: str) -> None:
        with self._lock:
            self._inbox.events.append((kind, words, self.clock()))
            self.connected = kind == "connected"

    def receive(self, topic: str, payload: bytes) -> None:
        """Read one message (paho's thread); it is stored by the next flush."""
        try:
            step = self.reader.read(topic, payload, self.clock())
        except MessageRefusedError as refused:
            with self._lock:
                self._inbox.refused.append((topic, payload, refused))
            return
        with self._lock:
            self._inbox.steps.append((topic, step))

    # ---- storing (the flush thread) ---------------------------------------------------------------------

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # the database is away: keep what was received for the next flush
                log.exception("live source %s: storing messages failed", self.source.key)

    def flush(self) -> dict[str, int]:
        """Store what arrived since the last flush (counts, stops, refusals), then the connection's changes;
        returns the messages, rows stored and messages refused."""
        with self._lock:
            inbox, self._inbox = self._inbox, _Inbox()
            connected = self.connected
        now = self.clock()
        for _topic, step in inbox.steps:
            if isinstance(step, CountStep):
                self.state.count(step, self.source.counts != "increments")
            else:
                self.state.state(step)
        done = {"messages": len(inbox.steps), "rows": 0, "refused": len(inbox.refused)}
        counts, stops = self._rows(now, open_stops=connected)
        if counts or stops or inbox.steps or inbox.refused:
            run_id = self._ledger_run(now)
            done["rows"], refused_rows = self._store_rows(run_id, counts, stops, now)
            self._quarantine(run_id, inbox.refused, now)
            self._count_run(run_id, done, refused_rows, now)
        elif connected and self._lost_run is None:  # nothing new: the source was still read up to now
            self._count_run(self._ledger_run(now), done, 0, now)
        self._counters["messages"] = int(self._counters["messages"] or 0) + done["messages"]
        self._counters["refused"] = int(self._counters["refused"] or 0) + done["refused"]
        if inbox.steps:
            self._counters["last_message_at"] = now
        for kind, words, when in inbox.events:
            self._connection(kind, words, when)
        self._save_source(None, None)
        return done

    def _rows(self, now: datetime, open_stops: bool) -> tuple[list[list[Any]], list[list[Any]]]:
        """The count rows of the buckets (the running minute ends now) and the stop rows: the closed ones, and
        while connected the open ones up to now."""
        self.state.buckets = self._with_stored(self.state.buckets)
        counts = [[line, minute, min(minute + BUCKET, now), product, v[0], v[1]]
                  for (line, minute, product), v in sorted(self.state.buckets.items())
                  if min(minute + BUCKET, now) > minute]
        stops = [[s["line"], s["start"], s["end"], s["reason"], s["category"], s["equipment"]]
                 for s in self.state.closed]
        if open_stops:
            for line, s in sorted(self.state.stops.items()):
                start = datetime.fromisoformat(s["start"])
                if now > start:
                    stops.append([line, start, now, s["reason"], s["category"], s["equipment"]])
        return counts, stops

    def _store_rows(self, run_id: int, counts: list[list[Any]], stops: list[list[Any]],
                    now: datetime) -> tuple[int, int]:
        """Store count and stop rows through the files' row store; (rows stored, rows refused)."""
        stored = refused = 0
        where = f"messages from {self.host}:{self.port}"
        for record, header, rows in (("production_counts", _COUNT_HEADER, counts),
                                     ("stop_events", _STOP_HEADER, stops)):
            if not rows:
                continue
            content = json.dumps(rows, default=str)
            if self._last_stored.get(record) == content:
                continue  # nothing changed since the last flush (an open stop under a clock standing still)
            self._flushes += 1  # the ledger keeps one entry per store, so the same rows later are a new entry
            digest = hashlib.sha256(f"{self.started_at.isoformat()}|{self._flushes}|{content}".encode()).hexdigest()
            table = Table(header, [(n, r) for n, r in enumerate(rows, start=1)], decimal_comma=False, note="mqtt")
            outcome = self._store.store(f"{record} messages", where, table, RECORD_TYPES[record],
                                        {c: i for i, c in enumerate(header)}, self.source.key, run_id, digest,
                                        len(rows), now.timestamp())
            self._last_stored[record] = content
            stored += outcome.rows_loaded
            refused += outcome.rows_rejected
        if counts or stops:
            # the running minute and an open stop grow with each store: that is no correction to keep in the ledger
            with self.sessions.begin() as session:
                session.execute(delete(RowChange).where(RowChange.run_id == run_id, RowChange.file == where))
        # stored: a finished minute is done; the one still running stays to grow
        self.state.buckets = {k: v for k, v in self.state.buckets.items() if k[1] + BUCKET > now}
        self.state.closed = []
        return stored, refused

    def _with_stored(self, buckets: dict[tuple[str, datetime, str], list[int]]
                     ) -> dict[tuple[str, datetime, str], list[int]]:
        """Buckets new to this subscriber start from what is stored for their minute already (a restart, or a late
        message for a minute already stored): the stored row is replaced by the sum."""
        fresh = [k for k, v in buckets.items() if len(v) == 2]
        if fresh:
            with self.sessions() as session:
                stored = {(r.line, r.start_utc.astimezone(UTC), r.product): (r.total, r.good)
                          for r in session.execute(select(ProductionCount).where(tuple_(
                              ProductionCount.line, ProductionCount.start_utc).in_(
                              [(k[0], k[1]) for k in fresh]))).scalars()}
            for k in fresh:
                total, good = stored.get(k, (0, 0))
                buckets[k] = [buckets[k][0] + total, buckets[k][1] + good, 1]  # third value: stored values added
        return buckets

    def _quarantine(self, run_id: int, refused: list[tuple[str, bytes, MessageRefusedError]], now: datetime) -> None:
        if not refused:
            return
        with self.sessions.begin() as session:
            session.execute(QuarantinedRow.__table__.insert(), [
                {"run_id": run_id, "source": self.source.key, "file": topic, "row": 0, "column": r.field,
                 "value": r.value, "reason": r.reason, "reason_message": said(r.reason),
                 "record": payload.decode("utf-8", "replace")[:2000],
                 "created_at": now,
                 "record_type": "production_counts" if self.reader.kind_of(topic) == "counts" else "stop_events"}
                for topic, payload, r in refused])

    # ---- the ledger and the live_sources row ------------------------------------------------------------

    def _ledger_run(self, now: datetime) -> int:
        """The run this flush counts into: this quarter of an hour's, or a new one."""
        if self._lost_run is not None and not self.connected:
            return self._lost_run
        if self._run is None or now - self._run[1] >= RUN_WINDOW:
            with self.sessions.begin() as session:
                run = LoadRun(source=self.source.key, trigger="live", started_at=now, finished_at=now,
                              status="idle", runs=0, message="")
                session.add(run)
                session.flush()
                self._run = (run.id, now)
        return self._run[0]

    def _count_run(self, run_id: int, done: dict[str, int], refused_rows: int, now: datetime) -> None:
        with self.sessions.begin() as session:
            run = session.get(LoadRun, run_id)
            if run is None:
                return
            run.rows_read = (run.rows_read or 0) + done["messages"]
            run.rows_loaded = (run.rows_loaded or 0) + done["rows"]
            run.rows_rejected = (run.rows_rejected or 0) + done["refused"] + refused_rows
            run.finished_at = now
            if run.status != "failed":
                run.runs = (run.runs or 0) + 1
                run.status = "partial" if run.rows_rejected else "ok" if run.rows_read else "idle"
                run.message = (f"{run.rows_read:,} messages from {self.host}:{self.port}, {run.rows_loaded:,} rows "
                               f"stored" + (f", {run.rows_rejected:,} refused (see the quarantine)"
                                            if run.rows_rejected else "")) if run.rows_read else ""

    def _connection(self, kind: str, words: str, when: datetime) -> None:
        """A connection change: connected ends a loss; a loss ends the quarter's run with a failed one."""
        if kind == "connected":
            if self._lost_run is not None:
                with self.sessions.begin() as session:
                    session.execute(update(LoadRun).where(LoadRun.id == self._lost_run).values(
                        message=LoadRun.message + f"; connected again at {when.astimezone(self.config.tz):%H:%M:%S}"))
            self._lost_run = None
            self._save_source("connected", "", when)
            return
        if self._lost_run is None:
            with self.sessions.begin() as session:
                run = LoadRun(source=self.source.key, trigger="live", started_at=when, finished_at=when,
                              status="failed", message=f"broker connection lost: {words}; reconnecting")
                session.add(run)
                session.flush()
                self._lost_run = run.id
            self._run = None
        else:  # another failed attempt of the same loss
            with self.sessions.begin() as session:
                session.execute(update(LoadRun).where(LoadRun.id == self._lost_run).values(
                    finished_at=when, runs=LoadRun.runs + 1))
        self._save_source("disconnected", f"broker connection lost: {words}; reconnecting", when)

    def _save_source(self, state: str | None, error: str | None, when: datetime | None = None) -> None:
        """Write the live_sources row (a state change when ``state`` is given, the counters and machine state)."""
        now = self.clock()
        with self.sessions.begin() as session:
            row = session.get(LiveSource, self.source.key)
            if row is None:
                row = LiveSource(source=self.source.key, state=state or "connecting", since=when or now,
                                 messages=0, refused=0, last_error="")
                session.add(row)
            if state is not None:
                if state != row.state:
                    row.since = when or now
                row.state = state
            if error is not None:
                row.last_error = error
            row.messages = int(self._counters["messages"] or 0)
            row.refused = int(self._counters["refused"] or 0)
            if self._counters["last_message_at"] is not None:
                row.last_message_at = self._counters["last_message_at"]
            row.machine_state = self.state.to_json()
            row.updated_at = now
