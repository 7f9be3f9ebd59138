"""The crawler against the fixture news site on 127.0.0.1, plus its components on their own.

Crawls run in child processes (tests/crawl_helpers.py) under a loopback-only socket guard. The
module's site is crawled twice: the first crawl must end with exactly the manifest's outcome for
every advertised URL, the second must fetch no article page again and store nothing.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from scrapy import Request
from scrapy.http import Response, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, text
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.crawlrun import CrawlRun, SourceOutcome, Validators, shared_names
from crawler.items import FetchedPage
from crawler.middlewares.retry_after import RetryAfterMiddleware, retry_after_seconds
from crawler.middlewares.ssrf import GuardedResolver, SsrfGuardMiddleware, is_public
from crawler.pipelines.consent import is_consent_wall
from crawler.pagework import analyse_page
from crawler.pipelines.extract import ExtractPipeline
from crawler.pipelines.topic import TopicGate
from crawler.reasons import Refused, Reject, classify_failure, reason_class
from crawler.settings import CONFIG, to_scrapy_settings
from crawler.spiders.base import ARTICLE
from crawler.spiders.feed import FeedSpider, entry_links
from crawler.spiders.search import unwrap
from crawler.spiders.sitemap import NewsSitemap, SitemapSpider, entry_date
from crawler.targets import Target, crawl_targets, topic_queries
from newsmon.config import DedupSettings, load_config
from newsmon.dedup import fingerprint_text
from newsmon.fingerprints import signature_bytes
from newsmon.demosite import FixtureSite, ManifestEntry
from newsmon.sources import SourceSpec
from newsmon.extract import Article
from newsmon.topics import load_topics, score_topics, scores_record
from tests.conftest import Cli
from tests.crawl_helpers import CrawlOutcome, crawl_in_subprocess, die_in_worker, fixture_resolver

ROOT = Path(__file__).resolve().parents[1]
SLOW_DELAY = 2.5  # the slow page answers after this many seconds ...
TIMEOUT = 1.0  # ... and the crawler gives up after this many
CRAWL_BOUND = 40.0  # seconds a crawl of the fixture site may take at most


def crawl_env(home: Path) -> dict[str, str]:
    return {
        "NEWSMON_HOME": str(home),
        "NEWSMON_DATABASE_URL": f"sqlite:///{home / 'newsmon.db'}",
        "NEWSMON_CONFIG": "",
        "NEWSMON_CRAWL__ALLOW_PRIVATE_HOSTS": "127.0.0.1",
        "NEWSMON_CRAWL__DOWNLOAD_TIMEOUT": str(TIMEOUT),
        "NEWSMON_CRAWL__DELAY": "0",
        # the fixture's articles carry fixed dates; the cut-off has its own test below
        "NEWSMON_CRAWL__SITEMAP_MAX_AGE_DAYS": "100000",
    }


def site_targets(site: FixtureSite) -> list[Target]:
    """Every feed and sitemap index of the site, and its search feed."""
    targets = [
        Target(f"{outlet}-feed-{number}", "search" if url == site.special["search_feed"] else "feed", url)
        for outlet, urls in site.feeds.items()
        for number, url in enumerate(urls)
    ]
    targets += [Target(f"{outlet}-sitemap", "sitemap", urls[0]) for outlet, urls in site.sitemaps.items()]
    return targets


def advertised(site: FixtureSite) -> list[ManifestEntry]:
    """Manifest entries listed in a feed or sitemap the targets reach."""
    documents = {url for urls in site.sitemaps.values() for url in urls}
    documents |= {target.url for target in site_targets(site)}
    return [entry for entry in site.manifest if documents.intersection(entry.listed_in)]


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


class Store:
    """Read-only view of the crawl's SQLite store."""

    def __init__(self, home: Path) -> None:
        self.url = f"sqlite:///{home / 'newsmon.db'}"

    def rows(self, sql: str) -> list:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(sql)))
        finally:
            engine.dispose()

    def fetch_log(self) -> dict[str, list]:
        log = defaultdict(list)
        for row in self.rows("SELECT url, outcome, reason, article_id FROM fetch_log ORDER BY id"):
            log[row.url].append(row)
        return log


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite.start(slow_delay=SLOW_DELAY) as started:
        yield started


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crawl")


@pytest.fixture(scope="module")
def first(site: FixtureSite, home: Path) -> CrawlOutcome:
    site.clear_requests()
    return crawl_in_subprocess(crawl_env(home), site_targets(site))


@pytest.fixture(scope="module")
def second(site: FixtureSite, home: Path, first: CrawlOutcome) -> tuple[CrawlOutcome, list]:
    """The second crawl and the requests the site answered during it."""
    time.sleep(SLOW_DELAY)  # the slow page logs the first crawl's last attempt when it answers
    site.clear_requests()
    outcome = crawl_in_subprocess(crawl_env(home), site_targets(site))
    return outcome, list(site.requests)


# --- the first crawl -------------------------------------------------------------------------------


def test_first_crawl_stores_exactly_the_expected_articles(
    site: FixtureSite, home: Path, first: CrawlOutcome
) -> None:
    log = Store(home).fetch_log()
    expected: dict[str, set[str]] = defaultdict(set)  # original id -> ids of every copy
    actual: dict[int, set[str]] = defaultdict(set)  # article id -> ids that ended as it
    for entry in advertised(site):
        if entry.expected == "stored" or entry.duplicate_of:
            expected[entry.duplicate_of or entry.id].add(entry.id)
            article_ids = {row.article_id for row in log[entry.url] if row.outcome in ("stored", "duplicate")}
            for article_id in article_ids:
                actual[article_id].add(entry.id)
    assert sorted(map(sorted, actual.values())) == sorted(map(sorted, expected.values()))
    (count,) = Store(home).rows("SELECT count(*) FROM articles")[0]
    assert count == len(expected)


def test_first_crawl_records_a_reason_for_every_other_url(
    site: FixtureSite, home: Path, first: CrawlOutcome
) -> None:
    log = Store(home).fetch_log()
    expected, actual = {}, {}
    for entry in advertised(site):
        if entry.expected != "stored" and not entry.duplicate_of:
            expected[entry.id] = entry.expected
            rejected = [row for row in log[entry.url] if row.outcome == "rejected"]
            actual[entry.id] = reason_class(rejected[-1].reason) if rejected else None
    assert actual == expected


def test_syndicated_copy_is_an_alias_of_the_original(
    site: FixtureSite, home: Path, first: CrawlOutcome
) -> None:
    copy = site.manifest.by_case("syndicated_copy")[0]
    original = site.manifest[copy.duplicate_of]
    rows = Store(home).rows("SELECT url, article_id, layer FROM article_urls")
    by_url = {row.url: row for row in rows}
    assert by_url[copy.url].article_id == by_url[original.url].article_id
    # whichever was fetched first is the article, the other its alias with the deciding layer
    layers = {by_url[copy.url].layer, by_url[original.url].layer}
    assert None in layers
    assert layers - {None} <= {"exact", "near"}


def test_misdeclared_cp1252_page_is_stored_with_its_umlauts(
    site: FixtureSite, home: Path, first: CrawlOutcome
) -> None:
    entry = site.manifest.by_case("encoding")[0]
    rows = Store(home).rows(f"SELECT title, text FROM articles WHERE url = '{entry.url}'")
    assert len(rows) == 1
    assert "\ufffd" not in rows[0].text
    assert any(letter in rows[0].text for letter in "äöüß")


def test_stored_articles_keep_the_scores_and_fingerprint_their_worker_made(
    home: Path, first: CrawlOutcome
) -> None:
    rows = Store(home).rows("SELECT title, text, language, topic_scores, content_hash, minhash FROM articles")
    profiles = load_topics()
    assert rows
    for row in rows:
        stored = json.loads(row.topic_scores)
        assert stored == scores_record(score_topics(profiles, row.title, row.text, row.language).values())
        assert any(score["relevant"] for score in stored.values())
        fingerprint = fingerprint_text(row.text, row.language, DedupSettings())  # made in a worker
        assert row.content_hash == fingerprint.content_hash
        assert row.minhash == signature_bytes(fingerprint.signature)


def test_crawl_ends_in_bounded_time_and_never_leaves_loopback(first: CrawlOutcome) -> None:
    assert first.seconds < CRAWL_BOUND
    assert first.refused == []


def test_summary_counts_what_happened(site: FixtureSite, first: CrawlOutcome) -> None:
    summary = first.summary
    entries = advertised(site)
    assert summary["stored"] == sum(entry.expected == "stored" for entry in entries)
    assert summary["duplicates"] == sum(bool(entry.duplicate_of) for entry in entries)
    assert summary["off_topic"] == sum(entry.expected == "off_topic" for entry in entries)
    assert summary["discovered"] == len(entries)
    assert summary["sources_failed"] == 0


# --- the second crawl ------------------------------------------------------------------------------


def test_second_crawl_fetches_no_article_page_and_stores_nothing(
    site: FixtureSite, home: Path, first: CrawlOutcome, second: tuple[CrawlOutcome, list]
) -> None:
    outcome, requests = second
    articles = {entry.url for entry in site.manifest}
    fetched = {f"{site.outlets[r.outlet].base_url}{r.path}" for r in requests}
    assert fetched & articles == set()
    assert outcome.summary["stored"] == 0
    assert outcome.summary["duplicates"] == 0
    assert outcome.refused == []


def test_second_crawl_reads_no_unchanged_feed_or_sitemap_again(
    site: FixtureSite, home: Path, second: tuple[CrawlOutcome, list]
) -> None:
    _, requests = second
    statuses = {
        f"{site.outlets[r.outlet].base_url}{r.path}": r.status for r in requests if r.path != "/robots.txt"
    }
    assert statuses == {target.url: 304 for target in site_targets(site)}  # sitemap index: 304, so no child
    rows = Store(home).rows("SELECT name, last_outcome, consecutive_failures, etag FROM sources")
    state = {row.name: row for row in rows}
    for target in site_targets(site):
        assert state[target.name].last_outcome == "ok: not modified"
        assert state[target.name].consecutive_failures == 0
        assert state[target.name].etag


# --- components ------------------------------------------------------------------------------------


def test_scrapy_settings_come_from_the_config() -> None:
    env = {
        "NEWSMON_CONFIG": "",
        "NEWSMON_CRAWL__CONTACT": "mailto:ops@example.org",
        "NEWSMON_CRAWL__RETRIES": "4",
    }
    settings = to_scrapy_settings(load_config(None, env=env).config)
    assert settings["USER_AGENT"] == "newsmon/0.1 (+mailto:ops@example.org)"
    assert settings["RETRY_TIMES"] == 4
    assert not {429, 503} & set(settings["RETRY_HTTP_CODES"])  # RetryAfterMiddleware's
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["COOKIES_ENABLED"] is False
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert list(settings["ITEM_PIPELINES"].values()) == sorted(settings["ITEM_PIPELINES"].values())


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2a00:1450:4001:80b::200e", True),
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("::ffff:10.1.2.3", False),
        ("fe80::1%eth0", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://10.0.0.1/politik/a.html", "ssrf"),
        ("http://169.254.169.254/latest/meta-data/", "ssrf"),
        ("http://[::1]:8080/", "ssrf"),
        ("http://intranet.newsmon.test/news/a.html", "ssrf"),
        ("http://unknown.newsmon.test/", "dns"),
        ("http://127.0.0.1:8080/allowed.html", None),
    ],
)
def test_ssrf_guard_decides_before_connecting(url: str, refused: str | None) -> None:
    guard = SsrfGuardMiddleware(["127.0.0.1"], fixture_resolver)
    if refused is None:
        assert asyncio.run(guard.process_request(Request(url))) is None
        return
    with pytest.raises(Refused) as caught:
        asyncio.run(guard.process_request(Request(url)))
    assert caught.value.reason == refused


def mixed_resolver(host: str) -> list[str]:
    """The fixture's names, plus one that resolves to a private and a public address."""
    return ["10.9.9.9", "93.184.216.34"] if host == "mixed.newsmon.test" else fixture_resolver(host)


@pytest.mark.parametrize(
    ("name", "allowed", "address"),
    [
        ("intranet.newsmon.test", [], None),
        ("unknown.newsmon.test", [], None),
        ("mixed.newsmon.test", [], "93.184.216.34"),
        ("intranet.newsmon.test", ["intranet.newsmon.test"], "10.1.2.3"),
        ("10.0.0.1", [], None),
        ("127.0.0.1", ["127.0.0.1"], "127.0.0.1"),
    ],
)
def test_connections_go_only_to_checked_addresses(name: str, allowed: list[str], address: str | None) -> None:
    """The downloader's own lookups pass the same check, so a name that resolves to another
    address after the middleware looked (DNS rebinding) still cannot reach a private one."""
    resolver = GuardedResolver(None, allowed, mixed_resolver)  # type: ignore[arg-type]
    if address is None:
        with pytest.raises(DNSLookupError):
            resolver.address(name)
    else:
        assert resolver.address(name) == address


@pytest.mark.parametrize(
    ("status", "headers", "reason"),
    [
        (404, {}, "not_found"),
        (410, {}, "not_found"),
        (429, {}, "rate_limited"),
        (503, {"Retry-After": "30"}, "rate_limited"),
        (503, {}, "server_error"),
        (500, {}, "server_error"),
        (403, {}, "forbidden"),
        (418, {}, "http_error"),
    ],
)
def test_http_errors_get_their_reason_class(status: int, headers: dict[str, str], reason: str) -> None:
    response = Response("http://127.0.0.1/a.html", status=status, headers=headers)
    assert reason_class(classify_failure(Failure(HttpError(response)))) == reason


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(b"Mon, 23 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds(b"Mon, 23 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds(b"bald") is None
    assert retry_after_seconds(None) is None


class CountingStats:
    def __init__(self) -> None:
        self.values: dict[str, int] = defaultdict(int)

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


def test_rate_limited_answers_are_retried_after_their_wait_then_passed_on() -> None:
    stats = CountingStats()
    middleware = RetryAfterMiddleware(retries=1, max_wait=5, stats=stats)  # type: ignore[arg-type]
    request = Request("http://127.0.0.1/artikel.html")
    refusal = Response(request.url, status=429, headers={"Retry-After": "0"}, request=request)
    retry = asyncio.run(middleware.process_response(request, refusal))
    assert isinstance(retry, Request)
    assert retry.url == request.url
    assert retry.dont_filter
    assert asyncio.run(middleware.process_response(retry, refusal)) is refusal  # retries used up
    too_long = Response(request.url, status=503, headers={"Retry-After": "60"}, request=request)
    assert asyncio.run(middleware.process_response(request, too_long)) is too_long  # over max_wait
    assert stats.values == {"newsmon/retry_after/waited": 1, "newsmon/retry_after/gave_up": 2}


def test_sitemap_spider_skips_old_entries_and_follows_indexes() -> None:
    env = {"NEWSMON_CONFIG": "", "NEWSMON_CRAWL__SITEMAP_MAX_AGE_DAYS": "3"}
    crawler = get_crawler(SitemapSpider, {CONFIG: load_config(None, env=env).config})
    target = Target("beispiel", "sitemap", "https://beispiel.newsmon.test/sitemap.xml")
    spider = SitemapSpider.from_crawler(crawler, targets=[target])
    now = datetime.now(UTC)
    urlset = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://beispiel.newsmon.test/neu</loc><news:news><news:publication_date>{(now - timedelta(days=1)).isoformat()}</news:publication_date></news:news></url>
<url><loc>https://beispiel.newsmon.test/alt</loc><lastmod>{(now - timedelta(days=10)).isoformat()}</lastmod></url>
<url><loc>https://beispiel.newsmon.test/undatiert</loc></url>
</urlset>"""
    index = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://beispiel.newsmon.test/sitemap-neu.xml</loc><lastmod>{now.isoformat()}</lastmod></sitemap>
<sitemap><loc>https://beispiel.newsmon.test/sitemap-2019.xml</loc><lastmod>2019-01-01</lastmod></sitemap>
</sitemapindex>"""
    articles = list(spider.parse_discovery(XmlResponse(target.url, body=urlset.encode()), target))
    sitemaps = list(spider.parse_discovery(XmlResponse(target.url, body=index.encode()), target))
    assert [request.url for request in articles] == [
        "https://beispiel.newsmon.test/neu",
        "https://beispiel.newsmon.test/undatiert",
    ]
    assert all(ARTICLE in request.meta for request in articles)
    assert [request.url for request in sitemaps] == ["https://beispiel.newsmon.test/sitemap-neu.xml"]
    assert not any(ARTICLE in request.meta for request in sitemaps)
    assert crawler.stats.get_value("newsmon/sitemap/too_old") == 2


def test_a_dying_extraction_worker_costs_one_page_not_the_crawl(site: FixtureSite) -> None:
    url = site.manifest["tb-h200-lizenzen"].url
    page = FetchedPage(url, url, "tagesblick", download(url).decode(), datetime.now(UTC))
    pipeline = ExtractPipeline(ZoneInfo("Europe/Berlin"), workers=1, analyse=die_in_worker)
    try:
        with pytest.raises(Reject) as caught:
            asyncio.run(pipeline.process_item(page))
        assert caught.value.reason == "error"
        pipeline.analyse = analyse_page
        extracted = asyncio.run(pipeline.process_item(page))
        assert extracted.article.title.startswith("Washington erlaubt Nvidia")
        assert extracted.topic_scores["ki-wettlauf-usa-china"].relevant
    finally:
        pipeline.close_spider()


def test_billion_laughs_feed_is_parsed_quickly_in_little_memory(site: FixtureSite) -> None:
    url = site.special["billion_laughs_feed"]
    body = download(url)
    tracemalloc.start()
    started = time.perf_counter()
    links, problem = entry_links(body, url)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 2
    assert peak < 20 * 1024 * 1024
    assert problem
    assert len(links) >= 3
    assert all(link.startswith(site.outlets["technikwelt"].base_url) for link in links)


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("http://127.0.0.1:8/r?url=http%3A%2F%2F127.0.0.1%3A9%2Fa.html", "http://127.0.0.1:9/a.html"),
        (
            "https://news.example/articles/CBMiK2h0dHBz?oc=5",
            "https://news.example/articles/CBMiK2h0dHBz?oc=5",
        ),
        ("https://search.example/r?q=KI+USA", "https://search.example/r?q=KI+USA"),  # a query, not a URL
    ],
)
def test_search_links_are_unwrapped_to_the_publishers_url(link: str, target: str) -> None:
    assert unwrap(link) == target


def test_malformed_feed_still_yields_its_entries(site: FixtureSite) -> None:
    url = site.special["malformed_feed"]
    links, problem = entry_links(download(url), url)
    assert problem
    assert site.special["malformed_feed_only"] in links


def test_news_sitemap_entries_carry_their_publication_date() -> None:
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://example.org/a</loc><news:news><news:publication_date>2026-11-20T08:00:00+01:00</news:publication_date></news:news></url>
  <url><loc>https://example.org/b</loc><lastmod>2026-01-02</lastmod></url>
  <url><loc>https://example.org/c</loc></url>
</urlset>"""
    entries = list(NewsSitemap(body))
    assert [entry_date(entry) for entry in entries] == [
        datetime(2026, 11, 20, 7, 0, tzinfo=UTC),
        datetime(2026, 1, 2, tzinfo=UTC),
        None,
    ]


def test_consent_wall_is_told_from_an_article_with_a_cookie_banner(site: FixtureSite) -> None:
    wall = download(site.special["consent_wall"]).decode()
    article = site.manifest["tb-h200-lizenzen"].url
    page = download(article).decode()
    assert "Cookies" in page
    assert is_consent_wall(wall)
    assert not is_consent_wall(page)


def _scored_page(title: str, text: str) -> FetchedPage:
    article = Article(url="https://x.example/a", title=title, text=text, language="de", published=None)
    scores = score_topics(load_topics(), title, text, "de")
    return FetchedPage(
        article.url, article.url, "test", "<html></html>", datetime.now(UTC), article=article, topic_scores=scores
    )


def test_topic_gate_passes_pages_when_there_are_no_topic_profiles() -> None:
    page = replace(_scored_page("Neuer Grafiktreiber", "Nvidia bringt einen Treiber für Spiele."), topic_scores={})
    assert TopicGate().process_item(page) is page


@pytest.mark.parametrize(
    ("title", "text", "on_topic"),
    [
        (
            "Nvidia darf H200 nach China liefern",
            "Washington lockert die Exportkontrollen für KI-Chips: Nvidia darf den H200 an chinesische "
            "Kunden verkaufen. Huawei arbeitet unterdessen am Ascend 910C, DeepSeek trainiert darauf.",
            True,
        ),
        (
            "Die Klinik setzt KI ein",
            "Künstliche Intelligenz erkennt Tumore auf Röntgenbildern schneller als bisher, sagt die Klinik.",
            False,
        ),
        (
            "Neuer Grafiktreiber",
            "Nvidia bringt einen Treiber für Spiele heraus. Er macht Grafikkarten in neuen Spielen schneller.",
            False,
        ),
    ],
)
def test_topic_gate_keeps_what_a_topic_profile_finds_relevant(title: str, text: str, on_topic: bool) -> None:
    gate = TopicGate()
    page = _scored_page(title, text)
    if on_topic:
        assert gate.process_item(page) is page
    else:
        with pytest.raises(Reject, match="ki-wettlauf-usa-china"):
            gate.process_item(page)


def crawl_command(
    home: Path, sources: Path, more_env: dict[str, str] | None = None, returncode: int = 0
) -> subprocess.CompletedProcess[str]:
    """`newsmon crawl --json` of the sources in ``sources`` under the loopback guard."""
    env = {**crawl_env(home), "PYTHONPATH": str(ROOT), "NEWSMON_SOURCES_FILE": str(sources)}
    env.update(more_env or {})
    result = subprocess.run(
        [sys.executable, "-m", "tests.crawl_helpers", "crawl", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == returncode, result.stderr
    return result


def test_crawl_command_crawls_the_registered_sources(site: FixtureSite, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""
[[source]]
name = "technikwelt-ki"
outlet = "Technikwelt"
kind = "feed"
url = "{site.special["malformed_feed"]}"

[[source]]
name = "verschwunden"
outlet = "Technikwelt"
kind = "feed"
url = "{site.url("technikwelt", "/feeds/gibt-es-nicht.xml")}"

[[source]]
name = "kein-feed"
outlet = "Technikwelt"
kind = "feed"
url = "{site.url("technikwelt", "/impressum.html")}"

[[source]]
name = "abgeschaltet"
outlet = "Technikwelt"
kind = "feed"
url = "{site.feeds["technikwelt"][0]}"
enabled = false
""",
        encoding="utf-8",
    )
    result = crawl_command(tmp_path, sources)
    summary = json.loads(result.stdout)
    malformed_feed_entries = [
        entry for entry in site.manifest if site.special["malformed_feed"] in entry.listed_in
    ]
    assert summary["discovered"] == len(malformed_feed_entries)  # the disabled source was not crawled
    assert summary["stored"] >= 1
    rows = Store(tmp_path).rows(
        "SELECT DISTINCT s.name FROM fetch_log f JOIN sources s ON s.id = f.source_id"
    )
    assert [row.name for row in rows] == ["technikwelt-ki"]


def test_crawl_command_asks_a_search_source_each_topic_query_once(site: FixtureSite, tmp_path: Path) -> None:
    search_path = urlsplit(site.special["search_feed"]).path
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f"""
[[source]]
name = "nachrichtensuche"
outlet = "Nachrichtensuche"
kind = "search"
url_template = "{site.url("nachrichtensuche", search_path)}?q={{query}}&hl=de"
""",
        encoding="utf-8",
    )
    site.clear_requests()
    result = crawl_command(tmp_path, sources)
    asked = [
        parse_qs(urlsplit(request.path).query)["q"][0]
        for request in site.requests
        if urlsplit(request.path).path == search_path
    ]
    assert sorted(asked) == sorted(topic_queries(load_topics(), "de"))
    summary = json.loads(result.stdout)
    listed = [entry for entry in site.manifest if site.special["search_feed"] in entry.listed_in]
    assert summary["discovered"] == len(listed)  # each result once, however many queries listed it
    assert summary["sources_failed"] == 0
    (state,) = Store(tmp_path).rows("SELECT last_outcome, etag, last_modified FROM sources")
    assert state.last_outcome.startswith("ok: ")
    assert state.etag is None and state.last_modified is None  # validators belong to one query's URL


def test_a_broken_topics_file_fails_the_crawl_before_any_request(site: FixtureSite, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    feed = site.feeds["technikwelt"][0]
    sources.write_text(
        f'[[source]]\nname = "tw"\noutlet = "Technikwelt"\nkind = "feed"\nurl = "{feed}"\n', encoding="utf-8"
    )
    topics = tmp_path / "topics.toml"
    topics.write_text('[[topic]]\nname = "kaputt"\n', encoding="utf-8")
    site.clear_requests()
    result = crawl_command(tmp_path, sources, {"NEWSMON_TOPICS_FILE": str(topics)}, returncode=1)
    assert "topic 'kaputt'" in result.stderr
    assert "Traceback" not in result.stderr
    assert site.requests == ()


def test_search_sources_get_a_target_per_distinct_topic_query() -> None:
    profiles = load_topics()
    feed_url = "https://beispiel.newsmon.test/rss.xml"
    feed = SourceSpec(name="feed", outlet="Beispiel", kind="feed", url=feed_url)
    template = "https://suche.newsmon.test/rss?q={query}"
    german = SourceSpec(name="suche", outlet="Suche", kind="search", url_template=template)
    french = SourceSpec(name="recherche", outlet="Suche", kind="search", url_template=template, language="fr")
    queries = topic_queries(profiles, "de")
    assert len(queries) >= 2
    assert topic_queries([*profiles, *profiles], "de") == queries  # a query two topics share: asked once

    targets, unasked = crawl_targets([feed, german, french], None)
    assert [(target.name, target.kind, target.url) for target in targets] == [
        ("feed", "feed", feed_url),
        *(("suche", "search", template.replace("{query}", quote(query, safe=""))) for query in queries),
    ]
    assert unasked == ["recherche"]  # no topic follows French

    targets, unasked = crawl_targets([german, french], None, query="KI & Chips")
    assert [target.url for target in targets] == ["https://suche.newsmon.test/rss?q=KI%20%26%20Chips"] * 2
    assert unasked == []


def test_a_source_read_under_several_urls_keeps_its_first_failure_and_no_validators() -> None:
    search = Target("suche", "search", "https://suche.newsmon.test/rss?q=a")
    other = Target("suche", "search", "https://suche.newsmon.test/rss?q=b")
    feed = Target("feed", "feed", "https://beispiel.newsmon.test/rss.xml")
    run = CrawlRun(shared=shared_names([search, other, feed]))
    assert run.shared == {"suche"}
    fresh = Validators('"v1"', "Mon, 23 Nov 2026 10:00:00 GMT")
    assert run.validators_to_keep("suche", fresh) == Validators()
    assert run.validators_to_keep("feed", fresh) == fresh
    run.record("suche", SourceOutcome(True, "3 listed"))
    run.record("suche", SourceOutcome(False, "server_error: HTTP 503"))
    run.record("suche", SourceOutcome(True, "5 listed"))
    assert run.outcomes["suche"] == SourceOutcome(False, "server_error: HTTP 503")


def test_crawl_command_refuses_unknown_sources_and_half_given_urls(cli: Cli) -> None:
    assert "no such source: nirgendwo" in cli("crawl", "--source", "nirgendwo", expect=2).output
    assert "--url and --kind go together" in cli("crawl", "--url", "http://127.0.0.1:9/", expect=2).output


def test_feed_spider_follows_only_urls_matching_the_sources_pattern() -> None:
    crawler = get_crawler(FeedSpider, {CONFIG: load_config(None, env={"NEWSMON_CONFIG": ""}).config})
    target = Target("beispiel", "feed", "https://beispiel.newsmon.test/rss.xml", url_pattern=r"/artikel/")
    spider = FeedSpider.from_crawler(crawler, targets=[target])
    rss = b"""<rss version="2.0"><channel><title>Beispiel</title>
<item><title>A</title><link>https://beispiel.newsmon.test/artikel/a.html</link></item>
<item><title>B</title><link>https://beispiel.newsmon.test/video/b.html</link></item>
</channel></rss>"""
    requests = list(spider.parse_discovery(XmlResponse(target.url, body=rss), target))
    assert [request.url for request in requests] == ["https://beispiel.newsmon.test/artikel/a.html"]
    assert crawler.stats.get_value("newsmon/not_followed") == 1
