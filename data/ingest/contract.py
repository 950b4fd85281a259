"""The data contract: the record types plants export, their columns, and how each row is validated.

One record type per file. Column names are matched case-insensitively, ignoring spaces, hyphens and
underscores; a source may map its own column names onto the contract's (``columns:`` in the plant config).
Timestamps without an offset are plant local time. Each row either becomes a clean record or a list of
``RowProblem`` naming the column, the value and the reason. See ``docs/data-contract.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from huddle.dashboard.core.hours import HOUR_GRAINS, recorded_period
from huddle.dashboard.core.i18n import N_
from huddle.dashboard.core.kpi import FORMULAS, Kind
from huddle.dashboard.core.names import RECORD_TYPES as RECORD_WORDS
from huddle.dashboard.core.periods import format_period
from huddle.dashboard.core.plant import STOP_CATEGORIES, PlantConfig
from huddle.dashboard.core.sentence import Sentence, joined, reason_of
from huddle.data.ingest.day_periods import parse_day, parse_hours_period
from huddle.data.ingest.numbers import ambiguous_number
from huddle.data.ingest.refused_cell import RefusedCell

SAFETY_KINDS = ("near_miss", "first_aid", "recordable", "lost_time")
DISPOSITIONS = ("scrap", "rework")
#: where defective units were found when they got past the line: further on in the plant, or by the customer
ESCAPES = ("internal", "customer")
#: what a work order of the maintenance system (CMMS) is: planned ahead (PM compliance counts these) or a repair
WORK_ORDER_TYPES = ("preventive", "corrective")


@dataclass(frozen=True)
class Column:
    """One column of a record type."""

    name: str
    kind: str  # line | location | text | int | float | datetime | date | period | shift | kpi | enum
    required: bool = True
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class RecordType:
    """A record type of the contract: its columns and natural key."""

    name: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    doc: str

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]


RECORD_TYPES: dict[str, RecordType] = {
    rt.name: rt
    for rt in (
        RecordType("production_counts", (
            Column("line", "line", doc="line key"),
            Column("start", "datetime", aliases=("start_time", "from", "interval_start")),
            Column("end", "datetime", aliases=("end_time", "to", "interval_end")),
            Column("product", "text", required=False, aliases=("sku", "article")),
            Column("total", "int", aliases=("total_count", "produced", "qty_total")),
            Column("good", "int", aliases=("good_count", "qty_good")),
            Column("planned", "float", required=False, aliases=("planned_qty", "plan", "target_qty")),
        ), ("line", "start", "product"), "Units produced per line and interval (typically hourly)."),
        RecordType("stop_events", (
            Column("line", "line"),
            Column("start", "datetime", aliases=("start_time", "from")),
            Column("end", "datetime", aliases=("end_time", "to")),
            Column("reason", "text", aliases=("stop_reason", "cause")),
            Column("category", "enum", required=False, choices=STOP_CATEGORIES, aliases=("type", "stop_type")),
            Column("equipment", "text", required=False, aliases=("machine", "asset")),
        ), ("line", "start"), "Stops with reason and category (planned, unplanned, changeover)."),
        RecordType("quality_events", (
            Column("line", "line"),
            Column("time", "datetime", aliases=("timestamp", "at", "found_at")),
            Column("defect", "text", aliases=("defect_type",)),
            Column("quantity", "int", aliases=("qty", "count")),
            Column("disposition", "enum", choices=DISPOSITIONS, aliases=("action", "scrap_or_rework")),
            Column("escape", "enum", required=False, choices=ESCAPES, aliases=("found_by", "escaped_to"),
                   doc="blank: caught on the line; internal: found further on in the plant; customer: found by "
                       "the customer"),
        ), ("line", "time", "defect", "disposition"), "Defective units, scrapped or reworked, and quality escapes."),
        RecordType("safety_events", (
            Column("time", "datetime", aliases=("timestamp", "at", "occurred_at")),
            Column("location", "location", aliases=("line", "area", "line_or_area")),
            Column("type", "enum", choices=SAFETY_KINDS, aliases=("kind", "severity", "classification")),
            Column("description", "text", required=False, aliases=("what_happened",)),
        ), ("time", "location", "type"), "Near misses, first aid, recordables and lost-time cases."),
        RecordType("labour", (
            Column("line", "line"),
            Column("date", "date", aliases=("production_date",)),
            Column("shift", "shift"),
            Column("planned_headcount", "float", aliases=("planned", "headcount_planned")),
            Column("present_headcount", "float", aliases=("present", "headcount_present")),
            Column("hours_worked", "float", aliases=("hours",)),
            Column("overtime_hours", "float", required=False, aliases=("overtime",)),
        ), ("line", "date", "shift"), "Planned and present headcount, hours worked and overtime per line and shift."),
        RecordType("kpi_values", (
            Column("kpi", "kpi"),
            Column("line", "location", required=False, aliases=("location", "area")),
            Column("date", "date", aliases=("production_date", "day")),
            Column("shift", "shift", required=False),
            Column("value", "float"),
        ), ("kpi", "line", "date", "shift"), "Values of KPIs computed elsewhere (ERP cost, ideas...)."),
        RecordType("hours_worked", (
            Column("location", "location", aliases=("site", "area", "line")),
            Column("period", "period", aliases=("pay_period", "reporting_period")),
            Column("grain", "enum", required=False, choices=HOUR_GRAINS, aliases=("period_type", "granularity")),
            Column("hours", "float", aliases=("hours_worked", "total_hours", "worked_hours")),
        ), ("location", "period"), "Hours worked by everyone at the site, an area or a line per day, ISO week or "
           "month, as payroll or HR report them (TRIR's hours)."),
        RecordType("work_orders", (
            Column("work_order", "text", aliases=("work_order_id", "wo", "wo_number", "order_number", "order")),
            Column("asset", "text", aliases=("equipment", "machine", "functional_location")),
            Column("line", "line"),
            Column("type", "enum", choices=WORK_ORDER_TYPES, aliases=("kind", "order_type", "wo_type")),
            Column("scheduled", "date", aliases=("scheduled_date", "due", "due_date", "planned_date")),
            Column("done_at", "datetime", required=False,
                   aliases=("done", "completed", "completed_at", "finished_at", "closed_at"),
                   doc="blank: not done yet"),
        ), ("work_order", "scheduled"), "Work orders of the maintenance system (CMMS): preventive or corrective, "
           "scheduled for a day, and when each was done."),
    )
}


@dataclass(frozen=True)
class RowProblem:
    """Why a row was refused: the column, the offending value and a reason a person can act on."""

    column: str
    value: str
    reason: str


class FileError(Exception):
    """The whole file cannot be read (encoding, delimiter, missing columns...)."""

    def __init__(self, reason: str, column: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


def natural_key_text(record: RecordType, values: Mapping[str, Any]) -> str:
    """The row's natural key as one text (how the quarantine and the change ledger find rows of the same key):
    ``line=L1|start=2026-11-20T05:00:00+00:00|product=SKU-500``; instants in UTC. "" when a key value is missing."""
    parts = []
    for name in record.natural_key:
        value = values.get(name)
        if value is None and name not in ("product", "line", "shift"):  # optional key columns read as ""
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        parts.append(f"{name}={'' if value is None else value}")
    return "|".join(parts)


def normalise_header(name: Any) -> str:
    """Lower-case, trimmed, with spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", str(name or "").strip().lower()).strip("_")


def map_columns(header: list[Any], record: RecordType, user_map: Mapping[str, str]) -> dict[str, int]:
    """Map contract column names to positions in a header row; raise ``FileError`` for missing columns."""
    user = {normalise_header(k): v for k, v in user_map.items()}
    found: dict[str, int] = {}
    positions = [normalise_header(h) for h in header]
    for i, h in enumerate(positions):
        target = user.get(h, h)
        for col in record.columns:
            if target == col.name or (target in col.aliases and col.name not in found):
                if col.name in found and target == col.name:
                    raise FileError(Sentence(N_("column {column} appears twice in the header"),
                                             column=repr(col.name)), col.name)
                found.setdefault(col.name, i)
    missing = [c for c in record.required if c not in found]
    if missing:
        import difflib

        hints: list[str] = []
        for m in missing:
            close = difflib.get_close_matches(m, positions, n=1, cutoff=0.5)
            hints.append(Sentence(N_("{column} (is {close} meant to be {column}?)"), column=repr(m),
                                  close=repr(close[0])) if close else repr(m))
        shown = ", ".join(repr(h) for h in header if str(h or "").strip()) or Sentence(N_("none"))
        said = N_("missing column {columns}; the file has: {shown}. A {record} file needs: {needs}") \
            if len(missing) == 1 else N_("missing columns {columns}; the file has: {shown}. A {record} file needs: "
                                         "{needs}")
        raise FileError(Sentence(said, columns=joined(hints), shown=shown, record=record_word(record.name),
                                 needs=", ".join(record.required)), missing[0])
    return found


_DT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
               "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def parse_instant(value: Any, tz: ZoneInfo, after: datetime | None = None) -> datetime:
    """Parse a timestamp; naive ones are plant local time; refuse local times that do not exist (DST gap).

    A naive time in the hour that repeats when clocks go back is its first occurrence, unless ``after`` (the
    previous time of the same series in the file) is already at or past it: then it is the second occurrence.
    """
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        if not text:
            raise ValueError(Sentence(N_("empty")))
        parsed = None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DT_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise ValueError(Sentence(N_("not a date and time (use {example}, with an optional {offset} offset)"),
                                      example="2026-11-20 06:00:00", offset="+01:00"))
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    local = parsed.replace(tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != parsed:
        raise ValueError(Sentence(N_("this local time does not exist in {zone} (clocks go forward); give a UTC offset"),
                                  zone=tz.key))
    first = local.astimezone(UTC)
    if after is not None and first <= after:
        second = local.replace(fold=1).astimezone(UTC)
        if second > first:  # the time is in the repeated hour: the file has moved on to its second pass
            return second
    return first


#: a stop's category as a refusal names it (said again in the plant's language)
CATEGORY_WORDS = {"planned": N_("planned"), "unplanned": N_("unplanned"), "changeover": N_("changeover")}


def parse_number(value: Any, *, decimal_comma: bool, whole: bool) -> float:
    """Parse a non-negative number; a decimal comma is accepted in files not delimited by commas."""
    if isinstance(value, bool):
        raise ValueError(Sentence(N_("not a number")))
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):  # no regex for these
        number = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        ambiguous_number(text, decimal_comma)  # 1.026 in a file of decimal commas: refused, naming the setting
        if decimal_comma and "," in text and "." not in text:
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
            raise ValueError(Sentence(N_("not a number")))
        number = float(text)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(Sentence(N_("not a number")))
    if number < 0:
        raise ValueError(Sentence(N_("must not be negative")))
    if whole and number != int(number):
        raise ValueError(Sentence(N_("must be a whole number")))
    return number


class RowValidator:
    """Turns raw rows of one record type into clean records, or problems, against the plant configuration."""

    def __init__(self, record: RecordType, config: PlantConfig, *, decimal_comma: bool = False) -> None:
        self.record = record
        self.config = config
        self.decimal_comma = decimal_comma
        self.tz = config.tz
        self._latest: dict[tuple[str, str], datetime] = {}  # last instant per (line, column): DST repeated hour
        self._locations = {config.site_key: ("", ""), "plant": ("", "")}
        self._locations.update({a: ("", a) for a in config.areas})
        self._locations.update({ln.key: (ln.key, ln.area) for ln in config.lines.values()})
        self._checks: dict[str, Callable[[dict[str, Any], list[RowProblem]], None]] = {
            "production_counts": self._check_counts,
            "stop_events": self._check_stop,
            "quality_events": self._check_quality,
            "labour": self._check_labour,
            "kpi_values": self._check_kpi_value,
            "hours_worked": self._check_hours,
            "work_orders": self._check_work_order,
        }

    def validate(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[RowProblem]]:
        """Return the clean record, or None with the problems found."""
        clean: dict[str, Any] = {}
        problems: list[RowProblem] = []
        series = str(raw.get("line") or raw.get("location") or "")
        for col in self.record.columns:
            value = raw.get(col.name)
            blank = value is None or (isinstance(value, str) and not value.strip())
            if blank:
                if col.required:
                    problems.append(RowProblem(col.name, "", Sentence(N_("missing value"))))
                clean[col.name] = None
                continue
            try:
                if isinstance(value, RefusedCell):  # the source's mapping could not read it, and says why
                    raise ValueError(value.reason)
                if col.kind == "datetime":
                    key = (series, col.name)
                    clean[col.name] = self._latest[key] = parse_instant(value, self.tz, self._latest.get(key))
                else:
                    clean[col.name] = self._parse(col, value)
            except ValueError as exc:
                problems.append(RowProblem(col.name, _show(value), reason_of(exc)))
        if not problems:
            check = self._checks.get(self.record.name)
            if check:
                check(clean, problems)
        return (None, problems) if problems else (clean, [])

    def _parse(self, col: Column, value: Any) -> Any:
        if isinstance(value, RefusedCell):
            raise ValueError(value.reason)
        kind = col.kind
        if kind == "line":
            key = str(value).strip()
            if key not in self.config.lines:
                raise ValueError(Sentence(N_("unknown line (known: {known})"), known=", ".join(self.config.lines)))
            return key
        if kind == "location":
            key = str(value).strip()
            if key not in self._locations:
                raise ValueError(Sentence(N_("unknown line or area (known: {known})"),
                                          known=", ".join(self._locations)))
            return key
        if kind == "shift":
            key = str(value).strip()
            if key not in {s.key for s in self.config.calendar.shifts}:
                known = ", ".join(s.key for s in self.config.calendar.shifts)
                raise ValueError(Sentence(N_("unknown shift (known: {known})"), known=known))
            return key
        if kind == "kpi":
            key = str(value).strip()
            kpi = self.config.kpis.get(key)
            if kpi is None:
                raise ValueError(Sentence(N_("unknown KPI")))
            if FORMULAS[kpi.formula].kind is not Kind.DIRECT:
                raise ValueError(Sentence(N_("Huddle computes this KPI from counts and events; only direct KPIs "
                                             "are loaded")))
            return key
        if kind == "enum":
            key = normalise_header(value)
            if key not in col.choices:
                raise ValueError(Sentence(N_("expected one of {choices}"), choices=", ".join(col.choices)))
            return key
        if kind == "datetime":
            return parse_instant(value, self.tz)
        if kind == "date":
            return parse_day(value)
        if kind == "period":  # a day as a date (with a grain, it may name its week or month), else 2026-W47, 2026-11
            grain, first = parse_hours_period(value.date() if isinstance(value, datetime) else value)
            return first if grain == "day" else format_period(grain, first)
        if kind in ("int", "float"):
            number = parse_number(value, decimal_comma=self.decimal_comma, whole=kind == "int")
            return int(number) if kind == "int" else number
        text = str(value).strip()
        if isinstance(value, float) and value == int(value):
            text = str(int(value))
        if len(text) > 120 and col.name != "description":
            raise ValueError(Sentence(N_("longer than {n} characters"), n=120))
        return text

    def _check_counts(self, row: dict[str, Any], problems: list[RowProblem]) -> None:
        if row["end"] <= row["start"]:
            problems.append(RowProblem("end", self._local(row["end"]), Sentence(N_("end is not after start"))))
        elif (row["end"] - row["start"]).total_seconds() > 12 * 3600:
            problems.append(RowProblem("end", self._local(row["end"]), Sentence(N_("interval longer than {n} hours"),
                                                                                   n=12)))
        if row["good"] > row["total"]:
            problems.append(RowProblem("good", str(row["good"]), Sentence(N_("more good units than total ({total})"),
                                                                             total=row["total"])))
        row["product"] = row["product"] or ""

    def _check_stop(self, row: dict[str, Any], problems: list[RowProblem]) -> None:
        if row["end"] <= row["start"]:
            problems.append(RowProblem("end", self._local(row["end"]), Sentence(N_("end is not after start"))))
        elif (row["end"] - row["start"]).total_seconds() > 7 * 86400:
            problems.append(RowProblem("end", self._local(row["end"]), Sentence(N_("stop longer than {n} days"), n=7)))
        catalogue = self.config.stop_reasons
        if catalogue:
            known = catalogue.get(row["reason"])
            if known is None:
                problems.append(RowProblem("reason", row["reason"],
                                           Sentence(N_("unknown stop reason (add it to stop_reasons)"))))
            elif row["category"] and row["category"] != known:
                problems.append(RowProblem("category", row["category"],
                                           Sentence(N_("reason {reason} is {category} in the plant configuration"),
                                                    reason=repr(row["reason"]),
                                                    category=Sentence(CATEGORY_WORDS.get(known, known)))))
            else:
                row["category"] = known
        if not row["category"]:
            problems.append(RowProblem("category", "",
                                       Sentence(N_("missing value (planned, unplanned or changeover)"))))
        row["equipment"] = row["equipment"] or ""

    def _check_quality(self, row: dict[str, Any], problems: list[RowProblem]) -> None:
        row["escape"] = row["escape"] or ""
        if self.config.defect_types and row["defect"] not in self.config.defect_types:
            problems.append(RowProblem("defect", row["defect"],
                                       Sentence(N_("unknown defect type (add it to defect_types)"))))

    def _check_labour(self, row: dict[str, Any], problems: list[RowProblem]) -> None:
        row["overtime_hours"] = row["overtime_hours"] or 0.0
        if row["hours_worked"] > 24 * max(row["present_headcount"], 1):
            problems.append(RowProblem("hours_worked", str(row["hours_worked"]),
                                       Sentence(N_("more than 24 hours per person present"))))
        if row["overtime_hours"] > row["hours_worked"]:
            problems.append(RowProblem("overtime_hours", str(row["overtime_hours"]),
                                       Sentence(N_("more than hours worked"))))

    def _check_kpi_value(self, row: dict[str, Any], problems: list[RowProblem]) -> None:
        row["line"] = row["line"] or self.config.site_key
        row["shift"] = row["shift"] or ""

    def _check_hours(self, row: dict[str, Any], problems: list[RowProblem]) -> None:
        try:
            grain, first = parse_hours_period(row["period"], row["grain"])
        except ValueError as exc:
            problems.append(RowProblem("period", _show(row["period"]), reason_of(exc)))
            return
        row["grain"] = grain
        row["period"] = format_period(grain, first)
        row["period_start"], row["period_end"] = recorded_period(grain, first)
        if row["location"] == "plant":
            row["location"] = self.config.site_key

    def _check_work_order(self, row: dict[str, Any], problems: list[RowProblem]) -> None:
        done = row["done_at"]
        if done is not None and done.astimezone(self.tz).date() < row["scheduled"] - timedelta(days=366):
            problems.append(RowProblem("done_at", self._local(done),
                                       Sentence(N_("done more than a year before it was scheduled"))))

    def _local(self, instant: datetime) -> str:
        """An instant as plant local time, the way files write it."""
        return local_time_text(instant, self.tz)

    def location(self, key: str) -> tuple[str, str]:
        """(line, area) of a location key; plant-level gives ("", "")."""
        return self._locations[key]


def record_word(kind: str) -> str:
    """A record type in words, said again in the language a refusal is shown in ('production counts')."""
    return Sentence(RECORD_WORDS[kind]) if kind in RECORD_WORDS else kind.replace("_", " ")


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def local_time_text(instant: datetime, tz: ZoneInfo) -> str:
    """An instant as plant local time, for messages."""
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M")


