"""Work orders (schema 17): the maintenance system's work orders (an asset of a line, preventive or corrective, the
day scheduled and when done), and every line-shift's facts count the preventive ones scheduled and done on time (PM
compliance). Facts built before keep 0 until their shift is loaded again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the work orders table and the PM counts of the shift facts."""
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("work_order", sa.String(120), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=False),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("asset", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("done_at_utc", UTCDateTime(), nullable=True),
        sa.Column("due_utc", UTCDateTime(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("work_order", "scheduled_date", name="uq_work_orders_natural"),
    )
    op.create_index("ix_work_orders_due", "work_orders", ["line", "due_utc"])
    with op.batch_alter_table("shift_facts") as batch:
        batch.add_column(sa.Column("pm_scheduled", sa.Float(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("pm_on_time", sa.Float(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    """Remove the work orders and the PM counts."""
    with op.batch_alter_table("shift_facts") as batch:
        batch.drop_column("pm_on_time")
        batch.drop_column("pm_scheduled")
    op.drop_index("ix_work_orders_due", table_name="work_orders")
    op.drop_table("work_orders")
