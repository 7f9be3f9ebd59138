"""Choosing an HTML article's title among the ones the page declares, without the site's name.

Pages name their article several times: ``<meta name="title">``, ``og:title``, the JSON-LD
``headline``, the ``<h1>`` and the ``<title>``. They disagree in two ways. Most often by decoration:
the site name or a section glued on with a separator ("… | Börsen-Zeitung", "Tageblatt.lu | …").
That is removed generically: a separated segment goes when it names the site (``og:site_name``,
the publisher, the host, or anything shaped like a domain) or when what remains is exactly
another declaration of the title. Sometimes they disagree in wording (a social-media title in
``og:title``, an SEO title in ``<title>``); then the order of trust decides, with two checks:
``<meta name="title">`` counts only when another declaration or a heading says the same (some
sites put one generic text there), and a page whose ``og:title`` is only a copy of the SEO title
while it shows the JSON-LD headline as a heading gets that headline.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from newsmon.htmlmeta import PageMeta

# Separators between a title and the site or section name. Only a pipe may stand without spaces:
# a hyphen joins words ("Ex-Ministerin") and » « are German quotation marks.
_SEPARATOR = re.compile(r"\s+[|–—·•»:-]{1,2}\s+|\s*\|\s*")
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[\W_]+")
SITE_SEGMENT_MAX_WORDS = 6
SITE_PREFIXED_MAX_WORDS = 4
MIN_SITE_KEY = 3


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())


def _hosts(url: str | None, page: PageMeta) -> list[str]:
    """The page's host names (whole, and the label before the TLD): from its URL and og:url."""
    urls = [url or "", page.meta.get("og:url", "")]
    hosts = []
    for candidate in urls:
        host = urlsplit(candidate).hostname or ""
        labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
        if len(labels) >= 2:
            hosts += [".".join(labels), labels[-2]]
    return hosts


def site_keys(page: PageMeta, url: str | None) -> set[str]:
    """Normalised forms of every name the site goes by on this page, and of their separated parts
    ("Israel Nachrichten – Chadashoth Israel" also as "Israel Nachrichten")."""
    names = [*page.site_names, *_hosts(url, page)]
    keys = {_key(part) for name in names for part in [name, *_SEPARATOR.split(name)]}
    return {key for key in keys if len(key) >= MIN_SITE_KEY}


def _names_site(segment: str, sites: set[str]) -> bool:
    """A separated segment that is a domain, a name of the site, or the site's name with an
    article in front ("DIE WELT", "der Freitag")."""
    if _DOMAIN.fullmatch(segment.strip()):
        return True
    words = len(segment.split())
    key = _key(segment)
    if words > SITE_SEGMENT_MAX_WORDS or len(key) < MIN_SITE_KEY:
        return False
    return key in sites or (words <= SITE_PREFIXED_MAX_WORDS and any(key.endswith(site) for site in sites))


def _split(title: str) -> tuple[list[str], list[str]]:
    """Segments of a title and the separators between them."""
    parts = _SEPARATOR.split(title)
    separators = _SEPARATOR.findall(title)
    return parts, separators


def strip_site_name(title: str, sites: set[str]) -> str:
    """``title`` without a leading or trailing site name (and any section names after it)."""
    parts, separators = _split(title)
    if len(parts) < 2:
        return title
    for index in range(1, len(parts)):
        if _names_site(parts[index], sites):
            parts, separators = parts[:index], separators[: index - 1]
            break
    while len(parts) > 1 and _names_site(parts[0], sites):
        parts, separators = parts[1:], separators[1:]
    return "".join(part + separator for part, separator in zip(parts, [*separators, ""], strict=True))


def strip_by_agreement(title: str, others: list[str]) -> str:
    """When a separated head or tail of ``title`` is exactly another declaration, that is the title.

    "Vierschanzentournee | Beleidigen und beschuldigen" next to an ``<h1>`` "Beleidigen und
    beschuldigen" loses its section kicker; a suffix is dropped the same way.
    """
    parts, separators = _split(title)
    known = {_key(other) for other in others if other and other != title}
    for cut in range(1, len(parts)):
        head = "".join(p + s for p, s in zip(parts[:cut], [*separators[: cut - 1], ""], strict=True))
        tail = "".join(p + s for p, s in zip(parts[cut:], [*separators[cut:], ""], strict=True))
        if _key(head) in known:
            return head
        if _key(tail) in known and "|" in separators[cut - 1]:
            return tail
    return title


def title_candidates(page: PageMeta, url: str | None) -> list[tuple[str, str]]:
    """(origin, title) in order of trust, decorations removed; empty ones and the bare site name
    (some sites put it in every page's og:title) dropped."""
    sites = site_keys(page, url)
    raw = [
        ("meta-title", page.meta.get("title")),
        ("og:title", page.meta.get("og:title")),
        ("json-ld", page.headline),
        ("h1", page.h1),
        ("document-title", page.document_title),
    ]
    declared = [(origin, strip_site_name(text, sites)) for origin, text in raw if text]
    texts = [text for _, text in declared]
    stripped = [(origin, strip_by_agreement(text, texts)) for origin, text in declared]
    return [(origin, text) for origin, text in stripped if _key(text) not in sites]


def _confirmed(title: str, candidates: list[tuple[str, str]], page: PageMeta) -> bool:
    """Another declaration or a heading on the page says the same."""
    others = {text for origin, text in candidates if origin not in ("meta-title", "document-title")}
    return title in others or title in {text for _, text in page.headings}


def choose_title(page: PageMeta, url: str | None) -> tuple[str | None, str]:
    """The article title and where it came from ("none" when the page declares no title)."""
    candidates = title_candidates(page, url)
    if candidates and candidates[0][0] == "meta-title" and not _confirmed(candidates[0][1], candidates, page):
        # an old-style title tag that no other declaration repeats may be the site's generic one
        candidates = [*candidates[1:], candidates[0]]
    if not candidates:
        return None, "none"
    origin, title = candidates[0]
    by_origin = dict(candidates)
    headline = by_origin.get("json-ld")
    shown = {text for tag, text in page.headings}
    if (
        origin == "og:title"
        and headline
        and headline != title
        and title == by_origin.get("document-title")
        and headline in shown
        and title not in shown
    ):
        # og:title only repeats the SEO <title>, while the page shows the structured headline
        return headline, "json-ld"
    return title, origin
