"""What every discovery spider shares: targets in, article requests out, nothing lost.

A spider only discovers: it reads its targets' documents and calls ``article_request`` for each
URL they list that the target ``follows``. Fetching the article, decoding it and turning any
failure into a ``Rejected`` with a reason happens here, the same way for every spider.

A target's own document is asked for with the validators it answered last time (conditional
GET): an unchanged feed or sitemap answers 304 and nothing in it is looked at again. How reading
it went is the source's outcome (``crawler.crawlrun``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler.crawlrun import CrawlRun, SourceOutcome, Validators
from crawler.items import FetchedPage, Rejected
from crawler.reasons import classify_failure, reason_class
from crawler.settings import RUN
from crawler.targets import Target
from newsmon.errors import InputError
from newsmon.importer import decode_text

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

ARTICLE = "newsmon_source"  # request meta: marks an article request; the value is the source name
ADVERTISED = "newsmon_url"  # request meta: the URL as the feed or sitemap listed it
SOURCE = "newsmon_source_document"  # request meta: a target's own document; the value is its name
NOT_MODIFIED = 304


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None


def decode_page(response: HtmlResponse) -> tuple[str, str | None]:
    """The page's text and a note when its declared charset was wrong.

    Scrapy decodes with the declared (or sniffed) charset and replaces invalid bytes with U+FFFD,
    which would garble every umlaut of a Windows-1252 page that claims UTF-8. When the body is
    not valid in that charset, it is decoded like an imported file instead (UTF-8, else
    Windows-1252, else a guess); InputError when no charset fits.
    """
    try:
        response.body.decode(response.encoding)
    except (UnicodeDecodeError, LookupError):
        return decode_text(response.body)
    return response.text, None


class UnreadableDocument(Exception):
    """Raised by ``parse_discovery`` when a feed or sitemap is neither (HTML, garbage, empty)."""


class ArticleSpider(Spider):
    """Base of the discovery spiders; subclasses implement ``parse_discovery``."""

    def __init__(self, targets: Sequence[Target], run: CrawlRun | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.targets = tuple(targets)
        self.run = CrawlRun() if run is None else run

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        kwargs.setdefault("run", crawler.settings.get(RUN))
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[Request]:
        for target in self.targets:
            yield self.source_request(target)

    def source_request(self, target: Target) -> Request:
        """The target's own document, asked for only if it changed since the last crawl."""
        known = self.run.validators.get(target.name, Validators())
        headers = {"If-None-Match": known.etag, "If-Modified-Since": known.last_modified}
        request = self.discovery_request(target.url, target)
        request.headers.update({name: value for name, value in headers.items() if value})
        request.meta.update(handle_httpstatus_list=[NOT_MODIFIED], **{SOURCE: target.name})
        return request

    def discovery_request(self, url: str, target: Target) -> Request:
        """A feed or sitemap request; the dupefilter merges documents listed twice."""
        return Request(
            url, callback=self._read_discovery, errback=self.discovery_failed, cb_kwargs={"target": target}
        )

    def _read_discovery(self, response: Response, target: Target) -> Iterator[Any]:
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("newsmon/not_modified")
            self.run.record(target.name, SourceOutcome(True, "not modified"))
            return
        try:
            found = list(self.parse_discovery(response, target))
        except UnreadableDocument as exc:
            self._discovery_failed(response.request, f"invalid: {exc}")
            return
        if SOURCE in response.meta:
            header = response.headers.get
            fresh = Validators(_text(header("ETag")), _text(header("Last-Modified")))
            validators = self.run.validators_to_keep(target.name, fresh)
            self.run.record(target.name, SourceOutcome(True, f"{len(found)} listed", validators))
        yield from found

    def parse_discovery(self, response: Response, target: Target) -> Iterator[Any]:
        raise NotImplementedError

    def discovery_failed(self, failure: Failure) -> None:
        self._discovery_failed(failure.request, classify_failure(failure))

    def _discovery_failed(self, request: Request, reason: str) -> None:
        self.crawler.stats.inc_value(f"newsmon/discovery_failed/{reason_class(reason)}")
        log.warning("cannot read %s: %s", request.url, reason)
        source = request.meta.get(SOURCE)
        if source is not None:
            self.run.record(source, SourceOutcome(False, reason))

    def follows(self, url: str, target: Target) -> bool:
        """Whether an article URL listed by ``target`` is wanted (its ``url_pattern``, if any)."""
        if target.url_pattern is None or re.search(target.url_pattern, url):
            return True
        self.crawler.stats.inc_value("newsmon/not_followed")
        return False

    def article_request(self, url: str, target: Target) -> Request:
        """An article request. ``dont_filter``: a redirect loop must fail (and be recorded) rather
        than be dropped silently by the dupefilter; KnownUrlsMiddleware drops repeats instead."""
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            dont_filter=True,
            meta={ARTICLE: target.name, ADVERTISED: url},
        )

    def parse_article(self, response: Response) -> Iterator[FetchedPage | Rejected]:
        url, source = response.meta[ADVERTISED], response.meta[ARTICLE]
        self.crawler.stats.inc_value("newsmon/fetched")
        if not isinstance(response, HtmlResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1") or "unknown"
            yield Rejected(url, source, f"not_html: {content_type}")
            return
        try:
            html, note = decode_page(response)
        except InputError as exc:
            yield Rejected(url, source, f"encoding: {exc}")
            return
        yield FetchedPage(url, response.url, source, html, datetime.now(UTC), note)

    def article_failed(self, failure: Failure) -> Iterator[Rejected]:
        request = failure.request
        yield Rejected(request.meta[ADVERTISED], request.meta[ARTICLE], classify_failure(failure))
