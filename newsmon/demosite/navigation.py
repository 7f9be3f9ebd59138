"""Index pages and related links: how readers, and link-following crawlers, get from page to page.

The catalogue decides what lives at which URL; this module decides what links to it: home and
section pages (paginated, rendered on first request), the "Mehr zum Thema" box of an article
(same story first, on any outlet, then neighbours in the section) and the "Meistgelesen" sidebar.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from newsmon.demosite import pages
from newsmon.demosite.content import Article, Outlet
from newsmon.demosite.feeds import FeedItem
from newsmon.demosite.pages import Link
from newsmon.demosite.replies import HTML, Reply, Route, cached, document

UNLISTED_CASES = frozenset({"robots", "malformed_feed_only"})  # no index page links to these
_LISTING_PAGE_SIZE = 30
_POPULAR = 5
_RELATED = 3


@dataclass(frozen=True)
class Placed:
    """An article (or a special URL described like one) at its address."""

    article: Article
    outlet: Outlet
    path: str
    url: str

    @property
    def link(self) -> Link:
        article = self.article
        return Link(self.path, article.title, article.lead, article.tags[0], article.published)

    def item(self, url: str | None = None, title: str | None = None) -> FeedItem:
        """The feed entry for this article, optionally under another URL or title."""
        article = self.article
        guid = f"{self.outlet.name}-{article.id}"
        return FeedItem(
            url or self.url,
            title or article.title,
            article.lead,
            article.published,
            guid,
            article.authors,
            article.tags,
        )


class Navigation:
    """Collects the linkable articles, then answers which links each page shows."""

    def __init__(self, bases: Mapping[str, str]) -> None:
        self._bases = bases
        self._placed: dict[str, list[Placed]] = defaultdict(list)
        self._by_story: dict[str, list[Placed]] = defaultdict(list)
        self._listed: dict[tuple[str, str], list[Placed]] = {}  # (outlet, section or "") -> newest first
        self._positions: dict[str, int] = {}  # article id -> index in its section's list

    def add(self, placed: Placed) -> None:
        """Record an article; call ``index`` once all are added."""
        self._placed[placed.outlet.name].append(placed)
        if placed.article.story:
            self._by_story[placed.article.story].append(placed)

    def index(self) -> None:
        """Sort what index pages link to, per outlet and per section, newest first."""
        for name, placed in self._placed.items():
            public = [p for p in placed if p.article.case not in UNLISTED_CASES]
            public.sort(key=lambda p: p.article.published, reverse=True)
            self._listed[(name, "")] = public
            for item in public:
                section = self._listed.setdefault((name, item.article.section), [])
                self._positions[item.article.id] = len(section)
                section.append(item)

    def popular(self, outlet: str) -> list[Link]:
        return [placed.link for placed in self._listed.get((outlet, ""), [])[:_POPULAR]]

    def related(self, placed: Placed, extra: Sequence[Link] = ()) -> list[Link]:
        """ "Mehr zum Thema": the same story on any outlet, then section neighbours, then ``extra``."""
        article = placed.article
        story = [
            Link(other.url, other.article.title)
            for other in self._by_story.get(article.story or "", [])
            if other is not placed
        ]
        section = self._listed.get((placed.outlet.name, article.section), [])
        here = self._positions.get(article.id, 0)
        near = [
            section[i].link
            for i in (here - 1, here + 1, here - 2, here + 2)
            if 0 <= i < len(section) and i != here
        ]
        return (story + near)[:_RELATED] + list(extra)

    def add_listings(self, outlet: Outlet, routes: dict[str, Route], partner_links: Sequence[Link]) -> None:
        """The home page (with ``partner_links`` under "Aus dem Netz") and one index per section."""
        self._add_listing(
            outlet,
            routes,
            "/",
            f"{outlet.title} – {outlet.slogan}",
            self._listed.get((outlet.name, ""), []),
            partner_links,
        )
        for section, label in outlet.sections:
            self._add_listing(
                outlet,
                routes,
                outlet.section_path(section),
                label,
                self._listed.get((outlet.name, section), []),
                (),
            )

    def _add_listing(
        self,
        outlet: Outlet,
        routes: dict[str, Route],
        path: str,
        heading: str,
        items: list[Placed],
        extra: Sequence[Link],
    ) -> None:
        """Pages of ``_LISTING_PAGE_SIZE`` teasers: ``path``, then ``path``seite-2/ and so on."""
        count = max(1, -(-len(items) // _LISTING_PAGE_SIZE))
        paths = [path] + [f"{path}seite-{number}/" for number in range(2, count + 1)]
        for number, page_path in enumerate(paths):
            chunk = items[number * _LISTING_PAGE_SIZE : (number + 1) * _LISTING_PAGE_SIZE]
            next_page = paths[number + 1] if number + 1 < count else None
            make = partial(
                self._listing_reply,
                outlet,
                heading,
                page_path,
                chunk,
                extra if number == 0 else (),
                next_page,
            )
            routes[page_path] = cached(make)

    def _listing_reply(
        self,
        outlet: Outlet,
        heading: str,
        path: str,
        items: list[Placed],
        extra: Sequence[Link],
        next_page: str | None,
    ) -> Reply:
        html = pages.listing_page(
            outlet,
            heading=heading,
            canonical=self._bases[outlet.name] + path,
            teasers=[placed.link for placed in items],
            extra=extra,
            popular=self.popular(outlet.name),
            next_page=next_page,
        )
        return document(
            html.encode(), HTML, max((placed.article.published for placed in items), default=None)
        )
