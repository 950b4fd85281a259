"""Shared fixtures, so that a new test is three lines.

- ``database_url``: a fresh database at the newest schema on each supported backend (PostgreSQL when
  HUDDLE_TEST_POSTGRES_URL is set), copied from one migrated once a session; ``empty_database_url`` an empty one,
  for tests of the migrations.
- ``plant_file``, ``make_services``: the small plant (SMALL_PLANT) and services on it with a fixed clock.
- ``services``: the small plant on each backend; a test module overrides it (same name) to load its own records,
  and ``app`` / ``app_client`` then serve those services.
- ``inbox``: drop export files into the small plant's inbox (dated back past the settle window) and load them.
- ``app``, ``app_client``: the Dash app of ``services`` and a Flask test client of it; ``client_for(services)``
  for services a test builds itself.
- ``make_demo``, ``demo_services``: the demo plant "as at" an instant with some days of history (SQLite), generated
  and loaded once a session per (instant, days) and copied for each test.

For example::

    def test_the_board_answers(app_client) -> None:
        assert app_client.get("/api/v1/board").status_code == 200
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.template_databases import PostgresTemplate, copy_sqlite, migrated_sqlite_file, postgres_copies

if TYPE_CHECKING:
    from flask.testing import FlaskClient
    from huddle.data.ingest.outcomes import RunOutcome

POSTGRES_ENV = "HUDDLE_TEST_POSTGRES_URL"
#: the small plant's clock unless a test says otherwise: a Friday evening, the late shift about to end
SMALL_NOW = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
#: the demo plant's clock unless a test says otherwise: 08:30 in Berlin on a Friday, the early shift running
DEMO_NOW = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
#: the demo plant's days of history unless a test says otherwise (three weeks: a few seconds to generate and load)
DEMO_DAYS = 21

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


#: libfaketime moves the monotonic clock too, so a timed wait in a thread of its own (the scheduler's sleep until
#: its next run, the MQTT client's network loop) never ends under it: tests that need such waits skip there
NEEDS_REAL_TIMED_WAITS = pytest.mark.skipif(
    "FAKETIME" in os.environ, reason="timed waits in background threads do not end under faketime")


def pytest_configure(config: pytest.Config) -> None:
    """With the suite spread over processes (pytest-xdist), each process serves its browser tests' apps on ports
    of its own: dash_duo counts ports up from 58050 in every process. A process's 300 ports (more than the suite's 73
    browser tests start) lie below the range the system hands out for outgoing connections."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ...
    if worker:
        from dash.testing.application_runners import BaseDashRunner

        BaseDashRunner._next_port = 20000 + 300 * int(worker.removeprefix("gw"))


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One process per CPU, two at least: a browser test spends much of its time waiting for Chromium and its
    server, so two processes finish sooner than one even on a single CPU."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(2, cpus)


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


def postgres_base(request: pytest.FixtureRequest) -> str:
    """The PostgreSQL server's URL, or the test is skipped."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return base


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's SQLite file migrated to the newest revision (``database_url`` copies it)."""
    return migrated_sqlite_file(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_template(request: pytest.FixtureRequest) -> Iterator[PostgresTemplate]:
    """The session's PostgreSQL schema migrated to the newest revision (``database_url`` copies it)."""
    yield from postgres_copies(postgres_base(request))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh Huddle database of this test's own, migrated to the newest schema and holding no data, on each
    supported backend (PostgreSQL when its URL is set): a copy of the session's template (template_databases.py)."""
    if request.param == "sqlite":
        yield copy_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "huddle.sqlite")
        return
    postgres_base(request)
    template: PostgresTemplate = request.getfixturevalue("postgres_template")
    schema = template.copy()
    yield template.url(schema)
    template.drop(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each supported backend (PostgreSQL when its URL is set), never migrated: for
    tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'huddle.sqlite'}"
        return
    from sqlalchemy import create_engine, text

    base = postgres_base(request)
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
def make_services(tmp_path: Path, plant_file: Path, sqlite_template: Path) -> Iterator[Callable[..., object]]:
    """Build services on the small plant (or another plant file) with a fixed clock; without a database URL, on
    the SQLite file in the test's folder (a copy of the session's migrated template when there is none yet)."""
    from huddle.dashboard.services.container import build_services
    from huddle.dashboard.settings import Settings

    built = []

    def build(database_url: str | None = None, now: datetime = SMALL_NOW,
              plant: Path | None = None, anonymous_access: str = "read") -> object:
        settings = Settings(data_dir=tmp_path, database_url=database_url, plant_config=plant or plant_file,
                            anonymous_access=anonymous_access)
        if database_url is None and not (tmp_path / "huddle.sqlite").exists():
            copy_sqlite(sqlite_template, tmp_path / "huddle.sqlite")
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
    # files are dated by the file system's clock, which the loaders' settle window reads too: not the test's clock
    past = time.time() - 60
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
    past = time.time() - 60  # older than every source's settle window (file times are the real clock's)
    for path in (data_dir / "inbox").rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))
    services = build_services(Settings(data_dir=data_dir, plant_config=DEMO_PLANT, anonymous_access="read"),
                              clock=lambda: now)
    outcomes = services.loader.run_all()
    assert all(o.status != "failed" and o.rows_rejected == 0 for o in outcomes), [o.message for o in outcomes]
    return services


class DemoHistories:
    """Demo plants generated and loaded once a session, one per (instant, days), each test served a copy.

    A copy is as good as a fresh load: the files keep their content and modification times, and the loaded-files
    ledger is pointed at the copy's inbox, so running the loaders again on a copy finds nothing new, as it would on
    the original (tests/integration/test_shared_fixtures.py holds that)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made: dict[tuple[datetime, int], Path] = {}

    def history(self, now: datetime, days: int) -> Path:
        """The data folder of the demo plant as at ``now`` with ``days`` of history (made on first use)."""
        key = (now, days)
        if key not in self.made:
            folder = self.root / f"demo-{now:%Y%m%dT%H%M%S}-{days}d"
            load_demo(folder, now, days).dispose()
            self.made[key] = folder
        return self.made[key]

    def services(self, data_dir: Path, now: datetime, days: int, language: str | None = None) -> Any:
        """Services on a copy of that demo plant in ``data_dir`` (which must not exist yet), with a fixed clock
        (the caller disposes of them); with ``language`` the plant speaks it, as ``huddle demo --language``."""
        from huddle.dashboard.demo import demo_plant_copy
        from huddle.dashboard.services.container import build_services
        from huddle.dashboard.settings import DEMO_PLANT, Settings

        original = self.history(now, days)
        shutil.copytree(original, data_dir)  # copy2: modification times kept, as the ledger has them
        with sqlite3.connect(data_dir / "huddle.sqlite") as db:
            db.execute("UPDATE loaded_files SET path = ? || substr(path, ?) WHERE path LIKE ? || '%'",
                       (str(data_dir), len(str(original)) + 1, str(original)))
        db.close()
        plant = demo_plant_copy(data_dir, language=language) if language else DEMO_PLANT
        return build_services(Settings(data_dir=data_dir, plant_config=plant, anonymous_access="read"),
                              clock=lambda: now)


@pytest.fixture(scope="session")
def demo_histories(tmp_path_factory: pytest.TempPathFactory) -> DemoHistories:
    """The session's generated demo plants (use ``make_demo`` or ``demo_services`` in a test)."""
    return DemoHistories(tmp_path_factory.mktemp("demo-histories"))


@pytest.fixture
def make_demo(demo_histories: DemoHistories, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Build services on the demo plant as at ``now`` with ``days`` of history, a fresh copy for this test (SQLite,
    anyone may read, a fixed clock); disposed of after the test."""
    built: list[Any] = []

    def build(now: datetime = DEMO_NOW, days: int = DEMO_DAYS, language: str | None = None) -> Any:
        services = demo_histories.services(tmp_path / f"demo-{len(built)}", now, days, language)
        built.append(services)
        return services

    yield build
    for s in built:
        s.dispose()


@pytest.fixture
def demo_services(make_demo: Callable[..., Any]) -> Any:
    """The demo plant as at DEMO_NOW with DEMO_DAYS of history, this test's own copy."""
    return make_demo()


class Inbox:
    """The small plant's inbox (``<data_dir>/inbox/<folder>/``): drop export files in, and load them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def drop(self, folder: str, text: str, name: str | None = None, encoding: str = "utf-8") -> Path:
        """Write ``text`` as a file of ``folder`` (counts, stops, quality, safety, labour, ...), dated a minute
        back so the loader's settle window does not hold it."""
        return write_past(self.root / folder / (name or f"{folder}.csv"), text, encoding)

    def load(self, services: Any, **files: str) -> list[RunOutcome]:
        """Drop one file per folder (``counts=COUNTS, stops=STOPS``), run every loader once and return the
        outcomes; no source may fail and no row may be rejected. Every file source's folder is made first, so a
        source given no file finds an empty folder."""
        for source in services.config.sources.values():
            if source.kind == "files" and source.path:
                Path(source.path).mkdir(parents=True, exist_ok=True)
        for folder, text in files.items():
            self.drop(folder, text)
        outcomes = services.loader.run_all()
        assert all(o.status != "failed" and o.rows_rejected == 0 for o in outcomes), [o.message for o in outcomes]
        return outcomes


@pytest.fixture
def inbox(tmp_path: Path) -> Inbox:
    """The inbox of the services ``make_services`` builds (their data folder is the test's tmp_path)."""
    return Inbox(tmp_path / "inbox")


@pytest.fixture
def services(make_services: Callable[..., Any], database_url: str) -> Any:
    """The small plant on each backend with nothing loaded; a module overrides this fixture to serve its own."""
    return make_services(database_url)


def client_for(services: Any, **settings: Any) -> FlaskClient:
    """A Flask test client of the app serving ``services`` (``settings`` change the services' settings first)."""
    from huddle.dashboard.web.app import create_app

    config = services.settings.with_(**settings) if settings else services.settings
    return create_app(config, services=services).server.test_client()


@pytest.fixture
def app(services: Any) -> Any:
    """The Dash app serving ``services``."""
    from huddle.dashboard.web.app import create_app

    return create_app(services.settings, services=services)


@pytest.fixture
def app_client(app: Any) -> FlaskClient:
    """A Flask test client of ``app``."""
    return app.server.test_client()
