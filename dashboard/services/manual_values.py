"""Values people enter by hand for KPIs computed nowhere else (ideas submitted, a cost from a spreadsheet).

They go through the same validation as a loaded ``kpi_values`` row and into the same table, so every page shows
them the same way; each entry is authorised (editor or admin) and written to the audit trail with the value it
replaced, in one transaction.

A form that showed the value stored (``seen``: a number, or None for none) stores its own only if that is still the
value: the write is a compare-and-set, so of two people saving over the same value at once exactly one is stored
and the other is told who entered theirs, when, and what. Without ``seen`` the value replaces whatever is there,
read under the write lock, and the answer names whose value it replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from huddle.dashboard.core.format import format_day, format_moment, format_value
from huddle.dashboard.core.i18n import N_, _, number
from huddle.dashboard.core.kpi import FORMULAS, Kind
from huddle.dashboard.core.names import shift_word
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.dashboard.services.conflicts import ChangedSince, conflict_message
from huddle.data.ingest.contract import RECORD_TYPES, RowValidator
from huddle.data.models import KpiValue
from huddle.data.queries import manual_values as queries
from huddle.data.queries.accounts import latest_audit
from huddle.data.queries.ledger import bump_data_version
from sqlalchemy.orm import Session, sessionmaker

LOADED_FILE = N_("a loaded file")  # who stored a value a loader read


@dataclass(frozen=True)
class ManualEntry:
    """What was stored, and what it replaced."""

    kpi: str
    location: str
    production_date: str
    shift: str
    value: float
    replaced: float | None
    replaced_by: str = ""  # whose value it replaced: a person's name, or "a loaded file"
    replaced_at: datetime | None = None

    def was(self, tz: Any, today: date | None = None) -> str:
        """What it replaced: '5 ideas, entered by Anna Weber at 14:05', '' when it replaced nothing."""
        if self.replaced is None:
            return ""
        value = number(self.replaced, 0 if float(self.replaced).is_integer() else 2)
        if not self.replaced_by:
            return value
        person = _(LOADED_FILE) if self.replaced_by == LOADED_FILE else self.replaced_by
        if self.replaced_at is None:
            return _("{value}, entered by {person}").format(value=value, person=person)
        return _("{value}, entered by {person} at {time}").format(
            value=value, person=person, time=format_moment(self.replaced_at, tz, today))


class ManualValueError(ValueError):
    """An entry that cannot be stored, with the reason per field."""


class ManualValueConflictError(ManualValueError):
    """Someone stored another value since the form saw it: who, when, and the value now stored (``current``)."""

    def __init__(self, message: str, changed: ChangedSince, current: float | None) -> None:
        super().__init__(message)
        self.changed = changed
        self.current = current


class _Any:
    """No value seen: the entry replaces whatever is stored."""


ANY = _Any()


class ManualValues:
    """Stores hand-entered values of direct KPIs."""

    def __init__(self, config: PlantConfig, session_factory: sessionmaker[Session], accounts: Accounts,
                 clock: Callable[[], datetime]) -> None:
        self.config = config
        self.sessions = session_factory
        self.accounts = accounts
        self.clock = clock

    def kpis(self) -> list[tuple[str, str]]:
        """(key, name) of the KPIs whose values may be entered by hand."""
        return [(k.key, k.name) for k in self.config.kpis.values() if FORMULAS[k.formula].kind is Kind.DIRECT]

    def set(self, who: Identity, kpi: str, location: str, day: str, shift: str, value: Any,
            seen: float | _Any | None = ANY) -> ManualEntry:
        """Store one value (editor or admin) over the one the form saw (``seen``: None for none; left out, over
        whatever is stored); raises ``ForbiddenError``, ``ManualValueError`` or ``ManualValueConflictError``."""
        who.require("editor", N_("entering a KPI value"))
        validator = RowValidator(RECORD_TYPES["kpi_values"], self.config)
        clean, problems = validator.validate(
            {"kpi": kpi, "line": location or self.config.site_key, "date": day, "shift": shift or "", "value": value})
        if clean is None:
            raise ManualValueError("; ".join(f"{p.column}: {p.reason}" for p in problems))
        line, area = validator.location(clean["line"])
        row = {"kpi": clean["kpi"], "location": clean["line"], "line": line, "area": area,
               "production_date": clean["date"], "shift": clean["shift"], "value": clean["value"],
               "loaded_at": self.clock(), "run_id": None}
        target = f"{row['kpi']} {row['location']} {row['production_date']} {row['shift']}".strip()
        found: KpiValue | None = None
        with self.sessions.begin() as session:
            if isinstance(seen, _Any):
                seen, found = self._replace_any(session, row)
            # the compare-and-set is the first write of the value: of two saves over one value, one is stored
            elif not (queries.insert_kpi_value(session, row) if seen is None else queries.replace_kpi_value(
                    session, row, float(seen))):
                raise self._changed_since(session, row, target)
            by, at = self._entered(session, found, target) if seen is not None else ("", None)
            self.accounts.audit(session, who, "kpi_value.set", target, before=seen, after=row["value"])
            bump_data_version(session)
        return ManualEntry(row["kpi"], row["location"], row["production_date"].isoformat(), row["shift"],
                           row["value"], seen, by, at)

    @staticmethod
    def _replace_any(session: Session, row: dict[str, Any]) -> tuple[float | None, KpiValue | None]:
        """Store a value over whatever is there, read under the write lock (SQLite) or the row's lock (PostgreSQL)
        so the value replaced is the one reported; a first value entered by someone else in between (PostgreSQL
        locks no row that is not there yet) is replaced in turn. Returns the value replaced and its row."""
        for _attempt in range(2):
            queries.hold_kpi_value(session, row)
            found = queries.kpi_value(session, row)
            if found is None and queries.insert_kpi_value(session, row):
                return None, None
            if found is not None and queries.replace_kpi_value(session, row, found.value):
                return found.value, found
        raise ManualValueError(_("the value changed twice while it was being stored: save again"))

    def _entered(self, session: Session, found: KpiValue | None, target: str) -> tuple[str, datetime | None]:
        """Who stored a value and when (read before this save's own audit entry): the person whose entry it is,
        or a loaded file."""
        if found is not None and found.run_id is not None:
            return LOADED_FILE, found.loaded_at
        entry = latest_audit(session, ("kpi_value.set",), target)
        if entry is None:
            return LOADED_FILE, found.loaded_at if found is not None else None
        return self.accounts.person(session, entry.actor), entry.at

    def _changed_since(self, session: Session, row: dict[str, Any], target: str) -> ManualValueConflictError:
        """The refusal of a value saved over one that is no longer there: who stored the value now, and when."""
        found = queries.kpi_value(session, row)
        by, at = self._entered(session, found, target) if found else (_("someone"), None)
        by = _(LOADED_FILE) if by == LOADED_FILE else by
        kdef = self.config.kpis[row["kpi"]]
        today = self.clock().astimezone(self.config.tz).date()
        place = self.config.scope_name(row["location"])
        what = _("{kpi} for {place} on {day}").format(kpi=kdef.name, place=place,
                                                      day=format_day(row["production_date"], today))
        if row["shift"]:
            what = _("{value_of}, {shift}").format(value_of=what, shift=shift_word(self.config, row["shift"]))
        theirs = (("value", format_value(found.value, kdef.unit) if found else _("(none)")),)
        changed = ChangedSince(what, by, at, theirs, verb="entered")
        return ManualValueConflictError(conflict_message(changed, self.config.tz, today),
                                        changed, found.value if found else None)
