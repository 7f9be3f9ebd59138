"""The article filters of the list page, the export and ``/api/articles``, read from the query string.

One definition serves all three, so a list, its export and its API call select the same articles.
HTML forms send empty fields for filters left blank; those count as not given (and the OpenAPI
document says so: each filter also accepts the empty string).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator

from newsmon.store.queries import ArticleFilter, Relevance

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns; larger numbers name nothing (and overflow drivers)

FIRST_DAY, LAST_DAY = date(1000, 1, 1), date(9998, 12, 31)

ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


Blank = Literal[""]  # a form field left empty


def _iso_day(value: Any) -> Any:
    # pydantic would also read "0" or "1700000000" as a Unix time; the schema promises YYYY-MM-DD
    if isinstance(value, str) and value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a day as YYYY-MM-DD")
    return value


def _in_range(value: date) -> date:
    # a day at the edge of the calendar overflows when turned into UTC bounds
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"expected a day between {FIRST_DAY} and {LAST_DAY}")
    return value


Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_in_range)]


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
    q: Annotated[str | None, Query(description="Full-text search query.", max_length=500)] = None,
    topic: Annotated[str | None, Query(description="Topic name (relevance marks refer to it).")] = None,
    source: Annotated[str | None, Query(description="Source name.")] = None,
    language: Annotated[str | None, Query(description="Language code, e.g. de.")] = None,
    since: Annotated[Day | Blank | None, Query(description="Published on or after this day.")] = None,
    until: Annotated[Day | Blank | None, Query(description="Published on or before this day.")] = None,
    read: Annotated[bool | Blank | None, Query(description="Only read (true) or unread (false).")] = None,
    starred: Annotated[bool | Blank | None, Query(description="Only starred (true) or not (false).")] = None,
    relevance: Annotated[
        Relevance | Blank | None, Query(description="Only articles marked so for the topic (or unmarked).")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most this many.")] = PAGE_SIZE,
) -> ArticleQuery:
    """FastAPI dependency: the filters of the request; empty values are no filter."""
    return ArticleQuery(
        q or None,
        topic or None,
        source or None,
        language or None,
        since or None,
        until or None,
        None if read == "" else read,
        None if starred == "" else starred,
        relevance or None,
        offset,
        limit,
    )
