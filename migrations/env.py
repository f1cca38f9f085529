"""Alembic environment for Crossdock: runs on the caller's connection when
given one (core.migrate passes it, inside the caller's transaction)."""
import warnings

from alembic import context
from flask_appbuilder import Model

import core.models  # noqa: F401  (the platform tables)
from sqlalchemy import create_engine

config = context.config
# SQLite cannot reflect expression indexes (0004's on lower(username)); batch
# mode reflects ab_user for the foreign keys of a table it copies, which
# leaves that index alone
warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
target_metadata = Model.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:  # the alembic command line: `-x url=...`
    url = context.get_x_argument(as_dictionary=True).get("url")
    engine = create_engine(url)
    with engine.begin() as conn:
        run_migrations(conn)
