"""Users, display screens, the audit trail and small settings kept in ``meta``.

The accounts service decides; these functions only read (the rows they return stay in the caller's session, so
the service can change them inside its own transaction).
"""

from __future__ import annotations

from huddle.data.models import AuditEntry, DisplayScreen, Meta, User
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def meta(session: Session, key: str) -> Meta | None:
    """A ``meta`` row by its key."""
    return session.get(Meta, key)


def audit_entries(session: Session, limit: int) -> list[AuditEntry]:
    """The latest audit entries, newest first."""
    return list(session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())


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
