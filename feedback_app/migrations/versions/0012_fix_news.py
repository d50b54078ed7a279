"""fix news in the customer's language: a fix's customer-facing title and release note per language, the
fallback language the team allows, and the customers who stopped news about fixes

Existing data: a fix's release note becomes its English note, and its title becomes its English
customer-facing title too — until now the news emails showed customers exactly that title, so English
readers keep reading what they read before. Arabic and Persian texts start empty: the team writes them
(or allows a fallback) before the next news goes out. No fallback is set. Nobody has stopped fix news
yet: a survey unsubscribe already stops it (triage.loop.policy), so nothing needs copying.

Revision ID: 0012_fix_news
Revises: 0011_outbox_status_id
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_fix_news'
down_revision = '0011_outbox_status_id'
branch_labels = None
depends_on = None

ENGLISH = 'en'


def _fix_table(*columns):
    return sa.table('fix', sa.column('id', sa.Integer()), *columns)


def upgrade():
    with op.batch_alter_table('fix', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_titles', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('release_notes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('news_fallback', sa.String(length=8), nullable=True))
    _texts_become_english()
    with op.batch_alter_table('fix', schema=None) as batch_op:
        batch_op.alter_column('public_titles', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('release_notes', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('release_note')
    op.create_table('fix_news_stop',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('stopped_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_fix_news_stop_customer_id_customer'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_fix_news_stop'))
    )


def _texts_become_english():
    """In Python, one fix at a time: JSON is written the same way on both databases (teams have hundreds of
    fixes, not millions)."""
    connection = op.get_bind()
    old = _fix_table(sa.column('title', sa.String()), sa.column('release_note', sa.Text()))
    new = _fix_table(sa.column('public_titles', sa.JSON()), sa.column('release_notes', sa.JSON()))
    for fix_id, title, note in connection.execute(sa.select(old.c.id, old.c.title, old.c.release_note)).all():
        note = (note or '').strip()
        connection.execute(new.update().where(new.c.id == fix_id).values(
            public_titles={ENGLISH: title} if title else {}, release_notes={ENGLISH: note} if note else {}))


def downgrade():
    op.drop_table('fix_news_stop')
    with op.batch_alter_table('fix', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_note', sa.Text(), nullable=True))
    connection = op.get_bind()
    fix = _fix_table(sa.column('release_notes', sa.JSON()), sa.column('release_note', sa.Text()))
    for fix_id, notes in connection.execute(sa.select(fix.c.id, fix.c.release_notes)).all():
        connection.execute(fix.update().where(fix.c.id == fix_id).values(release_note=(notes or {}).get(ENGLISH, '')))
    with op.batch_alter_table('fix', schema=None) as batch_op:
        batch_op.alter_column('release_note', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('news_fallback')
        batch_op.drop_column('release_notes')
        batch_op.drop_column('public_titles')
