"""Who may do what: users and roles, their sign-in sessions, wall-TV display tokens, sign-in throttling and the
audit trail.

Plain Python over the database (no Flask, no Dash): the web layer, the CLI and the tests all use it. Passwords
are stored as Argon2id hashes (``passwords``), display tokens and session tokens as SHA-256 digests, so none can be
read back. Sessions live on the server: signing out, their expiry, a password change, disabling the user and an
admin's revoke end them. Every change is written to the audit trail in the same transaction as the change itself.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from huddle.dashboard.core.calendar import now_utc
from huddle.dashboard.core.i18n import _, ngettext
from huddle.dashboard.core.names import person_name, role_word, state_word
from huddle.dashboard.core.passwords import MIN_LENGTH, password_problem
from huddle.dashboard.services import passwords
from huddle.dashboard.services.conflicts import ChangedSince, conflict_message
from huddle.dashboard.services.identity import ANONYMOUS as ANONYMOUS
from huddle.dashboard.services.identity import RANK as RANK
from huddle.dashboard.services.identity import ROLES, Identity
from huddle.dashboard.services.identity import ForbiddenError as ForbiddenError
from huddle.dashboard.services.throttle import DatabaseThrottle, Throttle
from huddle.data.models import AuditEntry, DisplayScreen, Meta, User
from huddle.data.models_security import UserSession
from huddle.data.queries import accounts as account_queries
from huddle.data.queries import sessions as session_queries
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

MIN_PASSWORD = MIN_LENGTH
SESSION_LIFETIME = timedelta(hours=12)  # a shift and a half; signing in again after that is expected
LAST_SEEN_EVERY = timedelta(minutes=5)
KEEP_ENDED_SESSIONS = timedelta(days=90)  # ended sessions stay listed (huddle sessions list --all) this long


class AccountError(ValueError):
    """A request about accounts that cannot be done, with the reason for the person who asked."""


class AccountConflictError(AccountError):
    """Another admin changed the user since the form showed them: who, when and the user as they are now."""

    def __init__(self, message: str, changed: ChangedSince) -> None:
        super().__init__(message)
        self.changed = changed


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in: the identity, or why not (and whether the caller must wait)."""

    identity: Identity | None
    reason: str = ""
    retry_after_s: int = 0
    session_token: str = ""  # the new session's token, for the browser's cookie (only its digest is stored)


@dataclass(frozen=True)
class SignedIn:
    """A sign-in session as admins see it: whose, from where, since when, and whether (and why) it ended."""

    id: str  # the digest of its token: names it, cannot open it
    username: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    ended_why: str
    address: str
    user_agent: str

    @property
    def short_id(self) -> str:
        """The first characters of its id, enough to name it in the CLI."""
        return self.id[:10]


def token_digest(token: str) -> str:
    """SHA-256 of a display or session token (tokens are long random strings: a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Users, display screens, throttled sign-in and the audit trail."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime] = now_utc,
                 throttle: Throttle | None = None, site_names: tuple[str, ...] = (), tz: tzinfo = UTC,
                 scopes: Mapping[str, str] | None = None) -> None:
        self.sessions = session_factory
        self.scopes = dict(scopes or {})  # the home site's lines and areas a user's scope may name, by key
        self.clock = clock
        self.tz = tz  # the plant's, for the moments a refusal names
        self.throttle: Throttle = throttle or DatabaseThrottle(session_factory)
        self.site_names = site_names  # a password must not be the site's name

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
                 display_name: str = "", scope: str | None = None) -> User:
        """Create a user with their home scope (None: the whole site); refuses a taken name, an unknown role or
        scope, an operator without a line or area, or a short password."""
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise AccountError(_("a user name is 1–64 characters without spaces"))
        self._check_role(role)
        scope = self._check_scope(scope, role)
        self._check_password(password, username)
        now = self.clock()
        try:
            with self.sessions.begin() as session:
                user = User(username=username, display_name=display_name.strip(), role=role, disabled=False,
                            password_hash=passwords.hash_password(password), created_at=now,
                            password_changed_at=now, scope=scope)
                session.add(user)
                session.flush()
                self.audit(session, actor, "user.add", username, role=role, **({"scope": scope} if scope else {}))
                return user
        except IntegrityError:
            raise AccountError(_("the user name '{name}' is taken").format(name=username)) from None

    def set_password(self, actor: Identity | str, username: str, password: str, keep_session: str = "") -> int:
        """Change a user's password; their sessions end, except the one whose token is ``keep_session`` (the
        person changing their own password stays signed in there). How many ended."""
        self._check_password(password, username)
        now = self.clock()
        with self.sessions.begin() as session:
            user = self._user(session, username)
            user.password_hash = passwords.hash_password(password)
            user.password_changed_at = now
            kept = token_digest(keep_session) if keep_session else ""
            ended = self._end_all(session, user.id, now, "password changed", but=kept)
            self.audit(session, actor, "user.password", username, sessions_ended=ended)
            return ended

    def set_role(self, actor: Identity | str, username: str, role: str, seen: str | None = None) -> None:
        """Give a user another role; from the role the admin's form showed (``seen``), refused with who changed it
        since when another admin did."""
        self._check_role(role)
        with self.sessions.begin() as session:
            if seen is not None and not account_queries.take_user_field(session, username, "role", seen, role):
                raise self._changed_since(session, username)
            user = self._user(session, username)
            before = user.role if seen is None else seen
            if before == "admin" and role != "admin":
                self._keep_an_admin(session, user)
            self._check_scope(user.scope, role)
            user.role = role
            self.audit(session, actor, "user.role", username, before=before, after=role)

    def set_scope(self, actor: Identity | str, username: str, scope: str | None) -> None:
        """Give a user another home scope: a line or area key, or None for the whole site."""
        with self.sessions.begin() as session:
            user = self._user(session, username)
            scope = self._check_scope(scope, user.role)
            before = user.scope
            if before != scope:
                user.scope = scope
                self.audit(session, actor, "user.scope", username, before={"scope": before or "plant"},
                           after={"scope": scope or "plant"})

    def set_disabled(self, actor: Identity | str, username: str, disabled: bool, seen: bool | None = None) -> None:
        """Disable (sign-in refused, sessions end at their next request) or enable a user; from the state the
        admin's form showed (``seen``), refused with who changed it since when another admin did."""
        with self.sessions.begin() as session:
            if seen is not None and not account_queries.take_user_field(session, username, "disabled", seen,
                                                                        disabled):
                raise self._changed_since(session, username)
            user = self._user(session, username)
            if disabled and user.role == "admin":
                self._keep_an_admin(session, user)
            user.disabled = disabled
            ended = self._end_all(session, user.id, self.clock(), "user disabled") if disabled else 0
            self.audit(session, actor, "user.disable" if disabled else "user.enable", username,
                       **({"sessions_ended": ended} if disabled else {}))

    def users(self) -> list[User]:
        """Every user, by name."""
        with self.sessions() as session:
            return account_queries.users(session)

    def people(self) -> dict[str, str]:
        """Every user's display name by login (those who have one), for pages naming people."""
        return {u.username: u.display_name for u in self.users() if u.display_name}

    # ---- sign-in and sessions ------------------------------------------------------------------------------

    def login(self, username: str, password: str, address: str, user_agent: str = "") -> LoginResult:
        """Check a password and open a session. Each attempt first claims a turn for its user name and address
        (``throttle``); an unknown name costs the same work as a known one. Failures are audited, refusals while
        a key waits only counted."""
        now = self.clock()
        keys = (f"user:{username[:128]}", f"addr:{address[:64]}")
        turn = self.throttle.claim(keys, now)
        if not turn.granted:
            return LoginResult(None, _("too many failed sign-ins: try again in {wait}").format(
                wait=_wait_words(turn.retry_after_s)),
                               turn.retry_after_s)
        with self.sessions() as session:
            user = account_queries.user_named(session, username)
            stored, user_id = (user.password_hash, user.id) if user is not None else ("", 0)
            disabled = bool(user and user.disabled)
        if user_id:
            ok, rehash = passwords.verify(stored, password)
        else:
            ok, rehash = passwords.verify_nobody(password), False
        with self.sessions.begin() as session:
            if not ok or disabled:
                refused = self.throttle.take_refused(session, keys)
                self.audit(session, "system", "login.failed", username[:64], address=address,
                           failures=turn.failures.get(keys[0], 0), disabled=disabled,
                           **({"refused_while_waiting": refused} if refused else {}))
                return LoginResult(None, _("wrong user name or password"))
            self.throttle.succeeded(session, keys[0], keys[1], now)
            user = account_queries.user(session, user_id)
            assert user is not None  # it was there a moment ago; users are disabled, never deleted
            if rehash:  # an older scheme or older parameters: stored again as Argon2id with today's defaults
                user.password_hash = passwords.hash_password(password)
            user.last_login_at = now
            session_queries.forget_sessions(session, now - KEEP_ENDED_SESSIONS)
            token = secrets.token_urlsafe(32)
            session.add(UserSession(id=token_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                                    expires_at=now + SESSION_LIFETIME, ended_at=None, ended_why="",
                                    address=address[:64], user_agent=user_agent[:255]))
            self.audit(session, user.username, "login", user.username, address=address,
                       **({"rehashed": True} if rehash else {}))
            return LoginResult(Identity("user", user.username, user.role, user.display_name, user.scope),
                               session_token=token)

    def session_identity(self, token: str) -> Identity | None:
        """The identity of a session's token, or None once the session ended or expired (an expired one is
        marked ended); notes when it was last seen, at most every few minutes."""
        now = self.clock()
        with self.sessions() as session:
            found = session_queries.live_session(session, token_digest(token))
            if found is None:
                return None
            row, user = found
            if row.expires_at <= now:
                row.ended_at, row.ended_why = now, "expired"
                session.commit()
                return None
            if user.disabled:
                return None
            if now - row.last_seen_at > LAST_SEEN_EVERY:
                row.last_seen_at = now
                session.commit()
            return Identity("user", user.username, user.role, user.display_name, user.scope)

    def logout(self, token: str) -> bool:
        """End a session: its cookie opens nothing from now on, wherever it was copied to. True if it was live."""
        with self.sessions.begin() as session:
            found = session_queries.live_session(session, token_digest(token))
            if found is None:
                return False
            found[0].ended_at, found[0].ended_why = self.clock(), "signed out"
            self.audit(session, found[1].username, "logout", found[1].username)
            return True

    def signed_in(self, live_only: bool = True, limit: int = 500) -> list[SignedIn]:
        """Sign-in sessions, latest seen first: the live ones, or also those ended or expired."""
        with self.sessions() as session:
            rows = session_queries.sessions_listed(session, self.clock(), live_only, limit)
            return [SignedIn(r.id, name, r.created_at, r.last_seen_at, r.expires_at, r.ended_at, r.ended_why,
                             r.address, r.user_agent) for r, name in rows]

    def revoke_session(self, actor: Identity | str, session_id: str) -> SignedIn:
        """End one session, named by its id or the start of it (at least 8 characters, as lists show it)."""
        session_id = session_id.strip().lower()
        if len(session_id) < 8:
            raise AccountError(_("name the session by at least the first 8 characters of its id, as the list shows"))
        with self.sessions.begin() as session:
            found = session_queries.session_by_prefix(session, session_id)
            if len(found) != 1:
                said = _("no session starts with '{id}'") if not found else _(
                    "more than one session starts with '{id}': give more of its id")
                raise AccountError(said.format(id=session_id))
            row = found[0]
            user = account_queries.user(session, row.user_id)
            name = user.username if user else "?"
            if row.ended_at is not None:
                raise AccountError(_("that session of {person} already ended ({why})").format(
                    person=self.person(session, name), why=ended_words(row.ended_why)))
            label = actor.label if isinstance(actor, Identity) else actor
            row.ended_at, row.ended_why = self.clock(), f"revoked by {label}"[:120]
            self.audit(session, actor, "session.revoke", name, session_id=row.id[:10], address=row.address)
            return SignedIn(row.id, name, row.created_at, row.last_seen_at, row.expires_at, row.ended_at,
                            row.ended_why, row.address, row.user_agent)

    def revoke_sessions_of(self, actor: Identity | str, username: str) -> int:
        """End every session of a user; how many."""
        label = actor.label if isinstance(actor, Identity) else actor
        with self.sessions.begin() as session:
            user = self._user(session, username)
            ended = self._end_all(session, user.id, self.clock(), f"revoked by {label}"[:120])
            self.audit(session, actor, "session.revoke", username, sessions_ended=ended)
            return ended

    # ---- displays ----------------------------------------------------------------------------------------

    def add_display(self, actor: Identity | str, name: str, start_path: str = "/") -> str:
        """Create a display screen; returns its token (shown once: only its digest is stored)."""
        name = name.strip()
        if not name or len(name) > 64:
            raise AccountError(_("a display name is 1–64 characters"))
        if not start_path.startswith("/") or start_path.startswith("//"):
            raise AccountError(_("the start page is a path on this server, like /?kiosk=1"))
        token = secrets.token_urlsafe(32)
        try:
            with self.sessions.begin() as session:
                session.add(DisplayScreen(name=name, token_hash=token_digest(token), start_path=start_path,
                                          created_at=self.clock()))
                self.audit(session, actor, "display.add", name, start_path=start_path)
        except IntegrityError:
            raise AccountError(_("a display named '{name}' exists").format(name=name)) from None
        return token

    def revoke_display(self, actor: Identity | str, name: str) -> None:
        """Revoke a display's token: the screen is signed out at its next request."""
        with self.sessions.begin() as session:
            screen = account_queries.display_named(session, name)
            if screen is None:
                raise AccountError(_("no display named '{name}'").format(name=name))
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

    def person(self, session: Session, label: str) -> str:
        """How people know whoever the audit trail names: a user's display name, else their user name; a display
        screen or the command line in words."""
        return person_name(label, {label: account_queries.display_name(session, label)})

    def _changed_since(self, session: Session, username: str) -> AccountError:
        """The refusal of a change to a user another admin changed since the form showed them."""
        user = self._user(session, username)
        entry = account_queries.latest_audit(session, ("user.add", "user.role", "user.disable", "user.enable"),
                                             username)
        state = state_word("disabled" if user.disabled else "active")
        changed = ChangedSince(_("{person}'s account").format(person=self.person(session, user.username)),
                               self.person(session, entry.actor) if entry else _("another admin"),
                               entry.at if entry else None,
                               (("role", role_word(user.role)), ("state", state)))
        today = self.clock().astimezone(self.tz).date()
        return AccountConflictError(conflict_message(changed, self.tz, today, _("press the button again")), changed)

    def _user(self, session: Session, username: str) -> User:
        user = account_queries.user_named(session, username)
        if user is None:
            raise AccountError(_("no user named '{name}'").format(name=username))
        return user

    def _keep_an_admin(self, session: Session, user: User) -> None:
        if account_queries.other_active_admins(session, user.id) == 0:
            raise AccountError(_("{person} is the last active admin: make another admin first").format(
                person=person_name(user.username, {user.username: user.display_name})))

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in ROLES:
            raise AccountError(_("unknown role '{role}': use {roles}").format(
                role=role, roles=", ".join(role_word(r) for r in ROLES)))

    def _check_scope(self, scope: str | None, role: str) -> str | None:
        """The scope to store (None: the whole site), or why it cannot be."""
        scope = (scope or "").strip() or None
        if scope in ("site", "plant"):
            scope = None
        if scope is not None and self.scopes and scope not in self.scopes:
            raise AccountError(_("there is no line or area '{scope}': use one of {known}, or the whole site").format(
                scope=scope, known=", ".join(self.scopes)))
        if role == "operator" and scope is None:
            raise AccountError(_("an operator enters data for their own line: give them a line or an area first"))
        return scope

    def _check_password(self, password: str, username: str) -> None:
        problem = password_problem(password, username, self.site_names)
        if problem:
            raise AccountError(problem)

    def _end_all(self, session: Session, user_id: int, now: datetime, why: str, but: str = "") -> int:
        ended = 0
        for row in session_queries.user_sessions_open(session, user_id):
            if row.id != but:
                row.ended_at, row.ended_why = now, why
                ended += 1
        return ended


def ended_words(why: str) -> str:
    """Why a session ended, as stored ('expired', 'revoked by boss'), in the plant's language."""
    words = {"expired": _("expired"), "signed out": _("signed out"), "password changed": _("password changed"),
             "user disabled": _("user disabled")}
    if why.startswith("revoked by "):
        return _("revoked by {who}").format(who=why.removeprefix("revoked by "))
    return words.get(why, why)


def _wait_words(seconds: int) -> str:
    """A wait in words: "20 seconds", "4 minutes"."""
    if seconds < 90:
        return ngettext("{n} second", "{n} seconds", seconds).format(n=seconds)
    return ngettext("{n} minute", "{n} minutes", round(seconds / 60)).format(n=round(seconds / 60))
