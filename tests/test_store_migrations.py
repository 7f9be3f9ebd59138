"""Migrations own the schema; models and migrations agree on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from newsmon.config import Config
from newsmon.extract import RawDocument, extract_article
from newsmon.fingerprints import STORY_INDEX_TERMS
from newsmon.ingest import Ingestor
from newsmon.search import is_search_index
from newsmon.store.db import Store, create_store_engine, current_revision, head_revision, upgrade
from newsmon.store.models import NEWEST_FIRST_INDEXES, Article, Base, LshBand, Story, StoryTerm
from newsmon.store.queries import ArticleFilter, newest_first, newest_stories
from tests.conftest import Cli, query_plan


def test_models_match_migrations(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda _object, name, *_rest: not is_search_index(name)
                and name not in NEWEST_FIRST_INDEXES,
            },
        )
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


def test_upgrade_to_scheme_v2_recomputes_the_fingerprints_of_stored_articles(
    db_url: str, seeds_dir: Path, config: Config
) -> None:
    """A store written under 0001 keeps finding copies of its articles after the scheme change."""
    engine = create_store_engine(db_url)
    try:
        upgrade(engine, "0001")
        original = (seeds_dir / "002_53d1b085e57f7486.txt").read_text(encoding="utf-8")
        article = extract_article(RawDocument("file:///002.txt", original, "text"), config.tz, 40)
        with engine.begin() as connection:
            now = datetime(2026, 1, 20, 12, 0)
            story_id = connection.execute(
                insert(Story).returning(Story.id), {"title": "t", "article_count": 1, "created_at": now}
            ).scalar_one()
            article_id = connection.execute(
                insert(Article).returning(Article.id),
                {
                    "canonical_url": "file:///002.txt",
                    "url": "file:///002.txt",
                    "title": article.title,
                    "title_origin": article.title_origin,
                    "text": article.text,
                    "language": "de",
                    "published_at": now,
                    "date_precision": "minute",
                    "authors": [],
                    "fetched_at": now,
                    "content_hash": "old-scheme",
                    "word_count": 0,
                    "shingle_count": 0,
                    "minhash": b"\0" * 240,  # what scheme 1 wrote is meaningless to scheme 2
                    "story_terms": {},
                    "story_id": story_id,
                },
            ).scalar_one()
            connection.execute(text("INSERT INTO lsh_bands VALUES (12345, :id)"), {"id": article_id})
        upgrade(engine)
        with engine.connect() as connection:
            bands = connection.scalars(select(LshBand.band_key).where(LshBand.article_id == article_id)).all()
            weights = connection.scalars(
                select(StoryTerm.weight).where(StoryTerm.article_id == article_id)
            ).all()
        assert 12345 not in bands
        assert len(bands) == config.dedup.bands
        assert len(weights) == STORY_INDEX_TERMS
        assert min(weights) > 0
    finally:
        engine.dispose()
    store = Store(create_store_engine(db_url))
    try:
        truncated = RawDocument("file:///002-truncated.txt", original[: int(len(original) * 0.8)], "text")
        result = Ingestor(store, config).ingest(truncated)
    finally:
        store.close()
    assert (result.status, result.layer, result.duplicate_of) == ("duplicate", "near", article_id)


def test_db_reindex_keeps_copies_findable_under_new_settings(
    cli: Cli, seeds_dir: Path, tmp_path: Path
) -> None:
    cli("import", str(seeds_dir))
    cli.env = {**cli.env, "NEWSMON_DEDUP__NUM_PERM": "90", "NEWSMON_DEDUP__BANDS": "30"}
    assert "reindexed 5 articles" in cli("db", "reindex").output
    original = (seeds_dir / "002_53d1b085e57f7486.txt").read_text(encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text(original[: int(len(original) * 0.85)], encoding="utf-8")
    (line,) = cli("import", "--json", str(copy)).output.splitlines()
    assert '"layer": "near"' in line


def _moment(number: int) -> datetime | None:
    """Every tenth undated, the others spread over a day out of insertion order."""
    return None if number % 10 == 0 else datetime(2026, 1, 1) + timedelta(seconds=number * 7919 % 86400)


def test_list_pages_are_read_in_index_order_not_sorted(store: Store, config: Config) -> None:
    """Without an index in the list's order a page sorts every matching row: at a million
    articles, most of a second."""
    count, now = 5000, datetime(2026, 1, 2)
    articles = [
        {
            "canonical_url": f"https://example.org/{number}",
            "url": f"https://example.org/{number}",
            "title": f"Artikel {number}",
            "title_origin": "h1",
            "text": "Text",
            "fetched_at": now,
            "published_at": _moment(number),
            "content_hash": f"{number:032x}",
            "word_count": 1,
            "shingle_count": 1,
            "minhash": b"",
        }
        for number in range(count)
    ]
    stories = [
        {"title": f"Story {number}", "last_published": _moment(number), "article_count": 1, "created_at": now}
        for number in range(count)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(Article), articles)
        connection.execute(insert(Story), stories)
        connection.exec_driver_sql("ANALYZE")
    pages = [
        (newest_first(ArticleFilter(limit=50), config.tz), Article.published_at, Article.id),
        (newest_stories(50).with_only_columns(Story.id), Story.last_published, Story.id),
    ]
    sqlite_indexes = ["ix_articles_published_at", "ix_stories_newest_first"]
    postgres_indexes = ["ix_articles_newest_first", "ix_stories_newest_first"]
    for (page, moment, key), sqlite_index, postgres_index in zip(
        pages, sqlite_indexes, postgres_indexes, strict=True
    ):
        plan = query_plan(store, page)
        if store.dialect == "postgresql":
            assert postgres_index in plan and "Sort" not in plan, plan
        else:
            assert sqlite_index in plan and "TEMP B-TREE" not in plan, plan
        with store.engine.connect() as connection:
            listed = [row.id for row in connection.execute(page)]
            stored = connection.execute(select(moment, key)).all()
        dated = sorted((published, row_id) for published, row_id in stored if published)
        assert listed == [row_id for _, row_id in reversed(dated)][:50]
