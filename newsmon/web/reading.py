"""What the pages and the API read: one function per view, over the store's shared queries.

Pages and API call the same functions, so the JSON API always shows what the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsmon.config import Config
from newsmon.health import source_health
from newsmon.search import count_matches, search_articles
from newsmon.store.db import Store
from newsmon.store.models import Source, Story
from newsmon.store.queries import ArticleFilter, _local, article_detail, list_articles, with_marks

STORY_ARTICLES = 200  # articles listed on a story page (a story of more is a flood, not an event)


@dataclass(frozen=True)
class ArticlePage:
    items: list[dict[str, Any]]
    offset: int
    limit: int
    total: int | None  # known for searches (their count comes cheap with them); lists link "next"
    next_offset: int | None


def article_page(session: Session, filters: ArticleFilter, tz: ZoneInfo) -> ArticlePage:
    """One page of the filtered articles: ranked search hits when there is a query, else newest first."""
    limit = filters.limit or 0
    if filters.query:
        items = search_articles(session, filters, tz)
        total: int | None = count_matches(session, filters, tz)
        more = filters.offset + len(items) < total
    else:
        # one row beyond the page tells whether there is a next page without counting them all
        items = list_articles(session, replace(filters, limit=limit + 1), tz)
        total, more = None, len(items) > limit
        items = items[:limit]
    return ArticlePage(items, filters.offset, limit, total, filters.offset + limit if more else None)


def story_articles(session: Session, story_id: int, tz: ZoneInfo) -> list[dict[str, Any]]:
    return list_articles(session, ArticleFilter(story_id=story_id, limit=STORY_ARTICLES), tz)


def article_with_context(session: Session, article_id: int, tz: ZoneInfo) -> dict[str, Any] | None:
    """The article's detail with the reader's marks and the other articles of its story."""
    detail = article_detail(session, article_id, tz)
    if detail is None:
        return None
    detail = with_marks(session, [detail])[0]
    others = story_articles(session, detail["story_id"], tz) if detail["story_id"] is not None else []
    detail["story_articles"] = [row for row in others if row["id"] != article_id]
    return detail


def story_detail(session: Session, story_id: int, tz: ZoneInfo) -> dict[str, Any] | None:
    story = session.get(Story, story_id)
    if story is None:
        return None
    return {
        "id": story.id,
        "title": story.title,
        "article_count": story.article_count,
        "first_published": _local(story.first_published, tz),
        "last_published": _local(story.last_published, tz),
        "articles": story_articles(session, story_id, tz),
    }


def sources_overview(store: Store, config: Config) -> list[dict[str, Any]]:
    """Every source with its crawl state and the daemon's verdict (unhealthy, silent, backing off)."""
    tz = config.tz
    verdicts = {health.name: health for health in source_health(store, config.schedule, _utc_now())}
    with store.session() as session:
        sources = list(session.scalars(select(Source).order_by(Source.name)))
    rows = []
    for source in sources:
        health = verdicts.get(source.name)
        rows.append(
            {
                "name": source.name,
                "kind": source.kind,
                "outlet": source.outlet,
                "url": source.url,
                "enabled": source.enabled,
                "origin": source.origin,
                "last_crawled_at": _local(source.last_crawled_at, tz),
                "last_outcome": source.last_outcome,
                "last_error": source.last_error,
                "consecutive_failures": source.consecutive_failures or 0,
                "next_attempt_at": _local(source.next_attempt_at, tz),
                "unhealthy": bool(health and health.unhealthy),
                "silent": bool(health and health.silent),
                "seen_last_week": health.seen_last_week if health else None,
                "seen_week_before": health.seen_week_before if health else None,
            }
        )
    # worst first: unhealthy, failing, silent, then by name
    return sorted(
        rows, key=lambda row: (not row["unhealthy"], -row["consecutive_failures"], not row["silent"])
    )


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
