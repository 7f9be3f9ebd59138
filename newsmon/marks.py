"""The reader's read and starred marks (relevance marks are topic feedback: ``topics.feedback``).

A mark is a timestamp, so the UI can later sort by when something was starred; clearing it sets
NULL. The row is created on the first mark; the caller's session commits, so a web request can
mark and read back in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from newsmon.errors import NewsmonError
from newsmon.store.models import Article, ArticleMark


class UnknownArticleError(NewsmonError):
    """The article to mark does not exist (any more)."""


def _mark(session: Session, article_id: int) -> ArticleMark:
    mark = session.get(ArticleMark, article_id)
    if mark is None:
        if session.get(Article, article_id) is None:
            raise UnknownArticleError(f"no article #{article_id}")
        mark = ArticleMark(article_id=article_id)
        session.add(mark)
    return mark


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def set_read(session: Session, article_id: int, read: bool) -> None:
    """Mark the article read (keeping the first time it was read) or unread."""
    mark = _mark(session, article_id)
    mark.read_at = (mark.read_at or _now()) if read else None
    session.flush()


def set_starred(session: Session, article_id: int, starred: bool) -> None:
    """Star the article (keeping when it was first starred) or take the star away."""
    mark = _mark(session, article_id)
    mark.starred_at = (mark.starred_at or _now()) if starred else None
    session.flush()
