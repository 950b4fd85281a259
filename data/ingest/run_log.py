"""One log line per load run, for operators following ``huddle scheduler -v`` and for log collectors.

The line names the source, what started the run, how it ended, the files it read, the rows stored and refused and
how long it took; the same fields ride on the log record (``record.run``), which ``--log-format json`` writes as
one JSON object per line (``huddle.dashboard.logging_setup``).
"""

from __future__ import annotations

import logging

from huddle.data.ingest.outcomes import RunOutcome

log = logging.getLogger("huddle.loaders")


def run_fields(outcome: RunOutcome, trigger: str, seconds: float) -> dict[str, object]:
    """What a run's log line says, as the JSON fields collectors read."""
    files = [f for f in outcome.files if f.status not in ("duplicate", "waiting")]
    return {"source": outcome.source, "trigger": trigger, "status": outcome.status, "files": len(files),
            "rows_stored": outcome.rows_loaded, "rows_refused": outcome.rows_rejected,
            "duration_s": round(seconds, 3), "message": outcome.message}


def log_run(outcome: RunOutcome, trigger: str, seconds: float) -> None:
    """Log the run's line: a warning when it failed, else information (shown with ``-v``)."""
    run = run_fields(outcome, trigger, seconds)
    level = logging.WARNING if outcome.status == "failed" else logging.INFO
    note = f" — {outcome.message}" if outcome.status == "failed" and outcome.message else ""
    log.log(level, "source %s (%s): %s, %s files, %s rows stored, %s refused, %.2f s%s", run["source"], trigger,
            run["status"], run["files"], run["rows_stored"], run["rows_refused"], seconds, note,
            extra={"run": run})
