"""The article filters of the list page, the export and ``/api/articles``, read from the query string.

One definition serves all three, so a list, its export and its API call select the same articles.
HTML forms send empty fields for filters left blank; those count as not given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query
from pydantic import BeforeValidator

from newsmon.store.queries import ArticleFilter, Relevance

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_none)


@dataclass(frozen=True)
class ArticleQuery:
    """The filters as given, plus the page; ``query_string`` rebuilds links to other pages."""

    q: str | None = None
    topic: str | None = None
    source: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    read: bool | None = None
    starred: bool | None = None
    relevance: Relevance | None = None
    offset: int = 0
    limit: int = PAGE_SIZE

    def to_filter(self, limit: int | None = None, offset: int | None = None) -> ArticleFilter:
        return ArticleFilter(
            since=self.since,
            until=self.until,
            source=self.source,
            language=self.language,
            query=self.q,
            topic=self.topic,
            read=self.read,
            starred=self.starred,
            relevance=self.relevance,
            limit=self.limit if limit is None else limit,
            offset=self.offset if offset is None else offset,
        )

    def query_string(self, **changes: Any) -> str:
        """The filters (and page) as a query string, with ``changes`` applied; defaults left out."""
        values = asdict(replace(self, **changes))
        defaults = asdict(ArticleQuery())
        return urlencode(
            {
                key: ("true" if value is True else "false" if value is False else value)
                for key, value in values.items()
                if value is not None and value != defaults[key]
            }
        )

    @property
    def filtered(self) -> bool:
        """Whether any filter (not just the page) is set."""
        return self.query_string(offset=0, limit=PAGE_SIZE) != ""


def article_query(
    q: Annotated[str | None, Query(description="Full-text search query.", max_length=500), Blank] = None,
    topic: Annotated[str | None, Query(description="Topic name (relevance marks refer to it)."), Blank] = None,
    source: Annotated[str | None, Query(description="Source name."), Blank] = None,
    language: Annotated[str | None, Query(description="Language code, e.g. de."), Blank] = None,
    since: Annotated[date | None, Query(description="Published on or after this day."), Blank] = None,
    until: Annotated[date | None, Query(description="Published on or before this day."), Blank] = None,
    read: Annotated[bool | None, Query(description="Only read (true) or unread (false) articles."), Blank] = None,
    starred: Annotated[bool | None, Query(description="Only starred (true) or unstarred (false)."), Blank] = None,
    relevance: Annotated[
        Relevance | None, Query(description="Only articles marked so for the topic (or unmarked)."), Blank
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most this many.")] = PAGE_SIZE,
) -> ArticleQuery:
    """FastAPI dependency: the filters of the request."""
    return ArticleQuery(q, topic, source, language, since, until, read, starred, relevance, offset, limit)
