"""News search feeds (an aggregator's RSS for a query): a feed whose links are click-through
redirects of the aggregator rather than the publishers' addresses.

Where the redirect carries the target in its query (``/r?url=https%3A%2F%2F…``), the publisher's
URL is taken from it, so the article is fetched from and stored under its own address, and an
article the publishers' feeds already brought in is recognised before any request. A link
without a readable target is requested as it is; the redirect is followed like any other.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from scrapy import Request

from crawler.spiders.feed import FeedSpider
from crawler.targets import Target

# query parameters in which aggregators and trackers pass the destination
TARGET_PARAMETERS = frozenset({"url", "u", "q", "target", "dest", "destination", "link"})


def unwrap(url: str) -> str:
    """The destination of a click-through link, or ``url`` itself when it names none."""
    for name, value in parse_qsl(urlsplit(url).query):
        parts = urlsplit(value)
        if name.lower() in TARGET_PARAMETERS and parts.scheme in ("http", "https") and parts.netloc:
            return value
    return url


class SearchSpider(FeedSpider):
    """Fetches each search feed and requests the publishers' articles its results point to."""

    name = "search"

    def article_request(self, url: str, target: Target) -> Request:
        return super().article_request(unwrap(url), target)
