"""The plant's OKRs as the page, the API and the exports see them: objectives cascaded company → plant →
area/line, key results with a hand-entered value or a bound KPI, weekly check-ins kept with every correction, the
week's meeting view and, near a quarter's close, baseline proposals. Plain dataclasses and the rules they share.

The services that fill them: ``okr_quarter.OkrQuarters`` reads a quarter (every reader goes through it),
``okr_plans.OkrPlans`` plans objectives and key results and closes a quarter, ``okr_weekly.OkrCheckIns`` saves the
week's check-ins. A key result bound to a KPI reads it through the readings service, so it shows the same number as
the board and the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from huddle.dashboard.core import okr_scoring as okr
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.okr_scoring import KrStatus, MonthMark, OkrError
from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.core.plant import Baseline

if TYPE_CHECKING:
    from huddle.dashboard.services.conflicts import ChangedSince
    from huddle.data.models import CheckIn
    from sqlalchemy import Row

LEVELS = ("company", "plant", "area", "line")
COMPANY = "company"
LEVEL_WORDS = {"company": N_("company"), "plant": N_("plant"), "area": N_("area"), "line": N_("line")}
MIN_KEY_RESULTS, MAX_KEY_RESULTS = 2, 5
KIND_WORDS = {"increase": N_("increase to"), "decrease": N_("decrease to"), "stay_above": N_("stay at or above"),
              "stay_below": N_("stay at or below"), "milestone": N_("milestone")}
MAX_TEXT = 1000
CLOSE_DAYS_BEFORE_END = 14  # a quarter can be closed from its last two weeks on
_T = TypeVar("_T")


class OkrConflictError(OkrError):
    """Someone else checked in (or edited) since the form was opened; carries what the form should now name."""

    def __init__(self, message: str, seen: int, changed: ChangedSince | None = None) -> None:
        super().__init__(message)
        self.seen = seen
        self.changed = changed  # who, when and their version, for the form to show beside the person's text


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


class WeekPoint(NamedTuple):
    """A week of the quarter in a key result's history: its value (a bound key result's KPI as that week reads it,
    else the week's check-in), the check-in's confidence and where the straight path is (a named tuple: a quarter's
    read makes one per key result and week, some 4,000)."""

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
    months: list[MonthMark] = field(default_factory=list)  # a bound key result's KPI per month of the quarter

    @property
    def maintain(self) -> bool:
        """The target equals the start: the key result keeps a level (holding or slipping) rather than moving one."""
        return okr.is_maintain(self.kind, self.start, self.target)

    @property
    def red_months(self) -> list[MonthMark]:
        """Red months the bound KPI's reading over the key result's window hides (a red month inside a green
        quarter)."""
        return okr.hidden_red_months(self.kpi_status, self.months)

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
            "maintain": self.maintain,
            "months": [{"month": m.month, "value": m.value, "status": m.status, "to_date": m.running}
                       for m in self.months] if self.kpi else None,
            "red_months": [m.month for m in self.red_months] if self.kpi else None,
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
    people: dict[str, str] = field(default_factory=dict)  # login -> display name, for the people it names

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
        return _("milestone: done or not")
    if okr.is_maintain(kind, start, target):
        held = _("maintain at or above {target}") if kind == "increase" else _("maintain at or below {target}")
        return held.format(target=format_value(target, unit))
    if kind in ("increase", "decrease"):
        return (_("increase {start} → {target}") if kind == "increase" else _("decrease {start} → {target}")).format(
            start=format_value(start, unit), target=format_value(target, unit))
    return f"{_(KIND_WORDS[kind])} {format_value(target, unit)}"


def check_in_view(c: CheckIn | Row[Any], replaced: bool, unit: str = "") -> CheckInView:
    """A stored check-in as the views show it."""
    return made(CheckInView, {"id": c.id, "key_result_id": c.key_result_id, "week": c.week, "value": c.value,
                              "confidence": c.confidence, "moved": c.moved, "blocks": c.blocks, "author": c.author,
                              "at": c.at, "replaces_id": c.replaces_id, "replaced": replaced, "unit": unit})


def made(cls: type[_T], fields: dict[str, Any]) -> _T:
    """A frozen view made from every one of its fields without its ``__init__``, which sets each field through
    ``object.__setattr__``: a quarter's read makes thousands of check-ins."""
    view = object.__new__(cls)
    view.__dict__.update(fields)
    return view
