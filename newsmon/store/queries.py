"""Read-side queries shared by the CLI, the web UI and the digest.

Results are plain dicts in the documented JSON shapes, with dates rendered no more precisely
than they were stated (see ``dates.format_date``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, exists, func, not_, select
from sqlalchemy.orm import Session, selectinload

from newsmon.dates import format_date
from newsmon.store.models import (
    Article,
    ArticleMark,
    ArticleTopic,
    ArticleUrl,
    FetchLog,
    Source,
    Story,
    TopicFeedback,
)

Relevance = Literal["relevant", "irrelevant", "unmarked"]
RELEVANCE_MARKS: tuple[Relevance, ...] = ("relevant", "irrelevant", "unmarked")


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a listing, search or export shows.

    ``query`` is a full-text query (see ``newsmon.search``). ``topic``: only articles the topic's
    profile judged relevant when they were stored. ``relevance``: the reader's own mark
    (``topics.feedback``) for ``topic``, or for any topic when none is given; "unmarked" means
    none. ``read``/``starred``: True only those, False only those without, None all.
    """

    since: date | None = None
    until: date | None = None
    source: str | None = None
    language: str | None = None
    story_id: int | None = None
    query: str | None = None
    topic: str | None = None
    read: bool | None = None
    starred: bool | None = None
    relevance: Relevance | None = None
    limit: int | None = 100
    offset: int = 0


def day_bound_utc(day: date, tz: ZoneInfo, end: bool = False) -> datetime:
    """The first (or with ``end`` the last) moment of ``day`` in ``tz``, as stored: naive UTC."""
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=tz)
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        # a day at the calendar's edge (--since 0001-01-01): its bound is the edge itself
        return datetime.max if end else datetime.min


def topic_relevant(topic: str) -> ColumnElement[Any]:
    """The stored verdict of ``topic`` in ``Article.topic_scores``, read by the database (NULL
    when the article was not scored for it)."""
    return Article.topic_scores[(topic, "relevant")].as_boolean()


def _judged_relevant(topic: str, article_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the article was judged relevant to ``topic``: one probe of the indexed
    ``article_topics`` (the verdicts of ``topic_scores``, without parsing any JSON)."""
    return exists().where(ArticleTopic.topic == topic, ArticleTopic.article_id == article_id)


def _marked(column: Any, wanted: bool, article_id: ColumnElement[int]) -> ColumnElement[bool]:
    present = exists().where(ArticleMark.article_id == article_id, column.is_not(None))
    return present if wanted else not_(present)


def _relevance(mark: Relevance, topic: str | None, article_id: ColumnElement[int]) -> ColumnElement[bool]:
    condition = exists().where(TopicFeedback.article_id == article_id)
    if topic is not None:
        condition = condition.where(TopicFeedback.topic == topic)
    if mark == "unmarked":
        return not_(condition)
    return condition.where(TopicFeedback.relevant.is_(mark == "relevant"))


def row_conditions(filters: ArticleFilter, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    """The filters on columns of the article row (dates, source, language, story)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.since:
        conditions.append(Article.published_at >= day_bound_utc(filters.since, tz))
    if filters.until:
        conditions.append(Article.published_at <= day_bound_utc(filters.until, tz, end=True))
    if filters.source:
        conditions.append(Article.source_id.in_(select(Source.id).where(Source.name == filters.source)))
    if filters.language:
        conditions.append(Article.language == filters.language)
    if filters.story_id is not None:
        conditions.append(Article.story_id == filters.story_id)
    return conditions


def id_conditions(filters: ArticleFilter, article_id: ColumnElement[int]) -> list[ColumnElement[bool]]:
    """The filters that need only the article's id (topic verdict, marks): the search applies
    them to its index's ids without reading any article row."""
    conditions: list[ColumnElement[bool]] = []
    if filters.topic:
        conditions.append(_judged_relevant(filters.topic, article_id))
    if filters.read is not None:
        conditions.append(_marked(ArticleMark.read_at, filters.read, article_id))
    if filters.starred is not None:
        conditions.append(_marked(ArticleMark.starred_at, filters.starred, article_id))
    if filters.relevance is not None:
        conditions.append(_relevance(filters.relevance, filters.topic, article_id))
    return conditions


def apply_filters(query: Select[Any], filters: ArticleFilter, tz: ZoneInfo) -> Select[Any]:
    """Every filter but the full-text ``query`` (``newsmon.search`` owns that), as conditions
    on ``Article`` that need no join."""
    return query.where(*row_conditions(filters, tz), *id_conditions(filters, Article.id))


def _local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds") if moment else None


def _published(article: Any, tz: ZoneInfo) -> str | None:
    value = article.published_at.replace(tzinfo=UTC) if article.published_at else None
    return format_date(value, article.date_precision, tz)


def article_summary(article: Any, source_name: str | None, tz: ZoneInfo) -> dict[str, Any]:
    """The `articles list --json` shape, from an ``Article`` or a row with its summary columns."""
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


# what a summary shows: selected instead of whole rows, so a page never reads texts or scores
_SUMMARY_COLUMNS = (
    Article.id,
    Article.title,
    Article.url,
    Article.published_at,
    Article.date_precision,
    Article.language,
    Article.story_id,
    Source.name.label("source_name"),
)


def _summaries(rows: Iterable[Any], tz: ZoneInfo) -> list[dict[str, Any]]:
    """Summaries of rows of ``_SUMMARY_COLUMNS`` (they have the attributes ``article_summary`` reads)."""
    return [article_summary(row, row.source_name, tz) for row in rows]


def with_marks(session: Session, summaries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds the reader's marks to summaries: ``read``, ``starred`` and ``marks`` ({topic: relevant}),
    two queries for the whole page."""
    ids = [summary["id"] for summary in summaries]
    states: dict[int, tuple[bool, bool]] = {}
    relevance: dict[int, dict[str, bool]] = defaultdict(dict)
    if ids:
        for article_id, read_at, starred_at in session.execute(
            select(ArticleMark.article_id, ArticleMark.read_at, ArticleMark.starred_at).where(
                ArticleMark.article_id.in_(ids)
            )
        ):
            states[article_id] = (read_at is not None, starred_at is not None)
        for article_id, topic, relevant in session.execute(
            select(TopicFeedback.article_id, TopicFeedback.topic, TopicFeedback.relevant)
            .where(TopicFeedback.article_id.in_(ids))
            .order_by(TopicFeedback.topic)
        ):
            relevance[article_id][topic] = relevant
    return [
        {
            **summary,
            "read": states.get(summary["id"], (False, False))[0],
            "starred": states.get(summary["id"], (False, False))[1],
            "marks": relevance.get(summary["id"], {}),
        }
        for summary in summaries
    ]


def paged(query: Select[Any], offset: int, limit: int | None) -> Select[Any]:
    """``query`` from row ``offset`` on, at most ``limit`` rows (None: all)."""
    if limit is not None:
        query = query.limit(limit)
    return query.offset(offset) if offset else query


def list_articles(session: Session, filters: ArticleFilter, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Summaries with marks, newest first; with a full-text ``query`` the search's ranked results."""
    if filters.query:
        from newsmon.search import search_articles  # the search builds on this module

        return search_articles(session, filters, tz)
    rows = session.execute(newest_first(filters, tz))
    return with_marks(session, _summaries(rows, tz))


def newest_first(filters: ArticleFilter, tz: ZoneInfo) -> Select[Any]:
    """The summary rows of a list page without a full-text query: newest first, undated last
    (an index order on both databases, so a page is read, not sorted)."""
    query = select(*_SUMMARY_COLUMNS).outerjoin(Source, Article.source_id == Source.id)
    query = apply_filters(query, filters, tz).order_by(
        Article.published_at.desc().nulls_last(), Article.id.desc()
    )
    return paged(query, filters.offset, filters.limit or None)


def summaries_by_id(session: Session, ids: Iterable[int], tz: ZoneInfo) -> dict[int, dict[str, Any]]:
    """Summaries with marks of the given articles (the search ranks ids first, then loads these)."""
    query = (
        select(*_SUMMARY_COLUMNS)
        .outerjoin(Source, Article.source_id == Source.id)
        .where(Article.id.in_(list(ids)))
    )
    summaries = with_marks(session, _summaries(session.execute(query), tz))
    return {summary["id"]: summary for summary in summaries}


def article_detail(session: Session, article_id: int, tz: ZoneInfo) -> dict[str, Any] | None:
    """The `articles show --json` shape: the summary plus text, authors, aliases and decisions."""
    article = session.scalar(
        select(Article)
        .where(Article.id == article_id)
        .options(selectinload(Article.aliases).selectinload(ArticleUrl.source), selectinload(Article.source))
    )
    if article is None:
        return None
    source_name = article.source.name if article.source else None
    detail = with_marks(session, [article_summary(article, source_name, tz)])[0]
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
    stories = list(session.scalars(newest_stories(limit, min_articles)))
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


def newest_stories(limit: int | None, min_articles: int = 1) -> Select[Any]:
    """Stories with at least ``min_articles``, latest coverage first, undated last (an index
    order, so a page is read, not sorted)."""
    query = (
        select(Story)
        .where(Story.article_count >= min_articles)
        .order_by(Story.last_published.desc().nulls_last(), Story.id.desc())
    )
    return query.limit(limit) if limit else query


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
