"""Clean text and metadata from each fetched page, through the core's ``extract_article``.

The extraction runs in the crawl's worker processes (``crawler.workers``), so it does not hold
up the downloads in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crawler.items import FetchedPage
from crawler.reasons import Reject
from crawler.settings import CONFIG, RUN
from crawler.workers import ExtractionWorkers, worker_count
from newsmon.errors import InputError
from newsmon.extract import Article, RawDocument, extract_article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

Extract = Callable[[RawDocument, ZoneInfo, int], Article]
_ANY_LENGTH = 1  # the size gate comes after the paywall gate (crawler.pipelines.size)
# InputError messages of the extractor by their start, and the reason class each one means
_INPUT_REASONS = (("not HTML", "not_html"),)


_WARM_UP_PAGE = """<!doctype html><html lang="de"><head><title>Probe</title></head><body><article>
<h1>Probe der Extraktion</h1><p>Dieser kurze Text lädt die Bibliotheken und das Sprachmodell
der Extraktion, bevor die erste Seite des Crawls eintrifft, damit sie nicht darauf warten muss.</p>
</article></body></html>"""


def warm_up() -> None:
    """Extract a small built-in page, so that a fresh worker loads its libraries and language
    model while the crawl starts up, not while its first pages wait."""
    try:
        extract_article(
            RawDocument("http://warm-up.invalid/", _WARM_UP_PAGE, "html"), ZoneInfo("UTC"), _ANY_LENGTH
        )
    except InputError:
        pass  # the libraries are loaded either way


def input_reason(error: InputError) -> str:
    """The reason class of an extraction failure."""
    message = str(error)
    return next((cls for start, cls in _INPUT_REASONS if message.startswith(start)), "no_text")


class ExtractPipeline:
    """Turns a ``FetchedPage`` into one carrying its ``Article``, or drops it with the reason.

    Junk is an ``InputError`` with its reason. Anything else is a bug or a crashed worker (a page
    that kills lxml kills only the worker, which is then replaced); the page is logged with the
    traceback and recorded as ``error``, a transient reason, so it is tried again later rather
    than lost.
    """

    def __init__(
        self, tz: ZoneInfo, workers: ExtractionWorkers | int, extract: Extract = extract_article
    ) -> None:
        """``workers``: the crawl's shared workers, or how many of its own to start (and stop)."""
        self.tz = tz
        self.owned = isinstance(workers, int)
        self.workers = ExtractionWorkers(workers) if isinstance(workers, int) else workers
        self.extract = extract  # a module-level function: workers import it by name

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        config, run = crawler.settings[CONFIG], crawler.settings.get(RUN)
        if run is not None and run.extraction is not None:
            return cls(config.tz, run.extraction)
        return cls(config.tz, worker_count(config.crawl.extract_workers))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        try:
            article = await self.workers.call(self.extract, item.document(), self.tz, _ANY_LENGTH)
        except InputError as exc:
            raise Reject(input_reason(exc), str(exc)) from None
        except BrokenProcessPool:
            log.error("an extraction worker died on %s; starting new ones", item.url)
            raise Reject("error", "the extraction worker died on this page") from None
        except Exception as exc:
            log.exception("extraction failed on %s", item.url)
            raise Reject("error", f"extraction failed: {type(exc).__name__}: {exc}") from None
        return replace(item, article=article)

    def close_spider(self) -> None:
        if self.owned:
            self.workers.shutdown()
