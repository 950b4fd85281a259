"""The sign-in throttle: per user name and per address, shared by every web worker and host (in the database, or in
Redis when one is configured), with a back-off that grows instead of a lock anyone could set off.

Each attempt claims a turn for its user name and its address before any password is checked: the claim counts the
attempt as a failure, and once a key has had ``FREE_FAILURES`` its next turn comes ``BACKOFF_BASE_S`` later,
doubling with each further failure up to a cap (five minutes for a user name, fifteen for an address). Claims are
atomic, so attempts racing each other check no more passwords than there are turns. A right password clears its
user name; a key left alone for ``FORGET_AFTER`` starts over. Attempts refused while a key waits are counted on the
key, and the audit reports the count with the next failure instead of a row per refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from huddle.data.queries import sessions as session_queries
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("huddle.security")

FREE_FAILURES = 5
BACKOFF_BASE_S = 1.0
USER_CAP_S = 300.0
ADDRESS_CAP_S = 900.0
FORGET_AFTER = timedelta(hours=1)


def backoff_s(failures: int, cap_s: float) -> float:
    """How long a key waits for its next turn after this many failures."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(BACKOFF_BASE_S * 2 ** min(failures - FREE_FAILURES, 30), cap_s)


def cap_of(key: str) -> float:
    """The longest wait of a key: a user name's is short, so someone guessing cannot keep its owner out for long."""
    return USER_CAP_S if key.startswith("user:") else ADDRESS_CAP_S


def schedule(key: str, now: datetime) -> list[datetime]:
    """When the next turn comes after n failures, for n = 0 up to the first n whose wait is the cap."""
    cap = cap_of(key)
    times = [now + timedelta(seconds=backoff_s(0, cap))]
    while backoff_s(len(times) - 1, cap) < cap:
        times.append(now + timedelta(seconds=backoff_s(len(times), cap)))
    return times


@dataclass(frozen=True)
class Turn:
    """The outcome of a claim: granted (with each key's failures counting this attempt), or when to come back."""

    granted: bool
    failures: dict[str, int] = field(default_factory=dict)
    retry_after_s: int = 0


class Throttle(Protocol):
    """Where turns are claimed and failures counted."""

    def claim(self, keys: Sequence[str], now: datetime) -> Turn:
        """Claim a turn on every key at once, or on none."""

    def take_refused(self, session: Session, keys: Sequence[str]) -> int:
        """The attempts refused on these keys since last taken (inside the caller's transaction)."""

    def succeeded(self, session: Session, user_key: str, address_key: str, now: datetime) -> None:
        """A right password: the user name starts over and the address gets its claimed failure back."""


class _MustWaitError(Exception):
    """A key must wait: the claims made so far roll back."""


class DatabaseThrottle:
    """Turns kept in the ``login_throttle`` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def claim(self, keys: Sequence[str], now: datetime) -> Turn:
        """Claim a turn on every key in one transaction; when one must wait, none is claimed."""
        failures: dict[str, int] = {}
        waiting = ""
        try:
            with self.sessions.begin() as session:
                for key in keys:
                    count = session_queries.claim_turn(session, key, now, now - FORGET_AFTER, schedule(key, now))
                    if count is None:
                        waiting = key
                        raise _MustWaitError
                    failures[key] = count
        except _MustWaitError:
            with self.sessions.begin() as session:
                at = session_queries.note_refused(session, waiting)
            wait = (at - now).total_seconds() if at else 1.0
            return Turn(False, retry_after_s=max(int(wait) + 1, 1))
        return Turn(True, failures)

    def take_refused(self, session: Session, keys: Sequence[str]) -> int:
        """The attempts refused on these keys since last taken."""
        return sum(session_queries.take_refused(session, key) for key in keys)

    def succeeded(self, session: Session, user_key: str, address_key: str, now: datetime) -> None:
        """The user name starts over; the address gets back the failure its claim counted."""
        session_queries.clear_key(session, user_key, now)
        session_queries.give_back(session, address_key)


# Claims a turn on every key or on none, atomically in Redis. KEYS: the keys; ARGV: now, forget after (s), free
# failures, base wait (s), the hash's lifetime (s), then each key's cap (s). Returns {1, failures...} or {0, next}.
_CLAIM = """
local now, forget, free, base, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]),
  tonumber(ARGV[5])
for _, key in ipairs(KEYS) do
  local nxt = tonumber(redis.call('HGET', key, 'next') or '0')
  if nxt > now then
    redis.call('HINCRBY', key, 'refused', 1)
    return {0, tostring(nxt)}
  end
end
local out = {1}
for i, key in ipairs(KEYS) do
  local failures = tonumber(redis.call('HGET', key, 'failures') or '0')
  if tonumber(redis.call('HGET', key, 'updated') or '0') < now - forget then failures = 0 end
  failures = failures + 1
  local wait = 0
  if failures >= free then wait = math.min(base * 2 ^ math.min(failures - free, 30), tonumber(ARGV[5 + i])) end
  redis.call('HSET', key, 'failures', failures, 'next', tostring(now + wait), 'updated', tostring(now))
  redis.call('EXPIRE', key, ttl)
  table.insert(out, failures)
end
return out
"""
_TAKE = """
local n = tonumber(redis.call('HGET', KEYS[1], 'refused') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], 'refused', -n) end
return n
"""
_GIVE_BACK = """
if tonumber(redis.call('HGET', KEYS[1], 'failures') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'failures', -1) end
return 0
"""


class RedisThrottle:
    """Turns kept in Redis (one hash per key), for plants whose web workers already share a Redis; when Redis
    cannot be reached, the database's throttle answers instead, so sign-in stays throttled."""

    def __init__(self, url: str, prefix: str, fallback: DatabaseThrottle) -> None:
        import redis  # only when configured

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self.fallback = fallback
        self._claim = self.redis.register_script(_CLAIM)
        self._take = self.redis.register_script(_TAKE)
        self._give_back = self.redis.register_script(_GIVE_BACK)

    def _name(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def claim(self, keys: Sequence[str], now: datetime) -> Turn:
        """Claim a turn on every key at once, or on none (one script: Redis runs it without interruption)."""
        moment = now.timestamp()
        ttl = int(FORGET_AFTER.total_seconds() + max(USER_CAP_S, ADDRESS_CAP_S))
        try:
            answer = self._claim(keys=[self._name(k) for k in keys],
                                 args=[repr(moment), FORGET_AFTER.total_seconds(), FREE_FAILURES, BACKOFF_BASE_S, ttl,
                                       *(cap_of(k) for k in keys)])
        except Exception as exc:  # Redis down: the database throttles instead
            log.warning("sign-in throttle: Redis unavailable (%s); using the database", exc)
            return self.fallback.claim(keys, now)
        if int(answer[0]) == 0:
            wait = float(answer[1]) - moment
            return Turn(False, retry_after_s=max(int(wait) + 1, 1))
        return Turn(True, {k: int(n) for k, n in zip(keys, answer[1:], strict=True)})

    def take_refused(self, session: Session, keys: Sequence[str]) -> int:
        """The attempts refused on these keys since last taken."""
        try:
            return sum(int(self._take(keys=[self._name(k)])) for k in keys)
        except Exception:  # Redis down: the count waits for the next failure
            return self.fallback.take_refused(session, keys)

    def succeeded(self, session: Session, user_key: str, address_key: str, now: datetime) -> None:
        """The user name starts over; the address gets back the failure its claim counted."""
        try:
            self.redis.delete(self._name(user_key))
            self._give_back(keys=[self._name(address_key)])
        except Exception:  # Redis down: the database's rows are the ones in use
            self.fallback.succeeded(session, user_key, address_key, now)


def make_throttle(sessions: sessionmaker[Session], redis_url: str | None, prefix: str) -> Throttle:
    """The throttle in Redis when one is configured, else in the database."""
    database = DatabaseThrottle(sessions)
    return RedisThrottle(redis_url, prefix, database) if redis_url else database
