"""The lists people take into a spreadsheet — actions, the quarantine's problems, the audit trail — as CSV.

Every text cell goes through ``cell_text``, so nothing a file, the plant file or a person wrote (a stop reason, an
action, an owner, a KPI name) runs as a formula when the file is opened; numbers stay numbers. Columns carry the
names people use (KPI, line and people's names, local times), never keys or login names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from huddle.dashboard.core.cell_text import cell_texts


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(cell_texts(row))
    return out.getvalue()


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at is not None else ""


def actions_csv(actions: Iterable[Any], scope_name: Callable[[str], str], kpi_name: Callable[[str], str],
                person: Callable[[str], str]) -> str:
    """Actions (``ActionView``) as CSV: scope, KPI, what, owner, due, status, overdue, result, raised by."""
    header = ["Scope", "KPI", "Raised for", "What", "Owner", "Due", "Status", "Overdue", "Result", "Raised by",
              "Last changed by"]
    return _csv(header, ([scope_name(a.scope), kpi_name(a.kpi) if a.kpi else "", a.raised_for.isoformat(), a.what,
                          a.owner, a.due.isoformat(), a.status.replace("_", " "), "yes" if a.overdue else "no",
                          a.result, person(a.created_by), person(a.updated_by)] for a in actions))


def quarantine_csv(problems: Iterable[Any], tz: ZoneInfo) -> str:
    """The quarantine's problems (``Problem``) as CSV: where (file, row, column), the value, why, and their state."""
    header = ["Found", "Source", "File", "Row", "Column", "Value", "Reason", "State"]
    return _csv(header, ([_local(p.found_at, tz), p.source, p.file_name, p.row, p.column, p.value, p.reason,
                          p.state] for p in problems))


def audit_csv(entries: Iterable[Any], tz: ZoneInfo, person: Callable[[str], str]) -> str:
    """Audit entries as CSV: when, who (by name), what was done, to what, and what the entry keeps of it (the
    values before and after, a reason) as written."""
    header = ["When", "Who", "What", "Target", "Details"]
    return _csv(header, ([_local(e.at, tz), person(e.actor), e.action, e.target, e.details or ""]
                         for e in entries))
