"""OKRs: objectives, key results, weekly check-ins, closed quarters, and KPI baselines adopted from them
(schema 4).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the OKR tables and the adopted baselines."""
    op.create_table('kpi_baselines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('adopted_by', sa.String(length=120), nullable=False),
    sa.Column('adopted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_kpi_baselines_scope', 'kpi_baselines', ['scope', 'kpi'], unique=False)
    op.create_table('okr_objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=8), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['okr_objectives.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_okr_objectives_quarter', 'okr_objectives', ['quarter', 'scope'], unique=False)
    op.create_table('okr_quarters',
    sa.Column('quarter', sa.String(length=8), nullable=False),
    sa.Column('closed_by', sa.String(length=120), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('quarter')
    )
    op.create_table('okr_key_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('start', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('kpi', sa.String(length=64), nullable=False),
    sa.Column('kpi_scope', sa.String(length=64), nullable=False),
    sa.Column('kpi_window', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('checkins', sa.Integer(), nullable=False),
    sa.Column('final_value', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['objective_id'], ['okr_objectives.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_okr_key_results_objective', 'okr_key_results', ['objective_id'], unique=False)
    op.create_table('okr_check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_result_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Text(), nullable=False),
    sa.Column('blocks', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['key_result_id'], ['okr_key_results.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_okr_check_ins_kr_week', 'okr_check_ins', ['key_result_id', 'week'], unique=False)


def downgrade() -> None:
    """Drop the OKR tables and the adopted baselines."""
    op.drop_index('ix_okr_check_ins_kr_week', table_name='okr_check_ins')
    op.drop_table('okr_check_ins')
    op.drop_index('ix_okr_key_results_objective', table_name='okr_key_results')
    op.drop_table('okr_key_results')
    op.drop_table('okr_quarters')
    op.drop_index('ix_okr_objectives_quarter', table_name='okr_objectives')
    op.drop_table('okr_objectives')
    op.drop_index('ix_kpi_baselines_scope', table_name='kpi_baselines')
    op.drop_table('kpi_baselines')
