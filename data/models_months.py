"""The shift facts summed by month (``month_facts``): what a reading of whole months sums instead of every shift.

``data.ingest.month_facts`` keeps the table; ``data.queries.readings`` reads it.
"""

from __future__ import annotations

from huddle.data.models import Base, ShiftFact, UTCDateTime
from sqlalchemy import Column, Float, Index, Integer, String, Table, UniqueConstraint

#: the measures of ``shift_facts`` (its Float columns), which ``month_facts`` keeps summed by month
FACT_MEASURES = tuple(c.name for c in ShiftFact.__table__.c if isinstance(c.type, Float))
#: per physical limit of ``dashboard.core.kpi.PLAUSIBILITY``, how many line-shifts break it (``month_facts``)
LIMIT_COUNTS = ("n_over_performance", "n_good_over_total", "n_stops_over_time", "n_rejects_over_total")

#: ``shift_facts`` summed per line (or area), calendar month ('YYYY-MM') and shift: what a reading of whole months
#: sums (a year of a plant is some 800 rows here where it is 22,000 shift rows), with how many line-shifts break
#: each physical limit, the latest record time, and how many fact rows (and line-shifts) each sum holds. Kept by
#: the facts' only writer (``data.ingest.facts``), in the same transaction, by summing a month's shift rows again.
MONTH_FACTS = Table(
    "month_facts", Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("line", String(64), nullable=False),
    Column("area", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("shift", String(16), nullable=False),
    *(Column(name, Float, nullable=False) for name in FACT_MEASURES),
    *(Column(name, Integer, nullable=False) for name in LIMIT_COUNTS),
    Column("data_through_utc", UTCDateTime),
    Column("facts", Integer, nullable=False),
    Column("line_shifts", Integer, nullable=False),
    UniqueConstraint("line", "area", "month", "shift", name="uq_month_facts"),
    Index("ix_month_facts_month", "month", "line"),
)

