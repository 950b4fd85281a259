"""Shift handover: the outgoing team leader leaves each line a note (free text, the open problems, how each machine
stands, safety remarks) and it leads the next shift's board until the incoming leader acknowledges it.

Plain Python over the database. Writing and acknowledging need an editor whose scope covers the line, checked here
(not by hiding a form), and go to the audit trail. A handover belongs to its line and outgoing shift: written again
before it is acknowledged it is corrected (its version moves on); once acknowledged it is kept as it was read.
Acknowledging is a compare-and-set, so of two people acknowledging at once one is stored and the other told who was
first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.format import format_time
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.names import shift_name
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.accounts import Accounts, ForbiddenError, Identity
from huddle.data.models_huddles import Handover
from huddle.data.queries import handovers as handover_queries
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy.orm import Session, sessionmaker

#: how a machine stands at the end of a shift, as people read it
MACHINE_STATES = {"running": N_("running"), "limited": N_("running with limits"), "down": N_("down")}
MAX_TEXT = 2000
MAX_MACHINES = 20
#: an open handover leads the boards this long after its shift (a Friday night's is still read on Monday morning)
LEADS_FOR = timedelta(days=3)
#: a handover written this soon after a shift began hands over the shift that just ended (written at the change)
WRITTEN_AT_THE_CHANGE = timedelta(minutes=30)
FIELD_WORDS = {"note": N_("handover note"), "open_problems": N_("open problems"), "safety": N_("safety remarks"),
               "machine": N_("machine")}


class HandoverError(ValueError):
    """A handover that cannot be stored or acknowledged as asked, with the reason."""


@dataclass(frozen=True)
class MachineStatus:
    """How one machine stands as the shift hands over."""

    machine: str
    state: str  # a key of MACHINE_STATES
    note: str = ""

    @property
    def state_words(self) -> str:
        """The state in the plant's language."""
        return _(MACHINE_STATES[self.state])


@dataclass(frozen=True)
class HandoverView:
    """A handover as the board, the API and the tests read it: people by name, the shift in words."""

    id: int
    line: str
    line_name: str
    production_date: date
    shift: str
    shift_words: str  # 'Late shift, Fri 20 Nov': the outgoing shift
    note: str
    open_problems: str
    machines: tuple[MachineStatus, ...]
    safety: str
    written_by: str
    written_by_name: str
    written_at: datetime
    written_words: str  # '21:40' today, 'Fri 20 Nov, 21:40' otherwise
    acknowledged_by: str
    acknowledged_by_name: str
    acknowledged_at: datetime | None
    acknowledged_words: str
    version: int

    @property
    def acknowledged(self) -> bool:
        """True once the incoming leader has read it."""
        return self.acknowledged_at is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO dates and instants)."""
        out = {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in self.__dict__.items()}
        out["machines"] = [{"machine": m.machine, "state": m.state, "note": m.note} for m in self.machines]
        out["acknowledged"] = self.acknowledged
        return out


def read_machines(raw: Any) -> tuple[MachineStatus, ...]:
    """Machine states as a form or the API send them (a list of machine, state, note); rows without a machine name
    are left out, anything else wrong is refused naming the row."""
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list | tuple):
        raise HandoverError(_("machines: expected a list of machine, state and note"))
    out = []
    for n, row in enumerate(raw, 1):
        if not isinstance(row, Mapping):
            raise HandoverError(_("machine {n}: expected a machine, its state and a note").format(n=n))
        name = str(row.get("machine") or "").strip()
        if not name:
            continue
        state = str(row.get("state") or "")
        if state not in MACHINE_STATES:
            raise HandoverError(_("{machine}: say whether it is {states}").format(
                machine=name, states=", ".join(_(w) for w in MACHINE_STATES.values())))
        out.append(MachineStatus(_text(name, "machine", 80), state, _text(row.get("note"), "note", 300)))
    if len(out) > MAX_MACHINES:
        raise HandoverError(_("at most {n} machines in one handover").format(n=MAX_MACHINES))
    return tuple(out)


def _text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise HandoverError(_("{field}: at most {n} characters").format(field=_(FIELD_WORDS.get(field, field)),
                                                                       n=limit))
    return text


def check_covers(who: Identity, config: PlantConfig, scope: str, what: str) -> None:
    """Refuse a writer whose home scope does not cover ``scope``."""
    if not who.covers(config, scope):
        raise ForbiddenError(_("{what}: {who} works for another part of the plant than {scope}").format(
            what=what, who=who.display_name or who.name, scope=config.scope_name(scope)))


class Handovers:
    """Write, correct and acknowledge shift handovers; list them per scope."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.clock = clock

    def today(self) -> date:
        """The plant's local date now."""
        return self.clock().astimezone(self.config.tz).date()

    def outgoing_shift(self) -> ShiftInstance | None:
        """The shift a handover written now hands over: the one in progress, unless it began only minutes ago (then,
        as when no shift runs, the one that ended last)."""
        now = self.clock()
        running = self.config.calendar.current(now)
        if running is not None and now - running.start_utc >= WRITTEN_AT_THE_CHANGE:
            return running
        return self.config.calendar.last_completed(now) or running

    def write(self, who: Identity, line: str, *, note: str = "", open_problems: str = "", machines: Any = (),
              safety: str = "", production_date: date | None = None, shift: str | None = None) -> HandoverView:
        """Store a line's handover for its outgoing shift (by default the shift now ending), or correct it while it
        is not acknowledged (editors covering the line)."""
        who.require("editor", N_("writing a handover"))
        if line not in self.config.lines:
            raise HandoverError(_("a handover is written for a line; {scope} is not one").format(scope=line))
        check_covers(who, self.config, line, _("writing a handover"))
        fields = {"note": _text(note, "note"), "open_problems": _text(open_problems, "open_problems"),
                  "safety": _text(safety, "safety")}
        states = read_machines(machines)
        if not any(fields.values()) and not states:
            raise HandoverError(_("say something to hand over: a note, open problems, a machine or a safety remark"))
        day, key = self._shift(production_date, shift)
        now = self.clock()
        machines_json = json.dumps([m.__dict__ for m in states], ensure_ascii=False)
        with self.sessions.begin() as session:
            row = handover_queries.handover_of_shift(session, line, day, key)
            if row is not None and row.acknowledged_at is not None:
                raise HandoverError(_("the handover of {shift} was acknowledged by {who} at {time}; it is kept as "
                                      "it was read").format(
                    shift=shift_name(self.config, day, key, self.today()),
                    who=self._person(session, row.acknowledged_by),
                    time=format_time(row.acknowledged_at, self.config.tz, self.today())))
            if row is None:
                row = Handover(line=line, production_date=day, shift=key, acknowledged_by="", version=1)
                session.add(row)
                action = "handover.write"
            else:
                row.version += 1
                action = "handover.change"
            for name, value in fields.items():
                setattr(row, name, value)
            row.machines, row.written_by, row.written_at = machines_json, who.label, now
            session.flush()
            self.accounts.audit(session, who, action, f"handover {row.id}", line=line, shift=f"{day}/{key}",
                                **fields, machines=[m.__dict__ for m in states])
            bump_data_version(session)  # boards show it at their next refresh
            return self._view(session, row)

    def acknowledge(self, who: Identity, handover_id: int) -> HandoverView:
        """The incoming leader has read a handover: who and when are stored, and it stops leading the board."""
        who.require("editor", N_("acknowledging a handover"))
        now = self.clock()
        with self.sessions.begin() as session:
            row = handover_queries.handover(session, handover_id)
            if row is None:
                raise HandoverError(_("no handover {n}").format(n=handover_id))
            check_covers(who, self.config, row.line, _("acknowledging a handover"))
            if row.written_by == who.label and row.acknowledged_at is None:
                raise HandoverError(_("the incoming leader acknowledges a handover, not the one who wrote it"))
            if not handover_queries.take_acknowledgement(session, handover_id, who.label, now):
                session.refresh(row)
                raise HandoverError(_("already acknowledged by {who} at {time}").format(
                    who=self._person(session, row.acknowledged_by),
                    time=format_time(row.acknowledged_at, self.config.tz, self.today())))
            session.refresh(row)
            self.accounts.audit(session, who, "handover.acknowledge", f"handover {row.id}", line=row.line,
                                shift=f"{row.production_date}/{row.shift}")
            bump_data_version(session)
            return self._view(session, row)

    def leading(self, scope: str) -> list[HandoverView]:
        """The handovers that lead a scope's board: each line's latest, while it is not acknowledged and recent."""
        since = (self.clock() - LEADS_FOR).astimezone(self.config.tz).date()
        latest: dict[str, HandoverView] = {}
        for view in self.listing(scope, since=since):
            latest.setdefault(view.line, view)
        return [v for v in latest.values() if not v.acknowledged]

    def listing(self, scope: str, *, since: date | None = None, open_only: bool = False,
                limit: int = 200) -> list[HandoverView]:
        """Handovers of a scope's lines, newest first."""
        with self.sessions() as session:
            rows = handover_queries.handovers_of(session, self._lines(scope), open_only=open_only, since=since,
                                                 limit=limit)
            return [self._view(session, r) for r in rows]

    def _lines(self, scope: str) -> list[str]:
        try:
            return self.config.scope_lines(scope)
        except KeyError as exc:
            raise HandoverError(str(exc.args[0])) from None

    def _shift(self, production_date: date | None, shift: str | None) -> tuple[date, str]:
        """The outgoing shift named (it must have started by now), else the one now ending."""
        if production_date is None and not shift:
            inst = self.outgoing_shift()
            if inst is None:
                raise HandoverError(_("no shift has run yet to hand over"))
            return inst.production_date, inst.shift_key
        if production_date is None or not shift:
            raise HandoverError(_("name both the production date and the shift of the handover"))
        try:
            inst = self.config.calendar.instance(production_date, shift)
        except (KeyError, ValueError):
            raise HandoverError(_("{day} has no shift {shift}").format(day=production_date.isoformat(),
                                                                      shift=shift)) from None
        if inst.start_utc > self.clock():
            raise HandoverError(_("{shift} has not started yet: a handover is written at the end of a shift").format(
                shift=shift_name(self.config, production_date, shift, self.today())))
        return production_date, shift

    def _person(self, session: Session, label: str) -> str:
        return self.accounts.person(session, label)

    def _view(self, session: Session, row: Handover) -> HandoverView:
        today = self.today()
        machines = tuple(MachineStatus(m["machine"], m["state"], m.get("note", ""))
                         for m in json.loads(row.machines or "[]") if m.get("state") in MACHINE_STATES)
        return HandoverView(
            row.id, row.line, self.config.scope_name(row.line), row.production_date, row.shift,
            shift_name(self.config, row.production_date, row.shift, today), row.note, row.open_problems, machines,
            row.safety, row.written_by, self._person(session, row.written_by), row.written_at,
            format_time(row.written_at, self.config.tz, today), row.acknowledged_by,
            self._person(session, row.acknowledged_by) if row.acknowledged_by else "", row.acknowledged_at,
            format_time(row.acknowledged_at, self.config.tz, today) if row.acknowledged_at else "", row.version)

