"""What every request handler shares: the config, the store, the topic profiles and the templates."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.templating import Jinja2Templates

from newsmon.config import Config
from newsmon.store.db import Store
from newsmon.topics import TopicProfile


@dataclass(frozen=True)
class WebState:
    config: Config
    store: Store
    topics: tuple[TopicProfile, ...]
    templates: Jinja2Templates

    @property
    def topic_names(self) -> list[str]:
        return [topic.name for topic in self.topics]


def web_state(request: Request) -> WebState:
    """FastAPI dependency: the app's shared state."""
    state: WebState = request.app.state.web
    return state
