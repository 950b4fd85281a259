"""Shop-floor entry (schema 13): stops, defects and safety reports entered on ``/entry`` carry who entered them
and where (loaded rows keep NULL), a stop entered as still running says so, and a line's team comments an hour of
its hour-by-hour board.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ENTERED = ("stop_events", "quality_events", "safety_events")


def upgrade() -> None:
    """Add the author and origin of entered records, and the hour comments."""
    for table in ENTERED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("entered_by", sa.String(64), nullable=True))
            batch.add_column(sa.Column("origin", sa.String(200), nullable=True))
    with op.batch_alter_table("stop_events") as batch:
        batch.add_column(sa.Column("ongoing", sa.Boolean(), nullable=True))
    op.create_table(
        "hour_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("hour_utc", UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("line", "hour_utc", name="uq_hour_comments"),
    )


def downgrade() -> None:
    """Remove the hour comments and the entry columns."""
    op.drop_table("hour_comments")
    with op.batch_alter_table("stop_events") as batch:
        batch.drop_column("ongoing")
    for table in ENTERED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("origin")
            batch.drop_column("entered_by")
