"""Sitemaps, sitemap indexes and Google News sitemaps, read with Scrapy's ``Sitemap``.

``Sitemap`` parses with lxml without resolving entities and reads one entry at a time, so a
hostile or huge sitemap costs little. Entries whose news publication date (else ``lastmod``) is
older than ``crawl.sitemap_max_age_days`` (or the target's ``max_age_days``) are skipped: news sitemaps of big sites list thousands
of old articles that are either stored already or no longer news. Such entries are counted
(``newsmon/sitemap/too_old``) but not written to the fetch log, which would grow by the whole
archive on every crawl. Entries without a date are fetched.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lxml import etree
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

from crawler.settings import CONFIG
from crawler.spiders.base import ArticleSpider, UnreadableDocument
from crawler.targets import Target

if TYPE_CHECKING:
    from typing import Self


class NewsSitemap(Sitemap):
    """``Sitemap`` that also keeps ``<news:publication_date>``, which sits one level deeper than the
    fields ``Sitemap`` reads (it reads the direct children of ``<url>`` only)."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: etree._Element) -> dict[str, Any] | None:
        published = next(
            (node.text for node in elem.iter() if self._get_tag_name(node) == "publication_date"), None
        )
        entry = super()._process_sitemap_element(elem)
        if entry is not None and published:
            entry["publication_date"] = published.strip()
        return entry


def entry_date(entry: dict[str, Any]) -> datetime | None:
    """The entry's news publication date, else its lastmod (W3C datetime); None when absent or bad."""
    value = entry.get("publication_date") or entry.get("lastmod")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SitemapSpider(ArticleSpider):
    """Follows sitemap indexes and requests the recent articles of each sitemap."""

    name = "sitemap"

    def __init__(self, targets: list[Target], max_age: timedelta, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(targets, **kwargs)
        self.max_age = max_age
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        crawl = crawler.settings[CONFIG].crawl
        kwargs.update(max_age=timedelta(days=crawl.sitemap_max_age_days), max_bytes=crawl.max_bytes)
        return super().from_crawler(crawler, *args, **kwargs)

    def parse_discovery(self, response: Response, target: Target) -> Iterator[Request]:
        sitemap = self._sitemap(response)
        if sitemap is None:
            raise UnreadableDocument("not a sitemap")
        max_age = self.max_age if target.max_age_days is None else timedelta(days=target.max_age_days)
        cutoff = datetime.now(UTC) - max_age
        index = sitemap.type == "sitemapindex"
        for entry in sitemap:
            published = entry_date(entry)
            if published is not None and published < cutoff:
                self.crawler.stats.inc_value("newsmon/sitemap/too_old")
            elif index:
                yield self.discovery_request(entry["loc"], target)
            elif self.follows(entry["loc"], target):
                yield self.article_request(entry["loc"], target)

    def _sitemap(self, response: Response) -> NewsSitemap | None:
        body = response.body
        try:
            if gzip_magic_number(response):
                body = gunzip(body, max_size=self.max_bytes)
            sitemap = NewsSitemap(body)
        except (OSError, EOFError, ValueError, etree.XMLSyntaxError, StopIteration):
            return None
        return sitemap if sitemap.type in ("urlset", "sitemapindex") else None
