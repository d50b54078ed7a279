"""advisers and the beta: fix_adviser ("Would you advise us?"), a fix's beta link and when it opened

Revision ID: 0023_fix_advisers
Revises: 0022_touchpoints
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0023_fix_advisers'
down_revision = '0022_touchpoints'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fix_adviser',
    sa.Column('fix_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_fix_adviser_customer_id_customer')),
    sa.ForeignKeyConstraint(['fix_id'], ['fix.id'], name=op.f('fk_fix_adviser_fix_id_fix')),
    sa.PrimaryKeyConstraint('fix_id', 'customer_id', name=op.f('pk_fix_adviser'))
    )
    with op.batch_alter_table('fix_adviser', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fix_adviser_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_fix_adviser_fix_created', ['fix_id', 'created_at', 'customer_id'], unique=False)
    with op.batch_alter_table('fix', schema=None) as batch_op:
        batch_op.add_column(sa.Column('beta_url', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('beta_opened_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('fix', schema=None) as batch_op:
        batch_op.drop_column('beta_opened_at')
        batch_op.drop_column('beta_url')
    with op.batch_alter_table('fix_adviser', schema=None) as batch_op:
        batch_op.drop_index('ix_fix_adviser_fix_created')
        batch_op.drop_index(batch_op.f('ix_fix_adviser_customer_id'))
    op.drop_table('fix_adviser')
