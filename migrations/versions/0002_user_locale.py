"""user locale

Revision ID: 0002_user_locale
Revises: 0001_platform
Create Date: 2026-11-24

Each user's chosen language (core/i18n.py: UserPreference), one row per user
who has chosen; deleted with the user.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_user_locale'
down_revision = '0001_platform'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crossdock_user_preference',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )


def downgrade() -> None:
    op.drop_table('crossdock_user_preference')
