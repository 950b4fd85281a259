"""Values people enter by hand for KPIs computed nowhere else (ideas submitted, a cost from a spreadsheet).

They go through the same validation as a loaded ``kpi_values`` row and into the same table, so every page shows
them the same way; each entry is authorised (editor or admin) and written to the audit trail with the value it
replaced, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from huddle.dashboard.core.kpi import FORMULAS, Kind
from huddle.dashboard.core.plant import PlantConfig
from huddle.dashboard.services.accounts import Accounts, Identity
from huddle.data.ingest.contract import RECORD_TYPES, RowValidator
from huddle.data.queries.ledger import bump_data_version
from huddle.data.queries.manual_values import store_kpi_value
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class ManualEntry:
    """What was stored, and what it replaced."""

    kpi: str
    location: str
    production_date: str
    shift: str
    value: float
    replaced: float | None


class ManualValueError(ValueError):
    """An entry that cannot be stored, with the reason per field."""


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

    def set(self, who: Identity, kpi: str, location: str, day: str, shift: str, value: Any) -> ManualEntry:
        """Store one value (editor or admin); raises ``ForbiddenError`` or ``ManualValueError``."""
        who.require("editor", "entering a KPI value")
        validator = RowValidator(RECORD_TYPES["kpi_values"], self.config)
        clean, problems = validator.validate(
            {"kpi": kpi, "line": location or self.config.site_key, "date": day, "shift": shift or "", "value": value})
        if clean is None:
            raise ManualValueError("; ".join(f"{p.column}: {p.reason}" for p in problems))
        line, area = validator.location(clean["line"])
        row = {"kpi": clean["kpi"], "location": clean["line"], "line": line, "area": area,
               "production_date": clean["date"], "shift": clean["shift"], "value": clean["value"],
               "loaded_at": self.clock(), "run_id": None}
        with self.sessions.begin() as session:
            replaced = store_kpi_value(session, row)
            self.accounts.audit(session, who, "kpi_value.set",
                                f"{row['kpi']} {row['location']} {row['production_date']} {row['shift']}".strip(),
                                before=replaced, after=row["value"])
            bump_data_version(session)
        return ManualEntry(row["kpi"], row["location"], row["production_date"].isoformat(), row["shift"],
                           row["value"], replaced)
