"""Facts summed by month (schema 20): ``month_facts`` holds ``shift_facts`` summed per line (or area), calendar
month and shift, so a reading of whole months (a rolling year's TRIR on the plant board, a review's twelve months)
sums some 800 rows for a plant's year where it summed 22,000. Filled here from the facts already stored.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: the measures of shift_facts at this revision
MEASURES = ("shift_s", "planned_stop_s", "ppt_s", "unplanned_stop_s", "changeover_s", "run_s", "total_count",
            "good_count", "planned_qty", "ideal_total_s", "ideal_good_s", "scrap_qty", "rework_qty", "failures",
            "hours_worked", "overtime_h", "headcount_planned", "headcount_present", "recordables", "lost_time_cases",
            "first_aid_cases", "near_misses", "internal_escapes", "customer_escapes", "pm_scheduled", "pm_on_time",
            "scheduled_s", "covered_s")
#: the physical limits a line-shift may break, as the readings counted them at this revision
LIMITS = {
    "n_over_performance": "ideal_total_s > run_s * 1.000001 + 1",
    "n_good_over_total": "good_count > total_count",
    "n_stops_over_time": "unplanned_stop_s + changeover_s > ppt_s + 60",
    "n_rejects_over_total": "total_count > 0 AND scrap_qty + rework_qty > total_count",
}


def upgrade() -> None:
    """Create the table and sum the stored facts into it."""
    op.create_table(
        "month_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("shift", sa.String(length=16), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in MEASURES),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in LIMITS),
        sa.Column("data_through_utc", sa.DateTime(), nullable=True),
        sa.Column("facts", sa.Integer(), nullable=False),
        sa.Column("line_shifts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("line", "area", "month", "shift", name="uq_month_facts"),
    )
    op.create_index("ix_month_facts_month", "month_facts", ["month", "line"], unique=False)
    month = ("to_char(production_date, 'YYYY-MM')" if op.get_bind().dialect.name == "postgresql"
             else "substr(production_date, 1, 7)")
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    counts = ", ".join(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)" for condition in LIMITS.values())
    op.execute(f"INSERT INTO month_facts (line, area, month, shift, {', '.join(MEASURES)}, {', '.join(LIMITS)}, "
               f"data_through_utc, facts, line_shifts) SELECT line, area, {month}, shift, {sums}, {counts}, "
               "MAX(data_through_utc), COUNT(*), SUM(CASE WHEN line <> '' THEN 1 ELSE 0 END) FROM shift_facts "
               f"GROUP BY line, area, {month}, shift")


def downgrade() -> None:
    """Drop the monthly sums."""
    op.drop_index("ix_month_facts_month", table_name="month_facts")
    op.drop_table("month_facts")
