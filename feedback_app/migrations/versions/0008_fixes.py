"""fixes at scale: stored evidence figures and respondents, their basis, the news each fix sent, and
each link's answer date (the fix page's order)

The stored figures start empty: the first page that ranks fixes (or `feedback rebuild fixes`) computes
them once. The news of fixes already sent is found in the outbox by its keys (event:fix:customer).

Revision ID: 0008_fixes
Revises: 0007_outbox
Create Date: 2026-12-03 12:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_fixes'
down_revision = '0007_outbox'
branch_labels = None
depends_on = None

NEWS_EVENTS = ('fix-planned', 'fix-shipped')  # triage.loop.policy.LOOP_EVENTS, as keyed in the outbox
BATCH = 5000


def upgrade():
    op.create_table('fix_evidence',
    sa.Column('fix_id', sa.Integer(), nullable=False),
    sa.Column('links', sa.Integer(), nullable=False),
    sa.Column('respondents', sa.Integer(), nullable=False),
    sa.Column('weight_sum', sa.Float(), nullable=False),
    sa.Column('exponent', sa.Float(), nullable=False),
    sa.Column('latest_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['fix_id'], ['fix.id'], name=op.f('fk_fix_evidence_fix_id_fix')),
    sa.PrimaryKeyConstraint('fix_id', name=op.f('pk_fix_evidence'))
    )
    op.create_table('fix_evidence_basis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('half_life_days', sa.Float(), nullable=True),
    sa.Column('value_attribute', sa.String(length=100), nullable=True),
    sa.Column('reference', sa.Float(), nullable=True),
    sa.Column('built_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fix_evidence_basis'))
    )
    op.create_table('fix_news',
    sa.Column('fix_id', sa.Integer(), nullable=False),
    sa.Column('email_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fix_id'], ['fix.id'], name=op.f('fk_fix_news_fix_id_fix')),
    sa.PrimaryKeyConstraint('fix_id', 'email_id', name=op.f('pk_fix_news'))
    )
    op.create_table('fix_respondent',
    sa.Column('fix_id', sa.Integer(), nullable=False),
    sa.Column('respondent', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('unhappiness', sa.Float(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.Column('strength', sa.Float(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('log_value', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['fix_id'], ['fix.id'], name=op.f('fk_fix_respondent_fix_id_fix')),
    sa.PrimaryKeyConstraint('fix_id', 'respondent', name=op.f('pk_fix_respondent'))
    )
    with op.batch_alter_table('fix_respondent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fix_respondent_customer_id'), ['customer_id'], unique=False)

    # Each link gets its answer's date: added empty, filled, then required.
    with op.batch_alter_table('fix_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(), nullable=True))
    op.execute('UPDATE fix_link SET answered_at = (SELECT response.answered_at FROM response '
               'WHERE response.id = fix_link.response_id)')
    with op.batch_alter_table('fix_link', schema=None) as batch_op:
        batch_op.alter_column('answered_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index('ix_fix_link_fix_answered', ['fix_id', 'answered_at', 'response_id'], unique=False)

    _news_already_sent()


def _news_already_sent():
    """fix_news from the outbox rows keyed <event>:<fix id>:<customer id> (read once, here)."""
    connection = op.get_bind()
    outbox, fix = sa.table('outbox_email', sa.column('id'), sa.column('dedupe_key')), sa.table('fix', sa.column('id'))
    news = sa.table('fix_news', sa.column('fix_id'), sa.column('email_id'))
    fixes = {row[0] for row in connection.execute(sa.select(fix.c.id))}
    found = []
    for event in NEWS_EVENTS:
        for email_id, key in connection.execute(sa.select(outbox.c.id, outbox.c.dedupe_key)
                                                .where(outbox.c.dedupe_key.like(f'{event}:%'))):
            fix_id = key.split(':')[1]
            if fix_id.isdigit() and int(fix_id) in fixes:
                found.append({'fix_id': int(fix_id), 'email_id': email_id})
    for start in range(0, len(found), BATCH):
        connection.execute(news.insert(), found[start:start + BATCH])


def downgrade():
    with op.batch_alter_table('fix_link', schema=None) as batch_op:
        batch_op.drop_index('ix_fix_link_fix_answered')
        batch_op.drop_column('answered_at')

    with op.batch_alter_table('fix_respondent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fix_respondent_customer_id'))

    op.drop_table('fix_respondent')
    op.drop_table('fix_news')
    op.drop_table('fix_evidence_basis')
    op.drop_table('fix_evidence')
