"""Formatting numbers, ages and statuses for people (pages and exports share these)."""

from __future__ import annotations

import re
from datetime import date, datetime

from huddle.dashboard.core.i18n import N_, _, day_text, ngettext, number, pgettext

STATUS_WORDS = {"green": N_("on target"), "amber": N_("near target"), "red": N_("off target"), "grey": N_("no data"),
                "stale": N_("stale"), "incomplete": N_("incomplete"), "check": N_("check data"),
                "planned": N_("planned"), "before-go-live": N_("before go-live")}
#: the units Huddle's built-in KPIs are counted in (core.kpi): translated; a unit the plant file writes is its own
BUILT_IN_UNITS = frozenset({N_("units"), N_("units/h"), N_("cases"), N_("reports"), N_("days"), N_("min"),
                            N_("escapes")})
#: every icon is a glyph of DejaVu Sans, the last named font of the pages' stack and the one a Linux TV draws with
#: (Inter and Segoe UI fall back to it per glyph); tests/unit/test_glyphs.py reads the font to hold that
STATUS_ICONS = {"green": "✓", "amber": "▲", "red": "✗", "grey": "–", "stale": "◷", "incomplete": "◐",
                "check": "⚠", "planned": "◌", "before-go-live": "◌"}
#: a day of the safety cross by its worst event: icon and words (recordable and lost time differ in icon too)
SAFETY_MARKS = {"none": ("✓", N_("no incident")), "near_miss": ("▲", N_("near miss")),
                "first_aid": ("✚", N_("first aid")), "recordable": ("✗", N_("recordable")),
                "lost_time": ("■", N_("lost-time injury")), "planned": ("◌", N_("planned")),
                "before-go-live": ("◌", N_("before go-live"))}
MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash on a TV


def format_value(value: float | None, unit: str = "") -> str:
    """A KPI value with its unit and sensible precision; '—' when there is no data."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{number(value, 1)} %"
    digits = 0 if abs(value) >= 100 or float(value).is_integer() else 2 if abs(value) < 10 else 1
    text = number(value, digits)
    if unit in BUILT_IN_UNITS and (said := counted(text, round(value, digits), unit)) is not None:
        return said
    return f"{text} {unit_for(value, unit_text(unit))}".strip()


def plural(count: float, word: str, many: str | None = None) -> str:
    """A count with its noun, singular for exactly one: '1 idea', '3 ideas', '0.5 ideas'."""
    text = number(count) if float(count).is_integer() else number(count, 1)
    return f"{text} {word if count == 1 else many or word + 's'}"


def unit_for(value: float | None, unit: str) -> str:
    """A unit as it reads after a value: its singular after exactly one, as the plant file gives it (``unit_one``:
    '1 Idee'), or else an English plural noun without its s ('1 idea')."""
    if value is None or abs(value) != 1:
        return unit
    if getattr(unit, "one", ""):
        return unit.one  # type: ignore[attr-defined]
    if unit.isalpha() and unit.endswith("s") and not unit.endswith("ss"):
        return unit[:-1]
    return unit


def counted(text: str, value: float, unit: str) -> str | None:
    """A value (``text`` as written) of a built-in counted unit as the language counts it ('1 Stück', '3 casos');
    None for other units."""
    n = abs(value)
    if unit == "units":
        return ngettext("{n} unit", "{n} units", n).format(n=text)
    if unit == "cases":
        return ngettext("{n} case", "{n} cases", n).format(n=text)
    if unit == "reports":
        return ngettext("{n} report", "{n} reports", n).format(n=text)
    if unit == "days":
        return ngettext("{n} day", "{n} days", n).format(n=text)
    return None


def signed(value: float | None, unit: str = "") -> str:
    """A difference with its sign (a true minus) and unit; percentage differences in points: '−2.3 pts', '+10 days'."""
    if value is None:
        return "—"
    shown = _("{value} pts").format(value=number(abs(value), 1)) if unit == "%" else format_value(abs(value), unit)
    zero = not shown.split()[0].strip("0.,")  # what rounds to nothing has no sign
    sign = "" if zero else "+" if value > 0 else MINUS
    return f"{sign}{shown}"


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


def format_time(instant: datetime | None, tz: object, today: date | None = None) -> str:
    """An instant in plant time as people say it: '14:10' when it is ``today``, 'Tue 1 Dec, 14:10' in today's
    year, 'Tue 1 Dec 2026, 14:10' otherwise (and when no day is given); programs get ISO from the API and CSV."""
    if instant is None:
        return "—"
    local = instant.astimezone(tz)  # type: ignore[arg-type]
    if today is not None and local.date() == today:
        return local.strftime("%H:%M")
    if today is not None and local.year == today.year:
        return day_text(local, pgettext("date pattern", "EEE d MMM, HH:mm"))
    return day_text(local, pgettext("date pattern", "EEE d MMM y, HH:mm"))


def format_day(day: date, reference: date | None = None) -> str:
    """A date as people say it, 'Mon 30 Nov', with the year when it is not the reference date's year."""
    if reference is not None and reference.year != day.year:
        return day_text(day, pgettext("date pattern", "EEE d MMM y"))
    return day_text(day, pgettext("date pattern", "EEE d MMM"))


#: a date pattern's fields (CLDR) as a date picker's display format writes them (Moment.js tokens: Dash's pickers take
#: those and hand date-fns its own); a field without one (a weekday) is left out with the text before it
_PICKER_FIELDS = {"d": "D", "dd": "DD", "M": "M", "MM": "MM", "MMM": "MMM", "MMMM": "MMMM", "y": "YYYY", "yy": "YY",
                  "yyyy": "YYYY"}
_PATTERN_PARTS = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")


def picker_date_format() -> str:
    """How a date picker shows its date, in the language's words for a date ('D MMM YYYY'; German 'D. MMM YYYY',
    read as '5. Dez. 2026'): the pattern the pages write a date with a year in, in the picker's tokens."""
    return picker_format(pgettext("date pattern", "d MMM y"))


def picker_format(pattern: str) -> str:
    """A CLDR date pattern in a date picker's tokens ('d. MMM y' → 'D. MMM YYYY'), without the fields a picker
    cannot show."""
    out: list[str] = []
    for part in _PATTERN_PARTS.finditer(pattern):
        text = part.group(0)
        if part.group(1) is None:  # spaces, punctuation, quoted words: as they are
            out.append(text)
        elif text in _PICKER_FIELDS:
            out.append(_PICKER_FIELDS[text])
        elif out:
            out.pop()  # a field the pickers cannot show (a weekday), and the text before it
    return "".join(out).strip(" ,") or "D MMM YYYY"


def format_moment(instant: datetime, tz: object, day: object = None) -> str:
    """An instant in plant time as people say it: '11:01' on the day in question, 'Fri 20 Nov 11:01' otherwise."""
    local = instant.astimezone(tz)  # type: ignore[arg-type]
    if day is not None and local.date() == day:
        return local.strftime("%H:%M")
    return day_text(local, pgettext("date pattern", "EEE d MMM HH:mm"))


def status_label(status: str) -> str:
    """Icon and word for a status (colour is never the only signal)."""
    return f"{STATUS_ICONS.get(status, '')} {_(STATUS_WORDS[status]) if status in STATUS_WORDS else status}".strip()
