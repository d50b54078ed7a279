"""retention: the customer's lifetime (customer_since, ended_at) and lifecycle stage (stage, stage_since), what
customers do (activity) and the history of their stages (stage_change)

Existing data: every customer's new columns start empty. Their lifetime then starts at their first activity,
and their stage is computed by the first retention refresh. Activity and stage changes go with their customer
(ON DELETE CASCADE).

Revision ID: 0017_retention
Revises: 0016_text_embeddings
Create Date: 2026-12-10

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_retention'
down_revision = '0016_text_embeddings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('stage', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('stage_since', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_customer_stage', ['stage'], unique=False)
    op.create_table(
        'activity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('occurred_at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('amount', sa.Numeric(precision=18, scale=4, asdecimal=False), nullable=True),
        sa.Column('external_id', sa.String(length=200), nullable=True),
        sa.Column('dedupe_key', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_activity_customer_id_customer'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_activity_dedupe_key')),
        sa.UniqueConstraint('external_id', name=op.f('uq_activity_external_id')),
    )
    op.create_index('ix_activity_customer_occurred', 'activity', ['customer_id', 'occurred_at'], unique=False)
    op.create_table(
        'stage_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('from_stage', sa.String(length=12), nullable=True),
        sa.Column('to_stage', sa.String(length=12), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_stage_change_customer_id_customer'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_change')),
    )
    op.create_index('ix_stage_change_customer', 'stage_change', ['customer_id', 'changed_at'], unique=False)
    op.create_index('ix_stage_change_changed', 'stage_change', ['changed_at'], unique=False)


def downgrade():
    op.drop_index('ix_stage_change_changed', table_name='stage_change')
    op.drop_index('ix_stage_change_customer', table_name='stage_change')
    op.drop_table('stage_change')
    op.drop_index('ix_activity_customer_occurred', table_name='activity')
    op.drop_table('activity')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_stage')
        batch_op.drop_column('stage_since')
        batch_op.drop_column('stage')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('customer_since')
