"""Who may do what: users and roles, wall-TV display tokens, sign-in throttling and the audit trail.

Plain Python over the database (no Flask, no Dash): the web layer, the CLI and the tests all use it. Passwords
are stored as scrypt hashes (werkzeug.security); display tokens as SHA-256 digests, so neither can be read back.
Every change is written to the audit trail in the same transaction as the change itself.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from huddle.dashboard.core.calendar import now_utc
from huddle.data.models import AuditEntry, DisplayScreen, LoginAttempt, Meta, User
from huddle.data.queries import accounts as account_queries
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("viewer", "editor", "admin")
#: What each kind of identity may do, weakest first. A display may read; it never writes.
RANK = {"anonymous": 0, "display": 1, "viewer": 1, "editor": 2, "admin": 3}
MIN_PASSWORD = 10
#: Failed sign-ins allowed per user name or address within the window before sign-in is refused for a while.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LAST_SEEN_EVERY = timedelta(minutes=5)


class AccountError(ValueError):
    """A request about accounts that cannot be done, with the reason for the person who asked."""


class ForbiddenError(PermissionError):
    """The caller's role does not allow this."""


@dataclass(frozen=True)
class Identity:
    """Who is calling: a signed-in user, a wall-TV display, or nobody."""

    kind: str  # user | display | anonymous
    name: str
    role: str  # admin | editor | viewer | display | anonymous

    @property
    def label(self) -> str:
        """How the audit trail names the caller."""
        return f"display:{self.name}" if self.kind == "display" else self.name

    def may(self, role: str) -> bool:
        """True when this identity holds at least ``role``."""
        if self.kind == "display":
            return role in ("display", "viewer", "anonymous")
        return RANK.get(self.role, 0) >= RANK[role]

    def require(self, role: str, what: str) -> None:
        """Raise ``ForbiddenError`` unless this identity holds at least ``role``."""
        if not self.may(role):
            who = "a wall-TV display" if self.kind == "display" else (
                "nobody signed in" if self.kind == "anonymous" else f"{self.name} ({self.role})")
            raise ForbiddenError(f"{what} needs the {role} role; this request comes from {who}")


ANONYMOUS = Identity("anonymous", "anonymous", "anonymous")


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in: the identity, or why not (and whether the caller must wait)."""

    identity: Identity | None
    reason: str = ""
    retry_after_s: int = 0


def token_digest(token: str) -> str:
    """SHA-256 of a display token (tokens are long random strings: a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Users, display screens, throttled sign-in and the audit trail."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime] = now_utc) -> None:
        self.sessions = session_factory
        self.clock = clock

    # ---- audit -------------------------------------------------------------------------------------------

    def audit(self, session: Session, actor: Identity | str, action: str, target: str = "",
              **details: Any) -> None:
        """Append to the audit trail inside the caller's transaction."""
        label = actor.label if isinstance(actor, Identity) else actor
        session.add(AuditEntry(at=self.clock(), actor=label, action=action, target=target,
                               details=json.dumps(details, default=str, sort_keys=True) if details else ""))

    def note_configuration(self, path: str, text: str, summary: str) -> bool:
        """Audit the plant configuration when its content differs from the last one recorded; True if it did."""
        digest = hashlib.sha256(text.encode()).hexdigest()
        with self.sessions.begin() as session:
            row = account_queries.meta(session, "plant_config_sha256")
            if row is not None and row.value == digest:
                return False
            self.audit(session, "system", "config.change", path, before=row.value if row else None, after=digest,
                       summary=summary)
            if row is None:
                session.add(Meta(key="plant_config_sha256", value=digest))
            else:
                row.value = digest
            return True

    def audit_trail(self, limit: int = 200) -> list[AuditEntry]:
        """The latest audit entries, newest first."""
        with self.sessions() as session:
            return account_queries.audit_entries(session, limit)

    # ---- users -------------------------------------------------------------------------------------------

    def add_user(self, actor: Identity | str, username: str, password: str, role: str,
                 display_name: str = "") -> User:
        """Create a user; refuses a taken name, an unknown role or a short password."""
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise AccountError("a user name is 1–64 characters without spaces")
        self._check_role(role)
        self._check_password(password, username)
        now = self.clock()
        try:
            with self.sessions.begin() as session:
                user = User(username=username, display_name=display_name.strip(), role=role, disabled=False,
                            password_hash=generate_password_hash(password), created_at=now,
                            password_changed_at=now)
                session.add(user)
                session.flush()
                self.audit(session, actor, "user.add", username, role=role)
                return user
        except IntegrityError:
            raise AccountError(f"the user name {username!r} is taken") from None

    def set_password(self, actor: Identity | str, username: str, password: str) -> None:
        """Change a user's password."""
        self._check_password(password, username)
        with self.sessions.begin() as session:
            user = self._user(session, username)
            user.password_hash = generate_password_hash(password)
            user.password_changed_at = self.clock()
            self.audit(session, actor, "user.password", username)

    def set_role(self, actor: Identity | str, username: str, role: str) -> None:
        """Give a user another role."""
        self._check_role(role)
        with self.sessions.begin() as session:
            user = self._user(session, username)
            if user.role == "admin" and role != "admin":
                self._keep_an_admin(session, user)
            before, user.role = user.role, role
            self.audit(session, actor, "user.role", username, before=before, after=role)

    def set_disabled(self, actor: Identity | str, username: str, disabled: bool) -> None:
        """Disable (sign-in refused, sessions end at their next request) or enable a user."""
        with self.sessions.begin() as session:
            user = self._user(session, username)
            if disabled and user.role == "admin":
                self._keep_an_admin(session, user)
            user.disabled = disabled
            self.audit(session, actor, "user.disable" if disabled else "user.enable", username)

    def users(self) -> list[User]:
        """Every user, by name."""
        with self.sessions() as session:
            return account_queries.users(session)

    def user_identity(self, user_id: int, issued_at: float) -> Identity | None:
        """The identity of a session's user, or None when the user was disabled or changed password since."""
        with self.sessions() as session:
            user = account_queries.user(session, user_id)
            if user is None or user.disabled or user.password_changed_at.timestamp() > issued_at + 1:
                return None
            return Identity("user", user.username, user.role)

    def login(self, username: str, password: str, address: str) -> LoginResult:
        """Check a password, slowing down guessing per user name and per address; failures are audited."""
        now = self.clock()
        since = now - FAILURE_WINDOW
        with self.sessions.begin() as session:
            failures = account_queries.failed_logins(session, username, address, since)
            if failures >= MAX_FAILURES:
                latest = account_queries.last_failed_login(session, username, address)
                wait = int(((latest or now) + FAILURE_WINDOW - now).total_seconds()) + 1
                self.audit(session, "system", "login.throttled", username, address=address)
                return LoginResult(None, "too many failed sign-ins: try again later", max(wait, 1))
            user = account_queries.user_named(session, username)
            ok = user is not None and check_password_hash(user.password_hash, password)
            if not ok or user is None or user.disabled:
                session.add(LoginAttempt(username=username[:64], address=address[:64], at=now))
                self.audit(session, "system", "login.failed", username[:64], address=address,
                           disabled=bool(user and user.disabled))
                return LoginResult(None, "wrong user name or password")
            user.last_login_at = now
            self.audit(session, user.username, "login", user.username, address=address)
            return LoginResult(Identity("user", user.username, user.role))

    # ---- displays ----------------------------------------------------------------------------------------

    def add_display(self, actor: Identity | str, name: str, start_path: str = "/") -> str:
        """Create a display screen; returns its token (shown once: only its digest is stored)."""
        name = name.strip()
        if not name or len(name) > 64:
            raise AccountError("a display name is 1–64 characters")
        if not start_path.startswith("/") or start_path.startswith("//"):
            raise AccountError("the start page is a path on this server, like /?kiosk=1")
        token = secrets.token_urlsafe(32)
        try:
            with self.sessions.begin() as session:
                session.add(DisplayScreen(name=name, token_hash=token_digest(token), start_path=start_path,
                                          created_at=self.clock()))
                self.audit(session, actor, "display.add", name, start_path=start_path)
        except IntegrityError:
            raise AccountError(f"a display named {name!r} exists") from None
        return token

    def revoke_display(self, actor: Identity | str, name: str) -> None:
        """Revoke a display's token: the screen is signed out at its next request."""
        with self.sessions.begin() as session:
            screen = account_queries.display_named(session, name)
            if screen is None:
                raise AccountError(f"no display named {name!r}")
            if screen.revoked_at is None:
                screen.revoked_at = self.clock()
                self.audit(session, actor, "display.revoke", name)

    def displays(self) -> list[DisplayScreen]:
        """Every display screen, by name."""
        with self.sessions() as session:
            return account_queries.displays(session)

    def display_by_token(self, token: str) -> DisplayScreen | None:
        """The live (not revoked) display a token opens, noting when it was last seen."""
        with self.sessions.begin() as session:
            screen = account_queries.display_with_token(session, token_digest(token))
            if screen is None or screen.revoked_at is not None:
                return None
            screen.last_seen_at = self.clock()
            return screen

    def display_identity(self, screen_id: int) -> Identity | None:
        """The identity of a display session, or None once the display is revoked; notes when it was last seen
        (at most every few minutes, so a refreshing TV does not write on every request)."""
        now = self.clock()
        with self.sessions() as session:
            screen = account_queries.display(session, screen_id)
            if screen is None or screen.revoked_at is not None:
                return None
            if screen.last_seen_at is None or now - screen.last_seen_at > LAST_SEEN_EVERY:
                screen.last_seen_at = now
                session.commit()
            return Identity("display", screen.name, "display")

    # ---- helpers -----------------------------------------------------------------------------------------

    def _user(self, session: Session, username: str) -> User:
        user = account_queries.user_named(session, username)
        if user is None:
            raise AccountError(f"no user named {username!r}")
        return user

    def _keep_an_admin(self, session: Session, user: User) -> None:
        if account_queries.other_active_admins(session, user.id) == 0:
            raise AccountError(f"{user.username} is the last active admin: make another admin first")

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}: use viewer, editor or admin")

    @staticmethod
    def _check_password(password: str, username: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        if password.lower() == username.lower():
            raise AccountError("the password must not be the user name")
