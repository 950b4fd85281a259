"""The quarantine as people use it: the problems still open (file, line, column, value, reason), those resolved by
a later file or by a retry, and those a person dismissed with a reason.

A problem is *open* until a later row with the same natural key is stored (the loaders resolve it, naming the
file) or a person dismisses it (an editor or admin, with a reason, written to the audit trail). A retry validates
the row's stored values again against the current plant configuration: a row refused for a stop reason the plant
did not know yet loads once the reason is added, and its problems are resolved "by retry".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from huddle.dashboard.core.format import format_moment
from huddle.dashboard.core.i18n import N_, _, number
from huddle.dashboard.core.names import person_name
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.sentence import say, translated
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.data.ingest.contract import RECORD_TYPES, RecordType, RowValidator, natural_key_text
from huddle.data.ingest.readers import Table
from huddle.data.ingest.store import RowStore
from huddle.data.models import QuarantinedRow
from huddle.data.queries import quarantine as queries
from sqlalchemy.orm import Session, sessionmaker

RETRY = "retry"  # what a retried row is resolved by, and the source its ledger run and entry are recorded under
STATUSES = queries.STATUSES
MAX_REASON = 500


class QuarantineError(ValueError):
    """A request about the quarantine that cannot be done, with the reason for the person who asked."""


def file_name(path: str) -> str:
    """A file's name without its folder ("query of counts" stays as it is)."""
    return PurePath(path).name or path if path else ""


@dataclass(frozen=True)
class Problem:
    """One quarantined row's problem, in the words people read."""

    id: int
    status: str  # open | resolved | dismissed
    source: str
    file: str  # as the loader found it (the folder included)
    row: int  # 0: the whole file
    column: str
    value: str
    reason: str
    found_at: datetime
    record_type: str
    resolved_by: str
    closed_at: datetime | None
    dismissed_by: str
    dismiss_reason: str
    reason_message: str = ""  # the reason's message and values (core.sentence); "" for rows stored before

    @classmethod
    def of(cls, row: QuarantinedRow) -> Problem:
        """The problem of a quarantined row."""
        return cls(row.id, row.status or "open", row.source, row.file, row.row, row.column or "", row.value or "",
                   row.reason, row.created_at, row.record_type or "", row.resolved_by or "", row.resolved_at,
                   row.dismissed_by or "", row.dismiss_reason or "", row.reason_message or "")

    @property
    def file_name(self) -> str:
        """The file's name without its folder."""
        return file_name(self.file)

    @property
    def where(self) -> str:
        """'counts.csv, line 5', or 'counts.csv (the whole file)'."""
        return (_("{file}, line {row}").format(file=self.file_name, row=self.row) if self.row
                else _("{file} (the whole file)").format(file=self.file_name))

    @property
    def said(self) -> str:
        """The reason in the language in effect (a reason stored before reasons kept their message: its English)."""
        return say(self.reason_message, self.reason)

    @property
    def what(self) -> str:
        """'good "ten": not a number', or the reason alone when no column is named (in the language in effect)."""
        if not self.column:
            return self.said
        value = f" {self.value!r}" if self.value else ""
        return f"{self.column}{value}: {self.said}"

    @property
    def state(self) -> str:
        """'open', 'resolved by counts-2.csv' or 'dismissed by Ann: sent twice by the MES' (a login read as a name)."""
        return self.state_named(person_name(self.dismissed_by, {}))

    def state_named(self, person: str) -> str:
        """The state in words, naming whoever dismissed it as given (their display name where the caller has it)."""
        if self.status == "resolved":
            return _("resolved by {file}").format(file=file_name(self.resolved_by) or _("a later file"))
        if self.status == "dismissed":
            return _("dismissed by {person}: {reason}").format(person=person, reason=self.dismiss_reason)
        return _("open")

    def as_dict(self, tz: Any) -> dict[str, Any]:
        """The problem as the API answers it (instants in ISO 8601 with the plant's offset)."""
        return {"problem": self.id, "status": self.status, "state": self.state, "source": self.source,
                "file": self.file_name, "path": self.file, "row": self.row, "column": self.column,
                "value": self.value, "reason": self.reason, "record_type": self.record_type,
                "found_at": self.found_at.astimezone(tz).isoformat(),
                "resolved_by": file_name(self.resolved_by) if self.status == "resolved" else "",
                "closed_at": self.closed_at.astimezone(tz).isoformat() if self.closed_at else None,
                "dismissed_by": self.dismissed_by, "dismiss_reason": self.dismiss_reason}


@dataclass
class DismissOutcome:
    """What a dismissal did: the problems it closed and those it left, with why."""

    dismissed: list[Problem] = field(default_factory=list)
    skipped: list[tuple[Problem, str]] = field(default_factory=list)


@dataclass
class RetryOutcome:
    """What a retry did: the problems whose row now loaded, those still refused (and the reason today), and those
    a retry cannot help (and what to do instead)."""

    loaded: list[Problem] = field(default_factory=list)
    still: list[tuple[Problem, str]] = field(default_factory=list)
    skipped: list[tuple[Problem, str]] = field(default_factory=list)
    rows_loaded: int = 0


@dataclass
class _Row:
    """One refused row to try again: its problems, record type and raw values."""

    problems: list[Problem]
    record: RecordType
    raw: dict[str, Any]
    decimal_comma: bool = False
    key: str = ""


class Quarantine:
    """Lists, dismisses and retries the quarantine's problems of one plant."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.clock = clock

    def problems(self, status: str = "open", source: str | None = None, limit: int = 100,
                 offset: int = 0) -> list[Problem]:
        """Problems of a status ("all": every one, the open ones first), newest first, a page at a time."""
        if status != "all" and status not in STATUSES:
            raise QuarantineError(f"status: expected one of {', '.join(STATUSES)} or all")
        with self.sessions() as session:
            rows = queries.listing(session, None if status == "all" else status, source, limit, offset)
            return [Problem.of(r) for r in rows]

    def counts(self, source: str | None = None) -> dict[str, int]:
        """How many problems are open, resolved and dismissed."""
        with self.sessions() as session:
            return queries.counts(session, source)

    def _find(self, session: Session, ids: Sequence[int]) -> list[QuarantinedRow]:
        rows = queries.rows_by_id(session, ids)
        missing = sorted(set(ids) - {r.id for r in rows})
        if missing:
            raise QuarantineError(_("no problem {ids} in the quarantine").format(ids=", ".join(map(str, missing))))
        return rows

    def dismiss(self, who: Identity | str, ids: Sequence[int], reason: str) -> DismissOutcome:
        """Dismiss open problems with a reason (editors and admins; a name from the command line), audited in the
        same transaction; problems no longer open are left as they are."""
        if isinstance(who, Identity):
            who.require("editor", N_("dismissing a problem of the quarantine"))
        reason = " ".join((reason or "").split())
        if not reason:
            raise QuarantineError(_("give a reason: it is kept with the problem and in the audit trail"))
        if len(reason) > MAX_REASON:
            raise QuarantineError(_("the reason is {n} characters long; keep it within {most}").format(
                n=number(len(reason)), most=number(MAX_REASON)))
        if not ids:
            raise QuarantineError(_("pick the problems to dismiss"))
        by = who.label if isinstance(who, Identity) else who
        outcome = DismissOutcome()
        now = self.clock()
        with self.sessions.begin() as session:
            # the compare-and-set on the open status is the first statement: of two dismissals at once, each
            # problem goes to one of them and the other is told who dismissed it
            done = queries.dismiss_rows(session, ids, by, reason, now)
            for row in self._find(session, ids):
                problem = Problem.of(row)
                if row.id in done:
                    outcome.dismissed.append(problem)
                else:
                    outcome.skipped.append((problem, self._already(session, problem, now)))
            if outcome.dismissed:
                self.accounts.audit(session, who, "quarantine.dismiss", _target(outcome.dismissed),
                                    problems=[p.id for p in outcome.dismissed], reason=reason)
        return outcome

    def _already(self, session: Session, problem: Problem, now: datetime) -> str:
        """Why a problem was not dismissed: 'already dismissed by Anna Weber at 14:05: sent twice by the MES'."""
        today = now.astimezone(self.config.tz).date()
        at = (" " + _("at {time}").format(time=format_moment(problem.closed_at, self.config.tz, today))
              if problem.closed_at else "")
        if problem.status == "dismissed":
            return _("already dismissed by {person}{at}: {reason}").format(
                person=self.accounts.person(session, problem.dismissed_by), at=at, reason=problem.dismiss_reason)
        return _("already {state}{at}").format(state=problem.state, at=at)

    def retry(self, who: Identity | str, ids: Sequence[int] | None = None, source: str | None = None,
              trigger: str = "cli") -> RetryOutcome:
        """Validate open problems' rows again (given ones, else every open one, of a source when given) against
        the plant configuration as it is now; the rows that pass are stored and their problems resolved "by
        retry", audited. Editors and admins; a name from the command line."""
        if isinstance(who, Identity):
            who.require("editor", N_("retrying problems of the quarantine"))
        outcome = RetryOutcome()
        with self.sessions() as session:
            rows = self._find(session, ids) if ids is not None else queries.open_rows(session, source)
            problems = [Problem.of(r) for r in rows]
            records = {r.id: r.record or "" for r in rows}
        candidates = self._candidates(problems, records, outcome)
        passing = self._validate(candidates, outcome)
        if passing:
            self._store(who, passing, trigger, outcome)
        return outcome

    def _candidates(self, problems: list[Problem], records: dict[int, str], outcome: RetryOutcome) -> list[_Row]:
        """The refused rows a retry can help, newest first, each with all its open problems."""
        grouped: dict[tuple[str, str, int, str], list[Problem]] = {}
        for p in problems:
            if p.status != "open":
                outcome.skipped.append((p, f"already {p.state}"))
            else:
                grouped.setdefault((p.source, p.file, p.row, records[p.id]), []).append(p)
        rows = []
        for (source, _file, _line, text), group in sorted(grouped.items(), key=lambda g: -max(p.id for p in g[1])):
            record = RECORD_TYPES.get(group[0].record_type or self._record_of(source) or "")
            why = _not_retryable(group[0], record, text)
            if why or record is None:
                outcome.skipped.extend((p, why) for p in group)
                continue
            raw = json.loads(text)
            rows.append(_Row(group, record, raw, _decimal_comma(record, raw, {p.column for p in group})))
        return rows

    def _record_of(self, source: str) -> str | None:
        """The record type a source loads (an import's is in its name: "import:stop_events")."""
        if source.startswith("import:"):
            return source.split(":", 1)[1]
        found = self.config.sources.get(source)
        return found.record if found else None

    def _validate(self, rows: list[_Row], outcome: RetryOutcome) -> list[_Row]:
        """The rows that pass the contract and the plant configuration today, one per natural key (the newest)."""
        validators: dict[tuple[str, bool], RowValidator] = {}
        passing: list[_Row] = []
        seen: dict[tuple[str, str], _Row] = {}
        for row in rows:
            validator = validators.setdefault((row.record.name, row.decimal_comma), RowValidator(
                row.record, self.config, decimal_comma=row.decimal_comma))
            clean, found = validator.validate(row.raw)
            if clean is None:
                words = "; ".join(f"{f.column} {f.value!r}: {translated(f.reason)}" if f.value
                                  else f"{f.column}: {translated(f.reason)}" for f in found)
                outcome.still.extend((p, words) for p in row.problems)
                continue
            row.key = natural_key_text(row.record, clean)
            newer = seen.get((row.record.name, row.key)) if row.key else None
            if newer is not None:  # an older refusal of the same row: the newer values load, both are resolved
                newer.problems.extend(row.problems)
                continue
            seen[(row.record.name, row.key)] = row
            passing.append(row)
        return passing

    def _store(self, who: Identity | str, rows: list[_Row], trigger: str, outcome: RetryOutcome) -> None:
        """Store the passing rows through the loaders' own path (upsert, facts, ledger entry), then resolve their
        problems and audit the retry."""
        now = self.clock()
        with self.sessions.begin() as session:
            run_id = queries.start_retry_run(session, RETRY, trigger, now)
        batches: dict[tuple[str, bool], list[_Row]] = {}
        for row in rows:
            batches.setdefault((row.record.name, row.decimal_comma), []).append(row)
        store = RowStore(self.config, self.sessions, self.clock)
        read = loaded = 0
        status, message = "ok", ""
        try:
            for (_name, decimal_comma), batch in batches.items():
                record = batch[0].record
                header = [c.name for c in record.columns]
                table = Table(header, [(n, [r.raw.get(c) for c in header]) for n, r in enumerate(batch, start=1)],
                              decimal_comma=decimal_comma, note="quarantined rows tried again")
                content = json.dumps([r.raw for r in batch], default=str, sort_keys=True)
                sha = hashlib.sha256(f"{run_id}:{record.name}:{content}".encode()).hexdigest()
                stored = store.store(RETRY, RETRY, table, record, {c: i for i, c in enumerate(header)}, RETRY,
                                     run_id, sha, len(content), now.timestamp())
                refused = {n for n, *_ in stored.problems}
                kept = [r for n, r in enumerate(batch, start=1) if n not in refused]
                read, loaded = read + stored.rows_read, loaded + stored.rows_loaded
                for n, r in enumerate(batch, start=1):
                    if n in refused:  # the row's own values refused as a whole (the store has its own checks)
                        words = "; ".join(translated(p[3]) for p in stored.problems if p[0] == n)
                        outcome.still.extend((p, words) for p in r.problems)
                self._resolve(who, record, kept, now, outcome)
        except Exception as exc:
            status, message = "failed", f"retry of quarantined rows failed: {exc}"
            raise
        finally:
            with self.sessions.begin() as session:
                queries.forget_run_refusals(session, run_id)
                queries.finish_retry_run(session, run_id, self.clock(), status, len(batches), read, loaded,
                                         message or _retried_words(loaded, read))

    def _resolve(self, who: Identity | str, record: RecordType, kept: list[_Row], now: datetime,
                 outcome: RetryOutcome) -> None:
        """Resolve the loaded rows' problems (and any other open one of the same natural key), audited."""
        if not kept:
            return
        problems = [p for r in kept for p in r.problems]
        with self.sessions.begin() as session:
            queries.resolve_rows(session, [p.id for p in problems], RETRY, now)
            queries.resolve_open(session, record.name, [r.key for r in kept], RETRY, now)
            self.accounts.audit(session, who, "quarantine.retry", _target(problems),
                                problems=[p.id for p in problems], rows_loaded=len(kept), record=record.name)
        outcome.loaded.extend(problems)
        outcome.rows_loaded += len(kept)


def _retried_words(loaded: int, read: int) -> str:
    """The retry's run message, stored in English like every run's message: '1 of 1 quarantined row tried again
    loaded'."""
    return f"{loaded:,} of {read:,} quarantined {'row' if read == 1 else 'rows'} tried again loaded"


def _target(problems: list[Problem]) -> str:
    """The audit trail's target: the problem's place, or how many and where the first was."""
    first = problems[0].where
    text = first if len(problems) == 1 else f"{len(problems)} problems, the first {first}"
    return text[:255]


def _not_retryable(problem: Problem, record: RecordType | None, text: str) -> str:
    """Why a retry cannot help a refused row ("" when it can)."""
    if problem.row == 0:
        return "the whole file was refused: send the corrected file again"
    if record is None:
        return "its kind of record is not known (its source is no longer configured)"
    if not text:
        return "the line could not be read: send the corrected file again"
    try:
        raw = json.loads(text)
    except ValueError:
        return "its values were too long to keep: send the corrected file again"
    if not isinstance(raw, dict):
        return "its values were not kept: send the corrected file again"
    if problem.column not in {c.name for c in record.columns}:  # a duplicate line, or more values than the header
        return f"the line as a whole was refused ({problem.reason}): send the corrected file again, or dismiss it"
    return ""


def _decimal_comma(record: RecordType, raw: dict[str, Any], refused: set[str]) -> bool:
    """Whether the row's file read decimal commas: another number of the row was read with one."""
    numbers = [c.name for c in record.columns if c.kind in ("int", "float") and c.name not in refused]
    return any(isinstance(raw.get(c), str) and "," in raw[c] and "." not in raw[c] for c in numbers)
