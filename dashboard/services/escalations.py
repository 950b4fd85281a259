"""Escalations: a meeting asks the next tier for help, and the answer comes back down.

A line's huddle raises an escalation with one sentence and its context (the KPI and the reading the board showed,
the line, the shift, what it came from); it lands in the next tier's meeting (the area's, then the plant's), which
accepts it with an owner and a due date, answers it, or passes it up one more tier. The answer shows on the board it
came from until that scope's meeting acknowledges it: only then is the loop closed, and never without an answer.
Unanswered past its tier's limit (``answer_within_hours`` in the plant file) it is overdue.

Every step needs an editor whose home scope covers the scope that owns the step (the raiser and the acknowledger the
origin, the accepter, answerer and passer the scope that holds it), is checked here, goes to the audit trail, and
names the version it was made from (compare-and-set), so two people cannot overwrite each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime

from huddle.dashboard.core.format import format_day
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.tiers import Tier, next_tier_scope, scope_key, tier_by_number, tier_for_scope
from huddle.dashboard.services.accounts import Accounts, ForbiddenError, Identity
from huddle.dashboard.services.conflicts import ChangedSince, conflict_message, quoted
from huddle.dashboard.services.escalation_views import (
    MAX_READING,
    MAX_SENTENCE,
    MAX_TEXT,
    OPEN,
    SOURCES,
    EscalationError,
    EscalationNotFoundError,
    EscalationView,
    people_in,
    scope_words,
    view_of,
)
from huddle.data.models_tiers import Escalation
from huddle.data.queries import escalations as queries
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["EscalationConflictError", "EscalationError", "EscalationNotFoundError", "EscalationService",
           "EscalationView"]


class EscalationConflictError(EscalationError):
    """Someone else moved the escalation on since the form was opened: who, when, and the escalation as it is now."""

    def __init__(self, message: str, changed: ChangedSince, current: EscalationView) -> None:
        super().__init__(message)
        self.changed = changed
        self.current = current


class EscalationService:
    """Raise, accept, answer, pass up and acknowledge escalations; list them for the meetings that hold them and
    the boards waiting for their answers."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.clock = clock

    # ---- reading ---------------------------------------------------------------------------------------------

    def get(self, escalation_id: int) -> EscalationView:
        """One escalation; refuses an id that names none."""
        with self.sessions() as session:
            row = queries.escalation(session, escalation_id)
            if row is None:
                raise EscalationNotFoundError(_("no escalation {n}").format(n=escalation_id))
            return self._views(session, [row])[0]

    def received(self, scope: str, *, answered: bool = True) -> list[EscalationView]:
        """What a scope's meeting holds: waiting or accepted (overdue first), then, when ``answered``, those it
        answered that their origin has not yet heard."""
        key = self._scope(scope)
        states = (*OPEN, "answered") if answered else OPEN
        with self.sessions() as session:
            views = self._views(session, queries.held_by(session, [key], states))
        return sorted(views, key=lambda v: (v.state == "answered", not v.overdue, v.raised_at, v.id))

    def answers_waiting(self, scope: str) -> list[EscalationView]:
        """Answers to a scope's escalations that its meeting has not acknowledged yet, oldest first."""
        with self.sessions() as session:
            return self._views(session, queries.raised_from(session, [self._scope(scope)], ("answered",)))

    def raised_from(self, scope: str) -> list[EscalationView]:
        """A scope's escalations still waiting for their answer, oldest first."""
        with self.sessions() as session:
            return self._views(session, queries.raised_from(session, [self._scope(scope)], OPEN))

    def overdue(self, now: datetime | None = None) -> list[EscalationView]:
        """Every escalation without an answer past its tier's limit, oldest first (for notifications)."""
        with self.sessions() as session:
            return [v for v in self._views(session, queries.in_states(session, OPEN), now) if v.overdue]

    def listing(self, scope: str | None = None, states: tuple[str, ...] | None = None) -> list[EscalationView]:
        """Escalations held by or raised from a scope (every scope when None), in some states (all when None)."""
        states = states or (*OPEN, "answered", "acknowledged")
        with self.sessions() as session:
            if scope is None:
                rows = queries.in_states(session, states)
            else:
                key = self._scope(scope)
                by_id = {r.id: r for r in (*queries.held_by(session, [key], states),
                                           *queries.raised_from(session, [key], states))}
                rows = sorted(by_id.values(), key=lambda r: (r.raised_at, r.id))
            return self._views(session, rows)

    # ---- the steps -------------------------------------------------------------------------------------------

    def raise_escalation(self, who: Identity, scope: str, sentence: str, *, kpi: str = "", reading: str = "",
                         production_date: date | None = None, shift: str = "", source: str = "",
                         source_ref: str = "") -> EscalationView:
        """Ask the tier above a scope for help, with the context the board showed."""
        who.require("editor", N_("escalating a problem"))
        origin = self._scope(scope)
        self._require_cover(who, origin, _("escalating a problem"))
        up = next_tier_scope(self.config, origin)
        if up is None:
            raise EscalationError(_("{scope} is the top tier: there is no tier above it to escalate to").format(
                scope=scope_words(self.config, origin)))
        tier, receiving = up
        sentence = self._text(sentence, _("what is needed"), MAX_SENTENCE)
        reading = str(reading or "").strip()[:MAX_READING]
        if kpi and kpi not in self.config.kpis:
            raise EscalationError(_("unknown KPI {kpi!r}").format(kpi=kpi))
        if shift and shift not in {s.key for s in self.config.calendar.shifts}:
            raise EscalationError(_("unknown shift {shift!r}").format(shift=shift))
        if source not in SOURCES:
            raise EscalationError(_("an escalation comes from a tile, an action, a note or a stop"))
        origin_tier = tier_for_scope(self.config, origin)
        now = self.clock()
        day = production_date or now.astimezone(self.config.tz).date()
        with self.sessions.begin() as session:
            row = Escalation(sentence=sentence, origin_scope=origin, origin_tier=origin_tier.number if origin_tier
                             else tier.number - 1, scope=receiving, tier=tier.number, arrived_at=now, passed="",
                             kpi=kpi, reading=reading, production_date=day, shift=shift, source=source,
                             source_ref=str(source_ref or "")[:64], state="raised", raised_by=who.label,
                             raised_at=now, owner="", due=None, accepted_by="", accepted_at=None, answer="",
                             answered_by="", answered_at=None, acknowledged_by="", acknowledged_at=None,
                             updated_by=who.label, updated_at=now, version=1)
            session.add(row)
            session.flush()
            self.accounts.audit(session, who, "escalation.raise", f"escalation {row.id}", scope=origin,
                                to=receiving, sentence=sentence, kpi=kpi, reading=reading)
            bump_data_version(session)  # boards on every screen show it at their next refresh
            return self._views(session, [row])[0]

    def accept(self, who: Identity, escalation_id: int, version: int, owner: str, due: date) -> EscalationView:
        """The receiving tier owns it: a person and the date they will answer by."""
        owner = self._text(owner, _("owner"), 120)

        def step(row: Escalation, now: datetime) -> dict[str, object]:
            if row.state not in OPEN:
                raise EscalationError(_("this escalation is already answered"))
            today = now.astimezone(self.config.tz).date()
            if due < today:
                raise EscalationError(_("due {due} is already past").format(due=format_day(due, today)))
            row.state, row.owner, row.due, row.accepted_by, row.accepted_at = "accepted", owner, due, who.label, now
            return {"owner": owner, "due": due}

        return self._step(who, escalation_id, version, "escalation.accept", _("accepting an escalation"), step)

    def answer(self, who: Identity, escalation_id: int, version: int, answer: str) -> EscalationView:
        """The receiving tier's answer, which goes back to the board the escalation came from."""
        answer = self._text(answer, _("answer"), MAX_TEXT)

        def step(row: Escalation, now: datetime) -> dict[str, object]:
            if row.state not in OPEN:
                raise EscalationError(_("this escalation is already answered"))
            row.state, row.answer, row.answered_by, row.answered_at = "answered", answer, who.label, now
            return {"answer": answer}

        return self._step(who, escalation_id, version, "escalation.answer", _("answering an escalation"), step)

    def pass_up(self, who: Identity, escalation_id: int, version: int, why: str = "") -> EscalationView:
        """Send it on to the tier above the one holding it, keeping where it has been."""
        why = str(why or "").strip()[:MAX_READING]

        def step(row: Escalation, now: datetime) -> dict[str, object]:
            if row.state not in OPEN:
                raise EscalationError(_("this escalation is already answered: it cannot be passed up"))
            up = next_tier_scope(self.config, row.scope)
            if up is None:
                raise EscalationError(_("{scope} is the top tier: there is no tier above it").format(
                    scope=scope_words(self.config, row.scope)))
            tier, receiving = up
            trail = json.loads(row.passed) if row.passed else []
            trail.append({"scope": row.scope, "tier": row.tier, "by": who.label, "at": now.isoformat(),
                          "owner": row.owner, "why": why})
            came_from = row.scope
            row.passed, row.scope, row.tier, row.arrived_at = json.dumps(trail), receiving, tier.number, now
            row.state, row.owner, row.due, row.accepted_by, row.accepted_at = "raised", "", None, "", None
            return {"from": came_from, "to": receiving, "why": why}

        return self._step(who, escalation_id, version, "escalation.pass_up", _("passing an escalation up"), step)

    def acknowledge(self, who: Identity, escalation_id: int, version: int) -> EscalationView:
        """The scope that raised it has heard the answer: the loop is closed (never without an answer)."""

        def step(row: Escalation, now: datetime) -> dict[str, object]:
            if row.state != "answered":
                raise EscalationError(_("an escalation is closed only once it has an answer") if row.state in OPEN
                                      else _("this answer was already acknowledged"))
            row.state, row.acknowledged_by, row.acknowledged_at = "acknowledged", who.label, now
            return {}

        return self._step(who, escalation_id, version, "escalation.acknowledge",
                          _("acknowledging an answer"), step, origin=True)

    # ---- helpers ---------------------------------------------------------------------------------------------

    def _step(self, who: Identity, escalation_id: int, version: int, action: str, what: str,
              change: Callable[[Escalation, datetime], dict[str, object]], origin: bool = False) -> EscalationView:
        """One step on an escalation: role, compare-and-set from the version seen, scope, the change, the audit."""
        who.require("editor", what)
        now = self.clock()
        with self.sessions.begin() as session:
            # the compare-and-set is the first statement, as for actions: of two steps from one version one passes
            taken = queries.take_escalation_version(session, escalation_id, version, who.label, now)
            row = queries.escalation(session, escalation_id)
            if row is None:
                raise EscalationNotFoundError(_("no escalation {n}").format(n=escalation_id))
            self._require_cover(who, row.origin_scope if origin else row.scope, what)
            if not taken:
                raise self._changed_since(session, row)
            before = {"state": row.state, "scope": row.scope}
            details = change(row, now)
            self.accounts.audit(session, who, action, f"escalation {row.id}", before=before,
                                after={"state": row.state, "scope": row.scope, **details})
            bump_data_version(session)
            return self._views(session, [row])[0]

    def _require_cover(self, who: Identity, scope: str, what: str) -> None:
        """Refuse a caller whose home scope does not hold the scope that owns this step."""
        if not who.covers(self.config, scope):
            raise ForbiddenError(_("{what} at {scope} needs someone whose scope covers it; {who}'s does not")
                                 .format(what=what, scope=scope_words(self.config, scope),
                                         who=who.display_name or who.name))

    def _scope(self, scope: str) -> str:
        try:
            return scope_key(self.config, scope)
        except KeyError as exc:
            raise EscalationError(str(exc.args[0])) from None

    def tier_of(self, number: int) -> Tier | None:
        """The plant's tier of a number."""
        return tier_by_number(self.config, number)

    def _views(self, session: Session, rows: list[Escalation], now: datetime | None = None) -> list[EscalationView]:
        names = {label: self.accounts.person(session, label) for label in people_in(rows)}
        now = now or self.clock()
        return [view_of(self.config, r, now, names) for r in rows]

    def _changed_since(self, session: Session, row: Escalation) -> EscalationConflictError:
        """The refusal of a step from a version someone has moved on since: who, when, their version."""
        now = self.clock()
        today = now.astimezone(self.config.tz).date()
        current = self._views(session, [row])[0]
        theirs = (("state", current.state_words), ("owner", row.owner or _("(none)")), ("answer", quoted(row.answer)))
        changed = ChangedSince(_("this escalation"), self.accounts.person(session, row.updated_by), row.updated_at,
                               theirs)
        return EscalationConflictError(conflict_message(changed, self.config.tz, today, _("try again")), changed,
                                       current)

    @staticmethod
    def _text(value: object, field: str, limit: int) -> str:
        text = " ".join(str(value or "").split())
        if not text:
            raise EscalationError(_("{field}: say it in a few words").format(field=field))
        if len(text) > limit:
            raise EscalationError(_("{field}: at most {n} characters").format(field=field, n=limit))
        return text
