"""shelf items"""
from alembic import op
import sqlalchemy as sa

revision = "0001_shelf"
down_revision = None
branch_labels = ("shelf",)
depends_on = None


def upgrade() -> None:
    op.create_table("shelf_item", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("name", sa.String(100), nullable=False))


def downgrade() -> None:
    op.drop_table("shelf_item")
