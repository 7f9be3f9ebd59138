"""Article URLs already dealt with are not fetched again.

Spider middleware between the spiders and the scheduler. For each article request (marked with
``ARTICLE`` in its meta) it asks the store:

- the canonical URL is stored and this URL was seen before: dropped (a second crawl of an
  unchanged site fetches no article page);
- the canonical URL is stored but this URL is new (a tracking or AMP variant): replaced by a
  ``KnownCopy`` item, which the store pipeline records as a duplicate without a fetch;
- the URL was rejected for a final reason (404, robots, off-topic …): dropped; transient reasons
  (timeouts, 5xx, rate limits) are tried again;
- otherwise it passes, once per crawl: feeds and sitemaps list the same URL several times, and
  a URL that failed for a transient reason is not tried again by the crawl's next spider.

Article requests are sent with ``dont_filter`` (see crawler.spiders.base), so this is where their
duplicates within a crawl are dropped, and every drop is counted in the crawl stats.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal

from scrapy import Request, signals
from sqlalchemy import Connection, bindparam, select

from crawler.items import KnownCopy
from crawler.reasons import is_final
from crawler.settings import CONFIG, RUN
from crawler.spiders.base import ARTICLE
from newsmon.dedup import find_by_url
from newsmon.store.db import Store, open_store
from newsmon.store.models import FetchLog
from newsmon.urls import canonical_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

Verdict = Literal["fetch", "skip", "copy"]
_LOGGED = (
    select(FetchLog.url, FetchLog.outcome, FetchLog.reason)
    .where(FetchLog.canonical_url == bindparam("canonical"))
    .order_by(FetchLog.id.desc())
)


def verdict(connection: Connection, url: str) -> Verdict:
    """What to do with article ``url`` given what the store knows about it."""
    canonical = canonical_url(url)
    logged = connection.execute(_LOGGED, {"canonical": canonical}).all()
    if find_by_url(connection, canonical):
        return "skip" if any(row.url == url for row in logged) else "copy"
    if logged and logged[0].outcome == "rejected" and is_final(logged[0].reason or ""):
        return "skip"
    return "fetch"


class KnownUrlsMiddleware:
    """Spider middleware: article requests pass only when the URL still needs fetching."""

    def __init__(self, store: Store, stats: StatsCollector, seen: set[str]) -> None:
        self.store = store
        self.stats = stats
        self.seen = seen

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownUrlsMiddleware:
        settings = crawler.settings
        store = open_store(settings[CONFIG].store_url, migrate=False)  # run_crawl migrated it
        run = settings.get(RUN)
        middleware = cls(store, crawler.stats, set() if run is None else run.seen)
        crawler.signals.connect(middleware.store.close, signal=signals.spider_closed)
        return middleware

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for entry in result:
            yield from self._filter(entry)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for entry in result:
            for kept in self._filter(entry):
                yield kept

    def _filter(self, entry: Any) -> Iterator[Any]:
        if not isinstance(entry, Request) or ARTICLE not in entry.meta:
            yield entry
            return
        if entry.url in self.seen:
            return
        self.seen.add(entry.url)
        self.stats.inc_value("newsmon/discovered")
        with self.store.engine.connect() as connection:
            decision = verdict(connection, entry.url)
        self.stats.inc_value(f"newsmon/known/{decision}")
        if decision == "fetch":
            yield entry
        elif decision == "copy":
            yield KnownCopy(entry.url, entry.meta[ARTICLE])
