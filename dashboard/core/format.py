"""Formatting numbers, ages and statuses for people (pages and exports share these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from huddle.dashboard.core.i18n import N_, _, day_text, month_name, number, pgettext

if TYPE_CHECKING:
    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.core.plant import PlantConfig

STATUS_WORDS = {"green": N_("on target"), "amber": N_("near target"), "red": N_("off target"), "grey": N_("no data"),
                "stale": N_("stale"), "incomplete": N_("incomplete"), "check": N_("check data"),
                "planned": N_("planned"), "before-go-live": N_("before go-live")}
#: the units Huddle's built-in KPIs are counted in (core.kpi): translated; a unit the plant file writes is its own
BUILT_IN_UNITS = frozenset({N_("units"), N_("units/h"), N_("cases"), N_("reports"), N_("days"), N_("min")})
STATUS_ICONS = {"green": "✔", "amber": "▲", "red": "✖", "grey": "–", "stale": "⧗", "incomplete": "◐",
                "check": "⚠", "planned": "◌", "before-go-live": "◌"}


def format_value(value: float | None, unit: str = "") -> str:
    """A KPI value with its unit and sensible precision; '—' when there is no data."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{number(value, 1)} %"
    digits = 0 if abs(value) >= 100 or float(value).is_integer() else 2 if abs(value) < 10 else 1
    return f"{number(value, digits)} {unit_text(unit)}".strip()


def unit_text(unit: str) -> str:
    """A unit as the language writes it: the built-in KPIs' units translated, a unit the plant wrote as written."""
    return _(unit) if unit in BUILT_IN_UNITS else unit


def format_age(seconds: float | None) -> str:
    """How old data is, in words: 'updated 4 min ago'."""
    if seconds is None:
        return _("no data yet")
    seconds = max(0, seconds)
    if seconds < 90:
        return _("updated just now")
    if seconds < 90 * 60:
        return _("updated {n} min ago").format(n=round(seconds / 60))
    if seconds < 36 * 3600:
        return _("updated {n} h ago").format(n=round(seconds / 3600))
    return _("updated {n} days ago").format(n=round(seconds / 86400))


def format_time(instant: datetime | None, tz: object) -> str:
    """An instant in plant local time."""
    if instant is None:
        return "—"
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def format_day(day: date, reference: date | None = None) -> str:
    """A date as people say it, 'Mon 30 Nov', with the year when it is not the reference date's year."""
    if reference is not None and reference.year != day.year:
        return day_text(day, pgettext("date pattern", "EEE d MMM y"))
    return day_text(day, pgettext("date pattern", "EEE d MMM"))


def format_moment(instant: datetime, tz: object, day: object = None) -> str:
    """An instant in plant time as people say it: '11:01' on the day in question, 'Fri 20 Nov 11:01' otherwise."""
    local = instant.astimezone(tz)  # type: ignore[arg-type]
    if day is not None and local.date() == day:
        return local.strftime("%H:%M")
    return day_text(local, pgettext("date pattern", "EEE d MMM HH:mm"))


def status_label(status: str) -> str:
    """Icon and word for a status (colour is never the only signal)."""
    return f"{STATUS_ICONS.get(status, '')} {_(STATUS_WORDS[status]) if status in STATUS_WORDS else status}".strip()


def period_words(config: PlantConfig, period: Period) -> str:
    """A period in words for sentences: 'the Early shift of 2026-11-20', 'week 2026-W47', 'November 2026'."""
    if period.grain == "shift" and period.shift:
        name = config.calendar.shift(period.shift).name
        shift = name if name.lower().endswith(_("shift").lower()) else _("{name} shift").format(name=name)
        return _("the {shift} of {day}").format(shift=shift, day=period.first.isoformat())
    if period.grain == "week":
        return _("week {label}").format(label=period.label)
    if period.grain == "month":
        return f"{month_name(period.first.month)} {period.first.year}"
    return period.label
