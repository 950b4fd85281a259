"""Who is calling and what they may do: the roles, their ranks, and a person's home scope.

Plain Python (no Flask, no Dash). A user holds one role, weakest first: viewer (reads), operator (reads, and enters
stops, defects, safety observations and hour comments for their own line), editor (also writes actions, check-ins
and values), admin (also manages users). A user's home scope is a line, an area, or the whole site (None): it says
which lines an operator may write for and which board a leader's tier is, and ``Identity.covers`` answers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from huddle.dashboard.core.i18n import DEFAULT, _, use_language
from huddle.dashboard.core.names import person_name, role_word

if TYPE_CHECKING:
    from huddle.dashboard.core.plant import PlantConfig

ROLES = ("viewer", "operator", "editor", "admin")
#: What each kind of identity may do, weakest first. A display may read; it never writes. An operator reads as a
#: viewer does; the shop-floor entry service lets them write for their own line, and nothing needing an editor.
RANK = {"anonymous": 0, "display": 1, "viewer": 1, "operator": 2, "editor": 3, "admin": 4}


class ForbiddenError(PermissionError):
    """The caller's role does not allow this: the refusal in the plant's language, and in English for the log."""

    def __init__(self, message: str, english: str = "") -> None:
        super().__init__(message)
        self.english = english or message


@dataclass(frozen=True)
class Identity:
    """Who is calling: a signed-in user, a wall-TV display, or nobody."""

    kind: str  # user | display | anonymous
    name: str
    role: str  # admin | editor | operator | viewer | display | anonymous
    display_name: str = field(default="", compare=False)  # how people know a user (the header shows it)
    scope: str | None = None  # the user's home line or area key; None = the whole site

    @property
    def label(self) -> str:
        """How the audit trail names the caller."""
        return f"display:{self.name}" if self.kind == "display" else self.name

    def may(self, role: str) -> bool:
        """True when this identity holds at least ``role``."""
        if self.kind == "display":
            return role in ("display", "viewer", "anonymous")
        return RANK.get(self.role, 0) >= RANK[role]

    def require(self, role: str, what: str) -> None:
        """Raise ``ForbiddenError`` unless this identity holds at least ``role``; ``what`` is the request in words,
        marked for the catalogue (``N_("raising an action")``) and translated here."""
        if not self.may(role):
            with use_language(DEFAULT):  # the log's copy, for the people who run the system
                english = self._refusal(role, what)
            raise ForbiddenError(self._refusal(role, what), english)

    def _refusal(self, role: str, what: str) -> str:
        """'raising an action needs the editor role; this request comes from Vera Viewer (viewer)'."""
        if self.kind == "display":
            who = _("a wall-TV display")
        elif self.kind == "anonymous":
            who = _("nobody signed in")
        else:
            who = _("{person} ({role})").format(person=person_name(self.name, {self.name: self.display_name}),
                                                role=role_word(self.role))
        return _("{what} needs the {role} role; this request comes from {who}").format(
            what=_(what), role=role_word(role), who=who)

    def covers(self, plant: PlantConfig, scope_key: str) -> bool:
        """True when ``scope_key`` (a line, an area or the plant) lies in this identity's home scope: the whole
        site covers everything, a scope covers itself, and an area covers its lines."""
        if self.scope is None:
            return True
        if scope_key == self.scope:
            return True
        return scope_key in plant.lines and plant.area_of(scope_key) == self.scope


ANONYMOUS = Identity("anonymous", "anonymous", "anonymous")
