"""advocacy: the team's review-or-referral setting and the one ask each promoter ever gets

Revision ID: 0024_advocacy
Revises: 0022_touchpoints
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0024_advocacy'
down_revision = '0023_fix_advisers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'advocacy_setting',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_advocacy_setting_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_advocacy_setting')),
    )
    op.create_table(
        'advocacy_ask',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('outcome', sa.String(length=12), nullable=True),
        sa.Column('outcome_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'],
                                name=op.f('fk_advocacy_ask_customer_id_customer'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'],
                                name=op.f('fk_advocacy_ask_response_id_response'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_advocacy_ask')),
        sa.UniqueConstraint('customer_id', name=op.f('uq_advocacy_ask_customer_id')),
    )


def downgrade():
    op.drop_table('advocacy_ask')
    op.drop_table('advocacy_setting')
