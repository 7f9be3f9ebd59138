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
- special URLs (``_SPECIALS``): ``not_found``, ``server_error``, ``redirect_loop``, ``too_large``,
  ``gzip_bomb``, ``pdf``, ``consent_wall``, ``ssrf_private``, ``ssrf_metadata``, ``ssrf_intranet``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import quote

from newsmon.demosite import hostile, pages
from newsmon.demosite.content import BERLIN, Article, Outlet, article_path, load_articles
from newsmon.demosite.discovery import Discovery
from newsmon.demosite.feeds import FeedItem
from newsmon.demosite.manifest import Manifest, ManifestEntry
from newsmon.demosite.pages import Link
from newsmon.demosite.replies import HTML, Reply, Request, Route, cached, document, fixed, redirect
from newsmon.demosite.synthetic import SYNTHETIC_NUMBERS, synthetic_articles

UTM = "utm_source=rss&utm_medium=feed&utm_campaign=newsticker"
_SYNDICATION_DELAY = timedelta(hours=2)
_SYNDICATED_NUMBERS = 9000  # added to the original's number in the copy's URL
_SYNTHETIC_IN_FEEDS = 50  # newest synthetic articles per outlet in RSS and Atom (sitemaps list all)
_LISTING_PAGE_SIZE = 30
_POPULAR = 5
_RELATED = 3
_EXPECTED_BY_CASE = {"paywall": "paywall", "slow": "timeout", "robots": "robots"}
_UNLISTED_CASES = frozenset({"robots", "malformed_feed_only"})  # no index page links to them
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
class _Special:
    case: str
    outlet: str
    target: str  # a path on the outlet, or a full URL elsewhere (the SSRF cases)
    title: str
    lead: str
    published: str  # Europe/Berlin local time
    expected: str
    lists: tuple[str, ...]  # where it is advertised ("search" is the search host's feed)


_SPECIALS = (
    _Special("not_found", "tagesblick", "/politik/ki-gipfel-in-genf-vertagt-98.html", "KI-Gipfel in Genf auf das Frühjahr vertagt", "Die Gespräche zwischen Washington und Peking über Regeln für militärische KI werden verschoben.", "2026-11-19T20:10", "not_found", ("rss", "news", "urls")),
    _Special("server_error", "tagesblick", "/wirtschaft/liveblog-chip-zoelle-97.html", "Liveblog: Neue Chip-Zölle – alle Entwicklungen", "Die USA und China überziehen sich mit neuen Abgaben auf Halbleiter. Alle Entwicklungen im Überblick.", "2026-11-21T08:00", "server_error", ("rss", "news", "urls")),
    _Special("too_large", "tagesblick", "/digital/dossier-exportregeln-im-wortlaut-96.html", "Dossier: Die US-Exportregeln für KI-Chips im Wortlaut", "Alle Listen, Schwellenwerte und Ausnahmen der Ausfuhrregeln für Rechenchips in einem Dokument.", "2026-11-07T10:00", "too_large", ("rss", "news", "urls")),
    _Special("pdf", "tagesblick", "/downloads/ueberblick-exportkontrollen-ki-chips.pdf", "Überblick: Exportkontrollen für KI-Chips (PDF)", "Die wichtigsten Regeln für die Ausfuhr von KI-Chips nach China auf einer Seite.", "2026-11-07T10:05", "not_html", ("rss", "urls")),
    _Special("consent_wall", "tagesblick", "/wirtschaft/huawei-baut-eigene-chipfabriken-aus-95.html", "Huawei baut eigene Chipfabriken aus", "Um unabhängiger von Auftragsfertigern zu werden, investiert Huawei in eigene Werke für KI-Chips.", "2026-11-21T15:30", "consent_wall", ("news", "urls", "search")),
    _Special("ssrf_private", "tagesblick", "http://10.0.0.1/politik/ki-strategiepapier.html", "Strategiepapier: Wie Europa im KI-Wettlauf aufholen will", "Ein internes Papier skizziert Europas Antwort auf die KI-Pläne der USA und Chinas.", "2026-11-18T09:00", "ssrf", ("rss",)),
    _Special("ssrf_metadata", "tagesblick", "http://169.254.169.254/latest/meta-data/", "Hintergrund: Wem die Cloud-Rechenzentren im KI-Wettlauf gehören", "Amerikanische und chinesische Cloud-Konzerne im Vergleich.", "2026-11-17T07:30", "ssrf", ("rss", "search")),
    _Special("ssrf_intranet", "tagesblick", "http://intranet.newsmon.test/news/ki-richtlinie.html", "Neue Richtlinie für den Einsatz chinesischer KI-Modelle", "Welche Modelle aus China im Unternehmen erlaubt sind und welche nicht.", "2026-11-16T12:00", "ssrf", ("rss",)),
    _Special("redirect_loop", "technikwelt", "/news/2026/11/exportregeln-was-sich-fuer-cloud-anbieter-aendert-99", "Exportregeln: Was sich für Cloud-Anbieter ändert", "Rechenzeit für chinesische Kunden wird meldepflichtig. Was Anbieter jetzt wissen müssen.", "2026-11-20T16:45", "redirect_loop", ("rss", "news", "urls")),
    _Special("gzip_bomb", "technikwelt", "/news/2026/11/liveticker-ki-gipfel-in-san-francisco-98", "Liveticker: Der KI-Gipfel in San Francisco", "Chipkonzerne, Labore und Regierungsvertreter beraten über den Wettlauf mit China.", "2026-11-22T09:00", "too_large", ("rss", "news", "urls")),
)  # fmt: skip


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


@dataclass(frozen=True)
class _Placed:
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


class _Builder:
    """Collects routes, manifest entries and feed listings while placing content on the hosts."""

    def __init__(self, outlets: Sequence[Outlet], bases: Mapping[str, str], options: SiteOptions) -> None:
        self.outlets = {outlet.name: outlet for outlet in outlets}
        self.search_host = next(outlet.name for outlet in outlets if outlet.kind == "search")
        self.bases = bases
        self.options = options
        self.routes: dict[str, dict[str, Route]] = {name: {} for name in self.outlets}
        self.entries: list[ManifestEntry] = []
        self.placed: dict[str, list[_Placed]] = defaultdict(list)  # originals and syndicated copies
        self.by_story: dict[str, list[_Placed]] = defaultdict(list)
        self.listed: dict[tuple[str, str], list[_Placed]] = {}  # (outlet, section or "") -> newest first
        self.positions: dict[str, int] = {}  # article id -> index in its section's list
        self.synthetic_in_feeds: Counter[str] = Counter()
        self.discovery = Discovery(self.outlets, bases)

    def build(self) -> Catalog:
        for article in load_articles() + synthetic_articles(self.options.scale, self.options.seed):
            self._place_article(article)
        for special in _SPECIALS:
            self._place_special(special)
        self._index()
        for outlet in self.outlets.values():
            self._add_pages(outlet)
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
        placed = _Placed(article, outlet, path, self.bases[outlet.name] + path)
        expected = _EXPECTED_BY_CASE.get(article.case) or ("stored" if article.on_topic else "off_topic")
        self._add_entry(placed, expected, article.case)
        self.routes[outlet.name][path] = self._article_route(placed)
        self.placed[outlet.name].append(placed)
        if article.story:
            self.by_story[article.story].append(placed)
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

    def _advertise(self, placed: _Placed, rss_url: str, original: bool) -> None:
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

    def _add_entry(self, placed: _Placed, expected: str, case: str, entry_id: str | None = None) -> None:
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

    def _article_route(self, placed: _Placed, source: _Placed | None = None) -> Route:
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

    def _article_reply(self, placed: _Placed, source: _Placed | None) -> Reply:
        article, outlet = placed.article, placed.outlet
        html = pages.article_page(
            outlet,
            article,
            home=self.bases[outlet.name] + "/",
            canonical=placed.url,
            related=self._related(placed),
            popular=self._popular(outlet.name),
            amphtml=f"{self.bases[outlet.name]}/amp{placed.path}" if "amp" in article.copies else None,
            source=Link(source.url, source.outlet.title) if source else None,
            paywalled=article.case == "paywall",
            repeated=article.case == "repeated_text",
        )
        body = hostile.misdeclared_cp1252(html) if article.case == "encoding" else html.encode()
        return document(body, HTML, article.published)

    def _place_amp(self, placed: _Placed, expected: str) -> None:
        outlet, article = placed.outlet, placed.article
        amp = replace(placed, path=f"/amp{placed.path}", url=f"{self.bases[outlet.name]}/amp{placed.path}")
        self._add_entry(amp, expected, "amp_copy", f"{article.id}-amp")
        self.routes[outlet.name][amp.path] = cached(partial(self._amp_reply, placed))
        self.discovery.list(outlet.name, "rss", amp.item())

    def _amp_reply(self, placed: _Placed) -> Reply:
        home = self.bases[placed.outlet.name] + "/"
        html = pages.amp_page(placed.outlet, placed.article, home=home, canonical=placed.url)
        return document(html.encode(), HTML, placed.article.published)

    def _place_syndicated(self, original: _Placed, expected: str) -> None:
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
        copy = _Placed(article, outlet, path, self.bases[target] + path)
        self._add_entry(copy, expected, "syndicated_copy")
        self.routes[target][path] = self._article_route(copy, source=original)
        self.placed[target].append(copy)
        self._advertise(copy, copy.url, original=False)

    # --- special URLs -------------------------------------------------------------------------------

    def _place_special(self, special: _Special) -> None:
        outlet = self.outlets[special.outlet]
        url = special.target if "://" in special.target else self.bases[outlet.name] + special.target
        published = datetime.fromisoformat(special.published).replace(tzinfo=BERLIN)
        description = Article(
            special.case, outlet.name, "", 0, special.title, special.lead, (), (), published, ("KI",), True
        )
        placed = _Placed(description, outlet, special.target, url)
        self._add_entry(placed, special.expected, special.case)
        for which in special.lists:
            host = self.search_host if which == "search" else outlet.name
            title = f"{special.title} - {outlet.title}" if which == "search" else None
            self.discovery.list(host, which, placed.item(title=title))
        route = self._special_route(special, outlet)
        if route is not None:
            self.routes[outlet.name][special.target] = route

    def _special_route(self, special: _Special, outlet: Outlet) -> Route | None:
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

    # --- index pages and notices --------------------------------------------------------------------

    def _index(self) -> None:
        """Sort what index pages and related boxes link to: per outlet and per section, newest first."""
        for name, placed in self.placed.items():
            public = [p for p in placed if p.article.case not in _UNLISTED_CASES]
            public.sort(key=lambda p: p.article.published, reverse=True)
            self.listed[(name, "")] = public
            for item in public:
                section = self.listed.setdefault((name, item.article.section), [])
                self.positions[item.article.id] = len(section)
                section.append(item)

    def _popular(self, outlet: str) -> list[Link]:
        return [placed.link for placed in self.listed.get((outlet, ""), [])[:_POPULAR]]

    def _related(self, placed: _Placed) -> list[Link]:
        """Same story first (on any outlet), then section neighbours; Tagesblick adds a foreign link."""
        article = placed.article
        story = [
            Link(other.url, other.article.title)
            for other in self.by_story.get(article.story or "", [])
            if other is not placed
        ]
        section = self.listed.get((placed.outlet.name, article.section), [])
        here = self.positions.get(article.id, 0)
        near = [
            section[i].link
            for i in (here - 1, here + 1, here - 2, here + 2)
            if 0 <= i < len(section) and i != here
        ]
        links = (story + near)[:_RELATED]
        if placed.outlet.name == "tagesblick" and article.on_topic and article.number < _SYNDICATED_NUMBERS:
            foreign = [special for special in _SPECIALS if special.case.startswith("ssrf")]
            pick = foreign[article.number % len(foreign)]
            links.append(Link(pick.target, pick.title))
        return links

    def _add_pages(self, outlet: Outlet) -> None:
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
            return
        foreign = [
            Link(s.target, s.title)
            for s in _SPECIALS
            if s.case.startswith("ssrf") and s.outlet == outlet.name
        ]
        self._add_listing(
            outlet, "/", f"{outlet.title} – {outlet.slogan}", self.listed.get((outlet.name, ""), []), foreign
        )
        for section, label in outlet.sections:
            self._add_listing(
                outlet, outlet.section_path(section), label, self.listed.get((outlet.name, section), []), []
            )

    def _add_listing(
        self, outlet: Outlet, path: str, heading: str, items: list[_Placed], extra: list[Link]
    ) -> None:
        """Index pages of ``_LISTING_PAGE_SIZE`` teasers: ``path``, then ``path``seite-2/ and so on."""
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
                extra if number == 0 else [],
                next_page,
            )
            self.routes[outlet.name][page_path] = cached(make)

    def _listing_reply(
        self,
        outlet: Outlet,
        heading: str,
        path: str,
        items: list[_Placed],
        extra: list[Link],
        next_page: str | None,
    ) -> Reply:
        html = pages.listing_page(
            outlet,
            heading=heading,
            canonical=self.bases[outlet.name] + path,
            teasers=[placed.link for placed in items],
            extra=extra,
            popular=self._popular(outlet.name),
            next_page=next_page,
        )
        return document(
            html.encode(), HTML, max((placed.article.published for placed in items), default=None)
        )

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
