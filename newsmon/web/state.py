"""What every request handler shares: the config, the store, the topic profiles and the templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from newsmon.config import Config
from newsmon.store.db import Store
from newsmon.topics import TopicProfile

T = TypeVar("T")


@dataclass(frozen=True)
class WebState:
    config: Config
    store: Store
    topics: tuple[TopicProfile, ...]
    templates: Jinja2Templates

    @property
    def topic_names(self) -> list[str]:
        return [topic.name for topic in self.topics]

    def one(self, what: str, item_id: int, fetch: Callable[[Session, int, ZoneInfo], T | None]) -> T:
        """The item ``fetch`` finds under ``item_id``; a 404 naming it when there is none."""
        with self.store.session() as session:
            item = fetch(session, item_id, self.config.tz)
        if item is None:
            raise HTTPException(404, f"no {what} #{item_id}")
        return item


def web_state(request: Request) -> WebState:
    """FastAPI dependency: the app's shared state."""
    state: WebState = request.app.state.web
    return state
