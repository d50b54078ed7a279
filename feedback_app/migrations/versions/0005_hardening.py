"""production hardening: session versions, login failures, erasures, the suppression list,
invitations that outlive an erased customer, and who holds an outbox claim

Revision ID: 0005_hardening
Revises: 0004_channel_external_id
Create Date: 2026-12-03 09:20:06.189470

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_hardening'
down_revision = '0004_channel_external_id'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erasure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('erased_at', sa.DateTime(), nullable=False),
    sa.Column('erased_by', sa.String(length=200), nullable=False),
    sa.Column('removed', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure'))
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=320), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_account_at', ['account', 'failed_at'], unique=False)
        batch_op.create_index('ix_login_failure_address_at', ['address', 'failed_at'], unique=False)

    op.create_table('suppressed_address',
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('suppressed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address_hash', name=op.f('pk_suppressed_address'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('customer_id',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=120), nullable=True))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('customer_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    op.drop_table('suppressed_address')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_address_at')
        batch_op.drop_index('ix_login_failure_account_at')

    op.drop_table('login_failure')
    op.drop_table('erasure')
