"""The feedback hook: people mark stored articles relevant or irrelevant to a topic.

The review UI and `newsmon topics mark` write marks here; `newsmon topics eval` reads them back as
labelled examples, so the profile's precision and recall are measured on real coverage too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from newsmon.store.db import Store
from newsmon.store.models import Article, TopicFeedback
from newsmon.topics.errors import TopicError
from newsmon.topics.evaluate import LabelledText

FEEDBACK_CATEGORY = "feedback"


def mark_article(store: Store, article_id: int, topic: str, relevant: bool) -> bool:
    """Store a mark, replacing an earlier one for the same article and topic.

    Returns True when an earlier mark was replaced. TopicError when there is no such article.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.session() as session:
        if session.get(Article, article_id) is None:
            raise TopicError(f"no article #{article_id}")
        mark = session.scalar(
            select(TopicFeedback).where(TopicFeedback.article_id == article_id, TopicFeedback.topic == topic)
        )
        replaced = mark is not None
        if mark is None:
            mark = TopicFeedback(article_id=article_id, topic=topic)
            session.add(mark)
        mark.relevant = relevant
        mark.marked_at = now
        session.commit()
    return replaced


def feedback_examples(store: Store, topic: str) -> list[LabelledText]:
    """The marked articles of ``topic`` as labelled examples (id ``article-<id>``)."""
    with store.session() as session:
        rows = session.execute(
            select(Article.id, Article.title, Article.text, Article.language, TopicFeedback.relevant)
            .join(TopicFeedback, TopicFeedback.article_id == Article.id)
            .where(TopicFeedback.topic == topic)
            .order_by(Article.id)
        ).all()
    return [
        LabelledText(f"article-{row.id}", FEEDBACK_CATEGORY, row.relevant, row.title, row.text, row.language)
        for row in rows
    ]
