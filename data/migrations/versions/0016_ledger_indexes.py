"""The ledger's indexes (schema 18): every page reads what each source last did (its latest run, latest good run,
latest failure, when it last read through); these indexes let each be found by a seek per source, so the cost stays
the same however many runs the ledger holds (a source loading every 15 minutes adds 35,000 a year).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the per-source indexes of the load runs."""
    op.create_index("ix_load_runs_source_id", "load_runs", ["source", "id"])
    op.create_index("ix_load_runs_source_status_id", "load_runs", ["source", "status", "id"])
    op.create_index("ix_load_runs_source_finished", "load_runs", ["source", "finished_at"])


def downgrade() -> None:
    """Remove them."""
    op.drop_index("ix_load_runs_source_finished", table_name="load_runs")
    op.drop_index("ix_load_runs_source_status_id", table_name="load_runs")
    op.drop_index("ix_load_runs_source_id", table_name="load_runs")
