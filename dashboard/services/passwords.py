"""Password hashes: Argon2id with argon2-cffi's current defaults for new passwords; werkzeug's scrypt and PBKDF2
hashes of earlier releases still verify, and are replaced by Argon2id at the person's next sign-in.

A sign-in for a user name nobody has is checked against a dummy hash of the same cost, so an unknown name takes as
long to refuse as a known name with a wrong password.
"""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash

_hasher = PasswordHasher()
_dummy: list[str] = []
_dummy_lock = threading.Lock()


def hash_password(password: str) -> str:
    """The Argon2id hash of a password, as stored."""
    return _hasher.hash(password)


def verify(stored: str, password: str) -> tuple[bool, bool]:
    """Whether a password matches its stored hash, and whether the hash should be replaced (an older scheme or
    older Argon2 parameters)."""
    if stored.startswith("$argon2"):
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, False
        return True, _hasher.check_needs_rehash(stored)
    try:
        ok = check_password_hash(stored, password)
    except ValueError:  # not a hash werkzeug knows: no password matches it
        ok = False
    return ok, ok


def _dummy_hash() -> str:
    with _dummy_lock:
        if not _dummy:
            _dummy.append(_hasher.hash(secrets.token_urlsafe(24)))
        return _dummy[0]


def verify_nobody(password: str) -> bool:
    """The work of verifying a password for a user who does not exist; always False."""
    verify(_dummy_hash(), password)
    return False


def warm_up() -> None:
    """Make the dummy hash now, so the first unknown user name is not answered slower than the rest."""
    _dummy_hash()
