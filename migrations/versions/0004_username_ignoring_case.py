"""user names unique ignoring case

Revision ID: 0004_username_ci
Revises: 0003_hub
Create Date: 2026-12-01

FAB finds users by lower(username), so two names differing only by case must
not exist (core/security/usernames.py); the index holds whatever writes the row.
SQLite cannot reflect it: a later batch_alter_table on ab_user must create it again.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_username_ci'
down_revision = '0003_hub'
branch_labels = None
depends_on = None


def upgrade() -> None:
    clashes = op.get_bind().execute(sa.text(
        "SELECT lower(username) FROM ab_user GROUP BY lower(username) HAVING count(*) > 1"
    )).scalars().all()
    if clashes:
        raise RuntimeError("user names differing only by case, rename all but one first: "
                           + ", ".join(clashes))
    op.create_index('ux_ab_user_username_lower', 'ab_user', [sa.text('lower(username)')],
                    unique=True)


def downgrade() -> None:
    op.drop_index('ux_ab_user_username_lower', table_name='ab_user')
