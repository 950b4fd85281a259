"""The plant calendar's rows kept in the database's key/value table: planned days imported from a CSV file
(``huddle calendar import``) and the last recordable before go-live set on the admin page.

Keys: ``planned:<first date>:<scope>`` → ``{"last": ..., "name": ..., "kind": ...}`` and
``last_recordable:<scope>`` → an ISO date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from huddle.dashboard.core.plant_calendar import PlannedDays
from huddle.data.models import Meta
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

PLANNED = "planned:"
LAST_RECORDABLE = "last_recordable:"
NAME_CHARS = 120  # the value column holds 200 characters


def _prefixed(session: Session, prefix: str) -> list[Meta]:
    return list(session.execute(select(Meta).where(Meta.key.startswith(prefix, autoescape=True))
                                .order_by(Meta.key)).scalars())


def stored_planned(session: Session) -> list[PlannedDays]:
    """The planned days imported into the database."""
    out = []
    for row in _prefixed(session, PLANNED):
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
    return {row.key[len(LAST_RECORDABLE):]: date.fromisoformat(row.value)
            for row in _prefixed(session, LAST_RECORDABLE)}


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
