"""shelf items get a colour: an expand step (nullable), release 1 keeps inserting"""
from alembic import op
import sqlalchemy as sa

revision = "0002_shelf_colour"
down_revision = "0001_shelf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shelf_item") as batch:
        batch.add_column(sa.Column("colour", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("shelf_item") as batch:
        batch.drop_column("colour")
