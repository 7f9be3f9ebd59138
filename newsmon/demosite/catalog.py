"""What the site serves where: every URL's route, where it is advertised, and what a crawler should make of it.

Built once the ports are known (URLs contain them). Pages render on first request and are then
cached, so a site with 2000 synthetic articles starts in well under a second.

The special cases, by ``case`` (manifest ``case`` field, ``FixtureSite.special`` key):

- from articles.toml: ``paywall`` (teaser text, JSON-LD isAccessibleForFree false),
  ``repeated_text`` (the text twice, the second time as a hidden print version), ``rate_limited``
  (429 with Retry-After for the first N requests, then the page), ``slow`` (answers after the
  configured delay), ``robots`` (served, but under the path robots.txt disallows), ``encoding``
  (Windows-1252 bytes declared as UTF-8), ``malformed_feed_only`` (listed only in the broken feed);
- copies of an article: ``amp_copy`` (/amp/… with rel=canonical), ``utm_copy`` (the RSS link with
  utm parameters), ``syndicated_copy`` (the same text on the other publisher, in its layout);
- from specials.toml: ``not_found``, ``server_error``, ``redirect_loop``, ``too_large`` (20 MiB,
  streamed), ``gzip_bomb``, ``pdf``, ``consent_wall`` (redirect to a cookie wall), and the links to
  forbidden addresses ``ssrf_private``, ``ssrf_metadata``, ``ssrf_intranet``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from urllib.parse import quote

from newsmon.demosite import hostile, pages
from newsmon.demosite.content import Article, Outlet, Special, article_path, load_articles, load_specials
from newsmon.demosite.discovery import Discovery
from newsmon.demosite.manifest import Manifest, ManifestEntry
from newsmon.demosite.navigation import Navigation, Placed
from newsmon.demosite.pages import Link
from newsmon.demosite.replies import HTML, Reply, Request, Route, cached, document, fixed, redirect
from newsmon.demosite.synthetic import SYNTHETIC_NUMBERS, synthetic_articles

UTM = "utm_source=rss&utm_medium=feed&utm_campaign=newsticker"
_SYNDICATION_DELAY = timedelta(hours=2)
_SYNDICATED_NUMBERS = 9000  # added to the original's number in the copy's URL
_SYNTHETIC_IN_FEEDS = 50  # newest synthetic articles per outlet in RSS and Atom (sitemaps list all)
_EXPECTED_BY_CASE = {"paywall": "paywall", "slow": "timeout", "robots": "robots"}
_HOSTILE_FEED_SECTIONS = {("technikwelt", "ki"): "malformed", ("technikwelt", "netzpolitik"): "laughs"}
_LOOP_PARTNER = "/news/umleitung/exportregeln-cloud"
_CONSENT_PATH = "/zustimmung"


@dataclass(frozen=True)
class SiteOptions:
    """How the site behaves; the defaults model a real, slow, rate-limiting web."""

    scale: int = 0  # synthetic articles added to the hand-written ones
    seed: int = 4  # of the synthetic text
    slow_delay: float = 15.0  # seconds before the slow page answers (longer than usual crawl timeouts)
    rate_limit_count: int = 2  # requests answered 429 before the rate-limited page is served
    retry_after: int = 1  # seconds, sent in Retry-After with each 429
    oversized_bytes: int = 20 * 1024 * 1024  # length of the oversized page


@dataclass(frozen=True)
class Catalog:
    """Routes per outlet and path, the manifest, and the discovery URLs a crawler starts from."""

    routes: Mapping[str, Mapping[str, Route]]
    not_found: Mapping[str, Route]
    manifest: Manifest
    feeds: Mapping[str, tuple[str, ...]]
    sitemaps: Mapping[str, tuple[str, ...]]
    special: Mapping[str, str]  # case (or hostile/search feed name) -> URL

    def route(self, outlet: str, path: str) -> Route:
        return self.routes[outlet].get(path) or self.not_found[outlet]


class _Builder:
    """Collects routes, manifest entries and listings while placing content on the hosts."""

    def __init__(self, outlets: Sequence[Outlet], bases: Mapping[str, str], options: SiteOptions) -> None:
        self.outlets = {outlet.name: outlet for outlet in outlets}
        self.search_host = next(outlet.name for outlet in outlets if outlet.kind == "search")
        self.bases = bases
        self.options = options
        self.routes: dict[str, dict[str, Route]] = {name: {} for name in self.outlets}
        self.entries: list[ManifestEntry] = []
        self.synthetic_in_feeds: Counter[str] = Counter()
        self.navigation = Navigation(bases)
        self.discovery = Discovery(self.outlets, bases)
        # links to forbidden addresses, shown on the pages of the outlet whose feed lists them
        self.forbidden = {
            name: [
                Link(s.target, s.title) for s in load_specials() if s.expected == "ssrf" and s.outlet == name
            ]
            for name in self.outlets
        }

    def build(self) -> Catalog:
        for article in load_articles() + synthetic_articles(self.options.scale, self.options.seed):
            self._place_article(article)
        for special in load_specials():
            self._place_special(special)
        self.navigation.index()
        for outlet in self.outlets.values():
            self._add_notices(outlet)
            if outlet.kind == "publisher":
                self.navigation.add_listings(outlet, self.routes[outlet.name], self.forbidden[outlet.name])
        published = self.discovery.publish(self.routes)
        entries = [replace(entry, listed_in=published.listed_in.get(entry.url, ())) for entry in self.entries]
        special = {entry.case: entry.url for entry in reversed(entries) if entry.case != "article"}
        return Catalog(
            routes=self.routes,
            not_found={name: self._not_found(outlet) for name, outlet in self.outlets.items()},
            manifest=Manifest(entries),
            feeds=published.feeds,
            sitemaps=published.sitemaps,
            special={**special, **published.special},
        )

    # --- articles and their copies ----------------------------------------------------------------

    def _place_article(self, article: Article) -> None:
        outlet = self.outlets[article.outlet]
        path = article_path(outlet, article)
        if article.case == "robots":
            path = outlet.disallow.rstrip("/") + path
        placed = Placed(article, outlet, path, self.bases[outlet.name] + path)
        expected = _EXPECTED_BY_CASE.get(article.case) or ("stored" if article.on_topic else "off_topic")
        self._add_entry(placed, expected, article.case)
        self.routes[outlet.name][path] = self._article_route(placed)
        self.navigation.add(placed)
        copy_expected = f"duplicate_of:{article.id}" if expected == "stored" else expected
        rss_url = placed.url
        if "utm" in article.copies:
            rss_url = f"{placed.url}?{UTM}"
            self._add_entry(replace(placed, url=rss_url), copy_expected, "utm_copy", f"{article.id}-utm")
        self._advertise(placed, rss_url, original=True)
        if "amp" in article.copies:
            self._place_amp(placed, copy_expected)
        if article.syndicated_to:
            self._place_syndicated(placed, copy_expected)

    def _advertise(self, placed: Placed, rss_url: str, original: bool) -> None:
        """The site's listing policy: which feeds and sitemaps list an article."""
        article, name, item = placed.article, placed.outlet.name, placed.item()
        if article.case == "malformed_feed_only":
            self.discovery.list(name, "malformed", item)
            return
        self.discovery.list(name, "news", item)
        self.discovery.list(name, "urls", item)
        if article.case == "robots":
            return
        hand_written = article.number < SYNTHETIC_NUMBERS
        if hand_written or self.synthetic_in_feeds[name] < _SYNTHETIC_IN_FEEDS:
            self.synthetic_in_feeds[name] += not hand_written
            self.discovery.list(name, "rss", placed.item(rss_url))
            self.discovery.list(name, "atom", item)
        hostile_feed = _HOSTILE_FEED_SECTIONS.get((name, article.section))
        if hostile_feed and hand_written:
            self.discovery.list(name, hostile_feed, item)
        if original and hand_written and article.on_topic and article.case == "article":
            self.discovery.list(
                self.search_host, "search", placed.item(title=f"{article.title} - {placed.outlet.title}")
            )

    def _add_entry(self, placed: Placed, expected: str, case: str, entry_id: str | None = None) -> None:
        article = placed.article
        self.entries.append(
            ManifestEntry(
                entry_id or article.id,
                placed.url,
                placed.outlet.name,
                article.on_topic,
                expected,
                case,
                article.title,
                story=article.story,
            )
        )

    def _article_route(self, placed: Placed, source: Placed | None = None) -> Route:
        case, options = placed.article.case, self.options
        page = cached(partial(self._article_reply, placed, source))
        if case == "rate_limited":
            refusal = self._message(
                placed.outlet, 429, "Zu viele Anfragen", "Bitte versuchen Sie es in Kürze erneut."
            )
            retry = (("Retry-After", str(options.retry_after)), ("Cache-Control", "no-store"))
            return hostile.rate_limited(
                page, options.rate_limit_count, replace(refusal, headers=refusal.headers + retry)
            )
        if case == "slow":
            return hostile.delayed(page, options.slow_delay)
        return page

    def _article_reply(self, placed: Placed, source: Placed | None) -> Reply:
        article, outlet = placed.article, placed.outlet
        html = pages.article_page(
            outlet,
            article,
            home=self.bases[outlet.name] + "/",
            canonical=placed.url,
            related=self.navigation.related(placed, self._forbidden_link(article)),
            popular=self.navigation.popular(outlet.name),
            amphtml=f"{self.bases[outlet.name]}/amp{placed.path}" if "amp" in article.copies else None,
            source=Link(source.url, source.outlet.title) if source else None,
            paywalled=article.case == "paywall",
            repeated=article.case == "repeated_text",
        )
        body = hostile.misdeclared_cp1252(html) if article.case == "encoding" else html.encode()
        return document(body, HTML, article.published)

    def _forbidden_link(self, article: Article) -> list[Link]:
        """One link to a forbidden address in the related box of the outlet's own on-topic texts."""
        forbidden = self.forbidden[article.outlet]
        if not forbidden or not article.on_topic or article.number >= _SYNDICATED_NUMBERS:
            return []
        return [forbidden[article.number % len(forbidden)]]

    def _place_amp(self, placed: Placed, expected: str) -> None:
        outlet, article = placed.outlet, placed.article
        amp = replace(placed, path=f"/amp{placed.path}", url=f"{self.bases[outlet.name]}/amp{placed.path}")
        self._add_entry(amp, expected, "amp_copy", f"{article.id}-amp")
        self.routes[outlet.name][amp.path] = cached(partial(self._amp_reply, placed))
        self.discovery.list(outlet.name, "rss", amp.item())

    def _amp_reply(self, placed: Placed) -> Reply:
        home = self.bases[placed.outlet.name] + "/"
        html = pages.amp_page(placed.outlet, placed.article, home=home, canonical=placed.url)
        return document(html.encode(), HTML, placed.article.published)

    def _place_syndicated(self, original: Placed, expected: str) -> None:
        target, section = original.article.syndicated_to or ("", "")
        article = replace(
            original.article,
            id=f"{original.article.id}-syndiziert",
            outlet=target,
            section=section,
            number=original.article.number + _SYNDICATED_NUMBERS,
            published=original.article.published + _SYNDICATION_DELAY,
            story=None,
            copies=(),
            syndicated_to=None,
        )
        outlet = self.outlets[target]
        path = article_path(outlet, article)
        copy = Placed(article, outlet, path, self.bases[target] + path)
        self._add_entry(copy, expected, "syndicated_copy")
        self.routes[target][path] = self._article_route(copy, source=original)
        self.navigation.add(copy)
        self._advertise(copy, copy.url, original=False)

    # --- special URLs -------------------------------------------------------------------------------

    def _place_special(self, special: Special) -> None:
        outlet = self.outlets[special.outlet]
        url = special.target if "://" in special.target else self.bases[outlet.name] + special.target
        description = Article(
            special.case,
            outlet.name,
            "",
            0,
            special.title,
            special.lead,
            (),
            (),
            special.published,
            ("KI",),
            True,
        )
        placed = Placed(description, outlet, special.target, url)
        self._add_entry(placed, special.expected, special.case)
        for which in special.lists:
            host = self.search_host if which == "search" else outlet.name
            title = f"{special.title} - {outlet.title}" if which == "search" else None
            self.discovery.list(host, which, placed.item(title=title))
        route = self._special_route(special, outlet)
        if route is not None:
            self.routes[outlet.name][special.target] = route

    def _special_route(self, special: Special, outlet: Outlet) -> Route | None:
        """The behaviour of a special URL; None where nothing may answer (404, foreign hosts)."""
        routes = self.routes[outlet.name]
        match special.case:
            case "server_error":
                return fixed(
                    self._message(outlet, 500, "Interner Fehler", "Die Seite konnte nicht geladen werden.")
                )
            case "too_large":
                return lambda request: hostile.oversized_page(self.options.oversized_bytes, special.title)
            case "gzip_bomb":
                return lambda request: hostile.gzip_bomb_reply()
            case "pdf":
                author = f"Redaktion {outlet.title}"
                lines = (special.title, "", special.lead, "Stand: November 2026", author)
                return fixed(document(hostile.pdf_document(special.title, author, lines), "application/pdf"))
            case "consent_wall":
                routes[_CONSENT_PATH] = partial(self._consent_reply, outlet)
                return fixed(redirect(f"{_CONSENT_PATH}?ziel={quote(special.target, safe='')}"))
            case "redirect_loop":
                routes[_LOOP_PARTNER] = fixed(redirect(special.target, 302))
                return fixed(redirect(_LOOP_PARTNER, 301))
        return None

    def _consent_reply(self, outlet: Outlet, request: Request) -> Reply:
        return document(pages.consent_page(outlet, request.param("ziel") or "/").encode())

    # --- notices --------------------------------------------------------------------------------------

    def _add_notices(self, outlet: Outlet) -> None:
        """The pages every footer links to; the search host's home page."""
        routes = self.routes[outlet.name]
        for path, heading, text in (
            ("/impressum.html", "Impressum", f"{outlet.publisher}, Musterstraße 1, 01067 Dresden."),
            (
                "/datenschutz.html",
                "Datenschutz",
                "Wir verarbeiten personenbezogene Daten nur im Rahmen der gesetzlichen Bestimmungen.",
            ),
            ("/kontakt.html", "Kontakt", "Sie erreichen die Redaktion werktags von 9 bis 18 Uhr."),
        ):
            routes[path] = fixed(self._message(outlet, 200, heading, text))
        if outlet.kind != "publisher":
            routes["/"] = fixed(self._message(outlet, 200, outlet.title, outlet.slogan))

    def _message(self, outlet: Outlet, status: int, heading: str, *paragraphs: str) -> Reply:
        """A notice page; only a 200 gets validators, errors are always sent in full."""
        body = pages.message_page(outlet, heading, *paragraphs).encode()
        return document(body) if status == 200 else Reply(status, (("Content-Type", HTML),), body)

    def _not_found(self, outlet: Outlet) -> Route:
        return fixed(
            self._message(
                outlet,
                404,
                "Seite nicht gefunden",
                "Die angeforderte Seite existiert nicht oder wurde entfernt.",
            )
        )


def build_catalog(outlets: Sequence[Outlet], bases: Mapping[str, str], options: SiteOptions) -> Catalog:
    """Place all content on the hosts whose base URLs (``http://127.0.0.1:PORT``) are ``bases``."""
    return _Builder(outlets, bases, options).build()
