"""Hand-entered KPI values: stored in ``kpi_values`` like loaded ones, one value per KPI, location, production date
and shift.

A value is stored with a compare-and-set on the value the person's form saw: an INSERT that does nothing when a
value is there already (the form saw none), or an UPDATE that names the value seen. Either is the transaction's
first statement, so it takes the write lock (SQLite) or the row lock (PostgreSQL) before anything is read, and of
two saves from what one form saw exactly one is stored.
"""

from __future__ import annotations

from typing import Any

from huddle.data.models import KpiValue
from sqlalchemy import select, update
from sqlalchemy.orm import Session

#: the natural key of a KPI value: one value per KPI, location, production date and shift
KPI_VALUE_KEY = ("kpi", "location", "production_date", "shift")


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (KpiValue.kpi == row["kpi"], KpiValue.location == row["location"],
            KpiValue.production_date == row["production_date"], KpiValue.shift == row["shift"])


def insert_kpi_value(session: Session, row: dict[str, Any]) -> bool:
    """Store a value where the form saw none; False (nothing stored) when a value is there already."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = (insert(KpiValue.__table__).values(**row).on_conflict_do_nothing(index_elements=list(KPI_VALUE_KEY))
            .returning(KpiValue.id))  # the row count of an INSERT … RETURNING is not told on every driver
    return session.execute(stmt).first() is not None


def replace_kpi_value(session: Session, row: dict[str, Any], seen: float) -> bool:
    """Replace the value the form saw; False (nothing stored) when the value is no longer that one."""
    values = {k: v for k, v in row.items() if k not in KPI_VALUE_KEY}
    return bool(session.execute(update(KpiValue).where(*_key(row), KpiValue.value == seen).values(**values)
                                .execution_options(synchronize_session=False)).rowcount)


def hold_kpi_value(session: Session, row: dict[str, Any]) -> None:
    """Take the write lock (SQLite) or the value's row lock (PostgreSQL) before reading it: a save that replaces
    whatever is there reads the value it replaces with nobody able to change it in between."""
    session.execute(update(KpiValue).where(*_key(row)).values(value=KpiValue.value)
                    .execution_options(synchronize_session=False))


def kpi_value(session: Session, row: dict[str, Any]) -> KpiValue | None:
    """The stored value of a row's natural key, if any."""
    return session.execute(select(KpiValue).where(*_key(row))).scalar_one_or_none()
