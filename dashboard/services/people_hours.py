"""The hours everyone at a scope worked over a period, for the ratios over them (TRIR): the hours recorded for exactly
that scope (payroll, HR: per day, ISO week or month, prorated by calendar days when coarser than the period), and
for the days no recorded period covers, the labour hours per line and shift, as every reading had before.

The readings service asks this module for the denominator only; the formula stays in ``core.kpi``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from huddle.dashboard.core.hours import RecordedHours, day_runs, share_of, share_words
from huddle.dashboard.core.i18n import N_, _, number
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import PlantConfig
from huddle.data.queries import hours as hours_queries
from huddle.data.queries.scope import ScopeFilter
from sqlalchemy.orm import Session

#: How the labour hours per line and shift are named on a reading.
LABOUR_WORDS = N_("labour hours per line and shift")


@dataclass(frozen=True)
class PeopleHours:
    """The hours a reading divides by and, in words, where they came from."""

    hours: float | None  # None: nothing is recorded for the scope, the summed labour hours stand as they are
    words: str  # "hours worked: site payroll, November 2026 prorated 7 of 30 days"
    gap: str = ""  # the days of the period with neither recorded nor labour hours: "no hours worked for ..."
    records: frozenset[str] = frozenset({"labour"})  # the record types the hours came from
    prorated: bool = False


class HoursCache:
    """What the readings of one request share: the recorded hours of each location and the days each scope has
    labour hours, read once."""

    def __init__(self) -> None:
        self.recorded: dict[str, list[RecordedHours]] = {}
        self.labour: dict[ScopeFilter, tuple[date, date] | None] = {}


def people_hours(config: PlantConfig, session: Session, scope: str, scope_filter: ScopeFilter, period: Period,
                 labour_hours: float | None, due: date, cache: HoursCache) -> PeopleHours:
    """The hours everyone at ``scope`` worked over ``period``: recorded hours of exactly that scope where they cover
    a day, labour hours per line and shift (``labour_hours`` for the whole period) where they do not; days up to
    ``due`` (the last day whose hours should be in) with neither are named in ``gap``."""
    location = config.site_key if config.scope_kind(scope) == "plant" else scope
    if location not in cache.recorded:
        cache.recorded[location] = hours_queries.recorded_hours(session, location)
    rows = cache.recorded[location]
    if not rows:
        return PeopleHours(None, _("hours worked: {how}").format(how=_(LABOUR_WORDS)))
    weights, shift_words = _shift_share(config, period)
    share = share_of(rows, period.first, period.last, weights)
    labour = 0.0
    labour_days: list[date] = []
    missing: list[date] = []
    if share.uncovered:
        if scope_filter not in cache.labour:
            cache.labour[scope_filter] = hours_queries.labour_days(session, scope_filter)
        span = cache.labour[scope_filter]
        daily = (hours_queries.labour_by_day(session, scope_filter, share.uncovered[0], share.uncovered[-1],
                                             period.shift) if span and share.used else {})
        for day in share.uncovered:
            if span and span[0] <= day <= span[1]:  # inside the labour records' span, a day without any is no work
                labour_days.append(day)
                labour += daily.get(day, 0.0) if share.used else 0.0
            elif day <= due:
                missing.append(day)
        if not share.used:  # no recorded period in the period at all: the summed labour hours are the days' hours
            labour = float(labour_hours or 0.0)
    source = _source_words(config, scope)
    parts = [f"{source}, {share_words(share)}{shift_words}"] if share.used else []
    if labour_days:
        parts.append(_("{how} for {days}").format(how=_(LABOUR_WORDS), days=day_runs(labour_days, period.last)))
    if missing:
        parts.append(_("none for {days}").format(days=day_runs(missing, period.last)))
    if not parts:  # nothing recorded in the period and nothing due yet: the labour hours, as without any record
        parts.append(_(LABOUR_WORDS))
    records = frozenset(({"hours_worked"} if share.used else set()) | ({"labour"} if labour_days else set()))
    gap = _("no hours worked for {days}").format(days=day_runs(missing, period.last)) if missing else ""
    return PeopleHours(share.hours + labour, _("hours worked: {how}").format(how="; ".join(parts)), gap, records,
                       share.prorated)


def _shift_share(config: PlantConfig, period: Period) -> tuple[dict[date, float] | None, str]:
    """A shift's share of each production date's shift time (recorded hours count per calendar day: a day the
    shift does not run gives it none), and in words."""
    if not period.shift:
        return None, ""
    ours: dict[date, float] = {}
    every: dict[date, float] = {}
    for inst in config.calendar.instances_for_dates(period.first, period.last):
        every[inst.production_date] = every.get(inst.production_date, 0.0) + inst.duration_s
        if inst.shift_key == period.shift:
            ours[inst.production_date] = ours.get(inst.production_date, 0.0) + inst.duration_s
    weights = {day: seconds / every[day] for day, seconds in ours.items()}
    name = config.calendar.shift(period.shift).name
    mine, all_ = number(sum(ours.values()) / 3600, 2).rstrip("0").rstrip(",."), \
        number(sum(every.values()) / 3600, 2).rstrip("0").rstrip(",.")
    shift = name if name.lower().endswith(_("shift").lower()) else _("{name} shift").format(name=name)
    if period.first == period.last:
        return weights, ", " + _("the {shift}'s {hours} of the day's {total} shift hours").format(
            shift=shift, hours=mine, total=all_)
    return weights, ", " + _("the {shift}'s {hours} of the days' {total} shift hours").format(
        shift=shift, hours=mine, total=all_)


def _source_words(config: PlantConfig, scope: str) -> str:
    """Whose recorded hours, from which source: 'site payroll', 'Area A hours'."""
    who = _("site") if config.scope_kind(scope) == "plant" else config.scope_name(scope)
    what = next((s.description for s in config.sources.values() if s.record == "hours_worked" and s.description),
                _("recorded hours"))
    return f"{who} {what}"

