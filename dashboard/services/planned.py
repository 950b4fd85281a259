"""The plant calendar as the readings see it: the plant file's holidays, shutdowns and go-live dates with the planned
days imported into the database and the last recordables set on the admin page; whether a period is planned or before
go-live for a scope (then a reading is neither missing nor judged: no green, no red), and the last recordable before
go-live a days-since reading counts from. Nothing here knows about Dash.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from huddle.dashboard.core.i18n import _, day_text, pgettext
from huddle.dashboard.core.kpi import Status
from huddle.dashboard.core.periods import Period
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.core.plant_calendar import PLANT, DayState, PlannedDays, PlantCalendar, check_scopes, days_of
from huddle.data.queries import ledger as ledger_queries
from huddle.data.queries import plant_calendar as calendar_queries
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from huddle.dashboard.services.container import Services
    from huddle.dashboard.services.readings import Reading


def plant_calendar(config: PlantConfig, session: Session) -> PlantCalendar:
    """The plant file's calendar with what was imported or set on the admin page."""
    return config.plant_calendar.with_stored(*calendar_queries.stored_calendar(session))


def worked_days(config: PlantConfig, period: Period) -> list[date]:
    """The production dates of a period on which some shift is worked (every date when none is)."""
    if period.grain == "shift":
        return [period.first]
    worked = sorted({i.production_date for i in config.calendar.instances_for_dates(period.first, period.last)})
    return worked or days_of(period.first, period.last)


def period_state(calendar: PlantCalendar, config: PlantConfig, scope: str, period: Period) -> DayState | None:
    """Planned or before go-live when no worked day of the period counts for any line of the scope, else None."""
    if not calendar.planned and calendar.go_live is None and not calendar.line_go_live:
        return None
    area_of = {k: ln.area for k, ln in config.lines.items()}
    return calendar.state(worked_days(config, period), config.scope_lines(scope), area_of)


def plant_days_off(calendar: PlantCalendar, first: date, last: date) -> frozenset[date]:
    """The dates between first and last the whole plant planned not to run."""
    return frozenset(d for p in calendar.planned if p.scope == PLANT
                     for d in days_of(max(p.first, first), min(p.last, last)))


def day_state(calendar: PlantCalendar, config: PlantConfig, scope: str, day: date) -> DayState | None:
    """A local day's state for a scope (the safety cross's and letter calendars' cells)."""
    return period_state(calendar, config, scope, Period("day", day, day))


def unjudged(reading: Reading, state: DayState | None) -> Reading:
    """A reading of a period before go-live (always) or planned (when nothing was recorded in it) is shown with
    its words and a neutral status, never green, red, missing or incomplete; any other reading is unchanged."""
    if state is None or _kept(state, reading.value):
        return reading
    return replace(reading, status=Status(state.status), gap=None, complete=None, gaps=(),
                   flags=(state.words, *reading.flags))


def unjudged_status(status: Status, value: float | None, state: DayState | None) -> tuple[Status, str]:
    """The status ``unjudged`` leaves a reading of this status and value with, and the words it puts first in its
    flags ("" when the reading is judged)."""
    return (status, "") if state is None or _kept(state, value) else (Status(state.status), state.words)


def _kept(state: DayState, value: float | None) -> bool:
    """Whether a reading keeps its own status: a planned period's reading with something recorded in it does."""
    return state.status == Status.PLANNED and value is not None


def configured_last_recordable(calendar: PlantCalendar, config: PlantConfig, scope: str,
                               found: datetime | None, as_of: datetime) -> datetime | None:
    """The later of the last recordable found in the data and the one set before go-live (from the start of its
    local day), up to ``as_of``."""
    day = calendar.last_recordable_of(config.scope_kind(scope), scope, config.scope_lines(scope))
    if day is None:
        return found
    at = datetime.combine(day, time(0), tzinfo=config.tz).astimezone(UTC)
    if at > as_of:
        return found
    return at if found is None or at > found else found


# ---- changes: the imported planned days and the last recordable set on the admin page -------------------------


def import_planned(services: Services, actor: str, entries: list[PlannedDays]) -> list[str]:
    """Store a file's planned days in place of those imported before (audited; boards redraw); the problems instead
    when an entry names a scope the plant does not have (then nothing is stored)."""
    config = services.config
    problems: list[str] = []
    check_scopes(entries, set(config.areas) | set(config.lines), "calendar", problems)
    if problems:
        return problems
    with services.sessions.begin() as session:
        stored = calendar_queries.replace_planned(session, entries)
        services.accounts.audit(session, actor, "calendar.import", "planned days", entries=stored)
        ledger_queries.bump_data_version(session)
    return []


def set_last_recordable(services: Services, actor: str, scope: str, day: date | None) -> None:
    """Set (or clear) the last recordable before go-live of the plant or a line, audited; raises ``ValueError`` for
    a scope that is neither or a date after today."""
    config = services.config
    if scope != PLANT and scope not in config.lines:
        raise ValueError(_("choose the plant or one of its lines, not '{scope}'").format(scope=scope))
    if day is not None and day > services.clock().astimezone(config.tz).date():
        raise ValueError(_("{day} is in the future: the last recordable has happened already").format(
            day=day_text(day, pgettext("date pattern", "EEE d MMM y"))))
    with services.sessions.begin() as session:
        before = calendar_queries.stored_last_recordables(session).get(scope)
        calendar_queries.set_last_recordable(session, scope, day)
        services.accounts.audit(session, actor, "calendar.last_recordable", scope, before=before, after=day)
        ledger_queries.bump_data_version(session)


def last_recordables(services: Services) -> dict[str, date]:
    """The last recordable before go-live in force per scope: the admin page's, else the plant file's."""
    with services.sessions() as session:
        return dict(plant_calendar(services.config, session).last_recordable)
