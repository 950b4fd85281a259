"""How the ``huddle`` command logs: warnings only, or with ``-v`` one line per load run too; as text, or with
``--log-format json`` as one JSON object per line for log collectors (journald, Loki, Elasticsearch...).

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


def configure_logging(verbose: bool, log_format: str = "text") -> None:
    """Set up the root logger once for a command: ``verbose`` shows each load run, ``log_format`` is text or
    json. The scheduler library's own per-job lines stay quiet: the run's line says it all."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
