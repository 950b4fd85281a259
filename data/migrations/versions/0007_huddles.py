"""Huddles (schema 9): shift handover notes, read at the top of the next shift's board until acknowledged, and the
records of huddles held (tier, scope, shift, who came, what was red, actions and escalations taken up, notes).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the handover and huddle record tables."""
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("production_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("open_problems", sa.Text(), nullable=False),
        sa.Column("machines", sa.Text(), nullable=False),
        sa.Column("safety", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(120), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_by", sa.String(120), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("line", "production_date", "shift", name="uq_handovers_shift"),
    )
    op.create_index("ix_handovers_open", "handovers", ["line", "acknowledged_at"])
    op.create_table(
        "huddle_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("production_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("red_kpis", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("escalations", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tier", "scope", "production_date", "shift", name="uq_huddle_records_shift"),
    )
    op.create_index("ix_huddle_records_day", "huddle_records", ["production_date", "scope"])


def downgrade() -> None:
    """Drop the handover and huddle record tables."""
    op.drop_index("ix_huddle_records_day", "huddle_records")
    op.drop_table("huddle_records")
    op.drop_index("ix_handovers_open", "handovers")
    op.drop_table("handovers")
