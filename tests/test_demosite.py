"""The fixture news site, tested over real HTTP on 127.0.0.1.

Crawler tests trust the site's manifest, so these tests hold the site to it: every advertised URL
is in the manifest, every manifest URL behaves as its expectation says, and each hostile page is
hostile in exactly the documented way (without the test itself falling for it: the gzip bomb is
never fully inflated, the billion-laughs feed never parsed).
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from lxml import etree

from newsmon.demosite import REASONS, FixtureSite
from newsmon.demosite.content import BERLIN, load_articles
from newsmon.demosite.hostile import BOMB_PATTERN, BOMB_SIZE
from newsmon.demosite.synthetic import synthetic_articles
from newsmon.urls import canonical_url

MiB = 1024 * 1024
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    limit: int | None = None,
    timeout: float = 5,
) -> Fetched:
    """One request without following redirects; reads at most ``limit`` bytes of the body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        response = connection.getresponse()
        return Fetched(response.status, response.headers, response.read(limit) if limit else response.read())
    finally:
        connection.close()


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def news_article(data: dict) -> dict:
    return next(node for node in data.get("@graph", [data]) if node["@type"] == "NewsArticle")


def listed_urls(body: bytes, *, strict: bool = True) -> list[str]:
    """The article URLs a feed or sitemap lists (search-feed redirects unwrapped).

    ``strict=False`` reads the links with a regex, for the hostile feeds no XML parser may see.
    """
    if not strict:
        links = re.findall(r"<link>(.*?)</link>", body.decode())[1:]  # skip the channel's own link
    else:
        root = ET.fromstring(body)
        links = [link.text for link in root.iterfind("channel/item/link")]
        links += [link.get("href") for link in root.iterfind("atom:entry/atom:link", NS)]
        links += [loc.text for loc in root.iterfind("sm:url/sm:loc", NS)]
    links = [link.replace("&amp;", "&") for link in links]
    return [
        parse_qs(urlsplit(link).query)["url"][0] if urlsplit(link).path == "/r" else link for link in links
    ]


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    """A site shared by tests that do not depend on request counts."""
    with FixtureSite.start(slow_delay=0.2) as started:
        yield started


# --- content ---------------------------------------------------------------------------------------


def test_hand_written_articles_are_plausible_german_news() -> None:
    articles = load_articles()
    assert 40 <= len(articles) <= 60
    on_topic = [article for article in articles if article.on_topic]
    assert 0.5 <= len(on_topic) / len(articles) <= 0.75
    assert {article.outlet for article in articles} == {"tagesblick", "technikwelt"}
    for article in articles:
        limits = (40, 100) if article.case == "paywall" else (150, 400)
        assert limits[0] <= article.word_count <= limits[1], article.id
        assert article.authors
        assert article.tags
        assert len(article.body) >= 1
        assert article.published.utcoffset() == article.published.astimezone(BERLIN).utcoffset()
    text = " ".join(" ".join(article.body) for article in articles)
    assert all(umlaut in text for umlaut in "äöüß")
    offsets = {article.published.utcoffset().total_seconds() for article in articles}
    assert offsets == {3600, 7200}  # winter and summer time both occur


def test_synthetic_articles_are_deterministic_and_distinct() -> None:
    first, again = synthetic_articles(300, seed=7), synthetic_articles(300, seed=7)
    assert first == again
    assert synthetic_articles(5, seed=8) != first[:5]
    assert 0.45 <= sum(article.on_topic for article in first) / len(first) <= 0.75
    shingles = []
    for article in first[:120]:
        words = " ".join(article.body).lower().split()
        shingles.append({tuple(words[i : i + 4]) for i in range(len(words) - 3)})
    worst = max(len(a & b) / min(len(a), len(b)) for i, a in enumerate(shingles) for b in shingles[i + 1 :])
    assert worst < 0.5  # far from the near-duplicate layer's containment threshold


# --- hosts and pages -------------------------------------------------------------------------------


def test_outlets_are_separate_hosts_on_loopback(site: FixtureSite) -> None:
    publishers = [outlet for outlet in site.outlets.values() if outlet.kind == "publisher"]
    assert {outlet.name for outlet in publishers} >= {"tagesblick", "technikwelt"}
    assert len({outlet.port for outlet in site.outlets.values()}) == len(site.outlets)
    assert all(outlet.base_url == f"http://127.0.0.1:{outlet.port}" for outlet in site.outlets.values())
    assert site.url("technikwelt", "/robots.txt") == site.outlets["technikwelt"].base_url + "/robots.txt"


@pytest.mark.parametrize(
    ("entry_id", "layout_marker", "other_marker"),
    [
        ("tb-h200-lizenzen", "tb-article", "article-content"),
        ("tw-h200-technik", "article-content", "tb-article"),
    ],
)
def test_article_pages_carry_metadata_and_boilerplate(
    site: FixtureSite, entry_id: str, layout_marker: str, other_marker: str
) -> None:
    article = next(article for article in load_articles() if article.id == entry_id)
    page = fetch(site.manifest[entry_id].url)
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.text()
    data = news_article(json_ld(html))
    assert data["headline"] == article.title
    assert data["datePublished"] == article.published.isoformat()
    authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
    assert [author["name"] for author in authors] == list(article.authors)
    assert "publisher" in data
    assert data["isAccessibleForFree"] is True
    assert f'<meta property="og:title" content="{article.title}">' in html
    assert re.search(f'<time [^>]*datetime="{re.escape(article.published.isoformat())}"', html)
    assert f'<link rel="canonical" href="{site.manifest[entry_id].url}">' in html
    for boilerplate in ("Mehr zum Thema", "Cookies", "Impressum", "<nav", "<footer"):
        assert boilerplate in html
    assert all(paragraph in html for paragraph in article.body)
    assert layout_marker in html
    assert other_marker not in html
    assert ('data-share="' in html) or ("share-bar" in html)


def test_index_pages_link_articles(site: FixtureSite) -> None:
    home = fetch(site.url("tagesblick", "/")).text()
    links = {urljoin(site.url("tagesblick", "/"), href) for href in re.findall(r'href="([^"]+\.html)"', home)}
    assert site.manifest["tb-h200-lizenzen"].url in links
    section = fetch(site.url("technikwelt", "/thema/ki/")).text()
    assert "news-list__item" in section
    assert "/news/2026/11/" in section
    assert fetch(site.url("technikwelt", "/gibt-es-nicht")).status == 404


# --- manifest --------------------------------------------------------------------------------------


def test_every_manifest_url_behaves_as_expected() -> None:
    statuses = {"not_found": 404, "server_error": 500, "redirect_loop": 301, "consent_wall": 302}
    with FixtureSite.start(slow_delay=0.1) as site:
        own_hosts = {urlsplit(outlet.base_url).netloc for outlet in site.outlets.values()}
        assert len({entry.id for entry in site.manifest}) == len(site.manifest)
        for entry in site.manifest:
            assert (
                entry.expected in REASONS
                or entry.expected == "stored"
                or entry.duplicate_of in {e.id for e in site.manifest}
            )
            if entry.expected == "ssrf":
                assert urlsplit(entry.url).netloc not in own_hosts
                continue
            assert urlsplit(entry.url).netloc in own_hosts, entry.id
            page = fetch(entry.url, limit=64 * 1024)
            expected_status = 429 if entry.case == "rate_limited" else statuses.get(entry.expected, 200)
            assert page.status == expected_status, entry.id
            if expected_status == 200 and entry.expected != "not_html":
                assert page.headers["Content-Type"].startswith("text/html"), entry.id


def test_every_advertised_url_is_in_the_manifest(site: FixtureSite) -> None:
    listings: dict[str, list[str]] = {}
    hostile = {site.special["malformed_feed"], site.special["billion_laughs_feed"]}
    for outlet, urls in [*site.feeds.items(), *site.sitemaps.items()]:
        for url in urls:
            body = fetch(url).body
            if url.endswith("sitemap_index.xml"):
                pages = [loc.text for loc in ET.fromstring(body).iterfind("sm:sitemap/sm:loc", NS)]
                assert pages == list(site.sitemaps[outlet][1:])
                continue
            listings[url] = listed_urls(body, strict=url not in hostile)
            assert listings[url], url
            for listed in listings[url]:
                assert listed in site.manifest, (url, listed)
    for entry in site.manifest:
        assert entry.listed_in, entry.id
        for document in entry.listed_in:
            assert entry.url in listings[document], (entry.id, document)
    only = site.manifest.by_case("malformed_feed_only")[0]
    assert only.listed_in == (site.special["malformed_feed"],)


def test_manifest_expectations_for_special_cases(site: FixtureSite) -> None:
    manifest = site.manifest
    assert manifest["tb-h200-lizenzen-amp"].duplicate_of == "tb-h200-lizenzen"
    assert manifest["tb-deepseek-v4-utm"].duplicate_of == "tb-deepseek-v4"
    assert manifest["tb-stargate-texas-syndiziert"].duplicate_of == "tb-stargate-texas"
    assert manifest["tb-stargate-texas-syndiziert"].outlet == "technikwelt"
    expected = {
        "paywall": "paywall",
        "slow": "timeout",
        "robots": "robots",
        "repeated_text": "stored",
        "rate_limited": "stored",
        "encoding": "stored",
        "not_found": "not_found",
        "server_error": "server_error",
        "redirect_loop": "redirect_loop",
        "too_large": "too_large",
        "gzip_bomb": "too_large",
        "pdf": "not_html",
        "consent_wall": "consent_wall",
        "ssrf_private": "ssrf",
        "ssrf_metadata": "ssrf",
        "ssrf_intranet": "ssrf",
    }
    for case, outcome in expected.items():
        assert [entry.expected for entry in manifest.by_case(case)] == [outcome], case
    assert {entry.expected for entry in manifest if not entry.on_topic} == {"off_topic"}
    assert manifest["tb-h200-lizenzen"].story == manifest["tw-h200-technik"].story == "h200-lizenzen"
    assert manifest.by_url(site.special["slow"]) == manifest.by_case("slow")[0]


# --- discovery documents ---------------------------------------------------------------------------


def test_feeds_and_sitemaps_are_well_formed(site: FixtureSite) -> None:
    rss = ET.fromstring(fetch(site.feeds["tagesblick"][0]).body)
    items = rss.findall("channel/item")
    assert len(items) > 20
    assert all(item.findtext("pubDate") and item.findtext("guid") for item in items)
    atom = ET.fromstring(fetch(site.feeds["technikwelt"][1]).body)
    assert atom.tag == "{http://www.w3.org/2005/Atom}feed"
    assert len(atom.findall("atom:entry", NS)) > 15
    news = ET.fromstring(fetch(site.sitemaps["tagesblick"][1]).body)
    dates = [date.text for date in news.iterfind("sm:url/news:news/news:publication_date", NS)]
    assert dates
    assert all(re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:00\+0[12]:00", date) for date in dates)
    urls = ET.fromstring(fetch(site.sitemaps["technikwelt"][2]).body)
    assert all(url.findtext("sm:lastmod", namespaces=NS) for url in urls.iterfind("sm:url", NS))
    assert fetch(site.feeds["tagesblick"][0]).headers["Content-Type"] == "application/rss+xml; charset=utf-8"


def test_robots_txt_disallows_one_path_and_names_the_sitemap_index(site: FixtureSite) -> None:
    robots_txt = fetch(site.url("tagesblick", "/robots.txt"))
    assert robots_txt.headers["Content-Type"] == "text/plain; charset=utf-8"
    text = robots_txt.text()
    assert "Disallow: /intern/" in text
    assert f"Sitemap: {site.sitemaps['tagesblick'][0]}" in text
    rules = RobotFileParser()
    rules.parse(text.splitlines())
    assert not rules.can_fetch("newsmon", site.special["robots"])
    assert rules.can_fetch("newsmon", site.manifest["tb-h200-lizenzen"].url)
    assert not rules.can_fetch("GPTBot", site.manifest["tb-h200-lizenzen"].url)
    assert fetch(site.special["robots"]).status == 200  # served: only the crawler's manners keep it out


@pytest.mark.parametrize("which", ["rss", "atom", "news", "index", "article"])
def test_conditional_get_answers_304(site: FixtureSite, which: str) -> None:
    url = {
        "rss": site.feeds["technikwelt"][0],
        "atom": site.feeds["tagesblick"][1],
        "news": site.sitemaps["tagesblick"][1],
        "index": site.sitemaps["technikwelt"][0],
        "article": site.manifest["tw-deepseek-test"].url,
    }[which]
    first = fetch(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status == 200
    assert etag
    assert modified
    by_etag = fetch(url, headers={"If-None-Match": etag})
    assert (by_etag.status, by_etag.body) == (304, b"")
    assert by_etag.headers["ETag"] == etag
    assert fetch(url, headers={"If-Modified-Since": modified}).status == 304
    older = format_datetime(parsedate_to_datetime(modified) - timedelta(days=1), usegmt=True)
    assert fetch(url, headers={"If-Modified-Since": older}).status == 200
    assert fetch(url, headers={"If-None-Match": '"anders"', "If-Modified-Since": modified}).status == 200
    path = urlsplit(url).path
    assert any(
        r.path == path and r.header("If-None-Match") == etag and r.status == 304 for r in site.requests
    )


# --- hostile pages ---------------------------------------------------------------------------------


def test_rate_limited_page_refuses_with_retry_after_then_serves() -> None:
    with FixtureSite.start(rate_limit_count=3, retry_after=2) as site:
        url = site.special["rate_limited"]
        refusals = [fetch(url) for _ in range(3)]
        assert [(r.status, r.headers["Retry-After"]) for r in refusals] == [(429, "2")] * 3
        served = fetch(url)
        assert served.status == 200
        assert "Chinesische KI-Firmen mieten" in served.text()
        assert [record.status for record in site.requests] == [429, 429, 429, 200]


def test_slow_page_answers_after_the_configured_delay(site: FixtureSite) -> None:
    url = site.special["slow"]
    started = time.monotonic()
    assert fetch(url).status == 200
    assert time.monotonic() - started >= 0.2
    with pytest.raises(TimeoutError):
        fetch(url, timeout=0.05)


def test_redirect_loop_never_arrives(site: FixtureSite) -> None:
    url, seen = site.special["redirect_loop"], []
    for _ in range(4):
        response = fetch(url)
        assert response.status in (301, 302)
        seen.append(url)
        url = urljoin(url, response.headers["Location"])
    assert len(set(seen)) == 2
    assert seen[2] == seen[0]


def test_oversized_page_is_20_mib_streamed(site: FixtureSite) -> None:
    url = site.special["too_large"]
    assert fetch(url, method="HEAD").headers["Content-Length"] == str(20 * MiB)
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        first = response.read(64 * 1024)
        total = len(first)
        while chunk := response.read(MiB):
            total += len(chunk)
    finally:
        connection.close()
    assert first.startswith(b"<!doctype html>")
    assert total == 20 * MiB


def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(site: FixtureSite) -> None:
    response = fetch(site.special["gzip_bomb"])
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("text/html")
    assert int(response.headers["Content-Length"]) == len(response.body) < 5 * MiB
    assert response.body[:3] == b"\x1f\x8b\x08"
    assert int.from_bytes(response.body[-4:], "little") == BOMB_SIZE % 2**32
    assert BOMB_SIZE >= 2**30
    start = zlib.decompressobj(wbits=31).decompress(response.body[:4096], 1024)  # the first KB only
    assert start == (BOMB_PATTERN * (1024 // len(BOMB_PATTERN) + 1))[:1024]


def test_pdf_is_a_real_pdf(site: FixtureSite) -> None:
    response = fetch(site.special["pdf"])
    assert response.headers["Content-Type"] == "application/pdf"
    pdf = response.body
    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.rstrip().endswith(b"%%EOF")
    xref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref:].startswith(b"xref")


def test_cp1252_page_is_declared_utf8(site: FixtureSite) -> None:
    response = fetch(site.special["encoding"])
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<meta charset="utf-8">' in response.body
    with pytest.raises(UnicodeDecodeError):
        response.body.decode("utf-8")
    assert "Sächsische Chipfabriken spüren den Streit" in response.body.decode("cp1252")


def test_malformed_feed_breaks_strict_parsers_but_keeps_its_items(site: FixtureSite) -> None:
    body = fetch(site.special["malformed_feed"]).body
    with pytest.raises(ET.ParseError):
        ET.fromstring(body)
    assert b"&nbsp;" in body
    assert b"Forschung & Entwicklung" in body
    assert not body.rstrip().endswith(b"</rss>")
    recovered = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False))
    links = [link.text for link in recovered.iterfind("channel/item/link")]
    assert site.special["malformed_feed_only"] in links
    assert len(links) == len(listed_urls(body, strict=False))


def test_billion_laughs_feed_declares_nested_entities(site: FixtureSite) -> None:
    body = fetch(site.special["billion_laughs_feed"]).body  # bytes only: never parsed here
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rss [')
    assert b'<!ENTITY lol0 "lol">' in body
    assert b'<!ENTITY lol9 "' + b"&lol8;" * 10 + b'">' in body
    assert b"&lol9;</title>" in body
    assert all(url in site.manifest for url in listed_urls(body, strict=False))


def test_consent_wall_replaces_the_article(site: FixtureSite) -> None:
    redirect = fetch(site.special["consent_wall"])
    assert redirect.status == 302
    assert redirect.headers["Location"].startswith("/zustimmung?ziel=")
    wall = fetch(urljoin(site.special["consent_wall"], redirect.headers["Location"]))
    html = wall.text()
    assert wall.status == 200
    assert "Bevor Sie fortfahren" in html
    assert "Zustimmen" in html
    assert "NewsArticle" not in html
    assert "Huawei" not in html


def test_paywall_teaser_is_marked_not_free(site: FixtureSite) -> None:
    html = fetch(site.special["paywall"]).text()
    data = news_article(json_ld(html))
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"]["cssSelector"] == ".paywall"
    teaser = re.search(r'<div class="tb-body tb-body--teaser">(.*?)</div>', html, re.S).group(1)
    assert len(re.sub(r"<[^>]+>", " ", teaser).split()) < 80
    assert "Jetzt abonnieren" in html


def test_repeated_text_page_contains_its_text_twice(site: FixtureSite) -> None:
    html = fetch(site.special["repeated_text"]).text()
    article = next(article for article in load_articles() if article.case == "repeated_text")
    assert all(html.count(f"<p>{paragraph}</p>") == 2 for paragraph in article.body)


def test_amp_and_utm_copies_point_to_the_original(site: FixtureSite) -> None:
    original, amp = site.manifest["tb-h200-lizenzen"], site.manifest["tb-h200-lizenzen-amp"]
    assert f'<link rel="amphtml" href="{amp.url}">' in fetch(original.url).text()
    amp_html = fetch(amp.url).text()
    assert "<html amp" in amp_html
    assert f'<link rel="canonical" href="{original.url}">' in amp_html
    utm, clean = site.manifest["tb-deepseek-v4-utm"], site.manifest["tb-deepseek-v4"]
    assert "utm_source=" in utm.url
    assert fetch(utm.url).body == fetch(clean.url).body
    assert canonical_url(utm.url) == canonical_url(clean.url)
    assert canonical_url(amp.url) == canonical_url(original.url)


def test_syndicated_copy_has_the_same_text_in_the_other_layout(site: FixtureSite) -> None:
    article = next(article for article in load_articles() if article.syndicated_to)
    copy = site.manifest[f"{article.id}-syndiziert"]
    original_html, copy_html = fetch(site.manifest[article.id].url).text(), fetch(copy.url).text()
    assert all(paragraph in copy_html for paragraph in article.body)
    assert "tb-article" in original_html
    assert "article-content" in copy_html
    assert "tb-article" not in copy_html
    assert urlsplit(copy.url).netloc != urlsplit(site.manifest[article.id].url).netloc


def test_search_feed_wraps_links_in_its_redirect(site: FixtureSite) -> None:
    feed = ET.fromstring(fetch(site.special["search_feed"]).body)
    links = [link.text for link in feed.iterfind("channel/item/link")]
    redirector = site.url("nachrichtensuche", "/r?url=")
    assert links
    assert all(link.startswith(redirector) for link in links)
    first = fetch(links[-1])
    assert first.status == 302
    assert first.headers["Location"] in site.manifest
    metadata = next(link for link in links if "169.254.169.254" in link)
    assert (
        fetch(metadata).headers["Location"] == "http://169.254.169.254/latest/meta-data/"
    )  # not followed here
    assert fetch(site.url("nachrichtensuche", "/r")).status == 400


def test_ssrf_links_appear_in_feeds_and_pages(site: FixtureSite) -> None:
    targets = [site.special[case] for case in ("ssrf_private", "ssrf_metadata", "ssrf_intranet")]
    assert [urlsplit(url).hostname for url in targets] == [
        "10.0.0.1",
        "169.254.169.254",
        "intranet.newsmon.test",
    ]
    rss = fetch(site.feeds["tagesblick"][0]).text()
    home = fetch(site.url("tagesblick", "/")).text()
    assert all(url in rss and url in home for url in targets)
    assert any(url in fetch(site.manifest["tb-qwen-offen"].url).text() for url in targets)


# --- scale -----------------------------------------------------------------------------------------


def test_scale_adds_synthetic_articles_listed_in_paginated_sitemaps() -> None:
    started = time.monotonic()
    with FixtureSite.start(2000) as site:
        assert time.monotonic() - started < 2
        with FixtureSite.start() as small:
            assert len(site.manifest) == len(small.manifest) + 2000
        synthetic = [entry for entry in site.manifest if entry.id.startswith("syn-")]
        assert {entry.expected for entry in synthetic} == {"stored", "off_topic"}
        for outlet, sitemaps in site.sitemaps.items():
            index = ET.fromstring(fetch(sitemaps[0]).body)
            assert [loc.text for loc in index.iterfind("sm:sitemap/sm:loc", NS)] == list(sitemaps[1:])
            listed = set()
            for sitemap in sitemaps[2:]:
                urls = listed_urls(fetch(sitemap).body)
                assert len(urls) <= 1000
                listed.update(urls)
            assert {entry.url for entry in synthetic if entry.outlet == outlet} <= listed
        assert len(site.sitemaps["tagesblick"]) >= 4  # index, news, at least two URL pages
        page = fetch(synthetic[0].url)
        assert page.status == 200
        assert synthetic[0].title in page.text()


# --- server behaviour ------------------------------------------------------------------------------


def test_request_log_records_what_was_asked(site: FixtureSite) -> None:
    site.clear_requests()
    fetch(
        site.manifest["tw-rtx-test"].url + "?ref=start",
        headers={"If-None-Match": '"x"', "User-Agent": "newsmon-test"},
    )
    fetch(site.url("tagesblick", "/gibt-es-nicht"), method="HEAD")
    first, second = site.requests
    assert (first.outlet, first.method, first.status) == ("technikwelt", "GET", 200)
    assert first.path.endswith("?ref=start")
    assert first.header("if-none-match") == '"x"'
    assert first.headers["user-agent"] == "newsmon-test"
    assert (second.outlet, second.method, second.path, second.status) == (
        "tagesblick",
        "HEAD",
        "/gibt-es-nicht",
        404,
    )


def test_keep_alive_connection_serves_several_requests(site: FixtureSite) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", site.outlets["tagesblick"].port, timeout=5)
    try:
        for path in ("/", "/robots.txt", "/feed/atom.xml"):
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200
            assert response.read()
            assert response.getheader("Connection") != "close"
    finally:
        connection.close()


def test_fixed_ports_are_used() -> None:
    with socket.socket() as first, socket.socket() as second, socket.socket() as third:
        for sock in (first, second, third):
            sock.bind(("127.0.0.1", 0))
        ports = {
            "tagesblick": first.getsockname()[1],
            "technikwelt": second.getsockname()[1],
            "nachrichtensuche": third.getsockname()[1],
        }
    with FixtureSite.start(ports=ports) as site:
        assert {name: outlet.port for name, outlet in site.outlets.items()} == ports
    with pytest.raises(ValueError, match="no such outlet"):
        FixtureSite.start(ports={"gibtsnicht": 1})


def test_stop_is_prompt_and_releases_everything() -> None:
    threads_before = threading.active_count()
    site = FixtureSite.start(slow_delay=30)
    ports = [outlet.port for outlet in site.outlets.values()]
    idle = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=10)
    idle.request("GET", "/robots.txt")
    idle.getresponse().read()  # the connection stays open, idle, on the server's side
    outcome: list[BaseException | int] = []

    def wait_for_slow_page() -> None:
        try:
            outcome.append(fetch(site.special["slow"], timeout=10).status)
        except (ConnectionError, http.client.HTTPException) as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=wait_for_slow_page)
    waiter.start()
    deadline = time.monotonic() + 5
    while sum(thread.name == "demosite-tagesblick-request" for thread in threading.enumerate()) < 2:
        assert time.monotonic() < deadline, "the slow request never arrived"
        time.sleep(0.01)  # until the idle connection and the slow request are both being served
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 2
    waiter.join(5)
    idle.close()
    assert outcome
    assert not waiter.is_alive()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert threading.active_count() == threads_before
    site.stop()  # idempotent


def test_module_entry_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon.demosite"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        lines = []
        while not lines or not lines[-1].endswith("Ctrl-C stops.\n"):
            lines.append(process.stdout.readline())
            assert lines[-1], "the process ended before serving"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
    assert lines[0].startswith("Tagesblick")
    assert "http://127.0.0.1:" in lines[0]
    assert any("/feed/rss.xml" in line for line in lines)
    assert process.returncode == 0
    assert out == "stopped\n"
    assert not err
