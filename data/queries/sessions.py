"""Sign-in sessions kept on the server, and the sign-in throttle's turns.

The throttle is shared by every web worker through the database: an attempt claims its turn with one conditional
UPDATE (``... WHERE next_allowed_at <= now``) before any password is checked, so attempts racing each other cannot
check more passwords than the turns there are. The accounts service decides what a turn costs; these functions
only read and write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from huddle.data.models import User, UTCDateTime
from huddle.data.models_security import LoginThrottle, UserSession
from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _ensure_key(session: Session, key: str, now: datetime) -> None:
    """The throttle row of a key, created open when there is none (concurrent creators do not clash)."""
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    session.execute(dialect.insert(LoginThrottle).values(
        key=key, failures=0, next_allowed_at=now, refused=0, updated=now).on_conflict_do_nothing())


def claim_turn(session: Session, key: str, now: datetime, stale_before: datetime,
               next_after: Sequence[datetime]) -> int | None:
    """Claim a sign-in turn for a key, counting it as a failure until the password proves right; the key's failures
    with this one, or None when its next turn has not come yet.

    ``next_after[n]`` is when the turn after ``n`` failures comes (the last entry for any more); a key left alone
    since ``stale_before`` starts over at one failure. One statement, so racing claims queue on the row."""
    _ensure_key(session, key, now)
    counted = case((LoginThrottle.updated < stale_before, 1), else_=LoginThrottle.failures + 1)
    whens = [(counted == n, literal(at, UTCDateTime())) for n, at in enumerate(next_after[:-1])]
    after = case(*whens, else_=literal(next_after[-1], UTCDateTime()))
    row = session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.next_allowed_at <= now)
        .values(failures=counted, next_allowed_at=after, updated=now)
        .returning(LoginThrottle.failures)).first()
    return None if row is None else int(row[0])


def note_refused(session: Session, key: str) -> datetime | None:
    """Count an attempt refused because its key must wait; when the key's next turn comes (None: no such key)."""
    row = session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                          .values(refused=LoginThrottle.refused + 1)
                          .returning(LoginThrottle.next_allowed_at)).first()
    return None if row is None else row[0]


def take_refused(session: Session, key: str) -> int:
    """The attempts refused on a key since they were last taken, taken (so the audit reports each one once)."""
    count = session.execute(select(LoginThrottle.refused).where(LoginThrottle.key == key)).scalar_one_or_none() or 0
    if count:  # subtract what was read: refusals counted meanwhile stay for the next one to take
        session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                        .values(refused=LoginThrottle.refused - count))
    return int(count)


def clear_key(session: Session, key: str, now: datetime) -> None:
    """Forget a key's failures: its next turn is now."""
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                    .values(failures=0, next_allowed_at=now, updated=now))


def give_back(session: Session, key: str) -> None:
    """Undo one claimed failure of a key (the password was right), leaving its wait as it is."""
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1))


def throttle(session: Session, key: str) -> LoginThrottle | None:
    """A key's throttle row."""
    return session.get(LoginThrottle, key)


def live_session(session: Session, digest: str) -> tuple[UserSession, User] | None:
    """A session that has not ended, by its token's digest, with its user."""
    row = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                          .where(UserSession.id == digest, UserSession.ended_at.is_(None))).first()
    return None if row is None else (row[0], row[1])


def session_by_prefix(session: Session, prefix: str) -> list[UserSession]:
    """The sessions whose id starts with a prefix (as lists show them)."""
    return list(session.execute(select(UserSession).where(UserSession.id.startswith(prefix, autoescape=True))
                                .limit(2)).scalars())


def user_sessions_open(session: Session, user_id: int) -> list[UserSession]:
    """A user's sessions that have not ended."""
    return list(session.execute(select(UserSession).where(UserSession.user_id == user_id,
                                                          UserSession.ended_at.is_(None))).scalars())


def sessions_listed(session: Session, now: datetime, live_only: bool, limit: int) -> list[tuple[UserSession, str]]:
    """Sessions with their user names, latest first: the live ones (not ended, not expired), or all."""
    query = select(UserSession, User.username).join(User, User.id == UserSession.user_id)
    if live_only:
        query = query.where(UserSession.ended_at.is_(None), UserSession.expires_at > now)
    rows = session.execute(query.order_by(UserSession.last_seen_at.desc(), UserSession.id).limit(limit)).all()
    return [(row[0], row[1]) for row in rows]


def forget_sessions(session: Session, before: datetime) -> int:
    """Delete the sessions that ended or expired before an instant; how many."""
    return session.execute(delete(UserSession).where(or_(UserSession.ended_at < before,
                                                         UserSession.expires_at < before))).rowcount
