"""Storing validated rows: each record type's table and natural key, the upsert, the quarantine of refused rows,
the shift facts the rows touch and the file's ledger entry, all in one transaction.

``Loader`` (``loaders``) finds and reads files; ``RowStore`` validates their rows against the data contract and
writes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from huddle.dashboard.core.plant import PlantConfig
from huddle.data.ingest.contract import RecordType, RowValidator
from huddle.data.ingest.facts import RECORD_GROUP, Touched, refresh_facts
from huddle.data.ingest.outcomes import FileOutcome
from huddle.data.ingest.readers import Table as FileTable
from huddle.data.models import (
    KpiValue,
    Labour,
    LoadedFile,
    ProductionCount,
    QualityEvent,
    QuarantinedRow,
    SafetyEvent,
    StopEvent,
)
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

#: what a file's ledger entry gets besides its counts: fixed fields, or a function of the file's outcome
FileFields = dict[str, Any] | Callable[[FileOutcome], dict[str, Any]]

#: record type → (table, natural key columns in the table, contract column → table column)
_TARGETS: dict[str, tuple[Table, tuple[str, ...], dict[str, str]]] = {
    "production_counts": (ProductionCount.__table__, ("line", "start_utc", "product"),
                          {"line": "line", "start": "start_utc", "end": "end_utc", "product": "product",
                           "total": "total", "good": "good", "planned": "planned_qty"}),
    "stop_events": (StopEvent.__table__, ("line", "start_utc"),
                    {"line": "line", "start": "start_utc", "end": "end_utc", "reason": "reason",
                     "category": "category", "equipment": "equipment"}),
    "quality_events": (QualityEvent.__table__, ("line", "at_utc", "defect", "disposition"),
                       {"line": "line", "time": "at_utc", "defect": "defect", "quantity": "quantity",
                        "disposition": "disposition"}),
    "safety_events": (SafetyEvent.__table__, ("at_utc", "location", "kind"),
                      {"time": "at_utc", "location": "location", "type": "kind", "description": "description"}),
    "labour": (Labour.__table__, ("line", "production_date", "shift"),
               {"line": "line", "date": "production_date", "shift": "shift",
                "planned_headcount": "planned_headcount", "present_headcount": "present_headcount",
                "hours_worked": "hours_worked", "overtime_hours": "overtime_hours"}),
    "kpi_values": (KpiValue.__table__, ("kpi", "location", "production_date", "shift"),
                   {"kpi": "kpi", "line": "location", "date": "production_date", "shift": "shift",
                    "value": "value"}),
}


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
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.clock = clock

    def store(self, name: str, where: str, table: FileTable, rt: RecordType, positions: dict[str, int],
               ledger_source: str, run_id: int, sha: str, size: int, mtime: float,
               file_fields: FileFields | None = None) -> FileOutcome:
        """Validate a table's rows and store them with the file's ledger entry, all in one transaction;
        ``file_fields`` adds to that entry (how far the file was read, its status and outcome in words), or is a
        function of the outcome giving them."""
        validator = RowValidator(rt, self.config, decimal_comma=table.decimal_comma)
        target, key_cols, mapping = _TARGETS[rt.name]
        contract_key = rt.natural_key
        good: list[dict[str, Any]] = []
        first_seen: dict[tuple[Any, ...], int] = {}
        problems: list[tuple[int, str, str, str, dict[str, Any]]] = []
        width = len(table.header)
        for number, cells in table.rows:
            raw = {c: (cells[i] if i < len(cells) else None) for c, i in positions.items()}
            if len(cells) > width and any(str(x).strip() for x in cells[width:] if x is not None):
                problems.append((number, "", "", f"{len(cells)} values but the header has {width} columns", raw))
                continue
            clean, row_problems = validator.validate(raw)
            if clean is None:
                for p in row_problems:
                    problems.append((number, p.column, p.value, p.reason, raw))
                continue
            natural = tuple(clean.get(k) for k in contract_key)
            if natural in first_seen:
                problems.append((number, ",".join(contract_key), "",
                                 f"duplicate of line {first_seen[natural]} (same {', '.join(contract_key)})", raw))
                continue
            first_seen[natural] = number
            good.append(self._to_row(rt.name, clean, mapping, validator, run_id))
        for line, reason in table.broken:
            problems.append((line, "", "", reason, {}))
        rejected_rows = len({p[0] for p in problems})
        outcome = FileOutcome(name, "loaded", len(table.rows), len(good), rejected_rows,
                              [(n, c, v, r) for n, c, v, r, _ in problems], table.note)
        if rejected_rows:
            outcome.status = "partial" if good else "rejected"
        now = self.clock()
        with self.sessions.begin() as session:
            for start in range(0, len(good), 5000):
                upsert(session, target, good[start:start + 5000], key_cols)
            if problems:
                session.execute(QuarantinedRow.__table__.insert(), [
                    {"run_id": run_id, "source": ledger_source, "file": where, "row": n, "column": c,
                     "value": v, "reason": r, "record": json.dumps(raw, default=str)[:2000], "created_at": now}
                    for n, c, v, r, raw in problems])
            touched = self._touched(rt.name, good)
            if touched:
                refresh_facts(session, self.config, touched, now)
            extra = file_fields(outcome) if callable(file_fields) else file_fields or {}
            fields = {"status": outcome.status, **extra}
            session.add(LoadedFile(source=ledger_source, path=where, size=size, mtime=mtime, sha256=sha,
                                   run_id=run_id, loaded_at=now, rows_read=outcome.rows_read,
                                   rows_loaded=outcome.rows_loaded, rows_rejected=outcome.rows_rejected, **fields))
            outcome.status = fields["status"]
            if good:
                bump_data_version(session)
        return outcome

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
        return row

    def _touched(self, record: str, rows: list[dict[str, Any]]) -> Touched:
        touched = Touched(groups={RECORD_GROUP[record]} if record in RECORD_GROUP else set())
        for r in rows:
            if record in ("production_counts", "stop_events"):
                touched.add(r["line"], "", r["start_utc"], r["end_utc"])
            elif record == "quality_events":
                touched.add(r["line"], "", r["at_utc"], r["at_utc"])
            elif record == "safety_events":
                touched.add(r["line"], r["area"], r["at_utc"], r["at_utc"])
            elif record == "labour":
                inst = self.config.calendar.instance(r["production_date"], r["shift"])
                touched.add(r["line"], "", inst.start_utc, inst.end_utc - timedelta(seconds=1))
        return touched
