"""Storing validated rows: each record type's table and natural key, the upsert, the quarantine of refused rows,
the shift facts the rows touch and the file's ledger entry, all in one transaction.

``Loader`` (``loaders``) finds and reads files; ``RowStore`` validates their rows against the data contract and
writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from huddle.dashboard.core.plant import PlantConfig
from huddle.data.ingest.contract import RecordType, RowValidator
from huddle.data.ingest.facts import RECORD_GROUP, Touched, refresh_facts
from huddle.data.ingest.file_load import FileLoad, chunks
from huddle.data.ingest.outcomes import FileOutcome
from huddle.data.ingest.readers import Table as FileTable
from huddle.data.models import (
    KpiValue,
    Labour,
    LoadedFile,
    ProductionCount,
    QualityEvent,
    SafetyEvent,
    StopEvent,
)
from huddle.data.models_feeds import HoursWorked, WorkOrder
from huddle.data.queries.ledger import bump_data_version, with_bump
from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

#: per record type and number format, per column, what each distinct cell value parses to
ParseCache = dict[tuple[str, bool], dict[str, dict[Any, Any]]]
#: what a file's ledger entry gets besides its counts: fixed fields, or a function of the file's outcome
FileFields = dict[str, Any] | Callable[[FileOutcome], dict[str, Any]]

#: record type → (table, natural key columns in the table, contract column → table column)
#: record types whose stored rows are their clean values renamed, and the run
RENAMED = frozenset({"production_counts", "stop_events", "quality_events", "labour"})
_TARGETS: dict[str, tuple[Table, tuple[str, ...], dict[str, str]]] = {
    "production_counts": (ProductionCount.__table__, ("line", "start_utc", "product"),
                          {"line": "line", "start": "start_utc", "end": "end_utc", "product": "product",
                           "total": "total", "good": "good", "planned": "planned_qty"}),
    "stop_events": (StopEvent.__table__, ("line", "start_utc"),
                    {"line": "line", "start": "start_utc", "end": "end_utc", "reason": "reason",
                     "category": "category", "equipment": "equipment"}),
    "quality_events": (QualityEvent.__table__, ("line", "at_utc", "defect", "disposition"),
                       {"line": "line", "time": "at_utc", "defect": "defect", "quantity": "quantity",
                        "disposition": "disposition", "escape": "escape"}),
    "safety_events": (SafetyEvent.__table__, ("at_utc", "location", "kind"),
                      {"time": "at_utc", "location": "location", "type": "kind", "description": "description"}),
    "labour": (Labour.__table__, ("line", "production_date", "shift"),
               {"line": "line", "date": "production_date", "shift": "shift",
                "planned_headcount": "planned_headcount", "present_headcount": "present_headcount",
                "hours_worked": "hours_worked", "overtime_hours": "overtime_hours"}),
    "kpi_values": (KpiValue.__table__, ("kpi", "location", "production_date", "shift"),
                   {"kpi": "kpi", "line": "location", "date": "production_date", "shift": "shift",
                    "value": "value"}),
    "hours_worked": (HoursWorked.__table__, ("location", "grain", "period_start"),
                     {"location": "location", "grain": "grain", "period_start": "period_start",
                      "period_end": "period_end", "hours": "hours"}),
    "work_orders": (WorkOrder.__table__, ("work_order", "scheduled_date"),
                    {"work_order": "work_order", "scheduled": "scheduled_date", "line": "line", "asset": "asset",
                     "type": "kind", "done_at": "done_at_utc"}),
}


#: a file's ledger entry, written with every column given (the statement compiles once)
_LEDGER_INSERT = LoadedFile.__table__.insert()
_LEDGER_INSERT_BUMPING = with_bump(_LEDGER_INSERT)
_LEDGER_DEFAULTS = {"read_to": 0, "prefix_sha": "", "note": ""}


def work_order_due(config: PlantConfig, scheduled: date) -> datetime:
    """When a work order scheduled for a day falls due in the facts: the start of the first shift of that day (or of
    the next worked day), so a day, a week or a month counts it once, in the shift the plant's day begins with."""
    worked = config.calendar.instances_for_dates(scheduled, scheduled + timedelta(days=7))
    if worked:
        return min(i.start_utc for i in worked)
    return datetime.combine(scheduled, time(0), tzinfo=config.tz).astimezone(UTC)


def upsert(session: Session, table: Table, rows: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    """Insert rows, updating those whose natural key already exists (SQLite and PostgreSQL)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - guarded by supported backends
        raise RuntimeError(f"unsupported database {dialect}")
    stmt = insert(table)
    columns = [c for c in rows[0] if c not in key]
    stmt = stmt.on_conflict_do_update(index_elements=list(key), set_={c: stmt.excluded[c] for c in columns})
    session.execute(stmt, rows)


class RowStore:
    """Validates rows of one record type and stores them, with the quarantine and the ledger, in one transaction."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session],
                 clock: Callable[[], datetime], parsed: ParseCache | None = None) -> None:
        self.config = config
        self.sessions = session_factory
        self.clock = clock
        #: per record type and number format, what distinct cell values parse to (the plant file is fixed for a
        #: store's life: a changed plant file builds new services); ``parsed`` shares it with other stores
        self._parsed: ParseCache = parsed if parsed is not None else {}

    def store(self, name: str, where: str, table: FileTable, rt: RecordType, positions: dict[str, int],
               ledger_source: str, run_id: int, sha: str, size: int, mtime: float,
               file_fields: FileFields | None = None, session: Session | None = None) -> FileOutcome:
        """Validate a table's rows and store them with the file's ledger entry, all in one transaction;
        ``file_fields`` adds to that entry (how far the file was read, its status and outcome in words), or is a
        function of the outcome giving them. A ``session`` given (the one that read the file's ledger entries) is
        the transaction's, committed and closed here."""
        validator = RowValidator(rt, self.config, decimal_comma=table.decimal_comma)
        target, key_cols, _mapping = _TARGETS[rt.name]
        now = self.clock()
        touched = Touched(groups={RECORD_GROUP[rt.name]} if rt.name in RECORD_GROUP else set(),
                          counts_kept=rt.name == "stop_events")
        with self._transaction(session) as session:
            load = FileLoad(session, rt, validator, target, key_cols, partial(self._row, rt.name, validator, run_id),
                            name, where, ledger_source, run_id, now, _mapping if rt.name in RENAMED else None,
                            self._parsed.setdefault((rt.name, table.decimal_comma), {}))
            width = len(table.header)
            for chunk in chunks(table.rows):
                load.add(chunk, positions, width, touched, partial(self._touch, rt.name))
            load.broken(table.broken)
            rejected_rows = len(load.refused_lines)
            outcome = FileOutcome(name, "loaded", load.read, load.accepted, rejected_rows, load.problems, table.note,
                                  rows_replaced=load.replaced, rows_unchanged=load.unchanged)
            if rejected_rows:
                outcome.status = "partial" if load.accepted else "rejected"
            if touched:
                refresh_facts(session, self.config, touched, now, load.written)
            extra = file_fields(outcome) if callable(file_fields) else file_fields or {}
            fields = {"status": outcome.status, **extra}
            # a Core insert: the entry is written, never read back, so the unit of work has nothing to do; on
            # PostgreSQL a load that stored rows bumps the data version in the same statement
            changed = bool(load.new or load.replaced)
            together = changed and session.get_bind().dialect.name == "postgresql"
            session.connection().execute(_LEDGER_INSERT_BUMPING if together else _LEDGER_INSERT, {
                "source": ledger_source, "path": where, "size": size, "mtime": mtime, "sha256": sha, "run_id": run_id,
                "loaded_at": now, "rows_read": outcome.rows_read, "rows_loaded": outcome.rows_loaded,
                "rows_rejected": outcome.rows_rejected, **_LEDGER_DEFAULTS, **fields})
            outcome.status = fields["status"]
            if changed and not together:
                bump_data_version(session)
        return outcome

    @contextmanager
    def _transaction(self, session: Session | None) -> Iterator[Session]:
        """A transaction of a new session, or of the one given (committed, or rolled back, and closed)."""
        if session is None:
            with self.sessions.begin() as fresh:
                yield fresh
            return
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _row(self, record: str, validator: RowValidator, run_id: int, clean: dict[str, Any]) -> dict[str, Any]:
        return self._to_row(record, clean, _TARGETS[record][2], validator, run_id)

    def _touch(self, record: str, touched: Touched, rows: list[dict[str, Any]]) -> None:
        """Add the shifts that stored rows touch."""
        more = self._touched(record, rows)
        for (line, area), (lo, hi) in more.ranges.items():
            touched.add(line, area, lo, hi)

    def _to_row(self, record: str, clean: dict[str, Any], mapping: dict[str, str], validator: RowValidator,
                run_id: int) -> dict[str, Any]:
        row = {mapping[k]: v for k, v in clean.items() if k in mapping}
        row["run_id"] = run_id
        if record == "safety_events":
            row["line"], row["area"] = validator.location(clean["location"])
            row["description"] = row.get("description") or ""
        elif record == "kpi_values":
            row["line"], row["area"] = validator.location(clean["line"])
            row["loaded_at"] = self.clock()
        elif record == "hours_worked":
            row["line"], row["area"] = validator.location(clean["location"])
        elif record == "work_orders":
            row["due_utc"] = work_order_due(self.config, clean["scheduled"])
            done = clean["done_at"]
            row["on_time"] = done is not None and done.astimezone(self.config.tz).date() <= clean["scheduled"]
        return row

    def _touched(self, record: str, rows: list[dict[str, Any]]) -> Touched:
        touched = Touched(groups={RECORD_GROUP[record]} if record in RECORD_GROUP else set())
        if record == "hours_worked":  # they feed no shift facts: readings read them as they are (TRIR's hours)
            return touched
        for r in rows:
            if record in ("production_counts", "stop_events"):
                touched.add(r["line"], "", r["start_utc"], r["end_utc"])
            elif record == "quality_events":
                touched.add(r["line"], "", r["at_utc"], r["at_utc"])
            elif record == "work_orders":
                touched.add(r["line"], "", r["due_utc"], r["due_utc"])
            elif record == "safety_events":
                touched.add(r["line"], r["area"], r["at_utc"], r["at_utc"])
            elif record == "labour":
                inst = self.config.calendar.instance(r["production_date"], r["shift"])
                touched.add(r["line"], "", inst.start_utc, inst.end_utc - timedelta(seconds=1))
        return touched
