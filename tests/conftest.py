"""Shared fixtures: a database on each supported backend, a small plant, services, and the browser options."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

POSTGRES_ENV = "HUDDLE_TEST_POSTGRES_URL"

#: A small plant: one area of two lines, one early shift with the worked example's breaks, the OEE KPIs.
SMALL_PLANT = """
site: {key: ex, name: Example Plant, timezone: Europe/Berlin}
calendar:
  shifts:
    - key: E
      name: Early
      start: "06:00"
      end: "14:00"
      breaks: [{start: "09:00", minutes: 15}, {start: "11:00", minutes: 30, label: meal}, {start: "12:45", minutes: 15}]
    - key: L
      name: Late
      start: "14:00"
      end: "22:00"
    - key: N
      name: Night
      start: "22:00"
      end: "06:00"
areas:
  - key: a
    name: Area A
    lines: [{key: L1, name: Line 1, ideal_cycle_s: 1.0}, {key: L2, name: Line 2, ideal_cycle_s: 1.0}]
kpis:
  - {key: oee, name: OEE, category: D, target: 85, owner: A, data_source: MES}
  - {key: availability, name: Availability, category: D, target: 90, owner: A, data_source: MES}
  - {key: performance, name: Performance, category: D, target: 95, owner: A, data_source: MES}
  - {key: quality, name: Quality, category: Q, target: 99.9, owner: A, data_source: MES}
  - {key: schedule_attainment, name: Schedule attainment, category: D, target: 95, owner: A, data_source: MES}
  - {key: trir, name: TRIR, category: S, target: 2, frequency: month, owner: A, data_source: EHS}
  - {key: unplanned_downtime, name: Unplanned downtime, category: D, target: 30, owner: A, data_source: MES}
trees:
  - key: oee
    name: OEE tree
    root: oee
    edges:
      - {parent: oee, children: [availability, performance, quality], formula: product}
sources:
  - {key: counts, kind: files, record: production_counts, path: "${data_dir}/inbox/counts", settle_seconds: 0}
  - {key: stops, kind: files, record: stop_events, path: "${data_dir}/inbox/stops", settle_seconds: 0}
"""


def pytest_setup_options():  # type: ignore[no-untyped-def]
    """Chrome options for dash_duo: Debian's Chromium, headless, no background network."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = os.environ.get("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1920,1080"):
        options.add_argument(flag)
    return options


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty Huddle database on each supported backend (PostgreSQL when its URL is set)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'huddle.sqlite'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def plant_file(tmp_path: Path) -> Path:
    """The small plant's configuration file."""
    path = tmp_path / "plant.yaml"
    path.write_text(SMALL_PLANT, encoding="utf-8")
    return path


@pytest.fixture
def make_services(tmp_path: Path, plant_file: Path) -> Iterator[Callable[..., object]]:
    """Build services on the small plant (or another plant file) with a fixed clock."""
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings

    built = []

    def build(database_url: str | None = None, now: datetime = datetime(2026, 11, 20, 20, 0, tzinfo=UTC),
              plant: Path | None = None, anonymous_access: str = "read") -> object:
        settings = Settings(data_dir=tmp_path, database_url=database_url, plant_config=plant or plant_file,
                            anonymous_access=anonymous_access)
        services = build_services(settings, clock=lambda: now)
        built.append(services)
        return services

    yield build
    for s in built:
        s.dispose()


def write_past(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a file and date it a minute back, so a loader's settle window does not hold it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    past = datetime.now().timestamp() - 60
    os.utime(path, (past, past))
    return path


def load_demo(data_dir: Path, now: datetime, days: int) -> object:
    """The demo plant with ``days`` of history written as export files and loaded, anyone may read; services
    with a fixed clock (the caller disposes of them)."""
    from huddle.dashboard.core.plant import load_plant
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import DEMO_PLANT, Settings
    from huddle.data.demo.feeds import generate_history

    generate_history(load_plant(DEMO_PLANT, data_dir), data_dir, now, days=days)
    past = datetime.now().timestamp() - 60  # older than every source's settle window
    for path in (data_dir / "inbox").rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))
    services = build_services(Settings(data_dir=data_dir, plant_config=DEMO_PLANT, anonymous_access="read"),
                              clock=lambda: now)
    outcomes = services.loader.run_all()
    assert all(o.status != "failed" and o.rows_rejected == 0 for o in outcomes), [o.message for o in outcomes]
    return services
