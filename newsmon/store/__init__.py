"""The store: SQLAlchemy models, Alembic migrations and the queries every part shares."""
