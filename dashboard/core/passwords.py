"""What makes a password acceptable: long enough, not a common password or pattern, not the user's or the site's name.

A password is compared in a normalised form: lower case, the trailing digits and symbols people add to meet rules
taken off ("Summer2024!" is "summer"), and look-alike characters read as the letters they stand for ("p@ssw0rd" is
"password"). The list of common passwords ships beside this module (common_passwords.txt).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from huddle.dashboard.core.i18n import _, ngettext

MIN_LENGTH = 12
MIN_DISTINCT = 5  # "aaaaaaaaaaaa", "abababababab" and "121212121212" are long but guessed at once
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
_LOOK_ALIKES = str.maketrans({"@": "a", "4": "a", "8": "b", "3": "e", "6": "g", "1": "i", "!": "i", "|": "l",
                              "0": "o", "$": "s", "5": "s", "7": "t", "+": "t", "2": "z"})
_TAIL = re.compile(r"[\W\d_]+$")
_NOT_ALNUM = re.compile(r"[\W_]+")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common passwords and patterns, lower case."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _forms(password: str) -> set[str]:
    """The forms a password is compared in: as typed, its core without the added tail, both read without
    look-alikes, and the unit a repeated password repeats ("passwordpassword" is "password")."""
    lower = password.strip().lower()
    core = _TAIL.sub("", lower)
    forms = {lower, core, lower.translate(_LOOK_ALIKES), core.translate(_LOOK_ALIKES),
             _NOT_ALNUM.sub("", core), _NOT_ALNUM.sub("", core.translate(_LOOK_ALIKES))}
    for form in list(forms):
        period = (form + form).find(form, 1)
        if 0 < period < len(form):
            forms.add(form[:period])
    return forms


def _names(names: Iterable[str]) -> set[str]:
    """Names as a password would spell them: whole and without spaces, and each word of four letters or more."""
    found: set[str] = set()
    for name in names:
        lower = name.strip().lower()
        if not lower:
            continue
        found.add(_NOT_ALNUM.sub("", lower))
        found.update(word for word in _NOT_ALNUM.split(lower) if len(word) >= 4)
    return found


def password_problem(password: str, username: str = "", site_names: Iterable[str] = ()) -> str | None:
    """Why a password is refused, in words for the person choosing it, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return ngettext("a password needs at least {n} character", "a password needs at least {n} characters",
                        MIN_LENGTH).format(n=MIN_LENGTH)
    if len(set(password.lower())) < MIN_DISTINCT:
        return ngettext("a password needs at least {n} different character",
                        "a password needs at least {n} different characters", MIN_DISTINCT).format(n=MIN_DISTINCT)
    forms = _forms(password)
    if "" in forms:
        return _("a password must not be only digits and symbols")
    if username and _names([username]) & forms:
        return _("the password must not be the user name")
    if _names(site_names) & forms:
        return _("the password must not be the site's name")
    if forms & common_passwords():
        return _("this password is one of the most common ones (or one with digits or symbols added): choose another")
    return None
