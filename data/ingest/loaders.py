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
from datetime import datetime
from pathlib import Path

from huddle.dashboard.core.calendar import now_utc
from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.plant import PlantConfig, SourceDef
from huddle.dashboard.core.sentence import Sentence, payload
from huddle.data.ingest.contract import RECORD_TYPES, FileError, RecordType, map_columns
from huddle.data.ingest.file_bytes import OnDisk
from huddle.data.ingest.incoming import GROWS_FROM, IncomingFile, is_blank
from huddle.data.ingest.mapped import map_table
from huddle.data.ingest.outcomes import CUT_OFF, CUT_OFF_OTHER, FileOutcome, RunOutcome, _file_summary, _short
from huddle.data.ingest.readers import Table as FileTable
from huddle.data.ingest.readers import read_table
from huddle.data.ingest.run_locks import LoadBusyError, RunLocks
from huddle.data.ingest.run_log import log_run
from huddle.data.ingest.store import FileFields, ParseCache, RowStore
from huddle.data.models import LoadedFile, LoadRun, QuarantinedRow
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("huddle.loaders")

TEMPORARY_NAMES = ("*.tmp", "*.part", "*.partial", "*.crdownload", ".*", "~$*")

class Loader:
    """Runs the plant's sources against Huddle's database."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session],
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.config = config
        self.sessions = session_factory
        self.clock = clock
        self._locks: RunLocks | None = None
        #: what distinct cell values parse to, shared by the files of every run: an hour's times, a line's name
        #: and a shift's code are parsed once, not once per file (the plant file is fixed for a loader's life)
        self._parsed: ParseCache = {}

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
        """Run one source: every new file in its folder, or its query. A load of the source in progress (an import
        of its files, another process's run) is waited for; a run asked for by hand (``admin``) does not wait and
        says who is loading instead. One log line tells how the run went."""
        source = self.config.sources[key]
        if source.kind == "mqtt":  # a live source: its subscriber stores its messages as they come
            return RunOutcome(key, None, "idle", message="a live source: its subscriber stores messages as they come")
        try:
            self.locks.hold_source(key, self.clock(), wait=trigger != "admin", waiting=lambda busy: log.info(
                "source %s: waiting, %s", key, busy.describe(self.config.tz)))
        except LoadBusyError as busy:
            outcome = RunOutcome(key, None, "failed", message=busy.describe(self.config.tz))
            log_run(outcome, trigger, 0.0)
            return outcome
        began = time.monotonic()
        try:
            outcome = self._run_held(source, trigger)
        finally:
            self.locks.release_source(key)
        log_run(outcome, trigger, time.monotonic() - began)
        return outcome

    def _run_held(self, source: SourceDef, trigger: str) -> RunOutcome:
        """A run of a source whose lock this process holds."""
        key = source.key
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
        except FileNotFoundError as exc:  # its folder or database file is missing: the run's one line names it
            outcome.status = "failed"
            outcome.message = str(exc)
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
        planned: list[tuple[Path, SourceDef | None, str | FileError]] = []
        for path in files:
            source = self._source_for(path)
            try:
                planned.append((path, source, record or (source.record if source else None) or recognise_record(path)))
            except FileError as exc:
                planned.append((path, source, exc))
        # an import waits for nobody: a load in progress of a source its files belong to, or another import of
        # the same kind of files, stops it (LoadBusyError) before it stores anything
        keys = sorted({s.key if s else f"import:{k}" for _, s, k in planned if s or isinstance(k, str)})
        held: list[str] = []
        began = time.monotonic()
        try:
            for key in keys:
                self.locks.hold_source(key, self.clock(), wait=False)
                held.append(key)
            try:
                run_id = self._start_run("import", trigger)
            except SQLAlchemyError as exc:
                return RunOutcome("import", None, "failed", message=f"database unavailable: {_short(exc)}")
            outcome = RunOutcome("import", run_id, "ok")
            for path, source, kind in planned:
                if isinstance(kind, FileError):
                    outcome.files.append(self._reject_file(path, "import", run_id, kind, sha=_sha256(path)))
                else:
                    outcome.files.append(self._import_one(path, kind, source, run_id))
            self._finish_run(outcome)
        finally:
            for key in held:
                self.locks.release_source(key)
        log_run(outcome, trigger, time.monotonic() - began)
        return outcome

    def _import_one(self, path: Path, kind: str, source: SourceDef | None, run_id: int) -> FileOutcome:
        """One file of an import; a clash with a load storing the same file at the same moment is tried once
        more (the file is then found stored), and any other failure is the file's outcome, not a traceback."""
        try:
            try:
                return self.load_file(path, kind, source, run_id, ledger_source=f"import:{kind}")
            except IntegrityError:  # read again: the other load's entry now makes it a known file
                return self.load_file(path, kind, source, run_id, ledger_source=f"import:{kind}")
        except (OSError, SQLAlchemyError) as exc:
            log.warning("import: %s failed: %s", path.name, _short(exc))
            return FileOutcome(path.name, "failed", note=_short(exc))

    # ---- files -------------------------------------------------------------------------------------------

    def _candidates(self, source: SourceDef, outcome: RunOutcome) -> list[Path]:
        folder = Path(source.path or ".")
        if not folder.is_dir():
            raise FileNotFoundError(f"folder {folder} does not exist")
        now = time.time()
        out = []
        with self.sessions() as session:
            entries = session.execute(select(LoadedFile.path, LoadedFile.size, LoadedFile.mtime, LoadedFile.read_to,
                                             LoadedFile.status, LoadedFile.prefix_sha)
                                      .where(LoadedFile.source == source.key)).all()
        known = {(p, s, m) for p, s, m, *_ in entries}
        # files read up to a last line that had not ended: looked at again once still for final_seconds
        tails = {(p, s, m) for p, s, m, read_to, status, prefix in entries
                 if prefix and read_to < s and status in GROWS_FROM and status != "cut off"}
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.suffix.lower() == ".ok":
                continue
            name = path.name
            if any(fnmatch.fnmatch(name, pat) for pat in TEMPORARY_NAMES):
                continue
            if not any(fnmatch.fnmatch(name.lower(), pat.lower()) for pat in source.patterns):
                continue
            stat = path.stat()
            seen = (str(path), stat.st_size, stat.st_mtime)
            if seen in known and not (seen in tails and now - stat.st_mtime >= source.final_seconds):
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
        """Load one file: its complete rows not read before are validated, the good ones upserted and the bad ones
        quarantined, with the file's ledger entry and its outcome in words, all in one transaction."""
        ledger_source = ledger_source or (source.key if source else f"import:{record}")
        return IncomingFile(self, path, record, source, run_id, ledger_source).run()

    def _reject_file(self, path: Path, ledger_source: str, run_id: int, exc: FileError, sha: str,
                     record: str = "") -> FileOutcome:
        """Refuse a whole file (quarantined as row 0), or report an empty one as empty; a file refused before with
        the same content is not quarantined again."""
        stat = path.stat()
        if is_blank(OnDisk.of(path, stat.st_size)):
            return IncomingFile(self, path, record, None, run_id, ledger_source).run()
        problem = (0, exc.column, "", exc.reason)
        now = self.clock()
        with self.sessions.begin() as session:
            known = session.execute(select(LoadedFile.id).where(
                LoadedFile.source == ledger_source, LoadedFile.path == str(path), LoadedFile.sha256 == sha)).first()
            if known:
                session.execute(update(LoadedFile).where(LoadedFile.id == known.id).values(
                    size=stat.st_size, mtime=stat.st_mtime))
                return FileOutcome(path.name, "rejected", problems=[problem], note=f"refused again: {exc.reason}")
            session.add(QuarantinedRow(run_id=run_id, source=ledger_source, file=str(path), row=0,
                                       column=exc.column, value="", reason=exc.reason,
                                       reason_message=payload(exc.reason), created_at=now, record_type=record))
            session.add(LoadedFile(source=ledger_source, path=str(path), size=stat.st_size, mtime=stat.st_mtime,
                                   sha256=sha, run_id=run_id, loaded_at=now, status="rejected",
                                   note=f"refused: {exc.reason}"))
        return FileOutcome(path.name, "rejected", problems=[problem], note=f"refused: {exc.reason}")

    def _store(self, name: str, where: str, table: FileTable, rt: RecordType, positions: dict[str, int],
               ledger_source: str, run_id: int, sha: str, size: int, mtime: float,
               file_fields: FileFields | None = None, session: Session | None = None) -> FileOutcome:
        return RowStore(self.config, self.sessions, self.clock, self._parsed).store(
            name, where, table, rt, positions, ledger_source, run_id, sha, size, mtime, file_fields, session)

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
        try:  # the source's mapping (value maps, formats, constants) as for files
            table, positions = map_table(FileTable(header, rows, decimal_comma=False, note="query"), rt, source)
        except FileError as exc:
            now = self.clock()
            with self.sessions.begin() as session:
                session.add(QuarantinedRow(run_id=run_id, source=source.key, file="query", row=0,
                                           column=exc.column, value="", reason=exc.reason,
                                           reason_message=payload(exc.reason), created_at=now))
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
                checks = self._fold_idle_streak(session, outcome) if outcome.status == "idle" and not outcome.message \
                    else 1
                session.execute(update(LoadRun).where(LoadRun.id == outcome.run_id).values(
                    finished_at=self.clock(), status=outcome.status, files_loaded=len(files),
                    files_skipped=len(outcome.files) - len(files), rows_read=outcome.rows_read,
                    rows_loaded=outcome.rows_loaded, rows_rejected=outcome.rows_rejected,
                    message=outcome.message[:4000], runs=checks))
        except SQLAlchemyError as exc:
            log.error("could not record the end of run %s: %s", outcome.run_id, _short(exc))
        finally:  # only once its outcome is stored: a run found unlocked must be a finished or a dead one
            if run_id is not None:
                self.locks.release(run_id)

    def _fold_idle_streak(self, session: Session, outcome: RunOutcome) -> int:
        """A run that found nothing new, after another such run, takes that one's place instead of adding a row
        (a source read every 30 s would otherwise bury the runs that loaded something): the row keeps this check's
        own start and end, never a span of several checks, and counts the checks in a row (returned).

        The earlier row goes and this run's stays: SQLite gives a new row the highest id plus one, so deleting the
        newest row would hand its id to the next run, whose lock (keyed by its id) this run still holds until it
        ends; that run would then go unlocked, and a process starting meanwhile would mark it cut off."""
        previous = session.execute(
            select(LoadRun).where(LoadRun.source == outcome.source, LoadRun.id < (outcome.run_id or 0))
            .order_by(LoadRun.id.desc()).limit(1)).scalar_one_or_none()
        if previous is None or previous.status != "idle" or previous.message:
            return 1
        session.execute(delete(LoadRun).where(LoadRun.id == previous.id))
        return (previous.runs or 1) + 1


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
        raise FileError(Sentence(N_("the header matches no record type of the data contract ({types})"),
                                 types="production_counts, stop_events, quality_events, safety_events, labour, "
                                       "kpi_values"))
    return max(fits)[1]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
