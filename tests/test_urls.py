"""Canonical URLs, the first dedup layer (newsmon.urls)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.provisional import urls

from newsmon.urls import canonical_url

BASE = "https://heise.de/news/Nvidia-H200-China-123.html"


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.heise.de/news/Nvidia-H200-China-123.html",
        "HTTP://WWW.HEISE.DE/news/Nvidia-H200-China-123.html",
        "https://www.heise.de/news/Nvidia-H200-China-123.html#kommentare",
        "https://www.heise.de/news/Nvidia-H200-China-123.html?utm_source=rss&utm_medium=feed",
        "https://www.heise.de/news/Nvidia-H200-China-123.html?wt_mc=rss.red.ho.ho.atom.beitrag.beitrag",
        "https://www.heise.de/news/Nvidia-H200-China-123.html?fbclid=IwAR0abc&gclid=xyz",
        "https://m.heise.de/news/Nvidia-H200-China-123.html",
        "https://amp.heise.de/news/Nvidia-H200-China-123.html",
        "https://www.heise.de/news/Nvidia-H200-China-123.amp.html",
        "https://www.heise.de/amp/news/Nvidia-H200-China-123.html",
        "https://www.heise.de/news/Nvidia-H200-China-123.html/",
        "https://www.heise.de:443/news/Nvidia-H200-China-123.html",
    ],
)
def test_variants_share_the_canonical_form(variant: str) -> None:
    assert canonical_url(variant) == BASE


def test_meaningful_query_survives_and_is_sorted() -> None:
    assert (
        canonical_url("https://example.com/artikel?page=2&id=5&utm_campaign=x")
        == "https://example.com/artikel?id=5&page=2"
    )


def test_different_articles_stay_different() -> None:
    assert canonical_url("https://example.com/a?id=1") != canonical_url("https://example.com/a?id=2")
    assert canonical_url("https://example.com/a") != canonical_url("https://example.org/a")


def test_non_urls_come_back_unharmed() -> None:
    assert canonical_url("  kein url  ") == "kein url"
    assert canonical_url("file:///tmp/a.txt") == "file:///tmp/a.txt"


@given(urls())
def test_canonical_url_is_idempotent_on_urls(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(st.text())
def test_canonical_url_never_raises_and_is_idempotent(value: str) -> None:
    once = canonical_url(value)
    assert canonical_url(once) == once
