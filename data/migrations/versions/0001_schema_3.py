"""Huddle's tables as of schema 3: raw records, shift facts, loader ledgers, users, displays, the append-only
audit trail and actions.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE_AUDIT = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
]
POSTGRES_AUDIT = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW "
    "EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    """Create every table of schema 3 and make the audit trail append-only in the database."""
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('kpi', sa.String(length=64), nullable=False),
    sa.Column('raised_for', sa.Date(), nullable=False),
    sa.Column('raised_shift', sa.String(length=16), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_actions_kpi', 'actions', ['kpi', 'scope'], unique=False)
    op.create_index('ix_actions_scope_status', 'actions', ['scope', 'status'], unique=False)
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_at', 'audit_log', ['at'], unique=False)
    op.create_table('display_screens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('start_path', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('kpi_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=64), nullable=False),
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('area', sa.String(length=64), nullable=False),
    sa.Column('production_date', sa.Date(), nullable=False),
    sa.Column('shift', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kpi', 'location', 'production_date', 'shift', name='uq_kpi_values_natural')
    )
    op.create_index('ix_kpi_values_kpi_date', 'kpi_values', ['kpi', 'production_date'], unique=False)
    op.create_table('labour',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('production_date', sa.Date(), nullable=False),
    sa.Column('shift', sa.String(length=16), nullable=False),
    sa.Column('planned_headcount', sa.Float(), nullable=False),
    sa.Column('present_headcount', sa.Float(), nullable=False),
    sa.Column('hours_worked', sa.Float(), nullable=False),
    sa.Column('overtime_hours', sa.Float(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('line', 'production_date', 'shift', name='uq_labour_natural')
    )
    op.create_table('load_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('files_loaded', sa.Integer(), nullable=False),
    sa.Column('files_skipped', sa.Integer(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_loaded', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_load_runs_source_started', 'load_runs', ['source', 'started_at'], unique=False)
    op.create_table('loaded_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('mtime', sa.Float(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_loaded', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'path', 'sha256', name='uq_loaded_files_path_hash')
    )
    op.create_index('ix_loaded_files_hash', 'loaded_files', ['source', 'sha256'], unique=False)
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_attempts_addr', 'login_attempts', ['address', 'at'], unique=False)
    op.create_index('ix_login_attempts_user', 'login_attempts', ['username', 'at'], unique=False)
    op.create_table('meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('production_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('start_utc', sa.DateTime(), nullable=False),
    sa.Column('end_utc', sa.DateTime(), nullable=False),
    sa.Column('product', sa.String(length=64), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('good', sa.Integer(), nullable=False),
    sa.Column('planned_qty', sa.Float(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('line', 'start_utc', 'product', name='uq_counts_natural')
    )
    op.create_table('quality_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('at_utc', sa.DateTime(), nullable=False),
    sa.Column('defect', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('disposition', sa.String(length=16), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('line', 'at_utc', 'defect', 'disposition', name='uq_quality_natural')
    )
    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('file', sa.Text(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('column', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_quarantine_run', 'quarantine', ['run_id'], unique=False)
    op.create_table('safety_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at_utc', sa.DateTime(), nullable=False),
    sa.Column('location', sa.String(length=64), nullable=False),
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('area', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('at_utc', 'location', 'kind', name='uq_safety_natural')
    )
    op.create_index(op.f('ix_safety_events_at_utc'), 'safety_events', ['at_utc'], unique=False)
    op.create_table('shift_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('area', sa.String(length=64), nullable=False),
    sa.Column('production_date', sa.Date(), nullable=False),
    sa.Column('shift', sa.String(length=16), nullable=False),
    sa.Column('start_utc', sa.DateTime(), nullable=False),
    sa.Column('end_utc', sa.DateTime(), nullable=False),
    sa.Column('data_through_utc', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('shift_s', sa.Float(), nullable=False),
    sa.Column('planned_stop_s', sa.Float(), nullable=False),
    sa.Column('ppt_s', sa.Float(), nullable=False),
    sa.Column('unplanned_stop_s', sa.Float(), nullable=False),
    sa.Column('changeover_s', sa.Float(), nullable=False),
    sa.Column('run_s', sa.Float(), nullable=False),
    sa.Column('total_count', sa.Float(), nullable=False),
    sa.Column('good_count', sa.Float(), nullable=False),
    sa.Column('planned_qty', sa.Float(), nullable=False),
    sa.Column('ideal_total_s', sa.Float(), nullable=False),
    sa.Column('ideal_good_s', sa.Float(), nullable=False),
    sa.Column('scrap_qty', sa.Float(), nullable=False),
    sa.Column('rework_qty', sa.Float(), nullable=False),
    sa.Column('failures', sa.Float(), nullable=False),
    sa.Column('hours_worked', sa.Float(), nullable=False),
    sa.Column('overtime_h', sa.Float(), nullable=False),
    sa.Column('headcount_planned', sa.Float(), nullable=False),
    sa.Column('headcount_present', sa.Float(), nullable=False),
    sa.Column('recordables', sa.Float(), nullable=False),
    sa.Column('lost_time_cases', sa.Float(), nullable=False),
    sa.Column('first_aid_cases', sa.Float(), nullable=False),
    sa.Column('near_misses', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('line', 'production_date', 'shift', 'area', name='uq_shift_facts')
    )
    op.create_index('ix_shift_facts_date', 'shift_facts', ['production_date', 'line'], unique=False)
    op.create_index('ix_shift_facts_through', 'shift_facts', ['data_through_utc'], unique=False)
    op.create_table('stop_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('start_utc', sa.DateTime(), nullable=False),
    sa.Column('end_utc', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('equipment', sa.String(length=120), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('line', 'start_utc', name='uq_stops_natural')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_AUDIT if dialect == "sqlite" else POSTGRES_AUDIT if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    """Drop every table of schema 3 (and with them the data)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_table('users')
    op.drop_table('stop_events')
    op.drop_index('ix_shift_facts_through', table_name='shift_facts')
    op.drop_index('ix_shift_facts_date', table_name='shift_facts')
    op.drop_table('shift_facts')
    op.drop_index(op.f('ix_safety_events_at_utc'), table_name='safety_events')
    op.drop_table('safety_events')
    op.drop_index('ix_quarantine_run', table_name='quarantine')
    op.drop_table('quarantine')
    op.drop_table('quality_events')
    op.drop_table('production_counts')
    op.drop_table('meta')
    op.drop_index('ix_login_attempts_user', table_name='login_attempts')
    op.drop_index('ix_login_attempts_addr', table_name='login_attempts')
    op.drop_table('login_attempts')
    op.drop_index('ix_loaded_files_hash', table_name='loaded_files')
    op.drop_table('loaded_files')
    op.drop_index('ix_load_runs_source_started', table_name='load_runs')
    op.drop_table('load_runs')
    op.drop_table('labour')
    op.drop_index('ix_kpi_values_kpi_date', table_name='kpi_values')
    op.drop_table('kpi_values')
    op.drop_table('display_screens')
    op.drop_index('ix_audit_at', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index('ix_actions_scope_status', table_name='actions')
    op.drop_index('ix_actions_kpi', table_name='actions')
    op.drop_table('actions')
