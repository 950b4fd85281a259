"""Tables of notifications: who subscribed to which rule, each cause a rule saw (open until it clears), and every
message sent or being tried, with its attempts and the next try (the delivery log).

They share ``Base`` with ``models`` (which imports this module), so the migrations and every query see them.
A cause's ``active_key`` is unique while it is open and NULL once cleared: of two schedulers that see the same cause
at once, only one opens it, so one message goes out per cause until it clears.
"""

from __future__ import annotations

from datetime import datetime

from huddle.data.models import Base, UTCDateTime
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class NotificationSubscription(Base):
    """A person's wish to be e-mailed a rule's messages, for one scope ("" = every scope the rule watches)."""

    __tablename__ = "notification_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "rule_key", "scope", name="uq_notification_subscriptions"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    rule_key: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationCause(Base):
    """A cause a rule saw: since when, when it was told (after the rule's wait), when it cleared."""

    __tablename__ = "notification_causes"
    __table_args__ = (Index("ix_notification_causes_open", "rule_key", "cleared_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(64))
    cause_key: Mapped[str] = mapped_column(String(200))  # what it is about: "oee@L1", "action:12", "source:counts"
    active_key: Mapped[str | None] = mapped_column(String(270), unique=True)  # rule + cause while open, else NULL
    scope: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(Text)  # in the plant's language, as first seen
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationDelivery(Base):
    """One message to one channel (and, for e-mail, one address): pending, sent or failed, with its tries."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
                      Index("ix_notification_deliveries_at", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    cause_id: Mapped[int] = mapped_column(Integer, ForeignKey("notification_causes.id"))
    kind: Mapped[str] = mapped_column(String(16))  # raised | cleared
    channel_key: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(254), default="")  # an e-mail address; "" for a webhook
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # plain text, in the plant's language
    link: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")  # never a secret: addresses and passwords are masked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
