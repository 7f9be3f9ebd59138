"""What a news page declares about itself: JSON-LD, OpenGraph and other meta tags, headings.

Publishers state title, date, authors and paywall status in markup meant for search engines and
social networks; that is more reliable than guessing them from the layout. This module only reads
those declarations into ``PageMeta`` (never fetches, never judges); choosing among them is the job
of ``htmltitle`` and ``extract``. JSON-LD in the wild is often broken, nested in ``@graph`` or
lists, and names people as strings or as objects, so every reader here tolerates all of that.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

log = logging.getLogger(__name__)

# schema.org types whose headline is the page's article (NewsArticle, ReportageNewsArticle, ...)
_ARTICLE_TYPE = re.compile(r"(?:Article|Posting)$")
_JSON_LD_SCRIPTS = "//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# Meta keys in the order they are trusted for the publication date.
DATE_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "parsely-pub-date",
)
_SITE_NAME_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
# A heading inside these is navigation (breadcrumbs, teaser lists, menus), not the article's.
_NOT_CONTENT = (
    "ancestor::nav or ancestor::aside or ancestor::footer or ancestor::li or ancestor::menu"
    " or ancestor-or-self::*[contains(translate(@class, 'BREADCRUMB', 'breadcrumb'), 'breadcrumb')]"
)
_HEADINGS = f"//body//*[self::h1 or self::h2][not({_NOT_CONTENT})]"
MAX_HEADINGS = 30
MAX_JSON_LD_DEPTH = 12
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.:;!?])")


@dataclass
class PageMeta:
    """The declarations found in one page; empty fields where the page said nothing."""

    meta: dict[str, str] = field(default_factory=dict)  # lower-cased name/property -> first content
    article: dict[str, Any] = field(default_factory=dict)  # the JSON-LD article object, if any
    site_names: list[str] = field(default_factory=list)
    document_title: str | None = None  # the <title> element
    headings: list[tuple[str, str]] = field(default_factory=list)  # (tag, text) of content h1/h2

    @property
    def headline(self) -> str | None:
        """The JSON-LD headline (or name) of the article object."""
        return first_text(self.article.get("headline")) or first_text(self.article.get("name"))

    @property
    def h1(self) -> str | None:
        return next((text for tag, text in self.headings if tag == "h1"), None)

    @property
    def descriptions(self) -> list[str]:
        """Teaser texts the page declares; often printed above the body as its lead."""
        found = [
            self.meta.get("og:description"),
            self.meta.get("description"),
            self.meta.get("twitter:description"),
            first_text(self.article.get("description")),  # last: some sites put the picture caption here
        ]
        return list(dict.fromkeys(text for text in found if text))

    @property
    def accessible_for_free(self) -> bool | None:
        """schema.org ``isAccessibleForFree`` of the article (or of a part of it); None if unstated."""
        parts = self.article.get("hasPart")
        values = [self.article.get("isAccessibleForFree")]
        values += [part.get("isAccessibleForFree") for part in _as_list(parts) if isinstance(part, dict)]
        stated = [_as_bool(value) for value in values if value is not None]
        stated = [value for value in stated if value is not None]
        if not stated:
            return None
        return all(stated)

    @property
    def word_count(self) -> int | None:
        """The article length the publisher declares (JSON-LD ``wordCount``), if any."""
        try:
            return int(str(self.article.get("wordCount", "")).strip())
        except ValueError:
            return None


def clean_text(value: str) -> str:
    """Entities decoded (JSON-LD often carries ``&ouml;``), whitespace collapsed."""
    return " ".join(html.unescape(value).split())


def first_text(value: Any) -> str | None:
    """The first non-empty string in a JSON-LD value: a string, a list, or an object's name/@value."""
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("name") or item.get("@value")
        if isinstance(item, str | int | float) and clean_text(str(item)):
            return clean_text(str(item))
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"true": True, "false": False, "yes": True, "no": False}.get(text)


def _parse_json_ld(text: str) -> Any:
    """JSON-LD as pages write it: wrapped in comments or CDATA, with trailing commas and raw newlines."""
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)


def _objects(data: Any, depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every JSON-LD object with its nesting depth, in document order (@graph and lists included)."""
    if depth > MAX_JSON_LD_DEPTH:
        return  # the article is near the top; deeper levels are other things (or a hostile page)
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth)
    elif isinstance(data, dict):
        if "@type" in data:
            yield depth, data
        for key, value in data.items():
            if isinstance(value, dict | list):
                yield from _objects(value, depth if key == "@graph" else depth + 1)


def _is_article(obj: dict[str, Any]) -> bool:
    return any(isinstance(kind, str) and _ARTICLE_TYPE.search(kind) for kind in _as_list(obj.get("@type")))


def json_ld_objects(tree: HtmlElement) -> list[tuple[int, dict[str, Any]]]:
    """All JSON-LD objects of the page; a script that cannot be parsed is skipped (and logged)."""
    found: list[tuple[int, dict[str, Any]]] = []
    for script in tree.xpath(_JSON_LD_SCRIPTS):
        if not script.text:
            continue
        try:
            data = _parse_json_ld(script.text)
        except (ValueError, RecursionError) as exc:
            log.debug("unreadable JSON-LD skipped: %s", exc)
            continue
        found.extend(_objects(data))
    return found


def article_object(objects: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """The page's own article: the least nested article-typed object (related articles sit deeper)."""
    articles = [(depth, obj) for depth, obj in objects if _is_article(obj)]
    if not articles:
        return {}
    return min(articles, key=lambda item: item[0])[1]


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    tags: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content and clean_text(content):
            tags.setdefault(key.strip().lower(), clean_text(content))
    return tags


def heading_text(element: HtmlElement) -> str:
    """A heading's visible text; kicker and headline spans are kept apart by a space."""
    text = " ".join(" ".join(element.itertext()).split())
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def _site_names(meta: dict[str, str], objects: list[tuple[int, dict[str, Any]]]) -> list[str]:
    names = [meta[key].lstrip("@") for key in _SITE_NAME_KEYS if key in meta]
    for _, obj in objects:
        kinds = _as_list(obj.get("@type"))
        if "WebSite" in kinds or "NewsMediaOrganization" in kinds:
            names.append(first_text(obj.get("name")) or "")
        if _is_article(obj):
            names.append(first_text(obj.get("publisher")) or "")
    return list(dict.fromkeys(name for name in names if name))


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Collect the declarations of a parsed page."""
    objects = json_ld_objects(tree)
    meta = _meta_tags(tree)
    title = tree.find(".//title")
    headings = []
    for element in tree.xpath(_HEADINGS)[:MAX_HEADINGS]:
        text = heading_text(element)
        if text:
            headings.append((element.tag, text))
    return PageMeta(
        meta=meta,
        article=article_object(objects),
        site_names=_site_names(meta, objects),
        document_title=(clean_text(title.text_content()) or None) if title is not None else None,
        headings=headings,
    )


def declared_dates(page: PageMeta) -> list[tuple[str, str]]:
    """Publication dates as declared, most trusted first: (origin, raw value)."""
    found = [("json-ld", value) for value in [first_text(page.article.get("datePublished"))] if value]
    found += [("meta", page.meta[key]) for key in DATE_META_KEYS if key in page.meta]
    return found


def declared_authors(page: PageMeta) -> list[str]:
    """Author names from JSON-LD (people or organisations, strings or objects), else meta tags."""
    names = []
    for item in _as_list(page.article.get("author")):
        name = first_text(item)
        if name:
            names.append(name)
    if not names:
        names = [page.meta[key] for key in ("author", "article:author", "dc.creator") if key in page.meta]
        names = [name for name in names if not name.startswith("http")]
    return names
