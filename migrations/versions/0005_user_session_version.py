"""user session version

Revision ID: 0005_session_version
Revises: 0004_username_ci
Create Date: 2026-12-01

Each user's session version (core/security/session_version.py): sessions and
tokens holding an older one are logged out. No row means version 0.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_session_version'
down_revision = '0004_username_ci'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crossdock_user_session_version',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )


def downgrade() -> None:
    op.drop_table('crossdock_user_session_version')
