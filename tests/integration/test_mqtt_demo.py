"""The demo pointed at the machine's MQTT broker (``huddle demo --mqtt URL``): its machines publish the running
shift minute by minute and the plant's live source stores it, so the board reads it with no counts file written.

Needs HUDDLE_TEST_MQTT_URL (mqtt://127.0.0.1:1883 in .ci/run); the test publishes under a topic prefix of its own.
"""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from huddle.dashboard.core.periods import parse_period
from huddle.data.ingest.mqtt import LiveSubscriber
from huddle.data.models import ProductionCount, QuarantinedRow
from sqlalchemy import func, select

from tests.conftest import NEEDS_REAL_TIMED_WAITS
from tests.integration.test_mqtt_source import BROKER, MQTT_ENV, wait_for

pytestmark = [pytest.mark.skipif(not BROKER, reason=f"MQTT tests need {MQTT_ENV} (e.g. mqtt://127.0.0.1:1883)"),
              NEEDS_REAL_TIMED_WAITS]


@pytest.fixture
def prefix() -> str:
    """This test's own topic prefix on the shared broker."""
    import uuid

    return f"huddle-test/{uuid.uuid4().hex[:12]}"


def test_the_demo_feeds_its_running_shift_through_the_broker(tmp_path: Path, prefix: str) -> None:
    from huddle.dashboard.core.plant import load_plant
    from huddle.dashboard.demo import demo_settings
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings
    from huddle.data.demo.feeds import feed_current, generate_history

    start = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)  # 08:30 in Berlin: the early shift runs; files to 08:00
    clock = [start]
    data_dir = tmp_path / "demo"
    settings = demo_settings(Settings(data_dir=data_dir), mqtt=BROKER)
    generate_history(load_plant(settings.plant_path, data_dir), data_dir, start, days=1)
    past = time.time() - 60
    for path in (data_dir / "inbox").rglob("*"):
        os.utime(path, (past, past))
    services = build_services(settings, clock=lambda: clock[0])
    try:
        assert all(o.status != "failed" for o in services.loader.run_all())
        config = services.config
        topics = {"counts": f"{prefix}/{{line}}/counts", "state": f"{prefix}/{{line}}/state"}  # this run's own
        source = config.sources["machines"] = dataclasses.replace(config.sources["machines"], topics=topics)
        subscriber = LiveSubscriber(config, source, services.sessions, clock=lambda: clock[0])
        subscriber.start()
        try:
            wait_for(subscriber.subscribed.is_set, "the subscriber to subscribe")
            clock[0] = start + timedelta(minutes=20)  # the demo's feed runs at 08:50: 50 minutes since the files
            feed_current(config, data_dir, clock[0])

            def through() -> dict[str, Any]:
                with services.sessions() as session:
                    return dict(session.execute(select(ProductionCount.line, func.max(ProductionCount.end_utc))
                                                .group_by(ProductionCount.line)).all())

            wait_for(lambda: set(through().values()) == {clock[0]}, "every line's counts up to 08:50")
        finally:
            subscriber.stop()
        with services.sessions() as session:
            live = session.execute(select(func.count(), func.sum(ProductionCount.total))
                                   .where(ProductionCount.start_utc >= start - timedelta(minutes=30))).one()
            refused = session.execute(select(func.count()).select_from(QuarantinedRow)
                                      .where(QuarantinedRow.source == "machines")).scalar_one()
        assert live[0] >= 4 * 50 and live[1] > 0 and refused == 0  # a row a minute a line, at least
        shift = parse_period("shift", "2026-11-20/E")
        oee = services.readings.reading("oee", "L1", shift)
        assert oee.value is not None and oee.data_through == clock[0]
        assert not list((data_dir / "inbox" / "counts").glob("counts_live_*"))  # counts came through the broker only
    finally:
        services.dispose()
