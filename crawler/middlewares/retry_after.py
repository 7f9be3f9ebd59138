"""Back off when a site says so: 429 and 503 are retried after the wait their Retry-After asks.

Scrapy's RetryMiddleware would retry them at once, which is what a rate limit forbids; these two
codes are therefore left out of ``RETRY_HTTP_CODES`` and handled here. A wait longer than
``crawl.max_retry_after`` is not honoured within the crawl: the response is passed on and the URL
is recorded as ``rate_limited`` (a transient reason, so the next crawl tries again). The wait
holds the request's download slot, which is the polite thing to do to a site that asked for it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from crawler.settings import CONFIG

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

log = logging.getLogger(__name__)

CODES = frozenset({429, 503})
DEFAULT_WAIT = 1.0  # seconds, when the answer carries no usable Retry-After
_TRIES = "newsmon_retry_after_tries"


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delay in seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Downloader middleware: wait and retry 429/503 up to ``crawl.retries`` times."""

    def __init__(self, retries: int, max_wait: float, stats: StatsCollector) -> None:
        self.retries = retries
        self.max_wait = max_wait
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        crawl = crawler.settings[CONFIG].crawl
        if crawl.retries == 0:
            raise NotConfigured("crawl.retries is 0")
        return cls(crawl.retries, crawl.max_retry_after, crawler.stats)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in CODES:
            return response
        tries = request.meta.get(_TRIES, 0)
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        wait = DEFAULT_WAIT if wait is None else wait
        if tries >= self.retries or wait > self.max_wait:
            self.stats.inc_value("newsmon/retry_after/gave_up")
            log.info("giving up on %s after %d retries (asked to wait %.0f s)", request.url, tries, wait)
            return response
        self.stats.inc_value("newsmon/retry_after/waited")
        log.debug("%s answered %d, retrying in %.1f s", request.url, response.status, wait)
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta[_TRIES] = tries + 1
        return retry
