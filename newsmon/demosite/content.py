"""The fixture's content: outlets, hand-written articles and special URLs, from ``data/*.toml``.

The text lives in TOML rather than code so it can be read and edited as prose, and it is
validated on load so a typo (unknown section, summer-time offset in winter, duplicate id) stops
the site at start instead of producing a subtly wrong page that a crawler test then trusts.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

# Special behaviours an article of articles.toml can ask for (see catalog.py for their meaning).
ARTICLE_CASES = frozenset(
    {
        "article",
        "paywall",
        "repeated_text",
        "rate_limited",
        "slow",
        "robots",
        "encoding",
        "malformed_feed_only",
    }
)
# Extra URLs serving the same text: an AMP edition, a feed link with tracking parameters.
COPY_KINDS = frozenset({"amp", "utm"})
HAND_WRITTEN_NUMBERS = 100  # article numbers in URLs start here; synthetic ones far above

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Outlet:
    """One host of the site: a publisher with its own layout and URL scheme, or the search host."""

    name: str
    title: str
    kind: str  # "publisher" or "search"
    layout: str
    slogan: str
    publisher: str
    path: str  # article path template; placeholders section, slug, number, year, month
    section_path_template: str  # index page of a section; placeholder section
    disallow: str  # the path prefix robots.txt disallows
    sections: tuple[tuple[str, str], ...]  # (slug, label)

    def section_label(self, section: str) -> str:
        return dict(self.sections)[section]

    def section_path(self, section: str) -> str:
        return self.section_path_template.format(section=section)


@dataclass(frozen=True)
class Article:
    """One article text as an outlet publishes it."""

    id: str
    outlet: str
    section: str
    number: int  # unique across the site; part of the URL
    title: str
    lead: str
    body: tuple[str, ...]
    authors: tuple[str, ...]
    published: datetime  # aware, Europe/Berlin
    tags: tuple[str, ...]
    on_topic: bool
    story: str | None = None  # articles about the same event share it
    copies: tuple[str, ...] = ()
    syndicated_to: tuple[str, str] | None = None  # (outlet, section) republishing the same text
    case: str = "article"

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def word_count(self) -> int:
        return len(" ".join((self.title, self.lead, *self.body)).split())


@dataclass(frozen=True)
class Special:
    """A URL that is not a plain article: an error, a trap, or a link to a forbidden address."""

    case: str
    outlet: str
    target: str  # a path on the outlet, or a full URL elsewhere (the SSRF cases)
    title: str
    lead: str
    published: datetime
    expected: str
    lists: tuple[str, ...]  # where it is advertised ("search": the search host's feed)


def slugify(title: str) -> str:
    """URL slug the way German CMSs write it: umlauts spelled out, at most eight words."""
    ascii_title = unicodedata.normalize("NFKD", title.lower().translate(_UMLAUTS))
    ascii_title = ascii_title.encode("ascii", "ignore").decode()
    words = [word for word in _NOT_SLUG.split(ascii_title) if word]
    return "-".join(words[:8])


def article_path(outlet: Outlet, article: Article) -> str:
    """The path under which ``outlet`` publishes ``article`` (its URL scheme from outlets.toml)."""
    return outlet.path.format(
        section=article.section,
        slug=article.slug,
        number=article.number,
        year=article.published.year,
        month=f"{article.published.month:02d}",
    )


def read_data(name: str) -> dict[str, Any]:
    """Parse one TOML file shipped in ``newsmon/demosite/data``."""
    return tomllib.loads(files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8"))


@cache
def load_outlets() -> tuple[Outlet, ...]:
    """The hosts of the site, in the order they get their ports."""
    return tuple(
        Outlet(
            name=raw["name"],
            title=raw["title"],
            kind=raw["kind"],
            layout=raw["layout"],
            slogan=raw["slogan"],
            publisher=raw["publisher"],
            path=raw["path"],
            section_path_template=raw["section_path"],
            disallow=raw["disallow"],
            sections=tuple((slug, label) for slug, label in raw["sections"]),
        )
        for raw in read_data("outlets.toml")["outlet"]
    )


@cache
def load_articles() -> tuple[Article, ...]:
    """The hand-written articles, validated against the outlets."""
    outlets = {outlet.name: outlet for outlet in load_outlets() if outlet.kind == "publisher"}
    articles = tuple(
        _article(raw, HAND_WRITTEN_NUMBERS + position, outlets)
        for position, raw in enumerate(read_data("articles.toml")["article"])
    )
    ids = [article.id for article in articles]
    if len(set(ids)) != len(ids):
        raise ValueError(f"articles.toml: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    return articles


@cache
def load_specials() -> tuple[Special, ...]:
    """The special URLs of specials.toml, checked against the outlets."""
    outlets = {outlet.name for outlet in load_outlets() if outlet.kind == "publisher"}
    specials = []
    for raw in read_data("specials.toml")["special"]:
        where = f"specials.toml, case {raw['case']!r}"
        if raw["outlet"] not in outlets:
            raise ValueError(f"{where}: unknown outlet {raw['outlet']!r}")
        published = _berlin(raw["published"], where)
        specials.append(Special(**{**raw, "published": published, "lists": tuple(raw["lists"])}))
    return tuple(specials)


def _berlin(published: datetime, where: str) -> datetime:
    """``published`` in Europe/Berlin, refusing an offset that was not Berlin's on that day."""
    local = published.astimezone(BERLIN)
    if published.utcoffset() != local.utcoffset():
        raise ValueError(f"{where}: offset of {published.isoformat()} is not Europe/Berlin's")
    return local


def _article(raw: dict[str, Any], number: int, outlets: dict[str, Outlet]) -> Article:
    where = f"articles.toml, article {raw.get('id')!r}"
    outlet = outlets.get(raw["outlet"])
    if outlet is None or raw["section"] not in dict(outlet.sections):
        raise ValueError(f"{where}: unknown outlet or section {raw['outlet']}/{raw['section']}")
    published = _berlin(raw["published"], where)
    copies = tuple(raw.get("copies", ()))
    case = raw.get("case", "article")
    if case not in ARTICLE_CASES or not COPY_KINDS.issuperset(copies):
        raise ValueError(f"{where}: unknown case {case!r} or copies {copies}")
    syndicated_to = None
    if "syndicated_to" in raw:
        target, section = raw["syndicated_to"].split("/")
        if target not in outlets or section not in dict(outlets[target].sections):
            raise ValueError(f"{where}: unknown syndication target {raw['syndicated_to']!r}")
        syndicated_to = (target, section)
    return Article(
        id=raw["id"],
        outlet=outlet.name,
        section=raw["section"],
        number=number,
        title=raw["title"],
        lead=raw["lead"],
        body=tuple(raw["body"]),
        authors=tuple(raw["authors"]),
        published=published,
        tags=tuple(raw["tags"]),
        on_topic=raw["on_topic"],
        story=raw.get("story"),
        copies=copies,
        syndicated_to=syndicated_to,
        case=case,
    )
