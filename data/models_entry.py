"""Tables of the shop-floor entry (``/entry``) beyond the loaders' own: comments on an hour of the hour-by-hour
board. Stops, defects and safety reports entered there go to the loaders' tables, marked with who entered them.

They share ``Base`` with ``models`` (which imports this module), so the migrations and every query see them.
"""

from __future__ import annotations

from datetime import datetime

from huddle.data.models import Base, UTCDateTime
from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class HourComment(Base):
    """What a line's team says about one hour of its shift ("Waiting for material"): one per line and hour, the
    latest replacing the earlier."""

    __tablename__ = "hour_comments"
    __table_args__ = (UniqueConstraint("line", "hour_utc", name="uq_hour_comments"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(64))
    hour_utc: Mapped[datetime] = mapped_column(UTCDateTime)  # when the hour starts (the board's hours)
    text: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
