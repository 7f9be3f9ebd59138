"""The JSON API: the pages' data for scripts, described by the OpenAPI document at /openapi.json.

Read-only: the actions that change state are the pages' forms (they need the CSRF token).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from newsmon.store.queries import ArticleFilter, list_stories
from newsmon.web import models
from newsmon.web.params import ItemId, article_filter
from newsmon.web.reading import article_page, article_with_context, sources_overview, story_detail
from newsmon.web.state import WebState, web_state
from reports.archive import list_digests

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": models.Problem, "description": "No such item."}}
BAD_QUERY: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Problem, "description": "The search query cannot be parsed."}
}
router = APIRouter(prefix="/api", tags=["api"])
State = Annotated[WebState, Depends(web_state)]


@router.get("/articles", response_model=models.ArticlePage, responses=BAD_QUERY)
def api_articles(state: State, filters: Annotated[ArticleFilter, Depends(article_filter)]) -> Any:
    """Articles matching the filters: search hits best first when ``q`` is given, else newest first."""
    with state.store.session() as session:
        return article_page(session, filters, state.config.tz)


@router.get("/articles/{article_id}", response_model=models.ArticleDetail, responses=NOT_FOUND)
def api_article(state: State, article_id: ItemId) -> Any:
    """One article: text, metadata, topic scores, aliases, duplicate decisions, its story's articles."""
    return state.one("article", article_id, article_with_context)


@router.get("/stories", response_model=list[models.StorySummary])
def api_stories(
    state: State,
    min_articles: Annotated[
        int, Query(ge=1, le=10_000, description="Only stories with this many articles.")
    ] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    """Stories, most recent first."""
    with state.store.session() as session:
        return list_stories(session, state.config.tz, limit, min_articles)


@router.get("/stories/{story_id}", response_model=models.StoryDetail, responses=NOT_FOUND)
def api_story(state: State, story_id: ItemId) -> Any:
    """One story with its articles."""
    return state.one("story", story_id, story_detail)


@router.get("/sources", response_model=list[models.SourceState])
def api_sources(state: State) -> Any:
    """Every source with its crawl state and health, worst first."""
    return sources_overview(state.store, state.config)


@router.get("/digests", response_model=list[models.DigestSummary])
def api_digests(state: State, topic: Annotated[str | None, Query(max_length=200)] = None) -> Any:
    """The digest archive, newest week first."""
    with state.store.session() as session:
        return list_digests(session, state.config.tz, topic)


@router.get("/topics", response_model=list[models.Topic])
def api_topics(state: State) -> Any:
    """The topic profiles in force (their names are what ``topic`` filters take)."""
    return [
        {"name": t.name, "title": t.title, "languages": list(t.languages), "threshold": t.threshold}
        for t in state.topics
    ]
