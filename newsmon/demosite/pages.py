"""HTML pages in each outlet's layout: articles, AMP editions, index pages, notices, consent wall.

The two publisher layouts differ the way real sites do (markup, class names, where the related
links and the kicker sit, the shape of the JSON-LD), so an extractor tuned to one layout fails
visibly on the other. All pages carry the boilerplate a crawler must strip: navigation, cookie
banner, share buttons, "Mehr zum Thema" boxes, footer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsmon.demosite.content import Article, Outlet
from newsmon.demosite.templating import iso, render


@dataclass(frozen=True)
class Link:
    """A link to an article as index pages and related-link boxes show it."""

    url: str
    title: str
    lead: str = ""
    kicker: str = ""
    published: datetime | None = None


def article_page(
    outlet: Outlet,
    article: Article,
    *,
    home: str,
    canonical: str,
    related: Sequence[Link] = (),
    popular: Sequence[Link] = (),
    amphtml: str | None = None,
    source: Link | None = None,
    paywalled: bool = False,
    repeated: bool = False,
) -> str:
    """The article in ``outlet``'s layout.

    ``source`` credits the original of a syndicated copy, ``paywalled`` marks the text as a teaser
    for subscribers (JSON-LD ``isAccessibleForFree: false``), ``repeated`` renders the text a
    second time as a hidden print version, as some CMSs do.
    """
    return render(
        f"{outlet.layout}_article.html",
        outlet=outlet,
        article=article,
        section=outlet.section_label(article.section),
        canonical=canonical,
        amphtml=amphtml,
        related=related,
        popular=popular,
        source=source,
        paywalled=paywalled,
        repeated=repeated,
        page_kind="article",
        json_ld=news_article_ld(outlet, article, home=home, canonical=canonical, free=not paywalled),
    )


def amp_page(outlet: Outlet, article: Article, *, home: str, canonical: str) -> str:
    """The AMP edition: same text, minimal markup, ``rel=canonical`` back to the full page."""
    json_ld = news_article_ld(outlet, article, home=home, canonical=canonical, free=True)
    return render(
        "amp_article.html", outlet=outlet, article=article, home=home, canonical=canonical, json_ld=json_ld
    )


def listing_page(
    outlet: Outlet,
    *,
    heading: str,
    canonical: str,
    teasers: Sequence[Link],
    extra: Sequence[Link] = (),
    popular: Sequence[Link] = (),
    next_page: str | None = None,
) -> str:
    """A home or section page: teasers newest first, optional partner links and a next-page link."""
    return render(
        f"{outlet.layout}_listing.html",
        outlet=outlet,
        heading=heading,
        canonical=canonical,
        teasers=teasers,
        extra=extra,
        popular=popular,
        next_page=next_page,
        page_kind="listing",
    )


def message_page(outlet: Outlet, heading: str, *paragraphs: str) -> str:
    """A notice in the outlet's layout: error pages, imprint, rate-limit apology."""
    return render(
        "message.html", outlet=outlet, heading=heading, paragraphs=paragraphs, popular=(), page_kind="message"
    )


def consent_page(outlet: Outlet, target: str) -> str:
    """The cookie wall a reader without consent sees instead of the article at ``target``."""
    return render("consent.html", outlet=outlet, target=target)


def news_article_ld(
    outlet: Outlet, article: Article, *, home: str, canonical: str, free: bool
) -> dict[str, Any]:
    """schema.org NewsArticle data in the shape ``outlet``'s CMS writes it."""
    return _LD_SHAPES[outlet.layout](outlet, article, home, canonical, free)


def _news_article(outlet: Outlet, article: Article, canonical: str, free: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.lead,
        "datePublished": iso(article.published),
        "dateModified": iso(article.published),
        "mainEntityOfPage": canonical,
        "articleSection": outlet.section_label(article.section),
        "keywords": ", ".join(article.tags),
        "inLanguage": "de-DE",
        "isAccessibleForFree": free,
    }
    if not free:
        data["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"}
    return data


def _flat_ld(outlet: Outlet, article: Article, home: str, canonical: str, free: bool) -> dict[str, Any]:
    """Tagesblick: one NewsArticle object, authors as a list, publisher inline."""
    data = {"@context": "https://schema.org", **_news_article(outlet, article, canonical, free)}
    data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    data["publisher"] = {
        "@type": "NewsMediaOrganization",
        "name": outlet.title,
        "url": home,
        "logo": {"@type": "ImageObject", "url": f"{home}static/logo-600x60.png", "width": 600, "height": 60},
    }
    return data


def _graph_ld(outlet: Outlet, article: Article, home: str, canonical: str, free: bool) -> dict[str, Any]:
    """Technikwelt: an @graph of web page, article and organisation, linked by @id."""
    organisation = f"{home}#organisation"
    authors = [{"@type": "Person", "name": name} for name in article.authors]
    news_article = {
        "@id": f"{canonical}#artikel",
        **_news_article(outlet, article, canonical, free),
        "author": authors[0] if len(authors) == 1 else authors,
        "publisher": {"@id": organisation},
        "isPartOf": {"@id": canonical},
    }
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": canonical,
                "url": canonical,
                "name": article.title,
                "inLanguage": "de-DE",
            },
            news_article,
            {
                "@type": "Organization",
                "@id": organisation,
                "name": outlet.title,
                "legalName": outlet.publisher,
            },
        ],
    }


_LD_SHAPES: dict[str, Callable[[Outlet, Article, str, str, bool], dict[str, Any]]] = {
    "tagesblick": _flat_ld,
    "technikwelt": _graph_ld,
}
