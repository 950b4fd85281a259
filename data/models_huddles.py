"""Tables of the huddle's memory: the shift handover notes an outgoing team leader leaves for the incoming one, and
the huddle records a closed huddle leaves (who attended, what was red, which actions and escalations were taken up).

They share ``Base`` with ``models`` (which imports this module), so the migrations and every query see them. Lists
(machines, attendees, red KPIs, actions, escalations) are stored as JSON text: they are read whole with their row,
never searched inside.
"""

from __future__ import annotations

from datetime import date, datetime

from huddle.data.models import Base, UTCDateTime
from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class Handover(Base):
    """A line's shift handover: written by the outgoing leader for one shift (its production date and shift key),
    read at the top of the next shift's board until the incoming leader acknowledges it."""

    __tablename__ = "handovers"
    __table_args__ = (UniqueConstraint("line", "production_date", "shift", name="uq_handovers_shift"),
                      Index("ix_handovers_open", "line", "acknowledged_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(64))
    production_date: Mapped[date] = mapped_column(Date)  # the outgoing shift's
    shift: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    open_problems: Mapped[str] = mapped_column(Text, default="")
    machines: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"machine", "state", "note"}]
    safety: Mapped[str] = mapped_column(Text, default="")
    written_by: Mapped[str] = mapped_column(String(120))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str] = mapped_column(String(120), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # a rewrite moves it on


class HuddleRecord(Base):
    """One huddle held: its tier, scope and shift, when it ran, who came, what was red, the actions reviewed and the
    escalations raised, and its notes. One per tier, scope and shift."""

    __tablename__ = "huddle_records"
    __table_args__ = (UniqueConstraint("tier", "scope", "production_date", "shift", name="uq_huddle_records_shift"),
                      Index("ix_huddle_records_day", "production_date", "scope"))
    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(64))  # a line, an area or the site key
    production_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attendees: Mapped[str] = mapped_column(Text, default="[]")  # JSON: people's names
    red_kpis: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"kpi", "name", "value"}]
    actions: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"id", "what", "owner", "due", "status"}]
    escalations: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"id", "what", "status"}]
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
