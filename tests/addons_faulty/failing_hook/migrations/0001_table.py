"""A table that must vanish again when the hook fails."""
from alembic import op
import sqlalchemy as sa

revision = "0001_failing_hook"
down_revision = None
branch_labels = ("failing_hook",)
depends_on = None


def upgrade() -> None:
    op.create_table("failing_hook_table", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("failing_hook_table")
