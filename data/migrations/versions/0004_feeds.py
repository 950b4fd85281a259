"""Feeds (schema 6): how far each file was read and its outcome in words, the quarantine's lifecycle (open,
resolved by a later row, dismissed with a reason), the ledger of replaced rows, hours worked per site, area or line
and day, week or month, and the state of live sources. Quarantined rows from before stay open.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the feed columns and tables."""
    with op.batch_alter_table("loaded_files") as batch:
        batch.add_column(sa.Column("read_to", sa.BigInteger(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("prefix_sha", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("record_type", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("natural_key", sa.String(400), nullable=False, server_default=""))
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="open"))
        batch.add_column(sa.Column("resolved_by", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("resolved_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("dismissed_by", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("dismiss_reason", sa.Text(), nullable=False, server_default=""))
        batch.create_index("ix_quarantine_status", ["status"])
        batch.create_index("ix_quarantine_key", ["record_type", "natural_key"])
    op.create_table(
        "row_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(32), nullable=False),
        sa.Column("natural_key", sa.String(400), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_row_changes_key", "row_changes", ["record_type", "natural_key"])
    op.create_table(
        "hours_worked",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("location", sa.String(64), nullable=False),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("area", sa.String(64), nullable=False),
        sa.Column("grain", sa.String(8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("location", "grain", "period_start", name="uq_hours_worked_natural"),
    )
    op.create_index("ix_hours_worked_period", "hours_worked", ["period_start", "period_end"])
    op.create_table(
        "live_sources",
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("last_message_at", UTCDateTime(), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("machine_state", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Remove the feed columns and tables."""
    op.drop_table("live_sources")
    op.drop_index("ix_hours_worked_period", "hours_worked")
    op.drop_table("hours_worked")
    op.drop_index("ix_row_changes_key", "row_changes")
    op.drop_table("row_changes")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_index("ix_quarantine_key")
        batch.drop_index("ix_quarantine_status")
        for column in ("dismiss_reason", "dismissed_by", "resolved_at", "resolved_by", "status", "natural_key",
                       "record_type"):
            batch.drop_column(column)
    with op.batch_alter_table("loaded_files") as batch:
        for column in ("note", "prefix_sha", "read_to"):
            batch.drop_column(column)
