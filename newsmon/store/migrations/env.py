"""Alembic environment: migrations run on the connection newsmon hands over (see store.db)."""

from alembic import context

from newsmon.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("newsmon migrations run through `newsmon db upgrade`, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
