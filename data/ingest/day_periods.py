"""The days and periods a row of the data contract names: a date (ISO or dd.mm.yyyy, or an Excel date) and the
period of an hours-worked row (a day, an ISO week or a month), each refused with the words a plant can act on."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.periods import FIRST_DAY, LAST_DAY, format_period
from huddle.dashboard.core.sentence import Sentence


def parse_day(value: Any) -> date:
    """Parse a date (ISO or dd.mm.yyyy); Excel datetimes give their date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(Sentence(N_("not a date (use {example})"), example="2026-11-20"))


_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})|(\d{1,2})[./](\d{4})")
_WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
             N_("Sunday"))
_GRAINS = {"day": N_("day"), "week": N_("week"), "month": N_("month")}


def parse_hours_period(value: Any, grain: str | None = None) -> tuple[str, date]:
    """The grain (day, week, month) and first day of the period of an hours-worked row: a day ``2026-11-20``, an ISO
    week ``2026-W47`` or a month ``2026-11`` (or ``11.2026``); with a grain, a day may name the first day of its
    week (a Monday) or month."""
    if isinstance(value, date):
        kind, first = "day", value
    else:
        text = str(value).strip()
        week, month = _WEEK.fullmatch(text), _MONTH.fullmatch(text)
        if week:
            year, number = int(week.group(1)), int(week.group(2))
            try:
                first = date.fromisocalendar(year, number, 1)
            except ValueError:
                raise ValueError(Sentence(N_("{year} has no ISO week {week}"), year=year, week=number)) from None
            kind = "week"
        elif month:
            year, number = (int(month.group(1)), int(month.group(2))) if month.group(1) else \
                (int(month.group(4)), int(month.group(3)))
            if not 1 <= number <= 12:
                raise ValueError(Sentence(N_("there is no month {month}"), month=number))
            kind, first = "month", date(year, number, 1)
        else:
            try:
                first = parse_day(text)
            except ValueError:
                raise ValueError(Sentence(N_("not a day, week or month (use {day}, {week} or {month})"),
                                          day="2026-11-20", week="2026-W47", month="2026-11")) from None
            kind = "day"
    if not FIRST_DAY <= first <= LAST_DAY:
        shown = Sentence(N_("the dates Huddle can show ({first} to {last})"), first=FIRST_DAY.isoformat(),
                         last=LAST_DAY.isoformat())
        raise ValueError(Sentence(N_("outside {range}"), range=shown))
    if not grain or grain == kind:
        return kind, first
    if kind != "day":
        raise ValueError(Sentence(N_("{value} is a {kind}, but the grain says {grain}"), value=value,
                                  kind=Sentence(_GRAINS[kind]), grain=Sentence(_GRAINS[grain])))
    if grain == "week" and first.weekday() != 0:
        raise ValueError(Sentence(N_("{day} is a {weekday}: with grain week give the week's Monday ({monday}) or "
                                     "write {week}"), day=first.isoformat(),
                                  weekday=Sentence(_WEEKDAYS[first.weekday()]),
                                  monday=(first - timedelta(days=first.weekday())).isoformat(),
                                  week=format_period("week", first)))
    if grain == "month" and first.day != 1:
        raise ValueError(Sentence(N_("{day} is not the first day of a month: with grain month give {first} or "
                                     "write {month}"), day=first.isoformat(), first=first.replace(day=1).isoformat(),
                                  month=format_period("month", first)))
    return grain, first
