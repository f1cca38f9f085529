"""user time zone

Revision ID: 0010_user_time_zone
Revises: 0009_hub_inbound_event
Create Date: 2026-12-05

Each user's time zone beside their language (core/i18n.py: UserPreference);
either may be unset (the browser's language, the deployment's time zone).
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_user_time_zone'
down_revision = '0009_hub_inbound_event'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('crossdock_user_preference') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch.alter_column('locale', existing_type=sa.String(length=8), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM crossdock_user_preference WHERE locale IS NULL")
    with op.batch_alter_table('crossdock_user_preference') as batch:
        batch.alter_column('locale', existing_type=sa.String(length=8), nullable=False)
        batch.drop_column('time_zone')
