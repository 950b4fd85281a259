"""Escalations (schema 8): requests for help that climb from a line's huddle to its area's meeting and the plant's,
with their context, owner, due date, answer and who heard it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the escalations table."""
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("origin_scope", sa.String(64), nullable=False),
        sa.Column("origin_tier", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("arrived_at", UTCDateTime(), nullable=False),
        sa.Column("passed", sa.Text(), nullable=False),
        sa.Column("kpi", sa.String(64), nullable=False),
        sa.Column("reading", sa.String(200), nullable=False),
        sa.Column("production_date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("raised_by", sa.String(120), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("accepted_by", sa.String(120), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(120), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(120), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_escalations_scope_state", "escalations", ["scope", "state"])
    op.create_index("ix_escalations_origin_state", "escalations", ["origin_scope", "state"])


def downgrade() -> None:
    """Back to schema 7, without escalations."""
    op.drop_index("ix_escalations_origin_state", "escalations")
    op.drop_index("ix_escalations_scope_state", "escalations")
    op.drop_table("escalations")
