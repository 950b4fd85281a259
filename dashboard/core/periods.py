"""Periods: a shift, day, ISO week, month, quarter or year of production dates, parsed from and shown as text.

Text forms (also used in URLs and the API): shift ``2026-11-20/N``, day ``2026-11-20``, week ``2026-W47``,
month ``2026-11``, quarter ``2026-Q4``, year ``2026``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

GRAINS = ("shift", "day", "week", "month", "quarter", "year")
#: The dates someone may ask to see: far enough inside what Python's dates hold that the periods before and
#: after any of them (trends, comparisons, the next quarter) can still be computed.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
RANGE_WORDS = f"the dates Huddle can show ({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
EXAMPLES = {"shift": "2026-11-20/N", "day": "2026-11-20", "week": "2026-W47", "month": "2026-11",
            "quarter": "2026-Q4", "year": "2026"}


@dataclass(frozen=True)
class Period:
    """A range of production dates, optionally one shift of one date."""

    grain: str
    first: date
    last: date
    shift: str | None = None

    @cached_property
    def label(self) -> str:
        """The period's text form (worked once per period: a year of shifts' readings asked it 20,000 times)."""
        return format_period(self.grain, self.first, self.shift)

    def previous(self) -> Period:
        """The period of the same grain just before this one."""
        if self.grain in ("shift", "day"):
            day = self.first - timedelta(days=1)
            return Period(self.grain, day, day, self.shift)
        return period_containing(self.grain, self.first - timedelta(days=1))


class PeriodError(ValueError):
    """A period text that cannot be understood."""


class PeriodRangeError(PeriodError):
    """A period outside the dates Huddle can show."""


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def period_containing(grain: str, day: date, shift: str | None = None) -> Period:
    """The period of a grain that contains a production date."""
    if grain == "shift":
        if not shift:
            raise PeriodError("a shift period needs a shift key")
        return Period("shift", day, day, shift)
    if grain == "day":
        return Period("day", day, day)
    if grain == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if grain == "month":
        return Period("month", day.replace(day=1), _month_end(day.year, day.month))
    if grain == "quarter":
        q0 = (day.month - 1) // 3 * 3 + 1
        return Period("quarter", date(day.year, q0, 1), _month_end(day.year, q0 + 2))
    if grain == "year":
        return Period("year", date(day.year, 1, 1), date(day.year, 12, 31))
    raise PeriodError(f"unknown grain {grain!r}: use one of {', '.join(GRAINS)}")


def parse_period(grain: str, text: str) -> Period:
    """Parse a period's text form for a grain; raises ``PeriodError`` with the expected form."""
    text = (text or "").strip()
    try:
        if grain == "shift":
            m = _form(r"(\d{4}-\d{2}-\d{2})/(\w+)", text, "shift period", "2026-11-20/N")
            return period_containing("shift", date.fromisoformat(m.group(1)), m.group(2))
        if grain == "day":  # only 2026-11-20: date.fromisoformat would also read 20261120 and 2026-W47-5
            m = _form(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, "day", "2026-11-20")
            return period_containing("day", date.fromisoformat(m.group(0)))
        if grain == "week":
            m = _form(r"(\d{4})-W(\d{1,2})", text, "week", "2026-W47")
            return period_containing("week", date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
        if grain == "month":
            m = _form(r"(\d{4})-(\d{1,2})", text, "month", "2026-11")
            return period_containing("month", date(int(m.group(1)), int(m.group(2)), 1))
        if grain == "quarter":
            m = _form(r"(\d{4})-Q([1-4])", text, "quarter", "2026-Q4")
            return period_containing("quarter", date(int(m.group(1)), (int(m.group(2)) - 1) * 3 + 1, 1))
        if grain == "year":
            m = _form(r"[0-9]{4}", text, "year", "2026")
            return period_containing("year", date(int(m.group(0)), 1, 1))
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"{grain} {text!r}: {exc}; expected like {EXAMPLES[grain]}") from None
    raise PeriodError(f"unknown grain {grain!r}: use one of {', '.join(GRAINS)}")


#: how each grain writes its periods (``format_period``), most specific first
LABEL_FORMS = (("shift", r"\d{4}-\d{2}-\d{2}/\w+"), ("day", r"\d{4}-\d{2}-\d{2}"), ("week", r"\d{4}-W\d{2}"),
               ("month", r"\d{4}-\d{2}"), ("quarter", r"\d{4}-Q[1-4]"), ("year", r"\d{4}"))


def label_grain(label: str) -> str | None:
    """The grain a period's label is written in (``2026-11-20/E`` a shift, ``2026-W47`` a week), None if none."""
    return next((grain for grain, form in LABEL_FORMS if re.fullmatch(form, label or "")), None)


def _form(pattern: str, text: str, what: str, example: str) -> re.Match[str]:
    """The text matched to its grain's form; ``PeriodError`` with an example of the form when it does not match."""
    m = re.fullmatch(pattern, text)
    if not m:
        raise PeriodError(f"{what} {text!r}: expected like {example}")
    return m


def parse_asked_period(grain: str, text: str) -> Period:
    """Parse a period someone asked for (an address, an API parameter): ``parse_period`` that also refuses
    periods outside ``FIRST_DAY``..``LAST_DAY`` with a ``PeriodRangeError`` saying so."""
    text = (text or "").strip()
    year = re.match(r"(\d{4})", text)
    if year and not FIRST_DAY.year <= int(year.group(1)) <= LAST_DAY.year:
        raise PeriodRangeError(f"{text} is outside {RANGE_WORDS}")
    period = parse_period(grain, text)
    if period.first < FIRST_DAY or period.last > LAST_DAY:
        raise PeriodRangeError(f"{text} is outside {RANGE_WORDS}")
    return period


def format_period(grain: str, first: date, shift: str | None = None) -> str:
    """Text form of the period of a grain starting on ``first``."""
    if grain == "shift":
        return f"{first.isoformat()}/{shift}"
    if grain == "day":
        return first.isoformat()
    if grain == "week":
        iso = first.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if grain == "month":
        return f"{first.year}-{first.month:02d}"
    if grain == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return str(first.year)


def bucket_key(grain: str, day: date, shift: str | None = None) -> str:
    """Text form of the period of a grain containing a production date (for series)."""
    if grain == "day" or (grain == "shift" and shift):  # its own period: a year of shifts makes none
        return format_period(grain, day, shift)
    return period_containing(grain, day, shift).label
