"""Readings of KPIs for one scope over many periods at once (each week's quarter to date and each month, for a key
result's history and months), or split by line or shift: the summed measures are read once, by span of days between
the periods' ends (or grouped by line or shift), and the plant's context once, instead of both for every period; each
reading is then worked by ``Readings``' own ``_reading``, so the numbers are those of ``Readings.readings`` for the
same scope and period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from huddle.dashboard.core.kpi import FORMULAS, Kind, Status
from huddle.dashboard.core.periods import Period, bucket_key, period_containing
from huddle.dashboard.core.plant import KpiDef
from huddle.dashboard.services.reading_context import measures_of, shared_session
from huddle.data.queries import readings as reading_queries
from huddle.data.queries.scope import holds, union_of

ONE_DAY = timedelta(days=1)
GROUPED = frozenset({"production_date", "span", "line", "area"})  # what rows are grouped by, not summed
#: the grains ``readings_each`` reads from one query grouped by span (a longer period is read on its own)
SPANNED = frozenset({"day", "week"})
#: the columns a series' rows are grouped by (never summed into a period's bucket)
SERIES_GROUPS = frozenset({"production_date", "shift", "line", "month", "week"})

if TYPE_CHECKING:
    from huddle.dashboard.services.reading_context import ReadingContext
    from huddle.dashboard.services.readings import Reading, Readings
    from sqlalchemy.orm import Session

T = TypeVar("T")


class Point(NamedTuple):
    """A KPI's value and status over one period as its reading has them, without the rest of the reading (a trend's
    or a calendar's cell): what ``Readings._point`` makes."""

    period: str  # the period's label
    value: float | None
    status: Status
    words: str = ""  # why the period is not judged ("planned: Thanksgiving"), the reading's first flag then


def series_group(grain: str) -> tuple[str, ...]:
    """What a series of a grain groups its facts by: the month or ISO week itself for months and weeks (the database
    sums each one's rows), else the production date (and shift), whose rows are added up into the grain's periods."""
    if grain in ("month", "week"):
        return (grain,)
    return ("production_date", "shift") if grain == "shift" else ("production_date",)


def series_label(grain: str, row: dict[str, Any]) -> str:
    """The label of the period of a grain that a row grouped by ``series_group(grain)`` belongs to."""
    if grain == "month":
        return str(row["month"])
    if grain == "week":
        return bucket_key("week", reading_queries.WEEK_ZERO + timedelta(weeks=int(str(row["week"]))))
    return bucket_key(grain, row["production_date"], row.get("shift"))


class ManyPeriods:
    """What ``Readings`` can read for many periods of one scope, or split by its lines or shifts, at once (mixed
    into it)."""

    def _periods(self: Readings, grain: str, first: date, last: date) -> list[Period]:
        """The periods of a grain between two production dates, in order (made, not parsed from their labels)."""
        periods: list[Period] = []
        day = first
        while day <= last:
            if grain == "shift":
                periods.extend(Period("shift", day, day, sh.key) for sh in self.config.calendar.shifts)
            else:  # a period at a time (a year of months is 12 steps, not 365 days)
                periods.append(period_containing(grain, day))
                day = periods[-1].last
            day += timedelta(days=1)
        return periods

    def period_end(self: Readings, period: Period) -> datetime:
        """The instant a period ends (a shift's end, or midnight after its last date, plant time)."""
        if period.shift:
            return self.config.calendar.instance(period.last, period.shift).end_utc
        last = [i.end_utc for i in self.config.calendar.instances_for_dates(period.last, period.last)]
        if last:
            return max(last)
        return datetime.combine(period.last + timedelta(days=1), time(0), tzinfo=self.config.tz).astimezone(UTC)

    def period_ends(self: Readings, periods: Iterable[Period]) -> dict[Period, datetime]:
        """``period_end`` of each period, the days' shifts made once for all of them rather than once per period
        (a trend of 42 days made its calendar's shifts 42 times)."""
        wanted = list(periods)
        days = [p.last for p in wanted if not p.shift]
        latest: dict[date, datetime] = {}
        # one pass pays when the days are close together (a trend of days); months' last days are a month apart
        if days and (max(days) - min(days)).days < 3 * len(days):
            for i in self.config.calendar.instances_for_dates(min(days), max(days)):
                if i.production_date not in latest or i.end_utc > latest[i.production_date]:
                    latest[i.production_date] = i.end_utc
        out: dict[Period, datetime] = {}
        for p in wanted:
            if p.shift or p.last not in latest:
                out[p] = self.period_end(p)
            else:
                out[p] = latest[p.last]
        return out

    def readings_over(self: Readings, kpis: Iterable[str], scope: str,
                      periods: Iterable[Period]) -> dict[Period, dict[str, Reading]]:
        """Readings of several KPIs for one scope and each of several periods, from one query of the summed
        measures (a shift's period is read on its own)."""
        keys = list(kpis)
        return self.readings_asked(scope, {p: keys for p in periods})

    def readings_asked(self: Readings, scope: str,
                       asked: Mapping[Period, Iterable[str]]) -> dict[Period, dict[str, Reading]]:
        """Readings of one scope for each period asked, of the KPIs asked for it (see ``readings_by_scope``)."""
        return self.readings_by_scope({scope: asked}).get(scope, {})

    def readings_by_scope(self: Readings, asked: Mapping[str, Mapping[Period, Iterable[str]]],
                          ) -> dict[str, dict[Period, dict[str, Reading]]]:
        """Readings of each scope asked for each of its periods, of the KPIs asked for it, from one query of the
        summed measures grouped by line, area and the spans of days between the periods' ends, each scope's spans
        then added up from the rows that belong to it (a shift's period is read on its own)."""
        return self._by_scope(asked, self._reading)

    def points_by_scope(self: Readings, asked: Mapping[str, Mapping[Period, Iterable[str]]],
                        ) -> dict[str, dict[Period, dict[str, Point]]]:
        """The values and statuses of ``readings_by_scope``'s readings, from the same sums, without making them (a
        quarter's bound key results' weeks and months)."""
        return self._by_scope(asked, self._point)

    def _by_scope(self: Readings, asked: Mapping[str, Mapping[Period, Iterable[str]]],
                  judge: Callable[[Session, KpiDef, str, Period, dict[str, Any] | None, datetime, ReadingContext], T],
                  ) -> dict[str, dict[Period, dict[str, T]]]:
        days = {p for wanted in asked.values() for p in wanted if not p.shift}
        starts = sorted({p.first for p in days} | {p.last + ONE_DAY for p in days})
        index = {day: i for i, day in enumerate(starts)}
        measures = measures_of(self.config, {k for wanted in asked.values() for kpis in wanted.values() for k in kpis})
        filters = {scope: self.scope_filter(scope) for scope in asked}
        with shared_session(self.sessions) as session:
            rows = reading_queries.sums_by(session, union_of(filters.values()), starts[0], starts[-1] - ONE_DAY, None,
                                           ("line", "area"), measures, tuple(starts[:-1])) if days else []
            ctx = self._context(session)
            ends: dict[Period, datetime] = {}
            out: dict[str, dict[Period, dict[str, T]]] = {}
            for scope, wanted in asked.items():
                f = filters[scope]
                parts: dict[int, list[dict[str, Any]]] = {}
                for r in rows:
                    if holds(f, str(r["line"]), str(r["area"])):
                        parts.setdefault(int(str(r.get("span") or 0)), []).append(r)
                spans = {i: added_up(members) for i, members in parts.items()}
                out[scope] = {}
                # a period's spans added up, by its first span: a later period from the same day (each week's
                # quarter to date) adds its further spans on to them, in the order a fold from its start would
                sofar: dict[int, tuple[int, dict[str, Any]]] = {}
                for p, kpis in wanted.items():
                    if p.shift:
                        sums = self._sums(session, scope, p, measures)
                    else:
                        lo, hi = index[p.first], index[p.last + ONE_DAY]
                        done, onto = sofar.get(lo, (lo, None))
                        if done > hi:
                            done, onto = lo, None
                        sums = added_up([spans[i] for i in range(done, hi) if i in spans], onto)
                        sofar[lo] = (hi, sums)
                    if p not in ends:
                        ends[p] = self.period_end(p)
                    end = ends[p]
                    out[scope][p] = {k: judge(session, self.config.kpis[k], scope, p, sums, end, ctx) for k in kpis}
            return out

    def readings_each(self: Readings, kpis: Iterable[str], scope: str,
                      periods: Iterable[Period]) -> dict[Period, dict[str, Reading]]:
        """Readings of several KPIs for one scope and each of a few periods (a period and the one before it, which
        a tree and a node's panel compare), from one query of the summed measures grouped by the spans of days
        between the periods' ends: each period that is one span takes its row as its own query would give it
        (a shift, or a period spread over several spans or with no facts, is read on its own)."""
        keys = list(kpis)
        wanted = list(dict.fromkeys(periods))
        # grouping by span sorts every row: for days and weeks cheaper than a second query, for a month not
        days = [p for p in wanted if not p.shift and p.grain in SPANNED]
        starts = sorted({p.first for p in days} | {p.last + ONE_DAY for p in days})
        index = {day: i for i, day in enumerate(starts)}
        measures = measures_of(self.config, keys)
        with shared_session(self.sessions) as session:
            spans: dict[int, dict[str, Any]] = {}
            if days and measures is not None:
                spans = {int(str(r.get("span") or 0)): r for r in reading_queries.sums_by(
                    session, self.scope_filter(scope), starts[0], starts[-1] - ONE_DAY, None, (), measures,
                    tuple(starts[:-1]))}
            ctx = self._context(session)
            ends = self.period_ends(wanted)
            out: dict[Period, dict[str, Reading]] = {}
            for p in wanted:
                sums = None
                if measures is not None:
                    one = index.get(p.first) if p in days and index[p.last + ONE_DAY] == index[p.first] + 1 \
                        else None
                    sums = spans[one] if one in spans else self._sums(session, scope, p, measures)
                out[p] = {k: self._reading(session, self.config.kpis[k], scope, p, sums, ends[p], ctx) for k in keys}
            return out

    def breakdown(self: Readings, kpi: str, scope: str, period: Period, by: str = "line") -> list[Reading]:
        """A KPI split by line or by shift inside a scope and period (where it is red), from one grouped query
        when the KPI is summed from measures."""
        if by not in ("line", "shift"):
            raise ValueError("breakdown is by 'line' or 'shift'")
        kdef = self.config.kpis[kpi]
        summed = FORMULAS[kdef.formula].kind in (Kind.RATIO, Kind.TOTAL)
        measures = measures_of(self.config, [kpi])
        if by == "line":
            lines = self.config.scope_lines(scope)
            if not summed:
                return [self.reading(kpi, line, period) for line in lines]
            with shared_session(self.sessions) as session:
                rows = {r["line"]: r for r in reading_queries.sums_by(session, self.scope_filter(scope), period.first,
                                                              period.last, period.shift, ("line",),
                                                                      measures)}
                end = self.period_end(period)
                ctx = self._context(session)
                return [self._reading(session, kdef, line, period, rows.get(line), end, ctx) for line in lines]
        shifts = [s.key for s in self.config.calendar.shifts]
        if not summed:
            return [self._shift_reading(kdef, scope, period, shift) for shift in shifts]
        with shared_session(self.sessions) as session:
            rows = {r["shift"]: r for r in reading_queries.sums_by(session, self.scope_filter(scope), period.first,
                                                           period.last, None, ("shift",), measures)}
            return [self._reading(session, kdef, scope, Period(period.grain, period.first, period.last, shift),
                                  rows.get(shift)) for shift in shifts]

    def _series_sums(self: Readings, session: Session, keys: list[str], scope: str, grain: str, first: date,
                     last: date, through: bool = True) -> dict[str, dict[str, Any]]:
        """The summed measures of KPIs per period of a grain (by label), from one grouped query (see
        ``sums_by`` for ``through``)."""
        buckets: dict[str, dict[str, Any]] = {}
        measures = measures_of(self.config, keys)
        if measures is not None:
            for row in reading_queries.sums_by(session, self.scope_filter(scope), first, last, None,
                                               series_group(grain), measures, through=through):
                label = series_label(grain, row)
                if label in buckets:  # a period of several days' rows (a quarter's)
                    self._accumulate(buckets, label, row)
                else:  # the row as ``_accumulate`` adds it into an empty bucket, a measure without a value 0
                    buckets[label] = {"data_through": None} | {
                        m: v if m == "data_through" else 0 + (v or 0) for m, v in row.items() if m not in SERIES_GROUPS}
        return buckets

    def _per_period(self: Readings, kpis: Iterable[str], scope: str, grain: str, first: date, last: date,
                    make: Callable[[Session, KpiDef, str, Period, dict[str, Any] | None, datetime, ReadingContext], T],
                    through: bool) -> dict[str, list[T]]:
        """``make`` (a reading or a point) of several KPIs per period of a grain, the summed measures from one
        grouped query; the latest record time is read when ``through`` or while a period runs (only a running
        period's status depends on it)."""
        keys = list(kpis)
        periods = self._periods(grain, first, last)
        with shared_session(self.sessions) as session:
            ctx = self._context(session)
            ends = self.period_ends(periods)
            buckets = self._series_sums(session, keys, scope, grain, first, last,
                                        through=through or any(end > ctx.now for end in ends.values()))
            out: dict[str, list[T]] = {k: [] for k in keys}
            defs = [(out[k], self.config.kpis[k], self._summed(k)) for k in keys]
            for period in periods:
                end, sums = ends[period], buckets.get(period.label)
                for made, kdef, summed in defs:
                    made.append(make(session, kdef, scope, period, sums if summed else None, end, ctx))
            return out

    def points_many(self: Readings, kpis: Iterable[str], scope: str, grain: str, first: date,
                    last: date) -> dict[str, list[Point]]:
        """Several KPIs' values and statuses per period of a grain (those of ``series_many``'s readings, without
        making them), from one grouped query of the summed measures."""
        return self._per_period(kpis, scope, grain, first, last, self._point, through=False)

    def points_back(self: Readings, kpis: Iterable[str], scope: str,
                    shifts: list[Period]) -> Iterator[tuple[Period, Callable[[str], Point]]]:
        """Shift periods newest first, each with what tells a KPI's value and status over it (those of the reading
        ``series_many`` makes, without making it), the summed measures from one grouped query over the shifts'
        dates: a walk back (a trend, a red streak) judges only the shifts it gets to, not every shift of every
        KPI."""
        keys = list(kpis)
        defs = {k: (self.config.kpis[k], self._summed(k)) for k in keys}
        with shared_session(self.sessions) as session:
            ctx = self._context(session)
            ends = {p: self.period_end(p) for p in shifts}
            # a running shift's status may be stale, as of its latest record; an ended one's never is
            buckets = self._series_sums(session, keys, scope, "shift", min(p.first for p in shifts),
                                        max(p.last for p in shifts), through=max(ends.values()) > ctx.now)
            for period in reversed(shifts):
                sums, end = buckets.get(period.label), ends[period]

                def point(kpi: str, period: Period = period, sums: dict[str, Any] | None = sums,
                          end: datetime = end) -> Point:
                    kdef, summed = defs[kpi]
                    return self._point(session, kdef, scope, period, sums if summed else None, end, ctx)
                yield period, point

    def _shift_reading(self: Readings, kdef: KpiDef, scope: str, period: Period, shift: str) -> Reading:
        sub = Period(period.grain, period.first, period.last, shift)
        with shared_session(self.sessions) as session:
            sums = reading_queries.sums_by(session, self.scope_filter(scope), sub.first, sub.last, shift)[0]
            return self._reading(session, kdef, scope, sub, sums)


def added_up(rows: list[dict[str, Any]], onto: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rows of summed measures by day added up as one SUM over their days gives them: counts added, the latest
    record time kept, and a measure no day has stays None (not 0, which would read as a value). ``onto``, what
    earlier rows added up to (left as it was), is added on from: the same sums, added in the same order."""
    out: dict[str, Any] = dict(onto) if onto is not None else {"facts": 0, "data_through": None}
    for row in rows:
        for m, v in row.items():
            if m in GROUPED:
                continue
            if m == "data_through":
                if v is not None and (out[m] is None or v > out[m]):
                    out[m] = v
            elif v is not None:
                out[m] = (out.get(m) or 0) + v
            else:
                out.setdefault(m, None)
    return out
