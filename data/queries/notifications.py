"""Notifications as the notifier reads and changes them: subscriptions, the causes rules saw, and the delivery log.

Every change that must happen once, even with two schedulers running, is a compare-and-set: a cause opens by
inserting its unique ``active_key`` (the second insert fails), is told and cleared by an UPDATE naming its state
before, and a delivery is claimed for a try by an UPDATE naming the attempts it saw.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from huddle.data.models import User
from huddle.data.models_notify import NotificationCause, NotificationDelivery, NotificationSubscription
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

# ---- subscriptions -----------------------------------------------------------------------------------------------


def subscriptions_of(session: Session, user_id: int) -> list[NotificationSubscription]:
    """A person's subscriptions, by rule and scope."""
    return list(session.execute(select(NotificationSubscription).where(NotificationSubscription.user_id == user_id)
                                .order_by(NotificationSubscription.rule_key, NotificationSubscription.scope))
                .scalars())


def subscribers(session: Session, rule_key: str) -> list[tuple[str, str]]:
    """(scope, e-mail address) of every enabled person subscribed to a rule."""
    rows = session.execute(
        select(NotificationSubscription.scope, NotificationSubscription.email)
        .join(User, User.id == NotificationSubscription.user_id)
        .where(NotificationSubscription.rule_key == rule_key, User.disabled.is_(False))).all()
    return [(r[0], r[1]) for r in rows]


def add_subscription(session: Session, user_id: int, rule_key: str, scope: str, email: str, at: datetime) -> bool:
    """Subscribe a person (False when that subscription exists already)."""
    existing = session.execute(select(NotificationSubscription).where(
        NotificationSubscription.user_id == user_id, NotificationSubscription.rule_key == rule_key,
        NotificationSubscription.scope == scope)).scalar_one_or_none()
    if existing is not None:
        existing.email = email
        return False
    session.add(NotificationSubscription(user_id=user_id, rule_key=rule_key, scope=scope, email=email,
                                         created_at=at))
    return True


def remove_subscription(session: Session, user_id: int, subscription_id: int) -> NotificationSubscription | None:
    """Remove one of a person's own subscriptions; the removed row, or None when it is not theirs."""
    row = session.get(NotificationSubscription, subscription_id)
    if row is None or row.user_id != user_id:
        return None
    session.execute(delete(NotificationSubscription).where(NotificationSubscription.id == subscription_id))
    return row


# ---- causes ------------------------------------------------------------------------------------------------------


def open_causes(session: Session, rule_keys: Iterable[str] | None = None) -> list[NotificationCause]:
    """The causes not cleared yet (of some rules), oldest first."""
    stmt = select(NotificationCause).where(NotificationCause.cleared_at.is_(None))
    if rule_keys is not None:
        stmt = stmt.where(NotificationCause.rule_key.in_(list(rule_keys)))
    return list(session.execute(stmt.order_by(NotificationCause.first_seen_at, NotificationCause.id)).scalars())


def open_cause(session: Session, rule_key: str, cause_key: str, scope: str, title: str, at: datetime) -> None:
    """Open a cause first seen now. Run it in a transaction of its own: when the cause is open already (another
    scheduler was first) the flush raises ``IntegrityError`` and that transaction is rolled back."""
    session.add(NotificationCause(rule_key=rule_key, cause_key=cause_key, active_key=f"{rule_key}|{cause_key}",
                                  scope=scope, title=title, first_seen_at=at))
    session.flush()


def cause(session: Session, cause_id: int) -> NotificationCause | None:
    """One cause by id."""
    return session.get(NotificationCause, cause_id)


def mark_told(session: Session, cause_id: int, at: datetime) -> bool:
    """Compare-and-set: an open cause not told yet is told now; False when another process told it first."""
    return bool(session.execute(
        update(NotificationCause).where(NotificationCause.id == cause_id, NotificationCause.told_at.is_(None),
                                        NotificationCause.cleared_at.is_(None))
        .values(told_at=at).execution_options(synchronize_session=False)).rowcount)


def mark_cleared(session: Session, cause_id: int, at: datetime) -> bool:
    """Compare-and-set: an open cause clears now (its key is free for the next time); False when it had."""
    return bool(session.execute(
        update(NotificationCause).where(NotificationCause.id == cause_id, NotificationCause.cleared_at.is_(None))
        .values(cleared_at=at, active_key=None).execution_options(synchronize_session=False)).rowcount)


# ---- deliveries --------------------------------------------------------------------------------------------------


def add_delivery(session: Session, cause_id: int, kind: str, channel_key: str, recipient: str, subject: str,
                 body: str, link: str, at: datetime) -> None:
    """A message to send as soon as the sender runs."""
    session.add(NotificationDelivery(cause_id=cause_id, kind=kind, channel_key=channel_key, recipient=recipient,
                                     subject=subject, body=body, link=link, status="pending", attempts=0,
                                     next_attempt_at=at, last_error="", created_at=at))


def due_deliveries(session: Session, now: datetime, limit: int = 100) -> list[NotificationDelivery]:
    """Pending messages whose next try is due, oldest first."""
    return list(session.execute(
        select(NotificationDelivery).where(NotificationDelivery.status == "pending",
                                           NotificationDelivery.next_attempt_at <= now)
        .order_by(NotificationDelivery.next_attempt_at, NotificationDelivery.id).limit(limit)).scalars())


def claim_delivery(session: Session, delivery_id: int, seen_attempts: int, retry_at: datetime) -> bool:
    """Compare-and-set: count a try of a pending message and set its next try (taken if this one fails or its
    process dies); False when another process claimed it first."""
    return bool(session.execute(
        update(NotificationDelivery).where(NotificationDelivery.id == delivery_id,
                                           NotificationDelivery.status == "pending",
                                           NotificationDelivery.attempts == seen_attempts)
        .values(attempts=seen_attempts + 1, next_attempt_at=retry_at)
        .execution_options(synchronize_session=False)).rowcount)


def finish_delivery(session: Session, delivery_id: int, status: str, error: str, at: datetime | None) -> None:
    """Record a try's outcome: sent (with when), failed for good, or pending again with why."""
    values: dict[str, object] = {"status": status, "last_error": error}
    if status == "sent":
        values["sent_at"] = at
    session.execute(update(NotificationDelivery).where(NotificationDelivery.id == delivery_id).values(**values)
                    .execution_options(synchronize_session=False))


def delivery_log(session: Session, limit: int = 50) -> list[tuple[NotificationDelivery, NotificationCause]]:
    """The latest messages, newest first, each with its cause."""
    rows = session.execute(
        select(NotificationDelivery, NotificationCause)
        .join(NotificationCause, NotificationCause.id == NotificationDelivery.cause_id)
        .order_by(NotificationDelivery.created_at.desc(), NotificationDelivery.id.desc()).limit(limit)).all()
    return [(r[0], r[1]) for r in rows]


def delivery_counts(session: Session) -> dict[str, int]:
    """How many messages are pending, sent and failed."""
    rows = session.execute(select(NotificationDelivery.status, func.count())
                           .group_by(NotificationDelivery.status)).all()
    return {"pending": 0, "sent": 0, "failed": 0} | {r[0]: int(r[1]) for r in rows}
