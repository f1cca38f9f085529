"""hub: a failed job's problem and a person's decision

Revision ID: 0006_hub_job_details
Revises: 0005_session_version
Create Date: 2026-12-05

`hub_job.details_json` keeps what a failure left for a person to act on (the
remote customers that could be ours, a binding that clashed after a remote
write and what was taken back) and what a person decided on a retry (bind
one, create a new one): connectors/hub/operations.resolve.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_hub_job_details'
down_revision = '0005_session_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hub_job') as batch_op:
        batch_op.add_column(sa.Column('details_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hub_job') as batch_op:
        batch_op.drop_column('details_json')
