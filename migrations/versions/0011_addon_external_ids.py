"""addons: external ids of data-file rows, and each addon's migration scripts

Revision ID: 0011_addon_external_ids
Revises: 0010_user_time_zone
Create Date: 2026-12-05

`crossdock_external_id` maps (addon, name) -> (model, record id) for rows an
addon's data or demo files created, with the values last written, so that an
upgrade updates them, a row a user changed stays as the user left it, and
uninstall removes them (core/addons/data_files.py). `crossdock_addon_script`
keeps a copy of each installed addon's migration scripts, so that a host whose
addon code was removed still starts and can uninstall it (core/addons/scripts.py).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_addon_external_ids'
down_revision = '0010_user_time_zone'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crossdock_external_id',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('addon', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('model', sa.String(length=128), nullable=False),
    sa.Column('table_name', sa.String(length=128), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('adopted', sa.Boolean(), nullable=False),
    sa.Column('loaded_values', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('addon', 'name', name='uq_crossdock_external_id_addon_name')
    )
    op.create_table('crossdock_addon_script',
    sa.Column('addon', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('addon', 'filename')
    )


def downgrade() -> None:
    op.drop_table('crossdock_addon_script')
    op.drop_table('crossdock_external_id')
