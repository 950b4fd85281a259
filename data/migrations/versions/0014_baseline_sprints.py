"""Baseline sprints (schema 16): a tree's 48-hour sprint with its checklist per KPI, and baselines recorded with
their frequency and the sprint that recorded them. Baselines adopted before keep "" (frequency not said) and no
sprint.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the sprint tables and the baselines' frequency and sprint."""
    op.create_table(
        "baseline_sprints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tree", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
    )
    op.create_index("ix_baseline_sprints_tree", "baseline_sprints", ["tree", "scope"])
    op.create_table(
        "baseline_sprint_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sprint_id", sa.Integer(), nullable=False),
        sa.Column("kpi", sa.String(64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("no_source", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("signed_by", sa.String(120), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_baseline_sprint_items_sprint", "baseline_sprint_items", ["sprint_id", "kpi"], unique=True)
    with op.batch_alter_table("kpi_baselines") as batch:
        batch.add_column(sa.Column("frequency", sa.String(16), nullable=False, server_default=sa.text("''")))
        batch.add_column(sa.Column("sprint_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Remove the sprint tables and the baselines' frequency and sprint."""
    with op.batch_alter_table("kpi_baselines") as batch:
        batch.drop_column("sprint_id")
        batch.drop_column("frequency")
    op.drop_index("ix_baseline_sprint_items_sprint", "baseline_sprint_items")
    op.drop_table("baseline_sprint_items")
    op.drop_index("ix_baseline_sprints_tree", "baseline_sprints")
    op.drop_table("baseline_sprints")
