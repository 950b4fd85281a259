"""Room for fact rows to change in place (schema 19): a load of a shift's stops, then of its labour, rewrites the
fact rows its counts made; with half of each page of ``shift_facts`` kept free (PostgreSQL's ``fillfactor``), the
new version of a row goes on the same page and the table's indexes are left alone (a heap-only update), where each
rewrite otherwise added an entry to all four of its indexes. SQLite has no such setting: nothing changes there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Keep room on the fact table's pages (PostgreSQL)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE shift_facts SET (fillfactor = 50)")


def downgrade() -> None:
    """Fill its pages again."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE shift_facts RESET (fillfactor)")
