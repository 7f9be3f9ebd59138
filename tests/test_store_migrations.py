"""Migrations own the schema; models and migrations agree on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from newsmon.store.db import Store, create_store_engine, current_revision, head_revision, upgrade
from newsmon.store.models import Base
from tests.conftest import Cli


def test_models_match_migrations(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_idempotent_and_reports_head(db_url: str) -> None:
    engine = create_store_engine(db_url)
    try:
        before, after = upgrade(engine)
        assert before is None
        assert after == head_revision()
        assert upgrade(engine) == (after, after)
        tables = set(inspect(engine).get_table_names())
        assert {
            "sources",
            "articles",
            "article_urls",
            "stories",
            "lsh_bands",
            "story_terms",
            "fetch_log",
            "digests",
            "digest_deliveries",
        } <= tables
    finally:
        engine.dispose()


def test_db_upgrade_command(cli: Cli, db_url: str) -> None:
    output = cli("db", "upgrade").output
    assert f"schema at {head_revision()}" in output
    assert "(was empty)" in output
    assert "(was" not in cli("db", "upgrade").output


def test_sqlite_runs_in_wal_with_foreign_keys(store: Store) -> None:
    if store.dialect != "sqlite":
        return
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert current_revision(store.engine) == head_revision()


def test_unreachable_database_is_one_clear_error(cli: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli.env = {**cli.env, "NEWSMON_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = cli("stats", expect=1)
    assert result.output.startswith("Error: cannot open the database")
    assert "Traceback" not in result.output
