"""Users, display screens, the audit trail and small settings kept in ``meta``.

The accounts service decides; these functions read (the rows they return stay in the caller's session, so the
service can change them inside its own transaction), except the compare-and-set of a user's role or state: one
UPDATE naming the value the admin's form saw, run as the change's first statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from huddle.data.models import AuditEntry, DisplayScreen, Meta, User
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session


def meta(session: Session, key: str) -> Meta | None:
    """A ``meta`` row by its key."""
    return session.get(Meta, key)


def audit_entries(session: Session, limit: int) -> list[AuditEntry]:
    """The latest audit entries, newest first."""
    return list(session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())


def latest_audit(session: Session, actions: Iterable[str], target: str) -> AuditEntry | None:
    """The newest audit entry of some actions on one target (who last changed it, and when)."""
    return session.execute(select(AuditEntry).where(AuditEntry.action.in_(list(actions)), AuditEntry.target == target)
                           .order_by(AuditEntry.id.desc()).limit(1)).scalar_one_or_none()


def display_name(session: Session, username: str) -> str:
    """A user's name as people know it ("" when the user has none, or is not a user)."""
    return session.execute(select(User.display_name).where(User.username == username)).scalar_one_or_none() or ""


def take_user_field(session: Session, username: str, field: str, seen: Any, value: Any) -> bool:
    """Compare-and-set: set a user's role or disabled state when it is still what the form saw; False when it had
    changed (or there is no such user)."""
    column = getattr(User, field)
    return bool(session.execute(update(User).where(User.username == username, column == seen).values({field: value})
                                .execution_options(synchronize_session=False)).rowcount)


def users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.execute(select(User).order_by(User.username)).scalars())


def user(session: Session, user_id: int) -> User | None:
    """A user by id."""
    return session.get(User, user_id)


def user_named(session: Session, username: str) -> User | None:
    """A user by name."""
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def other_active_admins(session: Session, user_id: int) -> int:
    """How many enabled admins there are besides one user."""
    return session.execute(select(func.count()).select_from(User).where(
        User.role == "admin", User.disabled.is_(False), User.id != user_id)).scalar_one()


def displays(session: Session) -> list[DisplayScreen]:
    """Every display screen, by name."""
    return list(session.execute(select(DisplayScreen).order_by(DisplayScreen.name)).scalars())


def display(session: Session, screen_id: int) -> DisplayScreen | None:
    """A display screen by id."""
    return session.get(DisplayScreen, screen_id)


def display_named(session: Session, name: str) -> DisplayScreen | None:
    """A display screen by name."""
    return session.execute(select(DisplayScreen).where(DisplayScreen.name == name)).scalar_one_or_none()


def display_with_token(session: Session, token_hash: str) -> DisplayScreen | None:
    """The display screen whose token has this digest."""
    return session.execute(select(DisplayScreen).where(DisplayScreen.token_hash == token_hash)).scalar_one_or_none()
