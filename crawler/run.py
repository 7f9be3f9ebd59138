"""Run one crawl: the targets' spiders one after another in a single ``CrawlerProcess``.

Twisted's reactor cannot be restarted, so ``run_crawl`` can be called once per process; callers
that crawl repeatedly (the scheduler, tests) start a process per crawl. Spiders run one after
another rather than side by side because each holds the store's write lock while its batch is
open, and the second mechanism then finds most articles already stored. The crawl does not set
up logging: that belongs to whoever runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler, CrawlerProcess
from twisted.internet.defer import inlineCallbacks
from twisted.python.failure import Failure

from crawler.crawlrun import CrawlRun, load_validators, save_outcomes, shared_names
from crawler.middlewares.ssrf import Resolver
from crawler.pagework import warm_up
from crawler.settings import RESOLVER, RUN, to_scrapy_settings
from crawler.spiders.feed import FeedSpider
from crawler.spiders.search import SearchSpider
from crawler.spiders.sitemap import SitemapSpider
from crawler.targets import KINDS, Target
from newsmon.config import Config
from newsmon.store.db import Store, open_store
from newsmon.workers import WorkerPool, worker_count

SPIDERS: Mapping[str, type[Spider]] = {"feed": FeedSpider, "sitemap": SitemapSpider, "search": SearchSpider}


@dataclass(frozen=True)
class CrawlSummary:
    """What a crawl did with the article URLs it discovered (JSON shape of `newsmon crawl --json`)."""

    discovered: int = 0  # distinct article URLs the feeds and sitemaps listed
    known: int = 0  # not fetched: stored or finally rejected in an earlier crawl
    fetched: int = 0  # article responses received
    stored: int = 0
    duplicates: int = 0
    off_topic: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # rejected, by reason class
    too_old: int = 0  # sitemap entries skipped for their date (not in the fetch log)
    sources_failed: int = 0  # feeds or sitemaps that could not be read

    @classmethod
    def from_stats(cls, stats: Iterable[Mapping[str, Any]]) -> CrawlSummary:
        """Add up the ``newsmon/*`` counters of each spider's crawl stats."""
        total: dict[str, int] = {}
        for one in stats:
            for key, value in one.items():
                if key.startswith("newsmon/") and isinstance(value, int):
                    total[key] = total.get(key, 0) + value
        rejected = {
            key.removeprefix("newsmon/rejected/"): value
            for key, value in total.items()
            if key.startswith("newsmon/rejected/")
        }
        return cls(
            discovered=total.get("newsmon/discovered", 0),
            known=total.get("newsmon/known/skip", 0),
            fetched=total.get("newsmon/fetched", 0),
            stored=total.get("newsmon/stored", 0),
            duplicates=total.get("newsmon/duplicate", 0),
            off_topic=rejected.pop("off_topic", 0),
            failed=dict(sorted(rejected.items())),
            too_old=total.get("newsmon/sitemap/too_old", 0),
            sources_failed=sum(v for k, v in total.items() if k.startswith("newsmon/discovery_failed/")),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _quiet_process(settings: dict[str, Any], level: str) -> CrawlerProcess:
    """A CrawlerProcess that logs at ``level`` through the caller's handlers.

    Scrapy sets its loggers to DEBUG, expecting a handler of its own to filter (not installed:
    ``LOG_INSTALL_ROOT_HANDLER`` is off), and logs its banner while doing so.
    """
    threshold = logging.getLevelName(level)
    logging.disable(threshold - 1)
    try:
        process = CrawlerProcess(settings)
    finally:
        logging.disable(logging.NOTSET)
    logging.getLogger("scrapy").setLevel(threshold)
    return process


def run_crawl(config: Config, targets: Sequence[Target], *, resolver: Resolver | None = None) -> CrawlSummary:
    """Crawl ``targets`` under ``config`` and return what happened; once per process.

    ``resolver`` maps host names to addresses for the SSRF guard (default: the system resolver).
    """
    extraction = WorkerPool(worker_count(config.crawl.extract_workers))
    # loads the extractor and reads the topic profiles (a broken file fails the crawl here, with
    # its one-line error, before anything opens), then starts the workers as copies of this process
    extraction.start(warm_up, config.topics_file, config.dedup)
    try:
        store = open_store(config.store_url)  # migrated once, before components open the store
        try:
            crawlers = _crawl(config, targets, store, extraction, resolver)
        finally:
            store.close()
    finally:
        extraction.shutdown()
    return CrawlSummary.from_stats(crawler.stats.get_stats() for crawler in crawlers)


def _crawl(
    config: Config,
    targets: Sequence[Target],
    store: Store,
    extraction: WorkerPool,
    resolver: Resolver | None,
) -> list[Crawler]:
    """Run the targets' spiders one kind after another, then save the sources' outcomes."""
    shared = shared_names(targets)
    validators = load_validators(store, {t.name for t in targets} - shared)
    run = CrawlRun(validators, shared, extraction=extraction)
    settings = to_scrapy_settings(config)
    settings[RUN] = run
    if resolver is not None:
        settings[RESOLVER] = resolver
    process = _quiet_process(settings, config.log_level)
    crawlers: list[Crawler] = []
    groups = [(SPIDERS[kind], [t for t in targets if t.kind == kind]) for kind in KINDS]

    @inlineCallbacks
    def one_after_another() -> Any:
        for spider, group in groups:
            if group:
                crawler = process.create_crawler(spider)
                crawlers.append(crawler)
                yield process.crawl(crawler, targets=group)

    failures: list[Failure] = []
    one_after_another().addErrback(failures.append)
    process.start()
    if failures:
        failures[0].raiseException()
    save_outcomes(store, targets, run.outcomes)
    return crawlers
