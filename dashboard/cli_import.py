"""``huddle import``: load files once, print what each file became, and end with a verdict and an exit status a
nightly job can trust.

A file that is refused, whole or in part, makes the import fail, and so does a refused file seen again unchanged
(it is still refused while its problems are open in the quarantine, not a duplicate). The statuses:

- 0: every file loaded, or had nothing new (a duplicate, an empty file, a file whose problems are all closed) or
  is still being written (said so: it is read by the next import);
- 1: partial: some rows or files were refused, the rest loaded;
- 2: the import did not run (a path not found, another load of the same source running, settings or database);
- 3: failed: something was refused or failed and nothing loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from huddle.data.ingest.outcomes import RunOutcome, is_refused

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

#: the exit statuses of ``huddle import``
LOADED, SOME_REFUSED, DID_NOT_RUN, NOTHING_LOADED = 0, 1, 2, 3
#: problems printed per file before "… N more problems"
SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class Verdict:
    """How an import ended, in a word, a phrase and an exit status."""

    word: str  # ok | partial | failed
    words: str
    code: int


def verdict(outcome: RunOutcome) -> Verdict:
    """The verdict on an import: failed when something was refused and nothing loaded (or the run itself failed),
    partial when some rows or files were refused and the rest loaded, ok otherwise."""
    refused = [f for f in outcome.files if is_refused(f)]
    if outcome.status == "failed" or (refused and not outcome.rows_loaded):
        what = _files_text(len(refused)) + " refused" if refused else outcome.message or "the import failed"
        return Verdict("failed", f"nothing loaded: {what}", NOTHING_LOADED)
    if refused:
        return Verdict("partial", f"some rows refused: {_files_text(len(refused))} with refusals",
                       SOME_REFUSED)
    waiting = sum(f.status == "waiting" for f in outcome.files)
    later = f" ({_files_text(waiting)} still being written: import again once written)" if waiting else ""
    return Verdict("ok", ("loaded" if outcome.rows_loaded else "nothing new to load") + later, LOADED)


def _files_text(n: int) -> str:
    return f"{n:,} {'file' if n == 1 else 'files'}"


def print_outcome(outcome: RunOutcome, verbose: bool = True) -> None:
    """Print a load's outcome: a first line with its verdict and rows, then each file (the waiting, duplicate and
    refused ones only unless ``verbose``) with its first problems."""
    said = verdict(outcome)
    print(f"{outcome.source}: {said.word} — {said.words}; {outcome.rows_read:,} rows read, "
          f"{outcome.rows_loaded:,} loaded, {outcome.rows_rejected:,} rejected")
    for f in outcome.files:
        if verbose or f.status in ("waiting", "duplicate") or is_refused(f):
            note = f" ({f.note})" if f.note else ""
            print(f"  {f.name}: {f.status}, {f.rows_loaded} loaded, {f.rows_rejected} rejected{note}")
        for row, column, value, reason in f.problems[:SHOWN_PROBLEMS]:
            where = "file" if row == 0 else f"line {row}"
            col = f", column {column}" if column else ""
            val = f" = {value!r}" if value else ""
            print(f"    {where}{col}{val}: {reason}")
        if len(f.problems) > SHOWN_PROBLEMS:
            print(f"    … {len(f.problems) - SHOWN_PROBLEMS} more problems (see the Data page)")
    if outcome.status == "failed" and outcome.message:
        print(f"  error: {outcome.message}")


def run_import(services: Services, paths: list[str], record: str | None) -> int:
    """Load files once, print what was loaded, refused and why, and return the exit status (see the module)."""
    from huddle.data.ingest.run_locks import LoadBusyError

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"error: not found: {', '.join(missing)}")
        return DID_NOT_RUN
    try:
        outcome = services.loader.import_files([Path(p) for p in paths], record=record)
    except LoadBusyError as busy:  # the other load goes on; this one has stored nothing
        print(f"error: {busy.describe(services.config.tz)}; import again once it has finished")
        return DID_NOT_RUN
    print_outcome(outcome)
    return verdict(outcome).code
