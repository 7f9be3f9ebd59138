"""Clean text, metadata and topic scores for each fetched page (``crawler.pagework``).

The work runs in the crawl's worker processes (``newsmon.workers``), so it does not hold up the
downloads in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crawler.items import FetchedPage
from crawler.pagework import AnalysedPage, analyse_page
from crawler.reasons import Reject
from crawler.settings import CONFIG, RUN
from newsmon.config import DedupSettings
from newsmon.errors import InputError
from newsmon.extract import RawDocument
from newsmon.workers import WorkerPool, worker_count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

Analyse = Callable[[RawDocument, ZoneInfo, Path | None, DedupSettings], AnalysedPage]
# InputError messages of the extractor by their start, and the reason class each one means
_INPUT_REASONS = (("not HTML", "not_html"),)


def input_reason(error: InputError) -> str:
    """The reason class of an extraction failure."""
    message = str(error)
    return next((cls for start, cls in _INPUT_REASONS if message.startswith(start)), "no_text")


class ExtractPipeline:
    """Turns a ``FetchedPage`` into one carrying its ``Article`` and topic scores, or drops it
    with the reason.

    Junk is an ``InputError`` with its reason. Anything else is a bug or a crashed worker (a page
    that kills lxml kills only the worker, which is then replaced); the page is logged with the
    traceback and recorded as ``error``, a transient reason, so it is tried again later rather
    than lost.
    """

    def __init__(
        self,
        tz: ZoneInfo,
        workers: WorkerPool | int,
        topics_file: Path | None = None,
        dedup: DedupSettings | None = None,
        analyse: Analyse = analyse_page,
    ) -> None:
        """``workers``: the crawl's shared workers, or how many of its own to start (and stop);
        ``topics_file``: the profiles pages are scored against (None: the shipped ones);
        ``dedup``: the settings fingerprints are made with (None: the defaults)."""
        self.tz = tz
        self.owned = isinstance(workers, int)
        self.workers = WorkerPool(workers) if isinstance(workers, int) else workers
        self.topics_file = topics_file
        self.dedup = dedup or DedupSettings()
        self.analyse = analyse  # a module-level function: workers import it by name

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        config, run = crawler.settings[CONFIG], crawler.settings.get(RUN)
        if run is not None and run.extraction is not None:
            return cls(config.tz, run.extraction, config.topics_file, config.dedup)
        return cls(config.tz, worker_count(config.crawl.extract_workers), config.topics_file, config.dedup)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        try:
            page = await self.workers.call(
                self.analyse, item.document(), self.tz, self.topics_file, self.dedup
            )
        except InputError as exc:
            raise Reject(input_reason(exc), str(exc)) from None
        except BrokenProcessPool:
            log.error("an extraction worker died on %s; starting new ones", item.url)
            raise Reject("error", "the extraction worker died on this page") from None
        except Exception as exc:
            log.exception("extraction failed on %s", item.url)
            raise Reject("error", f"extraction failed: {type(exc).__name__}: {exc}") from None
        return replace(
            item, article=page.article, topic_scores=page.topic_scores, fingerprint=page.fingerprint
        )

    def close_spider(self) -> None:
        if self.owned:
            self.workers.shutdown()
