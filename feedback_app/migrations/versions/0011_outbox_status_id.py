"""the outbox page by status, newest first: (status, id) replaces the index on status alone

Revision ID: 0011_outbox_status_id
Revises: 0010_loop_reach
Create Date: 2026-12-03

"""
from alembic import op

revision = '0011_outbox_status_id'
down_revision = '0010_loop_reach'
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: SQLite creates and drops an index in place, without rebuilding a table of a million
    # emails. Every query the index on status alone served, (status, id) serves; two would both be written
    # on each status change of each email.
    op.create_index('ix_outbox_email_status_id', 'outbox_email', ['status', 'id'], unique=False)
    op.drop_index('ix_outbox_email_status', table_name='outbox_email')


def downgrade():
    op.create_index('ix_outbox_email_status', 'outbox_email', ['status'], unique=False)
    op.drop_index('ix_outbox_email_status_id', table_name='outbox_email')
