"""Where a shift's time went: stops clipped to its shift windows, the top losses by minutes and cost, and the one
or two sentences the board opens with, every number from the data.

Attribution follows ``data.ingest.facts``: a stop is clipped to the shift windows it overlaps, and time inside a
planned break is not counted as lost (it is already planned), so the minutes here add up to the
``unplanned_downtime`` and ``changeover_time`` KPIs. Nothing here knows about Dash or Flask.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from huddle.dashboard.core.calendar import ShiftInstance
from huddle.dashboard.core.format import format_value
from huddle.dashboard.core.i18n import _, language
from huddle.dashboard.core.kpi import FORMULAS, evaluate
from huddle.dashboard.core.names import period_words
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.reading_context import shared_session
from huddle.dashboard.services.readings import Reading, Readings, readings_of
from huddle.data.instants import micros_of_utc
from huddle.data.queries import readings as reading_queries
from huddle.data.queries import records as record_queries
from huddle.data.queries.records import StopColumns

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services


# ---- losses ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """A stop reason's lost minutes inside a period's shifts, with where it hit most."""

    reason: str
    category: str  # unplanned | changeover
    minutes: float
    count: int  # stops that started inside the period's shifts
    equipment: str  # the equipment with the most minutes of this reason ("" when none was recorded)
    equipment_minutes: float
    lines: tuple[str, ...]
    cost: float | None = None  # minutes × each line's downtime cost, where the plant configures one


@dataclass(frozen=True)
class LossReport:
    """The top losses of a scope and period, and the minutes lost in all (unplanned stops and changeovers)."""

    losses: list[Loss]
    unplanned_minutes: float
    changeover_minutes: float
    by_line: dict[str, float] = field(default_factory=dict)  # lost minutes per line (lines without losses left out)

    @property
    def total_minutes(self) -> float:
        """Minutes lost to unplanned stops and changeovers."""
        return self.unplanned_minutes + self.changeover_minutes


@dataclass(frozen=True)
class LossPieces:
    """The stops of a scope with minutes inside a period's shift windows, as columns (``StopColumns``' fields for
    those stops, with their minutes and whether each started inside a window): the month of a plant's thousands
    of stops is summed from the columns."""

    stops: StopColumns
    minutes: list[float]
    started_inside: list[bool]

    def __len__(self) -> int:
        return len(self.minutes)

    def where(self, keep: list[bool]) -> LossPieces:
        """The pieces whose entry in ``keep`` is true."""
        index = [i for i, k in enumerate(keep) if k]
        if len(index) == len(self):
            return self
        return LossPieces(self.stops.take(index), [self.minutes[i] for i in index],
                          [self.started_inside[i] for i in index])


def _period_instances(config: PlantConfig, period: Period) -> list[ShiftInstance]:
    """The worked shift instances of a period (one for a shift period, none when that shift is not worked)."""
    insts = config.calendar.instances_for_dates(period.first, period.last)
    if period.shift:
        insts = [i for i in insts if i.shift_key == period.shift]
    return insts


def worked_clock(insts: list[ShiftInstance]) -> tuple[np.ndarray, np.ndarray]:
    """The worked time of shift instances as a clock that runs only inside their windows and stops in their breaks:
    (instants, worked microseconds up to each), both float64 of whole microseconds since 1970 (exact below 2**53),
    so the worked time between two instants is the difference of ``np.interp`` at each."""
    times: list[int] = []
    steps: list[int] = []
    for inst in insts:
        times += [micros_of_utc(inst.start_utc), micros_of_utc(inst.end_utc)]
        steps += [1, -1]
        for lo, hi in inst.breaks:
            times += [micros_of_utc(lo), micros_of_utc(hi)]
            steps += [-1, 1]
    if not times:
        return np.empty(0), np.empty(0)
    at = np.array(times, dtype=np.int64)
    order = np.argsort(at, kind="stable")
    at = at[order]
    # the clock runs where a window is open and no break is: shifts never overlap and breaks lie in their shift (the
    # calendar sees to both); were they to overlap, their time would count once
    running = np.clip(np.cumsum(np.array(steps, dtype=np.int64)[order]), 0, 1)
    worked = np.concatenate(([0], np.cumsum(np.diff(at) * running[:-1])))
    last = np.append(at[1:] != at[:-1], True)  # one point per instant: its worked time once every change there is in
    return at[last].astype(np.float64), worked[last].astype(np.float64)


def loss_pieces(readings: Readings, scope: str, period: Period) -> LossPieces:
    """Unplanned stops and changeovers of a scope clipped to the period's shift windows, planned breaks left out."""
    insts = _period_instances(readings.config, period)
    if not insts:
        return LossPieces(StopColumns([], np.empty(0, np.int64), np.empty(0, np.int64), [], [], []), [], [])
    lines = tuple(readings.config.scope_lines(scope))
    with shared_session(readings.sessions) as session:
        stops = record_queries.stop_columns(session, lines, insts[0].start_utc, max(i.end_utc for i in insts))
    at, worked = worked_clock(insts)
    # a stop's lost time is the worked clock's advance over it: every window it overlaps, less the breaks in them
    micros = np.interp(stops.end_us.astype(np.float64), at, worked) - \
        np.interp(stops.start_us.astype(np.float64), at, worked)
    ordered = sorted(insts, key=lambda i: i.start_utc)
    starts = np.array([micros_of_utc(i.start_utc) for i in ordered], dtype=np.int64)
    ends = np.array([micros_of_utc(i.end_utc) for i in ordered], dtype=np.int64)
    within = np.searchsorted(starts, stops.start_us, side="right") - 1
    inside = (within >= 0) & (stops.start_us < ends[np.maximum(within, 0)])
    keep = np.flatnonzero(micros > 0)
    return LossPieces(stops.take(keep.tolist()), (micros[keep] / 60e6).tolist(), inside[keep].tolist())


def _rank(pieces: LossPieces, line_order: list[str], rates: dict[str, float | None] | None = None) -> list[Loss]:
    minutes: dict[tuple[str, str], float] = defaultdict(float)
    cost: dict[tuple[str, str], float] = defaultdict(float)
    costed: set[tuple[str, str]] = set()
    counts: Counter[tuple[str, str]] = Counter()
    equipment: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lines: dict[tuple[str, str], set[str]] = defaultdict(set)
    stops = pieces.stops
    for line, reason, category, where, lost, inside in zip(stops.line, stops.reason, stops.category,
                                                           stops.equipment, pieces.minutes, pieces.started_inside,
                                                           strict=True):
        key = (reason, category)
        minutes[key] += lost
        counts[key] += inside
        equipment[key][where] += lost
        lines[key].add(line)
        rate = (rates or {}).get(line)
        if rate is not None:
            cost[key] += lost * rate / 60
            costed.add(key)
    out = []
    for key, total in minutes.items():
        named = {e: m for e, m in equipment[key].items() if e} or equipment[key]
        top = min(named, key=lambda e: (-named[e], e))
        out.append(Loss(key[0], key[1], total, counts[key], top, named[top],
                        tuple(ln for ln in line_order if ln in lines[key]), cost[key] if key in costed else None))
    out.sort(key=lambda loss: (-loss.minutes, -loss.count, loss.reason))
    return out


def top_losses(source: Readings | Services, scope: str, period: Period, n: int = 3,
               pieces: LossPieces | None = None) -> LossReport:
    """Stop reasons ranked by minutes inside the period's shifts (planned stops excluded), and the total lost;
    from the period's ``loss_pieces`` when the caller has them."""
    readings = readings_of(source)
    pieces = loss_pieces(readings, scope, period) if pieces is None else pieces
    line_order = readings.config.scope_lines(scope)
    by_line: dict[str, float] = defaultdict(float)
    unplanned = changeover = 0.0
    for line, category, lost in zip(pieces.stops.line, pieces.stops.category, pieces.minutes, strict=True):
        by_line[line] += lost
        if category == "unplanned":
            unplanned += lost
        else:
            changeover += lost
    return LossReport(
        losses=_rank(pieces, line_order, {k: v.downtime_cost_per_hour for k, v in readings.config.lines.items()})[:n],
        unplanned_minutes=unplanned, changeover_minutes=changeover,
        by_line={ln: by_line[ln] for ln in line_order if ln in by_line},
    )


# ---- the summary sentence --------------------------------------------------------------------------------

#: The measures the summary sentence reads besides the losses: whether anything ran, and output against plan.
SUMMARY_MEASURES = frozenset({"shift_s", "total_count", "good_count", "planned_qty"})


def _minutes(value: float) -> str:
    return format_value(float(round(value)) if value >= 1 else round(value, 1), "min")


def _loss_phrase(pieces: LossPieces, line_order: list[str]) -> str:
    """'47 min to unplanned stops, 22 of them at Filler (Filler jam), and 25 min to changeovers'."""
    unplanned = pieces.where([c == "unplanned" for c in pieces.stops.category])
    changeover = sum(m for c, m in zip(pieces.stops.category, pieces.minutes, strict=True) if c != "unplanned")
    parts = []
    if unplanned:
        total = sum(unplanned.minutes)
        top = _rank(unplanned, line_order)[0]
        where = (_("at {equipment} ({reason})").format(equipment=top.equipment, reason=top.reason) if top.equipment
                 else _("to {reason}").format(reason=top.reason))
        share = _("all of them") if round(top.equipment_minutes) >= round(total) else \
            _("{n} of them").format(n=_minutes(top.equipment_minutes).removesuffix(" min"))
        parts.append(_("{minutes} to unplanned stops, {share} {where}").format(
            minutes=_minutes(total), share=share, where=where))
    if changeover > 0:
        parts.append(_("{minutes} to changeovers").format(minutes=_minutes(changeover)))
    return _(", and ").join(parts) if parts else _("no time to unplanned stops or changeovers")


def _quality_kpi(config: PlantConfig) -> str | None:
    """The Quality KPI a summary quotes: the headline first-pass yield if there is one, else the first headline Q."""
    quality = [k for k in config.kpis.values() if k.category == "Q"]
    ranked = sorted(quality, key=lambda k: (not k.headline, k.formula != "fpy"))
    return ranked[0].key if ranked else None


def _lower_first(name: str) -> str:
    if language() == "de":  # German writes its nouns capitalised inside a sentence too
        return name
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def shift_summary(source: Readings | Services, scope: str, period: Period, pieces: LossPieces | None = None,
                  shown: dict[str, Reading] | None = None, sums: dict[str, Any] | None = None) -> str:
    """One or two sentences on a period in words, every number from the data (nothing when there is none); from
    the period's ``loss_pieces``, readings (``shown``, by KPI) and summed measures (``sums``, holding every one of
    ``SUMMARY_MEASURES``: the scope's over the period) when the caller has them."""
    readings = readings_of(source)
    config = readings.config
    pieces = loss_pieces(readings, scope, period) if pieces is None else pieces
    if sums is None or not sums.keys() >= SUMMARY_MEASURES:
        with shared_session(readings.sessions) as session:
            sums = reading_queries.sums_by(session, readings.scope_filter(scope), period.first, period.last,
                                           period.shift, (), SUMMARY_MEASURES)[0]
    name = config.scope_name(scope)
    if not (sums.get("shift_s") or sums.get("total_count")) and not pieces:
        return _("No production recorded for {name} in {period}.").format(name=name,
                                                                             period=period_words(config, period))
    line_order = config.scope_lines(scope)
    if config.scope_kind(scope) == "line":
        first = _("{name} lost {what}").format(name=name, what=_loss_phrase(pieces, line_order))
    elif pieces:
        lost: dict[str, float] = defaultdict(float)
        for line, minutes in zip(pieces.stops.line, pieces.minutes, strict=True):
            lost[line] += minutes
        worst = min(lost, key=lambda ln: (-lost[ln], line_order.index(ln)))
        kinds = sorted({c == "unplanned" for c in pieces.stops.category}, reverse=True)
        first = _("{name} lost {minutes} to {kinds}, the most on {line}: {what}").format(
            name=name, minutes=_minutes(sum(lost.values())),
            kinds=_(" and ").join(_("unplanned stops") if k else _("changeovers") for k in kinds),
            line=config.lines[worst].name,
            what=_loss_phrase(pieces.where([ln == worst for ln in pieces.stops.line]), line_order))
    else:
        first = _("{name} lost no time to unplanned stops or changeovers").format(name=name)
    key = _quality_kpi(config)
    if key is not None:
        reading = (shown[key] if shown and key in shown and shown[key].period == period.label
                   else readings.reading(key, scope, period))
        if reading.value is not None:
            kdef = config.kpis[key]
            value = format_value(reading.value, kdef.unit)
            first += "; " + (_("{kpi} {value} against {target}").format(
                kpi=_lower_first(kdef.name), value=value, target=format_value(reading.target, kdef.unit))
                if reading.target is not None else f"{_lower_first(kdef.name)} {value}")
    sentences = [first + "."]
    good, planned = sums.get("good_count"), sums.get("planned_qty")
    if isinstance(planned, int | float) and planned > 0:
        attainment = evaluate(FORMULAS["schedule_attainment"], sums)  # type: ignore[arg-type]
        sentences.append(_("Good output {good} of {planned} planned ({share}).").format(
            good=format_value(float(good or 0)), planned=format_value(float(planned), "units"),
            share=format_value(attainment.value, "%")))
    elif isinstance(good, int | float) and sums.get("total_count"):
        sentences.append(_("Good output {good}.").format(good=format_value(float(good), "units")))
    return " ".join(sentences)
