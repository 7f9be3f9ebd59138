"""Pages with too little text are not articles worth storing (``crawl.min_words``).

A gate of its own, after the paywall gate, rather than inside extraction: a paywall teaser is
short too, and the fetch log should say ``paywall`` for it, not ``too_short``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.items import FetchedPage
from crawler.reasons import Reject
from crawler.settings import CONFIG

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class SizeGate:
    """Drops extracted pages with fewer than ``crawl.min_words`` words (reason ``too_short``)."""

    def __init__(self, min_words: int) -> None:
        self.min_words = min_words

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SizeGate:
        return cls(crawler.settings[CONFIG].crawl.min_words)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage) and item.article is not None:
            words = item.article.word_count
            if words < self.min_words:
                raise Reject("too_short", f"{words} words of text (minimum {self.min_words})")
        return item
