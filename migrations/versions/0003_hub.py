"""integration hub

Revision ID: 0003_hub
Revises: 0002_user_locale
Create Date: 2026-11-23

The hub's tables (connectors/hub/models.py): external backends (secret
encrypted at rest), sync jobs with their two partial unique indexes (one live
job per identity key; one running job per record), bindings unique both ways,
and the scheduler's election lease.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_hub'
down_revision = '0002_user_locale'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hub_backend',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('database', sa.String(length=128), nullable=True),
    sa.Column('username', sa.String(length=128), nullable=True),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('options_json', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('hub_scheduler_lease',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('hub_binding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('backend_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('external_number', sa.String(length=128), nullable=True),
    sa.Column('remote_state', sa.String(length=32), nullable=True),
    sa.Column('remote_state_label', sa.String(length=64), nullable=True),
    sa.Column('synced_at', sa.DateTime(), nullable=False),
    sa.Column('pulled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['backend_id'], ['hub_backend.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('backend_id', 'model', 'external_id', name='uq_hub_binding_external'),
    sa.UniqueConstraint('backend_id', 'model', 'record_id', name='uq_hub_binding_local')
    )
    op.create_table('hub_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('backend_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('record_key', sa.String(length=200), nullable=False),
    sa.Column('identity_key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('lease_token', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('remote_ref', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['backend_id'], ['hub_backend.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_hub_job_backend_id'), 'hub_job', ['backend_id'], unique=False)
    op.create_index('ix_hub_job_finished', 'hub_job', ['finished_at'], unique=False)
    op.create_index('ix_hub_job_identity_live', 'hub_job', ['identity_key'], unique=True, sqlite_where=sa.text("state IN ('pending', 'queued', 'running', 'failed')"), postgresql_where=sa.text("state IN ('pending', 'queued', 'running', 'failed')"))
    op.create_index('ix_hub_job_model_record', 'hub_job', ['model', 'record_id'], unique=False)
    op.create_index('ix_hub_job_record', 'hub_job', ['record_key', 'id'], unique=False)
    op.create_index('ix_hub_job_record_running', 'hub_job', ['record_key'], unique=True, sqlite_where=sa.text("state = 'running'"), postgresql_where=sa.text("state = 'running'"))
    op.create_index('ix_hub_job_state_next', 'hub_job', ['state', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_hub_job_state_next', table_name='hub_job')
    op.drop_index('ix_hub_job_record_running', table_name='hub_job', sqlite_where=sa.text("state = 'running'"), postgresql_where=sa.text("state = 'running'"))
    op.drop_index('ix_hub_job_record', table_name='hub_job')
    op.drop_index('ix_hub_job_model_record', table_name='hub_job')
    op.drop_index('ix_hub_job_identity_live', table_name='hub_job', sqlite_where=sa.text("state IN ('pending', 'queued', 'running', 'failed')"), postgresql_where=sa.text("state IN ('pending', 'queued', 'running', 'failed')"))
    op.drop_index('ix_hub_job_finished', table_name='hub_job')
    op.drop_index(op.f('ix_hub_job_backend_id'), table_name='hub_job')
    op.drop_table('hub_job')
    op.drop_table('hub_binding')
    op.drop_table('hub_scheduler_lease')
    op.drop_table('hub_backend')
