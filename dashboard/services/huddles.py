"""Huddle records: the plant's memory of its huddles. Closing a huddle stores its tier, scope and shift, when it ran,
who came, the KPIs red at the time, the actions it reviewed, the escalations it raised (and those it received, open or
answered while it ran), and its notes; the records are listed by day and scope, exported, and counted per line for
the monthly review (held, and missed: a production shift of the line, by the plant calendar, without a record).

Plain Python over the database. Recording needs an editor whose home scope covers the huddle's scope, is checked
here and audited. What was red, which actions were due and which escalations were raised are read by the server at
closing from the same services as the board, never taken from the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.format import format_time, format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.names import shift_name
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.tiers import Tier, scope_key, tier_for_scope
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.dashboard.services.actions import Actions, ActionView
from huddle.dashboard.services.escalations import EscalationService
from huddle.dashboard.services.handover import check_covers
from huddle.dashboard.services.planned import plant_calendar
from huddle.dashboard.services.readings import Readings
from huddle.data.models_huddles import HuddleRecord
from huddle.data.queries import huddles as huddle_queries
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

MAX_NOTES = 4000
MAX_PEOPLE = 80
LONGEST_HUDDLE = timedelta(hours=3)  # a start further back than this is not this huddle's
ACTIONS_DUE_AHEAD = timedelta(days=1)  # the huddle reviews actions overdue or due by tomorrow


class HuddleError(ValueError):
    """A huddle record that cannot be stored as asked, with the reason."""


@dataclass(frozen=True)
class HuddleRecordView:
    """A huddle record as the pages, the exports and the API read it: the scope and shift in words."""

    id: int
    tier: int
    tier_title: str
    scope: str
    scope_name: str
    production_date: date
    shift: str
    shift_words: str
    started_at: datetime
    ended_at: datetime
    minutes: float
    attendees: tuple[str, ...]
    red_kpis: tuple[dict[str, str], ...]  # {"kpi", "name", "value"}
    actions: tuple[dict[str, Any], ...]  # {"id", "what", "owner", "due", "status"}
    escalations: tuple[dict[str, Any], ...]  # {"id", "sentence", "state"}; received ones also "from", "answer"
    notes: str
    recorded_by: str  # by name

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO dates and instants, lists for tuples)."""
        return {k: (v.isoformat() if isinstance(v, date | datetime) else list(v) if isinstance(v, tuple) else v)
                for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class HuddleCount:
    """How many huddles a line held and missed in a month: missed are its production shifts without a record."""

    line: str
    line_name: str
    shifts: int
    held: int
    missed: int


def _text(value: Any, what: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise HuddleError(_("{what}: at most {n} characters").format(what=what, n=limit))
    return text


def read_attendees(raw: Any) -> tuple[str, ...]:
    """Who attended, as ticked and typed: names, each once, in the order given; blank ones left out."""
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list | tuple) or not all(isinstance(n, str) for n in raw):
        raise HuddleError(_("attendees: expected a list of names"))
    names = tuple(dict.fromkeys(n.strip() for n in raw if n.strip()))
    if len(names) > MAX_PEOPLE:
        raise HuddleError(_("attendees: at most {n} people").format(n=MAX_PEOPLE))
    for name in names:
        _text(name, _("attendee"), 120)
    return names


class HuddleRecords:
    """Record closed huddles; list them by day and scope; count each line's held and missed huddles in a month."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime], readings: Readings, actions: Actions,
                 escalations: EscalationService) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.clock = clock
        self.readings = readings
        self.actions = actions
        self.escalations = escalations

    def today(self) -> date:
        """The plant's local date now."""
        return self.clock().astimezone(self.config.tz).date()

    def tier(self, scope: str) -> Tier:
        """The tier whose huddle looks at a scope (refused when the plant has none there)."""
        try:
            tier = tier_for_scope(self.config, scope)
        except KeyError as exc:
            raise HuddleError(str(exc.args[0])) from None
        if tier is None:
            raise HuddleError(_("no tier of this plant meets at {scope}").format(scope=self.config.scope_name(scope)))
        return tier

    def shift_at(self, instant: datetime) -> ShiftInstance | None:
        """The shift a huddle held at ``instant`` belongs to: the one in progress, else the one that ended last."""
        return self.config.calendar.current(instant) or self.config.calendar.last_completed(instant)

    def reviewed_period(self, instant: datetime) -> Period | None:
        """The shift a huddle at ``instant`` looks back on: the one that ended last."""
        inst = self.config.calendar.last_completed(instant)
        return None if inst is None else Period("shift", inst.production_date, inst.production_date, inst.shift_key)

    def red_kpis(self, scope: str, period: Period | None) -> list[dict[str, str]]:
        """The KPIs red at a scope for the shift the huddle looks back on, by name, with their value."""
        if period is None:
            return []
        shown = self.readings.readings_in_own_periods(self.config.kpis, scope, period)
        return [{"kpi": k, "name": self.config.kpis[k].name, "value": format_value(r.value, r.unit)}
                for k, r in shown.items() if r.status == Status.RED]

    def actions_due(self, scope: str) -> list[ActionView]:
        """The open actions a huddle reviews: overdue, or due by tomorrow, overdue first."""
        until = self.today() + ACTIONS_DUE_AHEAD
        return [a for a in self.actions.listing(scope) if a.due <= until]

    def people_of(self, scope: str) -> list[str]:
        """The people a huddle's attendance lists: users (not disabled) whose home scope covers it, by name."""
        names = []
        for user in self.accounts.users():
            if user.disabled or not Identity("user", user.username, user.role, scope=user.scope).covers(
                    self.config, scope_key(self.config, scope)):
                continue
            names.append(user.display_name or user.username)
        return sorted(names, key=str.casefold)

    def close(self, who: Identity, scope: str, *, started_at: datetime | None, attendees: Any = (),
              notes: str = "") -> HuddleRecordView:
        """Record a huddle closed now at a scope, begun at ``started_at`` (editors covering the scope)."""
        who.require("editor", N_("recording a huddle"))
        tier = self.tier(scope)
        check_covers(who, self.config, scope, _("recording a huddle"))
        now = self.clock()
        started = started_at or now
        if started.tzinfo is None:
            raise HuddleError(_("started: give the time with its UTC offset"))
        if started > now or now - started > LONGEST_HUDDLE:
            raise HuddleError(_("started: a huddle closed now began at most {h} hours ago").format(
                h=int(LONGEST_HUDDLE.total_seconds() // 3600)))
        people = read_attendees(attendees)
        if not people:
            raise HuddleError(_("take the attendance: tick who is here or type their names"))
        text = _text(notes, _("notes"), MAX_NOTES)
        inst = self.shift_at(started)
        if inst is None:
            raise HuddleError(_("no shift has run yet for a huddle to belong to"))
        key = scope_key(self.config, scope)
        red = self.red_kpis(scope, self.reviewed_period(started))
        actions = [{"id": a.id, "what": a.what, "owner": a.owner, "due": a.due.isoformat(), "status": a.status}
                   for a in self.actions_due(scope)]
        # the escalations this huddle raised, and those it received that were open or answered while it ran
        raised = [{"id": e.id, "sentence": e.sentence, "state": e.state}
                  if e.origin_scope == key else
                  {"id": e.id, "sentence": e.sentence, "state": e.state, "from": e.origin_name, "answer": e.answer}
                  for e in self.escalations.listing(scope)
                  if (e.origin_scope == key and started <= e.raised_at <= now)
                  or (e.scope == key and e.arrived_at <= now
                      and (e.state in ("raised", "accepted") or (e.answered_at or now) >= started))]
        row = HuddleRecord(tier=tier.number, scope=key, production_date=inst.production_date, shift=inst.shift_key,
                           started_at=started, ended_at=now, attendees=_json(people), red_kpis=_json(red),
                           actions=_json(actions), escalations=_json(raised), notes=text, recorded_by=who.label,
                           recorded_at=now)
        try:
            with self.sessions.begin() as session:
                if huddle_queries.record_of(session, tier.number, key, inst.production_date, inst.shift_key):
                    raise self._held_already(session, tier, scope, inst)
                session.add(row)
                session.flush()
                self.accounts.audit(session, who, "huddle.record", f"huddle {row.id}", tier=tier.number, scope=key,
                                    shift=f"{inst.production_date}/{inst.shift_key}", attendees=len(people))
                return self._view(session, row)
        except IntegrityError:  # the same huddle closed twice at once: the other one was stored
            with self.sessions() as session:
                raise self._held_already(session, tier, scope, inst) from None

    def _held_already(self, session: Session, tier: Tier, scope: str, inst: ShiftInstance) -> HuddleError:
        key = scope_key(self.config, scope)
        held = huddle_queries.record_of(session, tier.number, key, inst.production_date, inst.shift_key)
        who = self.accounts.person(session, held.recorded_by) if held else "?"
        return HuddleError(_("{tier} of {scope} in {shift} was recorded already by {who} at {time}").format(
            tier=tier.title, scope=self.config.scope_name(scope),
            shift=shift_name(self.config, inst.production_date, inst.shift_key, self.today()), who=who,
            time=format_time(held.ended_at if held else None, self.config.tz, self.today())))

    def listing(self, first: date, last: date | None = None, scope: str | None = None) -> list[HuddleRecordView]:
        """Records of production dates first..last (one day when no last), of a scope and those inside it."""
        scopes = None if scope is None else self._within(scope)
        with self.sessions() as session:
            rows = huddle_queries.records_between(session, first, last or first, scopes)
            return [self._view(session, r) for r in rows]

    def counts(self, first: date, last: date, lines: Iterable[str] | None = None) -> list[HuddleCount]:
        """Per line (every line, or those given), its tier-1 huddles held and missed over production dates
        first..last: a production shift is one that has begun by now, on a day the plant calendar plans the line to
        run, from its go-live on."""
        tier = tier_for_scope(self.config, next(iter(self.config.lines)))
        if tier is None:
            return []
        now = self.clock()
        keys = list(self.config.lines if lines is None else lines)
        with self.sessions() as session:
            planned = plant_calendar(self.config, session)
            held = {(r.scope, r.production_date, r.shift)
                    for r in huddle_queries.records_between(session, first, last, keys)
                    if r.tier == tier.number}
        area_of = {k: line.area for k, line in self.config.lines.items()}
        shifts = [i for i in self.config.calendar.instances_for_dates(first, last) if i.start_utc <= now]
        out = []
        for key in keys:
            live = planned.go_live_of(key)
            due = [i for i in shifts if (live is None or i.production_date >= live)
                   and planned.planned_on(i.production_date, [key], area_of) is None]
            done = sum((key, i.production_date, i.shift_key) in held for i in due)
            out.append(HuddleCount(key, self.config.scope_name(key), len(due), done, len(due) - done))
        return out

    def _within(self, scope: str) -> list[str]:
        try:
            return [scope_key(self.config, s) for s in self.actions.scopes_within(scope)]
        except KeyError as exc:
            raise HuddleError(str(exc.args[0])) from None

    def _view(self, session: Session, row: HuddleRecord) -> HuddleRecordView:
        tier = next((t for t in self.config.tiers if t.number == row.tier), None)
        return HuddleRecordView(
            row.id, row.tier, tier.title if tier else _("Tier {n}").format(n=row.tier), row.scope,
            self.config.scope_name(row.scope), row.production_date, row.shift,
            shift_name(self.config, row.production_date, row.shift, self.today()), row.started_at, row.ended_at,
            round((row.ended_at - row.started_at).total_seconds() / 60, 1), tuple(json.loads(row.attendees)),
            tuple(json.loads(row.red_kpis)), tuple(json.loads(row.actions)), tuple(json.loads(row.escalations)),
            row.notes, self.accounts.person(session, row.recorded_by))


def _json(value: Iterable[Any]) -> str:
    return json.dumps(list(value), ensure_ascii=False)

