"""The server-rendered pages: article list and search, article, stories, sources, digest archive."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from newsmon.store.models import Digest, Source
from newsmon.store.queries import ArticleFilter, list_stories
from newsmon.web.params import PAGE_SIZE, ItemId, article_filter, query_string
from newsmon.web.reading import article_page, article_with_context, sources_overview, story_detail
from newsmon.web.state import WebState, web_state
from newsmon.web.templating import render
from reports.archive import browser_html, digest_detail, list_digests
from reports.errors import DigestError
from reports.weeks import IsoWeek

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
State = Annotated[WebState, Depends(web_state)]
# the archived digest is the mail as sent: inline styles and its chart as a data: URL, nothing else
DIGEST_FRAME_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


@router.get("/articles")
def articles_page(
    request: Request, state: State, filters: Annotated[ArticleFilter, Depends(article_filter)]
) -> HTMLResponse:
    with state.store.session() as session:
        page = article_page(session, filters, state.config.tz)
        sources = list(session.scalars(select(Source.name).order_by(Source.name)))
    return render(
        state.templates,
        request,
        "articles.html",
        page=page,
        filters=filters,
        topics=state.topic_names,
        sources=sources,
    )


@router.get("/articles/{article_id}")
def article_page_view(request: Request, state: State, article_id: ItemId) -> HTMLResponse:
    article = state.one("article", article_id, article_with_context)
    return render(state.templates, request, "article.html", article=article, topics=state.topic_names)


@router.get("/stories")
def stories_page(
    request: Request,
    state: State,
    min_articles: Annotated[int, Query(ge=1, le=10_000)] = 2,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> HTMLResponse:
    with state.store.session() as session:
        stories = list_stories(session, state.config.tz, limit, min_articles)
    return render(state.templates, request, "stories.html", stories=stories, min_articles=min_articles)


@router.get("/stories/{story_id}")
def story_page(request: Request, state: State, story_id: ItemId) -> HTMLResponse:
    story = state.one("story", story_id, story_detail)
    return render(state.templates, request, "story.html", story=story)


@router.get("/sources")
def sources_page(request: Request, state: State) -> HTMLResponse:
    return render(
        state.templates, request, "sources.html", sources=sources_overview(state.store, state.config)
    )


@router.get("/digests")
def digests_page(request: Request, state: State) -> HTMLResponse:
    with state.store.session() as session:
        digests = list_digests(session, state.config.tz)
    return render(state.templates, request, "digests.html", digests=digests)


@router.get("/digests/{digest_id}")
def digest_page(request: Request, state: State, digest_id: ItemId) -> HTMLResponse:
    digest = state.one("digest", digest_id, digest_detail)
    return render(state.templates, request, "digest.html", digest=digest)


@router.get("/digests/{digest_id}/mail")
def digest_mail(state: State, digest_id: ItemId) -> HTMLResponse:
    """The archived mail itself, shown in a sandboxed frame of the digest page."""
    with state.store.session() as session:
        digest = session.get(Digest, digest_id)
        if digest is None:
            raise HTTPException(404, f"no digest #{digest_id}")
        chart = "data:image/png;base64," + base64.b64encode(digest.chart or b"").decode("ascii")
        html = browser_html(digest, chart)
    return HTMLResponse(
        html, headers={"Content-Security-Policy": DIGEST_FRAME_POLICY, "X-Frame-Options": "SAMEORIGIN"}
    )


@router.get("/topics/{topic}")
def topic_week(topic: str, week: str | None = None) -> RedirectResponse:
    """The digest's link to a topic's week (digest.review_base_url): the article list of that week."""
    filters = ArticleFilter(topic=topic)
    if week:
        try:
            days = IsoWeek.parse(week).days()
        except DigestError as exc:
            raise HTTPException(400, str(exc)) from None
        filters = ArticleFilter(topic=topic, since=days[0], until=days[-1])
    return RedirectResponse(f"/articles?{query_string(filters, limit=PAGE_SIZE)}", status_code=303)
