"""The plant's OKRs: objectives cascaded company → plant → area/line, key results with a hand-entered value or a
bound KPI, weekly check-ins kept with every correction, the week's meeting view, and closing a quarter with scores,
baseline proposals and next quarter's candidates. Plain Python over the database; pages, the API and the exports
all read the quarter through ``Okrs.quarter``.

A key result bound to a KPI reads it through the KPI engine, so it shows the same number as the board and the tree.
Two people checking in on the same key result cannot overwrite each other: the form names how many check-ins it
saw, and the save is a compare-and-set on that count inside the database's own write, so it holds across processes
on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from huddle.dashboard.core import okr_scoring as okr
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.kpi import FORMULAS, Kind
from huddle.dashboard.core.okr_scoring import KrStatus, OkrError, ScoredKeyResult
from huddle.dashboard.core.periods import Period, PeriodError, parse_asked_period, parse_period, period_containing
from huddle.dashboard.core.plant import Baseline, PlantConfig
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.dashboard.services.readings import KpiEngine
from huddle.data.models import AdoptedBaseline, CheckIn, KeyResult, Objective, OkrQuarter
from huddle.data.queries import okrs as okr_queries
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy.orm import Session, sessionmaker

LEVELS = ("company", "plant", "area", "line")
COMPANY = "company"
MAX_OBJECTIVES = 5  # per level and scope in a quarter: more dilutes the push (DOMAIN.md: three to five)
MIN_KEY_RESULTS, MAX_KEY_RESULTS = 2, 5
WINDOWS = {"quarter": "quarter to date", "week": "latest full week"}
KIND_WORDS = {"increase": "increase to", "decrease": "decrease to", "stay_above": "stay at or above",
              "stay_below": "stay at or below", "milestone": "milestone"}
MAX_TEXT = 1000
CLOSE_DAYS_BEFORE_END = 14  # a quarter can be closed from its last two weeks on
VIEWS_KEPT = 16  # quarter views kept per process, each for one data version


class OkrConflictError(OkrError):
    """Someone else checked in (or edited) since the form was opened; carries what the form should now name."""

    def __init__(self, message: str, seen: int) -> None:
        super().__init__(message)
        self.seen = seen


@dataclass(frozen=True)
class CheckInView:
    """One saved version of a week's check-in."""

    id: int
    key_result_id: int
    week: str
    value: float | None
    confidence: int
    moved: str
    blocks: str
    author: str
    at: datetime
    replaces_id: int | None
    replaced: bool  # a later version of the same week's check-in exists
    unit: str = ""  # the key result's

    @property
    def band(self) -> str:
        """At risk, has issues or on track, in the owner's view."""
        return okr.confidence_band(self.confidence)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()} | {
            "band": self.band}


@dataclass(frozen=True)
class WeekPoint:
    """A week of the quarter in a key result's history: the week's check-in and where the straight path is."""

    week: str
    last_day: date
    value: float | None
    confidence: int | None
    path: float | None  # the value the straight line from start to target expects by the week's end


@dataclass(frozen=True)
class KeyResultView:
    """A key result as the page, the API and the exports show it."""

    id: int
    objective_id: int
    title: str
    kind: str
    start: float | None
    target: float
    unit: str
    weight: float
    owner: str
    kpi: str
    kpi_scope: str
    kpi_window: str
    version: int
    checkins: int  # how many check-ins are saved: the form names this when it saves
    rule: str
    current: float | None
    source: str
    progress: float | None
    expected: float
    status: KrStatus
    kpi_status: str  # the bound KPI's own status against its target ("" when not bound)
    latest: CheckInView | None  # the newest version of the newest week's check-in
    this_week: CheckInView | None
    history: list[WeekPoint]
    versions: list[CheckInView]  # every saved version, newest first
    disagreement: str | None
    final_value: float | None
    score: float | None

    @property
    def confidence(self) -> int | None:
        """The latest confidence (0–10), if any."""
        return self.latest.confidence if self.latest else None

    @property
    def prefill(self) -> float | None:
        """What the check-in form starts with: the bound KPI's value, or the last value checked in."""
        if self.kpi:
            return self.current
        return self.latest.value if self.latest else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id, "objective_id": self.objective_id, "title": self.title, "kind": self.kind,
            "start": self.start, "target": self.target, "unit": self.unit, "weight": self.weight,
            "owner": self.owner, "kpi": self.kpi or None, "kpi_scope": self.kpi_scope or None,
            "kpi_window": self.kpi_window if self.kpi else None, "rule": self.rule, "current": self.current,
            "source": self.source, "progress": self.progress, "expected": self.expected, "status": str(self.status),
            "kpi_status": self.kpi_status or None, "confidence": self.confidence,
            "confidence_band": self.latest.band if self.latest else None,
            "checked_in_this_week": self.this_week is not None, "disagreement": self.disagreement,
            "history": [{"week": p.week, "value": p.value, "confidence": p.confidence, "path": p.path}
                        for p in self.history],
            "check_ins": [v.as_dict() for v in self.versions], "final_value": self.final_value,
            "score": self.score,
        }


@dataclass(frozen=True)
class ObjectiveView:
    """An objective with its key results, progress (weighted mean) and status (its weakest key result's)."""

    id: int
    quarter: str
    scope: str
    level: str
    scope_name: str
    parent_id: int | None
    title: str
    owner: str
    version: int
    depth: int  # 0 for the top of the cascade
    key_results: list[KeyResultView]
    progress: float | None
    status: KrStatus
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "quarter": self.quarter, "scope": self.scope, "level": self.level,
                "scope_name": self.scope_name, "parent_id": self.parent_id, "title": self.title,
                "owner": self.owner, "progress": self.progress, "status": str(self.status),
                "warnings": self.warnings, "key_results": [k.as_dict() for k in self.key_results]}


@dataclass(frozen=True)
class BaselineProposal:
    """At a quarter's close: adopt the level a bound key result reached as its KPI's new baseline."""

    key_result_id: int
    kpi: str
    scope: str
    value: float
    current: Baseline | None
    adopted: bool


@dataclass(frozen=True)
class Meeting:
    """What the week's check-in meeting talks about."""

    week: str
    missing: list[KeyResultView]  # no check-in this week
    disagreements: list[KeyResultView]  # confidence and progress disagree
    blocked: list[KeyResultView]  # the latest check-in names a block


@dataclass(frozen=True)
class QuarterView:
    """A quarter's OKRs in cascade order, with the meeting view and, near or after the close, the proposals."""

    quarter: Period
    today: date
    week: Period  # the week check-ins go to by default
    weeks: list[Period]  # every week that overlaps the quarter, up to this one
    expected: float
    closed_by: str | None
    closed_at: datetime | None
    objectives: list[ObjectiveView]
    meeting: Meeting
    proposals: list[BaselineProposal] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        """The quarter is scored and takes no more check-ins."""
        return self.closed_at is not None

    @property
    def closes_from(self) -> date:
        """The first day the quarter can be closed."""
        return self.quarter.last - timedelta(days=CLOSE_DAYS_BEFORE_END - 1)

    @property
    def key_results(self) -> list[KeyResultView]:
        """Every key result of the quarter, in cascade order."""
        return [k for o in self.objectives for k in o.key_results]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"quarter": self.quarter.label, "today": self.today.isoformat(), "week": self.week.label,
                "expected_progress": self.expected, "closed": self.closed, "closed_by": self.closed_by,
                "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "objectives": [o.as_dict() for o in self.objectives],
                "meeting": {"week": self.meeting.week, "missing": [k.id for k in self.meeting.missing],
                            "disagreements": [{"key_result": k.id, "question": k.disagreement}
                                              for k in self.meeting.disagreements],
                            "blocked": [{"key_result": k.id, "blocks": k.latest.blocks if k.latest else ""}
                                        for k in self.meeting.blocked]},
                "baseline_proposals": [{"key_result": p.key_result_id, "kpi": p.kpi, "scope": p.scope,
                                        "value": p.value, "adopted": p.adopted} for p in self.proposals]}


def quarter_weeks(quarter: Period) -> list[Period]:
    """The ISO weeks that overlap a quarter, first to last."""
    weeks = [period_containing("week", quarter.first)]
    while weeks[-1].last < quarter.last:
        weeks.append(period_containing("week", weeks[-1].last + timedelta(days=1)))
    return weeks


def rule_text(kind: str, start: float | None, target: float, unit: str) -> str:
    """A key result's rule in words: 'increase 60.0 % → 68.0 %', 'stay at or below 2'."""
    if kind == "milestone":
        return "milestone: done or not"
    if kind in ("increase", "decrease"):
        return f"{kind} {format_value(start, unit)} → {format_value(target, unit)}"
    return f"{KIND_WORDS[kind]} {format_value(target, unit)}"


class Okrs:
    """Create, edit, check in on, score and close a plant's OKRs; read a quarter."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 engine: KpiEngine, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.kpis = engine
        self.clock = clock
        self._views: OrderedDict[tuple[str, str, int, date], QuarterView] = OrderedDict()
        self._guard = threading.Lock()

    # ---- scopes, levels, quarters ------------------------------------------------------------------------

    def today(self) -> date:
        """The plant's local date now."""
        return self.clock().astimezone(self.config.tz).date()

    def level_of(self, scope: str) -> str:
        """company, plant, area or line; raises ``OkrError`` for an unknown scope."""
        if scope == COMPANY:
            return COMPANY
        try:
            return self.config.scope_kind(scope)
        except KeyError as exc:
            raise OkrError(str(exc.args[0])) from None

    def scope_name(self, scope: str) -> str:
        """The display name of an objective's scope."""
        return self.config.company if scope == COMPANY else self.config.scope_name(scope)

    def _normal_scope(self, scope: str) -> str:
        scope = (scope or "").strip()
        return "plant" if self.level_of(scope) == "plant" else scope

    def _contains(self, outer: str, inner: str) -> bool:
        """True when ``inner`` lies within ``outer`` (the company holds everything; the plant every area)."""
        if outer in (COMPANY, inner):
            return True
        if inner == COMPANY:
            return False
        outer_kind = self.config.scope_kind(outer)
        if outer_kind == "plant":
            return True
        if outer_kind == "area":
            return inner in self.config.areas[outer].lines
        return False

    @staticmethod
    def parse_quarter(text: str) -> Period:
        """A quarter from its text form (2026-Q4); raises ``OkrError`` with the expected form."""
        try:
            return parse_asked_period("quarter", text)
        except PeriodError as exc:
            raise OkrError(str(exc)) from None

    def current_quarter(self) -> Period:
        """The quarter containing today."""
        return period_containing("quarter", self.today())

    def quarters(self) -> list[str]:
        """Quarters with objectives, the current one and the next, newest first."""
        current = self.current_quarter()
        following = period_containing("quarter", current.last + timedelta(days=1))
        with self.sessions() as session:
            stored = okr_queries.quarters_with_objectives(session)
        return sorted(stored | {current.label, following.label}, reverse=True)

    def _closed(self, session: Session, quarter: str) -> OkrQuarter | None:
        return okr_queries.closed_quarter(session, quarter)

    def _refuse_if_closed(self, session: Session, quarter: str) -> None:
        closed = self._closed(session, quarter)
        if closed is not None:
            raise OkrError(f"{quarter} was closed by {closed.closed_by} on "
                           f"{closed.closed_at.astimezone(self.config.tz):%Y-%m-%d}: its OKRs no longer change")

    # ---- objectives and key results ----------------------------------------------------------------------

    def save_objective(self, who: Identity, quarter: str, scope: str, title: str, owner: str,
                       parent_id: int | None = None, objective_id: int | None = None,
                       version: int | None = None) -> int:
        """Create an objective, or change one from the version the form showed; returns its id."""
        who.require("editor", "planning objectives")
        period = self.parse_quarter(quarter)
        scope = self._normal_scope(scope)
        level = self.level_of(scope)
        title, owner = _text(title, "title"), _text(owner, "owner")
        now = self.clock()
        with self.sessions.begin() as session:
            self._refuse_if_closed(session, period.label)
            if parent_id is not None:
                parent = okr_queries.objective(session, parent_id)
                if parent is None or parent.quarter != period.label:
                    raise OkrError(f"the parent objective {parent_id} is not one of {period.label}'s")
                if LEVELS.index(self.level_of(parent.scope)) >= LEVELS.index(level):
                    raise OkrError(f"a {level} objective sits under a higher level; "
                                   f"'{parent.title}' is at {self.level_of(parent.scope)} level")
                if not self._contains(parent.scope, scope):
                    raise OkrError(f"{self.scope_name(scope)} is not part of {self.scope_name(parent.scope)}, "
                                   f"where '{parent.title}' belongs")
            if objective_id is None:
                count = okr_queries.count_objectives(session, period.label, scope)
                if count >= MAX_OBJECTIVES:
                    raise OkrError(f"{self.scope_name(scope)} already has {count} objectives in {period.label}: "
                                   f"more than {MAX_OBJECTIVES} at one level dilutes the push; drop or merge one")
                row = Objective(quarter=period.label, scope=scope, parent_id=parent_id, title=title, owner=owner,
                                created_by=who.label, created_at=now, updated_by=who.label, updated_at=now,
                                version=1)
                session.add(row)
                session.flush()
                self.accounts.audit(session, who, "okr.objective.add", f"objective {row.id}",
                                    quarter=period.label, scope=scope, title=title, owner=owner, parent=parent_id)
            else:
                row = self._objective_for_change(session, objective_id, version)
                if row.scope != scope:
                    count = okr_queries.count_objectives(session, row.quarter, scope)
                    if count >= MAX_OBJECTIVES:
                        raise OkrError(f"{self.scope_name(scope)} already has {count} objectives in {row.quarter}")
                if parent_id == row.id:
                    raise OkrError("an objective cannot sit under itself")
                before = {"scope": row.scope, "title": row.title, "owner": row.owner, "parent": row.parent_id}
                row.scope, row.title, row.owner, row.parent_id = scope, title, owner, parent_id
                row.updated_by, row.updated_at = who.label, now
                self.accounts.audit(session, who, "okr.objective.change", f"objective {row.id}", before=before,
                                    after={"scope": scope, "title": title, "owner": owner, "parent": parent_id})
            bump_data_version(session)
            return row.id

    def _objective_for_change(self, session: Session, objective_id: int, version: int | None) -> Objective:
        row = okr_queries.objective(session, objective_id)
        if row is None:
            raise OkrError(f"no objective {objective_id}")
        self._refuse_if_closed(session, row.quarter)
        if not okr_queries.take_objective_version(session, row, version):
            raise OkrConflictError(f"{row.updated_by} changed this objective since you opened it: nothing was "
                                   "overwritten; look at it again and redo your change", row.version)
        return row

    def check_binding(self, kind: str, unit: str, kpi: str, kpi_scope: str, objective_scope: str,
                      window: str = "quarter") -> str:
        """Refuse a bound KPI that cannot carry the key result; returns the unit to store (the KPI's)."""
        kdef = self.config.kpis.get(kpi)
        if kdef is None:
            raise OkrError(f"unknown KPI {kpi!r}: bind one of {', '.join(self.config.kpis)}")
        if kind == "milestone":
            raise OkrError("a milestone is done or not: it cannot be bound to a KPI")
        if window == "quarter" and FORMULAS[kdef.formula].kind is Kind.TOTAL:
            raise OkrError(f"{kdef.name} adds up over time, so its quarter to date only grows: read it over the "
                           "latest full week")
        if unit and unit != kdef.unit:
            measured = kdef.unit or "plain numbers"
            raise OkrError(f"the key result is in {unit!r} but {kdef.name} is measured in {measured!r}")
        wants = "higher" if kind in ("increase", "stay_above") else "lower"
        if wants != kdef.direction:
            raise OkrError(f"{kdef.name} is better {kdef.direction}: '{KIND_WORDS[kind]}' would push it the wrong "
                           f"way; use '{KIND_WORDS['increase' if kdef.direction == 'higher' else 'decrease']}'")
        if kpi_scope != objective_scope and not self._contains(objective_scope, kpi_scope):
            raise OkrError(f"{self.scope_name(kpi_scope)} lies outside {self.scope_name(objective_scope)}: "
                           "read the KPI where the objective is")
        return kdef.unit

    def save_key_result(self, who: Identity, objective_id: int, *, title: str, kind: str, start: float | None,
                        target: float | None, unit: str = "", weight: float = 1.0, owner: str = "", kpi: str = "",
                        kpi_scope: str = "", kpi_window: str = "quarter", key_result_id: int | None = None,
                        version: int | None = None) -> int:
        """Create a key result, or change one from the version the form showed; returns its id."""
        who.require("editor", "planning key results")
        title, owner = _text(title, "title"), _text(owner, "owner")
        if target is None:
            raise OkrError("give a target")
        if kind == "milestone":
            start, target = 0.0, 1.0
        okr.check_key_result(kind, start, float(target))
        if not weight or weight <= 0:
            raise OkrError("the weight must be above 0")
        unit = (unit or "").strip()
        if kpi_window not in WINDOWS:
            raise OkrError(f"the KPI window is one of {', '.join(WINDOWS)}")
        now = self.clock()
        with self.sessions.begin() as session:
            objective = okr_queries.objective(session, objective_id)
            if objective is None:
                raise OkrError(f"no objective {objective_id}")
            self._refuse_if_closed(session, objective.quarter)
            if kpi:
                kpi_scope = self._normal_scope(kpi_scope or
                                               ("plant" if objective.scope == COMPANY else objective.scope))
                unit = self.check_binding(kind, unit, kpi, kpi_scope, objective.scope, kpi_window)
            else:
                kpi_scope, kpi_window = "", "quarter"
            fields = {"title": title, "kind": kind, "start": start, "target": float(target), "unit": unit,
                      "weight": float(weight), "owner": owner, "kpi": kpi, "kpi_scope": kpi_scope,
                      "kpi_window": kpi_window}
            if key_result_id is None:
                count = okr_queries.count_key_results(session, objective_id)
                if count >= MAX_KEY_RESULTS:
                    raise OkrError(f"'{objective.title}' already has {count} key results: at most "
                                   f"{MAX_KEY_RESULTS} per objective")
                row = KeyResult(objective_id=objective_id, created_by=who.label, created_at=now,
                                updated_by=who.label, updated_at=now, version=1, checkins=0, **fields)
                session.add(row)
                session.flush()
                self.accounts.audit(session, who, "okr.key_result.add", f"key result {row.id}",
                                    objective=objective_id, fields=fields)
            else:
                row = okr_queries.key_result(session, key_result_id)
                if row is None or row.objective_id != objective_id:
                    raise OkrError(f"no key result {key_result_id} under objective {objective_id}")
                if not okr_queries.take_key_result_version(session, row, version):
                    raise OkrConflictError(f"{row.updated_by} changed this key result since you opened it: nothing "
                                           "was overwritten; look at it again and redo your change", row.version)
                before = {k: getattr(row, k) for k in fields}
                for key, value in fields.items():
                    setattr(row, key, value)
                row.updated_by, row.updated_at = who.label, now
                self.accounts.audit(session, who, "okr.key_result.change", f"key result {row.id}", before=before,
                                    after=fields)
            bump_data_version(session)
            return row.id

    def draft_from_kpi(self, who: Identity, quarter: str, scope: str, kpi: str) -> int:
        """Turn a KPI that has been red for months into an objective for a quarter, with one key result bound to
        it: from where it stands (last full month, or last full week for a total) to its target. Returns the
        objective's id; refused when that quarter already has a key result bound to the KPI there."""
        who.require("editor", "planning objectives")
        kdef = self.config.kpis.get(kpi)
        if kdef is None:
            raise OkrError(f"unknown KPI {kpi!r}")
        scope = self._normal_scope(scope)
        period = self.parse_quarter(quarter)
        with self.sessions() as session:
            planned = okr_queries.objective_binding(session, period.label, kpi, scope)
        if planned:
            raise OkrError(f"{period.label} already has {kdef.name} at {self.scope_name(scope)} in '{planned}'")
        total = FORMULAS[kdef.formula].kind is Kind.TOTAL
        today = self.today()
        if total:
            week = period_containing("week", today).previous()
            reading, window = self.kpis.reading(kpi, scope, week), "week"
        else:
            month = period_containing("month", today.replace(day=1) - timedelta(days=1))
            reading, window = self.kpis.reading(kpi, scope, month), "quarter"
        if reading.value is None or reading.target is None:
            raise OkrError(f"{kdef.name} at {self.scope_name(scope)} has no value or target to start from")
        objective = self.save_objective(who, period.label, scope,
                                        f"Bring {kdef.name} at {self.scope_name(scope)} back to target",
                                        kdef.owner or who.label)
        self.save_key_result(who, objective, title=f"{kdef.name} at {self.scope_name(scope)}",
                             kind="increase" if kdef.direction == "higher" else "decrease",
                             start=round(reading.value, 2), target=reading.target, owner=kdef.owner or who.label,
                             kpi=kpi, kpi_scope=scope, kpi_window=window)
        return objective

    # ---- check-ins ---------------------------------------------------------------------------------------

    def check_in(self, who: Identity, key_result_id: int, seen: int, *, value: float | None, confidence: int | None,
                 moved: str = "", blocks: str = "", week: str | None = None) -> CheckInView:
        """Save a week's check-in from a form that saw ``seen`` check-ins; a second one in the same week is kept
        as a correction of the first. Refused, with who checked in meanwhile, if the count moved on."""
        who.require("editor", "checking in on a key result")
        if confidence is None:
            raise OkrError("give your confidence, 0–10")
        try:
            confidence = int(confidence)
        except (TypeError, ValueError):
            raise OkrError(f"confidence {confidence!r} is not a whole number 0–10") from None
        okr.confidence_band(confidence)  # refuses outside 0–10
        moved, blocks = _free_text(moved, "what moved"), _free_text(blocks, "what blocks")
        today = self.today()
        with self.sessions() as session:
            kr = okr_queries.key_result(session, key_result_id)
            if kr is None:
                raise OkrError(f"no key result {key_result_id}")
            objective = okr_queries.objective(session, kr.objective_id)
            assert objective is not None
            self._refuse_if_closed(session, objective.quarter)
        quarter = self.parse_quarter(objective.quarter)
        weeks = quarter_weeks(quarter)
        this_week = period_containing("week", min(today, quarter.last))
        try:
            chosen = parse_period("week", week) if week else this_week
        except PeriodError as exc:
            raise OkrError(str(exc)) from None
        if chosen not in weeks:
            raise OkrError(f"{chosen.label} is not a week of {quarter.label}")
        if chosen.first > today:
            raise OkrError(f"{chosen.label} has not started: check in for this week or an earlier one")
        if kr.kpi:
            value = self._bound_value(kr, quarter, min(chosen.last, today))
            if value is None:
                raise OkrError(f"{self.config.kpis[kr.kpi].name} has no data for {chosen.label} yet")
        else:
            if value is None:
                raise OkrError("give this week's value")
            value = float(value)
            if kr.kind == "milestone" and value not in (0.0, 1.0):
                raise OkrError("a milestone is 1 (done) or 0 (not yet)")
        now = self.clock()
        with self.sessions.begin() as session:
            # the compare-and-set is the transaction's first statement: it takes the write lock (SQLite) or the
            # row lock (PostgreSQL) before anything is read, so two saves from forms that saw the same count
            # cannot both pass
            if not okr_queries.take_check_in(session, key_result_id, seen):
                latest = okr_queries.latest_check_in(session, key_result_id)
                count = okr_queries.check_in_count(session, key_result_id)
                if latest is None:
                    raise OkrConflictError("the key result changed since you opened the form: nothing was saved; "
                                           "save again", count)
                raise OkrConflictError(
                    f"{latest.author} checked in on this key result at "
                    f"{latest.at.astimezone(self.config.tz):%H:%M} ({latest.week}: "
                    f"{format_value(latest.value, kr.unit)}, confidence {latest.confidence}) since you opened the "
                    "form: nothing was overwritten. Your entry is still in the form: look at theirs, then save "
                    "again to add yours as a correction.", count)
            earlier = okr_queries.latest_check_in(session, key_result_id, chosen.label)
            row = CheckIn(key_result_id=key_result_id, week=chosen.label, value=value, confidence=confidence,
                          moved=moved, blocks=blocks, author=who.label, at=now,
                          replaces_id=earlier.id if earlier else None)
            session.add(row)
            session.flush()
            self.accounts.audit(session, who, "okr.check_in", f"key result {key_result_id}", week=chosen.label,
                                value=value, confidence=confidence, replaces=row.replaces_id)
            bump_data_version(session)
            return _check_in_view(row, replaced=False, unit=kr.unit)

    def _bound_period(self, kr: KeyResult, quarter: Period, on: date) -> Period:
        if kr.kpi_window == "week":
            week = period_containing("week", on)
            return week if on >= week.last else week.previous()
        return Period("quarter", quarter.first, min(on, quarter.last))

    def _bound_value(self, kr: KeyResult, quarter: Period, on: date) -> float | None:
        return self.kpis.reading(kr.kpi, kr.kpi_scope, self._bound_period(kr, quarter, on)).value

    # ---- closing a quarter and baselines -----------------------------------------------------------------

    def close_quarter(self, who: Identity, quarter: str) -> int:
        """Score every key result of a quarter 0–1 and stop its check-ins; returns how many were scored."""
        who.require("editor", "closing a quarter")
        period = self.parse_quarter(quarter)
        opens = period.last - timedelta(days=CLOSE_DAYS_BEFORE_END - 1)
        if self.today() < opens:
            raise OkrError(f"{period.label} runs until {period.last.isoformat()}: it can be closed from "
                           f"{opens.isoformat()}")
        view = self.quarter(period.label)
        if view.closed:
            raise OkrError(f"{period.label} is already closed")
        if not view.key_results:
            raise OkrError(f"{period.label} has no key results to score")
        now = self.clock()
        with self.sessions.begin() as session:
            if okr_queries.closed_quarter(session, period.label) is not None:
                raise OkrError(f"{period.label} is already closed")
            session.add(OkrQuarter(quarter=period.label, closed_by=who.label, closed_at=now))
            session.flush()  # a second close racing this one fails here on the primary key
            scores = {}
            for k in view.key_results:
                score = okr.close_score(k.progress)
                okr_queries.score_key_result(session, k.id, k.current, score)
                scores[k.id] = score
            self.accounts.audit(session, who, "okr.quarter.close", period.label, scores=scores)
            bump_data_version(session)
        return len(scores)

    def adopt_baseline(self, who: Identity, key_result_id: int) -> Baseline:
        """Make the level a bound key result reached its KPI's new baseline at its scope (closed quarters only)."""
        who.require("editor", "adopting a baseline")
        with self.sessions.begin() as session:
            kr = okr_queries.key_result(session, key_result_id)
            if kr is None:
                raise OkrError(f"no key result {key_result_id}")
            objective = okr_queries.objective(session, kr.objective_id)
            assert objective is not None
            if not kr.kpi:
                raise OkrError("only a key result bound to a KPI proposes a baseline")
            if self._closed(session, objective.quarter) is None or kr.final_value is None:
                raise OkrError(f"close {objective.quarter} first: the baseline is the level reached at its end")
            quarter = self.parse_quarter(objective.quarter)
            source = f"OKR {objective.quarter}: {kr.title}"
            session.add(AdoptedBaseline(kpi=kr.kpi, scope=kr.kpi_scope, value=kr.final_value, on=quarter.last,
                                        source=source, adopted_by=who.label, adopted_at=self.clock()))
            self.accounts.audit(session, who, "kpi.baseline.adopt", f"{kr.kpi} at {kr.kpi_scope}",
                                value=kr.final_value, source=source)
            bump_data_version(session)
            return Baseline(kr.final_value, quarter.last, source)

    def baselines(self, scope: str = "plant") -> dict[str, Baseline | None]:
        """Every KPI's baseline at a scope: the newest adopted one there, else the plant configuration's."""
        out: dict[str, Baseline | None] = {k: d.baseline for k, d in self.config.kpis.items()}
        scope = self._normal_scope(scope)
        with self.sessions() as session:
            for row in okr_queries.adopted_baselines(session, scope):
                if row.kpi in out:
                    out[row.kpi] = Baseline(row.value, row.on, row.source)
        return out

    # ---- reading a quarter -------------------------------------------------------------------------------

    def quarter(self, quarter: str | None = None, scope: str | None = None) -> QuarterView:
        """A quarter's objectives in cascade order with every key result scored; ``scope`` keeps the objectives
        of that scope and the ones above and below it. Read once per data version (every save and load bumps it)
        and day: the page's sections drawn together share one read."""
        period = self.parse_quarter(quarter) if quarter else self.current_quarter()
        key = (period.label, scope or "", self.kpis.data_version(), self.today())
        with self._guard:
            if key in self._views:
                return self._views[key]
        view = self._read_quarter(period, scope)
        with self._guard:
            self._views[key] = view
            while len(self._views) > VIEWS_KEPT:
                self._views.popitem(last=False)
        return view

    def _read_quarter(self, period: Period, scope: str | None) -> QuarterView:
        today = self.today()
        on = min(today, period.last)
        expected = okr.expected_progress(period.first, period.last, on)
        weeks = quarter_weeks(period)
        week = period_containing("week", on)
        with self.sessions() as session:
            closed = self._closed(session, period.label)
            objectives, krs, checkins = okr_queries.quarter_rows(session, period.label)
            adopted = {(b.kpi, b.scope, b.on) for b in okr_queries.adopted_baselines(session)}
        by_kr: dict[int, list[CheckIn]] = defaultdict(list)
        for c in checkins:
            by_kr[c.key_result_id].append(c)
        live = self._live_values(krs, period, on, closed is not None)
        views: dict[int, KeyResultView] = {}
        for k in krs:
            views[k.id] = self._key_result_view(k, by_kr[k.id], live.get(k.id), period, weeks, on, expected, week)
        by_objective: dict[int, list[KeyResultView]] = defaultdict(list)
        for k in krs:
            by_objective[k.objective_id].append(views[k.id])
        ordered = self._cascade(objectives, scope)
        out = []
        for o, depth in ordered:
            results = by_objective[o.id]
            scored = [ScoredKeyResult(str(k.id), k.progress, k.status, k.weight) for k in results]
            warnings = []
            if len(results) < MIN_KEY_RESULTS:
                warnings.append(f"{len(results)} key result{'s' if len(results) != 1 else ''}: an objective needs "
                                f"{MIN_KEY_RESULTS}–{MAX_KEY_RESULTS} to be measurable")
            out.append(ObjectiveView(o.id, o.quarter, o.scope, self.level_of(o.scope), self.scope_name(o.scope),
                                     o.parent_id, o.title, o.owner, o.version, depth, results,
                                     okr.objective_progress(scored), okr.objective_status(scored), warnings))
        shown = [k for o in out for k in o.key_results]
        meeting = Meeting(
            week.label,
            missing=[] if closed else [k for k in shown if k.this_week is None],
            disagreements=[k for k in shown if k.disagreement],
            blocked=[k for k in shown if k.latest and k.latest.blocks])
        proposals = []
        if closed is not None or today >= period.last - timedelta(days=CLOSE_DAYS_BEFORE_END - 1):
            baselines: dict[str, dict[str, Baseline | None]] = {}
            for k in shown:
                value = k.final_value if closed is not None else k.current
                if k.kpi and value is not None:
                    if k.kpi_scope not in baselines:
                        baselines[k.kpi_scope] = self.baselines(k.kpi_scope)
                    proposals.append(BaselineProposal(k.id, k.kpi, k.kpi_scope, value,
                                                      baselines[k.kpi_scope][k.kpi],
                                                      (k.kpi, k.kpi_scope, period.last) in adopted))
        return QuarterView(period, today, week, [w for w in weeks if w.first <= on], expected,
                           closed.closed_by if closed else None, closed.closed_at if closed else None, out, meeting,
                           proposals)

    def _live_values(self, krs: list[KeyResult], quarter: Period, on: date,
                     closed: bool) -> dict[int, tuple[float | None, str, str]]:
        """Bound key results' KPI values (value, status, where from), one engine read per scope and period."""
        groups: dict[tuple[str, Period], list[KeyResult]] = defaultdict(list)
        for k in krs:
            if k.kpi and not (closed and k.final_value is not None):
                groups[(k.kpi_scope, self._bound_period(k, quarter, on))].append(k)
        out = {}
        for (scope, period), members in groups.items():
            readings = self.kpis.readings({k.kpi for k in members}, scope, period)
            for k in members:
                r = readings[k.kpi]
                when = (f"quarter to date ({period.first:%d %b}–{period.last:%d %b})" if k.kpi_window == "quarter"
                        else f"week {period.label}")
                out[k.id] = (r.value, str(r.status),
                             f"{self.config.kpis[k.kpi].name} at {self.config.scope_name(scope)}, {when}")
        return out

    def _key_result_view(self, k: KeyResult, rows: list[CheckIn], live: tuple[float | None, str, str] | None,
                         quarter: Period, weeks: list[Period], on: date, expected: float,
                         week: Period) -> KeyResultView:
        replaced = {c.replaces_id for c in rows if c.replaces_id}
        versions = [_check_in_view(c, c.id in replaced, k.unit) for c in reversed(rows)]
        newest_by_week: dict[str, CheckInView] = {}
        for v in reversed(versions):  # oldest first, so the newest version of each week wins
            newest_by_week[v.week] = v
        latest_week = max(newest_by_week, default=None)
        latest = newest_by_week[latest_week] if latest_week else None
        kpi_status = ""
        if k.final_value is not None:
            current, source = k.final_value, f"value at the close of {quarter.label}"
        elif k.kpi:
            current, kpi_status, source = live or (None, "", "")
        elif latest is not None:
            current, source = latest.value, f"checked in {latest.week} by {latest.author}"
        else:
            current, source = None, "no check-in yet"
        progress = okr.progress(k.kind, k.start, k.target, current)
        status = okr.status(k.kind, progress, expected)
        history = []
        for w in weeks:
            if w.first > on:
                break
            point = newest_by_week.get(w.label)
            share = okr.expected_progress(quarter.first, quarter.last, min(w.last, quarter.last))
            path = None
            if k.kind in ("increase", "decrease") and k.start is not None:
                path = k.start + (k.target - k.start) * share
            elif k.kind in ("stay_above", "stay_below"):
                path = k.target
            history.append(WeekPoint(w.label, w.last, point.value if point else None,
                                     point.confidence if point else None, path))
        confidences = [p.confidence for p in history if p.confidence is not None]
        return KeyResultView(
            k.id, k.objective_id, k.title, k.kind, k.start, k.target, k.unit, k.weight, k.owner, k.kpi, k.kpi_scope,
            k.kpi_window, k.version, k.checkins, rule_text(k.kind, k.start, k.target, k.unit), current, source,
            progress, expected, status, kpi_status, latest, newest_by_week.get(week.label), history, versions,
            okr.disagreement(confidences, status), k.final_value, k.score)

    def _cascade(self, objectives: list[Objective], scope: str | None) -> list[tuple[Objective, int]]:
        """Objectives in cascade order (each parent followed by its children), with depth; filtered to a scope
        and the chain above and below it."""
        children: dict[int | None, list[Objective]] = defaultdict(list)
        known = {o.id for o in objectives}
        for o in sorted(objectives, key=lambda o: (LEVELS.index(self.level_of(o.scope)), o.id)):
            children[o.parent_id if o.parent_id in known else None].append(o)
        ordered: list[tuple[Objective, int]] = []

        def walk(parent: int | None, depth: int) -> None:
            for o in children.get(parent, []):
                ordered.append((o, depth))
                walk(o.id, depth + 1)

        walk(None, 0)
        if not scope:
            return ordered
        scope = self._normal_scope(scope)
        by_id = {o.id: o for o in objectives}
        keep: set[int] = set()
        for o in objectives:
            if o.scope == scope or (scope != COMPANY and self._contains(scope, o.scope)):
                keep.add(o.id)
                parent = o.parent_id
                while parent in by_id and parent not in keep:
                    keep.add(parent)
                    parent = by_id[parent].parent_id
        return [(o, d) for o, d in ordered if o.id in keep]

    def check_in_rows(self, quarter: str) -> list[dict[str, Any]]:
        """Every saved check-in version of a quarter, for the CSV and Excel exports (oldest first)."""
        view = self.quarter(quarter)
        rows = []
        for o in view.objectives:
            for k in o.key_results:
                for v in reversed(k.versions):
                    rows.append({
                        "quarter": view.quarter.label, "objective": o.title, "level": o.level,
                        "scope": o.scope_name, "key_result": k.title, "rule": k.rule, "unit": k.unit,
                        "bound_kpi": self.config.kpis[k.kpi].name if k.kpi else "", "week": v.week,
                        "value": None if v.value is None else round(v.value, 4), "confidence": v.confidence,
                        "confidence_band": v.band,
                        "what_moved": v.moved, "what_blocks": v.blocks, "author": v.author,
                        "saved_at": v.at.astimezone(self.config.tz).strftime("%Y-%m-%d %H:%M"),
                        "version": "corrected later" if v.replaced else "current",
                        "corrects": v.replaces_id or "", "check_in_id": v.id})
        return sorted(rows, key=lambda r: r["check_in_id"])


def _check_in_view(c: CheckIn, replaced: bool, unit: str = "") -> CheckInView:
    return CheckInView(c.id, c.key_result_id, c.week, c.value, c.confidence, c.moved, c.blocks, c.author, c.at,
                       c.replaces_id, replaced, unit)


def _text(value: Any, field_name: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise OkrError(f"{field_name}: say it in a few words")
    if len(text) > MAX_TEXT:
        raise OkrError(f"{field_name}: at most {MAX_TEXT} characters")
    return text


def _free_text(value: Any, field_name: str) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise OkrError(f"{field_name}: at most {MAX_TEXT} characters")
    return text
