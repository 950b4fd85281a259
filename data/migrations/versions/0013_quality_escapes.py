"""Quality escapes (schema 15): a quality event may say its defects got past the line, found further on in the plant
(internal) or by the customer, and every line-shift's facts count both. Events loaded before keep "" (caught on the
line); facts built before keep 0 until their shift is loaded again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the escape of quality events and the escape counts of the shift facts."""
    with op.batch_alter_table("quality_events") as batch:
        batch.add_column(sa.Column("escape", sa.String(16), nullable=False, server_default=sa.text("''")))
    with op.batch_alter_table("shift_facts") as batch:
        batch.add_column(sa.Column("internal_escapes", sa.Float(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("customer_escapes", sa.Float(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    """Remove the escape columns."""
    with op.batch_alter_table("shift_facts") as batch:
        batch.drop_column("customer_escapes")
        batch.drop_column("internal_escapes")
    with op.batch_alter_table("quality_events") as batch:
        batch.drop_column("escape")
