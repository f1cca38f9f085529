"""note parent: a link to another note (a related-field picker over a ruled model)

Revision ID: 0002_example_notes
Revises: 0001_example_notes
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_example_notes'
down_revision = '0001_example_notes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('example_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_example_note_parent', 'example_note',
                                    ['parent_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('example_note', schema=None) as batch_op:
        batch_op.drop_constraint('fk_example_note_parent', type_='foreignkey')
        batch_op.drop_column('parent_id')
