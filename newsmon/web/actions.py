"""The reader's actions: mark read, star, judge relevant or irrelevant to a topic.

Plain HTML forms post here and are sent back to the page they came from (``next``), so the UI
works without JavaScript; the script posts the same forms with ``Accept: application/json`` and
updates the page in place. Every route needs the CSRF token (``security.require_csrf``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from newsmon.marks import UnknownArticleError, set_read, set_starred
from newsmon.store.queries import with_marks
from newsmon.topics import TopicError, mark_article
from newsmon.web.params import ItemId
from newsmon.web.security import require_csrf
from newsmon.web.state import WebState, web_state
from reports.transactions import writing_session

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
State = Annotated[WebState, Depends(web_state)]
Flag = Annotated[bool, Form()]
Next = Annotated[str, Form(alias="next")]


def _done(request: Request, state: WebState, article_id: int, next_page: str) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        with state.store.session() as session:
            marks = with_marks(session, [{"id": article_id}])[0]
        return JSONResponse(marks)
    # only a path of this site: an absolute or scheme-relative URL would make this an open redirect
    local = next_page.startswith("/") and not next_page.startswith(("//", "/\\"))
    return RedirectResponse(next_page if local else f"/articles/{article_id}", status_code=303)


def _set(
    request: Request, state: WebState, article_id: int, next_page: str, change: Callable[[Session], None]
) -> Response:
    with writing_session(state.store) as session:
        try:
            change(session)
        except UnknownArticleError as exc:
            raise HTTPException(404, str(exc)) from None
        session.commit()
    return _done(request, state, article_id, next_page)


@router.post("/articles/{article_id}/read")
def mark_read(
    request: Request, state: State, article_id: ItemId, value: Flag, next_page: Next = ""
) -> Response:
    return _set(request, state, article_id, next_page, lambda session: set_read(session, article_id, value))


@router.post("/articles/{article_id}/star")
def mark_starred(
    request: Request, state: State, article_id: ItemId, value: Flag, next_page: Next = ""
) -> Response:
    return _set(
        request, state, article_id, next_page, lambda session: set_starred(session, article_id, value)
    )


@router.post("/articles/{article_id}/relevance")
def mark_relevance(
    request: Request,
    state: State,
    article_id: ItemId,
    topic: Annotated[str, Form()],
    value: Flag,
    next_page: Next = "",
) -> Response:
    """The reader's verdict on the article for ``topic``: the topic feedback `topics eval` measures."""
    if topic not in state.topic_names:
        raise HTTPException(400, f"no topic {topic!r}")
    try:
        mark_article(state.store, article_id, topic, value)
    except TopicError as exc:
        raise HTTPException(404, str(exc)) from None
    return _done(request, state, article_id, next_page)
