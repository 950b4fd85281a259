"""Whether Huddle's data can be trusted now: the health answer (each loader's last run, load, success and failure,
and how old the newest data is) and what the Data page shows (the quarantine's open problems first, the loaders,
the files read with their outcome in words, the run ledger and the baseline tracker). Read from the loaders' ledger
in ``data.queries.ledger``, ``files_read`` and ``quarantine``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from huddle.dashboard.core.format import format_time
from huddle.dashboard.core.i18n import N_, _, ngettext, number
from huddle.dashboard.core.names import person_name
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.catalogue import KpiCatalogue
from huddle.dashboard.services.liveness import (
    Liveness,
    SourceDue,
    assess,
    read_liveness,
    read_version_and_liveness,
    when_words,
)
from huddle.dashboard.services.quarantine import RETRY, Problem, file_name
from huddle.dashboard.services.reading_context import reading_context, shared_session
from huddle.dashboard.services.single_flight import FreshRead
from huddle.data.db import DatabaseUnusableError, failure_reason
from huddle.data.queries import accounts as account_queries
from huddle.data.queries import files_read
from huddle.data.queries import ledger as ledger_queries
from huddle.data.queries import liveness as liveness_queries
from huddle.data.queries import quarantine as quarantine_queries
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


class DataStatus:
    """The health of the data and the Data page's read model."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], db: Engine,
                 clock: Callable[[], datetime], catalogue: KpiCatalogue,
                 database_problem: DatabaseUnusableError | None = None, down_after_s: float = 90.0) -> None:
        self.config = config
        self.sessions = session_factory
        self.db = db
        self.clock = clock
        self.catalogue = catalogue
        self.database_problem = database_problem  # what the check at start found wrong with the database
        self.down_after_s = down_after_s  # no scheduler heartbeat for this long: the loaders stopped
        # the TVs refreshing at once after new data ask this process whether anything changed: one read answers
        # every request that asked while the one before it ran
        self._version_and_liveness = FreshRead(self._read_version_and_liveness)

    def report(self, runs: int = 50, problems: int = 200, files: int = 50, closed: int = 20) -> dict[str, Any]:
        """What the Data page shows: the quarantine (open problems first, then how many were resolved or dismissed
        and the latest of them), the loaders, the files read, the run ledger and the baseline tracker."""
        tz = self.config.tz
        now = self.clock()
        today = now.astimezone(tz).date()
        with self.sessions() as session:
            status = ledger_queries.source_status(session)
            live = self._liveness(session) if self.database_problem is None else None
            health = (self.health() if live is None
                      else self._health(status, ledger_queries.latest_data(session),
                                        ledger_queries.data_version(session), live))
            due = {d.key: d for d in live.sources} if live is not None else {}
            ledger = [_run_row(r, tz, today) for r in ledger_queries.recent_runs(session, runs)]
            open_problems = [_problem_row(Problem.of(q), tz, today)
                             for q in quarantine_queries.listing(session, "open", limit=problems)]
            counts = quarantine_queries.counts(session)
            lately = [_closed_row(Problem.of(q), tz, today, person_name(q.dismissed_by, {
                q.dismissed_by: account_queries.display_name(session, q.dismissed_by)} if q.dismissed_by else {}))
                for q in quarantine_queries.closed_lately(session, closed)]
            read = [_file_row(f, tz, today) for f in files_read.recent_files(session, files)]
            files_total = files_read.count_files(session)
        sources = []
        for key, src in self.config.sources.items():
            s = status.get(key, {})
            last, load, ok, bad = s.get("last"), s.get("last_load"), s.get("last_success"), s.get("last_failure")
            sources.append({
                "key": key, "kind": src.kind, "record": src.record, "schedule": src.schedule.describe(),
                "where": src.path if src.kind == "files" else (src.url or "").split("@")[-1],
                "status": last.status if last else "never run",
                "last_run": format_time(last.started_at, tz, today) if last else "—",  # an idle row: its latest check
                "due_by": _due_words(due.get(key), tz, now),
                "last_load": f"{format_time(load.started_at, tz, today)} · {_load_words(load)}" if load else "—",
                "last_success": format_time(ok.started_at, tz, today) if ok else "—",
                "last_failure": (f"{format_time(bad.started_at, tz, today)}: {bad.message}" if bad else "—"),
            })
        return {"health": health, "sources": sources, "runs": ledger, "problems": open_problems,
                "problem_counts": counts, "closed": lately, "files": read, "files_total": files_total,
                "baseline": self.catalogue.baseline_tracker()}

    def health(self) -> dict[str, Any]:
        """Each loader's last run, last load, success and failure, and how old the newest data is; status "error"
        when the database failed its check at start (raises if the database cannot be reached now)."""
        if self.database_problem is not None:
            advice = (" (restore it from a backup, or move it away and run huddle init)"
                      if self.db.dialect.name == "sqlite" else "")
            return self.unhealthy(f"the database failed its check at start: {self.database_problem.reason}{advice}")
        with self.sessions() as session:
            return self._health(ledger_queries.source_status(session), ledger_queries.latest_data(session),
                                ledger_queries.data_version(session), self._liveness(session))

    def board_health(self) -> dict[str, Any]:
        """What the board's strip shows of ``health``, read alone: the sources whose last run failed, the
        scheduler's words (stopped, or a source late; "" when all is well) and how far the data goes."""
        if self.database_problem is not None:
            return self.health()
        with shared_session(self.sessions) as session:  # a page's readings' session, inside shared_context()
            # asked first, the readings' context is read with it in one statement and shared by the board's readings
            state = reading_context(self.config, session, self.clock, id(self.sessions), health=True).health
            if state is None:  # the context was read before, without it
                state = liveness_queries.health_state(session)
        liveness = assess(self.config, state.heartbeat, state.checks, self.clock(), self.down_after_s)
        return {"failing_sources": self._failing(state.last_statuses),
                "scheduler": {"words": liveness.words(self.config.tz)},
                "data_through": state.latest_data.isoformat() if state.latest_data else None}

    def _failing(self, last_statuses: dict[str, str]) -> list[str]:
        """The plant's sources whose latest run failed, in the plant file's order (the health answer and the strip)."""
        return [k for k in self.config.sources if last_statuses.get(k) == "failed"]

    def liveness(self) -> Liveness:
        """The scheduler's heartbeat and every source's due time, now (raises if the database cannot be reached)."""
        with self.sessions() as session:
            return self._liveness(session)

    def version_and_liveness(self) -> tuple[int, Liveness]:
        """The data version and the loaders' liveness, now, from one statement (a wall TV's refresh compares them
        before anything else), read after this call began and shared with the calls made meanwhile."""
        return self._version_and_liveness()

    def _read_version_and_liveness(self) -> tuple[int, Liveness]:
        with self.sessions() as session:
            return read_version_and_liveness(session, self.config, self.clock(), self.down_after_s)

    def _liveness(self, session: Session) -> Liveness:
        return read_liveness(session, self.config, self.clock(), self.down_after_s)

    def unhealthy(self, reason: str | BaseException) -> dict[str, Any]:
        """The health answer when the database cannot be used: status "error" and why, nothing read from it."""
        if isinstance(reason, BaseException):
            reason = f"the database cannot be used: {failure_reason(reason)}"
        return {"status": "error", "reason": reason, "failing_sources": [], "now": self.clock().isoformat(),
                "data_through": None, "data_age_seconds": None, "data_version": None, "sources": []}

    def _health(self, status: dict[str, dict[str, Any]], latest: datetime | None, version: int,
                liveness: Liveness) -> dict[str, Any]:
        now = self.clock()
        sources = []
        for key, src in self.config.sources.items():
            s = status.get(key, {})
            sources.append({"key": key, "kind": src.kind, "record": src.record,
                            "schedule": src.schedule.describe(), "last_run": _run_info(s.get("last")),
                            "last_load": _run_info(s.get("last_load")),
                            "last_success": _run_info(s.get("last_success")),
                            "last_failure": _run_info(s.get("last_failure"))})
        failing = self._failing({k: run.status for k, s in status.items() if (run := s.get("last")) is not None})
        late = liveness.late
        # the loaders stopped is an error whatever their last runs said; a failing or late source degrades
        answer_status = "error" if liveness.stopped else "degraded" if failing or late else "ok"
        stopped = {"reason": liveness.words(self.config.tz)} if liveness.stopped else {}
        return {
            "status": answer_status, **stopped, "failing_sources": failing, "late_sources": late,
            "scheduler": liveness.as_dict(self.config.tz), "now": now.isoformat(),
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


def _due_words(due: SourceDue | None, tz: Any, now: datetime) -> str:
    """When a source is due to be checked again, in plant time; "late" once overdue by twice its interval."""
    if due is None or due.due_by is None:
        return "—"
    when = when_words(due.due_by, tz, now)
    return _("{time} (late)").format(time=when) if due.late else when


def _load_words(run: Any) -> str:
    """What a load did, in words: '1,240 rows loaded, 3 refused'."""
    words = [ngettext("{n} row loaded", "{n} rows loaded", run.rows_loaded).format(n=number(run.rows_loaded))]
    if run.rows_rejected:
        words.append(_("{n} refused").format(n=number(run.rows_rejected)))
    elif run.status == "partial":  # nothing refused row by row: a whole file was
        words.append(_("a file refused (see the quarantine)"))
    if run.status == "failed":
        words.append(_("then failed") if run.rows_loaded else _("failed"))
    elif run.status == "running":
        words.append(_("still running"))
    return ", ".join(words)


def _run_row(run: Any, tz: Any, today: date) -> dict[str, Any]:
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    message = run.message
    if run.status == "idle" and not message:  # its own check's time; earlier checks in a row only counted
        message = _("checked at {time}, nothing new").format(time=f"{run.started_at.astimezone(tz):%H:%M:%S}")
        if (run.runs or 1) > 1:
            message += " " + _("({n} checks in a row)").format(n=number(run.runs))
    return {"id": run.id, "source": run.source, "trigger": run.trigger,
            "started": format_time(run.started_at, tz, today), "duration_s": duration, "status": run.status,
            "files": run.files_loaded, "rows_read": run.rows_read, "rows_loaded": run.rows_loaded,
            "rows_rejected": run.rows_rejected, "message": message}


def _problem_row(problem: Problem, tz: Any, today: date) -> dict[str, Any]:
    """An open problem as the Data page lists it (the id picks it in the dismiss form; it is not shown)."""
    return {"id": problem.id, "when": format_time(problem.found_at, tz, today), "source": problem.source,
            "file": problem.file_name, "row": problem.row or _("whole file"), "column": problem.column,
            "value": problem.value, "reason": problem.said, "label": f"{problem.where}: {problem.what}"}


def _closed_row(problem: Problem, tz: Any, today: date, dismissed_by: str) -> dict[str, Any]:
    """A problem resolved or dismissed, with when and how (naming who dismissed it as people know them)."""
    return {"when": format_time(problem.closed_at, tz, today), "file": problem.file_name,
            "row": problem.row or _("whole file"), "problem": problem.what,
            "outcome": problem.state_named(dismissed_by),
            "status": problem.status}


#: a file's outcome in words when its ledger entry has no note (entries written before the notes were)
_OUTCOME = {"duplicate": N_("duplicate of a file already read"), "empty": N_("empty"),
            "header only": N_("header only"), "cut off": N_("cut off")}


def _file_row(entry: Any, tz: Any, today: date) -> dict[str, Any]:
    """A file the loaders read: when, its source, its name and what became of it, in words."""
    outcome = entry.note
    if not outcome:
        if entry.status == "loaded":
            outcome = ngettext("loaded ({n} row)", "loaded ({n} rows)", entry.rows_loaded).format(
                n=number(entry.rows_loaded))
        elif entry.status == "partial":
            outcome = _("partly refused ({n} of {total} rows)").format(n=number(entry.rows_rejected),
                                                                      total=number(entry.rows_read))
        elif entry.status == "rejected":
            outcome = _("refused (see the quarantine)")
        else:
            outcome = _(_OUTCOME[entry.status]) if entry.status in _OUTCOME else entry.status
    name = _("quarantined rows tried again") if entry.source == RETRY else file_name(entry.path)
    return {"when": format_time(entry.loaded_at, tz, today), "source": entry.source, "file": name, "outcome": outcome,
            "status": entry.status}
