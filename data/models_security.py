"""Tables of sign-in security: the sessions people are signed in with, kept on the server so that signing out, an
expiry, a password change or an admin ends them, and the sign-in throttle shared by every web worker.

They share ``Base`` with ``models`` (which imports this module), so the migrations and every query see them.
"""

from __future__ import annotations

from datetime import datetime

from huddle.data.models import Base, UTCDateTime
from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class UserSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 digest is stored, so the table cannot
    be used to sign in. A session ends when its person signs out, at its expiry, when their password changes or they
    are disabled, and when an admin revokes it; ended sessions are kept for the record."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user", "user_id", "ended_at"),
                      Index("ix_user_sessions_live", "ended_at", "expires_at"))
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's token
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str] = mapped_column(String(120), default="")  # signed out | password changed | revoked by ...
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class LoginThrottle(Base):
    """Failed sign-ins per user name ("user:<name>") and per address ("addr:<ip>"): each attempt claims a turn here
    before its password is checked, and past a few failures the next turn comes later and later."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(140), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_allowed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refused: Mapped[int] = mapped_column(Integer, default=0)  # attempts refused while waiting, since the last audit
    updated: Mapped[datetime] = mapped_column(UTCDateTime)
