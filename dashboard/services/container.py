"""The composition of Huddle's core for one process: configuration, database, engine and loader together.

``build_services(settings)`` is what the web app, the scheduler and the CLI all start from; nothing is created at
import time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alembic.util.exc import CommandError
from huddle.dashboard.core.calendar import ShiftCalendar, now_utc, parse_instant, simulated_clock
from huddle.dashboard.core.format import format_age, format_time, format_value
from huddle.dashboard.core.kpi import FORMULAS, worst_status
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import PlantConfig, load_plant
from huddle.dashboard.core.tree_math import attribute
from huddle.dashboard.services.accounts import Accounts
from huddle.dashboard.services.actions import Actions
from huddle.dashboard.services.manual_values import ManualValues
from huddle.dashboard.services.okr_plans import OkrPlans
from huddle.dashboard.services.okr_quarter import OkrQuarters
from huddle.dashboard.services.okr_weekly import OkrCheckIns
from huddle.dashboard.services.readings import KpiEngine
from huddle.dashboard.services.safety import safety_facts, safety_numbers, safety_readings
from huddle.dashboard.services.tree import tree_statuses
from huddle.dashboard.settings import Settings
from huddle.data.db import (
    DatabaseUnusableError,
    check_database,
    database_failure,
    failure_reason,
    init_db,
    make_engine,
    make_session_factory,
)
from huddle.data.ingest.loaders import Loader
from huddle.data.queries import ledger as ledger_queries
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker


@dataclass
class Services:
    """Everything one Huddle process shares."""

    settings: Settings
    config: PlantConfig
    engine: Engine
    sessions: sessionmaker[Session]
    kpis: KpiEngine
    loader: Loader
    clock: Callable[[], datetime]
    accounts: Accounts
    manual: ManualValues
    actions: Actions
    okrs: OkrQuarters
    okr_plans: OkrPlans
    okr_check_ins: OkrCheckIns
    database_problem: DatabaseUnusableError | None = None  # what the check at start found wrong with the database

    def dispose(self) -> None:
        """Close database connections."""
        self.engine.dispose()

    # ---- read models shared by the API and the pages -----------------------------------------------------

    def kpi_definitions(self) -> list[dict[str, Any]]:
        """Every KPI definition, JSON-ready."""
        today = self.clock().astimezone(self.config.tz).date()
        baselines = self.okrs.baselines()
        return [{
            "key": k.key, "name": k.name, "unit": k.unit, "category": k.category, "layer": k.layer,
            "direction": k.direction, "target": k.target_on(today), "amber": k.amber, "owner": k.owner,
            "data_source": k.data_source, "frequency": k.frequency,
            "leading": "leading" if k.leading else "lagging", "formula": k.formula,
            "formula_text": FORMULAS[k.formula].description,
            "baseline": ({"value": b.value, "date": b.on.isoformat(), "source": b.source}
                         if (b := baselines[k.key]) else None),
        } for k in self.config.kpis.values()]

    def board(self, scope: str, period: Period) -> dict[str, Any]:
        """Every KPI of a scope for one shift (or period), grouped S Q D C M."""
        readings = self.kpis.readings_in_own_periods(self.config.kpis, scope, period)
        safety = safety_numbers(self.kpis, scope, period)
        readings.update(safety_readings(safety, self.config))  # the same readings as the board's Safety column
        actions = self.actions.listing(scope)
        with_action = {a.kpi for a in actions}
        columns = []
        for cat in ("S", "Q", "D", "C", "M"):
            items = [readings[k].as_dict() | {"name": d.name, "headline": d.headline,
                                              "needs_action": readings[k].status == "red" and k not in with_action}
                     for k, d in self.config.kpis.items() if d.category == cat]
            status = worst_status(i["status"] for i in items if i["headline"])
            columns.append({"category": cat, "status": str(status), "kpis": items}
                           | ({"safety": safety_facts(safety, self.config)} if cat == "S" else {}))
        return {"scope": scope, "scope_name": self.config.scope_name(scope), "period": period.label,
                "columns": columns, "actions": [a.as_dict() for a in actions]}

    def tree(self, tree_key: str, scope: str, period: Period) -> dict[str, Any]:
        """A KPI tree with each node's reading and whether red lies below it."""
        tree = self.config.trees[tree_key]
        readings = self.kpis.readings(tree.nodes(), scope, period)
        nodes = tree_statuses(tree, self.config, readings)
        previous = period.previous()
        before = self.kpis.readings(tree.nodes(), scope, previous)
        why = attribute(self.config, tree, {k: r.value for k, r in before.items()},
                        {k: r.value for k, r in readings.items()})
        return {"tree": tree.key, "name": tree.name, "scope": scope, "period": period.label,
                "nodes": [n.as_dict() for n in nodes],
                "why": {"against": previous.label,
                        "contributions": [{"kpi": c.key, "before": c.before, "after": c.after,
                                           "contribution": c.contribution} for c in why]},
                "tradeoffs": [{"between": [t.a, t.b], "note": t.note} for t in tree.tradeoffs]}

    def data_status(self, runs: int = 50, rejected: int = 200) -> dict[str, Any]:
        """What the Data page shows: loaders, the run ledger, the quarantine and the baseline tracker."""
        tz = self.config.tz
        with self.sessions() as session:
            status = ledger_queries.source_status(session)
            health = (self.health() if self.database_problem is not None
                      else self._health(status, ledger_queries.latest_data(session),
                                        ledger_queries.data_version(session)))
            ledger = [_run_row(r, tz) for r in ledger_queries.recent_runs(session, runs)]
            quarantined = [{"when": format_time(q.created_at, tz), "source": q.source, "file": q.file,
                            "row": q.row, "column": q.column, "value": q.value, "reason": q.reason}
                           for q in ledger_queries.quarantine(session, rejected)]
        sources = []
        today = self.clock().astimezone(tz).date()
        for key, src in self.config.sources.items():
            s = status.get(key, {})
            last, load, ok, bad = s.get("last"), s.get("last_load"), s.get("last_success"), s.get("last_failure")
            sources.append({
                "key": key, "kind": src.kind, "record": src.record, "schedule": src.schedule.describe(),
                "where": src.path if src.kind == "files" else (src.url or "").split("@")[-1],
                "status": last.status if last else "never run",
                # a streak of runs that found nothing is one ledger row: it last ran when the streak ended
                "last_run": _when(last.finished_at if (last.runs or 1) > 1 else last.started_at, tz, today)
                if last else "—",
                "last_load": f"{_when(load.started_at, tz, today)} · {_load_words(load)}" if load else "—",
                "last_success": _when(ok.started_at, tz, today) if ok else "—",
                "last_failure": (f"{_when(bad.started_at, tz, today)}: {bad.message}" if bad else "—"),
            })
        return {"health": health, "sources": sources, "runs": ledger, "quarantine": quarantined,
                "baseline": self.baseline_tracker()}

    def baseline_tracker(self) -> list[dict[str, Any]]:
        """Every KPI with its current value, source, frequency and owner; gaps shown as findings."""
        last_shift = self.kpis.last_completed_shift()
        baselines = self.okrs.baselines()
        out = []
        for k in self.config.kpis.values():
            if k.frequency in ("shift", "hour") and last_shift:
                period = last_shift
            elif k.frequency == "day" and last_shift:
                period = Period("day", last_shift.first, last_shift.first)
            else:
                period = self.kpis.current_period("week" if k.frequency == "week" else "month")
            reading = self.kpis.reading(k.key, "plant", period)
            problems = []
            if not k.data_source:
                problems.append("no data source")
            if not k.owner:
                problems.append("no owner")
            if reading.value is None:
                problems.append("no data yet")
            elif str(reading.status) == "stale":
                problems.append("stale")
            out.append({"kpi": k.key, "name": k.name, "category": k.category, "period": period.label,
                        "value": format_value(reading.value, k.unit), "status": str(reading.status),
                        "target": format_value(reading.target, k.unit), "data_source": k.data_source or "—",
                        "frequency": k.frequency, "owner": k.owner or "—", "age": format_age(reading.age_s),
                        "baseline": (f"{format_value(b.value, k.unit)} on {b.on.isoformat()}"
                                     if (b := baselines[k.key]) else "—"),
                        "findings": ", ".join(problems) or "ok"})
        return out

    def health(self) -> dict[str, Any]:
        """Each loader's last run, last load, success and failure, and how old the newest data is; status "error"
        when the database failed its check at start (raises if the database cannot be reached now)."""
        if self.database_problem is not None:
            advice = (" (restore it from a backup, or move it away and run huddle init)"
                      if self.engine.dialect.name == "sqlite" else "")
            return self.unhealthy(f"the database failed its check at start: {self.database_problem.reason}{advice}")
        with self.sessions() as session:
            return self._health(ledger_queries.source_status(session), ledger_queries.latest_data(session),
                                ledger_queries.data_version(session))

    def unhealthy(self, reason: str | BaseException) -> dict[str, Any]:
        """The health answer when the database cannot be used: status "error" and why, nothing read from it."""
        if isinstance(reason, BaseException):
            reason = f"the database cannot be used: {failure_reason(reason)}"
        return {"status": "error", "reason": reason, "failing_sources": [], "now": self.clock().isoformat(),
                "data_through": None, "data_age_seconds": None, "data_version": None, "sources": []}

    def _health(self, status: dict[str, dict[str, Any]], latest: datetime | None, version: int) -> dict[str, Any]:
        now = self.clock()
        sources = []
        for key, src in self.config.sources.items():
            s = status.get(key, {})
            sources.append({"key": key, "kind": src.kind, "record": src.record,
                            "schedule": src.schedule.describe(), "last_run": _run_info(s.get("last")),
                            "last_load": _run_info(s.get("last_load")),
                            "last_success": _run_info(s.get("last_success")),
                            "last_failure": _run_info(s.get("last_failure"))})
        failing = [s["key"] for s in sources if s["last_run"] and s["last_run"]["status"] == "failed"]
        return {
            "status": "degraded" if failing else "ok", "failing_sources": failing, "now": now.isoformat(),
            "data_through": latest.isoformat() if latest else None,
            "data_age_seconds": round((now - latest).total_seconds()) if latest else None,
            "data_version": version, "sources": sources,
        }


def _run_info(run: Any) -> dict[str, Any] | None:
    """One ledger run for the health answer."""
    if run is None:
        return None
    return {"at": run.started_at.isoformat(), "finished": run.finished_at.isoformat() if run.finished_at else None,
            "status": run.status, "files": run.files_loaded, "rows_read": run.rows_read,
            "rows_loaded": run.rows_loaded, "rows_rejected": run.rows_rejected, "message": run.message}


def _when(instant: datetime | None, tz: Any, today: Any) -> str:
    """An instant in plant time: the time alone when it is today, else the date too."""
    if instant is None:
        return "—"
    local = instant.astimezone(tz)
    return local.strftime("%H:%M") if local.date() == today else format_time(instant, tz)


def _load_words(run: Any) -> str:
    """What a load did, in words: '1,240 rows loaded, 3 refused'."""
    words = [f"{run.rows_loaded:,} {'row' if run.rows_loaded == 1 else 'rows'} loaded"]
    if run.rows_rejected:
        words.append(f"{run.rows_rejected:,} refused")
    elif run.status == "partial":  # nothing refused row by row: a whole file was
        words.append("a file refused (see the quarantine)")
    if run.status == "failed":
        words.append("then failed" if run.rows_loaded else "failed")
    elif run.status == "running":
        words.append("still running")
    return ", ".join(words)


def _run_row(run: Any, tz: Any) -> dict[str, Any]:
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    message = run.message
    if run.status == "idle" and (run.runs or 1) > 1:
        message = f"nothing new in {run.runs} runs until {format_time(run.finished_at, tz)}"
    elif run.status == "idle":
        message = message or "nothing new"
    return {"id": run.id, "source": run.source, "trigger": run.trigger,
            "started": format_time(run.started_at, tz), "duration_s": duration, "status": run.status,
            "files": run.files_loaded, "rows_read": run.rows_read, "rows_loaded": run.rows_loaded,
            "rows_rejected": run.rows_rejected, "message": message}


def clock_for(settings: Settings, timezone: str) -> Callable[[], datetime]:
    """The clock a process runs on: the real one, or the simulated one starting at ``settings.now``."""
    if not settings.now:
        return now_utc
    return simulated_clock(parse_instant(settings.now, timezone))


def build_services(settings: Settings, clock: Callable[[], datetime] | None = None, *,
                   initialise: bool = True) -> Services:
    """Load the plant configuration, open the database (creating tables if needed) and wire the core."""
    config = load_plant(settings.plant_path, settings.data_dir)
    if settings.timezone and settings.timezone != config.timezone:
        config.timezone = settings.timezone
        config.calendar = ShiftCalendar(settings.timezone, config.calendar.shifts, config.calendar.production_date_rule)
    clock = clock or clock_for(settings, config.timezone)
    engine = None
    problem = None
    try:
        engine = make_engine(settings.db_url)
        if initialise:
            init_db(engine)
            problem = check_database(engine)
        sessions = make_session_factory(engine)
        accounts = Accounts(sessions, clock)
        if initialise and problem is None:  # who changed the plant configuration is not known; that and when is
            accounts.note_configuration(str(settings.plant_path), settings.plant_path.read_text(encoding="utf-8"),
                                        f"{len(config.lines)} lines, {len(config.kpis)} KPIs, "
                                        f"{len(config.trees)} trees, {len(config.sources)} sources")
        kpis = KpiEngine(config, sessions, clock)
        okrs = OkrQuarters(config, sessions, kpis, clock)
        services = Services(settings, config, engine, sessions, kpis, Loader(config, sessions, clock), clock,
                            accounts, ManualValues(config, sessions, accounts, clock),
                            Actions(config, sessions, accounts, clock), okrs, OkrPlans(okrs, accounts),
                            OkrCheckIns(okrs, accounts), database_problem=problem)
        # runs left "running" by a process that has gone since (killed, crashed, its machine restarted)
        if initialise and problem is None and (cut := services.loader.close_interrupted_runs(only_abandoned=True)):
            logging.getLogger("huddle").warning("%d load runs were cut off by a process that stopped mid-run; "
                                                "they are marked on the Data page", cut)
    except (SQLAlchemyError, CommandError, OSError) as exc:
        if engine is not None:
            engine.dispose()
        raise database_failure(settings.db_url, exc) from exc
    return services

