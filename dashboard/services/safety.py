"""Safety on the board: the safety cross (the worst event of each day of the month) and the safety numbers (days
since the last recordable, TRIR of the month and of the rolling 12 months), as at one instant.

The numbers are readings of the one KPI service, computed once and shown the same on the tiles, under the cross and
in the API. Nothing here knows about Dash or Flask.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from huddle.dashboard.core.format import format_day, format_value
from huddle.dashboard.core.i18n import _
from huddle.dashboard.core.names import clean_record, period_words
from huddle.dashboard.core.periods import Period, period_containing
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.planned import day_state
from huddle.dashboard.services.readings import Reading, Readings, readings_of
from huddle.data.queries import records as record_queries
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services

#: Safety event kinds from least to most severe; "none" is a day without events.
SEVERITY = ("none", "near_miss", "first_aid", "recordable", "lost_time")


def _sessions(source: sessionmaker[Session] | Services) -> sessionmaker[Session]:
    return source if isinstance(source, sessionmaker) else source.sessions


# ---- the safety cross ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyDay:
    """One day of the safety cross: the worst event of the local day and how many of each kind."""

    day: date
    worst: str  # one of SEVERITY, or "planned" / "before-go-live" for a day without events that is not judged
    events: dict[str, int]
    future: bool
    words: str = ""  # "planned: Thanksgiving", "no production", "before go-live (…)"


@dataclass(frozen=True)
class SafetyNumbers:
    """Safety's numbers for a scope as at one instant, each a reading with its target and status.

    The board's tiles, the words under the safety cross and the API's board all show these same readings.
    """

    scope: str
    as_of: datetime  # the end of the period shown, or now while it runs
    days_since: Reading  # whole days since the last recordable (on a clean record: since the data began)
    trir_month: Reading  # TRIR of the month containing the period's last date (to date while it runs)
    trir_12m: Reading  # TRIR of the rolling 12 months ending on the period's last date
    trir_first: date  # the rolling 12 months: first and last production date
    trir_last: date

    @property
    def last_recordable(self) -> datetime | None:
        """When the last recordable case happened (None on a clean record or without data)."""
        text = self.days_since.parts.get("last_recordable")
        return datetime.fromisoformat(text) if text else None

    @property
    def clean_since(self) -> datetime | None:
        """On a clean record, when the scope's data begins: the days are counted from there."""
        text = self.days_since.parts.get("no_recordable_since")
        return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class SafetyCross:
    """A month of safety for a scope: the worst event of each day, and the safety numbers as at the same instant."""

    scope: str
    period: str  # the month
    days: list[SafetyDay]
    numbers: SafetyNumbers


def _local_midnight(day: date, config: PlantConfig) -> datetime:
    return datetime.combine(day, time(0), tzinfo=config.tz).astimezone(UTC)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _formula_key(config: PlantConfig, formula: str) -> str | None:
    """The plant's KPI read for a built-in formula (the first with it, as ``Readings.formula_reading`` reads)."""
    return next((k for k, d in config.kpis.items() if d.formula == formula), None)


def safety_numbers(source: Readings | Services, scope: str, period: Period) -> SafetyNumbers:
    """Days since the last recordable and TRIR of the month and of the rolling 12 months, as at the end of the
    period shown (or now while it runs): computed once here and shown the same everywhere."""
    readings = readings_of(source)
    last = period.last
    first = _year_before(last) + timedelta(days=1)
    return SafetyNumbers(
        scope=scope, as_of=min(readings.clock(), readings.period_end(period)),
        days_since=readings.formula_reading("days_since_recordable", scope, period),
        trir_month=readings.formula_reading("trir", scope, period_containing("month", last)),
        # a rolling year: its first and last dates are what the readings service reads
        trir_12m=readings.formula_reading("trir", scope, Period("year", first, last)),
        trir_first=first, trir_last=last,
    )


def safety_readings(numbers: SafetyNumbers, config: PlantConfig) -> dict[str, Reading]:
    """The plant's days-since and TRIR KPIs read as the safety numbers (their tiles show these very readings)."""
    out = {}
    for formula, reading in (("days_since_recordable", numbers.days_since), ("trir", numbers.trir_month)):
        key = _formula_key(config, formula)
        if key is not None:
            out[key] = reading
    return out


def clean_record_words(reading: Reading, config: PlantConfig) -> str | None:
    """'No recordable since 2 Nov 2026' when a days-since reading counts from the start of the data, else None."""
    since = reading.parts.get("no_recordable_since")
    if not since:
        return None
    return clean_record(datetime.fromisoformat(since).astimezone(config.tz).date())


def safety_facts(numbers: SafetyNumbers, config: PlantConfig) -> dict[str, object]:
    """The safety numbers JSON-ready: each reading with its words, value and target as shown, and its status."""
    def fact(label: str, reading: Reading) -> dict[str, object]:
        return reading.as_dict() | {"label": label, "text": format_value(reading.value, reading.unit),
                                    "target_text": format_value(reading.target, reading.unit)}

    month = period_containing("month", numbers.trir_last)
    last = numbers.last_recordable
    days = fact(clean_record_words(numbers.days_since, config) or _("Days since last recordable"), numbers.days_since)
    days["last_recordable"] = format_day(last.astimezone(config.tz).date()) if last else None
    return {
        "as_of": numbers.as_of.isoformat(),
        "days_since": days,
        "trir_month": fact(_("TRIR, {period}").format(period=period_words(config, month)), numbers.trir_month),
        "trir_12m": fact(_("TRIR, last 12 months"), numbers.trir_12m) | {
            "period": f"{numbers.trir_first.isoformat()}/{numbers.trir_last.isoformat()}",
            "first": numbers.trir_first.isoformat(), "last": numbers.trir_last.isoformat()},
    }


def safety_cross(source: sessionmaker[Session] | Services, config: PlantConfig, scope: str, period: Period,
                 now: datetime, numbers: SafetyNumbers | None = None) -> SafetyCross:
    """The safety cross of the month of the period shown: the worst event per local day up to the period's end (or
    now while it runs), with the safety numbers as at that same instant."""
    sessions = _sessions(source)
    # the numbers given were read as at ``now``: the readings of the services that read them (and the context they
    # share) serve the rest; otherwise read them here as at ``now``
    readings = (source.readings if numbers is not None and not isinstance(source, sessionmaker)
                else Readings(config, sessions, clock=lambda: now))
    numbers = numbers or safety_numbers(readings, scope, period)
    month = period if period.grain == "month" else period_containing("month", period.last)
    today = numbers.as_of.astimezone(config.tz).date()
    lo = _local_midnight(month.first, config)
    hi = min(_local_midnight(month.last + timedelta(days=1), config), numbers.as_of)
    with sessions() as session:
        events = record_queries.safety_events_between(session, readings.scope_filter(scope), lo, hi) if lo < hi else []
        calendar = readings.plant_calendar(session)
    worked = {i.production_date for i in config.calendar.instances_for_dates(month.first, month.last)}
    by_day: dict[date, Counter[str]] = defaultdict(Counter)
    for e in events:
        by_day[e.at_utc.astimezone(config.tz).date()][e.kind] += 1
    days = []
    day = month.first
    while day <= month.last:
        kinds = by_day.get(day, Counter())
        worst = max((k for k in kinds if k in SEVERITY), key=SEVERITY.index, default="none")
        words = ""
        state = day_state(calendar, config, scope, day)
        # nothing before go-live is coloured; a day without events is green only when the plant planned to run
        if state is not None and (state.status == "before-go-live" or worst == "none"):
            worst, words = state.status, state.words
        elif worst == "none" and day not in worked:
            worst, words = "planned", "no production"
        days.append(SafetyDay(day, worst, {k: kinds[k] for k in SEVERITY[1:] if kinds[k]}, day > today, words))
        day += timedelta(days=1)
    return SafetyCross(scope=scope, period=month.label, days=days, numbers=numbers)
