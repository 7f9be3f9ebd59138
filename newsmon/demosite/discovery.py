"""The documents a crawler starts from: feeds, sitemaps and robots.txt of every host, as routes.

The catalogue decides which URL goes into which list (``Discovery.list``); this module turns the
lists into documents at fixed paths, paginates the URL sitemaps, wraps the search feed's links in
the search host's redirect, and remembers which document lists which URL for the manifest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from urllib.parse import quote

from newsmon.demosite import feeds, hostile
from newsmon.demosite.content import Outlet
from newsmon.demosite.feeds import Channel, FeedItem
from newsmon.demosite.replies import Reply, Request, Route, cached, document, fixed, redirect

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
SEARCH_FEED = "/rss/suche"
SEARCH_QUERY = "q=KI+USA+China&hl=de&gl=DE"
REDIRECT = "/r"

# The lists a catalogue can put an item in.
LISTS = frozenset({"rss", "atom", "news", "urls", "malformed", "laughs", "search"})


@dataclass(frozen=True)
class _HostileFeed:
    path: str
    topic: str
    breaker: Callable[[str], bytes]  # turns the well-formed RSS into the hostile bytes
    name: str  # key in FixtureSite.special


_HOSTILE_FEEDS = {
    "malformed": _HostileFeed(
        "/feeds/ki.xml", "Künstliche Intelligenz", hostile.malformed_feed, "malformed_feed"
    ),
    "laughs": _HostileFeed(
        "/feeds/netzpolitik.xml", "Netzpolitik", hostile.billion_laughs_feed, "billion_laughs_feed"
    ),
}


@dataclass(frozen=True)
class Published:
    """The discovery URLs per host and, per advertised URL, the documents listing it."""

    feeds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sitemaps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    special: dict[str, str] = field(default_factory=dict)  # hostile and search feeds by name
    listed_in: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _document(
    body: Callable[[], str | bytes], content_type: str, items: list[FeedItem]
) -> Callable[[], Reply]:
    """How to build a discovery document; it is Last-Modified when its newest item appeared."""

    def make() -> Reply:
        text = body()
        return document(text.encode() if isinstance(text, str) else text, content_type, feeds.newest(items))

    return make


class Discovery:
    """Collects listings while the catalogue places content, then publishes the documents."""

    def __init__(self, outlets: Mapping[str, Outlet], bases: Mapping[str, str]) -> None:
        self._outlets = outlets
        self._bases = bases
        self._lists: dict[tuple[str, str], list[FeedItem]] = defaultdict(list)
        self._listed_in: dict[str, list[str]] = defaultdict(list)

    def list(self, outlet: str, which: str, item: FeedItem) -> None:
        """Advertise ``item`` in list ``which`` (one of ``LISTS``) of host ``outlet``."""
        if which not in LISTS:
            raise ValueError(f"unknown list {which!r}")
        self._lists[(outlet, which)].append(item)

    def publish(self, routes: dict[str, dict[str, Route]]) -> Published:
        """Add every host's discovery documents and robots.txt to ``routes``."""
        published = Published()
        for name, outlet in self._outlets.items():
            if outlet.kind == "publisher":
                self._publish_publisher(outlet, routes[name], published)
            else:
                self._publish_search(outlet, routes[name], published)
            sitemaps = published.sitemaps.get(name, ())[:1]
            routes[name]["/robots.txt"] = fixed(
                document(feeds.robots_txt(outlet.disallow, sitemaps).encode(), TEXT)
            )
        published.listed_in.update((url, tuple(dict.fromkeys(docs))) for url, docs in self._listed_in.items())
        return published

    def _items(self, outlet: str, which: str) -> list[FeedItem]:
        return sorted(self._lists.get((outlet, which), []), key=lambda item: item.published, reverse=True)

    def _add(
        self,
        routes: dict[str, Route],
        outlet: Outlet,
        path: str,
        items: list[FeedItem],
        make: Callable[[], Reply],
        query: str = "",
    ) -> str:
        """Serve a document at ``path`` and note that it lists ``items``; returns its URL."""
        url = self._bases[outlet.name] + path + (f"?{query}" if query else "")
        routes[path] = cached(make)
        for item in items:
            self._listed_in[item.url].append(url)
        return url

    def _channel(self, outlet: Outlet, path: str, topic: str | None = None) -> Channel:
        base = self._bases[outlet.name]
        title = f"{outlet.title} – {topic}" if topic else outlet.title
        return Channel(
            title, f"{base}/", outlet.slogan, base + path, outlet.publisher, f"{outlet.name}.newsmon.test"
        )

    def _publish_publisher(self, outlet: Outlet, routes: dict[str, Route], published: Published) -> None:
        name = outlet.name
        feed_urls = []
        for which, path, render, content_type in (
            ("rss", "/feed/rss.xml", feeds.rss, RSS),
            ("atom", "/feed/atom.xml", feeds.atom, ATOM),
        ):
            items = self._items(name, which)
            make = _document(partial(render, self._channel(outlet, path), items), content_type, items)
            feed_urls.append(self._add(routes, outlet, path, items, make))
        for which, hostile_feed in _HOSTILE_FEEDS.items():
            items = self._items(name, which)
            if items:
                rss = partial(feeds.rss, self._channel(outlet, hostile_feed.path, hostile_feed.topic), items)
                make = _document(partial(_broken, hostile_feed.breaker, rss), RSS, items)
                feed_urls.append(self._add(routes, outlet, hostile_feed.path, items, make))
                published.special[hostile_feed.name] = feed_urls[-1]
        published.feeds[name] = tuple(feed_urls)

        news = self._items(name, "news")[: feeds.NEWS_SITEMAP_LIMIT]
        make = _document(partial(feeds.news_sitemap, outlet.title, news), XML, news)
        sitemaps = [self._add(routes, outlet, "/sitemap-news.xml", news, make)]
        urls = self._items(name, "urls")
        for start in range(0, max(len(urls), 1), feeds.SITEMAP_PAGE_SIZE):
            page = urls[start : start + feeds.SITEMAP_PAGE_SIZE]
            path = f"/sitemap-artikel-{start // feeds.SITEMAP_PAGE_SIZE + 1}.xml"
            sitemaps.append(
                self._add(routes, outlet, path, page, _document(partial(feeds.url_sitemap, page), XML, page))
            )
        every = news + urls
        index = [(sitemap, feeds.newest(every)) for sitemap in sitemaps]
        index_url = self._add(
            routes,
            outlet,
            "/sitemap_index.xml",
            [],
            _document(partial(feeds.sitemap_index, index), XML, every),
        )
        published.sitemaps[name] = (index_url, *sitemaps)

    def _publish_search(self, outlet: Outlet, routes: dict[str, Route], published: Published) -> None:
        """A news search feed whose links go through the search host's own redirect, like aggregators."""
        base = self._bases[outlet.name]
        items = self._items(outlet.name, "search")
        wrapped = [replace(item, url=f"{base}{REDIRECT}?url={quote(item.url, safe='')}") for item in items]
        channel = self._channel(outlet, f"{SEARCH_FEED}?{SEARCH_QUERY}", "Suche: KI USA China")
        make = _document(partial(feeds.rss, channel, wrapped), RSS, items)
        url = self._add(routes, outlet, SEARCH_FEED, items, make, SEARCH_QUERY)
        routes[REDIRECT] = _unwrap
        published.feeds[outlet.name] = (url,)
        published.special["search_feed"] = url


def _broken(breaker: Callable[[str], bytes], rss: Callable[[], str]) -> bytes:
    return breaker(rss())


def _unwrap(request: Request) -> Reply:
    """The search host's click-through redirect: ``/r?url=<encoded target>``."""
    target = request.param("url")
    if not target:
        return Reply(400, (("Content-Type", TEXT),), b"Parameter url fehlt\n")
    return redirect(target)
