"""What a route receives and returns, and the HTTP caching rules every static document follows.

Routes are plain functions ``Request -> Reply`` so the catalogue can describe each URL's behaviour
(a page, a redirect, a delayed or rate-limited page, a stream) without knowing about sockets; the
server only writes replies. Conditional GET lives here so feeds, sitemaps and pages share one
implementation of ETag and Last-Modified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from threading import Event
from urllib.parse import parse_qs

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """One request as a route sees it. Header names are lower-case."""

    outlet: str
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    stopping: Event  # set when the site shuts down: long waits must end early

    def param(self, name: str) -> str | None:
        values = parse_qs(self.query).get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Reply:
    """A response: status, headers and either a body or a stream of chunks of known total size."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    chunks: Callable[[], Iterable[bytes]] | None = field(default=None, compare=False)
    length: int | None = None  # of the stream; a body's length is len(body)

    @property
    def content_length(self) -> int:
        return len(self.body) if self.chunks is None else (self.length or 0)

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


Route = Callable[[Request], Reply]


def fixed(reply: Reply) -> Route:
    """A route that always answers ``reply``."""
    return lambda request: reply


def cached(make: Callable[[], Reply]) -> Route:
    """A route that builds its reply on first use (pages render lazily) and then serves the same one.

    Two racing first requests may both build it; the results are equal, so no lock is needed.
    """
    made: list[Reply] = []

    def route(request: Request) -> Reply:
        if not made:
            made.append(make())
        return made[0]

    return route


def document(
    body: bytes, content_type: str = HTML, last_modified: datetime | None = None, status: int = 200
) -> Reply:
    """A static document with a strong ETag (and Last-Modified when known), so it can answer 304."""
    headers = [("Content-Type", content_type), ("ETag", f'"{hashlib.sha1(body).hexdigest()[:20]}"')]
    if last_modified is not None:
        headers.append(("Last-Modified", format_datetime(last_modified.astimezone(UTC), usegmt=True)))
    return Reply(status, tuple(headers), body)


def redirect(location: str, status: int = 302) -> Reply:
    body = f'<!doctype html><title>Weiterleitung</title><a href="{location}">Weiter</a>'.encode()
    return Reply(status, (("Location", location), ("Content-Type", HTML)), body)


def conditional(request: Request, reply: Reply) -> Reply:
    """``reply``, or a 304 if the client's validators show it already has this version.

    If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2); only a 200 with an ETag takes
    part, so error pages and hostile replies are always sent in full.
    """
    etag = reply.header("ETag")
    if reply.status != 200 or etag is None or request.method not in ("GET", "HEAD"):
        return reply
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        fresh = "*" in tags or etag in tags
    else:
        fresh = _not_modified_since(request.headers.get("if-modified-since"), reply.header("Last-Modified"))
    if not fresh:
        return reply
    kept = tuple((key, value) for key, value in reply.headers if key in ("ETag", "Last-Modified"))
    return replace(reply, status=304, headers=kept, body=b"", chunks=None, length=None)


def _not_modified_since(if_modified_since: str | None, last_modified: str | None) -> bool:
    if if_modified_since is None or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):  # an unparsable date is ignored, as RFC 9110 asks
        return False
