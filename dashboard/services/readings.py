"""The readings service: the one service that turns stored measures into KPI readings for any scope and period.

The board, the tree, the review, OKRs, the API and exports all ask it, so the same number appears
everywhere. A reading carries its value, numerator and denominator, target, gap, status and how old its data is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from huddle.dashboard.core.calendar import now_utc
from huddle.dashboard.core.format import format_moment
from huddle.dashboard.core.i18n import N_, _, number
from huddle.dashboard.core.kpi import (
    FORMULAS,
    PEOPLE_HOURS_FORMULAS,
    TIMED_MEASURES,
    Band,
    Kind,
    KpiResult,
    Status,
    coverage_of,
    evaluate,
    gap_to_target,
    implausible,
    rolled_throughput_yield,
    status_of,
)
from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.core.plant import KpiDef, PlantConfig
from huddle.dashboard.core.plant_calendar import PlantCalendar
from huddle.dashboard.core.targets import band_at_grain
from huddle.dashboard.services import reading_context as shared
from huddle.dashboard.services.ended_points import EndedPointPlan, covers_too_little, ended_plan, judge_ended
from huddle.dashboard.services.people_hours import PeopleHours, people_hours
from huddle.dashboard.services.planned import configured_last_recordable, period_state, unjudged, unjudged_status
from huddle.dashboard.services.reading_context import (
    ReadingContext,
    formula_inputs,
    reading_context,
    shared_session,
    sharing_context,
)
from huddle.dashboard.services.readings_over import SERIES_GROUPS, ManyPeriods, Point, series_group, series_label
from huddle.data.ingest.facts import GROUPS
from huddle.data.queries import ledger as ledger_queries
from huddle.data.queries import readings as reading_queries
from huddle.data.queries import records as record_queries
from huddle.data.queries.scope import ScopeFilter
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


@dataclass(frozen=True)
class Reading:
    """One KPI for one scope and period."""

    kpi: str
    scope: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float | None
    gap: float | None
    status: Status
    unit: str
    data_through: datetime | None
    age_s: float | None
    flags: tuple[str, ...] = ()
    parts: dict[str, Any] = field(default_factory=dict)
    #: share of the period's scheduled production time its records cover (so far, while it runs); None: not known
    coverage: float | None = None
    #: False when the period has ended and its data covers only part of it; None while it runs or cannot be told
    complete: bool | None = None
    #: why the value is outside its physical range (then the status is "check data")
    checks: tuple[str, ...] = ()
    #: why the data is incomplete, in words ("data to 11:00 · 68 % of the shift")
    gaps: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kpi": self.kpi, "scope": self.scope, "period": self.period, "value": self.value,
            "numerator": self.numerator, "denominator": self.denominator, "target": self.target,
            "gap": self.gap, "status": str(self.status), "unit": self.unit,
            "data_through": self.data_through.isoformat() if self.data_through else None,
            "age_seconds": round(self.age_s) if self.age_s is not None else None,
            "coverage": round(self.coverage, 4) if self.coverage is not None else None,
            "complete": self.complete, "checks": list(self.checks), "gaps": list(self.gaps),
            "flags": list(self.flags), **({"parts": self.parts} if self.parts else {}),
        }


class Judged(NamedTuple):
    """A reading's value and how it is judged, before it is shown as a ``Reading`` (see ``Readings._judged``)."""

    result: KpiResult
    band: Band
    status: Status
    through: datetime | None
    parts: dict[str, Any]
    checks: tuple[str, ...]
    coverage: float | None
    complete: bool | None
    gaps: tuple[str, ...]


#: What each record type is called when a reading says how far its source has been read.
RECORD_WORDS = {"production_counts": N_("counts"), "stop_events": N_("stops"), "quality_events": N_("defects"),
                "safety_events": N_("safety events"), "labour": N_("labour hours"), "kpi_values": N_("loaded values"),
                "hours_worked": N_("hours worked"), "work_orders": N_("work orders")}


class Readings(ManyPeriods):
    """Computes KPI readings from the database for a plant configuration."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session],
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.config = config
        self.sessions = session_factory
        self.clock = clock
        #: how each KPI is judged over an ended period by the short way (None: only the full way)
        self.ended_plans: dict[str, EndedPointPlan | None] = {k: ended_plan(config, d) for k, d in config.kpis.items()}

    # ---- scopes and periods ------------------------------------------------------------------------------

    def scope_filter(self, scope: str) -> ScopeFilter:
        """Lines and area/plant-level facts that belong to a scope."""
        kind = self.config.scope_kind(scope)
        lines = tuple(self.config.scope_lines(scope))
        if kind == "line":
            return ScopeFilter(lines, (), False)
        if kind == "area":
            return ScopeFilter(lines, (scope,), False)
        return ScopeFilter(lines, tuple(self.config.areas), True)

    def locations(self, scope: str) -> tuple[str, ...]:
        """Location keys whose direct KPI values belong to a scope."""
        f = self.scope_filter(scope)
        return f.lines + f.areas + ((self.config.site_key,) if f.plant else ())

    def last_completed_shift(self) -> Period | None:
        """The shift that ended most recently (what a huddle reviews)."""
        inst = self.config.calendar.last_completed(self.clock())
        return Period("shift", inst.production_date, inst.production_date, inst.shift_key) if inst else None

    # ---- readings ----------------------------------------------------------------------------------------

    def readings(self, kpis: Iterable[str], scope: str, period: Period) -> dict[str, Reading]:
        """Readings of several KPIs for one scope and period, from one query of the summed measures."""
        return self.readings_and_sums(kpis, scope, period)[0]

    def readings_and_sums(self, kpis: Iterable[str], scope: str, period: Period,
                          also: frozenset[str] = frozenset()) -> tuple[dict[str, Reading], dict[str, Any] | None]:
        """``readings`` and the summed measures they were worked from, with the measures of ``also`` summed by the
        same query (None when none of the KPIs is worked from summed measures: then nothing is summed)."""
        keys = list(kpis)
        with shared_session(self.sessions) as session:
            measures = shared.measures_of(self.config, keys)
            sums = self._sums(session, scope, period, measures | also) if measures is not None else None
            end = self.period_end(period)
            ctx = self._context(session)
            return {k: self._reading(session, self.config.kpis[k], scope, period, sums, end, ctx) for k in keys}, sums

    def own_period(self, kpi: str, period: Period) -> Period:
        """The period a KPI is read over when a page shows ``period``: a weekly or monthly KPI shows its week or
        month to date rather than a shift it is not measured in. A gauge (days since the last recordable) is read
        at an instant, the end of the period shown (or now while it runs), so it keeps the period shown."""
        if FORMULAS[self.config.kpis[kpi].formula].kind is Kind.GAUGE:
            return period
        freq = self.config.kpis[kpi].frequency
        order = ["shift", "day", "week", "month"]
        own = {"hour": "shift"}.get(freq, freq)
        if period.grain in order and order.index(own) > order.index(period.grain):
            return period_containing(own, period.last)
        return period

    def readings_in_own_periods(self, kpis: Iterable[str], scope: str, period: Period) -> dict[str, Reading]:
        """Readings of several KPIs, each over its own period (see ``own_period``), one query per period."""
        by_period: dict[Period, list[str]] = {}
        for k in kpis:
            by_period.setdefault(self.own_period(k, period), []).append(k)
        out: dict[str, Reading] = {}
        for p, keys in by_period.items():
            out.update(self.readings(keys, scope, p))
        return out

    @sharing_context
    def own_periods_by_scope(self, kpis: Iterable[str], scopes: Iterable[str],
                             period: Period) -> dict[str, dict[str, Reading]]:
        """``readings_in_own_periods`` of each scope, every scope's readings sharing one context (a plant of 20 lines
        read its sources' state and calendar 42 times)."""
        keys = list(kpis)
        return {scope: self.readings_in_own_periods(keys, scope, period) for scope in scopes}

    def reading(self, kpi: str, scope: str, period: Period) -> Reading:
        """One KPI for one scope and period."""
        return self.readings([kpi], scope, period)[kpi]

    def formula_reading(self, formula: str, scope: str, period: Period) -> Reading:
        """A built-in formula read for a scope and period: as the plant's KPI with that formula (its target and
        status) when it has one, else the same computation without a target."""
        key = next((k for k, d in self.config.kpis.items() if d.formula == formula), None)
        if key is not None:
            return self.reading(key, scope, period)
        f = FORMULAS[formula]
        kdef = KpiDef(key=formula, name=f.description, formula=formula, unit=f.unit, category="S", layer=1,
                      direction=f.direction, targets=(), amber=None, owner=None, data_source=None,
                      frequency="month", leading=False)
        with shared_session(self.sessions) as session:
            measures = shared.formula_sums(f)
            sums = self._sums(session, scope, period, measures) if measures is not None else None
            return self._reading(session, kdef, scope, period, sums)

    def series(self, kpi: str, scope: str, grain: str, first: date, last: date) -> list[Reading]:
        """A KPI per period of a grain between two production dates (for trends and the monthly review)."""
        return self.series_many([kpi], scope, grain, first, last)[kpi]

    @staticmethod
    def _accumulate(buckets: dict[str, dict[str, Any]], label: str, row: dict[str, Any]) -> None:
        """Add one grouped row's sums into its period's bucket."""
        acc = buckets.setdefault(label, {"facts": 0, "data_through": None})
        for m, v in row.items():
            if m in SERIES_GROUPS:
                continue
            if m == "data_through":
                if v and (acc["data_through"] is None or v > acc["data_through"]):
                    acc["data_through"] = v
            else:
                acc[m] = (acc.get(m) or 0) + (v or 0)

    def _summed(self, key: str) -> bool:
        return FORMULAS[self.config.kpis[key].formula].kind in (Kind.RATIO, Kind.TOTAL)

    def series_many(self, kpis: Iterable[str], scope: str, grain: str, first: date,
                    last: date) -> dict[str, list[Reading]]:
        """Several KPIs per period of a grain, from one grouped query of the summed measures."""
        return self._per_period(kpis, scope, grain, first, last, self._reading, through=True)

    def series_by_line(self, kpis: Iterable[str], scope: str, grain: str, first: date,
                       last: date) -> dict[str, dict[str, list[Reading]]]:
        """Several KPIs per period for every line of a scope (line → KPI → series), the summed ones from one
        query grouped by line and period."""
        keys = list(kpis)
        lines = self.config.scope_lines(scope)
        summed = [k for k in keys if self._summed(k)]
        out: dict[str, dict[str, list[Reading]]] = {ln: {} for ln in lines}
        others = [k for k in keys if k not in summed]
        if others:
            for ln in lines:
                out[ln].update(self.series_many(others, ln, grain, first, last))
        if summed:
            group = ("line", *series_group(grain))
            buckets: dict[str, dict[str, dict[str, Any]]] = {ln: {} for ln in lines}
            with shared_session(self.sessions) as session:
                for row in reading_queries.sums_by(session, self.scope_filter(scope), first, last, None, group,
                                                   shared.measures_of(self.config, summed)):
                    if row["line"] in buckets:
                        self._accumulate(buckets[str(row["line"])], series_label(grain, row), row)
                periods = [(p.label, p) for p in self._periods(grain, first, last)]
                by_period = self.period_ends(p for _, p in periods)
                ends = {label: by_period[period] for label, period in periods}
                ctx = self._context(session)
                for ln in lines:
                    for k in summed:
                        kdef = self.config.kpis[k]
                        out[ln][k] = [self._reading(session, kdef, ln, period, buckets[ln].get(label), ends[label],
                                                    ctx) for label, period in periods]
        return {ln: {k: out[ln][k] for k in keys} for ln in lines}

    def _sums(self, session: Session, scope: str, period: Period,
              measures: frozenset[str] | None = None) -> dict[str, Any]:
        """The summed measures of a scope over a period (one row): every measure, or those of ``measures``."""
        return reading_queries.sums_by(session, self.scope_filter(scope), period.first, period.last, period.shift,
                                       (), measures)[0]

    def _context(self, session: Session) -> ReadingContext:
        return reading_context(self.config, session, self.clock, id(self.sessions))

    def plant_calendar(self, session: Session) -> PlantCalendar:
        """The plant calendar the readings judge by (read once per ``shared_context()``)."""
        return self._context(session).calendar

    def _reading(self, session: Session, kdef: KpiDef, scope: str, period: Period, sums: dict[str, Any] | None,
                 end: datetime | None = None, ctx: ReadingContext | None = None) -> Reading:
        ctx = ctx or self._context(session)
        j = self._judged(session, kdef, scope, period, sums, end, ctx)
        return unjudged(Reading(
            kpi=kdef.key, scope=scope, period=period.label, value=j.result.value, numerator=j.result.numerator,
            denominator=j.result.denominator, target=j.band.target, gap=gap_to_target(j.result.value, j.band),
            status=j.status, unit=kdef.unit, data_through=j.through,
            age_s=(ctx.now - j.through).total_seconds() if j.through else None, flags=j.result.flags, parts=j.parts,
            coverage=j.coverage, complete=j.complete, checks=j.checks, gaps=j.gaps,
        ), period_state(ctx.calendar, self.config, scope, period))

    def _point(self, session: Session, kdef: KpiDef, scope: str, period: Period, sums: dict[str, Any] | None,
               end: datetime, ctx: ReadingContext) -> Point:
        """The value and status of ``_reading``'s reading alone, without making the reading (a trend's and a
        calendar's cells, a red streak's year of shifts)."""
        plan = self.ended_plans.get(kdef.key) if end <= ctx.now else None
        if plan is not None and not (plan.pm and period.last >= self._today(ctx.now)):
            value, status = judge_ended(plan, kdef, period, sums or {}, end, ctx.read_through)
        else:
            j = self._judged(session, kdef, scope, period, sums, end, ctx, covered=False)
            value, status = j.result.value, j.status
        status, words = unjudged_status(status, value, period_state(ctx.calendar, self.config, scope, period))
        return Point(period.label, value, status, words)

    def _judged(self, session: Session, kdef: KpiDef, scope: str, period: Period, sums: dict[str, Any] | None,
                end: datetime | None, ctx: ReadingContext, covered: bool = True) -> Judged:
        """A reading's value, target band and status, and (``covered``, or once the period has ended: they judge
        it) its coverage and gaps; a running period's coverage so far is shown, never judged."""
        formula = FORMULAS[kdef.formula]
        now = ctx.now
        end = end or self.period_end(period)
        through: datetime | None = None
        parts: dict[str, Any] = {}
        units: float | None = None  # line-shifts worked or values loaded: what a total's target applies to
        people: PeopleHours | None = None
        if formula.kind in (Kind.RATIO, Kind.TOTAL):
            facts = (sums or {}).get("facts") or 0
            if facts and formula.key in PEOPLE_HOURS_FORMULAS:
                # the days whose hours should be in: all of an ended period, up to yesterday of a running one
                due = period.last if end <= now else now.astimezone(self.config.tz).date() - timedelta(days=1)
                people = people_hours(self.config, session, scope, self.scope_filter(scope), period,
                                      (sums or {}).get("hours_worked"), due, ctx.hours)
                sums = sums if people.hours is None else {**(sums or {}), "hours_worked": people.hours}
                parts["hours_worked"] = people.words
            if facts and formula.key == "pm_compliance" and period.last >= self._today(now):
                # a PM still open on its own day (or on one to come) is neither done on time nor late yet
                pending = record_queries.pms_open_from(session, self.scope_filter(scope),
                                                       max(period.first, self._today(now)), period.last)
                judged = max(0.0, float((sums or {}).get("pm_scheduled") or 0) - pending)
                sums = {**(sums or {}), "pm_scheduled": judged}
            result = evaluate(formula, sums or {}) if facts else KpiResult(None)
            if people is not None and (people.prorated or len(people.records) > 1):
                result = KpiResult(result.value, result.numerator, result.denominator,
                                   (*result.flags, people.words))
            if formula.kind is Kind.TOTAL:
                units = float((sums or {}).get("line_shifts") or 0)
            through = (sums or {}).get("data_through")
        elif formula.kind is Kind.DIRECT:
            rows = reading_queries.direct_values(session, kdef.key, self.locations(scope), period.first, period.last,
                                         period.shift)
            row = rows[0] if rows else {"n": 0}
            if row["n"]:
                total = float(row["total"])
                value = total if kdef.aggregation == "sum" else total / row["n"]
                units = float(row["n"])
                result = KpiResult(value, total, None if kdef.aggregation == "sum" else float(row["n"]))
                last_day = row["last_date"]
                if isinstance(last_day, str):
                    last_day = date.fromisoformat(last_day)
                through = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=self.config.tz)
            else:
                result = KpiResult(None)
        elif formula.kind is Kind.PRODUCT:
            steps = self.config.flow_for(scope)
            step_formula = FORMULAS[formula.step_formula or "fpy"]
            yields: list[float | None] = []
            for step in steps:
                s = self._sums(session, step, period)
                r = evaluate(step_formula, s) if s.get("facts") else KpiResult(None)
                yields.append(r.value / step_formula.scale if r.value is not None else None)
                parts[step] = yields[-1]
                if s.get("data_through") and (through is None or s["data_through"] > through):
                    through = s["data_through"]
            rty = rolled_throughput_yield(yields)
            result = KpiResult(rty * formula.scale if rty is not None else None)
        else:  # GAUGE: whole days since the last recordable, as of the period's end (or now while it runs)
            f = self.scope_filter(scope)
            as_of = min(now, end)
            last = configured_last_recordable(ctx.calendar, self.config, scope,
                                              record_queries.last_recordable(session, f, as_of), as_of)
            # a clean record counts from the start of the scope's data: the best news is a number judged against
            # its target, not "no data" (only a scope without any data has none)
            since = last or reading_queries.first_record(session, f, as_of)
            result = KpiResult(float((as_of - since).days) if since is not None else None)
            if since is not None:
                parts["last_recordable" if last is not None else "no_recordable_since"] = since.isoformat()
            through = as_of
        band = band_at_grain(kdef, kdef.band(period.last), units)
        reference = min(now, end)
        stale = False
        if through is not None and formula.kind is not Kind.GAUGE and end > now:
            # only a period still running can go stale: an ended one is history, its data is what it is
            stale = (reference - through).total_seconds() > kdef.frequency_s + self.config.stale_grace_s \
                or self._live_source_lost(formula, scope, ctx)
        checks = implausible(formula, sums or {}) if result.value is not None else ()
        coverage, complete, gaps = (self._completeness(session, formula, scope, period, sums or {}, end, ctx, people)
                                    if result.value is not None and (covered or end <= now) else (None, None, ()))
        status = status_of(result.value, band, stale=stale, incomplete=complete is False, check=bool(checks))
        return Judged(result, band, status, through, parts, checks, coverage, complete, gaps)

    def _today(self, now: datetime) -> date:
        """The production date of an instant's local day (only PM compliance asks: worked when it does)."""
        return now.astimezone(self.config.tz).date()

    def _live_source_lost(self, formula: Any, scope: str, ctx: ReadingContext) -> bool:
        """Whether a live source that feeds the scope's counts and stops has lost its broker: its data stops there."""
        if not ctx.live_down or not (formula.kind is Kind.PRODUCT or
                                     {formula.numerator, formula.denominator} & set(GROUPS["production"])):
            return False
        lines = set(self.config.scope_lines(scope))
        return any(lines & fed for fed in ctx.live_down.values())

    def _completeness(self, session: Session, formula: Any, scope: str, period: Period, sums: dict[str, Any],
                      end: datetime, ctx: ReadingContext, people: PeopleHours | None = None,
                      ) -> tuple[float | None, bool | None, tuple[str, ...]]:
        """How much of a period a reading's data covers: (coverage, complete, why not in words).

        Count- and stop-based measures are judged by the production time their records cover; the others by
        whether their sources have been read since the period ended; hours worked recorded for the scope also by
        whether every day of the period has hours. A running period is never incomplete: it shows its coverage so
        far."""
        ended = end <= ctx.now
        if formula.kind is Kind.GAUGE:
            return None, None, ()
        used, records = formula_inputs(formula)
        coverage = None
        gaps: list[str] = []
        if people is not None and people.hours is not None:  # the hours came from these records, not labour alone
            records = (records - {"labour"}) | people.records
            if people.gap:
                gaps.append(people.gap)
        if used & TIMED_MEASURES and formula.kind is not Kind.PRODUCT:
            expected = float(sums.get("scheduled_s") or 0.0)
            if expected and not ended:
                expected -= self._scheduled_after(session, scope, period, ctx)
            coverage = coverage_of(sums.get("covered_s"), expected)
            if coverage is not None and ended and covers_too_little(sums, expected):
                through = sums.get("data_through")
                to = _("data to {time}").format(time=format_moment(through, self.config.tz, period.last)) + " · " \
                    if isinstance(through, datetime) and period.grain == "shift" else ""
                share = number(coverage * 100)
                gaps.append(to + (_("{share} % of the shift covered") if period.grain == "shift"
                                  else _("{share} % of the period covered")).format(share=share))
        if ended:
            for key, src in self.config.sources.items():
                read = ctx.read_through.get(key)
                if src.record in records and read is not None and read < end:
                    what = src.description or _(RECORD_WORDS.get(src.record, src.record))
                    gaps.append(_("{what} read to {time}").format(
                        what=what, time=format_moment(read, self.config.tz, period.last)))
        if not ended:
            return coverage, None, ()
        return coverage, not gaps, tuple(gaps)

    def _scheduled_after(self, session: Session, scope: str, period: Period, ctx: ReadingContext) -> float:
        """Scheduled production time still to come in the running shift, times the lines that reported in it (what
        a running period's coverage so far leaves out); worked once per scope and period in a context."""
        key = (scope, period.label)
        if key not in ctx.scheduled_after:
            ctx.scheduled_after[key] = self._still_scheduled(session, scope, period, ctx)
        return ctx.scheduled_after[key]

    def _still_scheduled(self, session: Session, scope: str, period: Period, ctx: ReadingContext) -> float:
        now = ctx.now
        inst = self.config.calendar.current(now)
        if inst is None or not (period.first <= inst.production_date <= period.last) or \
                (period.shift and period.shift != inst.shift_key):
            return 0.0
        reported = shared.running_line_shifts(ctx, self.config, session, inst.production_date, inst.shift_key)
        names = reported if self.config.scope_kind(scope) == "plant" else self.config.scope_lines(scope)
        lines = float(sum(reported.get(ln, 0.0) for ln in names))
        remaining = (inst.end_utc - now).total_seconds() - sum(
            max(0.0, (hi - max(lo, now)).total_seconds()) for lo, hi in inst.breaks if hi > now)
        return lines * max(0.0, remaining)

    # ---- freshness ---------------------------------------------------------------------------------------

    def data_version(self) -> int:
        """Cheap version number of the stored data (compare before recomputing a page)."""
        with shared_session(self.sessions) as session:
            return ledger_queries.data_version(session)

    def current_period(self, grain: str) -> Period:
        """The period of a grain containing today's production date."""
        today = self.clock().astimezone(self.config.tz).date()
        return period_containing(grain, today)


def readings_of(source: Readings | Services) -> Readings:
    """The readings service itself, or the one a process's services hold (the board's functions take either)."""
    return source if isinstance(source, Readings) else source.readings
