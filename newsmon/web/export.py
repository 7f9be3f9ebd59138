"""``/export``: every article of the current filter (not just the page) as CSV or JSON.

The rows are streamed in chunks, so an export of a large store neither waits for nor holds all
of it. Columns are the `articles list` fields plus the reader's marks; in CSV the topic marks are
one cell, ``topic=relevant`` pairs joined by ``;``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from newsmon.search import search_articles
from newsmon.store.queries import ArticleFilter, list_articles
from newsmon.web.params import article_filter
from newsmon.web.state import WebState, web_state

router = APIRouter(include_in_schema=False)
CHUNK = 1000
CSV_FIELDS = (
    "id", "title", "url", "source", "published_at", "date_precision", "language", "story_id",
    "read", "starred", "marks",
)  # fmt: skip


def _rows(state: WebState, filters: ArticleFilter) -> Iterator[dict[str, Any]]:
    """The rows, chunk by chunk; the first chunk is read at once, so a bad query is refused with
    an error status instead of breaking off a response already under way."""
    fetch = search_articles if filters.query else list_articles

    def chunk(offset: int) -> list[dict[str, Any]]:
        with state.store.session() as session:
            return fetch(session, replace(filters, limit=CHUNK, offset=offset), state.config.tz)

    def rest(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            yield from rows
            if len(rows) < CHUNK:
                return
            offset += CHUNK
            rows = chunk(offset)

    return rest(chunk(0))


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        marks = ";".join(
            f"{topic}={'relevant' if good else 'irrelevant'}" for topic, good in row["marks"].items()
        )
        writer.writerow({**row, "marks": marks})
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"


@router.get("/export")
def export(
    state: Annotated[WebState, Depends(web_state)],
    filters: Annotated[ArticleFilter, Depends(article_filter)],
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
) -> StreamingResponse:
    rows = _rows(state, filters)
    body, media = (_csv(rows), "text/csv") if format == "csv" else (_json(rows), "application/json")
    return StreamingResponse(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="newsmon-articles.{format}"'},
    )
