"""A user's home scope (schema 12): the line or area a person works in, or the whole site. Operators write
shop-floor entries for their own line only; the tiers read a leader's scope to know which board is theirs. Users
made before this revision keep the whole site.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the home scope to every user (NULL: the whole site)."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("scope", sa.String(64), nullable=True))


def downgrade() -> None:
    """Remove the home scope."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("scope")
