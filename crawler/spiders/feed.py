"""RSS and Atom feeds, parsed with feedparser so that broken feeds still yield their entries.

feedparser falls back to a lenient parser when the XML is not well-formed (a raw ``&``, a
truncated end) and does not expand entities declared in a DTD, so a billion-laughs feed costs
nothing. It is only ever given the bytes Scrapy downloaded, never a URL to fetch by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import feedparser
from scrapy import Request
from scrapy.http import Response

from crawler.spiders.base import ArticleSpider, UnreadableDocument
from crawler.targets import Target

log = logging.getLogger(__name__)


def entry_links(body: bytes, base_url: str) -> tuple[list[str], str | None]:
    """The absolute http(s) links of a feed's entries, and the parser's complaint if it had one."""
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    links = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link:
            url = urljoin(base_url, link.strip())
            if urlsplit(url).scheme in ("http", "https"):
                links.append(url)
    problem = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    return links, problem


class FeedSpider(ArticleSpider):
    """Fetches each target feed and requests every article it lists."""

    name = "feed"

    def parse_discovery(self, response: Response, target: Target) -> Iterator[Request]:
        links, problem = entry_links(response.body, response.url)
        if problem and not links:
            raise UnreadableDocument(f"not a feed ({problem})")
        if problem:
            self.crawler.stats.inc_value("newsmon/feed/malformed")
            log.info("feed %s is malformed (%s); %d entries recovered", response.url, problem, len(links))
        for link in links:
            if self.follows(link, target):
                yield self.article_request(link, target)
