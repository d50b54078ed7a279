from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from feedback_app.extensions import db


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    # The test database was built by running the migrations; nothing may differ from the models.
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []
