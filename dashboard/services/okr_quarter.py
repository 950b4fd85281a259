"""Reading a quarter's OKRs: objectives in cascade order with every key result scored, the meeting view and the
baseline proposals (``okrs.QuarterView``), once per data version and day; and what the planning and check-in
services ask of a quarter: its scopes and levels, whether it is closed, what a bound key result reads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from huddle.dashboard.core import okr_scoring as okr
from huddle.dashboard.core.i18n import _, day_text, language, ngettext, pgettext
from huddle.dashboard.core.names import period_id_words, period_words, person_name
from huddle.dashboard.core.okr_scoring import MonthMark, OkrError, ScoredKeyResult
from huddle.dashboard.core.periods import Period, PeriodError, parse_asked_period, period_containing
from huddle.dashboard.core.plant import Baseline, PlantConfig
from huddle.dashboard.services.okrs import (
    CLOSE_DAYS_BEFORE_END,
    COMPANY,
    LEVELS,
    MAX_KEY_RESULTS,
    MIN_KEY_RESULTS,
    BaselineProposal,
    CheckInView,
    KeyResultView,
    Meeting,
    ObjectiveView,
    QuarterView,
    WeekPoint,
    check_in_view,
    quarter_weeks,
    rule_text,
)
from huddle.dashboard.services.planned import plant_calendar, plant_days_off
from huddle.dashboard.services.reading_context import shared_session, sharing_context
from huddle.dashboard.services.readings import Readings
from huddle.dashboard.services.readings_over import Point
from huddle.dashboard.services.single_flight import SingleFlight
from huddle.data.models import KeyResult, OkrQuarter
from huddle.data.queries import accounts as account_queries
from huddle.data.queries import okrs as okr_queries
from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker

VIEWS_KEPT = 16  # quarter views kept per process, each for one data version
#: the longest a request waits for another's read of the same quarter before reading it itself (a read takes well
#: under a second; one this late is stuck, and a page must still answer)
READ_WAIT_S = 15.0


class OkrQuarters:
    """Read a plant's OKRs by quarter; the scopes, levels and closed quarters the other OKR services check."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], readings: Readings,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.readings = readings
        self.clock = clock
        self._views: OrderedDict[tuple[str, str, int, date, str], QuarterView] = OrderedDict()
        self._guard = threading.Lock()
        # a page's sections opening at once read the quarter once
        self._reads: SingleFlight[QuarterView] = SingleFlight(READ_WAIT_S)

    # ---- scopes, levels, quarters, baselines -------------------------------------------------------------

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

    def normal_scope(self, scope: str) -> str:
        """A scope as objectives store it: the plant under any of its names as "plant"."""
        scope = (scope or "").strip()
        return "plant" if self.level_of(scope) == "plant" else scope

    def contains(self, outer: str, inner: str) -> bool:
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

    def closed(self, session: Session, quarter: str) -> OkrQuarter | None:
        """Who closed a quarter and when, or None while it is open."""
        return okr_queries.closed_quarter(session, quarter)

    def refuse_if_closed(self, session: Session, quarter: str) -> None:
        """Raise ``OkrError`` saying who closed the quarter when it is closed."""
        closed = self.closed(session, quarter)
        if closed is not None:
            raise OkrError(_("{quarter} was closed by {name} on {day}: its OKRs no longer change").format(
                quarter=period_id_words(self.config, quarter), name=person_name(closed.closed_by, {}),
                day=closed.closed_at.astimezone(self.config.tz).date().isoformat()), "quarter")

    def baselines(self, scope: str = "plant") -> dict[str, Baseline | None]:
        """Every KPI's baseline at a scope: the newest adopted one there, else the plant configuration's."""
        out: dict[str, Baseline | None] = {k: d.baseline for k, d in self.config.kpis.items()}
        scope = self.normal_scope(scope)
        with self.sessions() as session:
            for row in okr_queries.adopted_baselines(session, scope):
                if row.kpi in out:
                    out[row.kpi] = Baseline(row.value, row.on, row.source)
        return out

    def bound_period(self, kr: KeyResult | Row[Any], quarter: Period, on: date) -> Period:
        """The period a bound key result reads its KPI over on a day: the quarter to date, the month to date, or the
        latest full week."""
        return self.window_period(kr.kpi_window, quarter, on)

    @staticmethod
    def window_period(window: str, quarter: Period, on: date) -> Period:
        """The period a KPI bound over a window (quarter, month or week) is read over on a day."""
        if window == "week":
            week = period_containing("week", on)
            return week if on >= week.last else week.previous()
        if window == "month":
            month = period_containing("month", min(on, quarter.last))
            return Period("month", month.first, min(on, month.last))
        return Period("quarter", quarter.first, min(on, quarter.last))

    def bound_value(self, kr: KeyResult, quarter: Period, on: date) -> float | None:
        """A bound key result's KPI value on a day (None without data)."""
        return self.readings.reading(kr.kpi, kr.kpi_scope, self.bound_period(kr, quarter, on)).value

    # ---- reading a quarter -------------------------------------------------------------------------------

    def quarter(self, quarter: str | None = None, scope: str | None = None) -> QuarterView:
        """A quarter's objectives in cascade order with every key result scored; ``scope`` keeps the objectives
        of that scope and the ones above and below it. Read once per data version (every save and load bumps it)
        and day: the page's sections drawn together share one read."""
        period = self.parse_quarter(quarter) if quarter else self.current_quarter()
        # the view's words (rules, sources, warnings) are in the language in effect: one read per language
        key = (period.label, scope or "", self.readings.data_version(), self.today(), language())
        with self._guard:
            if key in self._views:
                return self._views[key]
        return self._reads.run(key, lambda: self._read_and_keep(key, period, scope))

    def _read_and_keep(self, key: tuple[str, str, int, date, str], period: Period, scope: str | None) -> QuarterView:
        view = self._read_quarter(period, scope)
        with self._guard:
            self._views[key] = view
            while len(self._views) > VIEWS_KEPT:
                self._views.popitem(last=False)
        return view

    @sharing_context
    def _read_quarter(self, period: Period, scope: str | None) -> QuarterView:
        today = self.today()
        on = min(today, period.last)
        # read through the session the quarter's readings share (one connection and, on SQLite, one snapshot)
        with shared_session(self.readings.sessions) as session:
            # plant-wide holidays and shutdowns are not expected to move anything
            off = plant_days_off(plant_calendar(self.config, session), period.first, period.last)
            people = {u.username: u.display_name for u in account_queries.users(session) if u.display_name}
            closed = self.closed(session, period.label)
            objectives, krs, checkins = okr_queries.quarter_rows(session, period.label)
            adopted = {(b.kpi, b.scope, b.on) for b in okr_queries.adopted_baselines(session)}
        expected = okr.expected_progress(period.first, period.last, on, off)
        weeks = quarter_weeks(period)
        week = period_containing("week", on)
        by_kr: dict[int, list[Row[Any]]] = defaultdict(list)
        for c in checkins:
            by_kr[c.key_result_id].append(c)
        so_far = [w for w in weeks if w.first <= on]
        # the weeks and months show a value and a status alone: judged from the same sums, without making readings
        read = self.readings.points_by_scope(self._bound_periods(krs, period, so_far, on))
        live = self._live_values(krs, period, on, closed is not None)
        bound = self._bound_history(krs, period, so_far, on, read)
        months = self._bound_months(krs, period, on, read)
        # each week's share of the quarter expected done, worked once for every key result
        points = [(w.label, w.last, okr.expected_progress(period.first, period.last, min(w.last, period.last), off))
                  for w in so_far]
        rules: dict[tuple[str, float | None, float, str], str] = {}
        views: dict[int, KeyResultView] = {}
        for k in krs:
            views[k.id] = self._key_result_view(k, by_kr[k.id], live.get(k.id), period, points, on, expected, week,
                                                  bound.get(k.id), people, months.get(k.id, []), rules)
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
                warnings.append(ngettext("{n} key result: an objective needs {low}–{high} to be measurable",
                                         "{n} key results: an objective needs {low}–{high} to be measurable",
                                         len(results)).format(n=len(results), low=MIN_KEY_RESULTS,
                                                              high=MAX_KEY_RESULTS))
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
                # only an achieved key result proposes its level as the KPI's new baseline
                if k.kpi and value is not None and okr.achieved(k.kind, k.start, k.target, value):
                    if k.kpi_scope not in baselines:
                        baselines[k.kpi_scope] = self.baselines(k.kpi_scope)
                    proposals.append(BaselineProposal(k.id, k.kpi, k.kpi_scope, value,
                                                      baselines[k.kpi_scope][k.kpi],
                                                      (k.kpi, k.kpi_scope, period.last) in adopted))
        return QuarterView(period, today, week, [w for w in weeks if w.first <= on], expected,
                           closed.closed_by if closed else None, closed.closed_at if closed else None, out, meeting,
                           proposals, people)

    def _months_so_far(self, quarter: Period, on: date) -> list[Period]:
        """The quarter's months so far, the running one to date."""
        months = []
        day = quarter.first
        while day <= min(on, quarter.last):
            month = period_containing("month", day)
            months.append(Period("month", month.first, min(on, month.last)))
            day = month.last + timedelta(days=1)
        return months

    def _bound_periods(self, krs: list[Any], quarter: Period, weeks: list[Period],
                       on: date) -> dict[str, dict[Period, set[str]]]:
        """Every period a bound key result's history reads its KPI over, by scope, with the KPIs read over it: as
        each week so far reads it, and each month so far; one read of the summed measures serves them all."""
        months = self._months_so_far(quarter, on)
        weekly = self._weekly_periods(krs, quarter, weeks, on)
        asked: dict[str, dict[Period, set[str]]] = defaultdict(dict)
        for k in krs:
            if not k.kpi:
                continue
            wanted = asked[k.kpi_scope]
            for p in [p for _label, p in weekly[k.kpi_window]] + months:
                wanted.setdefault(p, set()).add(k.kpi)
        return asked

    def _live_values(self, krs: list[Any], quarter: Period, on: date,
                     closed: bool) -> dict[int, tuple[float | None, str, str]]:
        """Bound key results' KPI values now (value, status, where from), one read per scope and period: the very
        reading a check-in saves (``bound_value``), so the page's "now" and the value checked in are one number."""
        groups: dict[tuple[str, Period], list[Any]] = defaultdict(list)
        for k in krs:
            if k.kpi and not (closed and k.final_value is not None):
                groups[(k.kpi_scope, self.bound_period(k, quarter, on))].append(k)
        pattern = pgettext("date pattern", "d MMM")
        out = {}
        for (scope, period), members in groups.items():
            readings = self.readings.readings({k.kpi for k in members}, scope, period)
            first, last = day_text(period.first, pattern), day_text(period.last, pattern)
            for k in members:
                r = readings[k.kpi]
                when = (_("quarter to date ({first}–{last})").format(first=first, last=last)
                        if k.kpi_window == "quarter" else
                        _("month to date ({first}–{last})").format(first=first, last=last)
                        if k.kpi_window == "month" else period_words(self.config, period, on))
                out[k.id] = (r.value, str(r.status), _("{kpi} at {scope}, {when}").format(
                    kpi=self.config.kpis[k.kpi].name, scope=self.config.scope_name(scope), when=when))
        return out

    def _bound_history(self, krs: list[Any], quarter: Period, weeks: list[Period], on: date,
                       read: dict[str, dict[Period, dict[str, Point]]]) -> dict[int, dict[str, float | None]]:
        """Bound key results' KPI value for each week so far, as a check-in that week reads it (the quarter to the
        week's end, or the latest full week), with or without a check-in."""
        weekly = self._weekly_periods(krs, quarter, weeks, on)
        out: dict[int, dict[str, float | None]] = {}
        worked: dict[tuple[str, str, str], dict[str, float | None]] = {}  # key results bound alike share one
        for k in krs:
            if k.kpi:
                bound = (k.kpi, k.kpi_scope, k.kpi_window)
                if bound not in worked:
                    by_period = read[k.kpi_scope]
                    worked[bound] = {label: by_period[p][k.kpi].value for label, p in weekly[k.kpi_window]}
                out[k.id] = worked[bound]
        return out

    def _weekly_periods(self, krs: list[Any], quarter: Period, weeks: list[Period],
                        on: date) -> dict[str, list[tuple[str, Period]]]:
        """For each window the key results bind a KPI over, each week so far with the period a check-in that week
        reads the KPI over (worked once per window, not per key result)."""
        return {window: [(w.label, self.window_period(window, quarter, min(w.last, on))) for w in weeks]
                for window in {k.kpi_window for k in krs if k.kpi}}

    def _bound_months(self, krs: list[Any], quarter: Period, on: date,
                      read: dict[str, dict[Period, dict[str, Point]]]) -> dict[int, list[MonthMark]]:
        """Bound key results' KPI for each month of the quarter so far (the running one to date), with the KPI's
        own status that month, from the same readings service as the board."""
        months = self._months_so_far(quarter, on)
        running = [m.last < period_containing("month", m.first).last for m in months]
        out: dict[int, list[MonthMark]] = {}
        worked: dict[tuple[str, str], list[MonthMark]] = {}  # key results bound alike share the marks, not the list
        for k in krs:
            if k.kpi:
                bound = (k.kpi, k.kpi_scope)
                if bound not in worked:
                    by_period = read[k.kpi_scope]
                    worked[bound] = [MonthMark(m.label, by_period[m][k.kpi].value, str(by_period[m][k.kpi].status),
                                               r) for m, r in zip(months, running, strict=True)]
                out[k.id] = list(worked[bound])
        return out

    def _key_result_view(self, k: Any, rows: list[Any], live: tuple[float | None, str, str] | None,
                         quarter: Period, points: list[tuple[str, date, float]], on: date, expected: float,
                         week: Period, bound: dict[str, float | None] | None = None,
                         people: dict[str, str] | None = None, months: list[MonthMark] | None = None,
                         rules: dict[tuple[str, float | None, float, str], str] | None = None) -> KeyResultView:
        """A key result as the views show it; ``points``: each week so far (label, last day, the share of the
        quarter it expects done), ``rules``: the rules in words already worded in this read."""
        replaced = {c.replaces_id for c in rows if c.replaces_id}
        versions = [check_in_view(c, c.id in replaced, k.unit) for c in reversed(rows)]
        newest_by_week: dict[str, CheckInView] = {}
        for v in reversed(versions):  # oldest first, so the newest version of each week wins
            newest_by_week[v.week] = v
        latest_week = max(newest_by_week, default=None)
        latest = newest_by_week[latest_week] if latest_week else None
        kpi_status = ""
        if k.final_value is not None:
            current, source = k.final_value, _("value at the close of {quarter}").format(
                quarter=period_id_words(self.config, quarter.label, on))
        elif k.kpi:
            current, kpi_status, source = live or (None, "", "")
        elif latest is not None:
            current, source = latest.value, _("checked in {week} by {name}").format(
                week=period_id_words(self.config, latest.week, on), name=person_name(latest.author, people or {}))
        else:
            current, source = None, _("no check-in yet")
        progress, status = okr.score(k.kind, k.start, k.target, current, expected)
        history = []
        maintain = okr.is_maintain(k.kind, k.start, k.target)
        moving = not maintain and k.kind in ("increase", "decrease") and k.start is not None
        flat = k.target if maintain or k.kind in ("stay_above", "stay_below") else None
        for label, last, share in points:
            point = newest_by_week.get(label)
            path = k.start + (k.target - k.start) * share if moving else flat
            value = bound.get(label) if bound is not None else point.value if point else None
            history.append(WeekPoint(label, last, value, point.confidence if point else None, path))
        rule_key = (k.kind, k.start, k.target, k.unit)
        rules = {} if rules is None else rules
        if rule_key not in rules:
            rules[rule_key] = rule_text(*rule_key)
        confidences = [p.confidence for p in history if p.confidence is not None]
        return KeyResultView(
            k.id, k.objective_id, k.title, k.kind, k.start, k.target, k.unit, k.weight, k.owner, k.kpi, k.kpi_scope,
            k.kpi_window, k.version, k.checkins, rules[rule_key], current, source,
            progress, expected, status, kpi_status, latest, newest_by_week.get(week.label), history, versions,
            okr.disagreement(confidences, status), k.final_value, k.score, months or [])

    def _cascade(self, objectives: list[Row[Any]], scope: str | None) -> list[tuple[Row[Any], int]]:
        """Objectives in cascade order (each parent followed by its children), with depth; filtered to a scope
        and the chain above and below it."""
        children: dict[int | None, list[Row[Any]]] = defaultdict(list)
        known = {o.id for o in objectives}
        for o in sorted(objectives, key=lambda o: (LEVELS.index(self.level_of(o.scope)), o.id)):
            children[o.parent_id if o.parent_id in known else None].append(o)
        ordered: list[tuple[Row[Any], int]] = []

        def walk(parent: int | None, depth: int) -> None:
            for o in children.get(parent, []):
                ordered.append((o, depth))
                walk(o.id, depth + 1)

        walk(None, 0)
        if not scope:
            return ordered
        scope = self.normal_scope(scope)
        by_id = {o.id: o for o in objectives}
        keep: set[int] = set()
        for o in objectives:
            if o.scope == scope or (scope != COMPANY and self.contains(scope, o.scope)):
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
                        "what_moved": v.moved, "what_blocks": v.blocks, "author": person_name(v.author, view.people),
                        "saved_at": v.at.astimezone(self.config.tz),  # plant time; the export words it
                        "version": "corrected later" if v.replaced else "current",
                        "corrects": v.replaces_id or "", "check_in_id": v.id,
                        # where the key result stands now, and its bound KPI month by month (words in the export)
                        "status_now": str(k.status), "kpi_months": k.months, "kpi_unit": k.unit})
        return sorted(rows, key=lambda r: r["check_in_id"])
