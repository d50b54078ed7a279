"""channel feedback: the channel's own id, unique per channel, so a resent item is found, not doubled

Revision ID: 0004_channel_external_id
Revises: 0003_fixes
Create Date: 2026-12-01 22:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0004_channel_external_id'
down_revision = '0003_fixes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint('uq_response_channel_external_id', ['channel', 'external_id'])


def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint('uq_response_channel_external_id', type_='unique')
        batch_op.drop_column('external_id')
