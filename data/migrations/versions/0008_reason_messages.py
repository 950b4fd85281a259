"""Refusal reasons in the plant's language (schema 10): each quarantined row keeps, beside its English reason, the
reason's message and values (JSON), so the Data page says it in the plant's language. Rows quarantined before
keep an empty message and are shown in the English they were stored in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the quarantine's reason_message column (empty for the rows already there)."""
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("reason_message", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop the reason messages: reasons are English only again."""
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("reason_message")
