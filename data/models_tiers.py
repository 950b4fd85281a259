"""Tables of tiered daily management: escalations, the requests for help that climb from a line's huddle to its
area's meeting and the plant's, and whose answers come back down.

They share ``Base`` with ``models`` (which imports this module), so the migrations and every query see them.
"""

from __future__ import annotations

from datetime import date, datetime

from huddle.data.models import Base, UTCDateTime
from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class Escalation(Base):
    """A request for help with its context, from the scope whose meeting raised it (``origin_scope``) to the scope
    whose meeting now holds it (``scope``, one tier up, or higher once passed up). It is raised, accepted with an
    owner and a due date, answered, and acknowledged by the origin once it has heard the answer."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_scope_state", "scope", "state"),
                      Index("ix_escalations_origin_state", "origin_scope", "state"))
    id: Mapped[int] = mapped_column(primary_key=True)
    sentence: Mapped[str] = mapped_column(Text)  # what is needed, in one sentence
    origin_scope: Mapped[str] = mapped_column(String(64))  # a line, an area or the site key
    origin_tier: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(64))  # the scope whose meeting holds it now
    tier: Mapped[int] = mapped_column(Integer)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it reached this tier: its answer limit counts
    passed: Mapped[str] = mapped_column(Text, default="")  # JSON: the tiers it was passed up from, by whom, when
    kpi: Mapped[str] = mapped_column(String(64), default="")  # "" when not about one KPI
    reading: Mapped[str] = mapped_column(String(200), default="")  # the reading the board showed, as it said it
    production_date: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(16), default="")
    source: Mapped[str] = mapped_column(String(16), default="")  # tile | action | note | stop | "" (by hand)
    source_ref: Mapped[str] = mapped_column(String(64), default="")  # the action's or note's id, where it has one
    state: Mapped[str] = mapped_column(String(16))  # raised | accepted | answered | acknowledged
    raised_by: Mapped[str] = mapped_column(String(120))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner: Mapped[str] = mapped_column(String(120), default="")  # who at the receiving tier owns it
    due: Mapped[date | None] = mapped_column(Date)
    accepted_by: Mapped[str] = mapped_column(String(120), default="")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(120), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str] = mapped_column(String(120), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)  # a change names the version it was made from
