"""Paywall teasers are not stored as articles: their text is only the first paragraphs.

The extractor sets ``Article.paywalled`` when the page declares the article not free and the
text is short; ``newsmon import`` keeps such pages, a crawl records them as ``paywall``.
"""

from __future__ import annotations

from typing import Any

from crawler.items import FetchedPage
from crawler.reasons import Reject


class PaywallGate:
    """Drops extracted pages flagged as paywall teasers (reason ``paywall``)."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage) and item.article is not None and item.article.paywalled:
            raise Reject("paywall", f"teaser of {item.article.word_count} words, the article is paid")
        return item
