"""The plant calendar's rows kept in the database's key/value table: planned days imported from a CSV file
(``huddle calendar import``) and the last recordable before go-live set on the admin page.

Keys: ``planned:<first date>:<scope>`` → ``{"last": ..., "name": ..., "kind": ...}`` and
``last_recordable:<scope>`` → an ISO date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from huddle.dashboard.core.plant_calendar import PlannedDays
from huddle.data.models import Meta
from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import Session

PLANNED = "planned:"
LAST_RECORDABLE = "last_recordable:"
NAME_CHARS = 120  # the value column holds 200 characters


_META = Meta.__table__.c


def _keys_starting(*prefixes: str) -> Select[tuple[str, str]]:
    """The key and value of the meta rows whose key starts with one of the prefixes, by key (a Core statement, built
    once: the readings read the calendar on every page)."""
    return (select(_META.key, _META.value)
            .where(or_(*(_META.key.startswith(p, autoescape=True) for p in prefixes))).order_by(_META.key))


_PLANNED_ROWS = _keys_starting(PLANNED)
_LAST_RECORDABLE_ROWS = _keys_starting(LAST_RECORDABLE)
_CALENDAR_ROWS = _keys_starting(PLANNED, LAST_RECORDABLE)


def stored_calendar(session: Session) -> tuple[list[PlannedDays], dict[str, date]]:
    """The planned days imported and the last recordables set on the admin page (``stored_planned`` and
    ``stored_last_recordables`` in one statement)."""
    return calendar_of(session.execute(_CALENDAR_ROWS).all())


#: SQL of the meta rows ``stored_calendar`` reads, for a statement that reads them with others
#: (``ledger.context_rows``): by their keys' first characters, which no collation orders differently
CALENDAR_KEYS_SQL = " OR ".join(f"substr(\"key\", 1, {len(p)}) = '{p}'" for p in (PLANNED, LAST_RECORDABLE))


def calendar_of(rows: Iterable[Any]) -> tuple[list[PlannedDays], dict[str, date]]:
    """The planned days and last recordables of calendar rows (each with ``key`` and ``value``), by key."""
    ordered = sorted(rows, key=lambda r: r.key)
    return (_planned([r for r in ordered if r.key.startswith(PLANNED)]),
            _last_recordables([r for r in ordered if r.key.startswith(LAST_RECORDABLE)]))


def stored_planned(session: Session) -> list[PlannedDays]:
    """The planned days imported into the database."""
    return _planned(session.execute(_PLANNED_ROWS).all())


def _planned(rows: list[Any]) -> list[PlannedDays]:
    out = []
    for row in rows:
        _, first, scope = row.key.split(":", 2)
        value = json.loads(row.value)
        out.append(PlannedDays(date.fromisoformat(first), date.fromisoformat(value["last"]), value["name"], scope,
                               value.get("kind", "holiday")))
    return out


def replace_planned(session: Session, entries: Iterable[PlannedDays]) -> int:
    """Replace the imported planned days by these (the file is the calendar); how many were stored."""
    session.execute(delete(Meta).where(Meta.key.startswith(PLANNED, autoescape=True)))
    by_key = {f"{PLANNED}{e.first.isoformat()}:{e.scope}": e for e in entries}
    for key, e in by_key.items():
        value = json.dumps({"last": e.last.isoformat(), "name": e.name[:NAME_CHARS], "kind": e.kind})
        session.add(Meta(key=key[:64], value=value))
    return len(by_key)


def stored_last_recordables(session: Session) -> dict[str, date]:
    """The last recordable before go-live set on the admin page, per scope ("plant" or a line key)."""
    return _last_recordables(session.execute(_LAST_RECORDABLE_ROWS).all())


def _last_recordables(rows: list[Any]) -> dict[str, date]:
    return {row.key[len(LAST_RECORDABLE):]: date.fromisoformat(row.value) for row in rows}


def set_last_recordable(session: Session, scope: str, day: date | None) -> None:
    """Set (or, with None, clear) the last recordable before go-live of a scope."""
    row = session.get(Meta, LAST_RECORDABLE + scope)
    if day is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Meta(key=LAST_RECORDABLE + scope, value=day.isoformat()))
    else:
        row.value = day.isoformat()
