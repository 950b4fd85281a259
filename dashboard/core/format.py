"""Formatting numbers, ages and statuses for people (pages and exports share these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from huddle.dashboard.core.i18n import number

if TYPE_CHECKING:
    from huddle.dashboard.core.periods import Period
    from huddle.dashboard.core.plant import PlantConfig

STATUS_WORDS = {"green": "on target", "amber": "near target", "red": "off target", "grey": "no data",
                "stale": "stale", "incomplete": "incomplete", "check": "check data", "planned": "planned",
                "before-go-live": "before go-live"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
STATUS_ICONS = {"green": "✔", "amber": "▲", "red": "✖", "grey": "–", "stale": "⧗", "incomplete": "◐",
                "check": "⚠", "planned": "◌", "before-go-live": "◌"}


def format_value(value: float | None, unit: str = "") -> str:
    """A KPI value with its unit and sensible precision; '—' when there is no data."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{number(value, 1)} %"
    digits = 0 if abs(value) >= 100 or float(value).is_integer() else 2 if abs(value) < 10 else 1
    return f"{number(value, digits)} {unit}".strip()


def format_age(seconds: float | None) -> str:
    """How old data is, in words: 'updated 4 min ago'."""
    if seconds is None:
        return "no data yet"
    seconds = max(0, seconds)
    if seconds < 90:
        return "updated just now"
    if seconds < 90 * 60:
        return f"updated {round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"updated {round(seconds / 3600)} h ago"
    return f"updated {round(seconds / 86400)} days ago"


def format_time(instant: datetime | None, tz: object) -> str:
    """An instant in plant local time."""
    if instant is None:
        return "—"
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def format_day(day: date, reference: date | None = None) -> str:
    """A date as people say it, 'Mon 30 Nov', with the year when it is not the reference date's year."""
    year = f" {day.year}" if reference is not None and reference.year != day.year else ""
    return f"{day:%a} {day.day} {day:%b}{year}"


def format_moment(instant: datetime, tz: object, day: object = None) -> str:
    """An instant in plant time as people say it: '11:01' on the day in question, 'Fri 20 Nov 11:01' otherwise."""
    local = instant.astimezone(tz)  # type: ignore[arg-type]
    if day is not None and local.date() == day:
        return local.strftime("%H:%M")
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %H:%M')}"


def status_label(status: str) -> str:
    """Icon and word for a status (colour is never the only signal)."""
    return f"{STATUS_ICONS.get(status, '')} {STATUS_WORDS.get(status, status)}".strip()


def period_words(config: PlantConfig, period: Period) -> str:
    """A period in words for sentences: 'the Early shift of 2026-11-20', 'week 2026-W47', 'November 2026'."""
    if period.grain == "shift" and period.shift:
        name = config.calendar.shift(period.shift).name
        shift = name if name.lower().endswith("shift") else f"{name} shift"
        return f"the {shift} of {period.first.isoformat()}"
    if period.grain == "week":
        return f"week {period.label}"
    if period.grain == "month":
        return f"{_MONTHS[period.first.month - 1]} {period.first.year}"
    return period.label
