"""Root causes on actions (schema 14): an action answering a red carries a 5-why (up to five whys and the root
cause) or a short A3 (problem, cause, countermeasure, check, result), as JSON; "" for none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the cause of an action."""
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("cause", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Remove the cause of an action."""
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("cause")
