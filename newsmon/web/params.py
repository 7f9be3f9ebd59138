"""The article filters of the list page, the export and ``/api/articles``, read from the query string.

One definition serves all three, so a list, its export and its API call select the same articles.
HTML forms send empty fields for filters left blank; those count as not given (and the OpenAPI
document says so: each filter also accepts the empty string).
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
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


URL_NAMES = {"query": "q"}  # filter fields whose query parameter has another name


def query_string(filters: ArticleFilter, **changes: Any) -> str:
    """The filters (and page) as the query string of a link, with ``changes`` applied and the
    defaults left out, so links stay short and a page's address says what it shows."""
    chosen = replace(filters, **changes)
    pairs = []
    for field in fields(ArticleFilter):
        value = getattr(chosen, field.name)
        if value is None or (field.name, value) in (("offset", 0), ("limit", PAGE_SIZE)):
            continue
        text = str(value).lower() if isinstance(value, bool) else value
        pairs.append((URL_NAMES.get(field.name, field.name), text))
    return urlencode(pairs)


def is_filtered(filters: ArticleFilter) -> bool:
    """Whether any filter (not just the page) is set."""
    return query_string(filters, offset=0, limit=PAGE_SIZE) != ""


def article_filter(
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
) -> ArticleFilter:
    """FastAPI dependency: the filters of the request; empty values are no filter."""
    return ArticleFilter(
        query=q or None,
        topic=topic or None,
        source=source or None,
        language=language or None,
        since=since or None,
        until=until or None,
        read=None if read == "" else read,
        starred=None if starred == "" else starred,
        relevance=relevance or None,
        offset=offset,
        limit=limit,
    )
