"""The composition of Huddle's core for one process: the plant configuration, the database and every service.

``build_services(settings)`` is what the web app, the scheduler and the CLI all start from; nothing is created at
import time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from alembic.util.exc import CommandError
from huddle.dashboard.core.calendar import ShiftCalendar, now_utc, parse_instant, simulated_clock
from huddle.dashboard.core.plant import PlantConfig, load_plant
from huddle.dashboard.services.accounts import Accounts
from huddle.dashboard.services.actions import Actions
from huddle.dashboard.services.baselines import BaselineSprints
from huddle.dashboard.services.catalogue import KpiCatalogue
from huddle.dashboard.services.data_status import DataStatus
from huddle.dashboard.services.escalations import EscalationService
from huddle.dashboard.services.handover import Handovers
from huddle.dashboard.services.huddles import HuddleRecords
from huddle.dashboard.services.manual_values import ManualValues
from huddle.dashboard.services.notifications import Notifier
from huddle.dashboard.services.okr_plans import OkrPlans
from huddle.dashboard.services.okr_quarter import OkrQuarters
from huddle.dashboard.services.okr_weekly import OkrCheckIns
from huddle.dashboard.services.quarantine import Quarantine
from huddle.dashboard.services.readings import Readings
from huddle.dashboard.services.shop_floor import ShopFloor
from huddle.dashboard.services.throttle import make_throttle
from huddle.dashboard.settings import Settings
from huddle.data.db import (
    DatabaseUnusableError,
    check_database,
    database_failure,
    init_db,
    make_engine,
    make_read_session_factory,
    make_session_factory,
)
from huddle.data.ingest.loaders import Loader
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker


@dataclass
class Services:
    """Everything one Huddle process shares."""

    settings: Settings
    config: PlantConfig
    db: Engine  # SQLAlchemy's: connections to the plant's database
    sessions: sessionmaker[Session]
    readings: Readings  # KPI readings for any scope and period
    loader: Loader
    clock: Callable[[], datetime]
    accounts: Accounts
    manual: ManualValues
    actions: Actions
    okrs: OkrQuarters
    okr_plans: OkrPlans
    okr_check_ins: OkrCheckIns
    catalogue: KpiCatalogue
    data_status: DataStatus
    quarantine: Quarantine  # the loaders' refused rows: open, resolved, dismissed
    escalations: EscalationService  # requests for help between the tiers' meetings, and their answers
    database_problem: DatabaseUnusableError | None = None  # what the check at start found wrong with the database
    handovers: Handovers = field(init=False)  # shift handover notes, leading the next shift's board
    notifier: Notifier = field(init=False)  # the plant's notification rules, subscriptions and delivery log
    huddles: HuddleRecords = field(init=False)  # the records of huddles held
    shop_floor: ShopFloor = field(init=False)  # stops, defects, safety reports and hour comments from the line
    baselines: BaselineSprints = field(init=False)  # the 48-hour baseline sprints and the baselines they record

    def dispose(self) -> None:
        """Close database connections."""
        self.db.dispose()


def clock_for(settings: Settings, timezone: str) -> Callable[[], datetime]:
    """The clock a process runs on: the real one, or the simulated one starting at ``settings.now``."""
    if not settings.now:
        return now_utc
    return simulated_clock(parse_instant(settings.now, timezone))


def redis_prefix(settings: Settings, use: str) -> str:
    """The key prefix of one use of Redis (``signin``, ``board``): one per database, so plants sharing a Redis keep
    apart."""
    return f"huddle:{use}:" + hashlib.sha256(settings.db_url.encode()).hexdigest()[:12]


def build_services(settings: Settings, clock: Callable[[], datetime] | None = None, *,
                   initialise: bool = True) -> Services:
    """Load the plant configuration, open the database (creating tables if needed) and wire the core."""
    config = load_plant(settings.plant_path, settings.data_dir)
    if settings.timezone and settings.timezone != config.timezone:
        config.timezone = settings.timezone
        config.calendar = ShiftCalendar(settings.timezone, config.calendar.shifts, config.calendar.production_date_rule)
    clock = clock or clock_for(settings, config.timezone)
    db = None
    problem = None
    try:
        db = make_engine(settings.db_url)
        if initialise:
            init_db(db)
            problem = check_database(db)
        sessions = make_session_factory(db)
        accounts = Accounts(sessions, clock, site_names=(config.site_name, config.site_key), tz=config.tz,
                            throttle=make_throttle(sessions, settings.redis_url, redis_prefix(settings, "signin")),
                            scopes={**{k: "line" for k in config.lines}, **{k: "area" for k in config.areas}})
        if initialise and problem is None:  # who changed the plant configuration is not known; that and when is
            accounts.note_configuration(str(settings.plant_path), settings.plant_path.read_text(encoding="utf-8"),
                                        f"{len(config.lines)} lines, {len(config.kpis)} KPIs, "
                                        f"{len(config.trees)} trees, {len(config.sources)} sources")
        reading_sessions = make_read_session_factory(db)
        readings = Readings(config, reading_sessions, clock)
        okrs = OkrQuarters(config, sessions, readings, clock)
        catalogue = KpiCatalogue(config, readings, okrs, clock)
        services = Services(settings, config, db, sessions, readings, Loader(config, sessions, clock), clock,
                            accounts, ManualValues(config, sessions, accounts, clock),
                            Actions(config, sessions, accounts, clock), okrs, OkrPlans(okrs, accounts),
                            OkrCheckIns(okrs, accounts), catalogue,
                            DataStatus(config, reading_sessions, db, clock, catalogue, problem,
                                       down_after_s=settings.scheduler_down_after_s),
                            Quarantine(config, sessions, accounts, clock), database_problem=problem,
                            escalations=EscalationService(config, sessions, accounts, clock))
        services.handovers = Handovers(config, sessions, accounts, clock)
        services.huddles = HuddleRecords(config, sessions, accounts, clock, readings, services.actions,
                                         services.escalations)
        services.shop_floor = ShopFloor(config, sessions, accounts, clock)
        services.notifier = Notifier(services)
        services.baselines = BaselineSprints(config, sessions, accounts, clock, catalogue)
        if initialise and problem is None:  # a tree new or changed since its last sprint opens a sprint now
            services.baselines.sync_trees()
        # runs left "running" by a process that has gone since (killed, crashed, its machine restarted)
        if initialise and problem is None and (cut := services.loader.close_interrupted_runs(only_abandoned=True)):
            logging.getLogger("huddle").warning("%d load runs were cut off by a process that stopped mid-run; "
                                                "they are marked on the Data page", cut)
    except (SQLAlchemyError, CommandError, OSError) as exc:
        if db is not None:
            db.dispose()
        raise database_failure(settings.db_url, exc) from exc
    return services

