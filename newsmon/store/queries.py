"""Read-side queries shared by the CLI (and later the web UI and digest).

Results are plain dicts in the documented JSON shapes, with dates rendered no more precisely
than they were stated (see ``dates.format_date``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from newsmon.dates import format_date
from newsmon.store.models import Article, ArticleUrl, FetchLog, Source, Story


@dataclass(frozen=True)
class ArticleFilter:
    since: date | None = None
    until: date | None = None
    source: str | None = None
    language: str | None = None
    story_id: int | None = None
    query: str | None = None
    limit: int | None = 100


def _as_utc(day: date, tz: ZoneInfo, end: bool = False) -> datetime:
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=tz)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _filtered(query: Select[Any], filters: ArticleFilter, tz: ZoneInfo) -> Select[Any]:
    if filters.since:
        query = query.where(Article.published_at >= _as_utc(filters.since, tz))
    if filters.until:
        query = query.where(Article.published_at <= _as_utc(filters.until, tz, end=True))
    if filters.source:
        query = query.where(Source.name == filters.source)
    if filters.language:
        query = query.where(Article.language == filters.language)
    if filters.story_id is not None:
        query = query.where(Article.story_id == filters.story_id)
    if filters.query:
        # plain substring search; full-text search with ranking replaces it with the review issue
        pattern = f"%{filters.query}%"
        query = query.where(or_(Article.title.ilike(pattern), Article.text.ilike(pattern)))
    return query


def _local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds") if moment else None


def _published(article: Article, tz: ZoneInfo) -> str | None:
    value = article.published_at.replace(tzinfo=UTC) if article.published_at else None
    return format_date(value, article.date_precision, tz)


def article_summary(article: Article, source_name: str | None, tz: ZoneInfo) -> dict[str, Any]:
    """The `articles list --json` shape."""
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "source": source_name,
        "published_at": _published(article, tz),
        "date_precision": article.date_precision,
        "language": article.language,
        "story_id": article.story_id,
    }


def list_articles(session: Session, filters: ArticleFilter, tz: ZoneInfo) -> list[dict[str, Any]]:
    query = select(Article, Source.name).outerjoin(Source, Article.source_id == Source.id)
    query = _filtered(query, filters, tz).order_by(
        Article.published_at.desc().nulls_last(), Article.id.desc()
    )
    if filters.limit:
        query = query.limit(filters.limit)
    return [article_summary(article, name, tz) for article, name in session.execute(query)]


def article_detail(session: Session, article_id: int, tz: ZoneInfo) -> dict[str, Any] | None:
    """The `articles show --json` shape: the summary plus text, authors, aliases and decisions."""
    article = session.scalar(
        select(Article)
        .where(Article.id == article_id)
        .options(selectinload(Article.aliases).selectinload(ArticleUrl.source), selectinload(Article.source))
    )
    if article is None:
        return None
    detail = article_summary(article, article.source.name if article.source else None, tz)
    aliases = [
        {
            "url": alias.url,
            "canonical_url": alias.canonical_url,
            "source": alias.source.name if alias.source else None,
            "seen_at": _local(alias.seen_at, tz),
            "title": alias.title,
        }
        for alias in article.aliases
    ]
    decisions = [
        {
            "url": alias.url,
            "layer": alias.layer,
            "similarity": alias.similarity,
            "decided_at": _local(alias.seen_at, tz),
        }
        for alias in article.aliases
        if alias.layer
    ]
    detail.update(
        canonical_url=article.canonical_url,
        title_origin=article.title_origin,
        date_origin=article.date_origin,
        authors=list(article.authors or []),
        fetched_at=_local(article.fetched_at, tz),
        word_count=article.word_count,
        content_hash=article.content_hash,
        story_similarity=article.story_similarity,
        topic_scores=article.topic_scores,
        text=article.text,
        aliases=aliases,
        duplicates=decisions,
    )
    return detail


def list_stories(
    session: Session, tz: ZoneInfo, limit: int | None = 100, min_articles: int = 1
) -> list[dict[str, Any]]:
    query = (
        select(Story)
        .where(Story.article_count >= min_articles)
        .order_by(Story.last_published.desc().nulls_last(), Story.id.desc())
    )
    if limit:
        query = query.limit(limit)
    stories = list(session.scalars(query))
    members: dict[int, list[int]] = {story.id: [] for story in stories}
    if stories:
        for article_id, story_id in session.execute(
            select(Article.id, Article.story_id).where(Article.story_id.in_(members)).order_by(Article.id)
        ):
            members[story_id].append(article_id)
    return [
        {
            "id": story.id,
            "title": story.title,
            "article_count": story.article_count,
            "first_published": _local(story.first_published, tz),
            "last_published": _local(story.last_published, tz),
            "article_ids": members[story.id],
        }
        for story in stories
    ]


def stats(session: Session) -> dict[str, Any]:
    outcomes = dict(session.execute(select(FetchLog.outcome, func.count()).group_by(FetchLog.outcome)).all())
    layers = dict(
        session.execute(
            select(ArticleUrl.layer, func.count())
            .where(ArticleUrl.layer.is_not(None))
            .group_by(ArticleUrl.layer)
        ).all()
    )
    return {
        "articles": session.scalar(select(func.count()).select_from(Article)),
        "stories": session.scalar(select(func.count()).select_from(Story)),
        "multi_article_stories": session.scalar(
            select(func.count()).select_from(Story).where(Story.article_count > 1)
        ),
        "urls": session.scalar(select(func.count()).select_from(ArticleUrl)),
        "sources": session.scalar(select(func.count()).select_from(Source)),
        "duplicates_by_layer": layers,
        "fetch_outcomes": outcomes,
    }
