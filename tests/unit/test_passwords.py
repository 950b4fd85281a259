"""The password rules: long enough, not a common password or pattern (as typed, with digits or symbols added, with
look-alike characters, repeated), not the user's or the site's name; and the list they read ships with Huddle."""

from __future__ import annotations

import pytest
from huddle.dashboard.core.passwords import MIN_LENGTH, common_passwords, password_problem


@pytest.mark.parametrize(("password", "why"), [
    ("eleven-char", f"at least {MIN_LENGTH} characters"),
    ("aaaaaaaaaaaaaaaa", "different characters"),
    ("abababababababab", "different characters"),
    ("123456789012345", "only digits and symbols"),
    ("qwertyuiop123", "most common"),
    ("Password2024!", "most common"),
    ("P@ssw0rd!2024", "most common"),
    ("Welcome12345", "most common"),
    ("sunshinesunshine", "most common"),
    ("Summer2027!!", "most common"),
    ("jsmith-2026!!", "the user name"),
    ("RIVERSIDE-2026", "the site's name"),
    ("riverside bottling 1", "the site's name"),
])
def test_weak_passwords_are_refused_with_the_reason(password: str, why: str) -> None:
    problem = password_problem(password, "jsmith", ["Riverside Bottling", "rv"])
    assert problem is not None and why in problem


@pytest.mark.parametrize("password", ["correct horse battery", "filler-4-needs-grease", "Kx9#mQ2$vL7p",
                                      "jsmith-likes-tea", "river-side-tea-31"])
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, "jsmith", ["Riverside Bottling", "rv"]) is None


def test_the_list_of_common_passwords_ships_and_holds_the_usual_suspects() -> None:
    common = common_passwords()
    assert len(common) >= 1000
    assert {"123456", "password", "qwerty", "iloveyou", "letmein", "changeme", "welcome"} <= common
    assert all(p == p.lower() and p.strip() == p for p in common)
