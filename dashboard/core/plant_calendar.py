"""The plant calendar: days the plant planned not to run (holidays, shutdowns, per plant, area or line), the date the
plant (or a line) went live with Huddle, the last recordable case before that, and the ``huddle check`` warnings the
plant has acknowledged.

In the plant file::

    site:
      go_live: 2026-09-21           # nothing before it is coloured
      last_recordable: 2026-09-14   # days since the last recordable count from it until a newer case is loaded
    calendar:
      planned:
        - {date: 2026-11-26, name: Thanksgiving}
        - {from: 2026-12-24, to: 2027-01-01, name: Winter shutdown, scope: assembly, kind: shutdown}
    areas:
      - key: assembly
        lines:
          - {key: L3, ideal_cycle_s: 30, go_live: 2026-10-05, last_recordable: 2026-08-02}
    acknowledge: ["no shift covers 23:00–06:00"]

The same planned days can be imported from a CSV file (``huddle calendar import FILE``, columns ``from``, ``to`` or
``date``, ``name``, optional ``scope`` and ``kind``); ``read_planned_csv`` reads it. Nothing here knows about the
database or Dash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from huddle.dashboard.core.i18n import _, day_text, pgettext

KINDS = ("holiday", "shutdown", "no orders")
PLANT = "plant"


@dataclass(frozen=True)
class PlannedDays:
    """Days the plant planned not to run: a holiday or shutdown from ``first`` to ``last`` for a scope."""

    first: date
    last: date
    name: str
    scope: str = PLANT  # "plant", an area key or a line key
    kind: str = "holiday"


@dataclass(frozen=True)
class DayState:
    """Why a day is not judged: ``planned`` (with the holiday's name) or ``before-go-live``; words for people."""

    status: str  # "planned" | "before-go-live"
    words: str


@dataclass(frozen=True)
class PlantCalendar:
    """Planned days, go-live dates and last recordables before go-live, acknowledged check warnings."""

    planned: tuple[PlannedDays, ...] = ()
    go_live: date | None = None
    line_go_live: Mapping[str, date] = field(default_factory=dict)
    #: scope ("plant" or a line key) -> the date of its last recordable case before go-live
    last_recordable: Mapping[str, date] = field(default_factory=dict)
    acknowledge: tuple[str, ...] = ()

    def with_stored(self, planned: Iterable[PlannedDays], last_recordable: Mapping[str, date]) -> PlantCalendar:
        """This calendar plus planned days imported into the database and last recordables set on the admin page
        (those win over the plant file's for the same scope)."""
        return replace(self, planned=(*self.planned, *planned),
                       last_recordable={**self.last_recordable, **last_recordable})

    def go_live_of(self, line: str) -> date | None:
        """The day a line went live: its own date, else the plant's."""
        return self.line_go_live.get(line, self.go_live)

    def planned_on(self, day: date, lines: Iterable[str], area_of: Mapping[str, str]) -> str | None:
        """The name of what is planned on a day for every one of the lines (None when a line is planned to run)."""
        names: list[str] = []
        for line in lines:
            name = next((p.name for p in self.planned if p.first <= day <= p.last
                         and p.scope in (PLANT, line, area_of.get(line))), None)
            if name is None:
                return None
            if name not in names:
                names.append(name)
        return ", ".join(names) or None

    def state(self, days: Iterable[date], lines: list[str], area_of: Mapping[str, str]) -> DayState | None:
        """A period's state when none of its days is judged: all before go-live, or all planned (or before
        go-live) for every line of the scope; None when some day counts."""
        names: list[str] = []
        before = True
        for day in days:
            live = [ln for ln in lines if (g := self.go_live_of(ln)) is None or day >= g]
            if not live:
                continue
            before = False
            name = self.planned_on(day, live, area_of)
            if name is None:
                return None
            if name not in names:
                names.append(name)
        if before and lines:
            first = min((g for ln in lines if (g := self.go_live_of(ln)) is not None), default=None)
            return DayState("before-go-live", _("before go-live ({day})").format(
                day=day_text(first, pgettext("date pattern", "EEE d MMM y"))) if first else _("before go-live"))
        return DayState("planned", _("planned: {names}").format(names=", ".join(names))) if names else None

    def last_recordable_of(self, scope_kind: str, scope: str, lines: Iterable[str]) -> date | None:
        """The last recordable before go-live for a scope: a line's own date (else the plant's); for an area or the
        plant the latest of the plant's and its lines' dates."""
        if scope_kind == "line":
            return self.last_recordable.get(scope, self.last_recordable.get(PLANT))
        dates = [d for key in (PLANT, *lines) if (d := self.last_recordable.get(key)) is not None]
        return max(dates, default=None)

    def acknowledged(self, message: str) -> bool:
        """Whether a check's message is one the plant acknowledged (its text contains an acknowledged phrase)."""
        return any(a and a in message for a in self.acknowledge)


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def planned_entry(raw: Mapping[str, Any], where: str, problems: list[str]) -> PlannedDays | None:
    """One planned entry (``date``, or ``from`` and ``to``; ``name``; ``scope``; ``kind``), or None with a problem."""
    one = raw.get("date")
    first, last = _day(raw.get("from", one)), _day(raw.get("to", raw.get("from", one)))
    name = str(raw.get("name") or "").strip()
    kind = str(raw.get("kind") or "holiday").strip()
    if first is None or last is None:
        problems.append(f"{where}: expected a date like 2026-11-26, or from and to dates")
    elif last < first:
        problems.append(f"{where}: 'to' ({last}) is before 'from' ({first})")
    if not name:
        problems.append(f"{where}.name: missing (it is what the board shows, like Thanksgiving)")
    if kind not in KINDS:
        problems.append(f"{where}.kind: expected {', '.join(KINDS)}, got {kind!r}")
    if first is None or last is None or last < first or not name or kind not in KINDS:
        return None
    return PlannedDays(first, last, name, str(raw.get("scope") or PLANT).strip(), kind)


def check_scopes(planned: Iterable[PlannedDays], scopes: set[str], where: str, problems: list[str]) -> None:
    """A problem for each planned entry whose scope is no area or line of the plant."""
    for p in planned:
        if p.scope != PLANT and p.scope not in scopes:
            problems.append(f"{where}: {p.name} ({p.first}): scope {p.scope!r} is not 'plant', an area or a line")


def read_plant_calendar(raw: Mapping[str, Any], problems: list[str]) -> PlantCalendar:
    """The plant calendar from a parsed plant file, adding each problem with where it was found."""
    site = raw.get("site") if isinstance(raw.get("site"), dict) else {}
    cal = raw.get("calendar") if isinstance(raw.get("calendar"), dict) else {}
    planned = []
    for i, entry in enumerate(cal.get("planned") or []):
        where = f"calendar.planned[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping like {{date: 2026-11-26, name: Thanksgiving}}")
        elif (p := planned_entry(entry, where, problems)) is not None:
            planned.append(p)
    go_live = _dated(site, "go_live", "site", problems)
    last_recordable: dict[str, date] = {}
    if (d := _dated(site, "last_recordable", "site", problems)) is not None:
        last_recordable[PLANT] = d
    line_go_live: dict[str, date] = {}
    scopes: set[str] = set()
    for i, area in enumerate(raw.get("areas") or []):
        if not isinstance(area, dict):
            continue
        scopes.add(str(area.get("key")))
        for j, line in enumerate(area.get("lines") or []):
            if not isinstance(line, dict) or not line.get("key"):
                continue
            key, where = str(line["key"]), f"areas[{i}].lines[{j}]"
            scopes.add(key)
            if (d := _dated(line, "go_live", where, problems)) is not None:
                line_go_live[key] = d
            if (d := _dated(line, "last_recordable", where, problems)) is not None:
                last_recordable[key] = d
    check_scopes(planned, scopes, "calendar.planned", problems)
    acknowledge = raw.get("acknowledge") or []
    if not isinstance(acknowledge, list):
        problems.append(f"acknowledge: expected a list of warnings' words, got {acknowledge!r}")
        acknowledge = []
    return PlantCalendar(tuple(planned), go_live, line_go_live, last_recordable,
                         tuple(str(a) for a in acknowledge))


def _dated(obj: Mapping[str, Any], key: str, where: str, problems: list[str]) -> date | None:
    if obj.get(key) is None:
        return None
    day = _day(obj[key])
    if day is None:
        problems.append(f"{where}.{key}: expected a date like 2026-09-14, got {obj[key]!r}")
    return day


def read_planned_csv(text: str) -> tuple[list[PlannedDays], list[str]]:
    """Planned days from a CSV file's text (columns ``date`` or ``from``/``to``, ``name``, optional ``scope`` and
    ``kind``): the entries and the problems, each naming its line."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {f.strip().lower() for f in rows.fieldnames or ()}
    if "name" not in fields or not ({"date"} <= fields or {"from"} <= fields):
        return [], ["the file needs a header with name and date (or from and to) columns"]
    out: list[PlannedDays] = []
    problems: list[str] = []
    for n, row in enumerate(rows, start=2):
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        entry = planned_entry({k: v for k, v in clean.items() if v}, f"line {n}", problems)
        if entry is not None:
            out.append(entry)
    return out, problems


def days_of(first: date, last: date) -> list[date]:
    """Every date from first to last."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
