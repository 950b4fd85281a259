"""How much of each line-shift its records cover: the production time the shift schedules and the part of it
covered by count intervals and stop events (schema 5). Facts built before this revision keep 0 in both, which the
readings take as "coverage unknown" until the shift is loaded again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the scheduled and covered production time to every line-shift's facts."""
    with op.batch_alter_table("shift_facts") as batch:
        batch.add_column(sa.Column("scheduled_s", sa.Float(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("covered_s", sa.Float(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    """Remove the coverage columns."""
    with op.batch_alter_table("shift_facts") as batch:
        batch.drop_column("covered_s")
        batch.drop_column("scheduled_s")
