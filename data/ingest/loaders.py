"""Loaders: read a source (a folder of exported files, or a SQL query), validate every row, store, and ledger it.

Per file, in one transaction: the good rows are upserted on their natural key, the bad rows go to the quarantine
with file, line, column and reason, the touched shifts' facts are recomputed, the file's hash is recorded and the
data version is bumped. Either all of that is stored or none of it. A file still being written (modified within
the source's settle window, a temporary name, or no ``.ok`` marker when one is required) is left for the next
run. Every run is written to ``load_runs`` first as "running", then with its outcome (``RunOutcome`` and
``FileOutcome``, with the words the ledger stores, are in ``outcomes``).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from huddle.dashboard.core.calendar import now_utc
from huddle.dashboard.core.plant import PlantConfig, SourceDef
from huddle.data.ingest.contract import RECORD_TYPES, FileError, RecordType, RowValidator, map_columns
from huddle.data.ingest.facts import RECORD_GROUP, Touched, refresh_facts
from huddle.data.ingest.outcomes import CUT_OFF, CUT_OFF_OTHER, FileOutcome, RunOutcome, _file_summary, _short
from huddle.data.ingest.readers import Table as FileTable
from huddle.data.ingest.readers import read_table
from huddle.data.ingest.run_locks import RunLocks
from huddle.data.models import (
    KpiValue,
    Labour,
    LoadedFile,
    LoadRun,
    ProductionCount,
    QualityEvent,
    QuarantinedRow,
    SafetyEvent,
    StopEvent,
)
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy import Table, create_engine, delete, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("huddle.loaders")

TEMPORARY_NAMES = ("*.tmp", "*.part", "*.partial", "*.crdownload", ".*", "~$*")

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


class Loader:
    """Runs the plant's sources against Huddle's database."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session],
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.config = config
        self.sessions = session_factory
        self.clock = clock
        self._locks: RunLocks | None = None

    @property
    def locks(self) -> RunLocks:
        """The locks the runs in progress hold (made on first use)."""
        if self._locks is None:
            bind = self.sessions.kw.get("bind")
            if bind is None:
                with self.sessions() as session:
                    bind = session.get_bind()
            self._locks = RunLocks(bind)  # type: ignore[arg-type]
        return self._locks

    # ---- runs --------------------------------------------------------------------------------------------

    def close_interrupted_runs(self, only_abandoned: bool = False) -> int:
        """Mark runs left "running" by a process that stopped mid-run as failed ("cut off"), with what they had
        stored by then; returns how many. A run whose lock is free has lost its process (every start of Huddle
        closes those: ``only_abandoned``); the scheduler taking the lead also closes every scheduled run, since no
        other scheduler can be running one. Files a cut-off run had not finished were not recorded as loaded, so
        the next run reads them again."""
        with self.sessions() as session:
            running = session.execute(select(LoadRun.id, LoadRun.trigger).where(LoadRun.status == "running")).all()
        gone = [(run_id, trigger) for run_id, trigger in running
                if (trigger == "schedule" and not only_abandoned) or not self.locks.held(run_id)]
        closed = 0
        for run_id, trigger in gone:
            with self.sessions.begin() as session:
                files, read, loaded, rejected = session.execute(
                    select(func.count(), func.coalesce(func.sum(LoadedFile.rows_read), 0),
                           func.coalesce(func.sum(LoadedFile.rows_loaded), 0),
                           func.coalesce(func.sum(LoadedFile.rows_rejected), 0))
                    .where(LoadedFile.run_id == run_id, LoadedFile.status != "duplicate")).one()
                closed += session.execute(
                    update(LoadRun).where(LoadRun.id == run_id, LoadRun.status == "running")  # not if it just ended
                    .values(status="failed", finished_at=self.clock(), files_loaded=files, rows_read=read,
                            rows_loaded=loaded, rows_rejected=rejected,
                            message=CUT_OFF.get(trigger, CUT_OFF_OTHER))).rowcount
            self.locks.forget(run_id)
        return closed

    def run_all(self, trigger: str = "schedule") -> list[RunOutcome]:
        """Run every configured source once."""
        return [self.run_source(key, trigger) for key in self.config.sources]

    def run_source(self, key: str, trigger: str = "schedule") -> RunOutcome:
        """Run one source: every new file in its folder, or its query."""
        source = self.config.sources[key]
        try:
            run_id = self._start_run(source.key, trigger)
        except SQLAlchemyError as exc:
            message = f"database unavailable: {_short(exc)}"
            log.error("source %s: %s", key, message)
            return RunOutcome(key, None, "failed", message=message)
        outcome = RunOutcome(key, run_id, "ok")
        try:
            if source.kind == "files":
                for path in self._candidates(source, outcome):
                    try:
                        outcome.files.append(self.load_file(path, source.record, source, run_id))
                    except (OSError, SQLAlchemyError) as exc:  # the file stays for the next run
                        log.exception("source %s: %s failed", key, path.name)
                        outcome.files.append(FileOutcome(path.name, "failed", note=_short(exc)))
                        outcome.status = "failed"
            else:
                outcome.files.append(self._load_query(source, run_id))
        except Exception as exc:
            log.exception("source %s failed", key)
            outcome.status = "failed"
            outcome.message = f"{type(exc).__name__}: {_short(exc)}"
        self._finish_run(outcome)
        return outcome

    def import_files(self, paths: Iterable[Path], record: str | None = None, trigger: str = "cli") -> RunOutcome:
        """One-off load of given files (``huddle import``): the record type is given or recognised from headers."""
        files = []
        for p in paths:
            p = Path(p)
            files.extend(sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])
        try:
            run_id = self._start_run("import", trigger)
        except SQLAlchemyError as exc:
            return RunOutcome("import", None, "failed", message=f"database unavailable: {_short(exc)}")
        outcome = RunOutcome("import", run_id, "ok")
        for path in files:
            source = self._source_for(path)
            kind = record or (source.record if source else None)
            try:
                kind = kind or recognise_record(path)
            except FileError as exc:
                outcome.files.append(self._reject_file(path, "import", run_id, exc, sha=_sha256(path)))
                continue
            outcome.files.append(self.load_file(path, kind, source, run_id, ledger_source=f"import:{kind}"))
        self._finish_run(outcome)
        return outcome

    # ---- files -------------------------------------------------------------------------------------------

    def _candidates(self, source: SourceDef, outcome: RunOutcome) -> list[Path]:
        folder = Path(source.path or ".")
        if not folder.is_dir():
            raise FileNotFoundError(f"folder {folder} does not exist")
        now = time.time()
        out = []
        with self.sessions() as session:
            known = {(p, s, m) for p, s, m in session.execute(
                select(LoadedFile.path, LoadedFile.size, LoadedFile.mtime).where(LoadedFile.source == source.key))}
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.suffix.lower() == ".ok":
                continue
            name = path.name
            if any(fnmatch.fnmatch(name, pat) for pat in TEMPORARY_NAMES):
                continue
            if not any(fnmatch.fnmatch(name.lower(), pat.lower()) for pat in source.patterns):
                continue
            stat = path.stat()
            if (str(path), stat.st_size, stat.st_mtime) in known:
                continue
            if now - stat.st_mtime < source.settle_seconds:
                outcome.files.append(FileOutcome(name, "waiting", note="still being written; read next run"))
                continue
            if source.require_ok_marker and not path.with_name(name + ".ok").exists():
                outcome.files.append(FileOutcome(name, "waiting", note="waiting for its .ok marker"))
                continue
            out.append(path)
        return out

    def _source_for(self, path: Path) -> SourceDef | None:
        resolved = path.resolve()
        for s in self.config.sources.values():
            if s.kind == "files" and s.path and Path(s.path).resolve() in resolved.parents:
                return s
        return None

    def load_file(self, path: Path, record: str, source: SourceDef | None, run_id: int,
                  ledger_source: str | None = None) -> FileOutcome:
        """Load one file: validate, upsert the good rows, quarantine the bad, all in one transaction."""
        ledger_source = ledger_source or (source.key if source else f"import:{record}")
        stat = path.stat()
        sha = _sha256(path)
        with self.sessions() as session:
            done = session.execute(select(LoadedFile.status, LoadedFile.path).where(
                LoadedFile.source == ledger_source, LoadedFile.sha256 == sha, LoadedFile.status != "duplicate")).first()
        if done:
            with self.sessions.begin() as session:
                known = session.execute(select(LoadedFile.id).where(
                    LoadedFile.source == ledger_source, LoadedFile.path == str(path), LoadedFile.sha256 == sha)).first()
                if known:  # the same file again (touched, or imported twice): remember its new stat
                    session.execute(update(LoadedFile).where(LoadedFile.id == known.id).values(
                        size=stat.st_size, mtime=stat.st_mtime))
                else:  # a copy under another name: its own entry, so it is reported once
                    session.add(LoadedFile(source=ledger_source, path=str(path), size=stat.st_size, mtime=stat.st_mtime,
                                           sha256=sha, run_id=run_id, loaded_at=self.clock(), status="duplicate"))
            return FileOutcome(path.name, "duplicate", note=f"same content already read ({Path(done.path).name})")
        try:
            table = read_table(path, delimiter=source.delimiter if source else None,
                               encoding=source.encoding if source else None, sheet=source.sheet if source else None)
            rt = RECORD_TYPES[record]
            positions = map_columns(table.header, rt, source.columns if source else {})
        except FileError as exc:
            return self._reject_file(path, ledger_source, run_id, exc, sha=sha)
        return self._store(path.name, str(path), table, rt, positions, ledger_source, run_id, sha,
                           stat.st_size, stat.st_mtime)

    def _reject_file(self, path: Path, ledger_source: str, run_id: int, exc: FileError, sha: str) -> FileOutcome:
        now = self.clock()
        stat = path.stat()
        with self.sessions.begin() as session:
            session.add(QuarantinedRow(run_id=run_id, source=ledger_source, file=str(path), row=0,
                                       column=exc.column, value="", reason=exc.reason, created_at=now))
            session.add(LoadedFile(source=ledger_source, path=str(path), size=stat.st_size, mtime=stat.st_mtime,
                                   sha256=sha, run_id=run_id, loaded_at=now, status="rejected"))
        return FileOutcome(path.name, "rejected", problems=[(0, exc.column, "", exc.reason)])

    def _store(self, name: str, where: str, table: FileTable, rt: RecordType, positions: dict[str, int],
               ledger_source: str, run_id: int, sha: str, size: int, mtime: float) -> FileOutcome:
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
            session.add(LoadedFile(source=ledger_source, path=where, size=size, mtime=mtime, sha256=sha,
                                   run_id=run_id, loaded_at=now, rows_read=outcome.rows_read,
                                   rows_loaded=outcome.rows_loaded, rows_rejected=outcome.rows_rejected,
                                   status=outcome.status))
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

    # ---- SQL sources -------------------------------------------------------------------------------------

    def _load_query(self, source: SourceDef, run_id: int) -> FileOutcome:
        url = make_url(source.url or "")
        if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            raise FileNotFoundError(f"the database file {url.database} does not exist")  # never create it
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                result = conn.execute(text(source.query or ""))
                header = list(result.keys())
                rows = [(n, list(r)) for n, r in enumerate(result, start=1)]
        finally:
            engine.dispose()
        digest = hashlib.sha256(json.dumps([header, rows], default=str).encode()).hexdigest()
        with self.sessions() as session:
            same = session.execute(select(LoadedFile.id).where(
                LoadedFile.source == source.key, LoadedFile.sha256 == digest)).first()
        if same:
            return FileOutcome("query", "duplicate", note="the query returned the same rows as before")
        rt = RECORD_TYPES[source.record]
        table = FileTable(header, rows, decimal_comma=False, note="query")
        try:
            positions = map_columns(header, rt, source.columns)
        except FileError as exc:
            now = self.clock()
            with self.sessions.begin() as session:
                session.add(QuarantinedRow(run_id=run_id, source=source.key, file="query", row=0,
                                           column=exc.column, value="", reason=exc.reason, created_at=now))
            return FileOutcome("query", "rejected", problems=[(0, exc.column, "", exc.reason)])
        return self._store("query", f"query of {source.key}", table, rt, positions, source.key, run_id, digest,
                           len(rows), time.time())

    # ---- ledger ------------------------------------------------------------------------------------------

    def _start_run(self, source: str, trigger: str) -> int:
        run_id = None
        try:
            with self.sessions.begin() as session:
                run = LoadRun(source=source, trigger=trigger, started_at=self.clock(), status="running")
                session.add(run)
                session.flush()
                run_id = run.id
                self.locks.hold(run_id)  # before the run can be seen: nobody may find it running and unlocked
        except BaseException:
            if run_id is not None:
                self.locks.release(run_id)
            raise
        return run_id

    def _finish_run(self, outcome: RunOutcome) -> None:
        files = [f for f in outcome.files if f.status not in ("duplicate", "waiting")]
        if outcome.status != "failed":
            if not files:
                outcome.status = "idle"
            elif any(f.status in ("rejected", "partial", "failed") for f in files):
                outcome.status = "partial"
        if not outcome.message:
            outcome.message = "; ".join(_file_summary(f) for f in files[:5]) + (
                f"; … {len(files) - 5} more" if len(files) > 5 else "")
            waiting = [f.name for f in outcome.files if f.status == "waiting"]
            if waiting:
                outcome.message += ("; " if outcome.message else "") + f"waiting: {', '.join(waiting[:5])}"
        run_id = outcome.run_id
        try:
            with self.sessions.begin() as session:
                if outcome.status == "idle" and not outcome.message and self._extend_idle_streak(session, outcome):
                    return
                session.execute(update(LoadRun).where(LoadRun.id == outcome.run_id).values(
                    finished_at=self.clock(), status=outcome.status, files_loaded=len(files),
                    files_skipped=len(outcome.files) - len(files), rows_read=outcome.rows_read,
                    rows_loaded=outcome.rows_loaded, rows_rejected=outcome.rows_rejected,
                    message=outcome.message[:4000]))
        except SQLAlchemyError as exc:
            log.error("could not record the end of run %s: %s", outcome.run_id, _short(exc))
        finally:  # only once its outcome is stored: a run found unlocked must be a finished or a dead one
            if run_id is not None:
                self.locks.release(run_id)

    def _extend_idle_streak(self, session: Session, outcome: RunOutcome) -> bool:
        """A run that found nothing new, after another such run, extends that one instead of adding a row
        (a source read every 30 s would otherwise bury the runs that loaded something)."""
        previous = session.execute(
            select(LoadRun).where(LoadRun.source == outcome.source, LoadRun.id < (outcome.run_id or 0))
            .order_by(LoadRun.id.desc()).limit(1)).scalar_one_or_none()
        if previous is None or previous.status != "idle" or previous.message:
            return False
        previous.finished_at = self.clock()
        previous.runs = (previous.runs or 1) + 1
        session.execute(delete(LoadRun).where(LoadRun.id == outcome.run_id))
        outcome.run_id = previous.id
        return True


def recognise_record(path: Path) -> str:
    """Recognise a file's record type from its header (the one whose required columns are all present)."""
    table = read_table(path)
    fits = []
    for name, rt in RECORD_TYPES.items():
        try:
            map_columns(table.header, rt, {})
            fits.append((len(rt.required), name))
        except FileError:
            continue
    if not fits:
        raise FileError("the header matches no record type of the data contract "
                          "(production_counts, stop_events, quality_events, safety_events, labour, kpi_values)")
    return max(fits)[1]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
