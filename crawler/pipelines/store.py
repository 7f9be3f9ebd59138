"""Everything a crawl learned goes into the store through one ``Ingestor.batch()``.

Pages go through the core's ingest path (URL layer, content layers, story), rejections and
dropped pages become fetch-log rows with their reason. The batch commits every 100 documents or
2 seconds and when the spider closes; results are counted in the crawl stats only once committed
(``newsmon/stored``, ``newsmon/duplicate``, ``newsmon/rejected/<class>``), so the summary never
reports what a crash could still take back.

Ingesting is CPU and database work (fingerprints, story terms; the first document of a process
loads wordfreq's tables, which took 2–4 s and held up every download in flight when it ran in
the reactor thread). So the batch lives on one thread of its own: all its calls run there, in
the order they were made, and the reactor thread only waits for the results.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet.task import LoopingCall

from crawler.items import FetchedPage, KnownCopy, Rejected
from crawler.reasons import Reject, reason_class
from crawler.settings import CONFIG
from newsmon.config import Config
from newsmon.extract import RawDocument
from newsmon.ingest import IngestBatch, Ingestor, IngestResult
from newsmon.store.db import Store, open_store

IDLE_COMMIT_SECONDS = 1.0  # how often an open batch is checked for its age while no page comes

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class StorePipeline:
    """Stores pages, records rejections, counts outcomes."""

    def __init__(self, config: Config, stats: StatsCollector) -> None:
        self.config = config
        self.stats = stats
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="newsmon-store")
        self.store: Store | None = None
        self.batch: IngestBatch | None = None
        self._pending: list[Future[None]] = []  # rejections recorded from the item_dropped signal
        self._idle_commits = LoopingCall(self._commit_idle_batch)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler.settings[CONFIG], crawler.stats)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    async def open_spider(self) -> None:
        await self._run(self._open)
        # on SQLite an open batch holds the write lock: while no page comes (the crawl waits for
        # slow ones) it is still committed on time, so other writers (the daemon) are not held up
        self._idle_commits.start(IDLE_COMMIT_SECONDS, now=False)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage):
            # the scores the topic gate decided on and the fingerprint, both made in the
            # extraction workers (crawler.pagework), so the store thread only decides and writes
            scores = list(item.topic_scores.values()) or None
            write = self._write()
            await self._run(write.ingest, item.document(), item.article, scores, item.fingerprint)
        elif isinstance(item, Rejected):
            await self._run(self._write().reject, item.url, item.source, item.reason)
        elif isinstance(item, KnownCopy):
            # the URL layer decides before any extraction: the empty document is never read
            await self._run(self._write().ingest, RawDocument(item.url, "", "html", item.source))
        return item

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """A gate rejected a page: record its reason (``Reject`` from any pipeline)."""
        if isinstance(item, FetchedPage) and isinstance(exception, Reject):
            self._pending.append(
                self.writer.submit(self._write().reject, item.url, item.source, str(exception))
            )

    def _commit_idle_batch(self) -> None:
        self._pending.append(self.writer.submit(self._write().commit_when_due))

    async def close_spider(self) -> None:
        if self._idle_commits.running:
            self._idle_commits.stop()
        try:
            for future in self._pending:
                await asyncio.wrap_future(future)  # a failed write fails the crawl, not silently
            await self._run(self._close)
        finally:
            self.writer.shutdown()

    async def _run(self, call: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.wrap_future(self.writer.submit(call, *args))

    def _write(self) -> IngestBatch:
        assert self.batch is not None, "open_spider() opens the batch"
        return self.batch

    def _open(self) -> None:
        self.store = open_store(self.config.store_url, migrate=False)  # run_crawl migrated it
        self.batch = Ingestor(self.store, self.config).batch(on_commit=self._count)

    def _close(self) -> None:
        if self.batch is not None:
            self.batch.commit()
            self.batch.close()
        if self.store is not None:
            self.store.close()

    def _count(self, results: list[IngestResult]) -> None:
        for result in results:
            self.stats.inc_value(f"newsmon/{result.status}")
            if result.status == "rejected":
                self.stats.inc_value(f"newsmon/rejected/{reason_class(result.reason or 'unknown')}")
