"""How Huddle logs: every line starts with its time (ISO 8601 with the offset from UTC) and level. The processes
that keep running (``huddle scheduler``, ``serve``, ``demo`` and the gunicorn workers) log at INFO, one line per
load run; one-off commands log warnings only unless ``-v``. As text, or with ``--log-format json`` (or the setting
``log_format``) one JSON object per line for log collectors (journald, Loki, Elasticsearch...).

A load run's record carries its fields (``record.run``: source, trigger, status, files, rows_stored,
rows_refused, duration_s, message), which the JSON lines hold as they are; any other record becomes time, level,
logger and message.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
FORMATS = ("text", "json")


class TextLines(logging.Formatter):
    """``2027-01-04T06:30:00.125+01:00 huddle.loaders INFO source counts (schedule): ok, ...``"""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        """The record's time in the machine's zone, ISO 8601 to the millisecond with its offset."""
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, then a run's fields or the message."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name}
        run = getattr(record, "run", None)
        if isinstance(run, dict):
            line.update(run)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(verbose: bool, log_format: str = "text", level: int = logging.WARNING) -> None:
    """Set up the root logger once for a process: at ``level`` (INFO with ``verbose``), as text or json. The
    scheduler library's own per-job lines stay quiet (the run's line says it all), and so do the development
    server's request lines unless ``verbose``."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else TextLines())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO) if verbose else level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its migration steps: huddle init says what it did
    logging.getLogger("werkzeug").setLevel(logging.INFO if verbose else logging.WARNING)
