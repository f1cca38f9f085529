"""Creates a table, then fails: the install must leave no table behind."""
from alembic import op
import sqlalchemy as sa

revision = "0001_bad_migration"
down_revision = None
branch_labels = ("bad_migration",)
depends_on = None


def upgrade() -> None:
    op.create_table("bad_migration_half", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade() -> None:
    op.drop_table("bad_migration_half")
