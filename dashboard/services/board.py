"""The SQDCM shift board's read model (issue 4): what the wall-TV page renders, and the API's board.

``board_view`` puts the board together: each S Q D C M column's headline KPIs with their trends and red streaks
(``trends``), the month's calendar per letter, the safety cross and numbers (``safety``), the hour-by-hour output
against plan (here), the top losses and the summary sentence (``losses``). KPI values come from the readings
service, so the board shows the same numbers as the tiles, the tree and the API; raw records come from
``data.queries.records``. Every function takes the objects it needs; nothing is kept between calls and nothing here
knows about Dash or Flask.

A count belongs to the hour (and shift) containing its interval's midpoint, as in ``data.ingest.facts``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.format import format_value, signed
from huddle.dashboard.core.kpi import FORMULAS, Band, Kind, Status, status_of, worst_status
from huddle.dashboard.core.names import due_words, kpi_name, period_id_words, period_words, shift_window
from huddle.dashboard.core.periods import Period
from huddle.dashboard.services.actions import Actions
from huddle.dashboard.services.losses import SUMMARY_MEASURES, loss_pieces, shift_summary, top_losses
from huddle.dashboard.services.reading_context import shared_context, shared_session, sharing_context
from huddle.dashboard.services.readings import Reading, Readings, readings_of
from huddle.dashboard.services.safety import (
    clean_record_words,
    safety_cross,
    safety_facts,
    safety_numbers,
    safety_readings,
)
from huddle.dashboard.services.tree import tree_holding
from huddle.dashboard.services.trends import MAX_SHIFTS, month_calendars, red_streaks, shift_instance, trend_points
from huddle.data.queries import records as record_queries
from huddle.data.queries import shop_floor as shop_floor_queries

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


# ---- hour by hour ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HourRow:
    """One hour of a shift, counted from its start: planned and actual (good) units, and both summed since then."""

    label: str  # local clock time the hour starts, "06:00" (with the zone abbreviation when a DST hour repeats)
    start_utc: datetime
    end_utc: datetime
    planned: float
    actual: int
    cum_planned: float
    cum_actual: int
    has_data: bool  # a count was attributed to this hour
    future: bool  # the hour has not started yet
    comment: str = ""  # what the line's team said about the hour (shop-floor entry); "Line 1: …" above a line

    @property
    def status(self) -> Status:
        """Green when the hour made its plan, red when it did not, grey without a plan or data."""
        if self.future or not self.has_data or self.planned <= 0:
            return Status.GREY
        return status_of(float(self.actual), Band(self.planned, "higher"))


def _hour_windows(inst: ShiftInstance) -> list[tuple[datetime, datetime]]:
    """The shift cut into hours from its own start (14:30, 15:30, … for a shift starting at 14:30), the last one
    ending with the shift; hours of real elapsed time, so 7 or 9 of them on the nights the clocks change."""
    out: list[tuple[datetime, datetime]] = []
    t = inst.start_utc
    while t < inst.end_utc:
        nxt = min(t + timedelta(hours=1), inst.end_utc)
        out.append((t, nxt))
        t = nxt
    return out


def hour_by_hour(source: Readings | Services, scope: str, period: Period) -> list[HourRow]:
    """Planned and good units per hour of a shift (from the shift's start) for a scope's lines, with cumulative
    sums."""
    readings = readings_of(source)
    config = readings.config
    inst = shift_instance(config, period)
    windows = _hour_windows(inst)
    lines = tuple(config.scope_lines(scope))
    with shared_session(readings.sessions) as session:
        counts = record_queries.counts_between(session, lines, inst.start_utc, inst.end_utc)
        said: dict[datetime, list[str]] = {}
        for c in shop_floor_queries.hour_comments(session, lines, inst.start_utc, inst.end_utc):
            said.setdefault(c.hour_utc, []).append(
                c.text if len(lines) == 1 else f"{config.lines[c.line].name}: {c.text}")
    starts = [lo for lo, _ in windows]
    planned = [0.0] * len(windows)
    actual = [0] * len(windows)
    seen = [False] * len(windows)
    for c in counts:
        mid = c.midpoint
        if not inst.start_utc <= mid < inst.end_utc:
            continue
        i = bisect.bisect_right(starts, mid) - 1
        planned[i] += c.planned_qty
        actual[i] += c.good
        seen[i] = True
    labels = [lo.astimezone(config.tz).strftime("%H:%M") for lo, _ in windows]
    repeated = {lab for lab in labels if labels.count(lab) > 1}
    now = readings.clock()
    rows: list[HourRow] = []
    cum_planned, cum_actual = 0.0, 0
    for i, (lo, hi) in enumerate(windows):
        cum_planned += planned[i]
        cum_actual += actual[i]
        label = labels[i]
        if label in repeated:
            label = f"{label} {lo.astimezone(config.tz).tzname()}"
        rows.append(HourRow(label, lo, hi, planned[i], actual[i], cum_planned, cum_actual, seen[i], lo >= now,
                            " · ".join(said.get(lo, []))))
    return rows


# ---- the whole board -------------------------------------------------------------------------------------

CATEGORY_ORDER = ("S", "Q", "D", "C", "M")


def board_view(services: Services, scope: str, period: Period, layers: tuple[int, ...] = ()) -> dict[str, object]:
    """Everything the shift board shows for a scope and shift, JSON-ready, from the same readings as every page
    (which share one reading context: the sources' state and the plant calendar are read once). A board asked for
    the KPI stack's ``layers`` gets a tile for every KPI of those layers, headline or not (a filtered board has room:
    the maintenance layer's PM compliance); the columns' statuses and calendars count the headline KPIs alone."""
    with shared_context():
        return _board_view(services, scope, period, layers)


def shift_readings(readings: Readings, scope: str, period: Period) -> tuple[dict[str, Reading], Any]:
    """Every KPI as the board reads it for a scope and shift (each over its own period: a weekly KPI over its
    week; the safety numbers over theirs), and the safety numbers they came from."""
    shown, safety, _sums = _shift_readings(readings, scope, period)
    return shown, safety


def _shift_readings(readings: Readings, scope: str, period: Period,
                    also: frozenset[str] = frozenset()) -> tuple[dict[str, Reading], Any, dict[str, Any] | None]:
    """``shift_readings`` and the sums the period's own KPIs were read from, the measures of ``also`` summed by
    the same query (the summary sentence's: None when no KPI of the period is summed)."""
    safety = safety_numbers(readings, scope, period)
    read = safety_readings(safety, readings.config)  # the safety numbers' KPIs are read once, as those numbers
    rest = [k for k in readings.config.kpis if k not in read]
    own = [k for k in rest if readings.own_period(k, period) == period]
    shown, sums = readings.readings_and_sums(own, scope, period, also) if own else ({}, None)
    shown.update(readings.readings_in_own_periods([k for k in rest if k not in shown], scope, period))
    shown.update(read)
    return {k: shown[k] for k in readings.config.kpis}, safety, sums


def _board_view(services: Services, scope: str, period: Period, layers: tuple[int, ...]) -> dict[str, object]:
    config, readings = services.config, services.readings
    now = services.clock()
    month = Period("month", period.first.replace(day=1),
                   (period.first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))
    health = services.data_status.board_health()  # first: the readings' context is read with it
    shown, safety, sums = _shift_readings(readings, scope, period, SUMMARY_MEASURES)
    headline = [k for k, d in config.kpis.items() if d.headline]
    tiled = [k for k, d in config.kpis.items() if d.headline or d.layer in layers]  # the KPIs with a tile
    # a gauge has no shift-by-shift trend: days since the last recordable only climbs until the next case
    shift_kpis = [k for k in tiled if shown[k].period == period.label
                  and FORMULAS[config.kpis[k].formula].kind is not Kind.GAUGE]
    trend_of = trend_points(readings, shift_kpis, scope, period) if shift_kpis else {}
    # a weekly or monthly KPI read over its own period is red now, with no shift streak
    red = [k for k in tiled if shown[k].status == Status.RED]
    streaks = red_streaks(readings, [k for k in red if k in trend_of], scope, period, trend_of) | {
        k: 1 for k in red if k not in trend_of}
    words_of: dict[str, str] = {}  # the trends' periods in words, worked once for every tile

    def words(label: str) -> str:
        if label not in words_of:
            words_of[label] = period_id_words(config, label, period.first)
        return words_of[label]
    calendars = month_calendars(readings, [k for k in headline if config.kpis[k].category != "S"], scope, month)
    actions = services.actions.listing(scope, reader=readings.sessions)
    with_action = {a.kpi for a in actions}
    columns = []
    for cat in CATEGORY_ORDER:
        keys = [k for k in tiled if config.kpis[k].category == cat]
        kpis = []
        for k in keys:
            r = shown[k]
            d = config.kpis[k]
            streak = streaks.get(k, 0)
            kpis.append({
                "kpi": k, "name": d.name, "value": format_value(r.value, r.unit), "raw": r.value,
                "target": format_value(r.target, r.unit), "gap": signed(r.gap, r.unit), "status": str(r.status),
                "period": r.period, "period_name": words(r.period),
                "own_period": r.period != period.label,
                "through": r.data_through.isoformat() if r.data_through else "",
                "needs_action": r.status == Status.RED and k not in with_action, "repeat": streak >= 3,
                "streak": streak, "streak_longer": streak >= MAX_SHIFTS,  # red longer than the shifts counted
                "flags": list(r.flags), "checks": list(r.checks), "gaps": list(r.gaps),
                "coverage": r.coverage, "complete": r.complete,
                "trend": [{"status": str(t.status), "value": t.value, "period": t.period,
                           "period_name": words(t.period)}
                          for t in trend_of.get(k, [])],
                "target_raw": r.target, "direction": d.direction, "leading": d.leading, "layer": d.layer,
                "headline": d.headline,
                "note": clean_record_words(r, config) or "",
                "tree": tree_holding(config, k),  # where a red tile leads (None: in no tree)
            })
        column: dict[str, object] = {
            "category": cat, "status": str(worst_status(x["status"] for x in kpis if x["headline"])), "kpis": kpis}
        if cat == "S":
            cross = safety_cross(services, config, scope, period, now, safety)
            column["cross"] = [{"day": c.day.day, "worst": c.worst, "future": c.future, "words": c.words}
                               for c in cross.days]
            column["safety"] = safety_facts(safety, config)
        elif any(config.kpis[k].headline for k in keys):
            per_kpi = [calendars[k] for k in keys if config.kpis[k].headline]
            column["calendar"] = [
                {"day": cells[0].day.day, "future": cells[0].future,
                 "status": str(worst_status(c.status for c in cells)), "words": cells[0].words}
                for cells in zip(*per_kpi, strict=True)]
        columns.append(column)
    hours = hour_by_hour(readings, scope, period)
    pieces = loss_pieces(readings, scope, period)
    losses = top_losses(readings, scope, period, pieces=pieces)
    shift = period.shift or config.calendar.shifts[0].key
    inst = config.calendar.instance(period.first, shift)
    today = now.astimezone(config.tz).date()
    return {
        "scope": scope, "scope_name": config.scope_name(scope), "period": period.label,
        "period_words": period_words(config, period),
        "window": shift_window(config, period.first, shift),
        "in_progress": inst.end_utc > now, "month": month.label, "columns": columns,
        "hours": [{"label": h.label, "planned": h.planned, "actual": h.actual, "cum_planned": h.cum_planned,
                   "cum_actual": h.cum_actual, "status": str(h.status), "future": h.future, "has_data": h.has_data,
                   "comment": h.comment}
                  for h in hours],
        "losses": [{"reason": x.reason, "category": x.category, "minutes": x.minutes, "count": x.count,
                    "equipment": x.equipment, "lines": list(x.lines),
                    "cost": format_value(x.cost, config.currency) if x.cost is not None else ""}
                   for x in losses.losses],
        "lost_minutes": losses.total_minutes,
        "summary": shift_summary(readings, scope, period, pieces=pieces, shown=shown, sums=sums),
        "actions": [a.as_dict() | {"kpi_name": kpi_name(config, a.kpi), "due_words": due_words(a.due, today)}
                    for a in actions], "failing_sources": health["failing_sources"],
        "loaders": health.get("scheduler", {}).get("words", ""),  # stopped, or a source late: the strip's words
        "data_through": health["data_through"],
    }


@sharing_context
def board_readings(readings: Readings, actions: Actions, scope: str, period: Period) -> dict[str, Any]:
    """Every KPI of a scope for one shift (or period), grouped S Q D C M, with the scope's open actions: the API's
    board, JSON-ready."""
    config = readings.config
    shown, safety = shift_readings(readings, scope, period)  # the same readings as the board's tiles
    listed = actions.listing(scope, reader=readings.sessions)
    with_action = {a.kpi for a in listed}
    columns = []
    for cat in CATEGORY_ORDER:
        items = [shown[k].as_dict() | {"name": d.name, "headline": d.headline,
                                       "needs_action": shown[k].status == "red" and k not in with_action}
                 for k, d in config.kpis.items() if d.category == cat]
        status = worst_status(i["status"] for i in items if i["headline"])
        columns.append({"category": cat, "status": str(status), "kpis": items}
                       | ({"safety": safety_facts(safety, config)} if cat == "S" else {}))
    return {"scope": scope, "scope_name": config.scope_name(scope), "period": period.label,
            "columns": columns, "actions": [a.as_dict() for a in listed]}
