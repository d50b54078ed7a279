"""several senders and schedulers: the outbox's due index, and leases for periodic work

Revision ID: 0007_outbox
Revises: 0006_lead
Create Date: 2026-12-03 12:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_outbox'
down_revision = '0006_lead'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lease',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=160), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_lease'))
    )
    # Not in batch mode: SQLite creates an index in place, without rebuilding a table of a million emails.
    op.create_index('ix_outbox_email_due', 'outbox_email', ['status', 'next_attempt_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_outbox_email_due', table_name='outbox_email')
    op.drop_table('lease')
