"""mail_gateway: an API mailbox's cursor on its folders (Graph's delta link,
Gmail's history id)

Revision ID: 0002_mail_folder_cursor
Revises: 0001_mail_gateway
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_mail_folder_cursor'
down_revision = '0001_mail_gateway'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('mail_folder', sa.Column('cursor', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('mail_folder', 'cursor')
