"""Discovery documents: RSS 2.0, Atom, news sitemap, URL sitemaps, sitemap index, robots.txt.

These are how a crawler finds articles, so they follow the formats as publishers actually serve
them (Google News sitemap namespace, ``dc:creator`` in RSS, RFC 822 and ISO dates) and stay
well-formed; the deliberately broken variants are made from these in ``hostile.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from newsmon.demosite.templating import render

SITEMAP_PAGE_SIZE = 1000  # URLs per sitemap file; more spill into further files of the index
NEWS_SITEMAP_LIMIT = 1000  # Google News reads at most this many URLs from one news sitemap
_EPOCH = datetime.fromisoformat("2026-01-01T00:00:00+01:00")


@dataclass(frozen=True)
class FeedItem:
    """One URL as feeds and sitemaps advertise it."""

    url: str
    title: str
    summary: str
    published: datetime
    guid: str
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Channel:
    """What a feed says about itself."""

    title: str
    link: str  # the outlet's home page
    description: str
    self_url: str
    publisher: str
    tag_domain: str  # authority of the Atom tag: URIs


def newest(items: Iterable[FeedItem]) -> datetime:
    """When a document listing ``items`` last changed: its newest item (its Last-Modified)."""
    return max((item.published for item in items), default=_EPOCH)


def rss(channel: Channel, items: Sequence[FeedItem]) -> str:
    return render("rss.xml", channel=channel, items=items, updated=newest(items))


def atom(channel: Channel, items: Sequence[FeedItem]) -> str:
    return render("atom.xml", channel=channel, items=items, updated=newest(items))


def news_sitemap(publication: str, items: Sequence[FeedItem]) -> str:
    return render("sitemap_news.xml", publication=publication, items=items[:NEWS_SITEMAP_LIMIT])


def url_sitemap(items: Sequence[FeedItem]) -> str:
    return render("sitemap_urls.xml", items=items)


def sitemap_index(sitemaps: Sequence[tuple[str, datetime]]) -> str:
    return render("sitemap_index.xml", sitemaps=sitemaps)


def robots_txt(disallow: str, sitemaps: Sequence[str]) -> str:
    """Rules for everyone, a full block for one AI crawler (as many German publishers have), sitemaps."""
    lines = [
        "# Hinweise für Crawler",
        "User-agent: *",
        f"Disallow: {disallow}",
        "",
        "User-agent: GPTBot",
        "Disallow: /",
        "",
    ]
    lines += [f"Sitemap: {sitemap}" for sitemap in sitemaps]
    return "\n".join(lines) + "\n"
