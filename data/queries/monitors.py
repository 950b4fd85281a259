"""Monitor tokens, kept in ``meta`` as one row each: ``monitor:<name>`` holding JSON with the token's SHA-256
digest, when it was made and when it was revoked. A monitor (Prometheus, a load balancer, an uptime check) reads
health and metrics with it, nothing else; there are a handful per plant, so finding one by its digest reads them
all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import NamedTuple

from huddle.data.models import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session

PREFIX = "monitor:"


class MonitorRow(NamedTuple):
    """A monitor token as stored: its name, digest, when made, when revoked (None while it opens)."""

    name: str
    digest: str
    created_at: datetime
    revoked_at: datetime | None


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row(meta: Meta) -> MonitorRow | None:
    try:
        data = json.loads(meta.value)
        created = _instant(data["created"])
        assert created is not None
        return MonitorRow(meta.key[len(PREFIX):], str(data["digest"]), created, _instant(data.get("revoked")))
    except (ValueError, KeyError, TypeError, AssertionError):
        return None


def _value(digest: str, created: datetime, revoked: datetime | None) -> str:
    def at(when: datetime | None) -> str | None:
        return when.astimezone(UTC).replace(microsecond=0).isoformat() if when else None

    return json.dumps({"digest": digest, "created": at(created), "revoked": at(revoked)})


def monitors(session: Session) -> list[MonitorRow]:
    """Every monitor token, by name."""
    rows = session.execute(select(Meta).where(Meta.key.startswith(PREFIX, autoescape=True))
                           .order_by(Meta.key)).scalars()
    return [r for r in (_row(m) for m in rows) if r is not None]


def monitor_named(session: Session, name: str) -> MonitorRow | None:
    """A monitor token by its name."""
    meta = session.get(Meta, PREFIX + name)
    return _row(meta) if meta is not None else None


def add_monitor(session: Session, name: str, digest: str, created: datetime) -> None:
    """Store a new monitor token (the caller checked the name is free)."""
    session.add(Meta(key=PREFIX + name, value=_value(digest, created, None)))


def revoke_monitor(session: Session, row: MonitorRow, revoked: datetime) -> None:
    """Mark a monitor token revoked: it opens nothing from now on."""
    meta = session.get(Meta, PREFIX + row.name)
    if meta is not None:
        meta.value = _value(row.digest, row.created_at, revoked)
