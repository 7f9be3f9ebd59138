"""``article_topics``: the relevant verdicts of ``articles.topic_scores`` as an indexed table, kept
in step by the database's triggers (migration 0008), on SQLite and PostgreSQL.

The topic filter of lists and searches reads this table, so a verdict it misses is an article
the filter hides; each way a verdict can change is checked against the table itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from newsmon.store.db import create_store_engine, upgrade
from newsmon.store.models import Article, ArticleTopic, Story

NOW = datetime(2026, 2, 1, 12, 0)


def _verdicts(**relevant: bool) -> dict[str, Any]:
    return {
        topic: {"score": 0.9 if yes else 0.1, "threshold": 0.5, "relevant": yes}
        for topic, yes in relevant.items()
    }


def _article(connection: Connection, key: str, topic_scores: Any) -> int:
    story_id = connection.execute(
        insert(Story).returning(Story.id), {"title": key, "article_count": 1, "created_at": NOW}
    ).scalar_one()
    return connection.execute(
        insert(Article).returning(Article.id),
        {
            "canonical_url": f"https://example.org/{key}",
            "url": f"https://example.org/{key}",
            "title": key,
            "title_origin": "text",
            "text": f"Text über {key}",
            "language": "de",
            "published_at": NOW,
            "date_precision": "minute",
            "authors": [],
            "fetched_at": NOW,
            "content_hash": key,
            "word_count": 3,
            "shingle_count": 1,
            "minhash": b"\0" * 8,
            "story_terms": {},
            "story_id": story_id,
            "topic_scores": topic_scores,
        },
    ).scalar_one()


def _rows(engine: Engine) -> set[tuple[str, int]]:
    with engine.connect() as connection:
        return {tuple(row) for row in connection.execute(select(ArticleTopic.topic, ArticleTopic.article_id))}


def test_upgrade_fills_the_table_from_the_stored_verdicts(db_url: str) -> None:
    engine = create_store_engine(db_url)
    try:
        upgrade(engine, "0007")
        with engine.begin() as connection:
            both = _article(connection, "both", _verdicts(chips=True, energie=True))
            one = _article(connection, "one", _verdicts(chips=True, energie=False))
            _article(connection, "none", _verdicts(chips=False))
            _article(connection, "unscored", None)
            _article(connection, "empty", {})
        upgrade(engine)
        assert _rows(engine) == {("chips", both), ("energie", both), ("chips", one)}
    finally:
        engine.dispose()


def test_inserts_updates_and_deletes_keep_the_table_in_step(db_url: str) -> None:
    engine = create_store_engine(db_url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            first = _article(connection, "first", _verdicts(chips=True, energie=False))
            second = _article(connection, "second", _verdicts(energie=True))
            unscored = _article(connection, "unscored", None)
        assert _rows(engine) == {("chips", first), ("energie", second)}

        with engine.begin() as connection:
            rescore = update(Article).where(Article.id == first)
            connection.execute(rescore.values(topic_scores=_verdicts(chips=False, energie=True)))
            score = update(Article).where(Article.id == unscored)
            connection.execute(score.values(topic_scores=_verdicts(chips=True)))
            retitle = update(Article).where(Article.id == second)  # not a verdict: the rows stay
            connection.execute(retitle.values(title="anders"))
        assert _rows(engine) == {("energie", first), ("energie", second), ("chips", unscored)}

        with engine.begin() as connection:
            connection.execute(update(Article).where(Article.id == second).values(topic_scores=None))
            connection.execute(delete(Article).where(Article.id == first))
        assert _rows(engine) == {("chips", unscored)}
    finally:
        engine.dispose()
