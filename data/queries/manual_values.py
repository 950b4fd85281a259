"""Hand-entered KPI values: stored in ``kpi_values`` like loaded ones, replacing the value of the same key."""

from __future__ import annotations

from typing import Any

from huddle.data.ingest.store import upsert
from huddle.data.models import KpiValue
from sqlalchemy import select
from sqlalchemy.orm import Session

#: the natural key of a KPI value: one value per KPI, location, production date and shift
KPI_VALUE_KEY = ("kpi", "location", "production_date", "shift")


def store_kpi_value(session: Session, row: dict[str, Any]) -> float | None:
    """Store one KPI value row (insert or replace by its natural key); returns the value it replaced, if any."""
    replaced = session.execute(select(KpiValue.value).where(
        KpiValue.kpi == row["kpi"], KpiValue.location == row["location"],
        KpiValue.production_date == row["production_date"], KpiValue.shift == row["shift"])).scalar()
    upsert(session, KpiValue.__table__, [row], KPI_VALUE_KEY)
    return replaced
