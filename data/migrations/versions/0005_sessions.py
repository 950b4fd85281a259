"""Sessions and sign-in (schema 7): sessions kept on the server (ended by signing out, expiry, a password change or
an admin), and one throttle row per user name and per address in place of a row per failed sign-in. Sessions made
before this revision lived only in their cookies: everyone signs in once more.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from huddle.data.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the sessions and throttle tables; the per-attempt table goes."""
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("ended_why", sa.String(120), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(255), nullable=False),
    )
    op.create_index("ix_user_sessions_user", "user_sessions", ["user_id", "ended_at"])
    op.create_index("ix_user_sessions_live", "user_sessions", ["ended_at", "expires_at"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(140), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_allowed_at", UTCDateTime(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
    )
    op.drop_index("ix_login_attempts_user", table_name="login_attempts")
    op.drop_index("ix_login_attempts_addr", table_name="login_attempts")
    op.drop_table("login_attempts")


def downgrade() -> None:
    """Back to a row per failed sign-in, without server-side sessions."""
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_login_attempts_addr", "login_attempts", ["address", "at"])
    op.create_index("ix_login_attempts_user", "login_attempts", ["username", "at"])
    op.drop_table("login_throttle")
    op.drop_index("ix_user_sessions_live", "user_sessions")
    op.drop_index("ix_user_sessions_user", "user_sessions")
    op.drop_table("user_sessions")
