"""Tables of the 48-hour baseline sprint: a sprint per tree opened when the tree's definition changed, and its
checklist, one item per KPI. The baselines the sprint signs off land in ``kpi_baselines`` (``models.AdoptedBaseline``),
dated records per KPI and scope that are only ever added to, never overwritten.

They share ``Base`` with ``models`` (which imports this module), so the migrations and every query see them.
"""

from __future__ import annotations

from datetime import datetime

from huddle.data.models import Base, UTCDateTime
from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class BaselineSprint(Base):
    """A tree's baseline sprint: opened when Huddle first saw the tree's definition (its fingerprint), due 48 hours
    later, closed when every KPI is signed off, when time ran out, or when the tree changed again."""

    __tablename__ = "baseline_sprints"
    __table_args__ = (Index("ix_baseline_sprints_tree", "tree", "scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tree: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64), default="plant")  # where its baselines are recorded
    fingerprint: Mapped[str] = mapped_column(String(64))  # core.baseline_sprint.tree_fingerprint at opening
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="")  # "" while open | complete | timed_out | replaced
    missing: Mapped[str] = mapped_column(Text, default="")  # JSON at closing: KPI → what it still lacked


class BaselineSprintItem(Base):
    """One KPI's line of a sprint's checklist: value, source and frequency (or the "no data source" finding) and
    its owner's sign-off. A change after the sign-off undoes it: the owner signs what is recorded."""

    __tablename__ = "baseline_sprint_items"
    __table_args__ = (Index("ix_baseline_sprint_items_sprint", "sprint_id", "kpi", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(Integer)
    kpi: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(String(16), default="")
    no_source: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by: Mapped[str] = mapped_column(String(120), default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # a change names the version it was made from
