"""Notifications (schema 11): people's subscriptions to the plant's notification rules, the causes the rules saw
(open until they clear) and the delivery log of every message, with its tries.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the subscriptions, causes and deliveries tables."""
    op.create_table(
        "notification_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("rule_key", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "rule_key", "scope", name="uq_notification_subscriptions"),
    )
    op.create_table(
        "notification_causes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule_key", sa.String(64), nullable=False),
        sa.Column("cause_key", sa.String(200), nullable=False),
        sa.Column("active_key", sa.String(270), nullable=True, unique=True),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("told_at", UTCDateTime(), nullable=True),
        sa.Column("cleared_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_notification_causes_open", "notification_causes", ["rule_key", "cleared_at"])
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cause_id", sa.Integer(), sa.ForeignKey("notification_causes.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel_key", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_notification_deliveries_due", "notification_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_notification_deliveries_at", "notification_deliveries", ["created_at"])


def downgrade() -> None:
    """Drop the notification tables."""
    op.drop_index("ix_notification_deliveries_at", "notification_deliveries")
    op.drop_index("ix_notification_deliveries_due", "notification_deliveries")
    op.drop_table("notification_deliveries")
    op.drop_index("ix_notification_causes_open", "notification_causes")
    op.drop_table("notification_causes")
    op.drop_table("notification_subscriptions")
