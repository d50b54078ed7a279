"""the team's brand: organisation name, optional logo and accent colour, in one row shown on public pages and emails

Revision ID: 0013_brand
Revises: 0012_fix_news
Create Date: 2026-12-03

"""
import sqlalchemy as sa
from alembic import op

revision = '0013_brand'
down_revision = '0012_fix_news'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'brand',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('colour', sa.String(length=7), nullable=True),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_type', sa.String(length=16), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_brand_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_brand')),
    )


def downgrade():
    op.drop_table('brand')
