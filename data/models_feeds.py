"""Tables of the feeds: the ledger of rows that a later row replaced, hours worked above line and shift, the
maintenance system's work orders, and the state of live (MQTT) sources.

They share ``Base`` with ``models`` (which imports this module), so the migrations and every query see them.
"""

from __future__ import annotations

from datetime import date, datetime

from huddle.data.models import Base, UTCDateTime
from sqlalchemy import Boolean, Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class RowChange(Base):
    """A stored row that a later row with the same natural key replaced: what it was, what it became, and where the
    new version came from."""

    __tablename__ = "row_changes"
    __table_args__ = (Index("ix_row_changes_key", "record_type", "natural_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(32))
    natural_key: Mapped[str] = mapped_column(String(400))
    file: Mapped[str] = mapped_column(Text)
    before: Mapped[str] = mapped_column(Text)  # JSON of the replaced values
    after: Mapped[str] = mapped_column(Text)  # JSON of the new values
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HoursWorked(Base):
    """Hours worked by everyone at a location (the site, an area or a line) over a day, a week or a month, as
    payroll and HR report them."""

    __tablename__ = "hours_worked"
    __table_args__ = (UniqueConstraint("location", "grain", "period_start", name="uq_hours_worked_natural"),
                      Index("ix_hours_worked_period", "period_start", "period_end"))
    id: Mapped[int] = mapped_column(primary_key=True)
    location: Mapped[str] = mapped_column(String(64))  # the site key, an area or a line
    line: Mapped[str] = mapped_column(String(64), default="")
    area: Mapped[str] = mapped_column(String(64), default="")
    grain: Mapped[str] = mapped_column(String(8))  # day | week | month
    period_start: Mapped[date] = mapped_column(Date)  # first day of the period
    period_end: Mapped[date] = mapped_column(Date)  # day after its last day
    hours: Mapped[float] = mapped_column(Float)
    run_id: Mapped[int | None] = mapped_column(Integer)


class WorkOrder(Base):
    """A work order of the maintenance system (CMMS): an asset of a line, preventive or corrective, the day it was
    scheduled for and when it was done; PM compliance counts the preventive ones."""

    __tablename__ = "work_orders"
    __table_args__ = (UniqueConstraint("work_order", "scheduled_date", name="uq_work_orders_natural"),
                      Index("ix_work_orders_due", "line", "due_utc"))
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order: Mapped[str] = mapped_column(String(120))  # the maintenance system's number
    scheduled_date: Mapped[date] = mapped_column(Date)
    line: Mapped[str] = mapped_column(String(64))
    asset: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # preventive | corrective (WORK_ORDER_TYPES)
    done_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: not done yet
    # the start of the first shift of its scheduled day: the shift whose facts count it
    due_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    on_time: Mapped[bool] = mapped_column(Boolean, default=False)  # done by the end of its scheduled day
    run_id: Mapped[int | None] = mapped_column(Integer)


class LiveSource(Base):
    """The connection of a live source (an MQTT broker) as its subscriber last saw it."""

    __tablename__ = "live_sources"
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # connecting | connected | disconnected
    since: Mapped[datetime] = mapped_column(UTCDateTime)  # when it entered this state
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    messages: Mapped[int] = mapped_column(Integer, default=0)  # messages stored since the subscriber started
    refused: Mapped[int] = mapped_column(Integer, default=0)  # messages quarantined since it started
    last_error: Mapped[str] = mapped_column(Text, default="")
    machine_state: Mapped[str] = mapped_column(Text, default="{}")  # JSON: last totals and open stops per machine
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
