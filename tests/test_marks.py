"""Read, starred and relevance marks: stored, shown in summaries and usable as list filters."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select, update

from newsmon.config import Config
from newsmon.marks import UnknownArticleError, set_read, set_starred
from newsmon.store.db import Store
from newsmon.store.models import Article, ArticleMark
from newsmon.store.queries import ArticleFilter, article_detail, list_articles
from newsmon.topics.feedback import mark_article
from tests.test_search import DOCS, TZ, ingest

THREE = DOCS[:3]  # umlaut, spelled, city


@pytest.fixture
def ids(store: Store, config: Config) -> dict[str, int]:
    return ingest(store, config, THREE)


def listed(store: Store, **filters: object) -> list[int]:
    with store.session() as session:
        return [row["id"] for row in list_articles(session, ArticleFilter(**filters), TZ)]


def test_read_and_starred_round_trip(store: Store, ids: dict[str, int]) -> None:
    with store.session() as session:
        set_read(session, ids["umlaut"], True)
        set_starred(session, ids["spelled"], True)
        session.commit()
    with store.session() as session:
        rows = {row["id"]: row for row in list_articles(session, ArticleFilter(), TZ)}
    assert (rows[ids["umlaut"]]["read"], rows[ids["umlaut"]]["starred"]) == (True, False)
    assert (rows[ids["spelled"]]["read"], rows[ids["spelled"]]["starred"]) == (False, True)
    assert (rows[ids["city"]]["read"], rows[ids["city"]]["starred"]) == (False, False)

    with store.session() as session:
        set_read(session, ids["umlaut"], False)
        set_starred(session, ids["spelled"], False)
        session.commit()
        marks = session.scalars(select(ArticleMark)).all()
    assert all(mark.read_at is None and mark.starred_at is None for mark in marks)


def test_marking_again_keeps_the_first_time(store: Store, ids: dict[str, int]) -> None:
    with store.session() as session:
        set_starred(session, ids["city"], True)
        session.commit()
        first = session.get(ArticleMark, ids["city"]).starred_at  # type: ignore[union-attr]
        set_starred(session, ids["city"], True)
        session.commit()
        assert first is not None
        assert session.get(ArticleMark, ids["city"]).starred_at == first  # type: ignore[union-attr]


def test_marking_a_missing_article_is_a_clear_error(store: Store, ids: dict[str, int]) -> None:
    with store.session() as session, pytest.raises(UnknownArticleError, match="no article #999999"):
        set_read(session, 999_999, True)


def test_read_and_starred_filters(store: Store, ids: dict[str, int]) -> None:
    with store.session() as session:
        set_read(session, ids["umlaut"], True)
        set_starred(session, ids["umlaut"], True)
        set_starred(session, ids["city"], True)
        set_starred(session, ids["city"], False)  # a cleared star counts as none
        session.commit()
    assert set(listed(store, read=True)) == {ids["umlaut"]}
    assert set(listed(store, read=False)) == {ids["spelled"], ids["city"]}
    assert set(listed(store, starred=True)) == {ids["umlaut"]}
    assert set(listed(store, starred=False, read=False)) == {ids["spelled"], ids["city"]}
    assert set(listed(store, query="wohnt", read=False)) == {ids["spelled"]}


def test_relevance_marks_are_shown_and_filter(store: Store, ids: dict[str, int]) -> None:
    mark_article(store, ids["umlaut"], "local", True)
    mark_article(store, ids["spelled"], "local", False)
    mark_article(store, ids["spelled"], "chips", True)
    with store.session() as session:
        detail = article_detail(session, ids["spelled"], TZ)
    assert detail is not None
    assert detail["marks"] == {"chips": True, "local": False}
    assert listed(store, relevance="relevant", topic="local") == []  # also needs the profile's verdict
    assert set(listed(store, relevance="relevant")) == {ids["umlaut"], ids["spelled"]}
    assert set(listed(store, relevance="irrelevant")) == {ids["spelled"]}
    assert set(listed(store, relevance="unmarked")) == {ids["city"]}
    with store.engine.begin() as connection:
        connection.execute(update(Article).values(topic_scores={"local": {"score": 0.9, "relevant": True}}))
    assert set(listed(store, relevance="relevant", topic="local")) == {ids["umlaut"]}
    assert set(listed(store, relevance="unmarked", topic="local")) == {ids["city"]}


def test_topic_filter_and_paging_of_the_list(store: Store, ids: dict[str, int]) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            update(Article)
            .where(Article.id != ids["city"])
            .values(topic_scores={"local": {"score": 0.9, "relevant": True}})
        )
    assert listed(store, topic="local") == [ids["spelled"], ids["umlaut"]]  # newest first
    assert listed(store, topic="local", limit=1, offset=1) == [ids["umlaut"]]
    assert listed(store, topic="local", since=date(2026, 1, 11)) == [ids["spelled"]]


def test_marks_go_with_their_article(store: Store, ids: dict[str, int]) -> None:
    with store.session() as session:
        set_read(session, ids["city"], True)
        session.commit()
    with store.engine.begin() as connection:
        connection.execute(delete(Article).where(Article.id == ids["city"]))
    with store.session() as session:
        assert session.scalars(select(ArticleMark)).all() == []
