"""Actions: no red without a reason and an action — what, who owns it, by when, and whether it is done.

Plain Python over the database, used by the board, the tree and the monthly review. Writes need an editor, are
checked here (not by hiding buttons) and go to the audit trail with what changed. Two people editing the same
action cannot overwrite each other: a change names the version it was made from and moves it on in the same
UPDATE (compare-and-set), so of two saves from one version exactly one is stored; the other is refused with who
changed the action, when, and their version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from huddle.dashboard.core.causes import CauseError, cause_from_json, read_cause
from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import place_name
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.dashboard.services.conflicts import ChangedSince, conflict_message, quoted
from huddle.dashboard.services.reading_context import shared_session
from huddle.data.models import Action
from huddle.data.queries import actions as action_queries
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy.orm import Session, sessionmaker

STATUSES = ("open", "in_progress", "done", "cancelled")
#: the fields a person fills in, as a refusal names them
FIELD_WORDS = {"what": N_("what"), "owner": N_("owner"), "result": N_("result")}
#: each status as people read it (translated where shown)
STATUS_WORDS = {"open": N_("open"), "in_progress": N_("in progress"), "done": N_("done"), "cancelled": N_("cancelled")}
OPEN = ("open", "in_progress")
MAX_TEXT = 500
EARLIER_SHOWN = 3  # earlier actions a "red again" note names; the rest are counted


class ActionError(ValueError):
    """An action that cannot be stored as given, with the reason."""


class ActionConflictError(ActionError):
    """Someone else changed the action since the form was opened: who, when, and the action as it is now."""

    def __init__(self, message: str, changed: ChangedSince, current: ActionView) -> None:
        super().__init__(message)
        self.changed = changed
        self.current = current


@dataclass(frozen=True)
class ActionView:
    """An action as pages show it, with whether it is overdue."""

    id: int
    scope: str
    kpi: str
    raised_for: date
    raised_shift: str
    what: str
    owner: str
    due: date
    status: str
    result: str
    created_by: str
    updated_by: str
    version: int
    overdue: bool
    cause: dict[str, Any] | None = None  # core.causes.Cause.as_dict(): a 5-why or an A3, None when not recorded

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items()}

    @property
    def root_cause(self) -> str:
        """The cause in one phrase (a 5-why's root cause, an A3's cause); "" when none is recorded."""
        if not self.cause:
            return ""
        return str(self.cause.get("root") or self.cause.get("cause") or "")


class Actions:
    """Raise, change and close actions; list them per scope."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.clock = clock

    def today(self) -> date:
        """The plant's local date now."""
        return self.clock().astimezone(self.config.tz).date()

    def _view(self, a: Action, today: date) -> ActionView:
        cause = cause_from_json(a.cause)
        return ActionView(a.id, a.scope, a.kpi, a.raised_for, a.raised_shift, a.what, a.owner, a.due, a.status,
                          a.result, a.created_by, a.updated_by, a.version, a.status in OPEN and a.due < today,
                          cause.as_dict() if cause else None)

    def scopes_within(self, scope: str) -> list[str]:
        """The scope and every scope inside it (a plant's board shows its areas' and lines' actions too)."""
        kind = self.config.scope_kind(scope)
        if kind == "line":
            return [scope]
        if kind == "area":
            return [scope, *self.config.areas[scope].lines]
        return [self.config.site_key, *self.config.areas, *self.config.lines]

    def listing(self, scope: str, *, open_only: bool = True, kpi: str | None = None,
                reader: Callable[[], Session] | None = None) -> list[ActionView]:
        """Actions of a scope (and the scopes inside it): overdue first, then by due date; read through a session
        of ``reader`` when given (a page's readings' sessions: inside ``shared_context()`` the one they share)."""
        today = self.today()
        with shared_session(reader) if reader is not None else self.sessions() as session:
            views = [self._view(a, today) for a in action_queries.actions_in(
                session, self.scopes_within(scope), OPEN if open_only else None, kpi)]
        return sorted(views, key=lambda v: (not v.overdue, v.due, v.id))

    def earlier(self, kpi: str, scope: str, *, before: date | None = None,
                exclude: int | None = None) -> list[ActionView]:
        """Earlier actions on the same KPI at the same scope (any status), newest first: a red that comes back
        links to what was tried before and why it was thought to happen."""
        if not kpi:
            return []
        if self.config.scope_kind(scope) == "plant":
            scope = self.config.site_key
        today = self.today()
        with self.sessions() as session:
            views = [self._view(a, today) for a in action_queries.actions_in(session, [scope], None, kpi)]
        return sorted((v for v in views if v.id != exclude and (before is None or v.raised_for <= before)),
                      key=lambda v: (v.raised_for, v.id), reverse=True)

    def red_again(self, kpi: str, scope: str, *, before: date | None = None, exclude: int | None = None) -> str:
        """'Red again: earlier actions on this KPI at Line 2 — Thu 12 Nov "Filler jam" (worn seal), …'; "" when
        there were none."""
        found = self.earlier(kpi, scope, before=before, exclude=exclude)
        if not found:
            return ""
        today = self.today()
        named = []
        for view in found[:EARLIER_SHOWN]:
            text = f"{format_day(view.raised_for, today)} “{view.what}”"
            if view.root_cause:
                text += " " + _("(cause: {cause})").format(cause=view.root_cause)
            named.append(text)
        more = len(found) - EARLIER_SHOWN
        listing = "; ".join(named) + ("; " + _("and {n} more").format(n=more) if more > 0 else "")
        return _("Red again: earlier actions on this KPI at {place} — {listing}").format(
            place=place_name(self.config, scope), listing=listing)

    def has_open_action(self, kpi: str, scope: str) -> bool:
        """True when a red KPI of a scope already has an open action (otherwise it 'needs action')."""
        return bool(self.listing(scope, kpi=kpi))

    def raise_action(self, who: Identity, scope: str, what: str, owner: str, due: date, *, kpi: str = "",
                     raised_for: date | None = None, raised_shift: str = "",
                     cause: dict[str, Any] | None = None) -> ActionView:
        """Record a new action (editor or admin), with why it happened when known."""
        who.require("editor", N_("raising an action"))
        what, owner = self._text(what, "what"), self._text(owner, "owner")
        stored_cause = self._cause(cause)
        self._check_scope_kpi(scope, kpi)
        if self.config.scope_kind(scope) == "plant":
            scope = self.config.site_key
        raised_for = raised_for or self.today()
        if due < raised_for:
            raise ActionError(_("due {due} is before the day it answers ({day})").format(
                due=due.isoformat(), day=raised_for.isoformat()))
        now = self.clock()
        with self.sessions.begin() as session:
            action = Action(scope=scope, kpi=kpi, raised_for=raised_for, raised_shift=raised_shift, what=what,
                            owner=owner, due=due, status="open", result="", created_by=who.label, created_at=now,
                            updated_by=who.label, updated_at=now, closed_at=None, version=1, cause=stored_cause)
            session.add(action)
            session.flush()
            self.accounts.audit(session, who, "action.add", f"action {action.id}", scope=scope, kpi=kpi, what=what,
                                owner=owner, due=due, cause=stored_cause)
            bump_data_version(session)  # boards on every screen show it at their next refresh
            return self._view(action, self.today())

    def change(self, who: Identity, action_id: int, version: int, **changes: Any) -> ActionView:
        """Change what, owner, due, status, result or cause of an action, from the version the form showed."""
        who.require("editor", N_("changing an action"))
        allowed = {"what", "owner", "due", "status", "result", "cause"}
        unknown = set(changes) - allowed
        if unknown:
            raise ActionError(f"cannot change {', '.join(sorted(unknown))}")
        if "status" in changes and changes["status"] not in STATUSES:
            raise ActionError(f"status is one of {', '.join(STATUSES)}")
        for field in ("what", "owner"):
            if field in changes:
                changes[field] = self._text(changes[field], field)
        if "result" in changes:
            changes["result"] = str(changes["result"] or "").strip()[:MAX_TEXT]
        if "cause" in changes:
            changes["cause"] = self._cause(changes["cause"])
        now = self.clock()
        with self.sessions.begin() as session:
            # the compare-and-set is the first statement: of two saves from one version, one moves it on and the
            # other finds it moved (SQLite's write lock, PostgreSQL's row lock), whatever process each runs in
            taken = action_queries.take_action_version(session, action_id, version, who.label, now)
            action = action_queries.action(session, action_id)
            if action is None:
                raise ActionError(_("no action {n}").format(n=action_id))
            if not taken:
                raise self._changed_since(session, action)
            if changes.get("status") == "done" and not (changes.get("result") or action.result):
                raise ActionError(_("say what was done (result) when closing an action"))
            before = {k: getattr(action, k) for k in changes}
            for key, value in changes.items():
                setattr(action, key, value)
            if changes.get("status") in ("done", "cancelled"):
                action.closed_at = now
            elif "status" in changes:
                action.closed_at = None
            self.accounts.audit(session, who, "action.change", f"action {action.id}", before=before, after=changes)
            bump_data_version(session)
            return self._view(action, self.today())

    def _changed_since(self, session: Session, action: Action) -> ActionConflictError:
        """The refusal of a change from a version someone has moved on since: who, when, their version."""
        today = self.today()
        current = self._view(action, today)
        theirs = (("what", quoted(action.what)), ("owner", action.owner),
                  ("due", format_day(action.due, today)), ("status", _(STATUS_WORDS[action.status])),
                  ("result", quoted(action.result)))
        changed = ChangedSince(_("this action"), self.accounts.person(session, action.updated_by), action.updated_at,
                               theirs)
        return ActionConflictError(conflict_message(changed, self.config.tz, today), changed, current)

    def _check_scope_kpi(self, scope: str, kpi: str) -> None:
        try:
            self.config.scope_kind(scope)
        except KeyError as exc:
            raise ActionError(str(exc.args[0])) from None
        if kpi and kpi not in self.config.kpis:
            raise ActionError(_("unknown KPI {kpi!r}").format(kpi=kpi))

    @staticmethod
    def _cause(data: Any) -> str:
        """A cause from a form or the API, checked and as stored ("" for none)."""
        if data is not None and not isinstance(data, dict):
            raise ActionError(_("why it happened: a 5-why or an A3"))
        try:
            cause = read_cause(data)
        except CauseError as exc:
            raise ActionError(_("why it happened: {problem}").format(problem=exc)) from None
        return cause.to_json() if cause else ""

    @staticmethod
    def _text(value: Any, field: str) -> str:
        text = str(value or "").strip()
        if not text:
            raise ActionError(_("{field}: say it in a few words").format(field=_(FIELD_WORDS.get(field, field))))
        if len(text) > MAX_TEXT:
            raise ActionError(_("{field}: at most {n} characters").format(field=_(FIELD_WORDS.get(field, field)),
                                                                            n=MAX_TEXT))
        return text
