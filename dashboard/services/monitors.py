"""Monitor tokens: what a monitoring system (Prometheus, a load balancer's or an uptime service's health check)
shows to read ``/api/v1/health`` and ``/metrics``, and nothing else (no board, no numbers, no API).

Made like a wall-TV display's link (a random token shown once; only its SHA-256 digest is stored, so it cannot be
read back) and revoked the same way; each change is audited in the same transaction. Plain Python over
``data.queries.monitors``: the CLI (``huddle monitor``), the Admin page and the web door all use it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from huddle.dashboard.core.i18n import _
from huddle.dashboard.services.accounts import AccountError, Accounts, Identity, token_digest
from huddle.data.queries import monitors as monitor_queries

NAME_CHARS = 48  # the name goes into a meta key of 64 characters with its prefix
MONITOR_ROLE = "monitor"


@dataclass(frozen=True)
class MonitorToken:
    """A monitor token as admins see it: its name, when it was made and whether it was revoked."""

    name: str
    created_at: datetime
    revoked_at: datetime | None


class Monitors:
    """Monitor tokens of a plant: add (the token shown once), revoke, list, and who a token is."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self.sessions = accounts.sessions
        self.clock = accounts.clock

    def add(self, actor: Identity | str, name: str) -> str:
        """Create a monitor token; returns it (shown once: only its digest is stored)."""
        name = name.strip()
        if not name or len(name) > NAME_CHARS or any(c.isspace() for c in name):
            raise AccountError(_("a monitor's name is 1–{most} characters without spaces, like prometheus").format(
                most=NAME_CHARS))
        token = secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            if monitor_queries.monitor_named(session, name) is not None:
                raise AccountError(_("a monitor named '{name}' exists: revoke it or choose another name").format(
                    name=name))
            monitor_queries.add_monitor(session, name, token_digest(token), self.clock())
            self.accounts.audit(session, actor, "monitor.add", name)
        return token

    def revoke(self, actor: Identity | str, name: str) -> None:
        """Revoke a monitor token: its next request is refused."""
        with self.sessions.begin() as session:
            row = monitor_queries.monitor_named(session, name.strip())
            if row is None:
                raise AccountError(_("no monitor named '{name}'").format(name=name))
            if row.revoked_at is None:
                monitor_queries.revoke_monitor(session, row, self.clock())
                self.accounts.audit(session, actor, "monitor.revoke", row.name)

    def listing(self) -> list[MonitorToken]:
        """Every monitor token, by name."""
        with self.sessions() as session:
            return [MonitorToken(r.name, r.created_at, r.revoked_at) for r in monitor_queries.monitors(session)]

    def identity(self, token: str) -> Identity | None:
        """The monitor a live token names, or None (revoked, mistyped, or not a monitor's)."""
        if not token:
            return None
        digest = token_digest(token)
        with self.sessions() as session:
            for row in monitor_queries.monitors(session):
                if row.revoked_at is None and hmac.compare_digest(row.digest, digest):
                    return Identity(MONITOR_ROLE, row.name, MONITOR_ROLE)
        return None
