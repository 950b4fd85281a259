"""The monthly KPI business review: a bowler of every KPI over the 12 months to date (each month against its own
target), year to date, baseline, owner and trend; red months with the countermeasures raised for them; the month's
biggest losses; the lines side by side on the root KPI and its branches; why the root moved; and the KPIs red
three months running, offered as OKR candidates.

Plain Python over the readings service, so the page, the PDF, the HTML copy and the workbook show the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import N_, _
from huddle.dashboard.core.i18n import month_name as i18n_month_name
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.names import place_name
from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.core.plant import CATEGORIES, KpiDef, PlantConfig
from huddle.dashboard.services.actions import ActionView
from huddle.dashboard.services.events import DEFECTS, UNPLANNED_STOPS, EventReport, events_of
from huddle.dashboard.services.huddles import HuddleCount
from huddle.dashboard.services.reading_context import sharing_context
from huddle.dashboard.services.readings import Reading
from huddle.dashboard.services.tree import TreeView, build_tree_view

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

MONTHS = 12
CANDIDATE_STREAK = 3  # months red running that make a KPI a candidate objective for next quarter
#: how a KPI's last three months compare with the three before (translated where shown; the API keeps English)
TRENDS = (N_("improving"), N_("worsening"), N_("steady"), N_("too few months"))


def month_name(month: Period) -> str:
    """'October 2026'."""
    return f"{i18n_month_name(month.first.month)} {month.first.year}"


def nothing_to_compare(name: str, unit: str, before: float | None, after: float | None, previous: str,
                       month: str) -> str | None:
    """What the review says when the root KPI cannot be compared with the month before: which month has no value,
    and the value of the one that has ("OEE 77.4 % in November 2026; no OEE for October 2026 to compare it with");
    None when both months have one."""
    if before is not None and after is not None:
        return None
    if before is None and after is None:
        return _("No {kpi} for {previous} or {month}: nothing to compare.").format(kpi=name, previous=previous,
                                                                                     month=month)
    if before is None:
        return _("{kpi} {value} in {month}; no {kpi} for {previous} to compare it with.").format(
            kpi=name, value=format_value(after, unit), month=month, previous=previous)
    return _("No {kpi} for {month} yet; {previous} was {value}.").format(kpi=name, month=month, previous=previous,
                                                                        value=format_value(before, unit))


def last_full_month(config: PlantConfig, now: datetime) -> Period:
    """The latest calendar month whose production days have all passed (what a review is held on)."""
    today = now.astimezone(config.tz).date()
    return period_containing("month", today.replace(day=1) - timedelta(days=1))


def months_ending(month: Period, n: int = MONTHS) -> list[Period]:
    """The n months ending with ``month``, oldest first."""
    out = [month]
    while len(out) < n:
        out.insert(0, period_containing("month", out[0].first - timedelta(days=1)))
    return out


@dataclass(frozen=True)
class MonthCell:
    """One KPI in one month: the reading against that month's target, and the countermeasures raised for it."""

    reading: Reading
    countermeasures: tuple[ActionView, ...] = ()

    @property
    def red(self) -> bool:
        """The month missed its target."""
        return self.reading.status is Status.RED

    @property
    def missing_countermeasure(self) -> bool:
        """Red with no action raised for it: the review asks why."""
        return self.red and not self.countermeasures


@dataclass(frozen=True)
class BowlerRow:
    """One KPI's line of the bowler."""

    kpi: KpiDef
    cells: list[MonthCell]
    ytd: Reading
    red_streak: int  # months red running, ending with the review month
    trend: str  # improving, worsening, steady or "too few months": the last three months against the three before


@dataclass(frozen=True)
class LineSeries:
    """One KPI per line of the scope over the review's months (the small multiples)."""

    kpi: KpiDef
    by_line: dict[str, list[Reading]]


@dataclass(frozen=True)
class Review:
    """Everything the review page and its exports show for a scope and month."""

    scope: str
    scope_name: str
    month: Period
    months: list[Period]
    rows: list[BowlerRow]  # S Q D C M, configured order inside each
    stops: EventReport
    defects: EventReport
    lines: list[LineSeries]
    why: TreeView | None  # the first tree's root, this month against the one before
    actions: list[ActionView]  # every action of the scope raised in the review's months
    generated_at: datetime
    currency: str = ""
    candidates: list[BowlerRow] = field(default_factory=list)
    huddles: list[HuddleCount] = field(default_factory=list)  # each line's huddles held and missed in the month
    place_names: dict[str, str] = field(default_factory=dict)  # each line's and area's name, by key

    def place(self, scope: str) -> str:
        """Where an action of the review was raised, in words: the scope's name, or a line's or area's own."""
        return self.scope_name if scope == self.scope else self.place_names.get(scope, scope)

    def rows_of(self, category: str) -> list[BowlerRow]:
        """The bowler rows of one SQDCM category."""
        return [r for r in self.rows if r.kpi.category == category]


def _trend(kdef: KpiDef, readings: list[Reading]) -> str:
    values = [r.value for r in readings]
    recent = [v for v in values[-3:] if v is not None]
    before = [v for v in values[-6:-3] if v is not None]
    if not recent or not before:
        return "too few months"
    change = sum(recent) / len(recent) - sum(before) / len(before)
    scale = max(abs(sum(before) / len(before)), 1e-9)
    if abs(change) / scale < 0.01:
        return "steady"
    better = change > 0 if kdef.direction == "higher" else change < 0
    return "improving" if better else "worsening"


def _streak(cells: list[MonthCell]) -> int:
    n = 0
    for cell in reversed(cells):
        if not cell.red:
            break
        n += 1
    return n


@sharing_context
def build_review(services: Services, scope: str, month: Period) -> Review:
    """Read the review of a scope for a month (the 12 months ending with it)."""
    config = services.config
    readings = services.readings
    months = months_ending(month)
    keys = [k for cat in CATEGORIES for k, d in config.kpis.items() if d.category == cat]
    series = readings.series_many(keys, scope, "month", months[0].first, month.last)
    ytd_period = Period("year", date(month.first.year, 1, 1), month.last)
    ytd = readings.readings(keys, scope, ytd_period)

    actions = [a for a in services.actions.listing(scope, open_only=False)
               if months[0].first <= a.raised_for <= month.last]
    by_kpi_month: dict[tuple[str, str], list[ActionView]] = defaultdict(list)
    for a in actions:
        by_kpi_month[(a.kpi, period_containing("month", a.raised_for).label)].append(a)

    baselines = services.okrs.baselines(scope)  # a level an OKR reached and the plant adopted wins over the config's
    rows = []
    for k in keys:
        kdef = replace(config.kpis[k], baseline=baselines[k])
        cells = [MonthCell(r, tuple(sorted(by_kpi_month.get((k, r.period), []), key=lambda a: a.id)))
                 for r in series[k]]
        rows.append(BowlerRow(kdef, cells, ytd[k], _streak(cells), _trend(kdef, series[k])))

    lines_in_scope = config.scope_lines(scope)
    line_series: list[LineSeries] = []
    why = None
    if config.trees:
        tree = next(iter(config.trees.values()))
        compared = [tree.root, *tree.children(tree.root)]
        if config.scope_kind(scope) == "line" and all(k in series for k in compared):
            per_line = {scope: series}  # a line's own bowler already holds its row of the lines compared
        else:
            per_line = readings.series_by_line(compared, scope, "month", months[0].first, month.last)
        line_series = [LineSeries(config.kpis[k], {ln: per_line[ln][k] for ln in lines_in_scope}) for k in compared]
        why = build_tree_view(readings, tree.key, scope, month)

    return Review(
        scope=scope, scope_name=config.scope_name(scope), month=month, months=months, rows=rows,
        stops=events_of(readings, UNPLANNED_STOPS, scope, month, limit=0),
        defects=events_of(readings, DEFECTS, scope, month, limit=0), lines=line_series, why=why,
        actions=sorted(actions, key=lambda a: (a.raised_for, a.id)), generated_at=services.clock(),
        currency=config.currency, candidates=[r for r in rows if r.red_streak >= CANDIDATE_STREAK],
        huddles=services.huddles.counts(month.first, month.last, [ln for ln in config.lines if ln in lines_in_scope]),
        place_names={key: place_name(config, key) for key in [*config.lines, *config.areas]},
    )


@dataclass(frozen=True)
class Candidate:
    """A KPI red several months running: a candidate objective for next quarter."""

    kpi: KpiDef
    red_months: int
    latest: Reading  # the last month's reading


def candidate_kpis(services: Services, scope: str, month: Period) -> list[Candidate]:
    """KPIs of a scope red three months or more running up to a month (one grouped query for all KPIs)."""
    config = services.config
    months = months_ending(month)
    keys = [k for cat in CATEGORIES for k, d in config.kpis.items() if d.category == cat]
    series = services.readings.series_many(keys, scope, "month", months[0].first, month.last)
    out = []
    for k in keys:
        streak = _streak([MonthCell(r) for r in series[k]])
        if streak >= CANDIDATE_STREAK:
            out.append(Candidate(config.kpis[k], streak, series[k][-1]))
    return out


def keep_layers(review: Review, layers: tuple[int, ...]) -> Review:
    """The review with only the KPIs of the KPI stack's ``layers`` in its bowler and its candidates (all of them
    when empty): what is listed, never what the numbers say."""
    if not layers:
        return review
    return replace(review, rows=[r for r in review.rows if r.kpi.layer in layers],
                   candidates=[r for r in review.candidates if r.kpi.layer in layers])


def as_dict(review: Review) -> dict[str, object]:
    """JSON-ready form of a review (for the API)."""
    return {
        "scope": review.scope, "month": review.month.label, "months": [m.label for m in review.months],
        "bowler": [{"kpi": r.kpi.key, "name": r.kpi.name, "category": r.kpi.category, "unit": r.kpi.unit,
                    "owner": r.kpi.owner, "baseline": r.kpi.baseline.value if r.kpi.baseline else None,
                    "trend": r.trend, "red_streak": r.red_streak, "ytd": r.ytd.as_dict(),
                    "months": [c.reading.as_dict() | {"countermeasures": [a.id for a in c.countermeasures],
                                                      "missing_countermeasure": c.missing_countermeasure}
                               for c in r.cells]} for r in review.rows],
        "stops": [p.__dict__ for p in review.stops.pareto], "defects": [p.__dict__ for p in review.defects.pareto],
        "okr_candidates": [{"kpi": r.kpi.key, "red_months": r.red_streak} for r in review.candidates],
        "actions": [a.as_dict() for a in review.actions],
        "huddles": [c.__dict__ for c in review.huddles],
    }
