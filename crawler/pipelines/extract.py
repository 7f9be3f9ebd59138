"""Clean text and metadata from each fetched page, through the core's ``extract_article``.

Extraction (lxml, trafilatura, htmldate) takes tens of milliseconds of CPU per page. Run in the
reactor thread it holds up every download in flight for that long, so it runs in worker
processes (``crawl.extract_workers``; 0: one per CPU beyond the first, none on one CPU).
Workers are started with ``spawn``: forking a process that runs a reactor and thread pools is
not safe.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crawler.items import FetchedPage
from crawler.reasons import Reject
from crawler.settings import CONFIG
from newsmon.errors import InputError
from newsmon.extract import Article, RawDocument, extract_article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

Extract = Callable[[RawDocument, ZoneInfo, int], Article]
_ANY_LENGTH = 1  # the size gate comes after the paywall gate (crawler.pipelines.size)
# InputError messages of the extractor by their start, and the reason class each one means
_INPUT_REASONS = (("not HTML", "not_html"),)


def input_reason(error: InputError) -> str:
    """The reason class of an extraction failure."""
    message = str(error)
    return next((cls for start, cls in _INPUT_REASONS if message.startswith(start)), "no_text")


def worker_count(configured: int) -> int:
    """Extraction processes for ``crawl.extract_workers`` (0: one per CPU beyond the first)."""
    return configured or max((os.cpu_count() or 1) - 1, 0)


class ExtractPipeline:
    """Turns a ``FetchedPage`` into one carrying its ``Article``, or drops it with the reason.

    Junk is an ``InputError`` with its reason. Anything else is a bug or a crashed worker (a page
    that kills lxml kills only the worker, which is then replaced); the page is logged with the
    traceback and recorded as ``error``, a transient reason, so it is tried again later rather
    than lost.
    """

    def __init__(self, tz: ZoneInfo, workers: int, extract: Extract = extract_article) -> None:
        self.tz = tz
        self.workers = workers
        self.extract = extract  # a module-level function: workers import it by name
        self.pool: ProcessPoolExecutor | None = self._new_pool()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        config = crawler.settings[CONFIG]
        return cls(config.tz, worker_count(config.crawl.extract_workers))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        try:
            article = await self._extract(item.document())
        except InputError as exc:
            raise Reject(input_reason(exc), str(exc)) from None
        except BrokenProcessPool:
            log.error("an extraction worker died on %s; starting new ones", item.url)
            self.pool = self._new_pool()
            raise Reject("error", "the extraction worker died on this page") from None
        except Exception as exc:
            log.exception("extraction failed on %s", item.url)
            raise Reject("error", f"extraction failed: {type(exc).__name__}: {exc}") from None
        return replace(item, article=article)

    def _new_pool(self) -> ProcessPoolExecutor | None:
        if not self.workers:
            return None
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    async def _extract(self, document: RawDocument) -> Article:
        if self.pool is None:
            return self.extract(document, self.tz, _ANY_LENGTH)
        future = self.pool.submit(self.extract, document, self.tz, _ANY_LENGTH)
        return await asyncio.wrap_future(future)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
